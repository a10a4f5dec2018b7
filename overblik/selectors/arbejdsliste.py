"""Reads for the caseworker's worklist on the staff front page: follow-ups due or overdue
in my units, consents about to expire, my units' requests waiting for an answer and the
answers received since I last looked, and, for leaders, legal-basis accesses to review.

Every list is read through the access policy (samtykke.policy) and names only citizens
whose page the person may open (`policy.borgere_aabne`): a citizen they may no longer see
drops off the list on the very next request. Each list pages, filters (unit, citizen,
kind) and sorts in the database: two queries a list (its count and its page), whatever
the amount of data.

Three lists are built by others and have a slot here, filled when their apps are merged:
the citizens I follow with what changed since I last looked (`fulgte`), the dialogue
waiting for me (`dialog`) and correction requests for my units (`berigtigelser`). A slot
is a function with the signature of `Slot`: it returns a Page of `Punkt`, or None while
nobody fills it.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from datadeling.core import clock, tekst
from datadeling.core.proveniens import friskhed_graense
from dialog import selectors as dialog_selectors
from dialog.models import Samtale
from indsats.models import Indsats
from organisation.models import Borger
from organisation.selectors import Aktoer
from overblik.models import Foelg, Notifikation, Side, SidstSet
from overblik.notifikation import selectors as notifikation_selectors
from samtykke import policy
from samtykke.models import Anmodning, AnmodningStatus, Berigtigelse, Samtykke
from tilstand.models import Tilstand, TilstandStatus

PR_SIDE = 10
# A follow-up shows this many days before its date; a consent this many before it ends.
OPFOELGNING_VARSEL = 14
UDLOEB_DAGE = 30
# The answers "since I last looked" for someone who never marked them seen.
SVAR_FOERSTE_GANG = datetime.timedelta(days=30)

OPFOELGNINGER = "opfoelgninger"
SAMTYKKER = "samtykker"
ANMODNINGER = "anmodninger"
SVAR = "svar"
GENNEMGANG = "gennemgang"
# The slots the lead fills after merging Følg, the dialogue and correction requests.
FULGTE = "fulgte"
DIALOG = "dialog"
BERIGTIGELSER = "berigtigelser"
LISTER = (FULGTE, OPFOELGNINGER, SAMTYKKER, ANMODNINGER, SVAR, DIALOG, BERIGTIGELSER, GENNEMGANG)

DATO, DATO_NYESTE, NAVN = "dato", "-dato", "navn"
SORTERINGER = (DATO, DATO_NYESTE, NAVN)


@dataclass(frozen=True)
class Filtre:
    """What the person narrowed the worklist to: one of their units, one citizen, one kind
    of list (empty: all), and the order."""

    enhed: uuid.UUID | None = None
    borger: uuid.UUID | None = None
    art: str = ""
    sorter: str = DATO

    def viser(self, liste: str) -> bool:
        return not self.art or self.art == liste


@dataclass(frozen=True)
class Punkt:
    """One item of a slot's list (followed citizens, dialogue, correction requests)."""

    borger: Borger
    hvad: str  # plain Danish: what happened or waits
    tidspunkt: datetime.datetime
    url: str
    # what of the citizen's data the item names, for the access log: ("tilstand", id), ...
    objekter: tuple[tuple[str, Any], ...] = ()


Slot = Callable[[Aktoer, Filtre, int | str, datetime.datetime, QuerySet[Borger]], Page | None]
"""A slot: (aktoer, filtre, side, now, aabne) → a Page of Punkt, already filtered by the
policy; `aabne` is the worklist's one `policy.borgere_aabne` queryset, built once for all
its lists (its building is much of a list's cost)."""


def _tom_slot(
    aktoer: Aktoer, filtre: Filtre, side: int | str, now: datetime.datetime, aabne: QuerySet
) -> None:
    return None


def _punkter(qs: QuerySet, side: int | str, punkt: Callable[[Any], Punkt]) -> Page:
    """Return one page of `qs` with each row made a Punkt (two queries)."""
    page = _side(qs, side)
    page.object_list = [punkt(x) for x in page.object_list]
    return page


