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
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    UUIDField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from datadeling.core import clock
from datadeling.core.bitemporal import Livscykluskode
from datadeling.core.proveniens import friskhed_graense
from indsats.models import Indsats
from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Borger
from organisation.selectors import Aktoer
from overblik.notifikation.selectors import foelgede_borger_ids
from overblik.selectors import dialog as dialog_selectors
from overblik.selectors import sag as sag_selectors
from overblik.selectors import tilstand as tilstand_selectors
from overblik.selectors.tilstand import Friskhed, TilstandVisning, dansk, friskhed
from sagsindeks.models import Sag
from samtykke import policy
from tilstand.models import Tilstand, TilstandStatus

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


def borger_til_side(aktoer: Aktoer, pk: uuid.UUID, *, resume: bool = False) -> Borger:
    """Return the citizen for their page, with `blokeret` and `hjemmel_til` (one query).

    With `resume` (the summary page), the same query also reads the ids of the citizen's
    data the person may see (policy.synlige_ids), so the summary and its "hidden
    elsewhere" ask the rule once instead of building it again for each, and the check
    itself is made from them (policy.side_aaben); and whether there are conversations
    about the citizen at all (dialog_selectors.har_samtaler_annotation).

    Raises Borger.DoesNotExist when the person may not open the page.
    """
    now = clock.now()
    annotationer = policy.adgang_annotationer(aktoer, now)
    if not resume:
        return policy.borgere_aabne(aktoer, now).annotate(**annotationer).get(pk=pk)
    # The visible set decides rule 7 for this one citizen as well (policy.side_aaben), so
    # the query over all citizens (borgere_aabne) is not built beside it.
    side = policy.side_annotationer(aktoer, pk, now)
    if not side:
        raise Borger.DoesNotExist  # nobody else opens a citizen's page
    annotationer |= side | dialog_selectors.har_samtaler_annotation()
    borger = Borger.objects.annotate(**annotationer).get(pk=pk)
    if not policy.side_aaben(aktoer, borger):
        raise Borger.DoesNotExist
    return borger


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


# How much of a citizen's data the page shows before the rest is asked for (the summary):
# the newest conditions of each area, the newest active interventions. The rest comes in
# pages (borger_tilstande_side, borger_indsatser_side), so the page does not grow with
# the citizen's history.
TILSTANDE_PR_OMRAADE = 3
INDSATSER_I_RESUME = 10
TILSTANDE_PR_SIDE = 10
INDSATSER_PR_SIDE = 25


def _ikke_frisk_q(now: datetime.datetime) -> Q:
    """Return the filter for assessments that are not fresh (as proveniens.friskhed_problemer)."""
    return Q(opfoelgning__lt=timezone.localdate(now)) | Q(vurderet__lt=now - friskhed_graense())


def _omraade_noegle() -> Case:
    """Return the SQL for a condition's area: its class's parent, or the class itself when it
    sits right under its code system part (as tilstand_selectors.omraade_titel names it)."""
    return Case(
        When(type__sti__len__gt=1, then=F("type__overordnet_id")),
        default=F("type_id"),
        output_field=UUIDField(),
    )


@dataclass
class OmraadeResume:
    """One area of the citizen's current conditions: how many, how many not fresh, and the
    newest assessed (at most TILSTANDE_PR_OMRAADE)."""

    noegle: uuid.UUID  # the area's class (see _omraade_noegle), for its page of conditions
    titel: str
    antal: int
    ikke_friske: int
    senest_vurderet: datetime.datetime | None
    tilstande: list[TilstandVisning] = field(default_factory=list)

    @property
    def flere(self) -> bool:
        return self.antal > len(self.tilstande)


@dataclass
class DelResume:
    """A code system part (FSIII, FFB) with its areas."""

    rod_id: uuid.UUID
    titel: str
    system: str
    omraader: list[OmraadeResume] = field(default_factory=list)


@dataclass(frozen=True)
class Aendring:
    """The newest registration among the citizen's data the person may see."""

    art: str  # "tilstand" or "indsats"
    pk: uuid.UUID
    titel: str
    tidspunkt: datetime.datetime
    livscykluskode: str
    objekt: Tilstand | Indsats  # for the access log: the datum the page names

    @property
    def livscyklus(self) -> str:
        try:
            return str(Livscykluskode(self.livscykluskode).label)
        except ValueError:
            return self.livscykluskode


