"""Crash test: kill -9 a real worker process in the middle of 5,000 messages, start another,
and every message is applied exactly once, in order per object; the same batch sent again
changes nothing.

Slow (it starts and kills worker processes): run it with `-m slow` or by name. Needs
REDIS_URL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count

from datadeling.core import dburl
from mox.models import Besked
from mox.protokol import Status
from mox.tasks import fej_op
from tests.mox.test_behandling import indpak, tilstand_data, v
from tilstand.models import TilstandRegistrering

pytestmark = [
    pytest.mark.slow,
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL, reason="no broker configured (set REDIS_URL)"
    ),
]

OBJEKTER = 1000
TRIN = 5  # 5,000 messages
BATCH = 1000


def database_url() -> str:
    """The test database as a URL a worker process can use."""
    return dburl.database_url(connection.settings_dict)


def start_worker_proces(
    log: Path, *, broker: str | None = None, ekstra_env: dict | None = None, concurrency: int = 2
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": os.environ.get("SECRET_KEY", "test-" + uuid.uuid4().hex),
        "CELERY_BROKER_URL": broker or settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "datadeling.settings",
        **(ekstra_env or {}),
    }
    env.pop("TEST_DATABASE_NAME", None)
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(  # noqa: S603 (our own worker, fixed arguments)
        [
            str(celery),
            "-A",
            "datadeling",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
        ],  # fmt: skip
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: kill -9 takes the pool children too
    )


def kill_9(proces: subprocess.Popen) -> None:
    os.killpg(proces.pid, signal.SIGKILL)
    proces.wait(timeout=10)


def beskeder(grundlag) -> tuple[list[dict], list[str]]:
    ids = [str(uuid.uuid4()) for _ in range(OBJEKTER)]
    alle = []
    for trin in range(TRIN):
        for objekt_id in ids:
            if trin == 0:
                data = tilstand_data(grundlag, fra="2024-01-01", beskrivelse="trin 0")
                data["note"] = "trin 0"
                alle.append(indpak(data, objekt_id=objekt_id))
            else:
                data = {
                    "note": f"trin {trin}",
                    "attributter": {
                        "tilstandegenskaber": [
                            {"beskrivelse": f"trin {trin}", "virkning": v(f"2024-0{trin + 1}-01")}
                        ]
                    },
                }
                alle.append(indpak(data, operation="update", objekt_id=objekt_id))
    return alle, ids


def send_alle(afsender, alle) -> None:
    for start in range(0, len(alle), BATCH):
        svar = afsender.post({"beskeder": alle[start : start + BATCH]})
        assert svar.status_code == 202, svar.content[:500]


def behandlede() -> int:
    return Besked.objects.filter(status=Status.BEHANDLET).count()


@pytest.mark.django_db(transaction=True)
def test_kill_9_during_5000_messages_loses_and_duplicates_nothing(
    afsender, grundlag, tmp_path, settings
):
    import datetime

    settings.MOX_FEJ_OP_ALDER = datetime.timedelta(seconds=5)
    log = tmp_path / "worker.log"
    alle, ids = beskeder(grundlag)
    foerste = start_worker_proces(log)
    anden = None
    try:
        frist = time.monotonic() + 300
        # The worker is killed as soon as 1,000 messages are applied, while the rest are
        # still being sent (a fast worker could otherwise finish before the kill).
        sendt = 0
        while behandlede() < 1000:
            assert time.monotonic() < frist, log.read_text()[-3000:]
            assert foerste.poll() is None, log.read_text()[-3000:]
            if sendt < len(alle):
                send_alle(afsender, alle[sendt : sendt + BATCH])
                sendt += BATCH
            else:
                time.sleep(0.05)
        kill_9(foerste)  # mid-batch, mid-task most likely
        efter_drab = behandlede()
        assert efter_drab < len(alle)
        anden = start_worker_proces(log)
        send_alle(afsender, alle[sendt:])
        send_alle(afsender, alle)  # the same batch again: stored once, applied once
        naeste_fejning = 0.0
        while behandlede() < len(alle):
            assert time.monotonic() < frist, (
                list(Besked.objects.exclude(status=Status.BEHANDLET).values("status", "fejl")[:5]),
                log.read_text()[-3000:],
            )
            if time.monotonic() > naeste_fejning:  # what beat does every minute
                fej_op()
                naeste_fejning = time.monotonic() + 5
            time.sleep(0.5)
    finally:
        for proces in (foerste, anden):
            if proces is not None and proces.poll() is None:
                kill_9(proces)

    assert Besked.objects.count() == len(alle)
    assert not Besked.objects.exclude(status=Status.BEHANDLET).exists()
    antal = dict(
        TilstandRegistrering.objects.filter(tilstand_id__in=ids)
        .values_list("tilstand_id")
        .annotate(n=Count("id"))
    )
    assert set(antal.values()) == {TRIN}, "each message applied exactly once"
    raekker = TilstandRegistrering.objects.filter(tilstand_id__in=ids).order_by(
        "tilstand_id", "nummer"
    )
    pr_objekt: dict = {}
    for tilstand_id, begrundelse in raekker.values_list("tilstand_id", "begrundelse"):
        pr_objekt.setdefault(tilstand_id, []).append(begrundelse)
    forventet = [f"trin {i}" for i in range(TRIN)]
    assert all(b == forventet for b in pr_objekt.values()), "in order per object"
    print(
        f"\nkill -9 after {efter_drab} of {len(alle)} applied ({sendt} sent);"
        " all applied once, in order"
    )
