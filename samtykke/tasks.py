"""Celery tasks of the access rules: the access log's monthly partitions and retention."""

from __future__ import annotations

import logging

from celery import shared_task

from samtykke.adgangslog import adgangslog_vedligehold

logger = logging.getLogger(__name__)


@shared_task(
    name="samtykke.adgangslog_vedligehold",
    acks_late=True,
    soft_time_limit=600,
    time_limit=900,
    ignore_result=True,
)
def adgangslog_vedligehold_task() -> dict:
    """Create the coming months' partitions of the access log and delete the months older
    than the retention setting (idempotent: a second run finds nothing to do)."""
    v = adgangslog_vedligehold()
    if v.oprettet or v.slettet:
        logger.info(
            "Adgangslog: oprettede %s, slettede %s (%d ankre)", v.oprettet, v.slettet, v.ankre
        )
    return {"oprettet": v.oprettet, "slettet": v.slettet, "ankre": v.ankre}