@dataclass
class BorgerOverblik:
    """What a member of staff may see of one citizen, summarized for the overview page: the
    current conditions per area (the newest of each), the newest active interventions, the
    latest change; how many there are of each, the rest on pages of their own."""

    borger: Borger
    alder: int | None
    dele: list[DelResume]  # current conditions by code system part and area
    antal_aktuelle: int
    antal_afsluttede: int
    indsatser: list[IndsatsVisning]  # the newest active ones
    antal_aktive_indsatser: int
    antal_afsluttede_indsatser: int
    seneste: Aendring | None
    sager: list[Sag]  # cases elsewhere, open first (each with its basis for the log)

    @property
    def antal_tilstande(self) -> int:
        return self.antal_aktuelle + self.antal_afsluttede

    @property
    def flere_indsatser(self) -> bool:
        return self.antal_aktive_indsatser > len(self.indsatser)

    @property
    def objekter(self) -> list:
        """Return the shown Tilstand and Indsats objects, for the access log."""
        tilstande = [v.t for d in self.dele for o in d.omraader for v in o.tilstande]
        objekter = tilstande + [v.i for v in self.indsatser]
        if self.seneste is not None and self.seneste.pk not in {o.pk for o in objekter}:
            objekter.append(self.seneste.objekt)
        return objekter


INDSATS_RELATIONER = (
    "type", "lovgrundlag", "leverende_enhed", "bevilgende_enhed", "ansvarlig_enhed"
)  # fmt: skip


def indsatser_til_visning(
    aktoer: Aktoer, borger_id: uuid.UUID, now: datetime.datetime | None = None
) -> QuerySet[Indsats]:
    """Return the interventions the person may see, with what the overview shows (one query)."""
    return (
        policy.indsatser_synlige(aktoer, borger_id, now)
        .select_related(*INDSATS_RELATIONER)
        .order_by("afsluttet", "-startdato", "pk")
    )


def _synlige(
    model: type[Tilstand] | type[Indsats],
    aktoer: Aktoer,
    borger_id: uuid.UUID,
    now: datetime.datetime,
    synlige: policy.SynligeIds | None,
) -> QuerySet:
    """Return the citizen's current conditions (or interventions) the person may see: the
    rule itself, or, when the page read the visible ids already (borger_til_side), those
    of them that are still current."""
    if synlige is None:
        if model is Tilstand:
            return policy.tilstande_synlige(aktoer, borger_id, now)
        return policy.indsatser_synlige(aktoer, borger_id, now)
    ids = synlige.tilstande if model is Tilstand else synlige.indsatser
    return model.objects.filter(policy.er_en_af_ids("pk", ids), borger_id=borger_id, aktiv=True)


