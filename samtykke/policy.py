"""The one access policy: who may see which of a citizen's data. Everything else asks it.

Today the policy knows two bases: a unit always sees the data it is responsible for
itself (egen enhed), and a citizen sees all their own data. Consent (Samtykke) and legal
basis (Hjemmel) extend it; until they do, nothing crosses a unit's border.

Every function returns a queryset filtered in the database, so a page can never hold an
object the policy did not allow; a view turns "not visible" into the same 404 as "does
not exist".
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from indsats.models import Indsats
from organisation.models import Borger
from organisation.selectors import Aktoer
from samtykke.models import Grundlag
from tilstand.models import Tilstand


def _synlig(aktoer: Aktoer, borger_id=None) -> Q:
    """Return the filter for data the person may see (optionally of one citizen)."""
    if aktoer.er_borger:
        q = Q(borger_id=aktoer.borger.pk)
    elif aktoer.er_medarbejder and aktoer.enhed_ids:
        q = Q(ansvarlig_enhed_id__in=aktoer.enhed_ids)
    else:
        return Q(pk__in=[])
    if borger_id is not None:
        q &= Q(borger_id=borger_id)
    return q & Q(aktiv=True)


def tilstande_synlige(aktoer: Aktoer, borger_id=None) -> QuerySet[Tilstand]:
    """Return the current conditions the person may see."""
    return Tilstand.objects.filter(_synlig(aktoer, borger_id))


def indsatser_synlige(aktoer: Aktoer, borger_id=None) -> QuerySet[Indsats]:
    """Return the current interventions the person may see."""
    return Indsats.objects.filter(_synlig(aktoer, borger_id))


def borgere_synlige(aktoer: Aktoer) -> QuerySet[Borger]:
    """Return the citizens of whom the person may see anything."""
    if aktoer.er_borger:
        return Borger.objects.filter(pk=aktoer.borger.pk)
    return Borger.objects.filter(
        Exists(tilstande_synlige(aktoer).filter(borger_id=OuterRef("pk")))
        | Exists(indsatser_synlige(aktoer).filter(borger_id=OuterRef("pk")))
    )


def grundlag(aktoer: Aktoer) -> str:
    """Return the basis on which the person reads what the policy shows them."""
    return Grundlag.BORGER if aktoer.er_borger else Grundlag.EGEN_ENHED


def kan_skrive(aktoer: Aktoer, enhed_id) -> bool:
    """Return whether the person may register data on behalf of the unit."""
    return aktoer.er_medarbejder and enhed_id in aktoer.enhed_ids
