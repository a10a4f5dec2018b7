"""What a system acting for a unit may be told about, per object type.

Tilstand and Indsats follow samtykke.policy (`synlige_for_enhed`, `enheders_grundlag`).

A Sag follows the case index's rule (overblik.selectors.sag) as it applies to a unit rather
than to a member of staff: the unit sees a case
- whose responsible unit (ansvarlig enhed) it is, or
- through a consent in force to the unit or its authority that includes the overview of
  cases (Samtykke.sagsindeks), names no profession (a system has none) and whose sources
  (kilder) include the case's responsible unit — unless the citizen has blocked the unit or
  its authority (a block beats a consent, never the own unit).
A legal basis (Hjemmel) and a consent to a named member of staff are personal and never
reach a system; a case whose responsible unit Datadeling does not know is seen by no unit.
A unit whose own validity period has ended sees nothing. The consent and block are the
selector's own subqueries, decided in the database when the query runs, so revocation
and expiry take effect at once.

Unlike the staff screens, the rule is applied to a passivated case as well: a unit that
could see the case is told that it left the index (as a unit that saw a Tilstand is told
that it ended), and the delivery of that notification is checked the same way.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Subquery
from django.utils import timezone

from datadeling.core import clock
from indsats.models import Indsats
from overblik.selectors import sag as sag_selectors
from sagsindeks.models import Sag
from samtykke import policy
from samtykke.models import Grundlag
from tilstand.models import Tilstand

MODELLER: dict[str, Any] = {"tilstand": Tilstand, "indsats": Indsats, "sag": Sag}
"""The models whose changes are told, by objekttype (the ones that send data_aendret)."""

OBJEKTTYPER: dict[Any, str] = {model: navn for navn, model in MODELLER.items()}


def enheders_grundlag(objekt, enheder, now=None) -> dict:
    """Return {unit id: (grundlag, consent id or None)} for those of `enheder` (each with
    its `myndighed` loaded) that may see `objekt` as units, by the object type's rule."""
    if isinstance(objekt, Sag):
        return sag_enheders_grundlag(objekt, enheder, now)
    return policy.enheders_grundlag(objekt, enheder, now)


def sag_enheders_grundlag(sag: Sag, enheder, now=None) -> dict:
    """Return {unit id: (grundlag, consent id or None)} for those of `enheder` that may see
    `sag` as units (see the module docstring).

    No query when every unit is the case's own (or none can be); otherwise one, whatever
    the number of units: a consent subquery and a block test per unit.
    """
    now = now or clock.now()
    idag = timezone.localtime(now).date()
    svar: dict = {}
    rest = []
    for e in enheder:
        if not e.gyldig_paa(idag):
            continue
        if sag.ansvarlig_enhed_id == e.pk:
            svar[e.pk] = (Grundlag.EGEN_ENHED, None)
        elif sag.ansvarlig_enhed_id is not None:
            rest.append(e)  # no consent's sources can name a unit Datadeling does not know
    if not rest:
        return svar
    felter = {}
    for i, e in enumerate(rest):
        aktoer = policy.enhed_aktoer(e)
        samtykker = sag_selectors.samtykker_til_sag(aktoer, now)
        felter[f"s{i}"] = Subquery(samtykker.order_by("-gyldig_til", "pk").values("pk")[:1])
        felter[f"b{i}"] = policy.blokeret(aktoer, now)
    raekke = cast(dict[str, Any], Sag.objects.filter(pk=sag.pk).values(**felter).first() or {})
    for i, e in enumerate(rest):
        if raekke.get(f"s{i}") is not None and not raekke.get(f"b{i}"):
            svar[e.pk] = (Grundlag.SAMTYKKE, raekke[f"s{i}"])
    return svar
