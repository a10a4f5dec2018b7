"""The building blocks the staff rule and the units rule share: whom a consent or a block
addresses, which grant rows count now, and legal-basis access.

Every piece is a filter or a subquery, so "in force" is decided in the database when the
query runs (revocation and expiry take effect on the very next request).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, Value

from indsats.models import Indsats
from organisation.models import Enhed, Funktion
from organisation.selectors import Aktoer
from samtykke.models import (
    Beslutning,
    IndsatsBrugerTilladelse,
    IndsatsGruppeTilladelse,
    Samtykke,
    SamtykkeStatus,
    TilstandBrugerTilladelse,
    TilstandGruppeTilladelse,
    i_kraft_q,
)
from samtykke.policy.daekning import fag_q
from tilstand.models import Tilstand

TILLADELSER: dict[
    type[Tilstand] | type[Indsats],
    tuple[
        type[TilstandGruppeTilladelse] | type[IndsatsGruppeTilladelse],
        type[TilstandBrugerTilladelse] | type[IndsatsBrugerTilladelse],
    ],
] = {
    Tilstand: (TilstandGruppeTilladelse, TilstandBrugerTilladelse),
    Indsats: (IndsatsGruppeTilladelse, IndsatsBrugerTilladelse),
}
"""The grant-row models (to a group, to a user by name) of each model consents cover."""


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


def grupper_q(aktoer: Aktoer) -> Q:
    """Return the filter for group grant rows addressed to the person's units and authorities."""
    grupper = Q(pk__in=[])
    for f in aktoer.funktioner:
        fag = fag_q(f.faglighed_id)
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


def bruger_q(aktoer: Aktoer) -> Q:
    """Return the filter for grant rows to the person by name (within their professions)."""
    assert aktoer.medarbejder is not None  # the callers ask only for a member of staff
    return Q(user_id=aktoer.medarbejder.user_id) & (
        Q(samtykke__faglighed__isnull=True)
        | Q(samtykke__faglighed_id__in=[f.faglighed_id for f in aktoer.funktioner])
    )


def tilladelse_i_kraft_q(now: datetime.datetime) -> Q:
    """Return the filter for grant rows whose consent version permits and is in force."""
    return i_kraft_q(now, "samtykke__") & Q(samtykke__beslutning=Beslutning.TILLAD)


def via_samtykke(
    model: type[Tilstand] | type[Indsats], aktoer: Aktoer, now: datetime.datetime
) -> Exists | Q:
    """Return the condition that a grant row in force shows the outer object to the person."""
    gruppe_model, bruger_model = TILLADELSER[model]
    i_kraft = tilladelse_i_kraft_q(now)
    via: Exists | Q = Exists(
        gruppe_model.objects.filter(grupper_q(aktoer), i_kraft, content_object=OuterRef("pk"))
    )
    if aktoer.medarbejder is not None:
        via |= Exists(  # type: ignore[assignment]  # a Q; the stubs' Q.__or__ takes only Q
            bruger_model.objects.filter(bruger_q(aktoer), i_kraft, content_object=OuterRef("pk"))
        )
    return via


