"""Reads for the caseworker's citizen screens: the list of citizens, finding one by CPR,
and one citizen's overview of conditions, interventions and cases elsewhere (sagsindeks).

Every read of data goes through the access policy (samtykke.policy). A citizen's page
opens when the policy shows the person something of the citizen, or when they have a
recorded reason to open it (a lookup by CPR number, a request, a consent or a legal
basis: samtykke.policy.borgere_aabne); any other citizen is the same as one that does not
exist.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from datadeling.core import clock
from datadeling.core.proveniens import friskhed_graense
from indsats.models import Indsats
from organisation.models import Borger
from organisation.selectors import Aktoer
from overblik.notifikation.selectors import foelgede_borger_ids
from overblik.selectors import sag as sag_selectors
from overblik.selectors import tilstand as tilstand_selectors
from overblik.selectors.tilstand import Del, Friskhed, TilstandVisning, friskhed
from sagsindeks.models import Sag
from samtykke import policy
from tilstand.models import TilstandStatus

PR_SIDE = 25
MAKS_ORD = 5  # words of a name search used at most


def _antal(qs: QuerySet) -> Coalesce:
    """Return a subquery counting `qs`'s rows of the outer citizen."""
    taelling = (
        qs.filter(borger_id=OuterRef("pk"))
        .order_by()
        .values("borger_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(taelling, output_field=IntegerField()), 0)


def borgere_synlige_for_medarbejder(aktoer: Aktoer) -> QuerySet[Borger]:
    """Return the citizens a member of staff may see anything of (none for anybody else)."""
    return policy.borgere_med_synligt(aktoer)


def fulgte_q(aktoer: Aktoer) -> Q | None:
    """Return the filter for the citizens the person follows (Følg), or None for someone
    who is not staff."""
    if aktoer.medarbejder is None:
        return None
    return Q(pk__in=foelgede_borger_ids(aktoer.medarbejder.user_id))


def borger_liste(
    aktoer: Aktoer,
    *,
    q: str = "",
    side: int | str = 1,
    friskhed: bool = False,
    enhed: uuid.UUID | None = None,
    fulgt: bool = False,
) -> Page:
    """Return one page of the citizens the person may see, searched by name and filtered.

    Every word of `q` must occur in the first or last name. `friskhed`: only citizens with
    visible data whose follow-up date has passed or whose assessment is old; `enhed`: only
    citizens with data of that unit of the person's (or, when it is not theirs, of any of
    their units); `fulgt`: only the citizens they follow (when following exists). Each
    citizen carries `antal_tilstande` and `antal_indsatser`: how many the person may see.
    Two queries (the count and the page).
    """
    qs = borgere_synlige_for_medarbejder(aktoer)
    if friskhed or enhed is not None:
        now = clock.now()
        hvor = Q()
        if friskhed:
            hvor &= Q(opfoelgning__lt=timezone.localdate(now)) | Q(
                vurderet__lt=now - friskhed_graense()
            )
        if enhed is not None:
            enheder = [enhed] if enhed in aktoer.enhed_ids else list(aktoer.enhed_ids)
            hvor &= Q(ansvarlig_enhed_id__in=enheder)
        tilstande = policy.tilstande_synlige(aktoer, now=now).filter(hvor)
        indsatser = policy.indsatser_synlige(aktoer, now=now).filter(hvor)
        qs = qs.filter(
            Exists(tilstande.filter(borger_id=OuterRef("pk")))
            | Exists(indsatser.filter(borger_id=OuterRef("pk")))
        )
    if fulgt and (foelg := fulgte_q(aktoer)) is not None:
        qs = qs.filter(foelg)
    for ord_ in q.split()[:MAKS_ORD]:
        qs = qs.filter(Q(fornavn__icontains=ord_) | Q(efternavn__icontains=ord_))
    qs = qs.annotate(
        antal_tilstande=_antal(policy.tilstande_synlige(aktoer)),
        antal_indsatser=_antal(policy.indsatser_synlige(aktoer)),
    ).order_by("efternavn", "fornavn", "pk")
    return Paginator(qs, PR_SIDE).get_page(side)


def borger_find_cpr(aktoer: Aktoer, cpr: str) -> Borger | None:
    """Return the citizen with this (normalized) CPR number, for a member of staff with a
    current unit (any citizen: that is how a case starts); None for anybody else."""
    if not policy.kan_starte_sag(aktoer):
        return None
    return Borger.objects.filter(cpr=cpr).first()


def borger_til_side(aktoer: Aktoer, pk: uuid.UUID) -> Borger:
    """Return the citizen for their page, with `blokeret` and `hjemmel_til` (one query).

    Raises Borger.DoesNotExist when the person may not open the page.
    """
    now = clock.now()
    annotationer = policy.adgang_annotationer(aktoer, now)
    return policy.borgere_aabne(aktoer, now).annotate(**annotationer).get(pk=pk)


def alder(foedselsdato: datetime.date, dato: datetime.date) -> int:
    """Return the age in whole years on `dato`."""
    return (
        dato.year
        - foedselsdato.year
        - ((dato.month, dato.day) < (foedselsdato.month, foedselsdato.day))
    )


@dataclass
class IndsatsVisning:
    i: Indsats
    friskhed: Friskhed


@dataclass
class BorgerOverblik:
    """What a member of staff may see of one citizen, grouped for the overview page."""

    borger: Borger
    alder: int | None
    dele: list[Del]  # current conditions by code system part and area
    afsluttede: list[TilstandVisning]
    indsatser: list[IndsatsVisning]
    sager: list[Sag]  # cases elsewhere, open first (each with its basis for the log)

    @property
    def antal_tilstande(self) -> int:
        aktuelle = sum(len(o.tilstande) for d in self.dele for o in d.omraader)
        return aktuelle + len(self.afsluttede)

    @property
    def objekter(self) -> list:
        """Return the shown Tilstand and Indsats objects, for the access log."""
        tilstande = [v.t for d in self.dele for o in d.omraader for v in o.tilstande]
        tilstande += [v.t for v in self.afsluttede]
        return tilstande + [v.i for v in self.indsatser]


def indsatser_til_visning(aktoer: Aktoer, borger_id: uuid.UUID) -> QuerySet[Indsats]:
    """Return the interventions the person may see, with what the overview shows (one query)."""
    return (
        policy.indsatser_synlige(aktoer, borger_id)
        .select_related(
            "type", "lovgrundlag", "leverende_enhed", "bevilgende_enhed", "ansvarlig_enhed"
        )
        .order_by("afsluttet", "-startdato", "pk")
    )


def borger_overblik(aktoer: Aktoer, borger: Borger) -> BorgerOverblik:
    """Return the citizen's conditions and interventions that the person may see.

    Five queries whatever the amount of data: the conditions, the versions of their newest
    registrations (the development line), the titles of their areas, the interventions,
    the cases elsewhere (sagsindeks).
    """
    visninger = [
        tilstand_selectors.tilstand_visning(t)
        for t in tilstand_selectors.tilstande_til_visning(aktoer, borger.pk)
    ]
    titler = tilstand_selectors.klasse_titler(v.t.type for v in visninger)
    aktuelle = [v for v in visninger if v.t.status != TilstandStatus.AFSLUTTET]
    afsluttede = [v for v in visninger if v.t.status == TilstandStatus.AFSLUTTET]
    afsluttede.sort(key=lambda v: tilstand_selectors.dansk(v.t.type.titel))
    indsatser = [
        IndsatsVisning(i, friskhed(i.vurderet, i.opfoelgning))
        for i in indsatser_til_visning(aktoer, borger.pk)
    ]
    sager = sag_selectors.sager_til_visning(aktoer, borger.pk)
    idag = timezone.localdate(clock.now())
    try:
        aar: int | None = alder(borger.foedselsdato, borger.doedsdato or idag)
    except ValidationError:  # a CPR number without a valid birth date: show no age
        aar = None
    return BorgerOverblik(
        borger=borger,
        alder=aar,
        dele=tilstand_selectors.grupper_efter_omraade(aktuelle, titler),
        afsluttede=afsluttede,
        indsatser=indsatser,
        sager=sager,
    )