def fulgte(
    aktoer: Aktoer, filtre: Filtre, side: int | str, now: datetime.datetime, aabne: QuerySet
) -> Page:
    """Return one page of the citizens I follow whose page opens, each with what changed
    since I last looked: the unread notifications about them my inbox shows (policy
    `notifikationer_synlige_q`, with the dialogue's tables), the newest first."""
    assert aktoer.medarbejder is not None  # the worklist is for staff
    user_id = aktoer.medarbejder.user_id
    nye = Notifikation.objects.filter(
        notifikation_selectors.synlige_q(aktoer, now),
        modtager_id=user_id, borger_id=OuterRef("borger_id"), laest__isnull=True,
    )  # fmt: skip
    qs = _navne(
        Foelg.objects.filter(_borger_q(filtre, aabne), bruger_id=user_id)
        .annotate(
            nye=Coalesce(
                Subquery(nye.order_by().values("borger_id").annotate(n=Count("pk")).values("n")),
                Value(0),
            ),
            seneste=Coalesce(
                Subquery(nye.order_by("-oprettet").values("oprettet")[:1]), F("oprettet")
            ),
        )
        .select_related("borger")
    )
    ordning = _orden(filtre, "seneste")
    if filtre.sorter == DATO:  # the newest change first is what one looks for
        ordning = ["-nye", "-seneste", "pk"]

    def punkt(f: Foelg) -> Punkt:
        n = f.nye  # type: ignore[attr-defined]
        hvad = (
            ngettext("%(n)d ny ændring", "%(n)d nye ændringer", n) % {"n": n}
            if n
            else _("Intet nyt siden du sidst så")
        )
        url = reverse("overblik:borger", args=[f.borger_id])
        return Punkt(borger=f.borger, hvad=hvad, tidspunkt=f.seneste, url=url)  # type: ignore[attr-defined]

    return _punkter(qs.order_by(*ordning), side, punkt)


def dialog_venter(
    aktoer: Aktoer, filtre: Filtre, side: int | str, now: datetime.datetime, aabne: QuerySet
) -> Page:
    """Return one page of the conversations that wait for me: unread messages, or a message
    asking me for an answer (dialog's selector, the dialogue rule), about citizens whose
    page opens; those waiting for my answer first, then by the newest activity."""
    assert aktoer.medarbejder is not None  # the worklist is for staff
    qs = _navne(
        dialog_selectors.samtaler_venter(
            bruger=aktoer.medarbejder.user, borger_ids=aabne.values("pk"), now=now
        )
    )
    if filtre.borger is not None:
        qs = qs.filter(borger_id=filtre.borger)
    ordning = _orden(filtre, "seneste")
    if filtre.sorter == DATO:
        ordning = ["-venter_paa_mig", "svar_frist", "-seneste", "pk"]

    def punkt(s: Samtale) -> Punkt:
        if s.venter_paa_mig:  # type: ignore[attr-defined]
            frist = s.svar_frist  # type: ignore[attr-defined]
            hvad = (
                _("Venter på dit svar, senest %(dato)s") % {"dato": tekst.dato(frist)}
                if frist
                else _("Venter på dit svar")
            )
        else:
            n = s.ulaeste  # type: ignore[attr-defined]
            hvad = ngettext("%(n)d ulæst besked", "%(n)d ulæste beskeder", n) % {"n": n}
        url = reverse("overblik:samtale", args=[s.borger_id, s.pk])
        return Punkt(
            borger=s.borger, hvad=f"{s.emne}: {hvad}", tidspunkt=s.seneste, url=url,
            objekter=(("samtale", s.pk),),
        )  # fmt: skip

    return _punkter(qs.order_by(*ordning), side, punkt)