def _tilstande_resume(
    aktoer: Aktoer,
    borger_id: uuid.UUID,
    now: datetime.datetime,
    synlige: policy.SynligeIds | None = None,
) -> tuple[list[DelResume], int, int, Tilstand | None]:
    """Return the current conditions' areas grouped by part, how many current and ended
    conditions there are, and the newest registered one (for the latest change).

    Three queries whatever the history: which conditions the summary shows (the newest
    assessed of each area, and the newest registered), each with its area's counts (window
    functions over every visible condition); those conditions; the titles of their areas.
    """
    afsluttet = Q(status=TilstandStatus.AFSLUTTET)
    # The ended conditions are one group, each area of the current ones another.
    gruppe = Case(When(afsluttet, then=Value(None)), default=_omraade_noegle())
    ikke_frisk = Case(When(_ikke_frisk_q(now), then=Value(1)), default=Value(0))
    # Narrow rows for the window functions (sorting the wide rows of select_related would
    # cost more than the counting); the chosen rows are then fetched whole by pk.
    valgte = {
        r["pk"]: r
        for r in _synlige(Tilstand, aktoer, borger_id, now, synlige)
        .annotate(
            nr=Window(
                RowNumber(),
                partition_by=[gruppe],
                order_by=[F("vurderet").desc(), F("pk").asc()],
            ),
            antal=Window(Count("pk"), partition_by=[gruppe]),
            ikke_friske=Window(Sum(ikke_frisk), partition_by=[gruppe]),
            nyeste_nr=Window(
                RowNumber(),
                order_by=[F("registrering__tidspunkt").desc(nulls_last=True), F("pk").asc()],
            ),
        )
        .filter(Q(nr__lte=TILSTANDE_PR_OMRAADE) | Q(nyeste_nr=1))
        .values("pk", "nr", "antal", "ikke_friske", "nyeste_nr")
    }
    rows = list(
        Tilstand.objects.filter(pk__in=list(valgte))
        .select_related("type", "niveau", "stoettebehov", "registrering")
        .order_by("-vurderet", "pk")
    )
    ids = {a for t in rows for a in t.type.sti or ()}
    titler = (
        dict(Klasse.objects.filter(pk__in=ids).order_by().values_list("pk", "titel")) if ids else {}
    )
    omraader: dict[uuid.UUID, OmraadeResume] = {}
    dele: dict[uuid.UUID, DelResume] = {}
    aktuelle = afsluttede = 0
    nyeste = None
    for t in rows:
        tal = valgte[t.pk]
        if tal["nyeste_nr"] == 1:
            nyeste = t
        if t.status == TilstandStatus.AFSLUTTET:
            afsluttede = tal["antal"]
            continue
        sti = t.type.sti or []
        rod = sti[0] if sti else t.type_id
        noegle = t.type.overordnet_id if len(sti) > 1 and t.type.overordnet_id else t.type_id
        if rod not in dele:
            dele[rod] = DelResume(rod, titler.get(rod, ""), tilstand_selectors.system_navn(rod))
        if noegle not in omraader:
            titel = " › ".join(titler.get(a, "") for a in sti[1:]) or t.type.titel
            o = OmraadeResume(noegle, titel, tal["antal"], tal["ikke_friske"], None)
            omraader[noegle] = o
            dele[rod].omraader.append(o)
            aktuelle += o.antal
        if tal["nr"] <= TILSTANDE_PR_OMRAADE:
            # The summary shows the level now, not the development line.
            visning = TilstandVisning(t, [], friskhed(t.vurderet, t.opfoelgning, now=now))
            omraader[noegle].tilstande.append(visning)
    orden = {r: i for i, r in enumerate(k.TILSTAND_ROEDDER)}
    resultat = sorted(dele.values(), key=lambda d: (orden.get(d.rod_id, 99), dansk(d.titel)))
    for d in resultat:
        d.omraader.sort(key=lambda o: dansk(o.titel))
    return resultat, aktuelle, afsluttede, nyeste


def _indsatser_resume(
    aktoer: Aktoer,
    borger_id: uuid.UUID,
    now: datetime.datetime,
    synlige: policy.SynligeIds | None = None,
) -> tuple[list[IndsatsVisning], int, int, Indsats | None]:
    """Return the newest active interventions (at most INDSATSER_I_RESUME), how many active
    and ended ones there are, and the newest registered one. Two queries whatever the
    history: which to show, with the counts (window functions), and those interventions."""
    valgte = {
        r["pk"]: r
        for r in _synlige(Indsats, aktoer, borger_id, now, synlige)
        .annotate(
            nr=Window(
                RowNumber(),
                partition_by=[F("afsluttet")],
                order_by=[F("startdato").desc(), F("pk").asc()],
            ),
            antal=Window(Count("pk"), partition_by=[F("afsluttet")]),
            nyeste_nr=Window(
                RowNumber(),
                order_by=[F("registrering__tidspunkt").desc(nulls_last=True), F("pk").asc()],
            ),
        )
        .filter(Q(nr__lte=INDSATSER_I_RESUME) | Q(nyeste_nr=1))
        .values("pk", "nr", "antal", "nyeste_nr")
    }
    rows = list(
        Indsats.objects.filter(pk__in=list(valgte))
        .select_related(*INDSATS_RELATIONER, "registrering")
        .order_by("afsluttet", "-startdato", "pk")
    )
    aktive = [i for i in rows if not i.afsluttet and valgte[i.pk]["nr"] <= INDSATSER_I_RESUME]
    antal = {i.afsluttet: valgte[i.pk]["antal"] for i in rows}
    nyeste = next((i for i in rows if valgte[i.pk]["nyeste_nr"] == 1), None)
    visninger = [IndsatsVisning(i, friskhed(i.vurderet, i.opfoelgning, now=now)) for i in aktive]
    return visninger, antal.get(False, 0), antal.get(True, 0), nyeste


