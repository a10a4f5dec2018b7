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


# --- systems acting for a unit (MOX notifications, mox.udgaaende) ----------------------
#
# A fagsystem that receives notifications acts for one unit (mox.System.enhed) and may be
# told what that unit may see: the unit's own data, and data granted to the unit or its
# authority by a consent in force that names no profession (a system has none), minus the
# citizens who blocked the unit or its authority. Access on a legal basis (Hjemmel) is
# personal to a member of staff, and so is a consent to a named member of staff: neither
# extends to a system. A unit whose own validity period has ended sees nothing.


def enhed_aktoer(enhed) -> Aktoer:
    """Return a stand-in Aktoer for a unit: one role in it, without profession or person.

    `enhed` needs its `myndighed` loaded (select_related); the role is never saved.
    """
    from organisation.models import Funktion

    return Aktoer(navn=enhed.navn, funktioner=[Funktion(enhed=enhed, faglighed_id=None)])


def _enhed_med_myndighed(enhed):
    from organisation.models import Enhed

    if isinstance(enhed, Enhed):
        return enhed
    return Enhed.objects.select_related("myndighed").get(pk=enhed)


def _enhed_gyldig(enhed, now) -> bool:
    from django.utils import timezone

    return enhed.gyldig_paa(timezone.localtime(now).date())


def synlige_for_enhed(model, enhed, now=None) -> QuerySet:
    """Return the current objects of `model` (Tilstand, Indsats) a unit may see as a unit.

    `enhed` is an Enhed (with `myndighed` loaded) or its id. This is what a system acting
    for the unit may be told about; staff see more (consents to them by name, legal bases).
    """
    now = now or clock.now()
    enhed = _enhed_med_myndighed(enhed)
    if not _enhed_gyldig(enhed, now):
        return model.objects.none()
    aktoer = enhed_aktoer(enhed)
    via = _via_samtykke(model, aktoer, now) & ~blokeret(aktoer, now)
    q = Q(ansvarlig_enhed_id=enhed.pk) | via
    return model.objects.filter(q, aktiv=True)


def enheders_grundlag(objekt, enheder, now=None) -> dict:
    """Return {unit id: (grundlag, consent id or None)} for those of `enheder` that may see
    `objekt` (a Tilstand or Indsats, already saved) as units, by the rules of
    `synlige_for_enhed`.

    For a current object: one query whatever the number of units (a grant-row subquery and
    a block test per unit); none when every unit is the object's own or has never been
    granted anything. For an object just passivated or deleted, whose grant rows the
    consent receiver has removed, the consents in force are read directly (the test that
    `samtykke.grants` writes rows by), so a unit that could see the object learns that it
    ended: two queries at most.
    """
    from django.db.models import Subquery

    now = now or clock.now()
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
    i_kraft = _i_kraft_tilladelse(now)
    felter = {}
    for i, e in enumerate(rest):
        aktoer = enhed_aktoer(e)
        felter[f"s{i}"] = Subquery(
            gruppe_model.objects.filter(_grupper_q(aktoer), i_kraft, content_object=OuterRef("pk"))
            .order_by("samtykke_id")
            .values("samtykke_id")[:1]
        )
        felter[f"b{i}"] = blokeret(aktoer, now)
    raekke = type(objekt).objects.filter(pk=objekt.pk).values(**felter).first() or {}
    for i, e in enumerate(rest):
        if raekke.get(f"s{i}") is not None and not raekke.get(f"b{i}"):
            svar[e.pk] = (Grundlag.SAMTYKKE, raekke[f"s{i}"])
    return svar


def _enheders_samtykker_direkte(objekt, enheder, now) -> dict:
    """Return {unit id: (SAMTYKKE, consent id)} from the consents in force, read directly."""
    from datadeling.core import memo
    from klassifikation.models import Klasse

    samtykker = list(
        Samtykke.objects.filter(i_kraft_q(now), borger_id=objekt.borger_id).values_list(
            "pk", "beslutning", "modtager_enhed_id", "modtager_myndighed_id", "faglighed_id",
            "kilder", "kategorier",
        )
    )  # fmt: skip
    if not samtykker:
        return {}
    sti = memo.hent(
        "klasse_sti",
        objekt.type_id,
        lambda: Klasse.objects.filter(pk=objekt.type_id).values_list("sti", flat=True).first(),
    )
    typer = set(sti or []) | {objekt.type_id}
    svar = {}
    for e in enheder:
        modtagere = {e.pk, e.myndighed_id}
        rette = [s for s in samtykker if modtagere & {s[2], s[3]}]
        if any(s[1] == Beslutning.AFVIS for s in rette):
            continue
        daekkende = sorted(
            s[0]
            for s in rette
            if s[1] == Beslutning.TILLAD
            and s[4] is None
            and objekt.ansvarlig_enhed_id in s[5]
            and typer.intersection(s[6])
        )
        if daekkende:
            svar[e.pk] = (Grundlag.SAMTYKKE, daekkende[0])
    return svar


# Bridge until the policy package (samtykke/policy/, the `policy` branch) replaces this
# module: it lets samtykke.policy.system be imported beside it. The merge deletes this file.
__path__ = [str(__import__("pathlib").Path(__file__).with_suffix(""))]
