"""Property: after every step of a random story, the notifications each person has, and
those their inbox lists, equal a plain reference function of who may see what at the time
of the change (delivery) and now (listing).

Steps: people follow citizens; units register data (their staff then follow the citizen
automatically); citizens give, narrow and revoke consents and block units; consents are
warned of as expiring; caseworkers get legal-basis access; people join and leave units;
and a fake clock moves, so consents and accesses expire without any job running. Every
event is fanned out after its step as the workers would, with batches of three, so the
grouping and the chaining of batches are exercised too.
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
from overblik.models import Foelg, Notifikation
from overblik.notifikation import selectors as nselectors
from overblik.notifikation import services as nservices
from samtykke import haendelser, services
from samtykke.models import Beslutning, Haendelse, HaendelseArt
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
    st.tuples(st.just("follow"), st.integers(0, USERS - 1), st.integers(0, CITIZENS - 1)),
    st.tuples(st.just("data"), st.integers(0, UNITS - 1), st.integers(0, CITIZENS - 1),
              st.integers(0, CATS - 1)),
    st.tuples(st.just("give"), st.integers(0, CITIZENS - 1), st.integers(0, UNITS),
              st.sets(st.integers(0, CATS - 1), min_size=1),
              st.sets(st.integers(0, UNITS - 1), min_size=1), st.integers(1, 40)),
    st.tuples(st.just("narrow"), st.integers(0, 5), st.integers(0, CATS - 1),
              st.integers(0, UNITS - 1)),
    st.tuples(st.just("revoke"), st.integers(0, 5)),
    st.tuples(st.just("expiring"),),
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
    versions: set  # the ids of every version of the chain
    citizen: int
    unit: int | None  # recipient unit, or None when the recipient is user 0 by name
    cats: set
    sources: set
    til: datetime.datetime
    permit: bool = True
    revoked: bool = False
    warned: bool = False
    db: object = None


@dataclass
class World:
    """The reference: plain records and plain functions."""

    works: dict = field(default_factory=dict)  # user -> set of units now
    data: dict = field(default_factory=dict)  # tilstand id -> (unit, citizen, cat)
    consents: list = field(default_factory=list)
    hjemler: list = field(default_factory=list)  # (user, citizen, unit, til)
    follows: set = field(default_factory=set)  # (user, citizen)
    has: dict = field(default_factory=dict)  # user -> {event id: ("data", tid) | ("consent", c)}

    def in_force(self, c: Consent, now) -> bool:
        return not c.revoked and now < c.til

    def addressed(self, c: Consent, user: int) -> bool:
        units = self.works[user]
        return (c.unit in units) if c.unit is not None else (user == 0 and bool(units))

    def sees(self, user: int, tid, now) -> bool:
        unit, citizen, cat = self.data[tid]
        units = self.works[user]
        if not units:
            return False
        blocked = any(
            not c.permit and self.in_force(c, now) and self.addressed(c, user)
            and c.citizen == citizen
            for c in self.consents
        )  # fmt: skip
        by_consent = any(
            c.permit and self.in_force(c, now) and self.addressed(c, user)
            and c.citizen == citizen and unit in c.sources and cat in c.cats
            for c in self.consents
        )  # fmt: skip
        by_law = any(
            u == user and ci == citizen and hu in units and now < til
            for u, ci, hu, til in self.hjemler
        )
        return unit in units or (by_consent and not blocked) or by_law

    def deliver(self, event_id: int, art: str, objekt_id, now) -> None:
        """Who gets an event when it is fanned out, by the rules in plain words."""
        if art == HaendelseArt.TILSTAND:
            unit, citizen, _cat = self.data[objekt_id]
            # the unit's staff follow the citizen from now on
            self.follows |= {(u, citizen) for u in self.works if unit in self.works[u]}
            for u in self.works:
                if (u, citizen) in self.follows and self.sees(u, objekt_id, now):
                    self.has[u][event_id] = ("data", objekt_id)
        elif art in (
            HaendelseArt.SAMTYKKE_TILBAGEKALDT,
            HaendelseArt.SAMTYKKE_INDSKRAENKET,
            HaendelseArt.SAMTYKKE_UDLOEBER,
        ):
            c = next(c for c in self.consents if objekt_id in c.versions)
            for u in self.works:
                named = (c.unit in self.works[u]) if c.unit is not None else u == 0
                if named:
                    self.has[u][event_id] = ("consent", c)

    def shown(self, user: int, now) -> set:
        """The events of the person's inbox that they may still see now."""
        return {
            e
            for e, (kind, what) in self.has[user].items()
            if (kind == "data" and self.sees(user, what, now))
            or (kind == "consent" and self.addressed(what, user))
        }


