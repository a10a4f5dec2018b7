"""Celery tasks of outbound MOX: deliver one notification, and sweep for due ones.

Registered when the mox app is ready (mox/apps.py imports this module), so workers that
load Django know them. Both take ids only, may run twice (see levering.lever) and use
late acks, so a worker killed mid-delivery leaves the row for another attempt.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from mox.udgaaende import levering

logger = logging.getLogger(__name__)

TRANSIENTE = (OperationalError, InterfaceError)


@shared_task(
    name="mox.lever_notifikation",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENTE,
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def lever_notifikation(notifikation_id: int) -> str | None:
    """Try to deliver one notification (idempotent); database trouble retries the task,
    webhook trouble is recorded on the row and retried by the sweep."""
    return levering.lever(notifikation_id)


@shared_task(
    name="mox.lever_udestaaende",
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def lever_udestaaende() -> int:
    """Enqueue delivery of every due open notification, oldest first; return how many."""
    ids = levering.forfaldne()
    lever_hver(ids)
    if ids:
        logger.info("MOX: fejning satte %d notifikationer til levering", len(ids))
    return len(ids)


def lever_hver(notifikation_ids: list[int]) -> None:
    """Enqueue one delivery task per notification (each row is delivered on its own)."""
    for pk in notifikation_ids:
        lever_notifikation.delay(pk)
