"""The coverage rule: which of a citizen's data one consent version covers, for whom.

A consent version covers an object (a Tilstand or an Indsats) when
- the object is the consent's citizen's,
- the object is active (current),
- its responsible unit (ansvarlig enhed) is one of the consent's sources (kilder), and
- its type, or one of the type's ancestors in the code system, is one of the consent's
  categories (kategorier): a category covers its whole subtree.
A consent that names a profession (faglighed) is open only to readers of that profession;
a reader without one (a system acting for a unit) reaches only consents that name none.

The rule is written twice, side by side and nowhere else: once as a filter for the
database (`daekker_q`, `fag_q`) and once in Python (`daekker`, `aaben_for`), for code
that already holds the consents and the objects and must not ask one query per pair.
tests/samtykke/test_daekning_egenskab.py holds the two equal on random data.
Whether a consent is in force, and whom it addresses, is decided by the other modules.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from django.db.models import Q

from datadeling.core import memo
from klassifikation.models import Klasse
from samtykke.models import Samtykke

if TYPE_CHECKING:
    from indsats.models import Indsats
    from tilstand.models import Tilstand


def daekker_q(samtykke: Samtykke, *, ogsaa_passive: bool = False) -> Q:
    """Return the filter for the data (Tilstand, Indsats) that a consent version covers.

    With `ogsaa_passive`, data that is no longer active counts as if it were.
    """
    kategorier = list(samtykke.kategorier)
    felter: dict[str, object] = {
        "borger_id": samtykke.borger_id,
        "ansvarlig_enhed_id__in": samtykke.kilder,
    }
    if not ogsaa_passive:
        felter["aktiv"] = True
    return Q(**felter) & (Q(type_id__in=kategorier) | Q(type__sti__overlap=kategorier))


def daekker(
    samtykke: Samtykke,
    objekt: Tilstand | Indsats,
    typer: AbstractSet,
    *,
    ogsaa_passive: bool = False,
) -> bool:
    """Return whether a consent version covers `objekt`, as `daekker_q` decides it.

    `typer` is the set of the object's type and its ancestors (see `typer`).
    """
    return (
        objekt.borger_id == samtykke.borger_id
        and (objekt.aktiv or ogsaa_passive)
        and objekt.ansvarlig_enhed_id in samtykke.kilder
        and not typer.isdisjoint(samtykke.kategorier)
    )


def fag_q(faglighed_id: uuid.UUID | None, prefix: str = "samtykke__") -> Q:
    """Return the filter for consents open to a reader of this profession (None: none)."""
    q = Q(**{f"{prefix}faglighed__isnull": True})
    if faglighed_id is not None:
        q |= Q(**{f"{prefix}faglighed_id": faglighed_id})
    return q


def aaben_for(samtykke: Samtykke, faglighed_id: uuid.UUID | None) -> bool:
    """Return whether a consent version is open to a reader of this profession, as `fag_q`
    decides it."""
    return samtykke.faglighed_id is None or samtykke.faglighed_id == faglighed_id


def typer(type_ids: Iterable) -> dict:
    """Return {type id: the type and its ancestors}, for `daekker`.

    One query for the types the unit of work does not know yet (datadeling.core.memo).
    """
    type_ids = set(type_ids)
    stier = memo.hent_mange(
        "klasse_sti",
        type_ids,
        lambda ids: dict(Klasse.objects.filter(pk__in=ids).values_list("pk", "sti")),
    )
    return {t: {t, *(stier.get(t) or [])} for t in type_ids}
