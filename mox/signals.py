"""The hooks by which MOX's writes ask for work without importing the tasks.

The tasks sit on top (mox.tasks, mox.udgaaende.tasks) and call the services; the services
never import them. When a service has work for the workers it sends one of these signals
after its commit, and the receivers the app connects when it is ready (mox.receivers,
mox.udgaaende.receivers) enqueue the tasks.

`beskeder_klar` carries `besked_ids`: primary keys of inbox rows (`Besked`) to process, in
order — newly stored ones (repeats of a known beskedID are not in the list), waiting ones
woken by the message they waited for, failed ones reopened by an administrator. It is sent
robustly (`meld_beskeder_klar`): a receiver that fails (the broker is down) is logged, the
sender goes on, and the rows stay open for the periodic sweep to pick up.

`notifikationer_klar` carries `notifikation_ids`: outbox rows (`Notifikation`) to deliver.
"""

from __future__ import annotations

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

beskeder_klar = Signal()
notifikationer_klar = Signal()


def meld_beskeder_klar(besked_ids: list[int]) -> None:
    """Send `beskeder_klar` (after the commit that made the rows ready); log a failure."""
    for receiver, svar in beskeder_klar.send_robust(sender=None, besked_ids=besked_ids):
        if isinstance(svar, Exception):
            # The rows are stored and stay open; the sweep will find them.
            logger.error(
                "MOX: modtageren %s af beskeder_klar fejlede (%s) for %d beskeder",
                getattr(receiver, "__qualname__", receiver),
                type(svar).__name__,
                len(besked_ids),
            )
