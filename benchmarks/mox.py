"""Benchmark: MOX messages end to end — HTTP ingress (gunicorn) to real Celery workers on
Redis and PostgreSQL — with messages per second and latency from receipt to applied.

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python benchmarks/mox.py \\
        [--beskeder 5000] [--koersler 3] [--batch 1000] [--workere 1] [--concurrency 2]
        [--indsats 0.5] [--mix]

In a throwaway database of its own (created and dropped again; on DATABASE_URL's server,
else the embedded one), with a Redis database of its own (--broker, default db 9 of
REDIS_URL's server; it is flushed first), it starts gunicorn and Celery worker processes,
then for each run sends --beskeder messages about --beskeder/5 new conditions (one create
and four updates each, the mix of a fagsystem's initial load followed by re-assessments;
with --indsats 0.5 half of the objects are interventions; with --mix the objects are
the realistic mix of `MIX`: conditions, interventions, cases, units and staff, as the
demo's simulator of fagsystemer sends them plus the municipality's organisation data)
as signed batches over HTTP, and waits until every message is applied. Prints, per run
and as the median of the runs: ingress messages/s (until the last 202), end-to-end
messages/s (first byte sent to last message applied) and p50/p95 of the time from receipt
to applied; at the end, the peak resident memory (VmHWM) of every gunicorn and Celery
process, read just before they are stopped.

This is a measurement, not a test: it prints figures and fails only if the code does
(a message that ends other than behandlet, a process that dies).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROD = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROD))
from benchmarks._resultat import gem  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datadeling.settings")

from benchmarks.hukommelse import top_rss_traer, udskriv_toppe  # noqa: E402

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "bench_datadeling_mox")
KODESYSTEMER = ("CodeSystem-FSIII.json", "CodeSystem-FFB.json")
TRIN = 5  # messages per object: a create and four updates
MIX = {"tilstand": 0.40, "indsats": 0.20, "sag": 0.30, "organisationenhed": 0.05, "bruger": 0.05}
"""--mix: the share of objects of each kind. The simulator (demo/simulator) sends omsorg
0.4, social 0.25, jobcenter 0.2 and psykiatri 0.15 of its messages: mostly conditions and
interventions, the jobcenter's and psychiatry's cases; the municipality's organisation
system adds units and staff."""


def _fri_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _broker(args) -> str:
    if args.broker:
        return args.broker
    base = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    if not base:
        sys.exit("Sæt REDIS_URL (fx redis://127.0.0.1:6379/0) eller --broker.")
    return base.rsplit("/", 1)[0] + "/9" if base.startswith("redis") else base


def _byg(antal_borgere: int):
    """Import the code systems, one municipality with a unit, citizens and a sending system."""
    from django.conf import settings

    from klassifikation import kendte as k
    from klassifikation.importer import klassifikation_import
    from klassifikation.models import Klasse
    from mox import services
    from organisation.models import Borger, Enhed, Myndighed

    data = settings.BASE_DIR / "klassifikation" / "data"
    klassifikation_import(stier=[data / navn for navn in KODESYSTEMER])
    kommune = Myndighed.objects.create(navn="Benchmark Kommune", type="kommune", kommunekode="996")
    enhed = Enhed.objects.create(myndighed=kommune, navn="Hjemmeplejen")
    Borger.objects.bulk_create(
        Borger(cpr=f"{i % 28 + 1:02d}{i // 28 % 12 + 1:02d}{50 + i // 336 % 50:02d}{1000 + i:04d}",
               fornavn=f"Borger {i}", efternavn="Benchmark")
        for i in range(antal_borgere)
    )  # fmt: skip
    cprs = list(Borger.objects.values_list("cpr", flat=True))
    typer = list(
        Klasse.objects.filter(
            sti__contains=[k.FSIII_FUNKTIONSEVNETILSTANDE[0]], underordnede__isnull=True
        ).values_list("pk", flat=True)
    )
    indsatstyper = list(
        Klasse.objects.filter(sti__contains=[k.FSIII_INDSATSER[0]], underordnede__isnull=True)
        .order_by("kode")
        .values_list("pk", flat=True)
    )
    # registered for the unit its messages name: a system writes only for its units
    system, token, secret = services.system_create(navn="Benchmark-omsorgssystem", enhed=enhed)
    return enhed, cprs, {"tilstand": typer, "indsats": indsatstyper}, token, secret


def _v(fra: str) -> dict:
    return {"from": fra, "to": "infinity"}


def _tilstand(i: int, enhed, cpr: str, type_id) -> dict:
    return {
        "note": "Funktionsevnevurdering",
        "attributter": {
            "tilstandegenskaber": [
                {"brugervendtnoegle": f"T-{i}", "beskrivelse": "Første vurdering",
                 "virkning": _v("2024-01-01")}
            ]
        },
        "tilstande": {
            "tilstandstatus": [{"status": "Aktiv", "virkning": _v("2024-01-01")}],
            "tilstandpubliceret": [{"publiceret": "Normal", "virkning": _v("2024-01-01")}],
        },
        "relationer": {
            "tilstandsobjekt": [{"objekttype": "Person", "urn": f"urn:dk:cpr:person:{cpr}",
                                 "virkning": _v("2024-01-01")}],
            "tilstandstype": [{"objekttype": "Klasse", "uuid": str(type_id),
                               "virkning": _v("2024-01-01")}],
            "tilstandsaktoer": [{"objekttype": "Organisationenhed", "uuid": str(enhed.pk),
                                 "virkning": _v("2024-01-01")}],
        },
    }  # fmt: skip


def _indsats(i: int, enhed, cpr: str, type_id) -> dict:
    return {
        "note": "Bevilget indsats",
        "attributter": {
            "indsatsegenskaber": [
                {"brugervendtnoegle": f"I-{i}", "beskrivelse": "Bevilget",
                 "starttidspunkt": "2024-01-01", "virkning": _v("2024-01-01")}
            ]
        },
        "tilstande": {
            "indsatsfremdrift": [{"fremdrift": "Visiteret", "virkning": _v("2024-01-01")}],
            "indsatspubliceret": [{"publiceret": "Normal", "virkning": _v("2024-01-01")}],
        },
        "relationer": {
            "indsatsmodtager": [{"objekttype": "Person", "urn": f"urn:dk:cpr:person:{cpr}",
                                 "virkning": _v("2024-01-01")}],
            "indsatstype": [{"objekttype": "Klasse", "uuid": str(type_id),
                             "virkning": _v("2024-01-01")}],
            "indsatsaktoer": [{"objekttype": "Organisationenhed", "uuid": str(enhed.pk),
                               "virkning": _v("2024-01-01")}],
        },
    }  # fmt: skip


def _sag(i: int, enhed, cpr: str, _type_id) -> dict:
    return {
        "note": "Ny sag",
        "attributter": {
            "sagegenskaber": [
                {"brugervendtnoegle": f"S-{i}", "sagsnummer": f"27.24.00-G01-{i}-24",
                 "titel": "Hjemmehjælp", "beskrivelse": "Hjemmehjælp", "kassationskode": "B",
                 "virkning": _v("2024-01-01")}
            ]
        },
        "tilstande": {"sagfremdrift": [{"fremdrift": "Opstaaet", "virkning": _v("2024-01-01")}]},
        "relationer": {
            "primaerpart": [{"objekttype": "Person", "urn": f"urn:dk:cpr:person:{cpr}",
                             "virkning": _v("2024-01-01")}],
            "ansvarlig": [{"objekttype": "Organisationenhed", "uuid": str(enhed.pk),
                           "virkning": _v("2024-01-01")}],
        },
    }  # fmt: skip


def _organisationenhed(i: int, enhed, _cpr: str, _type_id) -> dict:
    return {
        "attributter": {
            "organisationenhedegenskaber": [
                {"brugervendtnoegle": f"E-{i}", "enhedsnavn": f"Distrikt {i}",
                 "virkning": _v("2024-01-01")}
            ]
        },
        "tilstande": {
            "organisationenhedgyldighed": [{"gyldighed": "Aktiv", "virkning": _v("2024-01-01")}]
        },
        "relationer": {
            "tilhoerer": [{"uuid": str(enhed.myndighed_id), "virkning": _v("2024-01-01")}],
            "overordnet": [{"uuid": str(enhed.pk), "virkning": _v("2024-01-01")}],
        },
    }  # fmt: skip


def _bruger(i: int, enhed, _cpr: str, _type_id) -> dict:
    return {
        "attributter": {
            "brugeregenskaber": [
                {"brugervendtnoegle": f"B-{i}", "brugernavn": f"Medarbejder {i}",
                 "virkning": _v("2024-01-01")}
            ]
        },
        "tilstande": {"brugergyldighed": [{"gyldighed": "Aktiv", "virkning": _v("2024-01-01")}]},
        "relationer": {
            "tilhoerer": [{"uuid": str(enhed.myndighed_id), "virkning": _v("2024-01-01")}],
        },
    }  # fmt: skip


BYG = {
    "tilstand": _tilstand,
    "indsats": _indsats,
    "sag": _sag,
    "organisationenhed": _organisationenhed,
    "bruger": _bruger,
}


def _opdatering(objekttype: str, trin: int) -> dict:
    """The data of update number `trin` (1–4) of an object."""
    fra = f"2024-0{trin + 1}-01"
    if objekttype == "sag":
        fremdrift = ("Oplyst", "Afgjort", "Bestilt", "Udfoert")[trin - 1]
        return {
            "note": f"Opfølgning {trin}",
            "attributter": {"sagegenskaber": [{"titel": f"Hjemmehjælp {trin}",
                                               "virkning": _v(fra)}]},
            "tilstande": {"sagfremdrift": [{"fremdrift": fremdrift, "virkning": _v(fra)}]},
        }  # fmt: skip
    if objekttype == "organisationenhed":
        return {
            "attributter": {"organisationenhedegenskaber": [
                {"enhedsnavn": f"Distrikt {trin}", "virkning": _v(fra)}]},
        }  # fmt: skip
    if objekttype == "bruger":
        return {
            "attributter": {"brugeregenskaber": [
                {"brugernavn": f"Medarbejder {trin}", "virkning": _v(fra)}]},
            "relationer": {"adresser": [{"urn": f"urn:mailto:m{trin}@example.org",
                                         "virkning": _v(fra)}]},
        }  # fmt: skip
    return {
        "note": f"Opfølgning {trin}",
        "attributter": {
            f"{objekttype}egenskaber": [{"beskrivelse": f"Opfølgning {trin}", "virkning": _v(fra)}]
        },
    }


def _arter(n: int, indsats_andel: float, mix: bool) -> list[str]:
    """The kind of each of `n` objects, spread evenly over the batches."""
    if not mix:
        return ["indsats" if i < round(n * indsats_andel) else "tilstand" for i in range(n)]
    arter: list[str] = []
    tilbage = n
    for i, (art, andel) in enumerate(MIX.items()):
        antal = tilbage if i == len(MIX) - 1 else round(n * andel)
        arter += [art] * antal
        tilbage -= antal
    # interleaved, as the systems' traffic arrives mixed
    return [arter[(i * 7919) % n] for i in range(n)] if n % 7919 else arter


def _beskeder(
    antal: int, enhed, cprs, typer, indsats_andel: float = 0.0, mix: bool = False
) -> list[dict]:
    """`antal` messages: creates for antal/TRIN new objects (conditions, and interventions
    for `indsats_andel` of them; or the kinds of `MIX`), then the updates, in rounds."""
    n = antal // TRIN
    objekter = list(
        zip([str(uuid.uuid4()) for _ in range(n)], _arter(n, indsats_andel, mix), strict=True)
    )
    alle = []
    for trin in range(TRIN):
        for i, (objekt_id, objekttype) in enumerate(objekter):
            if trin == 0:
                kandidater = typer.get(objekttype) or [None]
                data = BYG[objekttype](
                    i, enhed, cprs[i % len(cprs)], kandidater[i % len(kandidater)]
                )
                operation = "create"
            else:
                data = _opdatering(objekttype, trin)
                operation = "update"
            alle.append(
                {
                    "beskedID": str(uuid.uuid4()),
                    "beskedversion": "1",
                    "beskedtype": "Manipulation",
                    "objekttype": objekttype,
                    "operation": operation,
                    "objektID": objekt_id,
                    "data": data,
                }
            )
    return alle


def _send(port: int, token: str, secret: str, alle: list[dict], batch: int) -> None:
    from mox.auth import signatur

    forbindelse = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        for start in range(0, len(alle), batch):
            krop = json.dumps({"beskeder": alle[start : start + batch]}).encode()
            t = str(int(time.time()))
            forbindelse.request(
                "POST",
                "/mox/beskeder/",
                body=krop,
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {token}",
                    "X-Mox-Tidspunkt": t,
                    "X-Mox-Signatur": signatur(secret, t, krop),
                },
            )
            svar = forbindelse.getresponse()
            indhold = svar.read()
            if svar.status != 202:
                raise SystemExit(f"Ingress svarede {svar.status}: {indhold[:500]!r}")
    finally:
        forbindelse.close()


def _vent_paa_port(port: int, proces: subprocess.Popen, log: Path) -> None:
    frist = time.monotonic() + 60
    while time.monotonic() < frist:
        if proces.poll() is not None:
            raise SystemExit(f"gunicorn stoppede:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn svarede ikke inden for 60 s")


def _stop(processer: list[subprocess.Popen]) -> None:
    for p in processer:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in processer:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


def _miljoe(broker: str) -> dict:
    """Return the environment of the server and worker processes: the throwaway database
    the current connection uses, the benchmark's broker, production-like settings."""
    from django.db import connection

    from datadeling.core.dburl import database_url

    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-" + uuid.uuid4().hex,
        "CELERY_BROKER_URL": broker,
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "datadeling.settings",
    }
    env.pop("TEST_DATABASE_NAME", None)
    env.pop("REDIS_URL", None)
    return env


