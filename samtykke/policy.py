"""The one access policy: who may see which of a citizen's data. Everything else asks it.

A member of staff sees a citizen's Tilstand or Indsats when
- it is the data of one of the units they work in today (egen enhed), or
- a consent version in force grants it to them (a grant row names the consent, and the
  consent's state is joined here, at query time), and the citizen has not blocked them, or
- they hold a legal-basis access (Hjemmel) to that citizen in force now.
A citizen sees all their own data. Nobody else sees anything — a superuser neither.

"In force" is decided in the database when the query runs, so revocation and expiry take
effect on the very next request, without any periodic job. Every function returns a
queryset; a view turns "not visible" into the same 404 as "does not exist".
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from datadeling.core import clock
from indsats.models import Indsats
from organisation.models import Borger
from organisation.selectors import Aktoer
from samtykke.models import (
    Beslutning,
    Grundlag,
    Hjemmel,
    IndsatsBrugerTilladelse,
    IndsatsGruppeTilladelse,
    Samtykke,
    TilstandBrugerTilladelse,
    TilstandGruppeTilladelse,
    i_kraft_q,
)
from tilstand.models import Tilstand

TILLADELSER = {
    Tilstand: (TilstandGruppeTilladelse, TilstandBrugerTilladelse),
    Indsats: (IndsatsGruppeTilladelse, IndsatsBrugerTilladelse),
}


def _fag_q(faglighed_id, prefix: str = "samtykke__") -> Q:
    """Return the filter for consents open to a person of this profession."""
    q = Q(**{f"{prefix}faglighed__isnull": True})
    if faglighed_id is not None:
        q |= Q(**{f"{prefix}faglighed_id": faglighed_id})
    return q


def modtager_q(aktoer: Aktoer, prefix: str = "") -> Q:
    """Return the filter for consents (or blocks) addressed to this member of staff."""
    q = Q(pk__in=[])
    for f in aktoer.funktioner:
        q |= Q(**{f"{prefix}modtager_enhed_id": f.enhed_id}) | Q(
            **{f"{prefix}modtager_myndighed_id": f.enhed.myndighed_id}
        )
    if aktoer.medarbejder is not None:
        q |= Q(**{f"{prefix}modtager_medarbejder_id": aktoer.medarbejder.pk})
    return q


def _grupper_q(aktoer: Aktoer) -> Q:
    """Return the filter for group grant rows addressed to the person's units and authorities."""
    grupper = Q(pk__in=[])
    for f in aktoer.funktioner:
        fag = _fag_q(f.faglighed_id)
        if f.enhed.gruppe_id:
            grupper |= Q(group_id=f.enhed.gruppe_id, samtykke__modtager_enhed_id=f.enhed_id) & fag
        if f.enhed.myndighed.gruppe_id:
            grupper |= (
                Q(
                    group_id=f.enhed.myndighed.gruppe_id,
                    samtykke__modtager_myndighed_id=f.enhed.myndighed_id,
                )
                & fag
            )
    return grupper


def _bruger_q(aktoer: Aktoer) -> Q:
    """Return the filter for grant rows to the person by name (within their professions)."""
    return Q(user_id=aktoer.medarbejder.user_id) & (
        Q(samtykke__faglighed__isnull=True)
        | Q(samtykke__faglighed_id__in=[f.faglighed_id for f in aktoer.funktioner])
    )


def _i_kraft_tilladelse(now) -> Q:
    return i_kraft_q(now, "samtykke__") & Q(samtykke__beslutning=Beslutning.TILLAD)


def _via_samtykke(model, aktoer: Aktoer, now: datetime.datetime) -> Exists:
    gruppe_model, bruger_model = TILLADELSER[model]
    i_kraft = _i_kraft_tilladelse(now)
    via = Exists(
        gruppe_model.objects.filter(_grupper_q(aktoer), i_kraft, content_object=OuterRef("pk"))
    )
    if aktoer.medarbejder is not None:
        via |= Exists(
            bruger_model.objects.filter(_bruger_q(aktoer), i_kraft, content_object=OuterRef("pk"))
        )
    return via


def blokeret(aktoer: Aktoer, now: datetime.datetime) -> Exists:
    """Return the condition that the object's citizen has blocked this member of staff."""
    return Exists(
        Samtykke.objects.filter(
            i_kraft_q(now), modtager_q(aktoer), beslutning=Beslutning.AFVIS,
            borger_id=OuterRef("borger_id"),
        )
    )  # fmt: skip