class _ErEnAf(Func):
    """`<field> = ANY(ARRAY(<subquery>))`."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = models.BooleanField()


def er_en_af(felt: str, ids: QuerySet) -> Q:
    """Return the filter that the field is one of the values `ids` selects (one column).

    Unlike `felt__in=ids` or a correlated EXISTS, the subquery runs once per statement (an
    InitPlan) and its values probe the field's index, so a filter that ORs several of these
    becomes a BitmapOr of index scans instead of a question asked of every row.
    """
    return Q(_ErEnAf(F(felt), ArraySubquery(ids)))


def er_en_af_ids(felt: str, ids: Iterable[uuid.UUID]) -> Q:
    """Return the filter that the (uuid) field is one of `ids`, a list known in Python.

    One array parameter (`<field> = ANY(%s)`) instead of one placeholder per value, so a
    list of the visible set read earlier in the request costs next to nothing to compile
    however long it is.
    """
    liste = Value(list(ids), output_field=ArrayField(models.UUIDField()))
    return Q(_ErEnAf(F(felt), liste))


def samtykke_q(
    model: type[Tilstand] | type[Indsats],
    aktoer: Aktoer,
    now: datetime.datetime,
    borger_id: uuid.UUID | None = None,
    *,
    blokering: bool = True,
) -> Q:
    """Return the filter for the objects of `model` that a grant row in force shows the
    person, of citizens who have not blocked them (a block beats any consent). With
    `blokering=False` the caller asks the block itself, once per citizen.

    The rule of `via_samtykke(...) & ~blokeret(...)`, written so the database asks it once
    for the whole list instead of once per object and finds the objects through the primary
    key's index (docs/ydelse.md). The block is looked up by the consent's citizen: a grant
    row only ever pairs an object with a consent of the object's own citizen (`daekker`),
    and an object never changes citizen.
    """
    gruppe_model, bruger_model = TILLADELSER[model]
    i_kraft = tilladelse_i_kraft_q(now)
    if borger_id is not None:
        i_kraft &= Q(samtykke__borger_id=borger_id)
    elif blokering:
        i_kraft &= ~Q(blokeret(aktoer, now, borger="samtykke__borger_id"))
    grupper = gruppe_model.objects.filter(grupper_q(aktoer), i_kraft)
    q = er_en_af("pk", grupper.values("content_object_id").order_by())
    if aktoer.medarbejder is not None:
        brugere = bruger_model.objects.filter(bruger_q(aktoer), i_kraft)
        q |= er_en_af("pk", brugere.values("content_object_id").order_by())
    if blokering and borger_id is not None:
        # Every grant row left is of this one citizen's consents: their block is one
        # question, asked once, not inside each grant table's subquery.
        q &= ~Q(Exists(_blokeringer(aktoer, now).filter(borger_id=borger_id)))
    return q


def _blokeringer(aktoer: Aktoer, now: datetime.datetime) -> QuerySet[Samtykke]:
    """Return the blocks (AFVIS) in force addressed to this member of staff (or unit)."""
    return Samtykke.objects.filter(i_kraft_q(now), modtager_q(aktoer), beslutning=Beslutning.AFVIS)


def blokeret(aktoer: Aktoer, now: datetime.datetime, borger: str = "borger_id") -> Exists:
    """Return the condition that the outer row's citizen (its field `borger`) has blocked
    this member of staff (or unit)."""
    return Exists(_blokeringer(aktoer, now).filter(borger_id=OuterRef(borger)))


def _i_kraft(s: Samtykke, now: datetime.datetime) -> bool:
    """Python's `i_kraft_q` for a version known to be the newest of its chain."""
    return s.status == SamtykkeStatus.AKTIV and s.gyldig_fra <= now < s.gyldig_til


def blokering_for(
    samtykke: Samtykke, blokeringer: Iterable[Samtykke], now: datetime.datetime
) -> Samtykke | None:
    """Return the citizen's block in force that takes the effect from this consent, or None.

    The rule of `blokeret`, for the citizen's own view of a consent: a block beats a consent
    when it addresses the consent's recipient — the unit or the unit's authority for a
    consent to a unit, the authority for one to an authority, the person or their authority
    for one to a member of staff. A block of one unit leaves a consent to its authority in
    force for the authority's other units. `blokeringer` are the newest versions of the
    citizen's consents and blocks (their relations to recipients loaded); no query.
    """
    if samtykke.beslutning != Beslutning.TILLAD:
        return None
    enheder: set[uuid.UUID] = set()
    myndighed_id: uuid.UUID | None
    if samtykke.modtager_enhed is not None:
        enheder = {samtykke.modtager_enhed.pk}
        myndighed_id = samtykke.modtager_enhed.myndighed_id
    elif samtykke.modtager_medarbejder is not None:
        myndighed_id = samtykke.modtager_medarbejder.myndighed_id
    else:
        myndighed_id = samtykke.modtager_myndighed_id
    for b in blokeringer:
        if b.beslutning != Beslutning.AFVIS or b.borger_id != samtykke.borger_id:
            continue
        if not _i_kraft(b, now):
            continue
        if (
            (b.modtager_enhed_id is not None and b.modtager_enhed_id in enheder)
            or (b.modtager_myndighed_id is not None and b.modtager_myndighed_id == myndighed_id)
            or (
                b.modtager_medarbejder_id is not None
                and b.modtager_medarbejder_id == samtykke.modtager_medarbejder_id
            )
        ):
            return b
    return None


def hjemmel_q(aktoer: Aktoer, now: datetime.datetime, prefix: str = "") -> Q:
    """Return the filter for legal-basis accesses of this member of staff in force now."""
    assert aktoer.medarbejder is not None  # the callers ask only for a member of staff
    return Q(
        **{
            f"{prefix}medarbejder_id": aktoer.medarbejder.pk,
            f"{prefix}enhed_id__in": aktoer.enhed_ids,
            f"{prefix}gyldig_fra__lte": now,
            f"{prefix}gyldig_til__gt": now,
        }
    )


def enhed_aktoer(enhed: Enhed) -> Aktoer:
    """Return a stand-in Aktoer for a unit: one role in it, without profession or person.

    `enhed` needs its `myndighed` loaded (select_related); the role is never saved.
    """
    return Aktoer(navn=enhed.navn, funktioner=[Funktion(enhed=enhed, faglighed_id=None)])