def _aendring(*objekter: Tilstand | Indsats | None) -> Aendring | None:
    """Return the newest registration among the objects (registrering loaded)."""
    kandidater = [o for o in objekter if o is not None and o.registrering is not None]
    if not kandidater:
        return None
    o = max(kandidater, key=lambda o: o.registrering.tidspunkt)  # type: ignore[union-attr]
    art = "tilstand" if isinstance(o, Tilstand) else "indsats"
    r = o.registrering
    assert r is not None  # chosen among those with one
    return Aendring(art, o.pk, o.type.titel, r.tidspunkt, r.livscykluskode, o)


def borger_overblik(aktoer: Aktoer, borger: Borger) -> BorgerOverblik:
    """Return the summary of the citizen's data that the person may see.

    Six queries whatever the amount of data: which conditions the summary shows with their
    counts, those conditions, the titles of their areas, the interventions likewise (two),
    and the cases elsewhere (sagsindeks).
    """
    now = clock.now()
    # The visible ids the page's check read (borger_til_side(resume=True)), if it did.
    synlige = policy.synlige_ids(borger)
    dele, aktuelle, afsluttede, nyeste_t = _tilstande_resume(aktoer, borger.pk, now, synlige)
    indsatser, aktive_i, afsluttede_i, nyeste_i = _indsatser_resume(aktoer, borger.pk, now, synlige)
    sager = sag_selectors.sager_til_visning(
        aktoer, borger.pk, now, None if synlige is None else synlige.sager
    )
    idag = timezone.localdate(now)
    try:
        aar: int | None = alder(borger.foedselsdato, borger.doedsdato or idag)
    except ValidationError:  # a CPR number without a valid birth date: show no age
        aar = None
    return BorgerOverblik(
        borger=borger,
        alder=aar,
        dele=dele,
        antal_aktuelle=aktuelle,
        antal_afsluttede=afsluttede,
        indsatser=indsatser,
        antal_aktive_indsatser=aktive_i,
        antal_afsluttede_indsatser=afsluttede_i,
        seneste=_aendring(nyeste_t, nyeste_i),
        sager=sager,
    )


# --- the rest, page by page -------------------------------------------------------------


def borger_tilstande_side(
    aktoer: Aktoer,
    borger_id: uuid.UUID,
    *,
    omraade: uuid.UUID | None = None,
    afsluttede: bool = False,
    side: int | str = 1,
) -> Page:
    """Return one page of the citizen's conditions the person may see, newest assessed first:
    the current ones (of one area, when `omraade` names one), or the ended ones.

    The page's items are TilstandVisning. Three queries: the count, the page, the versions
    of their newest registrations.
    """
    qs = tilstand_selectors.tilstande_til_visning(aktoer, borger_id)
    afsluttet = Q(status=TilstandStatus.AFSLUTTET)
    qs = qs.filter(afsluttet) if afsluttede else qs.exclude(afsluttet)
    if omraade is not None and not afsluttede:
        qs = qs.alias(omraade=_omraade_noegle()).filter(omraade=omraade)
    side_ = Paginator(qs.order_by("-vurderet", "pk"), TILSTANDE_PR_SIDE).get_page(side)
    visninger = [tilstand_selectors.tilstand_visning(t) for t in side_.object_list]
    return Page(visninger, side_.number, side_.paginator)


def borger_indsatser_side(
    aktoer: Aktoer, borger_id: uuid.UUID, *, afsluttede: bool = False, side: int | str = 1
) -> Page:
    """Return one page of the citizen's active (or ended) interventions the person may see,
    newest start first. The page's items are IndsatsVisning. Two queries: count and page."""
    qs = indsatser_til_visning(aktoer, borger_id).filter(afsluttet=afsluttede)
    side_ = Paginator(qs, INDSATSER_PR_SIDE).get_page(side)
    now = clock.now()
    visninger = [
        IndsatsVisning(i, friskhed(i.vurderet, i.opfoelgning, now=now)) for i in side_.object_list
    ]
    return Page(visninger, side_.number, side_.paginator)


def omraade_titel_for(visninger: list[TilstandVisning]) -> str:
    """Return the area title of a page of one area's conditions ("" for an empty page): one
    query, for the titles of the first condition's ancestors."""
    if not visninger:
        return ""
    t = visninger[0].t
    return tilstand_selectors.omraade_titel(t.type, tilstand_selectors.klasse_titler([t.type]))
