"""Benchmark: the access log at scale (issue #15, item 4).

    BENCH_DATABASE_NAME=bench_adgangslog .venv/bin/python benchmarks/adgangslog.py \
        [--repeat 5] [--stoerrelser 100000,1000000]

In a throwaway database of its own (created and dropped again), prints the median of
--repeat runs of:
1. entries written per second when a page writes its entries together (batches of
   --batch entries, one transaction and one statement per batch; `adgangslog_write_batch`,
   or on a checkout without it `adgangslog_write_many`, one entry per citizen);
2. entries per second one transaction each (`adgangslog_write` in `transaction.atomic`);
3. entries per second with 2 writer processes at once, one transaction each, on the same
   50 citizens (so they queue on the same chains);
4. for each size in --stoerrelser: the time `verificer_adgangslog` takes over that many
   entries (10,000 citizens, spread over 3 months, real chained hashes, written with COPY),
   and the verifying process's peak resident memory (VmHWM), in a child process each run.

The same script runs on a checkout before the partitioned log (it uses only what both
have): run it from that checkout's directory, and it measures that checkout's code. So
before/after is one command in each directory. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

# The checkout measured: the current directory when it is one (so the same script measures
# a checkout from before the partitioned log: `cd ../old-checkout && python …/adgangslog.py`).
ROD = Path.cwd() if (Path.cwd() / "manage.py").exists() else Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROD))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _resultat import gem  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datadeling.settings")

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "bench_datadeling_adgangslog")
BORGERE = 11_000  # the first 1,000 for the write measurements, 10,000 for the built log
START = datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)
SPAEND = datetime.timedelta(days=90)


def _db_url(navn: str) -> str:
    url = os.environ.get("DATABASE_URL", "postgres://root@127.0.0.1:5432/x")
    return url.rsplit("/", 1)[0] + "/" + navn


def _skriver():
    """Return (aktoer, user, citizens) for writing, from the benchmark's database."""
    from django.contrib.auth import get_user_model

    from organisation.models import Borger
    from organisation.selectors import aktoer_for

    user = get_user_model().objects.get(username="bench")
    borgere = list(Borger.objects.order_by("cpr").only("pk")[:1000])
    return aktoer_for(user), user, borgere


def _byg_grundlag():
    from django.contrib.auth import get_user_model

    from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed

    kommune = Myndighed.objects.create(navn="Benchmark Kommune", type="kommune", kommunekode="996")
    enhed = Enhed.objects.create(myndighed=kommune, navn="Hjemmeplejen Nord")
    user = get_user_model().objects.create_user("bench")
    m = Medarbejder.objects.create(user=user, myndighed=kommune, navn="Bente Bench")
    Funktion.objects.create(
        medarbejder=m, enhed=enhed, rolle="sagsbehandler", gyldig_fra=datetime.date(2020, 1, 1)
    )
    Borger.objects.bulk_create(
        Borger(cpr=f"{(i % 28) + 1:02d}{(i // 28) % 12 + 1:02d}{i // 336:02d}{1000 + i % 9000:04d}",
               fornavn="B", efternavn=str(i))
        for i in range(BORGERE)
    )  # fmt: skip


def _maal_skriv(batch: int, n: int, repeat: int) -> tuple[float, float]:
    """Median entries/s batched and one by one."""
    from django.db import transaction

    from samtykke import adgangslog as al
    from samtykke.models import Grundlag

    aktoer, user, borgere = _skriver()
    objekter = [("tilstand", uuid.uuid4()), ("indsats", uuid.uuid4())]
    samlet, enkelt = [], []
    for r in range(repeat):
        start = time.perf_counter()
        for i in range(0, n, batch):
            with transaction.atomic():
                gruppe = borgere[(i + r * 7) % 900 : (i + r * 7) % 900 + batch]
                if hasattr(al, "adgangslog_write_batch"):
                    al.adgangslog_write_batch(
                        [
                            al.adgangslog_post(
                                aktoer=aktoer,
                                user=user,
                                borger=b,
                                hvad="Borgerliste",
                                grundlag=Grundlag.EGEN_ENHED,
                                objekter=objekter,
                            )  # fmt: skip
                            for b in gruppe
                        ]
                    )
                else:
                    al.adgangslog_write_many(
                        aktoer=aktoer, user=user, hvad="Borgerliste", grundlag=Grundlag.EGEN_ENHED,
                        handling="visning", poster={b.pk: objekter for b in gruppe},
                    )  # fmt: skip
        samlet.append(n / (time.perf_counter() - start))
        m = n // 2
        start = time.perf_counter()
        for i in range(m):
            with transaction.atomic():
                al.adgangslog_write(
                    aktoer=aktoer, user=user, borger=borgere[i % 50], hvad="Overblik",
                    grundlag=Grundlag.EGEN_ENHED, objekter=objekter,
                )  # fmt: skip
        enkelt.append(m / (time.perf_counter() - start))
    return statistics.median(samlet), statistics.median(enkelt)


