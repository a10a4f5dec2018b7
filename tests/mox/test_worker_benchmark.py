"""Benchmark (prints figures, asserts no speed): messages through the HTTP ingress (Django's
test client, the whole request stack without a socket) to real worker processes on Redis
and PostgreSQL, end to end, with p50/p95 latency from receipt to applied.

    MOX_BENCHMARK=1 REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/pytest \\
        tests/mox/test_worker_benchmark.py -s -q   [MOX_BENCHMARK_ANTAL=5000]
"""

from __future__ import annotations

import os
import statistics
import time

import pytest
from django.conf import settings
from django.db.models import Max, Min

from mox.models import Besked
from mox.protokol import Status
from tests.mox.test_worker_kill import beskeder, kill_9, send_alle, start_worker_proces

pytestmark = [
    pytest.mark.slow,
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL, reason="no broker configured (set REDIS_URL)"
    ),
    pytest.mark.skipif(
        not os.environ.get("MOX_BENCHMARK"), reason="a benchmark: set MOX_BENCHMARK=1"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_benchmark_ingress_to_applied(afsender, grundlag, tmp_path, monkeypatch):
    import tests.mox.test_worker_kill as kill

    antal = int(os.environ.get("MOX_BENCHMARK_ANTAL", "5000"))
    monkeypatch.setattr(kill, "OBJEKTER", antal // kill.TRIN)
    alle, _ids = beskeder(grundlag)
    proces = start_worker_proces(tmp_path / "worker.log")
    try:
        time.sleep(3)  # let the worker start before the clock runs
        t0 = time.monotonic()
        send_alle(afsender, alle)
        t_ingress = time.monotonic() - t0
        while Besked.objects.exclude(status=Status.BEHANDLET).exists():
            assert proces.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            assert time.monotonic() - t0 < 1800
            time.sleep(0.2)
        t_alt = time.monotonic() - t0
    finally:
        kill_9(proces)
    graenser = Besked.objects.aggregate(start=Min("modtaget"), slut=Max("behandlet"))
    ventetider = sorted(
        (b - m).total_seconds() for m, b in Besked.objects.values_list("modtaget", "behandlet")
    )
    p50 = statistics.median(ventetider)
    p95 = ventetider[int(0.95 * (len(ventetider) - 1))]
    db_tid = (graenser["slut"] - graenser["start"]).total_seconds()
    print(
        f"\nMOX benchmark: {len(alle)} messages ({len(alle) // kill.TRIN} objects x {kill.TRIN}),"
        f" batches of {kill.BATCH}, 1 worker process (prefork, concurrency 2)\n"
        f"  ingress: {len(alle) / t_ingress:.0f} msg/s ({t_ingress:.1f} s)\n"
        f"  end to end: {len(alle) / t_alt:.0f} msg/s ({t_alt:.1f} s; first receipt to last"
        f" applied {db_tid:.1f} s)\n"
        f"  latency receipt→applied: p50 {p50:.2f} s, p95 {p95:.2f} s"
    )
