"""Connect MOX's writes to its workers: messages ready for processing are enqueued.

`beskeder_klar` is sent after the commit that made the rows ready (the inbox, a finished
message waking the next, a replay), so the tasks always find their rows. Without a broker
(demo) the tasks run eagerly, in-process, one after the other.
"""

from __future__ import annotations

from django.dispatch import receiver

from mox.signals import beskeder_klar
from mox.tasks import behandl_i_stykker


@receiver(beskeder_klar, dispatch_uid="mox_behandl_klare")
def behandl_klare(sender, besked_ids: list[int], **kwargs) -> None:
    """Enqueue the messages in chunks, in the order they were given."""
    behandl_i_stykker(besked_ids)
