"""Outages: Redis restarts (losing every queued task, as it keeps nothing on disk) and
PostgreSQL goes away for a moment, while a real worker applies a batch. Afterwards every
message is applied exactly once, in order per object: the inbox is the source of truth,
the sweep re-enqueues what the broker lost, transient database errors retry.

Slow (they start and kill processes): `make test-slow`. The Redis test starts a redis-server of its
own on a free port (the machine's Redis stays untouched); the PostgreSQL test cuts the
worker's connections to the test database and refuses new ones for a few seconds.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.db.models import Count

from mox import services
from mox.behandling.koe import STYKKER
from mox.models import Besked
from mox.protokol import Status
from tests.mox.test_worker_kill import beskeder, kill_9, start_worker_proces
from tilstand.models import TilstandRegistrering

pytestmark = [pytest.mark.slow, pytest.mark.celery_worker]

TRIN = 5  # messages per object, as in test_worker_kill.beskeder


def _fri_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int, mappe: Path) -> subprocess.Popen:
    proces = subprocess.Popen(  # noqa: S603 (the machine's redis-server, fixed arguments)
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(mappe)],
        stdout=(mappe / "redis.log").open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proces
        except OSError:
            time.sleep(0.1)
    raise AssertionError("redis-server startede ikke")


def _gem_uden_koe(afsender, alle: list[dict]) -> list[int]:
    """Store the messages in the inbox without enqueueing them (the test sends the tasks)."""
    from mox.signals import beskeder_klar

    modtagere = beskeder_klar.receivers
    beskeder_klar.receivers = []
    try:
        for start in range(0, len(alle), 1000):
            services.beskeder_receive(system=afsender.system, beskeder=alle[start : start + 1000])
    finally:
        beskeder_klar.receivers = modtagere
    return list(Besked.objects.order_by("modtaget", "pk").values_list("pk", flat=True))


def _app(broker: str) -> Celery:
    """A bare client of the broker that routes tasks to the queues the project's workers
    consume (mox.* to `mox`), as the project's own app does."""
    from django.conf import settings

    app = Celery(broker=broker)
    app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    app.conf.task_routes = settings.CELERY_TASK_ROUTES
    return app


def _send_opgaver(broker: str, pks: list[int]) -> None:
    app = _app(broker)
    try:
        for start in range(0, len(pks), STYKKER):
            app.send_task("mox.behandl_beskeder", args=[pks[start : start + STYKKER]])
    finally:
        app.close()


@contextlib.contextmanager
def _vedligehold():
    """A cursor on the server's maintenance database (a database cannot lock itself out)."""
    params = connection.get_connection_params()
    forbindelse = psycopg.connect(
        dbname="postgres",
        autocommit=True,
        **{k: params[k] for k in ("user", "password", "host", "port") if params.get(k)},
    )
    try:
        with forbindelse.cursor() as c:
            yield c
    finally:
        forbindelse.close()


def _fej_op(broker: str) -> None:
    """What beat does every minute: ask a worker to sweep for open messages."""
    app = _app(broker)
    try:
        app.send_task("mox.fej_op")
    finally:
        app.close()


def _behandlede() -> int:
    return Besked.objects.filter(status=Status.BEHANDLET).count()


def _vent_til(betingelse, *, frist: float, log: Path, proces: subprocess.Popen, hver=None):
    naeste = 0.0
    while not betingelse():
        assert time.monotonic() < frist, (
            list(Besked.objects.exclude(status=Status.BEHANDLET).values("status", "fejl")[:5]),
            log.read_text(errors="replace")[-3000:],
        )
        assert proces.poll() is None, log.read_text(errors="replace")[-3000:]
        if hver is not None and time.monotonic() > naeste:
            hver()
            naeste = time.monotonic() + 5
        time.sleep(0.1)


