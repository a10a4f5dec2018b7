"""The citizen's side: who may act for a citizen (give, narrow and revoke consent, block,
read what the citizen may read).

A person may act for a citizen through a relation valid today that is a guardianship
(vaerge) or a power of attorney (fuldmagt) whose scope (omfang) includes consent. A
relative (paaroerende) as such may not. The pages offer exactly what the services accept,
because both ask this module.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from datadeling.core.models import gyldig_q
from organisation.models import Borger, Omfang, Relation, RelationsType

HANDLE_TYPER = (RelationsType.VAERGE, RelationsType.FULDMAGT)
"""The kinds of relation by which a person may act for a citizen."""


def handle_for_q(now: datetime.datetime) -> Q:
    """Return the filter for relations by which a person may act for a citizen today."""
    return gyldig_q(timezone.localdate(now)) & Q(
        type__in=HANDLE_TYPER, omfang__contains=[Omfang.SAMTYKKE]
    )


def kan_handle_for(person: Borger, borger: Borger, now: datetime.datetime) -> Relation | None:
    """Return the relation by which `person` may act for `borger` today, or None."""
    return Relation.objects.filter(handle_for_q(now), borger=borger, person=person).first()
