"""The benchmarks' figures as JSON, for benchmarks/alle.py (docs/ydelse.md).

Each benchmark takes `--json PATH` and ends with one call:

    gem(args.json, "samtykke", {"liste_median_ms": 12.3, "liste_p95_ms": 15.0})

Figures are numbers under short names; the name says the unit (`_ms`, `_pr_s`, `_kib`,
`_mib`, `forespoergsler`) and so whether more is better (see alle.py). Nothing is written
without a path, so a benchmark run by hand prints only, as before.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path


def gem(json_path: str | None, navn: str, figurer: dict) -> None:
    """Write a benchmark's figures to `json_path` (nothing when it is empty)."""
    if not json_path:
        return
    data = {
        "benchmark": navn,
        "figurer": {k: v for k, v in figurer.items() if isinstance(v, int | float)},
        "argumenter": sys.argv[1:],
        "tidspunkt": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    Path(json_path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def p95(tider: list[float]) -> float:
    """Return the 95th percentile of the times (nearest rank)."""
    s = sorted(tider)
    return s[max(0, -(-len(s) * 95 // 100) - 1)]
