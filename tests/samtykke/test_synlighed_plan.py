"""The planner answers "what may this caseworker see" through indexes on a large table.

What makes the visible-set query fast is its shape and its indexes, not a timing: the staff
rule is three branches an index can each answer (own unit; grant rows in force, by primary
key; legal bases, by citizen), which PostgreSQL ORs as a BitmapOr of index scans, and the
first page in the usual order walks `tilstand_aktuel_vurderet` and stops after a page. The
old shape (a correlated EXISTS per branch) made every current object of every citizen a
row to test: a sequential scan of the whole table (docs/ydelse.md). With 20,000 objects
and fresh statistics these tests fail on that shape.
"""

from __future__ import annotations

import datetime
import json
import random
import uuid

import pytest
from django.db import connection

from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Borger, Enhed
from organisation.selectors import aktoer_for
from samtykke import policy, services
from tilstand.models import Tilstand

pytestmark = pytest.mark.django_db

OBJEKTER = 20_000
ENHEDER = 20
BORGERE = 500
TABEL = Tilstand._meta.db_table


def _noder(plan: dict):
    yield plan
    for under in plan.get("Plans", []):
        yield from _noder(under)


def _plan(qs) -> list[dict]:
    """Return the nodes of the plan PostgreSQL chooses for the queryset (no execution)."""
    return list(_noder(json.loads(qs.explain(format="json"))[0]["Plan"]))


def _scanninger(noder: list[dict]) -> list[tuple[str, str | None]]:
    """Return (node type, index) of every scan of the big table."""
    return [(n["Node Type"], n.get("Index Name")) for n in noder if n.get("Relation Name") == TABEL]


@pytest.fixture
def stort(grundlag):
    """20,000 current conditions of 500 citizens in 20 units; the caseworker's unit holds a
    twentieth, consents from 30 citizens grant them more, and a legal basis one citizen."""
    g = grundlag
    rng = random.Random(15)
    enheder = [g.enhed, g.anden_enhed] + [
        Enhed.objects.create(myndighed=g.myndighed, navn=f"Enhed {i}") for i in range(ENHEDER - 2)
    ]
    borgere = Borger.objects.bulk_create(
        Borger(cpr=f"{(i % 28) + 1:02d}0190{2000 + i:04d}", fornavn="B", efternavn=str(i))
        for i in range(BORGERE)
    )
    nu = datetime.datetime.now(datetime.UTC)
    Tilstand.objects.bulk_create(
        (
            Tilstand(
                id=uuid.uuid4(), borger=borgere[rng.randrange(BORGERE)],
                ansvarlig_enhed=enheder[rng.randrange(ENHEDER)], type=g.type,
                vurderet=nu - datetime.timedelta(minutes=rng.randrange(100_000)),
                virkning_fra=nu, livscykluskode="Importeret", aktiv=True, status="aktiv",
            )
            for _ in range(OBJEKTER)
        ),
        batch_size=5000,
    )  # fmt: skip
    kategori = Klasse.objects.get(pk=k.FSIII_FUNKTIONSEVNETILSTANDE[0])
    for b in borgere[:30]:
        services.samtykke_give(
            actor=None, borger=b, modtager=g.enhed, kategorier=[kategori],
            kilder=[g.anden_enhed, enheder[2]], formaal="Planen",
        )  # fmt: skip
    lov = Klasse.objects.filter(klassifikation__uri=k.ADGANGSHJEMMEL_URI).first()
    services.hjemmel_register(
        actor=g.user, borger=borgere[40], medarbejder=g.medarbejder, enhed=g.enhed,
        lovgrundlag=lov, begrundelse="Planen", dage=5,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    g.aktoer = aktoer_for(g.user)
    return g


def test_count_of_the_visible_set_ors_index_scans_not_a_scan_of_the_table(stort):
    qs = policy.tilstande_synlige(stort.aktoer)
    assert qs.count() > OBJEKTER // ENHEDER  # own unit, and more through consents
    noder = _plan(qs.values("pk"))
    scanninger = _scanninger(noder)
    assert ("Seq Scan", None) not in scanninger, scanninger
    assert scanninger == [("Bitmap Heap Scan", None)], scanninger
    indekser = {n.get("Index Name") for n in noder if n["Node Type"] == "Bitmap Index Scan"}
    assert any(n["Node Type"] == "BitmapOr" for n in noder), indekser
    # the consent branch finds its objects through the primary key, not row by row
    assert f"{TABEL}_pkey" in indekser, indekser


def test_first_page_walks_the_visibility_index(stort):
    qs = policy.tilstande_synlige(stort.aktoer).order_by("-vurderet", "pk")[:50]
    assert len(list(qs)) == 50
    scanninger = _scanninger(_plan(qs))
    assert scanninger == [("Index Scan", "tilstand_aktuel_vurderet")], scanninger


def test_one_citizens_visible_data_is_found_by_citizen(stort):
    borger = Borger.objects.filter(cpr__startswith="010190").first()
    scanninger = _scanninger(_plan(policy.tilstande_synlige(stort.aktoer, borger.pk)))
    assert ("Seq Scan", None) not in scanninger, scanninger


def test_no_jit_compilation():
    """A plan whose estimated cost passed jit_above_cost spent ~0.5 s compiling a query that
    runs in milliseconds: the connection turns JIT off (settings.DATABASES)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
