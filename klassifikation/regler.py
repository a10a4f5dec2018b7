"""Shared checks that a datum's coded fields hold classes from the right part of a code system."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from datadeling.core import clock, memo
from klassifikation import kendte as k
from klassifikation.models import Klasse


def hent_klasser(datas: Iterable[Mapping[str, Any]], felter: Iterable[str]) -> dict:
    """Return the classes that the data's `felter` (attnames) refer to, in one query.

    Each class is annotated with `har_boern` (whether it has sub-classes).
    """
    felter = tuple(felter)
    return klasser_med_boern({d[f] for d in datas for f in felter if d.get(f)})


def klasser_med_boern(ids: Iterable) -> dict:
    """Return {id: class} for the ids that are classes, each annotated with `har_boern`, in
    one query (kept per unit of work, so a MOX chunk that asked first asks no more)."""
    ids = set(ids)
    if not ids:
        return {}

    def hent(mangler: set) -> dict:
        qs = Klasse.objects.select_related("klassifikation").annotate(
            har_boern=Exists(Klasse.objects.filter(overordnet=OuterRef("pk")))
        )
        return {kl.pk: kl for kl in qs.filter(pk__in=mangler)}

    return memo.hent_mange("klasse_regler", ids, hent)


class Fejl:
    """Collects field errors for one datum and raises them together."""

    def __init__(self, data: Mapping[str, Any], klasser: Mapping):
        self.data, self.klasser = data, klasser
        self.fejl: dict[str, list[str]] = {}

    def add(self, felt: str, besked: str) -> None:
        self.fejl.setdefault(felt, []).append(besked)

    def klasse(self, felt: str):
        """Return the class in field `felt` (or None); note an unknown class as an error."""
        pk = self.data.get(felt + "_id")
        if pk is None:
            return None
        kl = self.klasser.get(pk)
        if kl is None:
            self.add(felt, _("Klassen findes ikke i Datadelings klassifikationer."))
        return kl

    def kraev_under(self, felt: str, rod, besked: str):
        """Return the class in `felt`; note `besked` unless it is a leaf below `rod`."""
        kl = self.klasse(felt)
        if kl is not None and (not k.strictly_under(kl, rod) or kl.har_boern):
            self.add(felt, besked)
        return kl

    def raise_if_any(self) -> None:
        if self.fejl:
            raise ValidationError(self.fejl)


PROVENIENS_FELTER = ("kilde_id", "metode_id")


def valider_proveniens(fejl: Fejl) -> None:
    """Check the provenance fields shared by every datum about a citizen (U7)."""
    fejl.kraev_under(
        "kilde", k.CSC_KILDE, _("Kilden skal være en værdi fra KL's liste over kilder.")
    )
    fejl.kraev_under(
        "metode",
        k.CSC_OPLYSNINGSAKTIVITET,
        _("Metoden skal være en oplysningsaktivitet fra KL's liste."),
    )
    vurderet = fejl.data.get("vurderet")
    if vurderet is None:
        fejl.add("vurderet", _("Angiv hvornår oplysningen sidst blev vurderet."))
    elif vurderet > clock.now():
        fejl.add("vurderet", _("Vurderingstidspunktet kan ikke ligge i fremtiden."))
    if fejl.data.get("ansvarlig_enhed_id") is None:
        fejl.add("ansvarlig_enhed", _("Angiv den ansvarlige enhed."))