def _alt_anvendt_en_gang_i_orden(alle: list[dict], ids: list[str]) -> None:
    assert Besked.objects.count() == len(alle)
    assert not Besked.objects.exclude(status=Status.BEHANDLET).exists()
    antal = dict(
        TilstandRegistrering.objects.filter(tilstand_id__in=ids)
        .values_list("tilstand_id")
        .annotate(n=Count("id"))
    )
    assert set(antal.values()) == {TRIN}, "each message applied exactly once"
    pr_objekt: dict = {}
    for tilstand_id, begrundelse in (
        TilstandRegistrering.objects.filter(tilstand_id__in=ids)
        .order_by("tilstand_id", "nummer")
        .values_list("tilstand_id", "begrundelse")
    ):
        pr_objekt.setdefault(tilstand_id, []).append(begrundelse)
    assert all(b == [f"trin {i}" for i in range(TRIN)] for b in pr_objekt.values())


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
@pytest.mark.django_db(transaction=True)
def test_redis_restart_mid_batch_loses_and_duplicates_nothing(afsender, grundlag, tmp_path):
    # 5,000 messages (test_worker_kill.OBJEKTER x TRIN): the worker applies over a
    # thousand a second, so fewer would leave little of the batch to cut into
    port = _fri_port()
    broker = f"redis://127.0.0.1:{port}/0"
    redis = _start_redis(port, tmp_path)
    log = tmp_path / "worker.log"
    worker = start_worker_proces(log, broker=broker, ekstra_env={"MOX_FEJ_OP_ALDER_SEKUNDER": "2"})
    try:
        alle, ids = beskeder(grundlag)
        pks = _gem_uden_koe(afsender, alle)
        _send_opgaver(broker, pks)
        frist = time.monotonic() + 600
        _vent_til(lambda: _behandlede() >= 200, frist=frist, log=log, proces=worker)
        kill_9(redis)  # every queued and unacknowledged task is gone with it
        foer = _behandlede()
        assert foer < len(alle)
        time.sleep(2)
        redis = _start_redis(port, tmp_path)
        # the sweep, run by the worker after it reconnected, finds what Redis lost
        _vent_til(
            lambda: _behandlede() == len(alle),
            frist=frist,
            log=log,
            proces=worker,
            hver=lambda: _fej_op(broker),
        )
    finally:
        for proces in (worker, redis):
            if proces.poll() is None:
                kill_9(proces)
    _alt_anvendt_en_gang_i_orden(alle, ids)
    print(f"\nRedis restarted after {foer} of {len(alle)} applied; all applied once, in order")


@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="no broker configured (set REDIS_URL)")
@pytest.mark.django_db(transaction=True)
def test_postgresql_gone_for_a_moment_loses_and_duplicates_nothing(afsender, grundlag, tmp_path):
    # 5,000 messages (test_worker_kill.OBJEKTER x TRIN): the worker applies over a
    # thousand a second, so fewer would leave little of the batch to cut into
    log = tmp_path / "worker.log"
    worker = start_worker_proces(log, ekstra_env={"MOX_FEJ_OP_ALDER_SEKUNDER": "2"})
    navn = connection.settings_dict["NAME"]
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        egen_pid = c.fetchone()[0]
    try:
        alle, ids = beskeder(grundlag)
        pks = _gem_uden_koe(afsender, alle)
        _send_opgaver(settings.CELERY_BROKER_URL, pks)
        frist = time.monotonic() + 600
        _vent_til(lambda: _behandlede() >= 200, frist=frist, log=log, proces=worker)
        with _vedligehold() as c:
            # the database refuses new connections, and every open one but ours is cut
            c.execute(f'ALTER DATABASE "{navn}" WITH ALLOW_CONNECTIONS false')
            c.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> %s",
                [navn, egen_pid],
            )
            afbrudt = c.fetchone()[0]
        foer = _behandlede()
        time.sleep(4)
        with _vedligehold() as c:
            c.execute(f'ALTER DATABASE "{navn}" WITH ALLOW_CONNECTIONS true')
        assert afbrudt >= 1, "the worker had connections to cut"
        assert foer < len(alle)
        _vent_til(
            lambda: _behandlede() == len(alle),
            frist=frist,
            log=log,
            proces=worker,
            hver=lambda: _fej_op(settings.CELERY_BROKER_URL),
        )
    finally:
        with _vedligehold() as c:
            c.execute(f'ALTER DATABASE "{navn}" WITH ALLOW_CONNECTIONS true')
        if worker.poll() is None:
            kill_9(worker)
    _alt_anvendt_en_gang_i_orden(alle, ids)
    print(f"\nPostgreSQL cut after {foer} of {len(alle)} applied; all applied once, in order")
