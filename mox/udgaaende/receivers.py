"""Connect citizen-data changes to the outbox: `data_aendret` writes the notifications.

The signal is sent inside the writing transaction, after samtykke's receiver has brought
the object's grant rows in step (samtykke is installed before mox, so its receiver is
connected first); the visibility check therefore sees the grants of the new state. The
case index (sagsindeks.services) sends it for a Sag; a case has no grant rows, its
visibility is decided from the consents directly (synlighed).
"""

from __future__ import annotations

from django.dispatch import receiver

from datadeling.core.signals import data_aendret
from indsats.models import Indsats
from mox.udgaaende import services
from sagsindeks.models import Sag
from tilstand.models import Tilstand


@receiver(data_aendret, sender=Tilstand, dispatch_uid="mox_udgaaende_tilstand")
@receiver(data_aendret, sender=Indsats, dispatch_uid="mox_udgaaende_indsats")
@receiver(data_aendret, sender=Sag, dispatch_uid="mox_udgaaende_sag")
def skriv_notifikationer(sender, aendringer, **kwargs) -> None:
    """Write the outbox rows for each change in the writing transaction (see services)."""
    for a in aendringer:
        services.notifikationer_skriv(
            objekt=a.objekt, registrering=a.registrering, livscykluskode=a.livscykluskode
        )
