"""Validation rules for a Tilstand's data, in words a caseworker understands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from datadeling.core.bitemporal import Version
from klassifikation import kendte as k
from klassifikation.regler import PROVENIENS_FELTER, Fejl, hent_klasser, valider_proveniens

KLASSE_FELTER = (
    "type_id", "niveau_id", "stoettebehov_id", "udfoerelse_id", "betydning_id",
    "forventet_niveau_id", "maaltype_id", *PROVENIENS_FELTER,
)  # fmt: skip


def valider(data: Mapping[str, Any], klasser: Mapping) -> None:
    """Raise a ValidationError naming every field of `data` that breaks a rule.

    (Texts used only when a rule is broken are lazy: a MOX chunk validates thousands of
    versions, nearly all valid, and a translation lookup each added up.)"""
    fejl = Fejl(data, klasser)
    type_ = fejl.klasse("type")
    if data.get("type_id") is None:
        fejl.add("type", _("Vælg hvilken tilstand det drejer sig om."))
    elif type_ is not None:
        if not k.strictly_under(type_, *k.TILSTAND_ROEDDER):
            fejl.add("type", _("«%(t)s» er ikke en tilstand fra FSIII eller FFB.") % {"t": type_})
        elif type_.har_boern:
            fejl.add(
                "type",
                _("«%(t)s» er et område; vælg en konkret tilstand under det.") % {"t": type_},
            )
    ffb = type_ is not None and k.under(type_, k.FFB_TILSTANDE)
    fsiii = type_ is not None and k.under(type_, *k.FSIII_TILSTANDE)
    aktivitet = ffb and k.under(type_, k.FFB_AKTIVITET_OG_DELTAGELSE)

    for felt in ("niveau", "forventet_niveau"):
        if fejl.klasse(felt) is None or type_ is None:
            continue
        if fsiii:
            if not k.under(type_, *k.FSIII_FUNKTIONSEVNETILSTANDE):
                fejl.add(felt, _("Denne FSIII-tilstand har ikke et funktionsevneniveau."))
            else:
                fejl.kraev_under(
                    felt,
                    k.FSIII_FUNKTIONSEVNE_SKALA,
                    _l("Vælg et niveau på FSIII's skala 0–4 eller 9."),
                )
        elif ffb:
            if not aktivitet:
                fejl.add(
                    felt, _("I FFB har kun tilstande under «Aktivitet og deltagelse» et niveau.")
                )
            else:
                fejl.kraev_under(
                    felt,
                    k.FFB_FUNKTIONSEVNENIVEAU,
                    _l("Vælg et niveau på FFB's skala for funktionsevneniveau."),
                )

    if fejl.klasse("stoettebehov") is not None and type_ is not None:
        if not aktivitet:
            fejl.add(
                "stoettebehov",
                _("Støttebehov vurderes kun for FFB-tilstande under «Aktivitet og deltagelse»."),
            )
        else:
            fejl.kraev_under(
                "stoettebehov", k.FFB_STOETTEBEHOVSNIVEAU, _l("Vælg et støttebehov på FFB's skala.")
            )

    for felt, rod, navn in (
        ("udfoerelse", k.FSIII_UDFOERELSE, _l("udførelse")),
        ("betydning", k.FSIII_BETYDNING, _l("betydning")),
    ):
        if fejl.klasse(felt) is None or type_ is None:
            continue
        if not fsiii:
            fejl.add(felt, _("Borgerens %(n)s registreres kun for FSIII-tilstande.") % {"n": navn})
        else:
            fejl.kraev_under(felt, rod, _("Vælg en værdi fra FSIII's %(n)s.") % {"n": navn})

    if fejl.klasse("maaltype") is not None and type_ is not None:
        fejl.kraev_under(
            "maaltype",
            k.FFB_MAALTYPE if ffb else k.FSIII_MAALTYPE,
            _l("Vælg en måltype fra samme kodesystem som tilstanden."),
        )
    valider_proveniens(fejl)
    fejl.raise_if_any()


def forudhent(versions: Sequence[Version]) -> None:
    """Look up the classes these timelines use in one query, for the unit of work to keep
    (a MOX chunk asks once for the objects it changes, not once per message)."""
    hent_klasser([v.data for v in versions], KLASSE_FELTER)


def valider_tidslinje(versions: Sequence[Version], borger) -> None:
    """Validate every version of a Tilstand's timeline (classes fetched in one query)."""
    datas = [v.data for v in versions]
    klasser = hent_klasser(datas, KLASSE_FELTER)
    for data in datas:
        valider(data, klasser)
