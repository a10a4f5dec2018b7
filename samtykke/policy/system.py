"""The systems rule: which units a MOX system may write citizen data for.

A sending system (mox.models.System) is registered for a unit (`enhed`), and an
administrator may add further units (`enheder`). It may write tilstand, indsats and case
data only for those units, and only while each unit is valid today: a unit past its
validity writes nothing, as it sees nothing (rule 6 of the package). A system registered
for no unit writes no citizen data at all. Which units exist is not the system's business:
the caller answers a unit outside this set the same whether it exists or not.

The organisation it may deliver follows from the same units: a top unit (one with no
parent) or a member of staff only in an authority of one of those units
(`skrivbare_myndigheder`); below that, a unit only under a unit it delivered itself or
writes for. An authority outside is answered as one Datadeling does not know.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q

from datadeling.core.models import idag
from organisation.models import Enhed


def skrivbare_enheder(system: Any) -> frozenset[uuid.UUID]:
    """Return the ids of the units `system` may write citizen data for, valid today.

    `system` is a mox System (its `enhed_id` and its `enheder`); asked in one query.
    """
    dato = idag()
    valgt = Q(pk=system.enhed_id) if system.enhed_id is not None else Q(pk__in=[])
    if system.pk is not None:
        valgt |= Q(pk__in=system.enheder.values("pk"))
    gyldig = Q(gyldig_fra__lte=dato) & (Q(gyldig_til__isnull=True) | Q(gyldig_til__gt=dato))
    return frozenset(Enhed.objects.filter(valgt, gyldig).values_list("pk", flat=True))


def skrivbare_myndigheder(system: Any) -> frozenset[uuid.UUID]:
    """Return the ids of the authorities `system` may deliver top units and staff in: those
    of the units it may write for today (one query)."""
    enheder = skrivbare_enheder(system)
    return frozenset(
        Enhed.objects.filter(pk__in=enheder).values_list("myndighed_id", flat=True).distinct()
    )
