"""Load test of the whole portal with Locust: staff browsing citizen pages, citizens
reading Mine data and Hvem har set, and a fagsystem sending MOX batches, all at once,
against gunicorn + a Celery worker + PostgreSQL + Redis on this machine (127.0.0.1 only).

    pip install -e '.[bench]'      # Locust (or: --locust /path/to/locust)
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python benchmarks/belastning.py \\
        [--borgere 100000] [--genbrug] [--web 4] [--concurrency 2] \\
        [--brugere 60] [--varighed 60] [--maks 200000] [--broker redis://…/9]

The database (BENCH_DATABASE_NAME, default bench_datadeling_belastning, on DATABASE_URL's
server) is built with `demo_data --borgere N` (the demo, then N citizens copied by COPY);
with --genbrug an existing one with at least N citizens is used as it is. The users log
in by sessions made beforehand (`django.contrib.sessions`): no password hashing inside the
measurement, and no failed logins for django-axes. Then gunicorn (--web workers) and one
Celery worker (every queue, --concurrency processes) start, Locust runs headless for
--varighed seconds or --maks requests, whichever ends first, and the script prints per
endpoint: requests/s, p50/p95/max, errors; access-log entries written per second; MOX
messages applied; the CPU seconds each kind of process used (what bounds the run); and the
peak resident memory of every gunicorn and Celery process (benchmarks/hukommelse.py).

This is a measurement, not a test: it fails only when a process dies.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROD = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROD))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datadeling.settings")

from benchmarks._resultat import gem  # noqa: E402
from benchmarks.hukommelse import egen_top_mib, top_rss_traer, udskriv_toppe  # noqa: E402
from benchmarks.mox import _miljoe, _start, _stop  # noqa: E402

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "bench_datadeling_belastning")
MOX_BATCH = 100


def _database_url() -> str:
    """DATABASE_URL with the benchmark's database name."""
    import dj_database_url

    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.exit("Sæt DATABASE_URL (PostgreSQL-serveren, fx postgres://root@127.0.0.1:5432/x).")
    cfg = dj_database_url.parse(base)
    bruger = cfg["USER"] + (f":{cfg['PASSWORD']}" if cfg["PASSWORD"] else "")
    return f"postgres://{bruger}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{DATABASE_NAME}"


