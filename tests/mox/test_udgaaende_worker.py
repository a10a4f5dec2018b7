"""A real Celery worker on Redis delivers the outbox: a committed change reaches the
webhook through the enqueue after commit, and a failed attempt through the sweep."""

from __future__ import annotations

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from datadeling.celery import app
from mox.models import Notifikation, NotifikationStatus
from mox.udgaaende.tasks import lever_udestaaende
from tests.mox import test_udgaaende as ud

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL, reason="no broker configured (set REDIS_URL)"
    ),
]

webhook = ud.webhook


def vent_til(betingelse, sekunder: float = 60) -> None:
    frist = time.monotonic() + sekunder
    while not betingelse():
        assert time.monotonic() < frist, list(
            Notifikation.objects.values("status", "forsoeg", "sidste_fejl")
        )
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_after_commit_and_retries_through_the_sweep(
    grundlag, webhook, settings
):
    settings.MOX_TILLAD_HTTP_WEBHOOK = True
    settings.MOX_NOTIFIKATION_BACKOFF = datetime.timedelta(0)  # due again at once
    g = grundlag
    s = ud.system("Omsorg", enhed=g.enhed, url=webhook.url)
    webhook.svar = [503]
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        t = ud.registrer(g)  # commits at once (no surrounding transaction): enqueued
        vent_til(lambda: Notifikation.objects.filter(forsoeg=1).exists())
        n = Notifikation.objects.get()
        assert n.status == NotifikationStatus.AFVENTER and n.sidste_fejl.startswith("HTTP 503")
        lever_udestaaende.delay()
        vent_til(lambda: Notifikation.objects.filter(status=NotifikationStatus.LEVERET).exists())
    assert len(webhook.modtaget) == 2
    assert all(webhook.signatur_gyldig(m, s.secret) for m in webhook.modtaget)
    assert webhook.modtaget[1].json["objektID"] == str(t.pk)