def berigtigelser(
    aktoer: Aktoer, filtre: Filtre, side: int | str, now: datetime.datetime, aabne: QuerySet
) -> Page:
    """Return one page of the correction requests my units must answer (policy
    `berigtigelser_til`), the earliest due date first."""
    qs = policy.berigtigelser_til(aktoer).filter(_borger_q(filtre, None))
    enheder = _enheder(aktoer, filtre)
    qs = qs.filter(
        Q(tilstand__ansvarlig_enhed_id__in=enheder) | Q(indsats__ansvarlig_enhed_id__in=enheder)
    )
    qs = _navne(qs).select_related("borger", "tilstand", "indsats")
    ordning = _orden(filtre, "frist")
    idag = timezone.localdate(now)

    def punkt(b: Berigtigelse) -> Punkt:
        frist = tekst.dato(b.frist)
        hvad = (
            _("Anmodning om rettelse – svarfristen %(dato)s er overskredet") % {"dato": frist}
            if b.frist < idag
            else _("Anmodning om rettelse – svar senest %(dato)s") % {"dato": frist}
        )
        objekt = ("tilstand", b.tilstand_id) if b.tilstand_id else ("indsats", b.indsats_id)
        url = reverse("overblik:berigtigelse", args=[b.pk])
        return Punkt(borger=b.borger, hvad=hvad, tidspunkt=b.oprettet, url=url, objekter=(objekt,))

    return _punkter(qs.order_by(*ordning), side, punkt)


SLOTS: dict[str, Slot] = {FULGTE: fulgte, DIALOG: dialog_venter, BERIGTIGELSER: berigtigelser}


@dataclass
class Arbejdsliste:
    """The worklist: one page of each list (None when filtered away or not the person's)."""

    filtre: Filtre
    lister: dict[str, Page | None] = field(default_factory=dict)
    svar_siden: datetime.datetime | None = None
    leder: bool = False

    def __getattr__(self, navn: str) -> Page | None:
        # templates read `arbejdsliste.opfoelgninger`, ...
        if navn in LISTER:
            return self.lister.get(navn)
        raise AttributeError(navn)

    @property
    def tom(self) -> bool:
        return not any(p is not None and p.paginator.count for p in self.lister.values())

    def logposter(self) -> dict[str, dict[uuid.UUID, list[tuple[str, Any]]]]:
        """Return, per list, {citizen id: the objects shown} for the access log. The leader's
        reviews are left out: like the review page, they name an access, not data."""
        poster: dict[str, dict[uuid.UUID, list[tuple[str, Any]]]] = {}
        for navn, side in self.lister.items():
            if side is None or navn == GENNEMGANG:
                continue
            pr_borger: dict[uuid.UUID, list[tuple[str, Any]]] = {}
            for x in side.object_list:
                if isinstance(x, Punkt):
                    pr_borger.setdefault(x.borger.pk, []).extend(x.objekter)
                elif isinstance(x, dict):
                    pr_borger.setdefault(x["borger_id"], []).append((x["art"], x["pk"]))
                elif isinstance(x, Samtykke):
                    pr_borger.setdefault(x.borger_id, []).append(("samtykke", x.pk))
                else:
                    pr_borger.setdefault(x.borger_id, []).append(("anmodning", x.pk))
            poster[navn] = pr_borger
        return poster


def _side(qs: Iterable, side: int | str) -> Page:
    """Return one page, read now (the count and the page: two queries)."""
    page: Page = Paginator(qs, PR_SIDE).get_page(side)  # type: ignore[arg-type]
    page.object_list = list(page.object_list)
    return page


def _enheder(aktoer: Aktoer, filtre: Filtre, ids: Iterable[uuid.UUID] | None = None) -> list:
    """Return the person's units the lists are about: all of them, or the chosen one."""
    mine = set(aktoer.enhed_ids if ids is None else ids)
    if filtre.enhed is not None:
        return [filtre.enhed] if filtre.enhed in mine else []
    return sorted(mine)


def _borger_q(filtre: Filtre, aabne: QuerySet[Borger] | None, felt: str = "borger_id") -> Q:
    """Return the filter for the chosen citizen, among those whose page opens (`aabne`;
    None where the list's own rule already implies it)."""
    q = Q() if aabne is None else Q(**{f"{felt}__in": aabne.values("pk")})
    if filtre.borger is not None:
        q &= Q(**{felt: filtre.borger})
    return q


def _orden(filtre: Filtre, dato: str) -> list[str]:
    if filtre.sorter == NAVN:
        return ["borger_efternavn", "borger_fornavn", dato, "pk"]
    return [f"-{dato}" if filtre.sorter == DATO_NYESTE else dato, "pk"]


def _navne(qs: QuerySet, felt: str = "borger") -> QuerySet:
    return qs.annotate(
        borger_efternavn=F(f"{felt}__efternavn"), borger_fornavn=F(f"{felt}__fornavn")
    )


