"""A real Celery worker on Redis applies a batch sent through the HTTP ingress: every
message exactly once, in order per object."""

from __future__ import annotations

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from datadeling.celery import app
from mox.models import Besked
from mox.protokol import Status
from tests.mox.test_behandling import indpak, tilstand_data, v
from tilstand.models import Tilstand, TilstandRegistrering

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL, reason="no broker configured (set REDIS_URL)"
    ),
]

OBJEKTER = 40
TRIN = 5  # one create and four updates per object: 200 messages


def beskeder(grundlag) -> tuple[list[dict], list[str]]:
    """Return the messages (each object's in order, objects interleaved) and the ids."""
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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("pool", "concurrency"),
    [("solo", 1), ("threads", 4)],  # threads: four tasks at once contend for the same objects
)
def test_a_real_worker_applies_200_messages_once_and_in_order(
    afsender, grundlag, pool, concurrency
):
    alle, ids = beskeder(grundlag)
    with start_worker(
        app,
        pool=pool,
        concurrency=concurrency,
        perform_ping_check=False,
        shutdown_timeout=30,
    ):
        for start in range(0, len(alle), 50):  # four HTTP batches of 50
            svar = afsender.post({"beskeder": alle[start : start + 50]})
            assert svar.status_code == 202, svar.content
        frist = time.monotonic() + 120
        while Besked.objects.exclude(status=Status.BEHANDLET).exists():
            assert time.monotonic() < frist, list(
                Besked.objects.exclude(status=Status.BEHANDLET).values("status", "fejl")[:5]
            )
            time.sleep(0.2)

    assert Besked.objects.count() == OBJEKTER * TRIN
    for objekt_id in ids:
        t = Tilstand.objects.get(pk=objekt_id)
        assert t.faglig_note == f"trin {TRIN - 1}"
        begrundelser = list(
            TilstandRegistrering.objects.filter(tilstand=t)
            .order_by("nummer")
            .values_list("begrundelse", flat=True)
        )
        assert begrundelser == [f"trin {i}" for i in range(TRIN)]  # once each, in order
