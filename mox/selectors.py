"""Reads of the MOX ingress."""

from __future__ import annotations

import uuid

from mox.models import Besked, System


def besked_for_system(*, system: System, besked_id: uuid.UUID) -> Besked | None:
    """Return the message `besked_id` as `system` sent it, or None (also for another
    system's message: a sender sees only its own)."""
    return (
        Besked.objects.filter(system=system, besked_id=besked_id)
        .only("besked_id", "status", "fejl")
        .first()
    )
