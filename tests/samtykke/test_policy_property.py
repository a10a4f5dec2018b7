"""Property: after every step of a random story, what each person sees equals a plain
reference function of the consents, blocks, legal-basis accesses and who works where.

Steps: units register data; citizens give, narrow and revoke consents and block units;
caseworkers get legal-basis access; people join and leave units; and a fake clock moves,
so consents and accesses expire without any job running.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed
from organisation.selectors import aktoer_for
from samtykke import policy, services
from samtykke.models import Beslutning
from tests import hypotese
from tests.fakeclock import FakeClock
from tilstand.services import tilstand_register

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
UNITS = 2
USERS = 3
CITIZENS = 2
CATS = 2

step = st.one_of(
    st.tuples(st.just("data"), st.integers(0, UNITS - 1), st.integers(0, CITIZENS - 1),
              st.integers(0, CATS - 1)),
    st.tuples(st.just("give"), st.integers(0, CITIZENS - 1), st.integers(0, UNITS),
              st.sets(st.integers(0, CATS - 1), min_size=1),
              st.sets(st.integers(0, UNITS - 1), min_size=1), st.integers(1, 6)),
    st.tuples(st.just("narrow"), st.integers(0, 5), st.integers(0, CATS - 1),
              st.integers(0, UNITS - 1)),
    st.tuples(st.just("revoke"), st.integers(0, 5)),
    st.tuples(st.just("block"), st.integers(0, CITIZENS - 1), st.integers(0, UNITS - 1),
              st.integers(1, 6)),
    st.tuples(st.just("hjemmel"), st.integers(0, USERS - 1), st.integers(0, CITIZENS - 1),
              st.integers(1, 6)),
    st.tuples(st.just("join"), st.integers(0, USERS - 1), st.integers(0, UNITS - 1)),
    st.tuples(st.just("leave"), st.integers(0, USERS - 1)),
    st.tuples(st.just("clock"), st.integers(1, 3)),
)  # fmt: skip


@dataclass
class Consent:
    db: object
    citizen: int
    unit: int | None  # recipient unit, or None when the recipient is user 0 by name
    cats: set
    sources: set
    til: datetime.datetime
    permit: bool = True
    revoked: bool = False


@dataclass
class World:
    """The reference: plain records and one plain function, `sees`."""

    works: dict = field(default_factory=dict)  # user -> set of units now
    data: list = field(default_factory=list)  # (tilstand id, unit, citizen, cat)
    consents: list = field(default_factory=list)  # latest version of each chain
    hjemler: list = field(default_factory=list)  # (user, citizen, unit, til)

    def sees(self, user: int, now) -> set:
        units = self.works[user]

        def in_force(c):
            return not c.revoked and now < c.til

        def addressed(c):
            # a consent to one named employee counts while they work in some unit
            return (c.unit in units) if c.unit is not None else (user == 0 and bool(units))

        visible = set()
        for tid, unit, citizen, cat in self.data:
            blocked = any(
                not c.permit and in_force(c) and addressed(c) and c.citizen == citizen
                for c in self.consents
            )
            by_consent = any(
                c.permit and in_force(c) and addressed(c) and c.citizen == citizen
                and unit in c.sources and cat in c.cats
                for c in self.consents
            )  # fmt: skip
            by_law = any(
                u == user and c == citizen and hu in units and now < til
                for u, c, hu, til in self.hjemler
            )
            if unit in units or (by_consent and not blocked) or by_law:
                visible.add(tid)
        return visible


@settings(
    max_examples=hypotese.eksempler(80),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=4, max_size=20))
def test_what_everyone_sees_equals_the_reference(kodesystemer, monkeypatch, steps):
    clock = FakeClock(START)
    monkeypatch.setattr("datadeling.core.clock.now", clock)
    with transaction.atomic():
        kommune = Myndighed.objects.create(navn="K", type="kommune", kommunekode="997")
        units = [Enhed.objects.create(myndighed=kommune, navn=f"Enhed {i}") for i in range(UNITS)]
        users, staff = [], []
        for i in range(USERS):
            user = get_user_model().objects.create_user(f"u{i}")
            users.append(user)
            staff.append(Medarbejder.objects.create(user=user, myndighed=kommune, navn=f"M{i}"))
            Funktion.objects.create(
                medarbejder=staff[i], enhed=units[i % UNITS], rolle="sagsbehandler",
                gyldig_fra=START.date() - datetime.timedelta(days=1),
            )  # fmt: skip
        citizens = [
            Borger.objects.create(cpr=f"010180{1000 + i}", fornavn="B", efternavn=str(i))
            for i in range(CITIZENS)
        ]
        roots = [
            Klasse.objects.get(pk=k.FFB_TILSTANDE),
            Klasse.objects.get(pk=k.FSIII_FUNKTIONSEVNETILSTANDE[0]),
        ]
        leaves = [
            Klasse.objects.filter(sti__contains=[r.pk], underordnede__isnull=True)
            .order_by("kode")
            .first()
            for r in roots
        ]
        lovgrundlag = Klasse.objects.filter(klassifikation__uri=k.ADGANGSHJEMMEL_URI).first()
        world = World(works={i: {i % UNITS} for i in range(USERS)})
        # every unit already holds data of every kind on every citizen, so that each
        # consent, block and access in the story has something to act on
        for unit in range(UNITS):
            for citizen in range(CITIZENS):
                for cat in range(CATS):
                    t = tilstand_register(
                        actor=users[0], borger=citizens[citizen],
                        data={"type": leaves[cat], "ansvarlig_enhed": units[unit]},
                    )  # fmt: skip
                    world.data.append((t.pk, unit, citizen, cat))

        for s in steps:
            kind = s[0]
            if kind == "data":
                _, unit, citizen, cat = s
                t = tilstand_register(
                    actor=users[0], borger=citizens[citizen],
                    data={"type": leaves[cat], "ansvarlig_enhed": units[unit]},
                )  # fmt: skip
                world.data.append((t.pk, unit, citizen, cat))
            elif kind == "give":
                _, citizen, unit, cats, sources, days = s
                modtager = units[unit] if unit < UNITS else staff[0]
                til = clock() + datetime.timedelta(days=days)
                db = services.samtykke_give(
                    actor=None, borger=citizens[citizen], modtager=modtager,
                    kategorier=[roots[c] for c in sorted(cats)],
                    kilder=[units[u] for u in sorted(sources)],
                    formaal="Koordinering af indsatsen", gyldig_til=til,
                )  # fmt: skip
                world.consents.append(
                    Consent(
                        db, citizen, unit if unit < UNITS else None, set(cats), set(sources), til
                    )
                )
            elif kind == "narrow" and world.consents:
                _, i, drop_cat, drop_unit = s
                c = world.consents[i % len(world.consents)]
                if c.revoked or not c.permit or clock() >= c.til:
                    continue
                cats = c.cats - {drop_cat} or c.cats
                sources = c.sources - {drop_unit} or c.sources
                c.db = services.samtykke_narrow(
                    actor=None, samtykke=c.db,
                    kategorier=[roots[x] for x in sorted(cats)],
                    kilder=[units[x] for x in sorted(sources)],
                )  # fmt: skip
                c.cats, c.sources = cats, sources
            elif kind == "revoke" and world.consents:
                c = world.consents[s[1] % len(world.consents)]
                if c.revoked:
                    continue
                c.db = services.samtykke_revoke(actor=None, samtykke=c.db)
                c.revoked = True
            elif kind == "block":
                _, citizen, unit, days = s
                til = clock() + datetime.timedelta(days=days)
                db = services.samtykke_give(
                    actor=None, borger=citizens[citizen], modtager=units[unit],
                    beslutning=Beslutning.AFVIS, gyldig_til=til,
                )  # fmt: skip
                world.consents.append(Consent(db, citizen, unit, set(), set(), til, permit=False))
            elif kind == "hjemmel":
                _, user, citizen, days = s
                unit = min(world.works[user]) if world.works[user] else None
                if unit is None:
                    continue
                services.hjemmel_register(
                    actor=users[user], borger=citizens[citizen], medarbejder=staff[user],
                    enhed=units[unit], lovgrundlag=lovgrundlag, begrundelse="Akut situation",
                    dage=days,
                )  # fmt: skip
                world.hjemler.append((user, citizen, unit, clock() + datetime.timedelta(days=days)))
            elif kind == "join":
                _, user, unit = s
                if unit in world.works[user]:
                    continue
                Funktion.objects.create(
                    medarbejder=staff[user], enhed=units[unit], rolle="sagsbehandler",
                    gyldig_fra=clock().date(),
                )  # fmt: skip
                world.works[user].add(unit)
            elif kind == "leave":
                _, user = s
                today = clock().date()
                aabne = Funktion.objects.filter(medarbejder=staff[user], gyldig_til__isnull=True)
                aabne.filter(gyldig_fra__gte=today).delete()  # began today: never mind
                aabne.update(gyldig_til=today)
                world.works[user] = set()
            elif kind == "clock":
                clock.advance(days=s[1])

            for u, user in enumerate(users):
                aktoer = aktoer_for(user)
                got = set(policy.tilstande_synlige(aktoer).values_list("pk", flat=True))
                assert got == world.sees(u, clock()), (u, s)
                assert _aabne(aktoer, clock()) == _aabne_fuld(aktoer, clock()), (u, s)
                sees = world.sees(u, clock())
                per_citizen = {
                    c: {tid for tid, _, citizen, _ in world.data if citizen == c and tid in sees}
                    for c in range(CITIZENS)
                }
                _synlige_ids_som_reglen(aktoer, clock(), citizens, per_citizen)
        transaction.set_rollback(True)


def _aabne(aktoer, now) -> set:
    return set(policy.borgere_aabne(aktoer, now).values_list("pk", flat=True))


def _aabne_fuld(aktoer, now) -> set:
    """Rule 7 word for word: the citizens of whom the policy shows the person a condition,
    an intervention or a case, and those `kontakt_q` opens (`borgere_aabne` leaves out the
    branches `kontakt_q` already covers; this checks it opens exactly these)."""
    if not aktoer.er_medarbejder:
        return set()
    vist = (
        set(policy.tilstande_synlige(aktoer, now=now).values_list("borger_id", flat=True))
        | set(policy.indsatser_synlige(aktoer, now=now).values_list("borger_id", flat=True))
        | set(policy.sager_synlige(aktoer, now=now).values_list("borger_id", flat=True))
    )
    kontakt = set(Borger.objects.filter(policy.kontakt_q(aktoer, now)).values_list("pk", flat=True))
    return vist | kontakt


def _synlige_ids_som_reglen(aktoer, now, citizens, sees: dict[int, set]) -> None:
    """The visible set a citizen's page reads once (`side_annotationer`) is the rule's, it
    opens the page exactly when `borgere_aabne` does, and the units holding hidden data
    found through it are the ones the rule finds built in full (`har_skjult_annotation`
    without it). `sees`: the reference's visible conditions of each citizen. Only for staff
    with a unit: nobody else opens a citizen's page."""
    if not (aktoer.er_medarbejder and aktoer.enhed_ids):
        return
    aabne = _aabne(aktoer, now)
    for c, b in enumerate(citizens):
        # The rule asked of one citizen (the block asked once, of them) is the reference.
        got = set(policy.tilstande_synlige(aktoer, b.pk, now).values_list("pk", flat=True))
        assert got == sees[c], (c, got, sees[c])
        raekke = Borger.objects.annotate(**policy.side_annotationer(aktoer, b.pk, now))
        borger = raekke.get(pk=b.pk)
        # Rule 7 decided from the one citizen's row is borgere_aabne's answer.
        assert policy.side_aaben(aktoer, borger) == (b.pk in aabne)
        ids = policy.synlige_ids(borger)
        assert ids is not None
        for got, rule in (
            (ids.tilstande, policy.tilstande_synlige(aktoer, b.pk, now)),
            (ids.indsatser, policy.indsatser_synlige(aktoer, b.pk, now)),
            (ids.sager, policy.sager_synlige(aktoer, b.pk, now)),
        ):
            assert set(got) == set(rule.values_list("pk", flat=True))

        def skjult(synlige, b=b):
            q = policy.har_skjult_annotation(aktoer, b.pk, now, synlige)
            return set(Enhed.objects.filter(q).values_list("pk", flat=True))

        assert skjult(ids) == skjult(None)
