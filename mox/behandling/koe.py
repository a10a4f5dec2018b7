"""Order and claiming of inbox messages: which message may go now, which goes next.

Messages about the same object (objekttype, objektID) are applied in the order they were
received (arrival time, then insertion order; the index mox_besked_orden), one at a time
(a transaction-level advisory lock per object, `laas_objekter`, taken for a whole chunk).
A message waits (`venter`) while an earlier one for the same object is still open
(modtaget or venter), with one exception: before the object exists, only an earlier
create/import holds a create back — an update sent before its create waits for the
create, not the other way round. When a message is finished (behandlet or fejlet) the
next open message for its object is enqueued after the commit if it is waiting
(`Koe.naeste`); the periodic sweep (`fej_op`) catches anything whose enqueue was lost
(broker down, worker killed).
"""

from __future__ import annotations

import datetime
import functools
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q

from datadeling.core import clock
from datadeling.core.laas import Navnerum, laas
from mox import indstillinger
from mox.models import Besked
from mox.protokol import Operation, Status
from mox.signals import meld_beskeder_klar

logger = logging.getLogger(__name__)

STYKKER = 250
"""Messages per task when a batch is enqueued: one transaction per chunk, its tilstand and
indsats writes made together, so fewer statements, commits and broker round trips, still
spread over the workers. benchmarks/mox.py on 2 cores (before versions were written with
COPY): 100 → ~1,040 messages/s end to end, 250 → ~1,280."""

AABNE = (Status.MODTAGET, Status.VENTER)
OPRETTER = (Operation.CREATE, Operation.IMPORT)


def laas_objekter(beskeder: Iterable[Besked]) -> None:
    """Take the transaction-level locks on the messages' objects, in one statement and in
    a fixed order (so two workers never deadlock), waiting up to the lock timeout, then
    OperationalError: the task retries.

    With them, one message per object is applied at a time, and a message decides to wait
    only while no earlier message for its object is being applied — so the earlier one,
    when it finishes, sees the waiting one as `venter` and enqueues it (no lost wake-up).
    """
    noegler = {f"{b.objekttype}:{b.objekt_id}" for b in beskeder}
    if not noegler:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true)", [f"{indstillinger.laas_ventetid_ms()}ms"]
        )
    laas(Navnerum.MOX_OBJEKT, noegler)


@dataclass
class _Aaben:
    pk: int
    modtaget: datetime.datetime
    operation: str
    status: str


class Koe:
    """The open messages (modtaget, venter) about the objects of a chunk, read once after
    the chunk's object locks are taken, and kept in step while the chunk is applied."""

    def __init__(self, beskeder: Sequence[Besked]):
        pr_type: dict[str, set] = {}
        for b in beskeder:
            pr_type.setdefault(b.objekttype, set()).add(b.objekt_id)
        q = Q(pk__in=[])
        for objekttype, ids in pr_type.items():
            q |= Q(objekttype=objekttype, objekt_id__in=ids)
        self.aabne: dict[tuple[str, uuid.UUID], list[_Aaben]] = {}
        raekker = (
            Besked.objects.filter(q, status__in=AABNE)
            .order_by("modtaget", "pk")
            .values_list("objekttype", "objekt_id", "pk", "modtaget", "operation", "status")
        )
        for objekttype, objekt_id, *resten in raekker:
            self.aabne.setdefault((objekttype, objekt_id), []).append(_Aaben(*resten))
        self._afsluttet: set[tuple[str, uuid.UUID]] = set()
        self._proevet_efter: set[int] = set()

    @staticmethod
    def _noegle(besked: Besked) -> tuple[str, uuid.UUID]:
        return besked.objekttype, besked.objekt_id

    def har_forgaenger(self, besked: Besked, *, objekt_findes: bool) -> bool:
        """Return whether an earlier message for the same object is still open.

        Before the object exists, only an earlier create/import holds a create back.
        """
        tidligere = [
            a
            for a in self.aabne.get(self._noegle(besked), [])
            if (a.modtaget, a.pk) < (besked.modtaget, besked.pk)
        ]
        if not objekt_findes and besked.operation in OPRETTER:
            tidligere = [a for a in tidligere if a.operation in OPRETTER]
        return bool(tidligere)

    def proevet(self, besked: Besked) -> None:
        """Note the message's new status after an attempt (finished messages leave the queue)."""
        noegle = self._noegle(besked)
        liste = self.aabne.get(noegle, [])
        if besked.status in AABNE:
            for a in liste:
                if a.pk == besked.pk:
                    a.status = besked.status
            self._proevet_efter.add(besked.pk)
        else:
            self.aabne[noegle] = [a for a in liste if a.pk != besked.pk]
            self._afsluttet.add(noegle)
            # a later decision to wait was taken before this finish: it may be stale now
            self._proevet_efter -= {a.pk for a in liste}

    def naeste(self) -> list[int]:
        """Return the waiting messages to wake: for each object where a message finished,
        its first open message if that one is `venter` and was not tried after the finish
        (a `modtaget` one is on the queue already; the sweep catches a lost one)."""
        ids = []
        for noegle in self._afsluttet:
            foerste = next(iter(self.aabne.get(noegle, [])), None)
            if (
                foerste is not None
                and foerste.status == Status.VENTER
                and foerste.pk not in self._proevet_efter
            ):
                ids.append(foerste.pk)
        return ids


def saet_i_koe(besked_ids: Iterable[int]) -> None:
    """Have the messages processed after the current transaction commits, in order
    (`mox.signals.beskeder_klar`: the receiver enqueues them in chunks of STYKKER)."""
    ids = list(besked_ids)
    if ids:
        transaction.on_commit(functools.partial(meld_beskeder_klar, ids))


def gamle_aabne(*, graense: int = 1000) -> list[int]:
    """Return the ids of open messages older than the sweep age, oldest first."""
    foer = clock.now() - indstillinger.fej_op_alder()
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
