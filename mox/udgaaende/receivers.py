"""Connect citizen-data changes to the outbox, and the outbox to its delivery tasks.

`skriv_notifikationer` is the after-change hook of stage UDBAKKE (datadeling.core.hooks,
registered in mox.apps) for Tilstand, Indsats and a case of the case index (Sag): it
writes the notifications inside the writing transaction. Stage TILDELING (samtykke's
grant rows) always runs before it, whatever the order of the apps, so the visibility
check sees the grants of the new state. A case has no grant rows; its visibility is
decided from the consents directly (synlighed).
"""

from __future__ import annotations

from django.dispatch import receiver

from indsats.models import Indsats
from mox.signals import notifikationer_klar
from mox.udgaaende import services, tasks
from sagsindeks.models import Sag
from tilstand.models import Tilstand

SENDERE = (Tilstand, Indsats, Sag)
"""The models whose changes `skriv_notifikationer` hears of."""


def skriv_notifikationer(sender, aendringer, **kwargs) -> None:
    """Write the outbox rows for each change in the writing transaction (see services)."""
    for a in aendringer:
        services.notifikationer_write(
            objekt=a.objekt, registrering=a.registrering, livscykluskode=a.livscykluskode
        )


def skriv_dialog_notifikationer(sender, aendringer, **kwargs) -> None:
    """Write the outbox rows (metadata only) for messages written, edited or withdrawn in a
    conversation: the after-change hook of stage UDBAKKE for dialog's Besked."""
    for a in aendringer:
        services.dialog_notifikationer_write(besked=a.objekt, livscykluskode=a.livscykluskode)


@receiver(notifikationer_klar, dispatch_uid="mox_udgaaende_lever")
def lever_klare(sender, notifikation_ids: list[int], **kwargs) -> None:
    """Enqueue the delivery of outbox rows (sent after the commit that made them due)."""
    tasks.lever_hver(notifikation_ids)