def _start(args, env: dict, logmappe: Path, processer: list[subprocess.Popen]) -> int:
    """Start gunicorn (--web workers) and --workere Celery workers on `env`, appending them
    to `processer`; wait for the web port and return it."""
    port = _fri_port()
    bin_ = Path(sys.executable).parent
    weblog = logmappe / "gunicorn.log"
    # the checkout whose code the servers run (--kode; notifikationer.py and belastning.py
    # have no such option and run this one)
    kode = getattr(args, "kode", str(ROD))
    processer.append(
        subprocess.Popen(  # noqa: S603 (our own server, fixed arguments)
            [str(bin_ / "gunicorn"), "datadeling.wsgi", "-b", f"127.0.0.1:{port}",
             "-w", str(args.web), "--timeout", "300"],
            cwd=kode, env=env, stdout=weblog.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    )  # fmt: skip
    for n in range(args.workere):
        processer.append(
            subprocess.Popen(  # noqa: S603 (our own worker, fixed arguments)
                [str(bin_ / "celery"), "-A", "datadeling", "worker", "--pool", "prefork",
                 "--concurrency", str(args.concurrency), "-n", f"bench{n}@%h",
                 "--without-heartbeat", "--without-mingle", "--without-gossip",
                 "--loglevel", "WARNING"],
                cwd=kode, env=env, stdout=(logmappe / f"worker{n}.log").open("wb"),
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        )  # fmt: skip
    _vent_paa_port(port, processer[0], weblog)
    return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--beskeder", type=int, default=5000, help="beskeder pr. kørsel")
    parser.add_argument("--koersler", type=int, default=3, help="antal kørsler (median)")
    parser.add_argument("--batch", type=int, default=1000, help="beskeder pr. POST")
    parser.add_argument("--workere", type=int, default=1, help="Celery-workerprocesser")
    parser.add_argument("--concurrency", type=int, default=2, help="pr. worker (prefork)")
    parser.add_argument("--web", type=int, default=1, help="gunicorn-workere")
    parser.add_argument("--borgere", type=int, default=500)
    parser.add_argument(
        "--indsats", type=float, default=0.0, help="andel af objekterne, der er indsatser (0–1)"
    )
    parser.add_argument(
        "--mix", action="store_true", help="den realistiske blanding af objekttyper (MIX)"
    )
    parser.add_argument("--broker", default="", help="broker-URL (standard: db 9 på REDIS_URL)")
    parser.add_argument("--log", default=str(ROD / ".bench-log"), help="mappe til procesloggene")
    parser.add_argument("--json", help="skriv tallene til denne fil (benchmarks/alle.py)")
    parser.add_argument(
        "--kode",
        default=str(ROD),
        help="checkout, hvis kode gunicorn og Celery kører (A/B: en anden checkout af samme"
        " skema, fx den uændrede main)",
    )
    args = parser.parse_args()
    broker = _broker(args)

    import django

    django.setup()
    import redis
    from django.db import connection
    from django.db.models import Max, Min

    from mox.models import Besked
    from mox.protokol import Status

    if broker.startswith("redis"):
        redis.Redis.from_url(broker).flushdb()
    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = DATABASE_NAME
    gammelt_navn = connection.settings_dict["NAME"]
    print(f"Opretter en midlertidig database ({DATABASE_NAME}) …", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    processer: list[subprocess.Popen] = []
    logmappe = Path(args.log)
    logmappe.mkdir(parents=True, exist_ok=True)
    try:
        enhed, cprs, typer, token, secret = _byg(args.borgere)
        env = _miljoe(broker)
        port = _start(args, env, logmappe, processer)
        time.sleep(3)  # let the workers connect before the clock runs
        print(
            f"{args.beskeder} beskeder pr. kørsel ({args.beskeder // TRIN} objekter x {TRIN},"
            + (
                " blandet: " + ", ".join(f"{a} {andel:.0%}" for a, andel in MIX.items())
                if args.mix
                else f" {args.indsats:.0%} indsatser"
            )
            + "),"
            f" POST á {args.batch}; gunicorn {args.web} worker, Celery {args.workere} x"
            f" prefork {args.concurrency}; {os.cpu_count()} kerner",
            flush=True,
        )
        ingress, ende, p50er, p95er = [], [], [], []
        for koersel in range(1, args.koersler + 1):
            alle = _beskeder(args.beskeder, enhed, cprs, typer, args.indsats, args.mix)
            ids = [b["beskedID"] for b in alle]
            t0 = time.monotonic()
            _send(port, token, secret, alle, args.batch)
            t_ingress = time.monotonic() - t0
            egne = Besked.objects.filter(besked_id__in=ids)
            frist = time.monotonic() + 3600
            while egne.filter(status__in=[Status.MODTAGET, Status.VENTER]).exists():
                for p in processer:
                    if p.poll() is not None:
                        raise SystemExit(f"En proces stoppede; se {logmappe}")
                if time.monotonic() > frist:
                    raise SystemExit("Beskederne blev ikke behandlet inden for en time")
                time.sleep(0.1)
            t_alt = time.monotonic() - t0
            ikke_behandlet = egne.exclude(status=Status.BEHANDLET).count()
            if ikke_behandlet:
                eksempel = list(egne.exclude(status=Status.BEHANDLET).values("fejl")[:3])
                raise SystemExit(f"{ikke_behandlet} beskeder endte ikke behandlet: {eksempel}")
            ventetider = sorted(
                (b - m).total_seconds() for m, b in egne.values_list("modtaget", "behandlet")
            )
            graenser = egne.aggregate(start=Min("modtaget"), slut=Max("behandlet"))
            db_tid = (graenser["slut"] - graenser["start"]).total_seconds()
            p50 = statistics.median(ventetider)
            p95 = ventetider[int(0.95 * (len(ventetider) - 1))]
            ingress.append(len(alle) / t_ingress)
            ende.append(len(alle) / t_alt)
            p50er.append(p50)
            p95er.append(p95)
            print(
                f"  kørsel {koersel}: ingress {ingress[-1]:.0f} beskeder/s ({t_ingress:.1f} s);"
                f" ende til ende {ende[-1]:.0f} beskeder/s ({t_alt:.1f} s; første modtaget →"
                f" sidste behandlet {db_tid:.1f} s);"
                f" modtaget→behandlet p50 {p50:.2f} s, p95 {p95:.2f} s",
                flush=True,
            )
        print(
            f"Median af {args.koersler} kørsler: ingress {statistics.median(ingress):.0f}"
            f" beskeder/s; ende til ende {statistics.median(ende):.0f} beskeder/s;"
            f" modtaget→behandlet p50 {statistics.median(p50er):.2f} s,"
            f" p95 {statistics.median(p95er):.2f} s"
        )
        toppe = top_rss_traer([p.pid for p in processer])
        print("Højeste residente hukommelse (VmHWM) pr. proces:")
        print(udskriv_toppe(toppe))
        celery = [mib for navn, mib in toppe.values() if "celery" in navn]
        if celery:
            print(f"  største Celery-proces: {max(celery):.1f} MiB")
        gem(
            args.json,
            "mox",
            {
                "ingress_pr_s": statistics.median(ingress),
                "ende_til_ende_pr_s": statistics.median(ende),
                "modtaget_behandlet_p50_ms": statistics.median(p50er) * 1000,
                "modtaget_behandlet_p95_ms": statistics.median(p95er) * 1000,
                "stoerste_celery_proces_mib": max(celery, default=0.0),
            },
        )
    finally:
        _stop(processer)
        connection.creation.destroy_test_db(gammelt_navn, verbosity=0)


if __name__ == "__main__":
    main()
