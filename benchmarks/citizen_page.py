"""Benchmark: how fast the caseworker's citizen page and the citizen's Mine data render for a
citizen with much data.

    .venv/bin/python benchmarks/citizen_page.py [--n 20 1000] [--repeat 15] [--behold]

For each N, builds, in a throwaway database of its own (created and dropped again, never
the demo database; `--behold` keeps it, and reuses it on the next run), one citizen with
N/2 conditions (each reassessed once, so with history) and N/2 interventions, all the
responsibility of one unit; logs in a caseworker of that unit, and the citizen, with
Django's test client; renders the citizen page, a page of the conditions loaded on demand,
and Mine data `--repeat` times each and prints the median (p50) and 95th percentile time,
the number of database queries of one rendering and the size of its HTML. The time is
the server's: the test client calls the WSGI handler in-process (middleware, view,
template, the access-log entry), no network.

This is a measurement, not a test: it prints figures and fails only if the page does.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
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
    parser.add_argument(
        "--n", type=int, nargs="+", default=[20, 1000], help="conditions + interventions"
    )
    parser.add_argument(
        "--behold", action="store_true", help="keep the database(s) and reuse them next time"
    )
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
        user=get_user_model().objects.create_user("benchmark-borger"),
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


def _maal(client, adresse: str, repeat: int, profile: bool) -> dict:
    """Render `adresse` once to warm up, once counting queries, `repeat` times timed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(adresse)  # warm up: templates compiled, connection open
    with CaptureQueriesContext(connection) as forespoergsler:
        response = client.get(adresse)
    # Read it now: every request empties the connection's query log.
    antal = len(forespoergsler.captured_queries)
    assert response.status_code == 200, (adresse, response.status_code)
    tider = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(adresse)
        tider.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    tider.sort()
    if profile:
        import cProfile
        import pstats

        profil = cProfile.Profile()
        profil.runcall(client.get, adresse)
        pstats.Stats(profil).sort_stats("cumulative").print_stats(
            "overblik|samtykke|template/(base|loader_tags|defaulttags)|db/models/(query|sql/compiler)|psycopg/cursor",
            40,
        )
    p95 = statistics.quantiles(tider, n=20, method="inclusive")[-1] if len(tider) > 1 else tider[0]
    return {
        "p50": statistics.median(tider),
        "p95": p95,
        "min": tider[0],
        "max": tider[-1],
        "queries": antal,
        "kib": len(response.content) / 1024,
        "html": response.content.decode(),
    }


def _koer(n: int, args) -> list[tuple[str, dict]]:
    """Build (or reuse) the database for n items and measure the pages; return the figures."""
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from organisation.models import Borger

    navn = f"{DATABASE_NAME}_{n}"
    connection.settings_dict["TEST"]["NAME"] = navn
    gammelt_navn = connection.settings_dict["NAME"]
    print(f"Database {navn} …", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.behold)
    try:
        from django.contrib.auth import get_user_model

        if not Borger.objects.filter(cpr="0101501234").exists():
            _importer_kodesystemer()
            t0 = time.perf_counter()
            _byg(n)
            print(
                f"Byggede {n // 2} tilstande og {n - n // 2} indsatser "
                f"på {time.perf_counter() - t0:.1f} s.",
                flush=True,
            )
        user = get_user_model().objects.get(username="benchmark")
        borger = Borger.objects.select_related("user").get(cpr="0101501234")
        personale = Client()
        personale.force_login(user)
        borgeren = Client()
        borgeren.force_login(borger.user)
        side = reverse("overblik:borger", kwargs={"pk": borger.pk})
        try:
            tilstande = reverse("overblik:borger_tilstande", kwargs={"pk": borger.pk})
        except NoReverseMatch:  # a checkout from before the pages on demand (for A/B runs)
            tilstande = None
        resultater = []
        r = _maal(personale, side, args.repeat, args.profile)
        # Every condition and intervention is in the summary's counts.
        html = r.pop("html")
        assert f'<span class="antal">{n // 2}</span>' in html, "tilstande mangler i antallet"
        resultater.append(("Borgerside (personale)", r))
        if tilstande is not None:
            r = _maal(personale, tilstande, args.repeat, False)
            r.pop("html")
            resultater.append(("Tilstande, side 1 (htmx-fragment uden htmx)", r))
        r = _maal(borgeren, reverse("overblik:mine_data"), args.repeat, args.profile)
        r.pop("html")
        resultater.append(("Mine data (borgeren)", r))
        return resultater
    finally:
        if args.behold:
            connection.close()
            connection.settings_dict["NAME"] = gammelt_navn
        else:
            connection.creation.destroy_test_db(gammelt_navn, verbosity=0)


def main() -> None:
    args = _argumenter()
    import django

    django.setup()
    from django.conf import settings

    # Not setup_test_environment(): its template instrumentation (a copy of the context
    # for every template rendered) would be timed too. The test client's host is allowed.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    alle = {n: _koer(n, args) for n in args.n}
    print(f"\n{args.repeat} visninger af hver side (ms, serverens tid):")
    for n, resultater in alle.items():
        print(f"N = {n} ({n // 2} tilstande, {n - n // 2} indsatser):")
        for navn, r in resultater:
            print(
                f"  {navn:45} p50 {r['p50']:6.1f}  p95 {r['p95']:6.1f}  "
                f"{r['queries']:3d} forespørgsler  {r['kib']:6.1f} KiB HTML"
            )
    if len(alle) > 1:
        mindst, stoerst = min(alle), max(alle)
        for (navn, lille), (_, stor) in zip(alle[mindst], alle[stoerst], strict=True):
            print(f"  {navn}: N={stoerst} / N={mindst} = {stor['p50'] / lille['p50']:.2f}x")
    print(f"Belastning (uptime): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    figurer: dict[str, float] = {}
    for n, resultater in alle.items():
        for navn, r in resultater:
            noegle = re.sub(r"[^a-z0-9]+", "_", navn.lower()).strip("_")
            figurer[f"{noegle}_n{n}_p50_ms"] = r["p50"]
            figurer[f"{noegle}_n{n}_p95_ms"] = r["p95"]
            figurer[f"{noegle}_n{n}_forespoergsler"] = r["queries"]
            figurer[f"{noegle}_n{n}_html_kib"] = r["kib"]
    gem(args.json, "citizen_page", figurer)


if __name__ == "__main__":
    main()