# --- the lists --------------------------------------------------------------------------------


def _opfoelgning_raekker(model: type[Tilstand] | type[Indsats], qs: QuerySet, art: str) -> QuerySet:
    ikke_afsluttet = (
        ~Q(status=TilstandStatus.AFSLUTTET) if model is Tilstand else Q(afsluttet=False)
    )
    return (
        _navne(qs.filter(ikke_afsluttet))
        .annotate(
            art=Value(art),
            titel=F("type__titel"),
            enhed_navn=F("ansvarlig_enhed__navn"),
            # the day the datum must be followed up: its planned date, or the day its
            # assessment grows old (freshness), whichever comes first (LEAST skips NULL)
            frist=Least(
                F("opfoelgning"),
                Cast(F("vurderet") + friskhed_graense(), output_field=DateField()),
            ),
        )
        .values(
            "pk",
            "art",
            "borger_id",
            "borger_efternavn",
            "borger_fornavn",
            "titel",
            "enhed_navn",
            "opfoelgning",
            "vurderet",
            "frist",
        )  # fmt: skip
    )


def opfoelgninger(aktoer: Aktoer, filtre: Filtre, side: int | str, now: datetime.datetime) -> Page:
    """Return one page of the conditions and interventions of my units (or the chosen one)
    whose follow-up is due within OPFOELGNING_VARSEL days or overdue, or whose assessment
    has grown old (freshness): dicts with art, titel, borger, enhed_navn, frist."""
    idag = timezone.localdate(now)
    varsel = idag + datetime.timedelta(days=OPFOELGNING_VARSEL)
    # Data the policy shows opens its citizen's page (policy.borgere_aabne): no more check.
    hvor = Q(ansvarlig_enhed_id__in=_enheder(aktoer, filtre)) & _borger_q(filtre, None)
    tilstande = _opfoelgning_raekker(
        Tilstand, policy.tilstande_synlige(aktoer, now=now).filter(hvor), "tilstand"
    ).filter(frist__lte=varsel)
    indsatser = _opfoelgning_raekker(
        Indsats, policy.indsatser_synlige(aktoer, now=now).filter(hvor), "indsats"
    ).filter(frist__lte=varsel)
    return _side(tilstande.union(indsatser, all=True).order_by(*_orden(filtre, "frist")), side)


def udloebende_samtykker(
    aktoer: Aktoer, filtre: Filtre, side: int | str, now: datetime.datetime
) -> Page:
    """Return one page of the consents in force for me, my units or my authorities that end
    within UDLOEB_DAGE days (samtykke.policy.samtykker_udloeber); with a unit chosen, those
    to that unit or its authority."""
    # A consent in force to the person opens the citizen's page (policy.kontakt_q).
    qs = policy.samtykker_udloeber(aktoer, now, UDLOEB_DAGE).filter(_borger_q(filtre, None))
    if filtre.enhed is not None:
        valgt = [f.enhed for f in aktoer.funktioner if f.enhed_id == filtre.enhed]
        qs = qs.filter(
            Q(modtager_enhed_id__in=[e.pk for e in valgt])
            | Q(modtager_myndighed_id__in=[e.myndighed_id for e in valgt])
        )
    qs = _navne(qs).select_related(
        "borger", "modtager_enhed", "modtager_myndighed", "modtager_medarbejder"
    )
    return _side(qs.order_by(*_orden(filtre, "gyldig_til")), side)


def _anmodninger(aktoer: Aktoer, filtre: Filtre, aabne: QuerySet) -> QuerySet[Anmodning]:
    qs = Anmodning.objects.filter(
        _borger_q(filtre, aabne), modtager_enhed_id__in=_enheder(aktoer, filtre)
    )
    return _navne(qs).select_related("borger", "anmoder", "modtager_enhed")


def anmodninger_afventer(
    aktoer: Aktoer, filtre: Filtre, side: int | str, now: datetime.datetime, aabne: QuerySet
) -> Page:
    """Return one page of my units' requests for consent waiting for the citizen's answer."""
    qs = _anmodninger(aktoer, filtre, aabne).filter(status=AnmodningStatus.AFVENTER)
    return _side(qs.order_by(*_orden(filtre, "oprettet")), side)


