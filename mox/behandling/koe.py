"""Order and claiming of inbox messages: which message may go now, which goes next.

Messages about the same object (objekttype, objektID) are applied in the order they were
received (arrival time, then insertion order; the index mox_besked_orden), one at a time
(a transaction-level advisory lock per object, `laas_objekt`). A message waits
(`venter`) while an earlier one for the same object is still open (modtaget or venter),
with one exception: before the object exists, only an earlier create/import holds a
create back — an update sent before its create waits for the create, not the other way
round. When a message is finished (behandlet or fejlet) the next open message for its
object is enqueued after the commit if it is waiting; the periodic sweep (`fej_op`)
catches anything whose enqueue was lost (broker down, worker killed).
"""

from __future__ import annotations

import datetime
import logging
import zlib
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from datadeling.core import clock
from mox.models import Besked
from mox.protokol import Operation, Status

logger = logging.getLogger(__name__)

STYKKER = 20
"""Messages per task when a batch is enqueued: fewer broker round trips, still spread over
the workers (each message keeps its own transaction)."""

AABNE = (Status.MODTAGET, Status.VENTER)
OPRETTER = (Operation.CREATE, Operation.IMPORT)


def maks_ventetid() -> datetime.timedelta:
    """How long a message may wait for the object it changes before it fails."""
    return getattr(settings, "MOX_MAKS_VENTETID", datetime.timedelta(hours=24))


def fej_op_alder() -> datetime.timedelta:
    """How old an open message must be before the sweep enqueues it again."""
    return getattr(settings, "MOX_FEJ_OP_ALDER", datetime.timedelta(seconds=60))


def laas_objekt(besked: Besked) -> None:
    """Take the transaction-level lock on the message's object (waiting up to the lock
    timeout, then OperationalError: the task retries).

    With it, one message per object is applied at a time, and a message decides to wait
    only while no earlier message for its object is being applied — so the earlier one,
    when it finishes, sees the waiting one as `venter` and enqueues it (no lost wake-up).
    """
    klasse = zlib.crc32(f"mox:{besked.objekttype}".encode()) - 2**31
    objekt = int.from_bytes(besked.objekt_id.bytes[:4], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '10s'")
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [klasse, objekt])


def _samme_objekt(besked: Besked):
    return Besked.objects.filter(
        objekttype=besked.objekttype, objekt_id=besked.objekt_id, status__in=AABNE
    ).exclude(pk=besked.pk)


def har_forgaenger(besked: Besked, *, objekt_findes: bool) -> bool:
    """Return whether an earlier message for the same object is still open."""
    tidligere = _samme_objekt(besked).filter(
        Q(modtaget__lt=besked.modtaget) | Q(modtaget=besked.modtaget, pk__lt=besked.pk)
    )
    if not objekt_findes and besked.operation in OPRETTER:
        tidligere = tidligere.filter(operation__in=OPRETTER)
    return tidligere.exists()


def naeste(besked: Besked) -> int | None:
    """Return the id of the first open message for the same object (other than this one)."""
    return _samme_objekt(besked).order_by("modtaget", "pk").values_list("pk", flat=True).first()


def saet_i_koe(besked_ids: Iterable[int]) -> None:
    """Enqueue the messages for processing after the current transaction commits."""
    ids = list(besked_ids)
    if not ids:
        return

    def send() -> None:
        from mox.tasks import behandl_besked

        for pk in ids:
            behandl_besked.delay(pk)

    transaction.on_commit(send)


def gamle_aabne(*, graense: int = 1000) -> list[int]:
    """Return the ids of open messages older than the sweep age, oldest first."""
    foer = clock.now() - fej_op_alder()
    return list(
        Besked.objects.filter(status__in=AABNE, modtaget__lt=foer)
        .order_by("modtaget", "pk")
        .values_list("pk", flat=True)[:graense]
    )


@transaction.atomic
def besked_behandl_igen(*, besked_ids: Iterable[int], actor=None) -> int:
    """Reopen failed messages (status modtaget, errors cleared) and enqueue them; return
    how many were reopened. Messages that are not fejlet are left alone."""
    ids = list(
        Besked.objects.select_for_update(of=("self",))
        .filter(pk__in=list(besked_ids), status=Status.FEJLET)
        .order_by("modtaget", "pk")
        .values_list("pk", flat=True)
    )
    # The original arrival time stays: the message keeps its place in its object's order.
    Besked.objects.filter(pk__in=ids).update(status=Status.MODTAGET, fejl=[], behandlet=None)
    saet_i_koe(ids)
    logger.info("MOX: %d fejlede beskeder sat til behandling igen af %s", len(ids), actor)
    return len(ids)
