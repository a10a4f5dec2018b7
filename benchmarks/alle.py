"""Run every benchmark and write their figures to one JSON file; compare two such files.

    .venv/bin/python benchmarks/alle.py [--hurtig] [--ud FIL] [--kun navn,navn] [--broker URL]
    .venv/bin/python benchmarks/alle.py --sammenlign foer.json efter.json [--taerskel 10]

Each benchmark runs as its own process with `--json PATH` (benchmarks/_resultat.py) and
writes its figures there; this script gathers them with the git commit, the date, the load
average before and after, and the machine, into one file (default
benchmark-resultater/<commit>-<time>.json). --hurtig runs each with small sizes, for a quick
check that they all still run; its figures are not comparable with a full run's.

--sammenlign prints a table of every figure in both files and flags a regression where a
figure got worse by more than --taerskel percent: a time (`_ms`, `_s`), a size (`_kib`,
`_mib`) or a query count (`forespoergsler`) that grew, a rate (`_pr_s`) that fell. Other
figures (sizes of the data) are shown, not judged. The exit status is 1 when anything is
flagged. docs/ydelse.md says how to use it.

Adding a benchmark is one line in BENCHMARKS below; the script must accept --json PATH.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROD = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Benchmark:
    navn: str
    script: str
    fuld: list[str] = field(default_factory=list)  # arguments of a full run
    hurtig: list[str] = field(default_factory=list)  # arguments of --hurtig
    broker: bool = False  # takes --broker (Celery workers of its own)


# One line per benchmark: name, script in benchmarks/, full run's and quick run's arguments.
BENCHMARKS = [
    Benchmark(
        "citizen_page",
        "citizen_page.py",
        ["--n", "20", "1000", "--repeat", "15"],
        ["--n", "20", "100", "--repeat", "5"],
    ),  # fmt: skip
    Benchmark(
        "samtykke",
        "samtykke.py",
        ["--objekter", "100000", "--repeat", "15"],
        ["--objekter", "10000", "--repeat", "3", "--lister", "10", "--log", "200"],
    ),  # fmt: skip
    Benchmark(
        "mox",
        "mox.py",
        ["--beskeder", "5000", "--koersler", "3"],
        ["--beskeder", "500", "--koersler", "1"],
        broker=True,
    ),  # fmt: skip
    Benchmark(
        "dialog",
        "dialog.py",
        ["--n", "1000", "--repeat", "15", "--skriv", "100", "--runder", "3"],
        ["--n", "100", "--repeat", "5", "--skriv", "20", "--runder", "1"],
    ),  # fmt: skip
    Benchmark(
        "notifikationer",
        "notifikationer.py",
        [],
        ["--foelgere", "500", "--koersler", "1", "--beskeder", "200"],
        broker=True,
    ),  # fmt: skip
    Benchmark(
        "forside", "forside.py", ["--repeat", "9"], ["--borgere", "50", "--repeat", "3"]
    ),  # fmt: skip
    Benchmark("eksport", "eksport.py", [], ["--n", "100", "--repeat", "3"]),  # fmt: skip
    Benchmark(
        "adgangslog",
        "adgangslog.py",
        ["--repeat", "5"],
        ["--repeat", "1", "--n", "400", "--stoerrelser", "20000", "--repeat-verificer", "1"],
    ),  # fmt: skip
    Benchmark(
        "mox_mix",
        "mox.py",
        ["--beskeder", "5000", "--koersler", "3", "--mix"],
        ["--beskeder", "500", "--koersler", "1", "--mix"],
        broker=True,
    ),  # fmt: skip
    Benchmark(
        "belastning",
        "belastning.py",
        ["--borgere", "100000", "--varighed", "60"],
        ["--borgere", "2000", "--varighed", "15", "--brugere", "10"],
        broker=True,
    ),  # fmt: skip
    Benchmark(
        "demo_skala",
        "demo_skala.py",
        ["--borgere", "10000", "100000"],
        ["--borgere", "1000", "10000"],
    ),  # fmt: skip
]

# Not benchmarks: the helper modules beside them, and the profiling aids (they print where
# the time goes, not figures to compare).
IKKE_BENCHMARKS = {
    "alle.py",
    "hukommelse.py",
    "locust_belastning.py",
    "mox_profil.py",
    "borgerside_cpu.py",
}

MERE_ER_BEDRE = ("_pr_s",)
MINDRE_ER_BEDRE = ("_ms", "_s", "_kib", "_mib", "forespoergsler")


def _git(*args: str) -> str:
    try:
        return subprocess.run(  # noqa: S603 (git with our own arguments)
            ["git", *args],  # noqa: S607 (git from PATH, as a developer runs it)
            cwd=ROD, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return ""


def _maskine() -> dict:
    """Return what the figures were measured on."""
    cpu = ""
    hukommelse_kib = 0
    try:
        for linje in Path("/proc/cpuinfo").read_text().splitlines():
            if linje.startswith("model name"):
                cpu = linje.split(":", 1)[1].strip()
                break
        for linje in Path("/proc/meminfo").read_text().splitlines():
            if linje.startswith("MemTotal"):
                hukommelse_kib = int(linje.split()[1])
                break
    except OSError:
        pass
    return {
        "vaert": platform.node(),
        "system": platform.platform(),
        "python": platform.python_version(),
        "kerner": os.cpu_count(),
        "cpu": cpu,
        "hukommelse_mib": hukommelse_kib // 1024,
        "postgresql": _postgresql_version(),
    }


def _postgresql_version() -> str:
    """Return the database server's version, asked through Django's settings."""
    kode = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('SHOW server_version'); print(c.fetchone()[0])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "datadeling.settings"}
    svar = subprocess.run(  # noqa: S603 (this Python, a constant program)
        [sys.executable, "-c", kode], cwd=ROD, env=env, capture_output=True, text=True
    )
    return svar.stdout.strip().splitlines()[-1] if svar.returncode == 0 and svar.stdout else ""


def _kommando(b: Benchmark, args: argparse.Namespace, json_sti: Path) -> list[str]:
    kommando = [sys.executable, str(ROD / "benchmarks" / b.script)]
    kommando += b.hurtig if args.hurtig else b.fuld
    if b.broker and args.broker:
        kommando += ["--broker", args.broker]
    return [*kommando, "--json", str(json_sti)]


def koer(args: argparse.Namespace) -> int:
    valgte = [b for b in BENCHMARKS if not args.kun or b.navn in args.kun.split(",")]
    kendte = {b.script for b in BENCHMARKS} | IKKE_BENCHMARKS
    for sti in sorted((ROD / "benchmarks").glob("*.py")):
        if sti.name not in kendte and not sti.name.startswith("_"):
            print(f"Advarsel: {sti.name} er ikke i BENCHMARKS i alle.py og køres ikke.")
    commit = _git("rev-parse", "HEAD")
    resultat = {
        "commit": commit,
        "aendret_arbejdstrae": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "dato": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "hurtig": args.hurtig,
        "belastning_foer": list(os.getloadavg()),
        "maskine": _maskine(),
        "benchmarks": {},
    }
    ud = Path(
        args.ud
        or ROD
        / "benchmark-resultater"
        / f"{commit[:10] or 'ukendt'}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    )
    ud.parent.mkdir(parents=True, exist_ok=True)
    logmappe = ud.with_suffix("")
    logmappe.mkdir(exist_ok=True)
    fejl = 0
    for b in valgte:
        with tempfile.TemporaryDirectory() as mappe:
            json_sti = Path(mappe) / f"{b.navn}.json"
            kommando = _kommando(b, args, json_sti)
            print(f"== {b.navn}: {' '.join(kommando[1:])}", flush=True)
            start = time.monotonic()
            belastning = os.getloadavg()[0]
            with open(logmappe / f"{b.navn}.log", "w") as log:
                try:
                    rc = subprocess.run(  # noqa: S603 (a script of BENCHMARKS)
                        kommando, cwd=ROD, stdout=log, stderr=subprocess.STDOUT,
                        timeout=args.timeout,
                    ).returncode  # fmt: skip
                except subprocess.TimeoutExpired:
                    rc = -1
            post: dict = {
                "kommando": kommando[1:-2],
                "returkode": rc,
                "sekunder": round(time.monotonic() - start, 1),
                "belastning_foer": belastning,
                "log": str(logmappe / f"{b.navn}.log"),
                "figurer": {},
            }
            if json_sti.exists():
                post["figurer"] = json.loads(json_sti.read_text())["figurer"]
            if rc != 0 or not post["figurer"]:
                fejl += 1
                post["fejl"] = "stoppede" if rc else "skrev ingen tal (tager den --json?)"
                print(f"   FEJL ({post['fejl']}, returkode {rc}); se {post['log']}", flush=True)
            for navn, vaerdi in post["figurer"].items():
                print(f"   {navn}: {_tal(vaerdi)}", flush=True)
            resultat["benchmarks"][b.navn] = post
            ud.write_text(json.dumps(resultat, indent=2, ensure_ascii=False) + "\n")
    resultat["belastning_efter"] = list(os.getloadavg())
    ud.write_text(json.dumps(resultat, indent=2, ensure_ascii=False) + "\n")
    print(f"Skrev {ud}")
    return 1 if fejl else 0


def _tal(v: float) -> str:
    if isinstance(v, int) or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"


def retning(navn: str) -> int:
    """Return +1 when more is better, -1 when less is better, 0 when neither."""
    if navn.endswith(MERE_ER_BEDRE):
        return 1
    if navn.endswith(MINDRE_ER_BEDRE):
        return -1
    return 0


def sammenlign(foer: dict, efter: dict, taerskel: float) -> tuple[list[list[str]], int]:
    """Return the table's rows (benchmark, figure, before, after, change, flag) and the
    number of regressions beyond `taerskel` percent."""
    raekker, regressioner = [], 0
    navne = list(foer["benchmarks"])
    navne += [n for n in efter["benchmarks"] if n not in navne]
    for b in navne:
        a = foer["benchmarks"].get(b, {}).get("figurer", {})
        e = efter["benchmarks"].get(b, {}).get("figurer", {})
        for figur in list(a) + [f for f in e if f not in a]:
            va, ve = a.get(figur), e.get(figur)
            if va is None or ve is None:
                raekker.append([b, figur, _vis(va), _vis(ve), "", "mangler"])
                continue
            aendring = (ve - va) / abs(va) * 100 if va else 0.0
            maerke = ""
            r = retning(figur)
            if r and aendring * r < -taerskel:
                maerke = "REGRESSION"
                regressioner += 1
            elif r and aendring * r > taerskel:
                maerke = "bedre"
            raekker.append([b, figur, _tal(va), _tal(ve), f"{aendring:+.0f} %", maerke])
    return raekker, regressioner


def _vis(v) -> str:
    return "–" if v is None else _tal(v)


def _udskriv_sammenligning(args: argparse.Namespace) -> int:
    foer, efter = (json.loads(Path(p).read_text()) for p in args.sammenlign)
    for navn, r in (("før", foer), ("efter", efter)):
        print(
            f"{navn}: {r.get('commit', '')[:10]} {r.get('dato', '')}"
            f"{' (hurtig)' if r.get('hurtig') else ''}, belastning"
            f" {' / '.join(f'{x:.2f}' for x in r.get('belastning_foer', []))},"
            f" {r.get('maskine', {}).get('kerner', '?')} kerner"
        )
    if foer.get("hurtig") != efter.get("hurtig"):
        print(
            "Advarsel: den ene kørsel er --hurtig, den anden ikke; tallene kan ikke sammenlignes."
        )
    raekker, regressioner = sammenlign(foer, efter, args.taerskel)
    hoved = ["benchmark", "tal", "før", "efter", "ændring", ""]
    bredder = [max(len(r[i]) for r in [hoved, *raekker]) for i in range(len(hoved))]
    for r in [hoved, ["-" * b for b in bredder], *raekker]:
        celler = zip(r, bredder, strict=True)
        print(
            "  ".join(c.rjust(w) if 2 <= i <= 4 else c.ljust(w) for i, (c, w) in enumerate(celler))
        )
    print(
        f"{regressioner} regression(er) ud over {args.taerskel:g} %"
        if regressioner
        else f"Ingen regressioner ud over {args.taerskel:g} %"
    )
    return 1 if regressioner else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hurtig", action="store_true", help="small sizes, a quick run")
    parser.add_argument("--ud", help="the JSON file to write")
    parser.add_argument("--kun", help="only these benchmarks (comma-separated names)")
    parser.add_argument("--broker", default="", help="broker URL for mox and notifikationer")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per benchmark")
    parser.add_argument("--sammenlign", nargs=2, metavar=("FOER", "EFTER"))
    parser.add_argument("--taerskel", type=float, default=10.0, help="percent (default 10)")
    args = parser.parse_args()
    sys.exit(_udskriv_sammenligning(args) if args.sammenlign else koer(args))


if __name__ == "__main__":
    main()
