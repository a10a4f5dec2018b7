"""Celery tasks of notifications: fan out one event batch by batch, sweep for events whose
task was lost, warn of expiring consents, send the e-mail digests.

Registered when the overblik app is ready (overblik/apps.py imports this module). They take
ids, are idempotent (a notification is unique per event and person) and use late acks.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from datadeling.core import clock
from overblik.notifikation import services
from samtykke import haendelser

logger = logging.getLogger(__name__)

TRANSIENTE = (OperationalError, InterfaceError)


@shared_task(
    name="overblik.udfold",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENTE,
    retry_backoff=1,
    retry_backoff_max=60,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def udfold(haendelse_id: int, efter: int = 0) -> int | None:
    """Deliver one batch of an event, then enqueue the next batch as a task of its own (so
    one change with many followers never holds a worker for long)."""
    naeste = services.haendelse_udfold(haendelse_id=haendelse_id, efter=efter)
    if naeste is not None:
        udfold.delay(haendelse_id, naeste)
    return naeste


@shared_task(name="overblik.udfold_udestaaende", acks_late=True, time_limit=90, ignore_result=True)
def udfold_udestaaende() -> int:
    """Enqueue the fan-out of events not yet delivered (a lost signal or task)."""
    ids = services.udestaaende()
    if ids:
        udfold_mange.delay(ids)
    if ids:
        logger.info("Notifikationer: fejning satte %d hændelser til udfoldning", len(ids))
    return len(ids)


@shared_task(name="overblik.samtykker_udloeber", acks_late=True, time_limit=90, ignore_result=True)
def samtykker_udloeber() -> int:
    """Write an event for each consent that expires within SAMTYKKE_UDLOEBER_DAGE days."""
    return haendelser.udloebende_write(now=clock.now(), dage=settings.SAMTYKKE_UDLOEBER_DAGE)


@shared_task(name="overblik.email_digest", acks_late=True, time_limit=240, ignore_result=True)
def email_digest() -> int:
    """Send the e-mail digests that are due."""
    return services.email_digest_send()


@shared_task(
    name="overblik.udfold_mange",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENTE,
    retry_backoff=1,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def udfold_mange(haendelse_ids: list[int]) -> int:
    """Settle the events of one commit that nobody can be told of, in a few queries, and
    enqueue a fan-out task for each group of the others; return how many groups."""
    grupper = services.haendelser_udfold(haendelse_ids=haendelse_ids)
    for gruppe in grupper:
        if len(gruppe) == 1:
            udfold.delay(gruppe[0])
        else:
            udfold_gruppe.delay(gruppe)
    return len(grupper)


@shared_task(
    name="overblik.udfold_gruppe",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENTE,
    retry_backoff=1,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def udfold_gruppe(haendelse_ids: list[int]) -> int:
    """Deliver a group of changes with few followers in all, together; an event that
    proved to have more gets a fan-out of its own."""
    rest = services.haendelser_udfold_sammen(haendelse_ids=haendelse_ids)
    udfold_hver(rest)
    return len(haendelse_ids) - len(rest)


def udfold_hver(haendelse_ids: list[int]) -> None:
    """Enqueue the fan-out of each event."""
    for pk in haendelse_ids:
        udfold.delay(pk)


def haendelser_klar(sender, haendelse_ids: list[int], **kwargs) -> None:
    """Receiver of samtykke.haendelser.haendelser_klar (sent after the commit): one task
    for all the events of the commit (a MOX chunk's hundreds cost one message)."""
    udfold_mange.delay(haendelse_ids)
