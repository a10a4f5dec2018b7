"""Benchmark: `demo_data --borgere N` at growing N — time, rows and peak memory.

    .venv/bin/python benchmarks/demo_skala.py [--borgere 10000 100000]

For each N, in a throwaway database of its own (BENCH_DATABASE_NAME, default
bench_datadeling_skala, on DATABASE_URL's server; created and dropped again), a child
process migrates, imports the code systems and runs `demo_data --borgere N`, then prints
its own peak resident memory (benchmarks/hukommelse.py). Memory must stay flat as N grows
10x: the copies are streamed with COPY a batch at a time (demo/masse.py).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROD = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROD))
from benchmarks._resultat import gem  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datadeling.settings")

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "bench_datadeling_skala")


def _en(n: int, ud_fil: str | None) -> None:
    """In the child: build N citizens in a throwaway database; print time and peak RSS."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.hukommelse import egen_top_mib

    connection.settings_dict.setdefault("TEST", {})["NAME"] = DATABASE_NAME
    gammelt_navn = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        t0 = time.monotonic()
        ud = io.StringIO()
        call_command("demo_data", "--borgere", str(n), stdout=ud, stderr=io.StringIO())
        tid = time.monotonic() - t0
        kopi = re.search(r"Kopierede borgere: .*?\((\d+\.\d) s\)", ud.getvalue())
        with connection.cursor() as c:
            c.execute(
                "SELECT sum(n_live_tup) FROM pg_stat_user_tables"
                " WHERE relname LIKE ANY (ARRAY['tilstand_%%', 'indsats_%%', 'samtykke_%%',"
                " 'organisation_borger', 'auth_user'])"
            )
            raekker = c.fetchone()[0]
        print(
            f"  {n:>7} borgere: {tid:6.1f} s i alt (kopierne {kopi.group(1) if kopi else '?'} s),"
            f" ca. {raekker} rækker; højeste RSS {egen_top_mib():.0f} MiB",
            flush=True,
        )
        if ud_fil:
            with open(ud_fil, "a") as f:  # noqa: PTH123
                f.write(json.dumps({"n": n, "s": tid, "mib": egen_top_mib()}) + "\n")
    finally:
        connection.close()
        connection.creation.destroy_test_db(gammelt_navn, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--borgere", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--en", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ud", help=argparse.SUPPRESS)
    parser.add_argument("--json", help="skriv tallene til denne fil (benchmarks/alle.py)")
    args = parser.parse_args()
    if args.en:
        _en(args.en, args.ud)
        return
    print(f"demo_data --borgere N ({os.cpu_count()} kerner, load {os.getloadavg()[0]:.1f}):")
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as ud:
        for n in args.borgere:
            subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--en", str(n), "--ud", ud.name], check=True
            )
        maalinger = [json.loads(linje) for linje in Path(ud.name).read_text().splitlines()]
    figurer = {}
    for m in maalinger:
        figurer[f"borgere_{m['n']}_s"] = m["s"]
        figurer[f"borgere_{m['n']}_top_rss_mib"] = m["mib"]
    gem(args.json, "demo_skala", figurer)


if __name__ == "__main__":
    main()
