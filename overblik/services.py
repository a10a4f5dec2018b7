"""Writes of the portals themselves: when a person last looked at what is new."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction

from datadeling.core import clock
from organisation.models import Borger
from overblik.models import Side, SidstSet

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A visit ends after this long without looking; what was new stays new while it lasts.
BESOEG_PAUSE = datetime.timedelta(minutes=30)


def sidst_set_update(
    *,
    actor: User,
    side: str,
    borger: Borger | None = None,
    besoeg: bool = False,
) -> datetime.datetime | None:
    """Record that the person looked at `side` now, and return the time since which things
    count as new for them (None: they never looked before).

    With `besoeg` (a visit), what was new at the start of the visit stays new until the
    visit ends (BESOEG_PAUSE without looking): reloading the page keeps it. Without it
    (the person marked things as seen), everything before now is seen at once.
    """
    now = clock.now()
    with transaction.atomic():
        raekke, oprettet = SidstSet.objects.select_for_update(of=("self",)).get_or_create(
            user=actor, side=Side(side), borger=borger, defaults={"sidst": now}
        )
        if oprettet:
            return None
        if not besoeg:
            raekke.forrige = raekke.sidst = now
        elif now - raekke.sidst > BESOEG_PAUSE:
            raekke.forrige, raekke.sidst = raekke.sidst, now
        else:
            raekke.sidst = max(now, raekke.sidst)
        raekke.save(update_fields=["sidst", "forrige"])
        return raekke.forrige