def _psql_admin(url: str, sql: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(sql)


def _antal_borgere(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url) as c:
            return c.execute(
                "SELECT count(*) FROM organisation_borger b JOIN auth_user u ON u.id = b.user_id"
                " WHERE u.username LIKE 'masse-borger-%%'"
            ).fetchone()[0]
    except psycopg.Error:
        return -1


def _byg(args, url: str, env: dict) -> None:
    """Create the database and build the data, unless --genbrug finds it built."""
    findes = _antal_borgere(url)
    if args.genbrug and findes >= args.borgere - 100:
        print(f"Genbruger {DATABASE_NAME} ({findes + 100} genererede borgere).", flush=True)
        return
    _psql_admin(url, f'DROP DATABASE IF EXISTS "{DATABASE_NAME}"')
    _psql_admin(url, f'CREATE DATABASE "{DATABASE_NAME}"')
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROD, env=env, check=True)  # noqa: S603
    print(f"Bygger {args.borgere} borgere i {DATABASE_NAME} (demo_data --borgere) …", flush=True)
    t0 = time.monotonic()
    ud = subprocess.run(  # noqa: S603
        [py, "manage.py", "demo_data", "--borgere", str(args.borgere)],
        cwd=ROD, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    for linje in ud.stdout.splitlines():
        if linje.startswith(("Kopierede", "Højeste")):
            print("  " + linje[:300])
    print(f"  bygget på {time.monotonic() - t0:.0f} s", flush=True)


def _forbered(args) -> dict:
    """Sessions for the load's users, their citizens, and a MOX system (in this process)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import F

    from klassifikation import kendte as k
    from klassifikation.models import Klasse
    from mox import services
    from organisation.models import Enhed
    from tilstand.models import Tilstand

    def session(bruger: User) -> str:
        s = SessionStore()
        s[SESSION_KEY] = str(bruger.pk)
        s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = bruger.get_session_auth_hash()
        s.set_expiry(settings.SESSION_COOKIE_AGE)
        s.create()
        return s.session_key

    personale = []
    for bruger in User.objects.filter(username__startswith="masse-", medarbejder__isnull=False)[
        : args.brugere
    ]:
        enhed_ids = list(bruger.medarbejder.funktioner.values_list("enhed_id", flat=True))
        borgere = list(
            Tilstand.objects.filter(ansvarlig_enhed_id__in=enhed_ids, aktiv=True)
            .order_by("borger_id")
            .values_list("borger_id", flat=True)
            .distinct()[:500]
        )
        if borgere:
            personale.append(
                {"bruger": bruger.username, "session": session(bruger),
                 "borgere": [str(b) for b in borgere]}
            )  # fmt: skip
    borgere = [
        {"bruger": b.username, "session": session(b)}
        for b in User.objects.filter(
            username__startswith="masse-borger-", borger__tilstande__aktiv=True
        ).distinct()[: args.brugere]
    ]
    enhed = Enhed.objects.get(
        pk=Tilstand.objects.filter(borger__user__username__startswith="masse-borger-")
        .values("ansvarlig_enhed_id")
        .first()["ansvarlig_enhed_id"]
    )
    _system, token, secret = services.system_create(
        navn=f"Belastningstest {uuid.uuid4().hex[:6]}", enhed=enhed
    )
    cprs = list(
        Tilstand.objects.filter(ansvarlig_enhed=enhed, borger__user__username__startswith="masse-")
        .annotate(cpr=F("borger__cpr"))
        .values_list("cpr", flat=True)
        .distinct()[:2000]
    )
    typer = [
        str(pk)
        for pk in Klasse.objects.filter(
            sti__contains=[k.FSIII_FUNKTIONSEVNETILSTANDE[0]], underordnede__isnull=True
        ).values_list("pk", flat=True)
    ]
    return {
        "personale": personale,
        "borgere": borgere,
        "mox": {"token": token, "secret": secret, "enhed": str(enhed.pk), "cprs": cprs,
                "typer": typer, "batch": MOX_BATCH},
    }  # fmt: skip


def _cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes."""
    tik = os.sysconf("SC_CLK_TCK")
    i_alt = 0.0
    for pid in pids:
        try:
            felter = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        i_alt += (int(felter[11]) + int(felter[12])) / tik
    return i_alt


def _postgres_cpu(url: str, foer: dict[int, float] | None = None) -> dict[int, float]:
    """CPU seconds of the PostgreSQL backends serving this database (the server is shared:
    others' backends do not count), less what each had used at `foer`."""
    import psycopg

    with psycopg.connect(url) as c:
        pids = [
            r[0]
            for r in c.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
        ]
    foer = foer or {}
    return {pid: _cpu([pid]) - foer.get(pid, 0.0) for pid in pids}


def _traer(roedder: list[int]) -> list[int]:
    return list(top_rss_traer(roedder))


def _locust(args) -> str:
    if args.locust:
        return args.locust
    ved_siden = Path(sys.executable).parent / "locust"
    fundet = str(ved_siden) if ved_siden.exists() else shutil.which("locust")
    if not fundet:
        sys.exit("Locust mangler: pip install -e '.[bench]' (eller --locust STI).")
    return fundet


def _adgangslog(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as c:
        return c.execute("SELECT count(*) FROM samtykke_adgangslog").fetchone()[0]


def _mox_behandlet(url: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(url) as c:
        return c.execute(
            "SELECT count(*) FILTER (WHERE status = 'behandlet'), count(*) FROM mox_besked"
        ).fetchone()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--borgere", type=int, default=100_000)
    parser.add_argument("--genbrug", action="store_true", help="brug en bygget database")
    parser.add_argument("--web", type=int, default=4, help="gunicorn-workere")
    parser.add_argument("--workere", type=int, default=1, help="Celery-workerprocesser")
    parser.add_argument("--concurrency", type=int, default=2, help="pr. Celery-worker")
    parser.add_argument("--brugere", type=int, default=60, help="samtidige Locust-brugere")
    parser.add_argument("--varighed", type=int, default=60, help="sekunder (højst)")
    parser.add_argument("--maks", type=int, default=200_000, help="forespørgsler (højst)")
    parser.add_argument("--broker", default="", help="broker-URL (standard: db 9 på REDIS_URL)")
    parser.add_argument("--locust", default="", help="Locusts program (standard: i venv/PATH)")
    parser.add_argument("--log", default=str(ROD / ".bench-log"), help="mappe til procesloggene")
    parser.add_argument("--json", help="skriv tallene til denne fil (benchmarks/alle.py)")
    args = parser.parse_args()
    base = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
    broker = args.broker or (base.rsplit("/", 1)[0] + "/9" if base.startswith("redis") else "")
    if not broker:
        sys.exit("Sæt REDIS_URL (fx redis://127.0.0.1:6379/0) eller --broker.")
    locust = _locust(args)
    url = _database_url()
    os.environ.update(DATABASE_URL=url, HTTPS="0")
    import django

    django.setup()
    env = _miljoe(broker)  # as the MOX benchmark's processes: this database, this broker
    _byg(args, url, env)
    import redis

    redis.Redis.from_url(broker).flushdb()
    data = _forbered(args)
    logmappe = Path(args.log)
    logmappe.mkdir(parents=True, exist_ok=True)
    datafil = logmappe / "belastning-data.json"
    datafil.write_text(json.dumps(data))
    print(
        f"{len(data['personale'])} medarbejdere og {len(data['borgere'])} borgere med session,"
        f" MOX-batches á {MOX_BATCH}; gunicorn {args.web} workere, Celery {args.workere} x"
        f" prefork {args.concurrency}; {args.brugere} Locust-brugere i højst {args.varighed} s"
        f" eller {args.maks} forespørgsler; {os.cpu_count()} kerner; load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    processer: list[subprocess.Popen] = []
    try:
        # gunicorn and the Celery workers as in benchmarks/mox.py; a worker started without
        # -Q consumes every queue (settings.CELERY_TASK_QUEUES)
        port = _start(args, env, logmappe, processer)
        time.sleep(3)  # let the workers connect
        web_pids = _traer([processer[0].pid])
        celery_pids = _traer([p.pid for p in processer[1:]])
        grupper = {"gunicorn": web_pids, "celery": celery_pids}
        cpu_foer = {n: _cpu(p) for n, p in grupper.items()}
        pg_foer = _postgres_cpu(url)
        log_foer = _adgangslog(url)
        mox_foer = _mox_behandlet(url)
        csvprefix = logmappe / "belastning"
        t0 = time.monotonic()
        locust_proc = subprocess.Popen(  # noqa: S603 (the load generator, fixed arguments)
            [locust, "-f", str(ROD / "benchmarks" / "locust_belastning.py"), "--headless",
             "-u", str(args.brugere), "-r", str(max(1, args.brugere // 5)),
             "--run-time", f"{args.varighed}s", "--host", f"http://127.0.0.1:{port}",
             "--csv", str(csvprefix), "--only-summary", "--stop-timeout", "5",
             "--loglevel", "WARNING"],
            cwd=ROD, env={**os.environ, "BELASTNING_DATA": str(datafil),
                          "BELASTNING_MAKS": str(args.maks)},
            stdout=(logmappe / "belastning-locust.log").open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        locust_pids = [locust_proc.pid]
        cpu_locust = 0.0
        while locust_proc.poll() is None:
            cpu_locust = max(cpu_locust, _cpu(locust_pids))
            for p in processer:
                if p.poll() is not None:
                    raise SystemExit(f"En proces stoppede; se {logmappe}")
            time.sleep(0.5)
        varighed = time.monotonic() - t0
        cpu = {n: _cpu(p) - cpu_foer[n] for n, p in grupper.items()}
        # backends that ended before this are lost (the app keeps its connections:
        # CONN_MAX_AGE), the ones that began during the run count whole
        cpu["postgres"] = sum(_postgres_cpu(url, pg_foer).values())
        cpu["locust"] = cpu_locust
        toppe = top_rss_traer([p.pid for p in processer])
        # let the MOX messages already received be applied before counting
        frist = time.monotonic() + 60
        while time.monotonic() < frist:
            behandlet, i_alt = _mox_behandlet(url)
            if behandlet - mox_foer[0] >= i_alt - mox_foer[1]:
                break
            time.sleep(0.5)
        log_efter = _adgangslog(url)
        figurer = _udskriv(csvprefix, varighed, log_efter - log_foer, (behandlet - mox_foer[0],
                           i_alt - mox_foer[1]), cpu, toppe)  # fmt: skip
        gem(args.json, "belastning", figurer)
    finally:
        _stop(processer)
    print(f"Scriptets egen højeste RSS: {egen_top_mib():.0f} MiB")


def _udskriv(csvprefix: Path, varighed: float, logposter: int, mox, cpu, toppe) -> dict:
    with open(f"{csvprefix}_stats.csv", newline="") as f:  # noqa: PTH123
        raekker = list(csv.DictReader(f))
    print(f"\nLocust kørte {varighed:.0f} s:")
    print(
        f"  {'endpoint':<16} {'antal':>7} {'req/s':>7} {'p50':>6} {'p95':>6} {'max':>7} {'fejl':>5}"
    )
    figurer: dict[str, float] = {}
    for r in raekker:
        navn = re.sub(r"[^a-z0-9]+", "_", r["Name"].lower()).strip("_")
        figurer[f"{navn}_pr_s"] = float(r["Requests/s"])
        figurer[f"{navn}_p50_ms"] = float(r["50%"])
        figurer[f"{navn}_p95_ms"] = float(r["95%"])
        figurer[f"{navn}_fejl"] = int(r["Failure Count"])
        print(
            f"  {r['Name']:<16} {r['Request Count']:>7} {float(r['Requests/s']):>7.1f}"
            f" {r['50%']:>4} ms {r['95%']:>4} ms {float(r['Max Response Time']):>5.0f} ms"
            f" {r['Failure Count']:>5}"
        )
    try:
        with open(f"{csvprefix}_failures.csv", newline="") as f:  # noqa: PTH123
            for r in list(csv.DictReader(f))[:5]:
                print(f"  fejl: {r['Name']} {r['Occurrences']}x {r['Error'][:150]}")
    except OSError:
        pass
    antal = sum(int(r["Request Count"]) for r in raekker if r["Name"] != "Aggregated")
    print(f"  adgangsloggen: {logposter} nye poster ({logposter / varighed:.0f}/s)")
    print(f"  MOX: {mox[0]} af {mox[1]} modtagne beskeder behandlet")
    kerner = os.cpu_count() or 1
    print(
        f"  CPU-sekunder i kørslen ({kerner} kerner giver {kerner * varighed:.0f}): "
        + ", ".join(f"{n} {s:.0f}" for n, s in cpu.items())
    )
    server = cpu["gunicorn"] + cpu["postgres"]
    if antal:
        # what one request costs, whatever else the machine is doing: the ceiling on
        # requests/s is the cores divided by the sum of these
        print(
            "  CPU pr. forespørgsel: "
            + ", ".join(f"{n} {1000 * s / antal:.0f} ms" for n, s in cpu.items() if n != "locust")
            + f"; loft på {kerner} kerner ≈ {kerner * antal / max(0.001, server):.0f}/s"
        )
    print("Højeste RSS pr. proces (gunicorn-workere: mål < 250 MiB):")
    print(udskriv_toppe(toppe))
    figurer["adgangslog_pr_s"] = logposter / varighed
    gunicorn = [mib for navn, mib in toppe.values() if "gunicorn" in navn]
    celery = [mib for navn, mib in toppe.values() if "celery" in navn]
    figurer["stoerste_gunicorn_proces_mib"] = max(gunicorn, default=0.0)
    figurer["stoerste_celery_proces_mib"] = max(celery, default=0.0)
    return figurer


if __name__ == "__main__":
    main()