def hjemmel_q(aktoer: Aktoer, now: datetime.datetime, prefix: str = "") -> Q:
    """Return the filter for legal-basis accesses of this member of staff in force now."""
    return Q(
        **{
            f"{prefix}medarbejder_id": aktoer.medarbejder.pk,
            f"{prefix}enhed_id__in": aktoer.enhed_ids,
            f"{prefix}gyldig_fra__lte": now,
            f"{prefix}gyldig_til__gt": now,
        }
    )


def _synlig(model, aktoer: Aktoer, borger_id=None, now=None) -> Q:
    """Return the filter for the objects of `model` the person may see."""
    now = now or clock.now()
    if aktoer.er_borger:
        q = Q(borger_id=aktoer.borger.pk)
    elif aktoer.er_medarbejder and aktoer.enhed_ids:
        q = Q(ansvarlig_enhed_id__in=aktoer.enhed_ids)
        q |= _via_samtykke(model, aktoer, now) & ~blokeret(aktoer, now)
        q |= Exists(Hjemmel.objects.filter(hjemmel_q(aktoer, now), borger_id=OuterRef("borger_id")))
    else:
        return Q(pk__in=[])
    if borger_id is not None:
        q &= Q(borger_id=borger_id)
    return q & Q(aktiv=True)


def tilstande_synlige(aktoer: Aktoer, borger_id=None, now=None) -> QuerySet[Tilstand]:
    """Return the current conditions the person may see."""
    return Tilstand.objects.filter(_synlig(Tilstand, aktoer, borger_id, now))


def indsatser_synlige(aktoer: Aktoer, borger_id=None, now=None) -> QuerySet[Indsats]:
    """Return the current interventions the person may see."""
    return Indsats.objects.filter(_synlig(Indsats, aktoer, borger_id, now))


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


def forklar(aktoer: Aktoer, objekter, now=None) -> dict:
    """Return, for each visible object, the basis the person sees it on: (grundlag, id).

    Own unit first, then a consent version in force that grants it, then a legal-basis
    access. At most one query per model plus one for legal bases.
    """
    now = now or clock.now()
    if aktoer.er_borger:
        return {o.pk: (Grundlag.BORGER, None) for o in objekter}
    svar: dict = {}
    rest = []
    for o in objekter:
        if o.ansvarlig_enhed_id in aktoer.enhed_ids:
            svar[o.pk] = (Grundlag.EGEN_ENHED, None)
        else:
            rest.append(o)
    for model, (gruppe_model, bruger_model) in TILLADELSER.items():
        ids = [o.pk for o in rest if isinstance(o, model)]
        if not ids:
            continue
        via = _via_samtykke_rows(gruppe_model, bruger_model, aktoer, now, ids)
        for objekt_id, samtykke_id in via:
            svar.setdefault(objekt_id, (Grundlag.SAMTYKKE, samtykke_id))
    mangler = {o.borger_id for o in rest if o.pk not in svar}
    if mangler and aktoer.medarbejder is not None:
        hjemler = dict(
            Hjemmel.objects.filter(hjemmel_q(aktoer, now), borger_id__in=mangler)
            .order_by("borger_id", "-gyldig_til")
            .distinct("borger_id")
            .values_list("borger_id", "pk")
        )
        for o in rest:
            if o.pk not in svar and o.borger_id in hjemler:
                svar[o.pk] = (Grundlag.HJEMMEL, hjemler[o.borger_id])
    return svar


def _via_samtykke_rows(gruppe_model, bruger_model, aktoer: Aktoer, now, ids) -> list:
    """Return (object id, consent id) pairs of grants in force for the person."""
    i_kraft = _i_kraft_tilladelse(now)
    par = list(
        gruppe_model.objects.filter(
            _grupper_q(aktoer), i_kraft, content_object_id__in=ids
        ).values_list("content_object_id", "samtykke_id")
    )
    if aktoer.medarbejder is not None:
        par += list(
            bruger_model.objects.filter(
                _bruger_q(aktoer), i_kraft, content_object_id__in=ids
            ).values_list("content_object_id", "samtykke_id")
        )
    return par
