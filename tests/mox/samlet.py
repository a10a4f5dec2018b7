"""What the property tests of a chunk written together share (test_behandling_samlet*.py)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from mox import services
from mox.behandling.anvend import _anvend_mange, anvend_mange
from mox.models import Besked, System
from mox.protokol import Status


def modtag_og_anvend(system: System, beskeder: list[dict], *, samlet: bool) -> None:
    """Receive `beskeder` from `system` and apply them in order of arrival: in one chunk,
    planned and written together (`samlet`), or each alone, in a savepoint, written at
    once (the reference the joint write must equal)."""
    services.beskeder_receive(system=system, beskeder=beskeder)
    pks = list(
        Besked.objects.filter(besked_id__in=[b["beskedID"] for b in beskeder])
        .order_by("modtaget", "pk")
        .values_list("pk", flat=True)
    )
    if samlet:
        anvend_mange(pks)
    else:
        for pk in pks:
            _anvend_mange([pk], samlet=False)


def statements_for_chunk(system: System, beskeder: list[dict]) -> int:
    """Receive `beskeder` from `system`, apply them as one chunk, and return how many
    statements the chunk took (every message must end behandlet)."""
    services.beskeder_receive(system=system, beskeder=beskeder)
    pks = list(
        Besked.objects.filter(besked_id__in=[b["beskedID"] for b in beskeder]).values_list(
            "pk", flat=True
        )
    )
    with CaptureQueriesContext(connection) as ctx:
        resultat = anvend_mange(pks)
    assert set(resultat.values()) == {Status.BEHANDLET}, (
        Besked.objects.filter(pk__in=pks)
        .exclude(status=Status.BEHANDLET)
        .values_list("fejl", flat=True)[:3]
    )
    return len(ctx.captured_queries)