def svar_modtaget(
    aktoer: Aktoer,
    filtre: Filtre,
    side: int | str,
    now: datetime.datetime,
    aabne: QuerySet,
    siden: datetime.datetime | None,
) -> Page:
    """Return one page of my units' requests the citizen answered (yes or no) since I last
    marked the answers seen (or in the last SVAR_FOERSTE_GANG, if I never did)."""
    fra = siden or now - SVAR_FOERSTE_GANG
    qs = _anmodninger(aktoer, filtre, aabne).filter(
        status__in=[AnmodningStatus.BESVARET, AnmodningStatus.AFVIST], besvaret__gt=fra
    )
    ordning = _orden(filtre, "besvaret")
    if filtre.sorter == DATO:  # the newest answer first is what one looks for
        ordning = ["-besvaret", "pk"]
    return _side(qs.order_by(*ordning), side)


def hjemler_til_gennemgang(aktoer: Aktoer, filtre: Filtre, side: int | str) -> Page:
    """Return one page of the legal-basis accesses of the units I lead that wait for a
    review (samtykke.policy.hjemler_til_gennemgang), oldest first."""
    enheder = _enheder(aktoer, filtre, policy.leder_enhed_ids(aktoer))
    qs = policy.hjemler_til_gennemgang(aktoer).filter(gennemgang__isnull=True, enhed_id__in=enheder)
    if filtre.borger is not None:
        qs = qs.filter(borger_id=filtre.borger)
    qs = _navne(qs).select_related("borger", "medarbejder", "enhed", "lovgrundlag")
    return _side(qs.order_by(*_orden(filtre, "oprettet")), side)


def svar_sidst_set(aktoer: Aktoer) -> datetime.datetime | None:
    """Return when the person last marked the answers to their units' requests seen."""
    assert aktoer.medarbejder is not None  # the worklist is for staff
    return (
        SidstSet.objects.filter(
            user_id=aktoer.medarbejder.user_id, side=Side.ARBEJDSLISTE_SVAR, borger=None
        )
        .values_list("sidst", flat=True)
        .first()
    )


def arbejdsliste(
    aktoer: Aktoer,
    filtre: Filtre,
    sider: dict[str, int | str] | None = None,
    *,
    kun: str | None = None,
    now: datetime.datetime | None = None,
) -> Arbejdsliste:
    """Return the worklist of a member of staff: one page of each list the filter shows
    (`sider` gives each list's page), or of the list `kun` alone (an htmx partial).

    At most two queries a list, plus one for when the answers were last seen.
    """
    now = now or clock.now()
    sider = sider or {}
    aabne = policy.borgere_aabne(aktoer, now)
    leder = bool(policy.leder_enhed_ids(aktoer))
    resultat = Arbejdsliste(filtre=filtre, leder=leder)

    def skal(liste: str) -> bool:
        return filtre.viser(liste) and (kun is None or kun == liste)

    def s(liste: str) -> int | str:
        return sider.get(liste, 1)

    if skal(OPFOELGNINGER):
        resultat.lister[OPFOELGNINGER] = opfoelgninger(aktoer, filtre, s(OPFOELGNINGER), now)
    if skal(SAMTYKKER):
        resultat.lister[SAMTYKKER] = udloebende_samtykker(aktoer, filtre, s(SAMTYKKER), now)
    if skal(ANMODNINGER):
        resultat.lister[ANMODNINGER] = anmodninger_afventer(
            aktoer, filtre, s(ANMODNINGER), now, aabne
        )
    if skal(SVAR):
        resultat.svar_siden = svar_sidst_set(aktoer)
        resultat.lister[SVAR] = svar_modtaget(
            aktoer, filtre, s(SVAR), now, aabne, resultat.svar_siden
        )
    if leder and skal(GENNEMGANG):
        resultat.lister[GENNEMGANG] = hjemler_til_gennemgang(aktoer, filtre, s(GENNEMGANG))
    for navn, slot in SLOTS.items():
        if skal(navn):
            resultat.lister[navn] = slot(aktoer, filtre, s(navn), now, aabne)
    return resultat


def tomme_slots() -> frozenset[str]:
    """Return the slots nobody fills yet (their filter choice is not offered)."""
    return frozenset(navn for navn, slot in SLOTS.items() if slot is _tom_slot)
