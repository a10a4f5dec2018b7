"""Celery tasks of MOX: apply one inbox message, and sweep for stuck ones.

The inbox row is the source of truth, so the tasks carry only ids and may run twice:
`anvend` skips a finished message. `acks_late` with `reject_on_worker_lost` puts a task
back on the queue when its worker dies; the sweep re-enqueues whatever was lost anyway.
"""

from __future__ import annotations

import logging

from celery import shared_task

from mox.behandling import koe
from mox.behandling.anvend import TRANSIENTE, anvend, anvend_mange

logger = logging.getLogger(__name__)


@shared_task(
    name="mox.behandl_besked",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENTE,
    retry_backoff=1,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=12,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def behandl_besked(besked_id: int) -> str | None:
    """Apply one inbox message (idempotent); transient database errors retry with backoff.

    After the last retry the message is still open in the inbox and the sweep takes it.
    """
    return anvend(besked_id)


@shared_task(
    name="mox.behandl_beskeder",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENTE,
    retry_backoff=1,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=12,
    soft_time_limit=120,
    time_limit=180,
    ignore_result=True,
)
def behandl_beskeder(besked_ids: list[int]) -> None:
    """Apply a chunk of inbox messages in order, in one transaction with a savepoint per
    message (idempotent: a redelivered chunk skips what is done). A transient error rolls
    the chunk back and retries it."""
    anvend_mange(besked_ids)


@shared_task(
    name="mox.fej_op",
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def fej_op() -> int:
    """Re-enqueue open messages (modtaget, venter) older than MOX_FEJ_OP_ALDER; return how many."""
    ids = koe.gamle_aabne()
    behandl_i_stykker(ids)
    if ids:
        logger.info("MOX: fejning satte %d åbne beskeder i kø igen", len(ids))
    return len(ids)


def behandl_i_stykker(besked_ids: list[int]) -> None:
    """Enqueue the messages in order, in chunks of `koe.STYKKER`: one task and one
    transaction per chunk, not per message."""
    for start in range(0, len(besked_ids), koe.STYKKER):
        behandl_beskeder.delay(besked_ids[start : start + koe.STYKKER])
