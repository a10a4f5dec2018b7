"""Property: the coverage rule says the same in SQL and in Python.

On random code-system trees, citizens, units, conditions and interventions (active or
not) and random consents (citizen, sources, categories anywhere in the tree, profession),
the objects `daekker_q` selects in the database are exactly those for which `daekker` is
true, and the consents `fag_q` lets through are exactly those `aaben_for` opens.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indsats.models import Indsats
from klassifikation.models import Klasse, Klassifikation
from organisation.models import Borger, Enhed, Myndighed
from samtykke.models import Beslutning, Samtykke
from samtykke.policy import aaben_for, daekker, daekker_q, fag_q, typer
from tilstand.models import Tilstand

pytestmark = pytest.mark.django_db

NU = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
MAKS_KLASSER = 7
UNITS = 3
CITIZENS = 2
UKENDT = uuid.UUID(int=1)  # a category or source that names nothing in the database


def _klasser(parents: list[int | None]) -> list[Klasse]:
    """Create one code system whose class i has parent `parents[i]` (an earlier class)."""
    system = Klassifikation.objects.create(
        uri=f"urn:test:{uuid.uuid4()}", navn="Test", titel="Testsystem"
    )
    klasser: list[Klasse] = []
    for i, p in enumerate(parents):
        over = klasser[p] if p is not None else None
        klasser.append(
            Klasse.objects.create(
                klassifikation=system, kode=f"k{i}", titel=f"Klasse {i}", overordnet=over,
                sti=[*over.sti, over.pk] if over else [], niveau=len(over.sti) + 1 if over else 0,
            )
        )  # fmt: skip
    return klasser


def _objekter(model, raekker, borgere, enheder, klasser) -> list:
    faelles = {"vurderet": NU, "virkning_fra": NU, "livscykluskode": "Importeret"}
    if model is Tilstand:
        faelles["status"] = "aktiv"
    else:
        faelles["startdato"] = NU.date()
    return model.objects.bulk_create(
        model(
            id=uuid.uuid4(), borger=borgere[b], ansvarlig_enhed=enheder[e],
            type=klasser[k % len(klasser)], aktiv=aktiv, **faelles,
        )
        for b, e, k, aktiv in raekker
    )  # fmt: skip


objekt = st.tuples(
    st.integers(0, CITIZENS - 1),  # citizen
    st.integers(0, UNITS - 1),  # responsible unit
    st.integers(0, MAKS_KLASSER - 1),  # type (modulo the number of classes)
    st.booleans(),  # active
)
samtykke = st.tuples(
    st.integers(0, CITIZENS - 1),
    st.sets(st.one_of(st.integers(0, UNITS - 1), st.none()), max_size=UNITS + 1),  # kilder
    st.sets(st.one_of(st.integers(0, MAKS_KLASSER - 1), st.none()), max_size=4),  # kategorier
    st.one_of(st.none(), st.integers(0, MAKS_KLASSER - 1)),  # profession (a class)
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    parents=st.integers(1, MAKS_KLASSER).flatmap(
        lambda n: st.tuples(*(st.one_of(st.none(), st.integers(0, i - 1)) if i else st.none()
                              for i in range(n)))
    ),
    tilstande=st.lists(objekt, max_size=12),
    indsatser=st.lists(objekt, max_size=6),
    samtykker=st.lists(samtykke, min_size=1, max_size=4),
    laeser=st.one_of(st.none(), st.integers(0, MAKS_KLASSER - 1)),
    ogsaa_passive=st.booleans(),
)  # fmt: skip
def test_daekker_q_and_daekker_agree(
    parents, tilstande, indsatser, samtykker, laeser, ogsaa_passive
):
    with transaction.atomic():
        klasser = _klasser(list(parents))
        kommune = Myndighed.objects.create(navn="K", type="kommune", kommunekode="995")
        enheder = [Enhed.objects.create(myndighed=kommune, navn=f"Enhed {i}") for i in range(UNITS)]
        borgere = [
            Borger.objects.create(cpr=f"030390{1000 + i}", fornavn="B", efternavn=str(i))
            for i in range(CITIZENS)
        ]
        data = {
            Tilstand: _objekter(Tilstand, tilstande, borgere, enheder, klasser),
            Indsats: _objekter(Indsats, indsatser, borgere, enheder, klasser),
        }
        for b, kilder, kategorier, fag in samtykker:
            s = Samtykke(
                borger=borgere[b],
                kilder=[UKENDT if e is None else enheder[e].pk for e in kilder],
                kategorier=[
                    UKENDT if k is None else klasser[k % len(klasser)].pk for k in kategorier
                ],
                faglighed=None if fag is None else klasser[fag % len(klasser)],
            )  # fmt: skip
            for model, objekter in data.items():
                typer_af = typer({o.type_id for o in objekter})
                i_sql = set(
                    model.objects.filter(daekker_q(s, ogsaa_passive=ogsaa_passive))
                    .values_list("pk", flat=True)
                )  # fmt: skip
                i_python = {
                    o.pk for o in objekter
                    if daekker(s, o, typer_af[o.type_id], ogsaa_passive=ogsaa_passive)
                }  # fmt: skip
                assert i_sql == i_python, (model.__name__, b, kilder, kategorier)

        # the profession part: consents saved for real, filtered in SQL and in Python
        gemte = [
            Samtykke.objects.create(
                kaede=uuid.uuid4(), borger=borgere[b], givet_af=borgere[b],
                modtager_enhed=enheder[0], kategorier=[klasser[0].pk], kilder=[enheder[0].pk],
                faglighed=None if fag is None else klasser[fag % len(klasser)],
                formaal="Test", gyldig_fra=NU, gyldig_til=NU + datetime.timedelta(days=1),
                beslutning=Beslutning.TILLAD, tekst="Test", tekst_version="1", oprettet=NU,
            )
            for b, _kilder, _kategorier, fag in samtykker
        ]  # fmt: skip
        laeser_id = None if laeser is None else klasser[laeser % len(klasser)].pk
        i_sql = set(
            Samtykke.objects.filter(pk__in=[s.pk for s in gemte])
            .filter(fag_q(laeser_id, prefix=""))
            .values_list("pk", flat=True)
        )
        assert i_sql == {s.pk for s in gemte if aaben_for(s, laeser_id)}
        transaction.set_rollback(True)
