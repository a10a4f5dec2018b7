"""Benchmark: the conversation page at many messages, and how fast messages are written.

    .venv/bin/python benchmarks/dialog.py [--n 1000] [--repeat 15] [--skriv 200] [--runder 5]

Builds, in a throwaway database of its own (created and dropped again, never the demo
database), a citizen, the home care unit that works with them (a condition of theirs), a
caseworker there and a unit of another authority taking part by a consent that includes the
dialogue; one conversation with N messages written through `dialog.services.besked_write`
(half by the caseworker, half by the citizen). Then it

- renders the caseworker's conversation page (the newest 50 messages, the participants,
  "seen by", the access-log entry and the reading position) `--repeat` times with Django's
  test client, and prints the median and 95th percentile server time and the queries;
- writes `--skriv` messages `--runder` times through the service and prints the median rate
  (messages per second) over the rounds; then the same as the view writes (the actor
  looked up once per request and handed to the service with `aktoer=`).

This is a measurement, not a test: it prints figures and fails only if the page does.
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

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "bench_datadeling_dialog")
KODESYSTEMER = ("CodeSystem-FSIII.json", "CodeSystem-CareSocialCodes.json")


def _argumenter() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="messages in the conversation")
    parser.add_argument("--repeat", type=int, default=15, help="page renderings to time")
    parser.add_argument("--skriv", type=int, default=200, help="messages written per round")
    parser.add_argument("--runder", type=int, default=5, help="rounds of writing")
    parser.add_argument("--json", help="write the figures to this file (benchmarks/alle.py)")
    return parser.parse_args()


def _byg(n: int):
    """Create the setting and one conversation with n messages; return who and what."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from dialog.models import SamtaleType
    from dialog.services import besked_write, samtale_create
    from klassifikation import kendte as k
    from klassifikation.importer import klassifikation_import
    from klassifikation.models import Klasse
    from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed
    from samtykke.services import samtykke_give
    from tilstand.services import tilstand_register

    data = settings.BASE_DIR / "klassifikation" / "data"
    klassifikation_import(stier=[data / navn for navn in KODESYSTEMER])
    User = get_user_model()
    kommune = Myndighed.objects.create(navn="Benchmark Kommune", type="kommune", kommunekode="997")
    region = Myndighed.objects.create(navn="Benchmark Region", type="region", cvr="29190925")
    hjemmepleje = Enhed.objects.create(myndighed=kommune, navn="Hjemmepleje")
    psykiatri = Enhed.objects.create(myndighed=region, navn="Psykiatrien")
    user = User.objects.create_user("bench")
    medarbejder = Medarbejder.objects.create(user=user, myndighed=kommune, navn="Bente Bench")
    Funktion.objects.create(medarbejder=medarbejder, enhed=hjemmepleje, rolle="sagsbehandler")
    borger_user = User.objects.create_user("borger")
    borger = Borger.objects.create(
        cpr="0101501234", fornavn="Else", efternavn="Jensen", user=borger_user
    )
    type_ = (
        Klasse.objects.filter(
            sti__contains=[k.FSIII_FUNKTIONSEVNETILSTANDE[0]], underordnede__isnull=True
        )
        .order_by("kode")
        .first()
    )
    tilstand_register(
        actor=user, borger=borger, data={"type": type_, "ansvarlig_enhed": hjemmepleje}
    )
    samtykke_give(
        actor=None, borger=borger, modtager=psykiatri, kategorier=[], kilder=[hjemmepleje],
        formaal="Dialog om behandlingen", dialog=True,
    )  # fmt: skip
    samtale = samtale_create(
        borger=borger, type=SamtaleType.MED_BORGEREN, emne="Benchmark", actor=user,
        enhed=hjemmepleje, deltagere=[psykiatri],
    )  # fmt: skip
    for i in range(n):
        besked_write(
            samtale=samtale,
            actor=user if i % 2 else borger_user,
            tekst=f"Besked {i + 1}: hvordan går det med søvnen og medicinen i denne uge?",
        )
    return user, borger, samtale


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
    # Not setup_test_environment(): its template instrumentation would be timed too.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    gammelt_navn = connection.settings_dict["NAME"]
    print(f"Opretter en midlertidig database ({DATABASE_NAME}) …", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from dialog.services import besked_write

        t0 = time.perf_counter()
        user, borger, samtale = _byg(args.n)
        print(f"Skrev {args.n} beskeder på {time.perf_counter() - t0:.1f} s.", flush=True)

        client = Client()
        client.force_login(user)
        side = reverse("overblik:samtale", kwargs={"pk": borger.pk, "samtale": samtale.pk})
        client.get(side)  # warm up: templates compiled, connection open
        with CaptureQueriesContext(connection) as forespoergsler:
            response = client.get(side)
        antal = len(forespoergsler.captured_queries)
        assert response.status_code == 200, response.status_code
        assert response.content.decode().count('class="besked-kort') == 50
        tider = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(side)
            tider.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        tider.sort()
        p95 = (
            statistics.quantiles(tider, n=20, method="inclusive")[-1]
            if len(tider) > 1
            else tider[0]
        )

        from organisation.selectors import aktoer_for

        rater, rater_aktoer = [], []
        for runde in range(args.runder):
            start = time.perf_counter()
            for i in range(args.skriv):
                besked_write(samtale=samtale, actor=user, tekst=f"Runde {runde}, besked {i}")
            rater.append(args.skriv / (time.perf_counter() - start))
            # as the view writes: the actor read once for the request and handed over
            start = time.perf_counter()
            for i in range(args.skriv):
                besked_write(
                    samtale=samtale, actor=user, aktoer=aktoer_for(user), tekst=f"Visning {i}"
                )
            rater_aktoer.append(args.skriv / (time.perf_counter() - start))
        print(
            f"Samtaleside med {args.n} beskeder (viser de nyeste 50), {args.repeat} visninger:\n"
            f"  median {statistics.median(tider):.1f} ms, p95 {p95:.1f} ms, "
            f"min {tider[0]:.1f} ms, max {tider[-1]:.1f} ms, "
            f"{antal} databaseforespørgsler pr. visning\n"
            f"Beskeder skrevet gennem besked_write, {args.runder} runder à {args.skriv}:\n"
            f"  median {statistics.median(rater):.0f} beskeder/s "
            f"(min {min(rater):.0f}, max {max(rater):.0f})"
        )
        print(
            f"  som visningen (aktoer slået op én gang pr. forespørgsel og givet med): median "
            f"{statistics.median(rater_aktoer):.0f} beskeder/s "
            f"(min {min(rater_aktoer):.0f}, max {max(rater_aktoer):.0f})"
        )
        gem(
            args.json,
            "dialog",
            {
                "side_median_ms": statistics.median(tider),
                "side_p95_ms": p95,
                "side_forespoergsler": antal,
                "skriv_pr_s": statistics.median(rater),
                "skriv_som_visning_pr_s": statistics.median(rater_aktoer),
            },
        )
    finally:
        connection.creation.destroy_test_db(gammelt_navn, verbosity=0)


if __name__ == "__main__":
    main()
