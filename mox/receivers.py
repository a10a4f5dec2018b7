"""Connect the ingress to the processing: stored messages are enqueued for the workers.

`besked_modtaget` is sent after the inbox commit, so the tasks always find their rows.
Without a broker (demo) the tasks run eagerly, in-process, one after the other.
"""

from __future__ import annotations

from django.dispatch import receiver

from mox.signals import besked_modtaget


@receiver(besked_modtaget, dispatch_uid="mox_behandl_modtagne")
def behandl_modtagne(sender, besked_ids: list[int], **kwargs) -> None:
    """Enqueue the newly stored messages in chunks, in the order they were sent."""
    from mox.behandling.koe import STYKKER
    from mox.tasks import behandl_beskeder

    for start in range(0, len(besked_ids), STYKKER):
        behandl_beskeder.delay(besked_ids[start : start + STYKKER])
