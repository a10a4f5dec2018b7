"""Validation rules for an Indsats's data, in words a caseworker understands."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from datadeling.core.bitemporal import Version
from klassifikation import kendte as k
from klassifikation.regler import PROVENIENS_FELTER, Fejl, hent_klasser, valider_proveniens
from tilstand.models import Tilstand

KLASSE_FELTER = (
    "type_id", "lovgrundlag_id", "ophoersgrund_id", "maalgruppe_id", "opfoelgningsresultat_id",
    *PROVENIENS_FELTER,
)  # fmt: skip


def _tilstand_ids(data: Mapping[str, Any], fejl: Fejl | None = None) -> set[uuid.UUID]:
    """Return every tilstand id the data points at (addressed and in goals)."""
    ids: set[uuid.UUID] = set()
    raw = list(data.get("tilstande") or [])
    maal = data.get("maal") or []
    if not isinstance(maal, list):
        if fejl:
            fejl.add("maal", _("Indsatsmål skal være en liste."))
        maal = []
    for i, m in enumerate(maal):
        if not isinstance(m, dict) or not str(m.get("tekst", "")).strip():
            if fejl:
                fejl.add("maal", _("Mål nr. %(n)d mangler en tekst.") % {"n": i + 1})
            continue
        raw.extend(m.get("tilstande") or [])
    for value in raw:
        try:
            ids.add(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError:
            if fejl:
                fejl.add("tilstande", _("«%(v)s» er ikke en tilstands id.") % {"v": value})
    return ids


def valider(data: Mapping[str, Any], klasser: Mapping, borgers_tilstande: set) -> None:
    """Raise a ValidationError naming every field of `data` that breaks a rule."""
    fejl = Fejl(data, klasser)
    type_ = fejl.klasse("type")
    if data.get("type_id") is None:
        fejl.add("type", _("Vælg hvilken indsats det drejer sig om."))
    elif type_ is not None:
        if not k.strictly_under(type_, *k.INDSATS_ROEDDER):
            fejl.add(
                "type",
                _("«%(t)s» er ikke en ydelse eller et tilbud fra FSIII eller FFB.") % {"t": type_},
            )
        elif type_.har_boern:
            fejl.add(
                "type", _("«%(t)s» er en gruppe; vælg en konkret indsats under den.") % {"t": type_}
            )
    ffb = type_ is not None and k.under(type_, k.FFB_SOCIAL_INDSATS)

    lov = fejl.klasse("lovgrundlag")
    if lov is not None and lov.klassifikation.uri != k.LOVGRUNDLAG_URI:
        fejl.add("lovgrundlag", _("Vælg lovgrundlaget fra listen over paragraffer."))
    fejl.kraev_under(
        "ophoersgrund", k.CSC_BEGRUNDELSE_OPHOER, _("Vælg en begrundelse fra KL's liste.")
    )
    if fejl.klasse("maalgruppe") is not None and type_ is not None:
        if not ffb:
            fejl.add("maalgruppe", _("Målgruppe angives kun for sociale indsatser (FFB)."))
        else:
            kl = fejl.klasse("maalgruppe")
            if not k.strictly_under(kl, k.FFB_MAALGRUPPE):
                fejl.add("maalgruppe", _("Vælg en målgruppe fra FFB."))
    if fejl.klasse("opfoelgningsresultat") is not None and type_ is not None:
        fejl.kraev_under(
            "opfoelgningsresultat",
            k.FFB_STATUS_PAA_INDSATS if ffb else k.FSIII_OPFOELGNINGSRESULTAT,
            _("Vælg et resultat fra samme kodesystem som indsatsen."),
        )

    start, slut = data.get("startdato"), data.get("slutdato")
    if start is None:
        fejl.add("startdato", _("Angiv hvornår indsatsen begynder."))
    elif slut is not None and slut < start:
        fejl.add("slutdato", _("Slutdatoen kan ikke ligge før startdatoen."))
    if data.get("afsluttet") and slut is None:
        fejl.add("slutdato", _("En afsluttet indsats skal have en slutdato."))

    fremmede = _tilstand_ids(data, fejl) - borgers_tilstande
    if fremmede:
        fejl.add(
            "maal",
            _("Et mål eller en tilstand peger på en tilstand, som ikke er denne borgers."),
        )
    valider_proveniens(fejl)
    fejl.raise_if_any()


def forudhent(versions: Sequence[Version]) -> None:
    """Look up the classes these timelines use in one query, for the unit of work to keep
    (a MOX chunk asks once for the objects it changes, not once per message)."""
    hent_klasser([v.data for v in versions], KLASSE_FELTER)


def valider_tidslinje(versions: Sequence[Version], borger) -> None:
    """Validate every version of an Indsats's timeline (two queries, whatever its length)."""
    datas = [v.data for v in versions]
    klasser = hent_klasser(datas, KLASSE_FELTER)
    wanted = set().union(*(_tilstand_ids(d) for d in datas)) if datas else set()
    egne = set(
        Tilstand.objects.filter(pk__in=wanted, borger=borger).values_list("pk", flat=True)
    ) if wanted else set()  # fmt: skip
    for data in datas:
        valider(data, klasser, egne)