@settings(
    max_examples=hypotese.eksempler(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=4, max_size=18))
def test_notifications_equal_the_reference(kodesystemer, monkeypatch, settings, steps):
    settings.NOTIFIKATION_BATCH = 3
    clock = FakeClock(START)
    monkeypatch.setattr("datadeling.core.clock.now", clock)
    with transaction.atomic():
        kommune = Myndighed.objects.create(navn="K", type="kommune", kommunekode="997")
        units = [Enhed.objects.create(myndighed=kommune, navn=f"Enhed {i}") for i in range(UNITS)]
        system = get_user_model().objects.create_user("fagsystem")  # registers the data
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
        world.has = {i: {} for i in range(USERS)}
        sidste = Haendelse.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

        def register(unit: int, citizen: int, cat: int) -> None:
            t = tilstand_register(
                actor=system, borger=citizens[citizen],
                data={"type": leaves[cat], "ansvarlig_enhed": units[unit]},
            )  # fmt: skip
            world.data[t.pk] = (unit, citizen, cat)

        register(0, 0, 0)
        register(1, 1, 1)
        for s in steps:
            kind = s[0]
            if kind == "follow":
                _, user, citizen = s
                nservices.foelg_create(actor=users[user], borger=citizens[citizen])
                world.follows.add((user, citizen))
            elif kind == "data":
                register(*s[1:])
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
                    Consent({db.pk}, citizen, unit if unit < UNITS else None, set(cats),
                            set(sources), til, db=db)
                )  # fmt: skip
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
                c.versions.add(c.db.pk)
                c.cats, c.sources, c.warned = cats, sources, False
            elif kind == "revoke" and world.consents:
                c = world.consents[s[1] % len(world.consents)]
                if c.revoked:
                    continue
                c.db = services.samtykke_revoke(actor=None, samtykke=c.db)
                c.versions.add(c.db.pk)
                c.revoked = True
            elif kind == "expiring":
                haendelser.udloebende_write(now=clock(), dage=30)
            elif kind == "block":
                _, citizen, unit, days = s
                til = clock() + datetime.timedelta(days=days)
                db = services.samtykke_give(
                    actor=None, borger=citizens[citizen], modtager=units[unit],
                    beslutning=Beslutning.AFVIS, gyldig_til=til,
                )  # fmt: skip
                world.consents.append(
                    Consent({db.pk}, citizen, unit, set(), set(), til, permit=False, db=db)
                )
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

            # fan out what the step wrote as the workers would: the commit's task, then a
            # group delivered together or an event in chained batches (of 3 here)
            nye = list(Haendelse.objects.filter(pk__gt=sidste).order_by("pk"))
            for gruppe in nservices.haendelser_udfold(haendelse_ids=[h.pk for h in nye]):
                rest = (
                    nservices.haendelser_udfold_sammen(haendelse_ids=gruppe)
                    if len(gruppe) > 1 else gruppe
                )  # fmt: skip
                for pk in rest:
                    nservices.haendelse_udfold_alle(haendelse_id=pk)
            for h in nye:
                world.deliver(h.pk, h.art, h.objekt_id, clock())
                sidste = h.pk

            for u, user in enumerate(users):
                har = set(
                    Notifikation.objects.filter(modtager=user).values_list(
                        "haendelse_id", flat=True
                    )
                )
                assert har == set(world.has[u]), (u, s, "har")
                vist = set(
                    nselectors.notifikationer_synlige(aktoer_for(user), user.pk).values_list(
                        "haendelse_id", flat=True
                    )
                )
                assert vist == world.shown(u, clock()), (u, s, "vist")
            assert set(Foelg.objects.values_list("bruger__username", "borger__efternavn")) == {
                (f"u{u}", str(c)) for u, c in world.follows
            }
        transaction.set_rollback(True)