def _barn_skriv(n: int, start_kl: float) -> None:
    import django

    django.setup()
    from django.db import transaction

    from samtykke.adgangslog import adgangslog_write
    from samtykke.models import Grundlag

    aktoer, user, borgere = _skriver()
    objekter = [("tilstand", uuid.uuid4())]
    while time.time() < start_kl:
        time.sleep(0.001)
    t0 = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            adgangslog_write(
                aktoer=aktoer, user=user, borger=borgere[i % 50], hvad="Overblik",
                grundlag=Grundlag.EGEN_ENHED, objekter=objekter,
            )  # fmt: skip
    print(f"{time.perf_counter() - t0:.6f}")


def _maal_samtidig(n: int, repeat: int) -> float:
    """Median entries/s of 2 writer processes at once (each n entries)."""
    miljoe = {**os.environ, "DATABASE_URL": _db_url(DATABASE_NAME)}
    rater = []
    for _ in range(repeat):
        start_kl = time.time() + 3
        boern = [
            subprocess.Popen(  # noqa: S603 (this script, our arguments)
                [
                    sys.executable,
                    __file__,
                    "--barn",
                    "skriv",
                    "--n",
                    str(n),
                    "--start-kl",
                    str(start_kl),
                ],
                env=miljoe,
                stdout=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for _ in range(2)
        ]
        tider = [float(b.communicate()[0].strip().splitlines()[-1]) for b in boern]
        rater.append(2 * n / max(tider))
    return statistics.median(rater)


def _byg_log(fra_borger: int, til_borger: int, pr_borger: int) -> None:
    """Write pr_borger chained entries for each citizen in [fra, til) with COPY."""
    from django.db import connection

    from samtykke.adgangslog import GENESIS, beregn_hash

    with connection.cursor() as c:
        c.execute("SELECT id FROM organisation_borger ORDER BY cpr")
        borgere = [r[0] for r in c.fetchall()][fra_borger:til_borger]
        c.execute("SELECT id FROM auth_user WHERE username = 'bench'")
        bruger = c.fetchone()[0]
        c.execute("SELECT id FROM organisation_enhed WHERE navn = 'Hjemmeplejen Nord'")
        enhed = c.fetchone()[0]
        c.execute("SELECT 1 FROM pg_proc WHERE proname = 'samtykke_adgangslog_partition'")
        if c.fetchone():
            for m in range(5):
                c.execute(
                    "SELECT samtykke_adgangslog_partition(%s)",
                    [datetime.date(2026, 9 + m, 1) if m < 4 else datetime.date(2027, 1, 1)],
                )
    kolonner = (
        "borger_id", "nummer", "tidspunkt", "bruger_id", "navn", "enhed_id", "enhed_navn",
        "myndighed_navn", "rolle", "faglighed", "handler_for_id", "handling", "hvad",
        "objekter", "kategorier", "formaal", "grundlag", "grundlag_id", "forrige_hash", "hash",
    )  # fmt: skip
    import json

    hoveder = []
    pg = connection.connection
    with pg.cursor() as cur:
        with cur.copy(f"COPY samtykke_adgangslog ({', '.join(kolonner)}) FROM STDIN") as copy:
            for j, b in enumerate(borgere):
                forrige = GENESIS
                for n in range(1, pr_borger + 1):
                    e = SimpleNamespace(
                        borger_id=b, nummer=n,
                        tidspunkt=START + SPAEND * (n / (pr_borger + 1))
                        + datetime.timedelta(microseconds=j),
                        bruger_id=bruger, navn="Bente Bench", enhed_id=enhed,
                        enhed_navn="Hjemmeplejen Nord", myndighed_navn="Benchmark Kommune",
                        rolle="Sagsbehandler", faglighed="", handler_for_id=None,
                        handling="visning", hvad="Overblik over borgeren",
                        objekter=[{"type": "tilstand", "id": str(uuid.UUID(int=n))}],
                        kategorier=["tilstand"], formaal="", grundlag="egen_enhed",
                        grundlag_id=None, forrige_hash=forrige,
                    )  # fmt: skip
                    e.hash = beregn_hash(e)
                    forrige = e.hash
                    copy.write_row(
                        [
                            json.dumps(getattr(e, k)) if k in ("objekter", "kategorier")
                            else getattr(e, k)
                            for k in kolonner
                        ]
                    )  # fmt: skip
                hoveder.append((b, pr_borger, forrige, e.tidspunkt))
        cur.execute("SELECT to_regclass('samtykke_adgangsloghoved') IS NOT NULL")
        if cur.fetchone()[0]:
            cur.executemany(
                "INSERT INTO samtykke_adgangsloghoved (borger_id, nummer, hash, tidspunkt)"
                " VALUES (%s, %s, %s, %s)",
                hoveder,
            )
    pg.commit()
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE samtykke_adgangslog")


def _barn_verificer() -> None:
    import django

    django.setup()
    from hukommelse import egen_top_mib

    from samtykke.adgangslog import verificer
    from samtykke.models import Adgangslog

    t0 = time.perf_counter()
    brud = list(verificer())
    antal = Adgangslog.objects.count()
    print(f"{time.perf_counter() - t0:.6f} {egen_top_mib():.1f} {len(brud)} {antal}")


def _maal_verificer(repeat: int) -> tuple[float, float, int]:
    miljoe = {**os.environ, "DATABASE_URL": _db_url(DATABASE_NAME)}
    tider, toppe, antal = [], [], 0
    for _ in range(repeat):
        ud = subprocess.run(  # noqa: S603 (this script, our arguments)
            [sys.executable, __file__, "--barn", "verificer"],
            env=miljoe, capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        tider.append(float(ud[0]))
        toppe.append(float(ud[1]))
        if ud[2] != "0":
            raise SystemExit(f"verificeringen fandt {ud[2]} brud i en intakt log")
        antal = int(ud[3])
    return statistics.median(tider), max(toppe), antal


def _maal_alle_skriv(args, figurer: dict) -> None:
    from django.db import connection

    samlet, enkelt = _maal_skriv(args.batch, args.n, args.repeat)
    print(f"1. Samlet skrivning ({args.batch} poster pr. sidevisning): {samlet:.0f} poster/s")
    print(f"2. Én transaktion pr. post: {enkelt:.0f} poster/s")
    connection.close()
    to = _maal_samtidig(args.n // 4, args.repeat)
    print(f"3. To samtidige skrivere på de samme 50 borgere: {to:.0f} poster/s i alt")
    figurer.update(samlet_pr_s=samlet, enkeltvis_pr_s=enkelt, to_skrivere_pr_s=to)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--n", type=int, default=4000, help="entries per batched run")
    parser.add_argument("--stoerrelser", default="100000,1000000")
    parser.add_argument("--repeat-verificer", type=int, default=3)
    parser.add_argument(
        "--kun-verificer", action="store_true", help="skip the write measurements (1-3)"
    )
    parser.add_argument(
        "--behold", action="store_true", help="keep the database afterwards (for EXPLAIN)"
    )
    parser.add_argument("--json", help="skriv tallene til denne fil (benchmarks/alle.py)")
    parser.add_argument("--barn", choices=["skriv", "verificer"], help=argparse.SUPPRESS)
    parser.add_argument("--start-kl", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.barn == "skriv":
        return _barn_skriv(args.n, args.start_kl)
    if args.barn == "verificer":
        return _barn_verificer()

    import django

    django.setup()
    from django.db import connection

    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = DATABASE_NAME
    gammelt_navn = connection.settings_dict["NAME"]
    print(f"Opretter en midlertidig database ({DATABASE_NAME}) …", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    figurer: dict = {}
    try:
        _byg_grundlag()
        if not args.kun_verificer:
            _maal_alle_skriv(args, figurer)
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM samtykke_adgangslog")
            skrevet = c.fetchone()[0]
        print(f"   ({skrevet} poster skrevet indtil nu; de følger med i verificeringen)")
        bygget = 0
        for stoerrelse in [int(s) for s in args.stoerrelser.split(",")]:
            pr_borger = 100
            til = stoerrelse // pr_borger
            t0 = time.perf_counter()
            _byg_log(1000 + bygget, 1000 + til, pr_borger)
            print(
                f"   byggede {(til - bygget) * pr_borger} poster med COPY på"
                f" {time.perf_counter() - t0:.1f} s",
                flush=True,
            )
            bygget = til
            connection.close()
            sek, top, antal = _maal_verificer(args.repeat_verificer)
            print(
                f"4. verificer over {antal} poster: median {sek:.2f} s,"
                f" top RSS for den verificerende proces {top:.0f} MiB"
            )
            figurer[f"verificer_{stoerrelse}_s"] = sek
            figurer[f"verificer_{stoerrelse}_top_rss_mib"] = top
        gem(args.json, "adgangslog", figurer)
    finally:
        connection.close()
        if not args.behold:
            connection.creation.destroy_test_db(gammelt_navn, verbosity=0)


if __name__ == "__main__":
    main()
