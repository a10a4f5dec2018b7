"""Benchmark: how fast the caseworker's citizen page renders for a citizen with much data.

    .venv/bin/python benchmarks/citizen_page.py [--n 1000] [--repeat 15]

Builds, in a throwaway database of its own (created and dropped again, never the demo
database), one citizen with N/2 conditions (each reassessed once, so with history) and
N/2 interventions, all the responsibility of one unit; logs in a caseworker of that unit
with Django's test client; renders the citizen page `--repeat` times and prints the median
and 95th percentile time and the number of database queries of one rendering.

This is a measurement, not a test: it prints figures and fails only if the page does.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._resultat import gem  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datadeling.settings")

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "bench_datadeling_citizen_page")
KODESYSTEMER = (
    "CodeSystem-FSIII.json",
    "CodeSystem-FFB.json",
    "CodeSystem-CareSocialCodes.json",
    "CodeSystem-Datadeling-Lovgrundlag.json",
)


def _argumenter() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="conditions + interventions")
    parser.add_argument("--repeat", type=int, default=15, help="renderings to time")
    parser.add_argument(
        "--profile", action="store_true", help="also print where one rendering spends its time"
    )
    parser.add_argument("--json", help="write the figures to this file (benchmarks/alle.py)")
    return parser.parse_args()


def _importer_kodesystemer() -> None:
    from django.conf import settings

    from klassifikation import kendte as k
    from klassifikation.importer import klassifikation_import
    from klassifikation.models import Klasse

    if not Klasse.objects.filter(pk=k.FFB_TILSTANDE).exists():
        data = settings.BASE_DIR / "klassifikation" / "data"
        klassifikation_import(stier=[data / navn for navn in KODESYSTEMER])


def _byg(n: int):
    """Create the unit, the caseworker and the citizen with n/2 conditions, n/2 interventions."""
    from django.contrib.auth import get_user_model

    from datadeling.core import clock
    from indsats.services import indsats_register
    from klassifikation import kendte as k
    from klassifikation.models import Klasse
    from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed
    from tilstand.services import tilstand_reassess, tilstand_register

    def blade(*roedder):
        return list(
            Klasse.objects.filter(sti__overlap=list(roedder), underordnede__isnull=True)
            .exclude(status="retired")
            .order_by("kode")
        )

    def klasse(titel, rod):
        return Klasse.objects.filter(titel=titel, sti__contains=[rod]).order_by("kode").first()

    kommune = Myndighed.objects.create(navn="Benchmark Kommune", type="kommune", kommunekode="997")
    enhed = Enhed.objects.create(myndighed=kommune, navn="Hjemmepleje")
    leverandoer = Enhed.objects.create(myndighed=kommune, navn="Træning og Rehabilitering")
    user = get_user_model().objects.create_user("benchmark")
    medarbejder = Medarbejder.objects.create(user=user, myndighed=kommune, navn="Bente Bench")
    Funktion.objects.create(
        medarbejder=medarbejder,
        enhed=enhed,
        rolle="sagsbehandler",
        gyldig_fra=datetime.date(2020, 1, 1),
    )
    borger = Borger.objects.create(
        cpr="0101501234", fornavn="Else", efternavn="Jensen", adresse="Vestergade 12",
        postnummer="8000", by="Aarhus C",
    )  # fmt: skip

    fsiii_typer = blade(*k.FSIII_FUNKTIONSEVNETILSTANDE)
    ffb_typer = blade(k.FFB_AKTIVITET_OG_DELTAGELSE)
    fsiii_niveauer = [klasse(str(i), k.FSIII_FUNKTIONSEVNE_SKALA) for i in range(5)]
    ffb_niveauer = blade(k.FFB_FUNKTIONSEVNENIVEAU)
    kilde = klasse("Borger", k.CSC_KILDE)
    metode = klasse("funktionsevnevurdering hjemmepleje, FSIII", k.CSC_OPLYSNINGSAKTIVITET)
    ydelser = blade(k.FFB_YDELSE)
    sel85 = Klasse.objects.get(titel="SEL § 85", klassifikation__uri=k.LOVGRUNDLAG_URI)

    nu = clock.now()
    for i in range(n // 2):
        ffb = i % 3 == 2
        typer, niveauer = (ffb_typer, ffb_niveauer) if ffb else (fsiii_typer, fsiii_niveauer)
        start = nu - datetime.timedelta(days=400 - i % 300)
        t = tilstand_register(
            actor=user,
            borger=borger,
            virkning_fra=start,
            data={
                "type": typer[i % len(typer)],
                "niveau": niveauer[i % len(niveauer)],
                "ansvarlig_enhed": enhed,
                "ansvarlig": medarbejder,
                "kilde": kilde,
                "metode": None if ffb else metode,
                "vurderet": start,
                "borgerens_vurdering": "Jeg vil gerne klare mere selv.",
                "faglig_note": "Vurderet ved hjemmebesøg.",
            },
        )
        tilstand_reassess(
            actor=user,
            tilstand=t,
            aendringer={"niveau": niveauer[(i + 1) % len(niveauer)]},
            virkning_fra=start + datetime.timedelta(days=60),
        )
    for i in range(n - n // 2):
        indsats_register(
            actor=user,
            borger=borger,
            data={
                "type": ydelser[i % len(ydelser)],
                "lovgrundlag": sel85,
                "ansvarlig_enhed": enhed,
                "bevilgende_enhed": enhed,
                "leverende_enhed": leverandoer,
                "startdato": (nu - datetime.timedelta(days=i % 365)).date(),
            },
        )
    return user, borger


def main() -> None:
    args = _argumenter()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    connection.settings_dict["TEST"]["NAME"] = DATABASE_NAME
    # Not setup_test_environment(): its template instrumentation (a copy of the context
    # for every template rendered) would be timed too. The test client's host is allowed.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    gammelt_navn = connection.settings_dict["NAME"]
    print(f"Opretter en midlertidig database ({DATABASE_NAME}) …", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        _importer_kodesystemer()
        t0 = time.perf_counter()
        user, borger = _byg(args.n)
        print(
            f"Byggede {args.n // 2} tilstande og {args.n - args.n // 2} indsatser "
            f"på {time.perf_counter() - t0:.1f} s.",
            flush=True,
        )
        client = Client()
        client.force_login(user)
        side = reverse("overblik:borger", kwargs={"pk": borger.pk})

        client.get(side)  # warm up: templates compiled, connection open
        with CaptureQueriesContext(connection) as forespoergsler:
            response = client.get(side)
        # Read it now: every request empties the connection's query log.
        antal_forespoergsler = len(forespoergsler.captured_queries)
        assert response.status_code == 200, response.status_code
        kort = response.content.decode().count('<article class="tilstand-kort')
        assert kort == args.n // 2, f"siden viser {kort} tilstande, ikke {args.n // 2}"

        tider = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(side)
            tider.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        tider.sort()
        if args.profile:
            import cProfile
            import pstats

            profil = cProfile.Profile()
            profil.runcall(client.get, side)
            pstats.Stats(profil).sort_stats("cumulative").print_stats(
                "overblik|template/(base|loader_tags|defaulttags)|db/models/(query|sql/compiler)|psycopg/cursor",
                30,
            )
        p95 = (
            statistics.quantiles(tider, n=20, method="inclusive")[-1]
            if len(tider) > 1
            else tider[0]
        )
        print(
            f"Borgerside med {args.n // 2} tilstande og {args.n - args.n // 2} indsatser, "
            f"{args.repeat} visninger:\n"
            f"  median {statistics.median(tider):.1f} ms, p95 {p95:.1f} ms, "
            f"min {tider[0]:.1f} ms, max {tider[-1]:.1f} ms\n"
            f"  {antal_forespoergsler} databaseforespørgsler pr. visning, "
            f"{len(response.content) / 1024:.0f} KiB HTML"
        )
        gem(
            args.json,
            "citizen_page",
            {
                "median_ms": statistics.median(tider),
                "p95_ms": p95,
                "forespoergsler": antal_forespoergsler,
                "html_kib": len(response.content) / 1024,
            },
        )
    finally:
        connection.creation.destroy_test_db(gammelt_navn, verbosity=0)


if __name__ == "__main__":
    main()
