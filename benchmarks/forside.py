"""Benchmark: the staff front page (the worklist) for a caseworker whose units hold data on
1,000 citizens.

    .venv/bin/python benchmarks/forside.py [--borgere 1000] [--repeat 25]

In a throwaway database of its own (created and dropped again) it builds two units of one
authority, --borgere citizens each with a condition and an intervention of the
caseworker's unit (a third of them with the follow-up date passed), a consent to the unit
from every citizen that ends within 30 days, and a request of the unit to one in five
citizens (answered by one in twenty, waiting for the others); the caseworker follows every
citizen (Følg), with an unread notification about one in three. Then it GETs the front page
through Django's test client (the whole request: middleware, the worklist's selectors,
the access log, the template) and prints the median and p95 server time and the query
count, and, for comparison, the same with 10 citizens. BENCH_VIS_SQL=1 also prints the
slowest queries, BENCH_PROFIL=1 a profile of one request.

This is a measurement, not a test: it prints figures and fails only if the code does.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._resultat import gem  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datadeling.settings")
# The pages are rendered without collectstatic: plain static storage, as in the tests.
os.environ.setdefault("STATIC_MANIFEST", "0")

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "bench_datadeling_forside")
KODESYSTEMER = (
    "CodeSystem-FSIII.json",
    "CodeSystem-FFB.json",
    "CodeSystem-CareSocialCodes.json",
    "CodeSystem-Datadeling-Adgangshjemmel.json",
)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _byg(n: int, kommunekode: str):
    """Create the caseworker, their unit and n citizens with data, consents and requests
    (bulk, current state only); return the caseworker's user."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from datadeling.core import clock
    from indsats.models import Indsats
    from klassifikation import kendte as k
    from klassifikation.models import Klasse
    from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed
    from samtykke.models import Anmodning, AnmodningStatus, Beslutning, Samtykke
    from tilstand.models import Tilstand

    now = clock.now()
    idag = timezone.localdate(now)
    kommune = Myndighed.objects.create(
        navn=f"Benchmark {kommunekode}", type="kommune", kommunekode=kommunekode
    )
    enhed = Enhed.objects.create(myndighed=kommune, navn="Hjemmeplejen")
    anden = Enhed.objects.create(myndighed=kommune, navn="Socialpsykiatrien")
    user = get_user_model().objects.create_user(f"bench{kommunekode}")
    medarbejder = Medarbejder.objects.create(user=user, myndighed=kommune, navn="Bente Bench")
    Funktion.objects.create(
        medarbejder=medarbejder, enhed=enhed, rolle="sagsbehandler",
        gyldig_fra=datetime.date(2020, 1, 1),
    )  # fmt: skip
    borgere = Borger.objects.bulk_create(
        Borger(cpr=f"{kommunekode}{i:07d}", fornavn="B", efternavn=f"{i:05d}") for i in range(n)
    )
    tilstand_type = (
        Klasse.objects.filter(sti__overlap=[k.FFB_TILSTANDE], underordnede__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )
    indsats_type = (
        Klasse.objects.filter(sti__overlap=list(k.FSIII_INDSATSER), underordnede__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )

    def opfoelgning(i: int) -> datetime.date:
        return idag - datetime.timedelta(days=3) if i % 3 == 0 else idag + datetime.timedelta(60)

    Tilstand.objects.bulk_create(
        Tilstand(
            id=uuid.uuid4(), borger=b, ansvarlig_enhed=enhed, type_id=tilstand_type,
            vurderet=now, virkning_fra=now, livscykluskode="Importeret", aktiv=True,
            status="aktiv", opfoelgning=opfoelgning(i),
        )
        for i, b in enumerate(borgere)
    )  # fmt: skip
    Indsats.objects.bulk_create(
        Indsats(
            id=uuid.uuid4(), borger=b, ansvarlig_enhed=enhed, type_id=indsats_type,
            vurderet=now, virkning_fra=now, livscykluskode="Importeret", aktiv=True,
            startdato=idag, opfoelgning=opfoelgning(i + 1),
        )
        for i, b in enumerate(borgere)
    )  # fmt: skip
    Samtykke.objects.bulk_create(
        Samtykke(
            kaede=uuid.uuid4(), borger=b, givet_af=b, modtager_enhed=enhed,
            kategorier=[k.FFB_TILSTANDE], kilder=[anden.pk], formaal="Benchmark",
            gyldig_fra=now - datetime.timedelta(days=300),
            gyldig_til=now + datetime.timedelta(days=1 + i % 29), beslutning=Beslutning.TILLAD,
            tekst="Benchmark", tekst_version="1", oprettet=now,
        )
        for i, b in enumerate(borgere)
    )  # fmt: skip
    Anmodning.objects.bulk_create(
        Anmodning(
            borger=b, anmoder=medarbejder, modtager_enhed=enhed, kategorier=[k.FFB_TILSTANDE],
            kilder=[anden.pk], formaal="Benchmark", begrundelse="Benchmark", varighed_dage=90,
            status=AnmodningStatus.BESVARET if i % 20 == 0 else AnmodningStatus.AFVENTER,
            oprettet=now - datetime.timedelta(days=2),
            besvaret=now - datetime.timedelta(days=1) if i % 20 == 0 else None,
        )
        for i, b in enumerate(borgere)
        if i % 10 in (0, 1)
    )  # fmt: skip
    # the caseworker follows every citizen, with something new about one in three
    from overblik.models import Foelg, Notifikation
    from samtykke.models import Haendelse, HaendelseArt

    Foelg.objects.bulk_create(Foelg(bruger=user, borger=b, oprettet=now) for b in borgere)
    tilstande = {t.borger_id: t for t in Tilstand.objects.filter(borger__in=borgere)}
    haendelser = Haendelse.objects.bulk_create(
        Haendelse(
            art=HaendelseArt.TILSTAND, borger_id=b.pk, objekt_id=tilstande[b.pk].pk,
            enhed_id=enhed.pk, livscykluskode="Rettet", tidspunkt=now, udfoldet=now,
        )
        for i, b in enumerate(borgere)
        if i % 3 == 0
    )  # fmt: skip
    Notifikation.objects.bulk_create(
        Notifikation(
            haendelse=h, modtager=user, art=h.art, borger_id=h.borger_id,
            objekt_id=h.objekt_id, livscykluskode=h.livscykluskode, oprettet=now,
        )
        for h in haendelser
    )  # fmt: skip
    return user


def _maal(user, repeat: int):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    klient = Client()
    klient.force_login(user)
    tider, antal = [], 0
    for _ in range(repeat + 1):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            svar = klient.get("/")
        tider.append(time.perf_counter() - start)
        assert svar.status_code == 200, svar.status_code
        antal = len(q.captured_queries)
    if os.environ.get("BENCH_VIS_SQL"):
        for x in sorted(q.captured_queries, key=lambda x: -float(x["time"]))[:5]:
            print(x["time"], x["sql"][:3000])
    if os.environ.get("BENCH_PROFIL"):
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            klient.get("/")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(
            "arbejdsliste|forside|adgangslog|policy|template/base|loader_tags", 30
        )
    tider = sorted(tider[1:])  # the first warms caches
    p95 = tider[max(0, int(len(tider) * 0.95) - 1)]
    return statistics.median(tider), p95, antal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--borgere", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--json", help="write the figures to this file (benchmarks/alle.py)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = DATABASE_NAME
    gammelt_navn = connection.settings_dict["NAME"]
    print(f"Opretter en midlertidig database ({DATABASE_NAME}) …", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from klassifikation.importer import klassifikation_import

        data = settings.BASE_DIR / "klassifikation" / "data"
        klassifikation_import(stier=[data / navn for navn in KODESYSTEMER])
        figurer = {}
        for n, kode in ((10, "901"), (args.borgere, "902")):
            t0 = time.perf_counter()
            user = _byg(n, kode)
            bygget = time.perf_counter() - t0
            median, p95, antal = _maal(user, args.repeat)
            print(
                f"Forsiden (arbejdslisten) for en sagsbehandler hvis enhed har data om {n} "
                f"borgere: median {_ms(median)} (p95 {_ms(p95)}), {antal} forespørgsler, "
                f"{args.repeat} gange (bygget på {bygget:.1f} s)",
                flush=True,
            )
            figurer |= {
                f"borgere_{n}_median_ms": median * 1000,
                f"borgere_{n}_p95_ms": p95 * 1000,
                f"borgere_{n}_forespoergsler": antal,
            }
        gem(args.json, "forside", figurer)
    finally:
        connection.creation.destroy_test_db(gammelt_navn, verbosity=0)


if __name__ == "__main__":
    main()
