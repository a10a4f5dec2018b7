"""Reads for the concept lookup pages, with their queries prefetched.

Classification data is public reference data (FSIII, FFB), so these reads need no access
policy beyond being logged in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from klassifikation.models import Betegnelse, Klasse, Klassifikation, Mapping, MappingRelation

# Seen from the other end, "the other class is broader" becomes "narrower"; the rest of the
# SKOS relations are symmetric.
_OMVENDT = {
    MappingRelation.BROAD: MappingRelation.NARROW,
    MappingRelation.NARROW: MappingRelation.BROAD,
}


@dataclass(frozen=True)
class Tilsvarende:
    """A class in another code system, and how it relates to the class shown."""

    relation: MappingRelation
    klasse: Klasse
    kommentar: str


@dataclass(frozen=True)
class Faggruppe:
    """The terms one profession (or, with `faglighed` None, everybody) uses for a class."""

    faglighed: Klasse | None
    betegnelser: list[Betegnelse]


def klassifikation_liste() -> list[Klassifikation]:
    """Return every code system, for the search page's filter."""
    return list(Klassifikation.objects.order_by("titel", "version"))


def klasse_soeg(
    *,
    tekst: str,
    klassifikation: Klassifikation | uuid.UUID | None = None,
    limit: int = 50,
) -> list[Klasse]:
    """Find classes whose title, code, definition or any profession's term contains `tekst`.

    Case-insensitive. An exact code match comes first, then title matches, then the rest.
    Each class carries `fagord` and `fagord_faglighed`: the term that matched (if the match
    was on a Betegnelse) and the profession that uses it, so the list can say "also called
    ... by ...", and `del_titel`, the title of the root it lies under (FSIII's parts). With
    its code system and parent, to tell like-named classes apart. One query.
    """
    tekst = tekst.strip()
    if not tekst:
        return []
    betegnelse_match = Betegnelse.objects.filter(klasse=OuterRef("pk"), tekst__icontains=tekst)
    # The matched term: an exact match first, a profession's word before a plain synonym.
    fagord = betegnelse_match.order_by(
        Case(When(tekst__iexact=tekst, then=Value(0)), default=Value(1)),
        "faglighed__titel",
        "tekst",
    )
    qs = (
        Klasse.objects.select_related("klassifikation", "overordnet")
        .annotate(
            har_fagord=Exists(betegnelse_match),
            fagord=Subquery(fagord.values("tekst")[:1]),
            fagord_faglighed=Subquery(fagord.values("faglighed__titel")[:1]),
            # the part of its code system (the root of its tree), to tell like-named apart
            del_titel=Subquery(
                Klasse.objects.filter(pk=OuterRef("sti__0"), niveau=0).values("titel")[:1]
            ),
        )
        .annotate(
            rang=Case(
                When(kode__iexact=tekst, then=Value(0)),
                When(titel__iexact=tekst, then=Value(1)),
                When(titel__istartswith=tekst, then=Value(2)),
                When(titel__icontains=tekst, then=Value(3)),
                When(kode__icontains=tekst, then=Value(4)),
                When(har_fagord=True, then=Value(5)),
                default=Value(6),
                output_field=IntegerField(),
            ),
        )
        .filter(
            Q(titel__icontains=tekst)
            | Q(kode__icontains=tekst)
            | Q(definition__icontains=tekst)
            | Q(har_fagord=True)
        )
        .order_by("rang", "klassifikation__titel", "niveau", "raekkefoelge", "titel")
    )
    if klassifikation is not None:
        qs = qs.filter(klassifikation=klassifikation)
    return list(qs[:limit])


@dataclass(frozen=True)
class KlasseDetalje:
    """One class and everything its page shows, already read."""

    # With klassifikation, overordnet, underordnede and betegnelser (with faglighed) loaded.
    klasse: Klasse
    # Ancestors from the root down.
    forfaedre: list[Klasse]
    # Terms grouped by profession; the terms everybody uses last.
    faggrupper: list[Faggruppe]
    # Classes mapped to this one in either direction, the relation read from this side.
    tilsvarende: list[Tilsvarende]


def klasse_detalje(*, pk: uuid.UUID | str) -> KlasseDetalje:
    """Return one class with everything its page shows, in a fixed number of queries (6).

    Raise `Klasse.DoesNotExist` for an unknown id.
    """
    klasse = (
        Klasse.objects.select_related("klassifikation", "overordnet")
        .prefetch_related(
            Prefetch(
                "underordnede",
                queryset=Klasse.objects.order_by("raekkefoelge", "kode"),
            ),
            Prefetch(
                "betegnelser",
                queryset=Betegnelse.objects.select_related("faglighed").order_by(
                    "faglighed__titel", "tekst"
                ),
            ),
            Prefetch(
                "mappings_fra",
                queryset=Mapping.objects.select_related("til_klasse__klassifikation"),
            ),
            Prefetch(
                "mappings_til",
                queryset=Mapping.objects.select_related("fra_klasse__klassifikation"),
            ),
        )
        .get(pk=pk)
    )
    tilsvarende = [
        Tilsvarende(MappingRelation(m.relation), m.til_klasse, m.kommentar)
        for m in klasse.mappings_fra.all()
    ] + [
        Tilsvarende(
            _OMVENDT.get(MappingRelation(m.relation), MappingRelation(m.relation)),
            m.fra_klasse,
            m.kommentar,
        )
        for m in klasse.mappings_til.all()
    ]
    return KlasseDetalje(
        klasse=klasse,
        forfaedre=_forfaedre(klasse),
        faggrupper=_faggrupper(klasse.betegnelser.all()),
        tilsvarende=sorted(
            tilsvarende,
            key=lambda t: (t.klasse.klassifikation.titel, t.klasse.kode, t.relation),
        ),
    )


def _forfaedre(klasse: Klasse) -> list[Klasse]:
    if not klasse.sti:
        # A root, or a tree whose paths were not filled in: the parent is all we know.
        return [klasse.overordnet] if klasse.overordnet else []
    position = {pk: i for i, pk in enumerate(klasse.sti)}
    forfaedre = Klasse.objects.filter(pk__in=klasse.sti).only(
        "id", "kode", "titel", "klassifikation_id"
    )
    return sorted(forfaedre, key=lambda k: position[k.pk])


def _faggrupper(betegnelser: QuerySet[Betegnelse] | list[Betegnelse]) -> list[Faggruppe]:
    grupper: dict[uuid.UUID | None, Faggruppe] = {}
    for betegnelse in betegnelser:
        gruppe = grupper.setdefault(
            betegnelse.faglighed_id, Faggruppe(faglighed=betegnelse.faglighed, betegnelser=[])
        )
        gruppe.betegnelser.append(betegnelse)
    # Professions by name; the words everybody uses last.
    return sorted(
        grupper.values(),
        key=lambda g: (g.faglighed is None, g.faglighed.titel if g.faglighed else ""),
    )
