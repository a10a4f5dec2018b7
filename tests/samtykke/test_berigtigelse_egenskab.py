"""Property: the access rules of correction requests (samtykke.policy.berigtigelse) equal a
plain reference function, on random units (some ended), staff (functions current, expired
or in an ended unit), relations (type, scope, period) and requests (open or answered)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datadeling.core import clock
from datadeling.core.models import idag
from organisation.models import (
    Borger,
    Enhed,
    Funktion,
    Medarbejder,
    Myndighed,
    Omfang,
    Relation,
    RelationsType,
)
from organisation.selectors import aktoer_for
from samtykke import policy
from samtykke.berigtigelse import services
from tests import hypotese
from tilstand.services import tilstand_register

pytestmark = pytest.mark.django_db

UNITS = 3
STAFF = 3

verden = st.fixed_dictionaries(
    {
        # per unit: has it ended?
        "ended": st.lists(st.booleans(), min_size=UNITS, max_size=UNITS),
        # per staff member: (unit, function expired?) pairs
        "functions": st.lists(
            st.lists(st.tuples(st.integers(0, UNITS - 1), st.booleans()), max_size=3),
            min_size=STAFF, max_size=STAFF,
        ),
        # requests: (unit of the datum, answered?)
        "requests": st.lists(st.tuples(st.integers(0, UNITS - 1), st.booleans()), max_size=6),
        # relations to the citizen: (type, scope, starts in days, ends in days)
        "relations": st.lists(
            st.tuples(
                st.sampled_from(list(RelationsType)),
                st.sets(st.sampled_from(list(Omfang)), max_size=3),
                st.integers(-10, 2),
                st.integers(-2, 30),
            ),
            max_size=4,
        ),
    }
)  # fmt: skip


def reference_part(relation, today: datetime.date) -> bool:
    """A person speaks for the citizen about their data through a relation valid today that
    may act for them (værge or fuldmagt covering consent) and covers health, social or
    personal matters."""
    type_, omfang, fra, til = relation
    return (
        type_ in (RelationsType.VAERGE, RelationsType.FULDMAGT)
        and Omfang.SAMTYKKE in omfang
        and bool(omfang & {Omfang.HELBRED, Omfang.SOCIALE, Omfang.PERSONLIGE})
        and fra <= 0 < til
    )


def reference_units(functions, ended) -> set[int]:
    """The units a member of staff works in today: current functions in current units."""
    return {u for u, expired in functions if not expired and not ended[u]}


@settings(
    max_examples=hypotese.eksempler(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(w=verden)
def test_correction_rules_equal_the_reference(grundlag, w):
    g = grundlag
    today = idag()
    User = get_user_model()
    with transaction.atomic():
        kommune = Myndighed.objects.create(navn="Egenskab", type="kommune", kommunekode="996")
        units = [Enhed.objects.create(myndighed=kommune, navn=f"E{i}") for i in range(UNITS)]
        # one owner per unit answers requests (works there until the unit ends)
        ejere = []
        for i, e in enumerate(units):
            m = Medarbejder.objects.create(
                user=User.objects.create_user(f"ejer{i}"), myndighed=kommune, navn=f"Ejer {i}"
            )
            Funktion.objects.create(medarbejder=m, enhed=e, rolle="sagsbehandler")
            ejere.append(m.user)
        data = [
            tilstand_register(
                actor=None, borger=g.borger, data={"type": g.type, "ansvarlig_enhed": e}
            )
            for e in units
        ]
        requests = []
        for unit, answered in w["requests"]:
            b = services.berigtigelse_create(
                actor=None, datum=data[unit], indsendt_af=g.borger, hvad_er_forkert="x"
            )
            if answered:
                services.berigtigelse_decline(actor=ejere[unit], berigtigelse=b, begrundelse="n")
            requests.append((b.pk, unit, answered))
        for i, ended in enumerate(w["ended"]):
            if ended:
                Enhed.objects.filter(pk=units[i].pk).update(
                    gyldig_fra=today - datetime.timedelta(days=30),
                    gyldig_til=today - datetime.timedelta(days=1),
                )
        staff = []
        for i, functions in enumerate(w["functions"]):
            m = Medarbejder.objects.create(
                user=User.objects.create_user(f"ansat{i}"), myndighed=kommune, navn=f"A {i}"
            )
            for unit, expired in functions:
                Funktion.objects.create(
                    medarbejder=m, enhed=units[unit], rolle="sagsbehandler",
                    gyldig_fra=today - datetime.timedelta(days=20),
                    gyldig_til=today - datetime.timedelta(days=1) if expired else None,
                )  # fmt: skip
            staff.append(m.user)

        for user, functions in zip(staff, w["functions"], strict=True):
            aktoer = aktoer_for(user)
            mine = reference_units(functions, w["ended"])
            assert set(policy.berigtigelser_for_enheder(aktoer).values_list("pk", flat=True)) == {
                pk for pk, unit, _ in requests if unit in mine
            }
            assert set(policy.berigtigelser_til(aktoer).values_list("pk", flat=True)) == {
                pk for pk, unit, answered in requests if unit in mine and not answered
            }
            for unit, datum in enumerate(data):
                assert policy.kan_besvare(aktoer, datum) == (unit in mine)

        now = clock.now()
        assert policy.er_part(g.borger, g.borger, None, now)
        assert not policy.er_part(g.anden_borger, g.borger, None, now)
        for i, rel in enumerate(w["relations"]):
            type_, omfang, fra, til = rel
            if not omfang and type_ != RelationsType.PAAROERENDE:
                omfang = {Omfang.OEKONOMI}  # a værge or fuldmagt has a scope (a constraint)
            person = Borger.objects.create(cpr=f"05059{i}1234", fornavn="P", efternavn=str(i))
            relation = Relation.objects.create(
                borger=g.borger, person=person, type=type_, omfang=sorted(omfang),
                gyldig_fra=today + datetime.timedelta(days=fra),
                gyldig_til=today + datetime.timedelta(days=max(til, fra + 1)),
            )  # fmt: skip
            forventet = reference_part((type_, omfang, fra, max(til, fra + 1)), today)
            assert policy.er_part(person, g.borger, relation, now) == forventet
            assert (policy.part_relation(person, g.borger, now) is not None) == forventet
            # a relation names its own two people: nobody borrows it
            assert not policy.er_part(g.anden_borger, g.borger, relation, now)
        transaction.set_rollback(True)


def test_every_relation_speaks_for_the_citizen_exactly_as_the_reference(grundlag):
    """All types × every scope × periods before, around and after today (exhaustive)."""
    g = grundlag
    today = idag()
    now = clock.now()
    alle = list(Omfang)
    n = 0
    for type_ in RelationsType:
        for maske in range(1, 2 ** len(alle)):
            omfang = {o for i, o in enumerate(alle) if maske >> i & 1}
            for fra, til in ((-5, 5), (-5, 0), (1, 5)):
                n += 1
                person = Borger.objects.create(
                    cpr=f"{1000000 + n:07d}123"[-10:], fornavn="P", efternavn=str(n)
                )
                relation = Relation.objects.create(
                    borger=g.borger, person=person, type=type_, omfang=sorted(omfang),
                    gyldig_fra=today + datetime.timedelta(days=fra),
                    gyldig_til=today + datetime.timedelta(days=til),
                )  # fmt: skip
                forventet = reference_part((type_, omfang, fra, til), today)
                assert policy.er_part(person, g.borger, relation, now) == forventet, (
                    type_, omfang, fra, til,
                )  # fmt: skip
