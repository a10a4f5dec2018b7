"""Property: the consents about to expire that the worklist tells a member of staff of
(`policy.samtykker_udloeber`) equal a plain reference function, after a random story of
consents given to units, an authority or a person by name, narrowed, revoked and blocked,
while a fake clock moves so that consents enter the window and expire without any job."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

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

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
DAGE = 30
CITIZENS = 2
# recipients: 0 = unit 0 (the reader's), 1 = unit 1 (not theirs), 2 = the authority,
# 3 = the reader by name, 4 = another member of staff by name
RECIPIENTS = 5

step = st.one_of(
    st.tuples(st.just("give"), st.integers(0, CITIZENS - 1), st.integers(0, RECIPIENTS - 1),
              st.integers(1, 90)),
    st.tuples(st.just("narrow"), st.integers(0, 5)),
    st.tuples(st.just("revoke"), st.integers(0, 5)),
    st.tuples(st.just("block"), st.integers(0, CITIZENS - 1), st.sampled_from([0, 1, 2, 3]),
              st.integers(1, 90)),
    st.tuples(st.just("clock"), st.integers(1, 40)),
)  # fmt: skip


@dataclass
class Consent:
    db: object
    citizen: int
    recipient: int
    til: datetime.datetime
    permit: bool = True
    revoked: bool = False


def reference(consents: list[Consent], now: datetime.datetime) -> set:
    """The rule in plain Python: in force, addressed to the reader (unit 0, the authority
    or them by name), ending within DAGE days, and the citizen has not blocked them."""

    def in_force(c: Consent) -> bool:
        return not c.revoked and now < c.til

    def to_reader(c: Consent) -> bool:
        return c.recipient in (0, 2, 3)

    blocked = {c.citizen for c in consents if not c.permit and in_force(c) and to_reader(c)}
    return {
        c.db.pk
        for c in consents
        if c.permit and in_force(c) and to_reader(c) and c.citizen not in blocked
        and c.til <= now + datetime.timedelta(days=DAGE)
    }  # fmt: skip


@settings(
    max_examples=hypotese.eksempler(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=3, max_size=15))
def test_expiring_consents_equal_the_reference(kodesystemer, monkeypatch, steps):
    clock = FakeClock(START)
    monkeypatch.setattr("datadeling.core.clock.now", clock)
    with transaction.atomic():
        kommune = Myndighed.objects.create(navn="K", type="kommune", kommunekode="997")
        units = [Enhed.objects.create(myndighed=kommune, navn=f"Enhed {i}") for i in range(2)]
        staff = []
        for i in range(2):
            user = get_user_model().objects.create_user(f"u{i}")
            staff.append(Medarbejder.objects.create(user=user, myndighed=kommune, navn=f"M{i}"))
            Funktion.objects.create(
                medarbejder=staff[i], enhed=units[i], rolle="sagsbehandler",
                gyldig_fra=START.date() - datetime.timedelta(days=1),
            )  # fmt: skip
        citizens = [
            Borger.objects.create(cpr=f"010180{1000 + i}", fornavn="B", efternavn=str(i))
            for i in range(CITIZENS)
        ]
        kategori = Klasse.objects.get(pk=k.FFB_TILSTANDE)
        modtagere = [units[0], units[1], kommune, staff[0], staff[1]]
        consents: list[Consent] = []

        for s in steps:
            kind = s[0]
            if kind == "give":
                _, citizen, recipient, days = s
                til = clock() + datetime.timedelta(days=days)
                db = services.samtykke_give(
                    actor=None, borger=citizens[citizen], modtager=modtagere[recipient],
                    kategorier=[kategori], kilder=[units[1]], formaal="Koordinering",
                    gyldig_til=til,
                )  # fmt: skip
                consents.append(Consent(db, citizen, recipient, til))
            elif kind in ("narrow", "revoke") and consents:
                c = consents[s[1] % len(consents)]
                if c.revoked or not c.permit or clock() >= c.til:
                    continue
                if kind == "revoke":
                    c.db = services.samtykke_revoke(actor=None, samtykke=c.db)
                    c.revoked = True
                else:  # shorter: a new version of the chain, the old one out of force
                    til = clock() + (c.til - clock()) / 2
                    if til - clock() < datetime.timedelta(hours=1):
                        continue
                    c.db = services.samtykke_narrow(actor=None, samtykke=c.db, gyldig_til=til)
                    c.til = til
            elif kind == "block":
                _, citizen, recipient, days = s
                til = clock() + datetime.timedelta(days=days)
                db = services.samtykke_give(
                    actor=None, borger=citizens[citizen], modtager=modtagere[recipient],
                    beslutning=Beslutning.AFVIS, gyldig_til=til,
                )  # fmt: skip
                consents.append(Consent(db, citizen, recipient, til, permit=False))
            elif kind == "clock":
                clock.advance(days=s[1])

            aktoer = aktoer_for(staff[0].user)
            now = clock()
            got = set(policy.samtykker_udloeber(aktoer, now, DAGE).values_list("pk", flat=True))
            assert got == reference(consents, now), s
        transaction.set_rollback(True)
