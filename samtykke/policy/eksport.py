"""The citizen's download (GDPR art. 15 and 20, indsigt og dataportabilitet): who may take a
citizen's data with them, and what the download holds.

Who: the citizen, and a person acting for the citizen through a relation valid today by
which they may act (`borger.handle_for_q`: værge or fuldmagt covering consent) whose scope
also covers the citizen's health, care, social or personal matters — the same scope that
lets them read the citizen's Mine data. A relative as such may not, and nobody else.

What: everything Datadeling holds about that citizen and only that citizen: every
condition and intervention whatever its state (passivated ones too, with their whole
history), every case in the case index, every consent version, request and legal-basis
access about the citizen, the relations by which others act for them, and their access
log. Each part is one filter on the citizen's id; nothing else is ever joined in.
"""

from __future__ import annotations

import datetime
import uuid

from django.db.models import Q

from organisation.models import Borger, Omfang
from samtykke.policy.borger import kan_handle_for

EKSPORT_OMFANG = frozenset({Omfang.HELBRED, Omfang.SOCIALE, Omfang.PERSONLIGE})
"""A relation's scope must include one of these for the person to download the data."""


def maa_eksportere(person: Borger, borger: Borger, now: datetime.datetime) -> bool:
    """Return whether `person` may download everything Datadeling holds about `borger`."""
    if person.pk == borger.pk:
        return True
    relation = kan_handle_for(person, borger, now)
    return relation is not None and bool(EKSPORT_OMFANG.intersection(relation.omfang))


def eksport_q(borger_id: uuid.UUID) -> Q:
    """Return the filter for a model's rows in a download of the citizen `borger_id`: the
    rows whose citizen (`borger`) is that citizen, in every state."""
    return Q(borger_id=borger_id)
