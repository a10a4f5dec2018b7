"""Benchmark: notifications to people, with real Celery workers on Redis and PostgreSQL.

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python benchmarks/notifikationer.py \\
        [--foelgere 10000] [--koersler 3] [--beskeder 2000] [--mox-foelgere 20]

In a throwaway database of its own (as benchmarks/mox.py, whose helpers it uses; a Redis
database of its own, flushed first) it starts gunicorn and Celery worker processes, then:

1. Fan-out: --foelgere members of staff of one unit follow one citizen. Each run registers
   one condition about the citizen (as a screen does: its own transaction) and times how
   long the change itself took and how long until every follower's inbox holds it (the
   workers fan it out in chained batches of NOTIFIKATION_BATCH).
2. Under the MOX benchmark's load: --mox-foelgere members of staff of the sending system's
   unit (who therefore follow each citizen the system writes about) and --beskeder MOX
   messages over HTTP per run; prints the notifications created per second (first message
   sent to last notification written) beside MOX's own end-to-end rate.

Prints each run and the medians. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROD = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROD))
from benchmarks._resultat import gem  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datadeling.settings")

_spec = importlib.util.spec_from_file_location("bench_mox", ROD / "benchmarks" / "mox.py")
assert _spec is not None and _spec.loader is not None
bm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bm)

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "bench_datadeling_notifikationer")


def _ansatte(enhed, antal: int, prefix: str) -> list[int]:
    """Create `antal` members of staff with a role in `enhed`; return their user ids."""
    from django.contrib.auth import get_user_model

    from organisation.models import Funktion, Medarbejder

    User = get_user_model()
    brugere = User.objects.bulk_create(User(username=f"{prefix}{i}") for i in range(antal))
    ansatte = Medarbejder.objects.bulk_create(
        Medarbejder(user=u, myndighed=enhed.myndighed, navn=u.username) for u in brugere
    )
    Funktion.objects.bulk_create(
        Funktion(medarbejder=m, enhed=enhed, rolle="sagsbehandler") for m in ansatte
    )
    return [u.pk for u in brugere]


def _vent(betingelse, processer, frist_s: float = 1800) -> float:
    """Wait until `betingelse()` holds; return the monotonic time it did."""
    frist = time.monotonic() + frist_s
    while not betingelse():
        if any(p.poll() is not None for p in processer):
            raise SystemExit("En proces stoppede; se .bench-log")
        if time.monotonic() > frist:
            raise SystemExit("Ventede forgæves")
        time.sleep(0.05)
    return time.monotonic()


def _udfoldning(args, enhed, typer, processer) -> dict:
    from organisation.models import Borger, Enhed
    from overblik.models import Foelg, Notifikation
    from samtykke.models import Haendelse
    from tilstand.services import tilstand_register

    visitation = Enhed.objects.create(myndighed=enhed.myndighed, navn="Visitationen")
    brugere = _ansatte(visitation, args.foelgere, "f")
    # a citizen of its own, so the MOX load below meets no unrelated followers
    borger = Borger.objects.create(cpr="3112999999", fornavn="Følgt", efternavn="Benchmark")
    Foelg.objects.bulk_create(Foelg(bruger_id=u, borger=borger) for u in brugere)
    print(f"Udfoldning: én ændring til {args.foelgere} følgere", flush=True)
    aendring, alle = [], []
    for koersel in range(1, args.koersler + 1):
        t0 = time.monotonic()
        t = tilstand_register(
            actor=None, borger=borger,
            data={"type": typer["tilstand"][koersel % len(typer["tilstand"])],
                  "ansvarlig_enhed": visitation},
        )  # fmt: skip
        t_aendring = time.monotonic() - t0
        h = Haendelse.objects.filter(objekt_id=t.pk).order_by("-pk").first()
        notifikationer = Notifikation.objects.filter(haendelse=h)
        t_alle = _vent(lambda n=notifikationer: n.count() >= args.foelgere, processer) - t0
        aendring.append(t_aendring)
        alle.append(t_alle)
        print(
            f"  kørsel {koersel}: ændringen {t_aendring * 1000:.0f} ms; alle indbakker har den"
            f" efter {t_alle:.2f} s ({args.foelgere / t_alle:.0f} notifikationer/s)",
            flush=True,
        )
    print(
        f"Median: ændringen {statistics.median(aendring) * 1000:.0f} ms; alle"
        f" {args.foelgere} indbakker efter {statistics.median(alle):.2f} s",
        flush=True,
    )
    return {
        "aendring_median_ms": statistics.median(aendring) * 1000,
        "udfoldning_alle_median_ms": statistics.median(alle) * 1000,
        "udfoldning_pr_s": args.foelgere / statistics.median(alle),
    }


def _mox_belastning(args, port, enhed, cprs, typer, token, secret, processer) -> dict:
    from django.db.models import Max

    from mox.models import Besked
    from mox.protokol import Status
    from overblik.models import Notifikation
    from samtykke.models import Haendelse

    _ansatte(enhed, args.mox_foelgere, "m")
    print(
        f"Under MOX-belastning: {args.beskeder} beskeder pr. kørsel, {args.mox_foelgere}"
        f" ansatte i den afsendende enhed (følger borgerne automatisk)",
        flush=True,
    )
    rater, mox_rater = [], []
    for koersel in range(1, args.koersler + 1):
        foer = Notifikation.objects.aggregate(m=Max("pk"))["m"] or 0
        alle = bm._beskeder(args.beskeder, enhed, cprs, typer)
        ids = [b["beskedID"] for b in alle]
        t0 = time.monotonic()
        bm._send(port, token, secret, alle, args.batch)
        egne = Besked.objects.filter(besked_id__in=ids)
        t_mox = _vent(
            lambda e=egne: not e.filter(status__in=[Status.MODTAGET, Status.VENTER]).exists(),
            processer,
        )
        t_slut = _vent(
            lambda: not Haendelse.objects.filter(udfoldet__isnull=True).exists(), processer
        )
        nye = Notifikation.objects.filter(pk__gt=foer).count()
        rater.append(nye / (t_slut - t0))
        mox_rater.append(len(alle) / (t_mox - t0))
        print(
            f"  kørsel {koersel}: {nye} notifikationer på {t_slut - t0:.1f} s"
            f" ({rater[-1]:.0f}/s); MOX ende til ende {mox_rater[-1]:.0f} beskeder/s",
            flush=True,
        )
    print(
        f"Median: {statistics.median(rater):.0f} notifikationer/s under MOX-belastning"
        f" (MOX {statistics.median(mox_rater):.0f} beskeder/s)",
        flush=True,
    )
    return {
        "under_mox_pr_s": statistics.median(rater),
        "mox_ende_til_ende_pr_s": statistics.median(mox_rater),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--foelgere", type=int, default=10000, help="følgere af én borger")
    parser.add_argument("--koersler", type=int, default=3, help="antal kørsler (median)")
    parser.add_argument("--beskeder", type=int, default=2000, help="MOX-beskeder pr. kørsel")
    parser.add_argument("--mox-foelgere", type=int, default=20, help="ansatte i MOX-enheden")
    parser.add_argument("--batch", type=int, default=1000, help="beskeder pr. POST")
    parser.add_argument("--workere", type=int, default=1, help="Celery-workerprocesser")
    parser.add_argument("--concurrency", type=int, default=2, help="pr. worker (prefork)")
    parser.add_argument("--web", type=int, default=1, help="gunicorn-workere")
    parser.add_argument("--borgere", type=int, default=500)
    parser.add_argument("--broker", default="", help="broker-URL (standard: db 9 på REDIS_URL)")
    parser.add_argument("--log", default=str(ROD / ".bench-log"), help="mappe til procesloggene")
    parser.add_argument("--json", help="skriv tallene til denne fil (benchmarks/alle.py)")
    args = parser.parse_args()
    broker = bm._broker(args)
    os.environ["CELERY_BROKER_URL"] = broker  # this process enqueues the fan-out too

    import django

    django.setup()
    import redis
    from django.db import connection

    if broker.startswith("redis"):
        redis.Redis.from_url(broker).flushdb()
    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = DATABASE_NAME
    gammelt_navn = connection.settings_dict["NAME"]
    print(f"Opretter en midlertidig database ({DATABASE_NAME}) …", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    processer: list = []
    logmappe = Path(args.log)
    logmappe.mkdir(parents=True, exist_ok=True)
    try:
        enhed, cprs, typer, token, secret = bm._byg(args.borgere)
        port = bm._start(args, bm._miljoe(broker), logmappe, processer)
        time.sleep(3)  # let the workers connect before the clock runs
        print(f"Celery {args.workere} x prefork {args.concurrency}; {os.cpu_count()} kerner")
        figurer = _udfoldning(args, enhed, typer, processer)
        figurer |= _mox_belastning(args, port, enhed, cprs, typer, token, secret, processer)
        gem(args.json, "notifikationer", figurer)
    finally:
        bm._stop(processer)
        connection.creation.destroy_test_db(gammelt_navn, verbosity=0)


if __name__ == "__main__":
    main()
