"""Property: for any story of consents, blocks, revocations, expiry and subscriptions,
the systems told about a change are exactly those a plain reference function names, and
what a unit sees (samtykke.policy.synlige_for_enhed) is what the reference says it sees.

The rules the reference spells out: a system acting for a unit is told about a change of
a citizen's condition when it subscribes (for that citizen, if its subscription is
limited) and its unit either is the condition's responsible unit or has a consent in
force — to the unit or to its authority, naming the condition's category and source unit
— and no block in force from that citizen to the unit or its authority. A system without
a unit is told nothing about data it did not deliver. A passivated condition is told to
those who saw it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klassifikation import kendte as k
from klassifikation.models import Klasse
from mox import services as mox_services
from mox.models import Notifikation
from mox.udgaaende import services
from organisation.models import Borger, Enhed, Myndighed
from samtykke import policy
from samtykke import services as samtykke_services
from samtykke.models import Beslutning
from tests import hypotese
from tests.fakeclock import FakeClock
from tilstand.models import Tilstand
from tilstand.services import tilstand_passivate, tilstand_register

pytestmark = pytest.mark.django_db

UNITS = 3
CITIZENS = 2
CATS = 2
M = "myndighed"  # a consent or block addressed to the authority of all the units

modtager = st.one_of(st.integers(0, UNITS - 1), st.just(M))
step = st.one_of(
    st.tuples(st.just("change"), st.integers(0, UNITS - 1), st.integers(0, CITIZENS - 1),
              st.integers(0, CATS - 1)),
    st.tuples(st.just("give"), st.integers(0, CITIZENS - 1), modtager,
              st.sets(st.integers(0, CATS - 1), min_size=1),
              st.sets(st.integers(0, UNITS - 1), min_size=1), st.integers(1, 5)),
    st.tuples(st.just("block"), st.integers(0, CITIZENS - 1), modtager, st.integers(1, 5)),
    st.tuples(st.just("revoke"), st.integers(0, 9)),
    st.tuples(st.just("passivate"), st.integers(0, 30)),
    st.tuples(st.just("clock"), st.integers(1, 3)),
)  # fmt: skip
abonnent = st.tuples(
    st.booleans(),  # subscribes at all
    st.one_of(st.none(), st.sets(st.integers(0, CITIZENS - 1), max_size=CITIZENS)),
)


@dataclass
class Consent:
    db: object
    citizen: int
    to: object  # a unit index or M
    cats: set
    sources: set
    til: datetime.datetime
    permit: bool = True
    revoked: bool = False


@dataclass
class World:
    subscribers: dict = field(default_factory=dict)  # system name -> (unit or None, limit)
    consents: list = field(default_factory=list)
    data: dict = field(default_factory=dict)  # tilstand id -> (unit, citizen, cat)

    def sees(self, unit, obj, now) -> bool:
        o_unit, citizen, cat = obj
        if unit == o_unit:
            return True

        def aktuel(c):
            return not c.revoked and now < c.til and c.citizen == citizen and c.to in (unit, M)

        blocked = any(not c.permit and aktuel(c) for c in self.consents)
        granted = any(
            c.permit and aktuel(c) and o_unit in c.sources and cat in c.cats for c in self.consents
        )
        return granted and not blocked

    def told(self, obj, now) -> set:
        return {
            navn
            for navn, (unit, limit) in self.subscribers.items()
            if unit is not None and (not limit or obj[1] in limit) and self.sees(unit, obj, now)
        }


@settings(
    max_examples=hypotese.eksempler(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    abonnenter=st.lists(abonnent, min_size=UNITS + 1, max_size=UNITS + 1),
    steps=st.lists(step, min_size=3, max_size=16),
)
def test_the_systems_told_equal_the_reference(kodesystemer, monkeypatch, abonnenter, steps):
    clock = FakeClock(datetime.datetime.now(datetime.UTC).replace(microsecond=0))
    monkeypatch.setattr("datadeling.core.clock.now", clock)
    with transaction.atomic():
        kommune = Myndighed.objects.create(navn="K", type="kommune", kommunekode="996")
        units = [Enhed.objects.create(myndighed=kommune, navn=f"Enhed {i}") for i in range(UNITS)]
        citizens = [
            Borger.objects.create(cpr=f"020280{2000 + i}", fornavn="B", efternavn=str(i))
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
        world = World()
        # one system per unit and one without a unit (index UNITS)
        for i, (subscribes, limit) in enumerate(abonnenter):
            s, _, _ = mox_services.system_create(navn=f"S{i}")
            s.enhed = units[i] if i < UNITS else None
            s.webhook_url = "https://fagsystem.invalid/hook"
            s.save()
            if subscribes:
                services.abonnement_create(
                    system=s, objekttype="tilstand",
                    borgere=[citizens[c] for c in sorted(limit or ())],
                )  # fmt: skip
                world.subscribers[s.navn] = (i if i < UNITS else None, limit)

        def to(x):
            return kommune if x == M else units[x]

        for s in steps:
            kind = s[0]
            foer = Notifikation.objects.count()
            if kind == "change":
                _, unit, citizen, cat = s
                t = tilstand_register(
                    actor=None, borger=citizens[citizen],
                    data={"type": leaves[cat], "ansvarlig_enhed": units[unit]},
                )  # fmt: skip
                world.data[t.pk] = (unit, citizen, cat)
                expected = world.told(world.data[t.pk], clock())
                got = set(
                    Notifikation.objects.filter(objekt_id=t.pk).values_list(
                        "system__navn", flat=True
                    )
                )
                assert got == expected, s
            elif kind == "passivate" and world.data:
                pk = sorted(world.data)[s[1] % len(world.data)]
                obj = world.data.pop(pk)
                expected = world.told(obj, clock())
                tilstand_passivate(
                    actor=None, tilstand=Tilstand.objects.get(pk=pk), slet=False,
                    begrundelse="Fejl",
                )  # fmt: skip
                got = set(
                    Notifikation.objects.filter(objekt_id=pk, operation="passivate").values_list(
                        "system__navn", flat=True
                    )
                )
                assert got == expected, s
            elif kind == "give":
                _, citizen, x, cats, sources, days = s
                til = clock() + datetime.timedelta(days=days)
                db = samtykke_services.samtykke_give(
                    actor=None, borger=citizens[citizen], modtager=to(x),
                    kategorier=[roots[c] for c in sorted(cats)],
                    kilder=[units[u] for u in sorted(sources)],
                    formaal="Koordinering", gyldig_til=til,
                )  # fmt: skip
                world.consents.append(Consent(db, citizen, x, set(cats), set(sources), til))
            elif kind == "block":
                _, citizen, x, days = s
                til = clock() + datetime.timedelta(days=days)
                db = samtykke_services.samtykke_give(
                    actor=None, borger=citizens[citizen], modtager=to(x),
                    beslutning=Beslutning.AFVIS, gyldig_til=til,
                )  # fmt: skip
                world.consents.append(Consent(db, citizen, x, set(), set(), til, permit=False))
            elif kind == "revoke" and world.consents:
                c = world.consents[s[1] % len(world.consents)]
                if not c.revoked and clock() < c.til:
                    c.db = samtykke_services.samtykke_revoke(actor=None, samtykke=c.db)
                    c.revoked = True
            elif kind == "clock":
                clock.advance(days=s[1])
            if kind not in ("change", "passivate"):
                assert Notifikation.objects.count() == foer  # nothing else tells anyone

            for u in range(UNITS):
                got = set(policy.synlige_for_enhed(Tilstand, units[u]).values_list("pk", flat=True))
                want = {pk for pk, obj in world.data.items() if world.sees(u, obj, clock())}
                assert got == want, (u, s)
        transaction.set_rollback(True)
