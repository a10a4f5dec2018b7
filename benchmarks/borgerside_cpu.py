"""Benchmark: the CPU time of the policy's parts of the staff citizen page.

    BENCH_DATABASE_NAME=bench_x .venv/bin/python benchmarks/citizen_page.py --n 20 --behold
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_x_20 \\
        .venv/bin/python benchmarks/borgerside_cpu.py [--repeat 60]

Reads the database `citizen_page.py --behold` kept (its caseworker and its citizen with the
most conditions) and prints the median process CPU time (ms) of `borger_til_side` (the
check that the caseworker may open the page, with its annotations: one query) and of
`adgang` (what is hidden and why), and of both as the summary page asks them
(`resume=True`: the visible set read with the check and handed to `adgang`). CPU time,
not wall time, so a busy machine disturbs it less; most of it is Django building and
compiling the policy's queries.

This is a measurement, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datadeling.settings")


def _cpu_ms(f: Callable[[], object], repeat: int) -> float:
    f()  # warm up
    tider = []
    for _ in range(repeat):
        start = time.process_time()
        f()
        tider.append((time.process_time() - start) * 1000)
    return statistics.median(tider)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db.models import Count

    from organisation.models import Borger, Medarbejder
    from organisation.selectors import aktoer_for
    from overblik.selectors import samtykke_personale
    from overblik.selectors.borger import borger_til_side

    medarbejder = Medarbejder.objects.select_related("user").order_by("pk").first()
    assert medarbejder is not None, "run citizen_page.py --behold first"
    aktoer = aktoer_for(medarbejder.user)
    borger = Borger.objects.annotate(n=Count("tilstande")).order_by("-n", "pk").first()
    assert borger is not None
    side = borger_til_side(aktoer, borger.pk)
    side_ms = _cpu_ms(lambda: borger_til_side(aktoer, borger.pk), args.repeat)
    adgang_ms = _cpu_ms(lambda: samtykke_personale.adgang(aktoer, side), args.repeat)
    print(f"borger_til_side  {side_ms:6.1f} ms CPU")
    print(f"adgang           {adgang_ms:6.1f} ms CPU")
    try:  # the summary page's variant: the visible set read with the check, used by adgang
        resume = borger_til_side(aktoer, borger.pk, resume=True)
    except TypeError:  # a checkout from before it (for A/B runs)
        return
    resume_ms = _cpu_ms(lambda: borger_til_side(aktoer, borger.pk, resume=True), args.repeat)
    adgang_ms = _cpu_ms(lambda: samtykke_personale.adgang(aktoer, resume), args.repeat)
    print(f"borger_til_side(resume=True)  {resume_ms:6.1f} ms CPU")
    print(f"adgang (med de synlige ids)   {adgang_ms:6.1f} ms CPU")
    print(f"Belastning (uptime): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
