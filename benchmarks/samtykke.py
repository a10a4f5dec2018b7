"""Benchmark: the access policy and the access log at scale.

    .venv/bin/python benchmarks/samtykke.py [--objekter 100000] [--repeat 15] [--lister 30]
        [--plan] [--json PATH]

In a throwaway database of its own (created and dropped again), prints:
1. the time to give a consent that covers 1,000 existing objects of one citizen (grant
   rows included), median of --repeat consents;
2. the query count and median time for one caseworker to list what they may see among
   --objekter objects (count plus the first page of 50), when some citizens have
   consented to the caseworker's unit and a few legal-basis accesses exist;
3. access-log entries written per second (one transaction each, chained per citizen).

The objects are written with COPY, and the tables are VACUUM ANALYZEd before anything is
timed, as autovacuum would have done by then on a server (without statistics the planner
misjudges every query). --plan prints EXPLAIN (ANALYZE, BUFFERS) of the two list queries;
--json writes the figures for benchmarks/alle.py.

This is a measurement, not a test: it prints figures and fails only if the code does.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._resultat import gem, p95  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datadeling.settings")

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "bench_datadeling_samtykke")
KODESYSTEMER = (
    "CodeSystem-FSIII.json",
    "CodeSystem-FFB.json",
    "CodeSystem-CareSocialCodes.json",
    "CodeSystem-Datadeling-Adgangshjemmel.json",
)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _kopier(model, objekter) -> None:
    """Insert unsaved model instances with COPY, values prepared by the model's fields."""
    from django.db import connection

    felter = model._meta.concrete_fields
    tabel = connection.ops.quote_name(model._meta.db_table)
    kolonner = ", ".join(connection.ops.quote_name(f.column) for f in felter)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {tabel} ({kolonner}) FROM STDIN") as copy,
    ):
        for o in objekter:
            copy.write_row([f.get_db_prep_save(f.pre_save(o, True), connection) for f in felter])


