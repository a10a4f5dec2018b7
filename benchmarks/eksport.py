"""Benchmark: how fast the citizen's two downloads are built for a citizen with much data.

    .venv/bin/python benchmarks/eksport.py [--n 1000] [--repeat 9] [--samtaler 0 --beskeder 10]

Builds, in a throwaway database of its own (created and dropped again), the citizen of
benchmarks/citizen_page.py — N/2 conditions, each reassessed once, and N/2 interventions —
and with `--samtaler S` also S conversations with her of `--beskeder B` messages each
(every fifth edited once) and S among professionals; logs her in and downloads
`/mine-data/eksport.json` and `/mine-data/eksport.fhir.json` `--repeat` times each; prints
the median and the slowest time, the number of database queries and the size of one
download. Each download adds one entry to her access log, as in real use.

This is a measurement, not a test: it prints figures and fails only if a download does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._resultat import gem  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datadeling.settings")
os.environ.setdefault("BENCH_DATABASE_NAME", "bench_datadeling_eksport")

from citizen_page import DATABASE_NAME, _byg, _importer_kodesystemer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="conditions + interventions")
    parser.add_argument("--repeat", type=int, default=9, help="downloads of each kind to time")
    parser.add_argument("--samtaler", type=int, default=0, help="conversations with her")
    parser.add_argument("--beskeder", type=int, default=10, help="messages per conversation")
    parser.add_argument(
        "--profile", action="store_true", help="also print where one download spends its time"
    )
    parser.add_argument("--json", help="write the figures to this file (benchmarks/alle.py)")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    connection.settings_dict["TEST"]["NAME"] = DATABASE_NAME
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    gammelt_navn = connection.settings_dict["NAME"]
    print(f"Opretter en midlertidig database ({DATABASE_NAME}) …", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        _importer_kodesystemer()
        user, borger = _byg(args.n)
        borger.user = get_user_model().objects.create_user("borger-bench")
        borger.save()
        _samtaler(user, borger, args.samtaler, args.beskeder)
        figurer = {}
        client = Client()
        client.force_login(borger.user)
        for navn in ("eksport_json", "eksport_fhir"):
            url = reverse(f"overblik:{navn}")
            client.get(url)  # warm up
            with CaptureQueriesContext(connection) as forespoergsler:
                response = client.get(url)
            antal = len(forespoergsler.captured_queries)
            tider = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                response = client.get(url)
                tider.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
            if args.profile:
                import cProfile
                import pstats

                profil = cProfile.Profile()
                profil.runcall(client.get, url)
                pstats.Stats(profil).sort_stats("tottime").print_stats(12)
            print(
                f"{url} for {args.n // 2} tilstande og {args.n - args.n // 2} indsatser, "
                f"{args.samtaler}+{args.samtaler} samtaler à {args.beskeder} beskeder, "
                f"{args.repeat} downloads: median {statistics.median(tider):.0f} ms, "
                f"max {max(tider):.0f} ms, {antal} databaseforespørgsler, "
                f"{len(response.content) / 1024:.0f} KiB",
                flush=True,
            )
            figurer |= {
                f"{navn}_median_ms": statistics.median(tider),
                f"{navn}_forespoergsler": antal,
                f"{navn}_kib": len(response.content) / 1024,
            }
        gem(args.json, "eksport", figurer)
    finally:
        connection.creation.destroy_test_db(gammelt_navn, verbosity=0)


def _samtaler(user, borger, antal: int, beskeder: int) -> None:
    """Give the citizen `antal` conversations with her and `antal` among professionals."""
    from dialog import services
    from dialog.models import SamtaleType

    for i in range(antal):
        for type in (SamtaleType.MED_BORGEREN, SamtaleType.FAGLIG):
            s = services.samtale_create(actor=user, borger=borger, type=type, emne=f"Samtale {i}")
            for n in range(beskeder):
                b = services.besked_write(samtale=s, actor=user, tekst=f"Besked {n} " * 20)
                if n % 5 == 0:
                    services.besked_edit(besked=b, actor=user, tekst=f"Rettet {n} " * 20)


if __name__ == "__main__":
    main()
