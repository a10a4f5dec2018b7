"""What the property tests of a chunk written together share (test_behandling_samlet*.py)."""

from __future__ import annotations

from mox import services
from mox.behandling.anvend import _anvend_mange, anvend_mange
from mox.models import Besked, System


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
