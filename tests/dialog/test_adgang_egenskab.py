"""Property: after every step of a random story, who can read which message (through the
selectors) equals a plain reference function, and every write the services accept or
refuse is the one the reference allows. The inboxes follow the same reference: a person
is told of a message written while they read its conversation (never their own), and the
inbox lists and counts that notification exactly while they still read it.

Steps: conversations are started (with the citizen or among professionals), staff and
units are invited and leave, messages are written, the citizen gives consents with and
without the dialogue scope, revokes them, blocks units and lifts blocks, and staff get
legal-basis access. One unit holds data about the citizen (its own involvement), the
others only what consents and legal bases give them.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datadeling.core import clock
from dialog import selectors, services
from dialog.models import SamtaleType
from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Borger, Funktion, Medarbejder, Relation
from organisation.selectors import aktoer_for
from overblik.notifikation import selectors as nselectors
from samtykke import policy
from samtykke import services as samtykke_services
from samtykke.models import Beslutning, HaendelseArt
from samtykke.policy import dialog as dialogregel
from tests import hypotese
from tests.overblik.test_notifikationer import udfold

pytestmark = pytest.mark.django_db

STAFF = 3  # staff i works in unit i: 0 holds data about the citizen, 1 and 2 do not
UNITS = 3
PERSONS = 2  # 0: the citizen, 1: her son with a power of attorney for the dialogue

step = st.one_of(
    st.tuples(st.just("start"), st.integers(0, STAFF - 1), st.booleans()),
    st.tuples(st.just("invite"), st.integers(0, 3), st.integers(0, STAFF - 1),
              st.integers(0, STAFF - 1), st.booleans()),
    st.tuples(st.just("leave"), st.integers(0, 3), st.integers(0, STAFF - 1), st.booleans()),
    st.tuples(st.just("write"), st.integers(0, 3), st.integers(0, STAFF + PERSONS - 1)),
    st.tuples(st.just("consent"), st.integers(0, UNITS), st.booleans()),
    st.tuples(st.just("revoke"), st.integers(0, 5)),
    st.tuples(st.just("block"), st.integers(0, UNITS - 1)),
    st.tuples(st.just("hjemmel"), st.integers(0, STAFF - 1)),
)  # fmt: skip


@dataclass
class Conv:
    db: object
    med_borgeren: bool
    staff: set = field(default_factory=set)  # staff taking part by name
    units: set = field(default_factory=set)  # units taking part
    messages: list = field(default_factory=list)  # message ids (current versions)
    told: dict = field(default_factory=dict)  # reader -> notifications of its messages


@dataclass
class World:
    """The reference: plain records and plain functions."""

    consents: list = field(
        default_factory=list
    )  # [db, unit or None (staff 2 by name), dialog, in force]
    blocks: dict = field(default_factory=dict)  # unit -> db of the block in force
    hjemler: set = field(default_factory=set)  # staff with a legal basis in force
    convs: list = field(default_factory=list)

    def sees_dialogue(self, staff: int) -> bool:
        unit = staff
        involved = unit == 0
        consent = any(
            in_force and dialog and (u == unit if u is not None else staff == 2)
            for _db, u, dialog, in_force in self.consents
        )
        return ((involved or consent) and unit not in self.blocks) or staff in self.hjemler

    def unit_sees_dialogue(self, unit: int) -> bool:
        consent = any(
            in_force and dialog and u == unit for _db, u, dialog, in_force in self.consents
        )
        return (unit == 0 or consent) and unit not in self.blocks

    def reads(self, who: int, c: Conv) -> bool:
        if who < STAFF:
            return self.sees_dialogue(who) and (who in c.staff or who in c.units)
        return c.med_borgeren  # the citizen, and the son acting for her in the dialogue

    def written(self, c: Conv, writer: int) -> None:
        """A message was written: everyone else who reads the conversation now is told."""
        for who in range(STAFF + PERSONS):
            if who != writer and self.reads(who, c):
                c.told[who] = c.told.get(who, 0) + 1


@settings(
    max_examples=hypotese.eksempler(30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=3, max_size=12))
def test_who_reads_which_message_equals_the_reference(verden, steps):
    v = verden
    g = v.g
    units = [g.enhed, v.psykiatri, g.anden_enhed]
    with transaction.atomic():
        user2 = get_user_model().objects.create_user("job")
        job = Medarbejder.objects.create(user=user2, myndighed=g.myndighed, navn="Jens Job")
        Funktion.objects.create(medarbejder=job, enhed=g.anden_enhed, rolle="sagsbehandler")
        staff = [g.medarbejder, v.psyk, job]
        staff_users = [g.user, v.psyk_user, user2]
        soen = Borger.objects.create(
            cpr="0303801234", fornavn="Sven", efternavn="Jensen",
            user=get_user_model().objects.create_user("sven"),
        )  # fmt: skip
        Relation.objects.create(
            borger=g.borger, person=soen, type="fuldmagt", omfang=["dialog"],
            gyldig_fra=datetime.date(2020, 1, 1), gyldig_til=datetime.date(2099, 1, 1),
        )  # fmt: skip
        users = [*staff_users, v.borger_user, soen.user]
        lovgrundlag = Klasse.objects.filter(klassifikation__uri=k.ADGANGSHJEMMEL_URI).first()

        world = World()
        # every story starts from a conversation of each kind and a unit taking part by
        # consent, so that each later step has something to act on
        begyndelse = [
            ("start", 0, True), ("start", 0, False), ("consent", 1, True),
            ("invite", 0, 0, 1, True),
        ]  # fmt: skip
        # and ends with the citizen writing in the first one and the psychiatry leaving it:
        # told while it read, its caseworker may still open the citizen's page (by the
        # consent), but no longer the conversation, nor so its notifications
        slut = [("write", 0, STAFF), ("leave", 0, 1, True)]
        for s in begyndelse + steps + slut:
            kind = s[0]
            if kind == "start":
                _, who, med = s
                allowed = world.sees_dialogue(who)
                try:
                    db = services.samtale_create(
                        borger=g.borger, actor=staff_users[who], emne="Samtale",
                        type=SamtaleType.MED_BORGEREN if med else SamtaleType.FAGLIG,
                        tekst="Første besked",
                    )  # fmt: skip
                except ValidationError:
                    assert not allowed, s
                    continue
                assert allowed, s
                c = Conv(db, med, {who}, {who})
                c.messages.append(db.beskeder.get().pk)
                world.convs.append(c)
                world.written(c, who)
            elif kind == "invite" and world.convs:
                _, i, who, target, as_unit = s
                c = world.convs[i % len(world.convs)]
                ok_target = (
                    world.unit_sees_dialogue(target) if as_unit else world.sees_dialogue(target)
                )
                already = target in (c.units if as_unit else c.staff)
                allowed = world.reads(who, c) and ok_target and not already
                kw = {"enhed": units[target]} if as_unit else {"medarbejder": staff[target]}
                try:
                    services.deltager_add(samtale=c.db, actor=staff_users[who], **kw)
                except ValidationError:
                    assert not allowed, s
                    continue
                assert allowed, s
                (c.units if as_unit else c.staff).add(target)
            elif kind == "leave" and world.convs:
                _, i, who, as_unit = s
                c = world.convs[i % len(world.convs)]
                takes_part = who in (c.units if as_unit else c.staff)
                allowed = world.reads(who, c) and takes_part
                kw = {"enhed": units[who]} if as_unit else {"medarbejder": staff[who]}
                try:
                    services.deltager_end(samtale=c.db, actor=staff_users[who], **kw)
                except ValidationError:
                    assert not allowed, s
                    continue
                assert allowed, s
                (c.units if as_unit else c.staff).discard(who)
            elif kind == "write" and world.convs:
                _, i, who = s
                c = world.convs[i % len(world.convs)]
                allowed = world.reads(who, c)
                try:
                    b = services.besked_write(samtale=c.db, actor=users[who], tekst="Hej")
                except ValidationError:
                    assert not allowed, s
                    continue
                assert allowed, s
                c.messages.append(b.pk)
                world.written(c, who)
            elif kind == "consent":
                _, unit, dialog = s
                modtager = units[unit] if unit < UNITS else staff[2]
                db = samtykke_services.samtykke_give(
                    actor=None, borger=g.borger, modtager=modtager, kilder=[g.enhed],
                    dialog=dialog, sagsindeks=not dialog, formaal="Koordinering",
                )  # fmt: skip
                world.consents.append([db, unit if unit < UNITS else None, dialog, True])
            elif kind == "revoke" and world.consents:
                c = world.consents[s[1] % len(world.consents)]
                if not c[3]:
                    continue
                samtykke_services.samtykke_revoke(actor=None, samtykke=c[0])
                c[3] = False
            elif kind == "block":
                unit = s[1]
                if unit in world.blocks:  # lift it
                    samtykke_services.samtykke_revoke(actor=None, samtykke=world.blocks.pop(unit))
                else:
                    world.blocks[unit] = samtykke_services.samtykke_give(
                        actor=None, borger=g.borger, modtager=units[unit],
                        beslutning=Beslutning.AFVIS,
                    )  # fmt: skip
            elif kind == "hjemmel":
                who = s[1]
                samtykke_services.hjemmel_register(
                    actor=staff_users[who], borger=g.borger, medarbejder=staff[who],
                    enhed=units[who], lovgrundlag=lovgrundlag, begrundelse="Akut", dage=5,
                )  # fmt: skip
                world.hjemler.add(who)

            # "who takes part on what basis" in fixed queries: the same as the rule's own
            # answer for each member of staff and each unit, one at a time
            now = clock.now()
            aktoerer = {("m", i): aktoer_for(u) for i, u in enumerate(staff_users)} | {
                ("e", i): policy.enhed_aktoer(e) for i, e in enumerate(units)
            }
            samlet = dialogregel.deltagere_grundlag(g.borger.pk, aktoerer, now)
            for noegle, a in aktoerer.items():
                enkelt = dialogregel.dialog_grundlag(a, g.borger.pk, now)
                assert samlet[noegle] == (enkelt[:2] if enkelt else None), (noegle, s)

            udfold()  # the new messages' notifications, as the workers would deliver them
            for who, user in enumerate(users):
                aktoer = aktoer_for(user)
                indbakke = Counter(
                    nselectors.notifikationer_synlige(aktoer, user.pk)
                    .filter(art=HaendelseArt.DIALOG_BESKED)
                    .values_list("objekt_id", flat=True)
                )
                want_told = {
                    c.db.pk: c.told[who]
                    for c in world.convs
                    if c.told.get(who) and world.reads(who, c)
                }
                assert dict(indbakke) == want_told, (who, s)
                for c in world.convs:
                    try:
                        samtale = selectors.samtale_for(bruger=user, samtale_id=c.db.pk)
                        got = [
                            b.pk
                            for b in selectors.beskeder_for(
                                bruger=user, samtale=samtale, antal=200
                            ).beskeder
                        ]
                    except Http404:
                        got = None
                    want = c.messages if world.reads(who, c) else []
                    assert (got or []) == want, (who, s)
                    if who == STAFF and not c.med_borgeren:
                        assert got == [], "the citizen opens a professionals-only one, no text"
        transaction.set_rollback(True)