def _byg(n_objekter: int, rng: random.Random):
    """Create 10 units, 1,000 citizens and n objects spread over them (bulk, current state)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from datadeling.core import clock
    from klassifikation import kendte as k
    from klassifikation.importer import klassifikation_import
    from klassifikation.models import Klasse
    from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed
    from tilstand.models import Tilstand

    data = settings.BASE_DIR / "klassifikation" / "data"
    klassifikation_import(stier=[data / navn for navn in KODESYSTEMER])
    kommune = Myndighed.objects.create(navn="Benchmark Kommune", type="kommune", kommunekode="996")
    enheder = [Enhed.objects.create(myndighed=kommune, navn=f"Enhed {i}") for i in range(10)]
    user = get_user_model().objects.create_user("bench")
    medarbejder = Medarbejder.objects.create(user=user, myndighed=kommune, navn="Bente Bench")
    Funktion.objects.create(
        medarbejder=medarbejder, enhed=enheder[0], rolle="sagsbehandler",
        gyldig_fra=datetime.date(2020, 1, 1),
    )  # fmt: skip
    borgere = Borger.objects.bulk_create(
        Borger(cpr=f"{(i % 28) + 1:02d}0185{1000 + i:04d}", fornavn="B", efternavn=str(i))
        for i in range(1000)
    )
    typer = list(
        Klasse.objects.filter(
            sti__overlap=[k.FFB_TILSTANDE, *k.FSIII_FUNKTIONSEVNETILSTANDE],
            underordnede__isnull=True,
        ).values_list("pk", flat=True)
    )
    now = clock.now()
    _kopier(
        Tilstand,
        (
            Tilstand(
                id=uuid.uuid4(), borger=borgere[rng.randrange(1000)],
                ansvarlig_enhed=enheder[rng.randrange(10)], type_id=rng.choice(typer),
                vurderet=now, virkning_fra=now, livscykluskode="Importeret", aktiv=True,
                status="aktiv",
            )
            for _ in range(n_objekter)
        ),
    )  # fmt: skip
    return user, enheder, borgere, typer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objekter", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--log", type=int, default=2000, help="access-log entries to write")
    parser.add_argument("--lister", type=int, default=30, help="timed listings (median, p95)")
    parser.add_argument("--plan", action="store_true", help="print the list queries' plans")
    parser.add_argument("--json", help="write the figures to this file (benchmarks/alle.py)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = DATABASE_NAME
    gammelt_navn = connection.settings_dict["NAME"]
    print(f"Opretter en midlertidig database ({DATABASE_NAME}) …", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from klassifikation import kendte as k
        from klassifikation.models import Klasse
        from organisation.selectors import aktoer_for
        from samtykke import policy, services
        from samtykke.adgangslog import adgangslog_write
        from samtykke.models import Grundlag
        from tilstand.models import Tilstand

        rng = random.Random(1)
        t0 = time.perf_counter()
        user, enheder, borgere, typer = _byg(args.objekter, rng)
        print(f"Byggede {args.objekter} objekter på {time.perf_counter() - t0:.1f} s", flush=True)
        rod = Klasse.objects.get(pk=k.FFB_TILSTANDE)
        rod2 = Klasse.objects.get(pk=k.FSIII_FUNKTIONSEVNETILSTANDE[0])

        # 1. a consent covering 1,000 existing objects of one citizen
        from django.utils import timezone

        tider = []
        for r in range(args.repeat):
            borger = borgere[r]
            Tilstand.objects.bulk_create(
                Tilstand(
                    id=uuid.uuid4(), borger=borger, ansvarlig_enhed=enheder[1],
                    type_id=typer[i % len(typer)], vurderet=timezone.now(),
                    virkning_fra=timezone.now(), livscykluskode="Importeret", status="aktiv",
                )
                for i in range(1000)
            )  # fmt: skip
            start = time.perf_counter()
            with transaction.atomic():
                services.samtykke_give(
                    actor=None, borger=borger, modtager=enheder[0], kategorier=[rod, rod2],
                    kilder=[enheder[1]], formaal="Benchmark",
                )  # fmt: skip
            tider.append(time.perf_counter() - start)
        dækket = Tilstand.objects.filter(borger=borgere[0], ansvarlig_enhed=enheder[1]).count()
        samtykke_tider = tider
        print(
            f"1. Giv samtykke der dækker {dækket} objekter: median {_ms(statistics.median(tider))}"
            f" (min {_ms(min(tider))}, max {_ms(max(tider))}, {args.repeat} gange)"
        )

        # some more consents from other citizens, and legal-basis accesses
        for b in borgere[100:300]:
            services.samtykke_give(
                actor=None, borger=b, modtager=enheder[0], kategorier=[rod],
                kilder=[enheder[rng.randrange(1, 10)]], formaal="Benchmark",
            )  # fmt: skip
        lov = Klasse.objects.filter(klassifikation__uri=k.ADGANGSHJEMMEL_URI).first()
        for b in borgere[300:305]:
            services.hjemmel_register(
                actor=user, borger=b, medarbejder=user.medarbejder, enhed=enheder[0],
                lovgrundlag=lov, begrundelse="Benchmark", dage=5,
            )  # fmt: skip
        total = Tilstand.objects.count()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

        def liste():
            aktoer = aktoer_for(user)
            qs = policy.tilstande_synlige(aktoer)
            return qs.count(), list(qs.select_related("type").order_by("-vurderet", "pk")[:50])

        # 2. list what one caseworker may see
        liste()  # the first warms caches
        tider, antal, synlige = [], 0, 0
        for _ in range(args.lister):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as q:
                synlige, side = liste()
            tider.append(time.perf_counter() - start)
            antal = len(q.captured_queries)
        liste_median, liste_p95 = statistics.median(tider), p95(tider)
        print(
            f"2. Liste over hvad én sagsbehandler må se blandt {total} objekter: {synlige} synlige,"
            f" første side {len(side)}; {antal} forespørgsler; median"
            f" {_ms(liste_median)}, p95 {_ms(liste_p95)} ({args.lister} gange)"
        )
        if args.plan:
            for sql in [x["sql"] for x in q.captured_queries][-2:]:
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                    print("\n".join(r[0] for r in cursor.fetchall()))

        # 3. access-log entries per second
        aktoer = aktoer_for(user)
        objekter = [("tilstand", uuid.uuid4())]
        start = time.perf_counter()
        for i in range(args.log):
            with transaction.atomic():
                adgangslog_write(
                    aktoer=aktoer, user=user, borger=borgere[i % 50], hvad="Overblik",
                    grundlag=Grundlag.EGEN_ENHED, objekter=objekter,
                )  # fmt: skip
        sekunder = time.perf_counter() - start
        print(
            f"3. Adgangslog: {args.log} poster på {sekunder:.2f} s ="
            f" {args.log / sekunder:.0f} poster/s (én transaktion pr. post)"
        )
        gem(
            args.json,
            "samtykke",
            {
                "objekter": total,
                "samtykke_give_median_ms": statistics.median(samtykke_tider) * 1000,
                "liste_median_ms": liste_median * 1000,
                "liste_p95_ms": liste_p95 * 1000,
                "liste_forespoergsler": antal,
                "liste_synlige": synlige,
                "adgangslog_poster_pr_s": args.log / sekunder,
            },
        )
    finally:
        connection.creation.destroy_test_db(gammelt_navn, verbosity=0)


if __name__ == "__main__":
    main()
