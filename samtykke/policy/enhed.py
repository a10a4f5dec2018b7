"""The units rule: what a unit may see as a unit, and so what a system acting for it (a
fagsystem receiving MOX notifications, mox.udgaaende) may be told.

A unit sees the current Tilstand and Indsats
- whose responsible unit it is, and
- that a consent in force grants to the unit or its authority, when the consent names no
  profession (a system has none), unless the citizen has blocked the unit or its authority.
Access on a legal basis (Hjemmel) is personal to a member of staff, and so is a consent to
a named member of staff: neither extends to a system. A unit whose own validity period has
ended sees nothing. Cases (Sag) follow the case rule for units (samtykke.policy.sag).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any, cast

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from datadeling.core import clock
from indsats.models import Indsats
from organisation.models import Enhed
from samtykke.models import Beslutning, Grundlag, Samtykke, i_kraft_q
from samtykke.policy import sag as sag_regel
from samtykke.policy.byggesten import (
    TILLADELSER,
    blokeret,
    enhed_aktoer,
    grupper_q,
    tilladelse_i_kraft_q,
    via_samtykke,
)
from samtykke.policy.daekning import aaben_for, daekker, typer
from tilstand.models import Tilstand


def _enhed_med_myndighed(enhed: Enhed | uuid.UUID) -> Enhed:
    if isinstance(enhed, Enhed):
        return enhed
    return Enhed.objects.select_related("myndighed").get(pk=enhed)


def _enhed_gyldig(enhed: Enhed, now: datetime.datetime) -> bool:
    return enhed.gyldig_paa(timezone.localtime(now).date())


def synlige_for_enhed(
    model: type[Tilstand] | type[Indsats],
    enhed: Enhed | uuid.UUID,
    now: datetime.datetime | None = None,
) -> QuerySet:
    """Return the current objects of `model` (Tilstand, Indsats) a unit may see as a unit.

    `enhed` is an Enhed (with `myndighed` loaded) or its id. This is what a system acting
    for the unit may be told about; staff see more (consents to them by name, legal bases).
    """
    now = now or clock.now()
    enhed = _enhed_med_myndighed(enhed)
    if not _enhed_gyldig(enhed, now):
        return model.objects.none()
    aktoer = enhed_aktoer(enhed)
    via = via_samtykke(model, aktoer, now) & ~blokeret(aktoer, now)
    q = Q(ansvarlig_enhed_id=enhed.pk) | via
    return model.objects.filter(q, aktiv=True)


def enheders_grundlag(
    objekt: Tilstand | Indsats | sag_regel.Sag,
    enheder: Iterable[Enhed],
    now: datetime.datetime | None = None,
) -> dict:
    """Return {unit id: (grundlag, consent id or None)} for those of `enheder` (each with
    its `myndighed` loaded) that may see `objekt` (a Tilstand, an Indsats or a Sag, already
    saved) as units, by the rules of `synlige_for_enhed` (and the case rule for a Sag).

    For a current object: one query whatever the number of units (a grant-row subquery and
    a block test per unit); none when every unit is the object's own or has never been
    granted anything. For an object just passivated or deleted, whose grant rows the
    consent receiver has removed, the consents in force are read directly (the coverage
    rule the grant rows are written by), so a unit that could see the object learns that
    it ended: two queries at most.
    """
    now = now or clock.now()
    if isinstance(objekt, sag_regel.Sag):
        return sag_regel.sag_enheders_grundlag(objekt, enheder, now)
    svar: dict = {}
    rest = []
    for e in enheder:
        if not _enhed_gyldig(e, now):
            continue
        if objekt.ansvarlig_enhed_id == e.pk:
            svar[e.pk] = (Grundlag.EGEN_ENHED, None)
        elif e.gruppe_id or e.myndighed.gruppe_id or not objekt.aktiv:
            rest.append(e)  # a unit never granted anything has no grant rows to look for
    if not rest:
        return svar
    if not objekt.aktiv:
        svar.update(_enheders_samtykker_direkte(objekt, rest, now))
        return svar
    gruppe_model, _bruger_model = TILLADELSER[type(objekt)]
    i_kraft = tilladelse_i_kraft_q(now)
    felter = {}
    for i, e in enumerate(rest):
        aktoer = enhed_aktoer(e)
        felter[f"s{i}"] = Subquery(
            gruppe_model.objects.filter(grupper_q(aktoer), i_kraft, content_object=OuterRef("pk"))
            .order_by("samtykke_id")
            .values("samtykke_id")[:1]
        )
        felter[f"b{i}"] = blokeret(aktoer, now)
    raekke = cast(
        dict[str, Any], type(objekt).objects.filter(pk=objekt.pk).values(**felter).first() or {}
    )
    for i, e in enumerate(rest):
        if raekke.get(f"s{i}") is not None and not raekke.get(f"b{i}"):
            svar[e.pk] = (Grundlag.SAMTYKKE, raekke[f"s{i}"])
    return svar


def _enheders_samtykker_direkte(
    objekt: Tilstand | Indsats, enheder: Iterable[Enhed], now: datetime.datetime
) -> dict:
    """Return {unit id: (SAMTYKKE, consent id)} from the consents in force, read directly:
    the object counts as if it were still active (it was, a moment ago)."""
    samtykker = list(
        Samtykke.objects.filter(i_kraft_q(now), borger_id=objekt.borger_id).only(
            "pk", "borger", "beslutning", "modtager_enhed", "modtager_myndighed", "faglighed",
            "kilder", "kategorier",
        )
    )  # fmt: skip
    if not samtykker:
        return {}
    objektets_typer = typer([objekt.type_id])[objekt.type_id]
    svar = {}
    for e in enheder:
        modtagere = {e.pk, e.myndighed_id}
        rette = [s for s in samtykker if modtagere & {s.modtager_enhed_id, s.modtager_myndighed_id}]
        if any(s.beslutning == Beslutning.AFVIS for s in rette):
            continue
        daekkende = sorted(
            s.pk
            for s in rette
            if s.beslutning == Beslutning.TILLAD
            and aaben_for(s, None)
            and daekker(s, objekt, objektets_typer, ogsaa_passive=True)
        )
        if daekkende:
            svar[e.pk] = (Grundlag.SAMTYKKE, daekkende[0])
    return svar
