"""Reads for the caseworker's side of consent and legal-basis access: what of a citizen's
data is hidden from the caseworker and why, the consents and requests of their units, the
choices of the request, assisted-consent and legal-basis forms, and a leader's review of
legal-basis accesses.

Hidden data is told as the authorities that hold it only, never units, counts, titles or
content, and not at all to a unit the citizen has blocked (samtykke.policy.skjult). Which
data is visible is the policy's decision (samtykke.policy), taken at query time; "hidden"
here is simply "active, and not among what the policy shows".
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from datadeling.core import clock
from klassifikation import kendte as k
from klassifikation.models import Klasse
from klassifikation.models import Status as KlasseStatus
from organisation.models import Borger, Enhed, Myndighed
from organisation.selectors import Aktoer
from samtykke import policy
from samtykke.models import (
    Anmodning,
    AnmodningStatus,
    Hjemmel,
    Samtykke,
    SamtykkeStatus,
)

U = uuid.UUID

# Parts of FFB below "FFB tilstande" that a consent may name on their own (KL's codes).
FFB_FUNKTIONER_OG_FORHOLD = U("740934cd-002b-4b96-b92e-b3562eed9448")
FFB_MENTALE_FUNKTIONER = U("25c5c614-305f-46cd-9891-55d564fc30cf")
FFB_OMGIVELSESFAKTORER = U("a56d59c0-c8fd-468c-85f9-b67f66561b90")

# The kinds of information a caseworker may ask consent for: subtree roots of FSIII and
# FFB, in groups. A consent covers a root's whole subtree (samtykke.policy.daekning).
KATEGORI_GRUPPER: tuple[tuple[str | Promise, tuple[uuid.UUID, ...]], ...] = (
    (
        _lazy("Socialområdet (FFB)"),
        (
            FFB_FUNKTIONER_OG_FORHOLD,
            FFB_MENTALE_FUNKTIONER,
            k.FFB_AKTIVITET_OG_DELTAGELSE,
            FFB_OMGIVELSESFAKTORER,
        ),
    ),
    (
        _lazy("Sundhed, pleje og omsorg (FSIII)"),
        (
            k.FSIII_SYGEPLEJETILSTANDE,
            k.FSIII_FUNKTIONSEVNETILSTANDE[0],
            k.FSIII_FUNKTIONSEVNETILSTANDE[1],
            k.FSIII_FUNKTIONSEVNETILSTANDE[2],
            k.FSIII_SUNDHEDSFREMME_TILSTANDE,
        ),
    ),
    (_lazy("Indsatser"), (k.FFB_YDELSE, k.FFB_TILBUD, *k.FSIII_INDSATSER)),
)
KATEGORIER = frozenset(pk for _gruppe, ids in KATEGORI_GRUPPER for pk in ids)
# Titles that say more than the code system's own short ones.
KATEGORI_TITLER = {
    FFB_FUNKTIONER_OG_FORHOLD: _lazy(
        "Funktioner og forhold (mentale og fysiske funktioner, sundhed, sociale forhold)"
    ),
    FFB_MENTALE_FUNKTIONER: _lazy("Kun mentale funktioner"),
    k.FFB_YDELSE: _lazy("Sociale ydelser (FFB), fx socialpædagogisk støtte"),
    k.FFB_TILBUD: _lazy("Sociale tilbud (FFB), fx botilbud"),
}


def kategori_titel(klasse: Klasse) -> str:
    """Return the title a caseworker sees for a category."""
    return str(KATEGORI_TITLER.get(klasse.pk, klasse.titel))


def sidste_dag(til: datetime.datetime) -> datetime.date:
    """Return the last day a period ending (exclusively) at `til` covers, in local time."""
    lokal = timezone.localtime(til)
    if lokal.time() == datetime.time.min:
        return lokal.date() - datetime.timedelta(days=1)
    return lokal.date()


# --- what is hidden, and the consents and requests -----------------------------------------


@dataclass(frozen=True)
class SamtykkeLinje:
    """A consent in force for the person, as their page tells it."""

    s: Samtykke
    hvad: list[str]
    kilder: list[Enhed]
    sidste_dag: datetime.date


@dataclass(frozen=True)
class AnmodningLinje:
    """A request of one of the person's units, with the citizen's answer if there is one."""

    a: Anmodning
    hvad: list[str]
    kilder: list[Enhed]
    svar: str  # afventer, givet, indskraenket, afvist, trukket, tilbagekaldt, udloebet
    svar_tekst: str
    givet: list[str] = field(default_factory=list)  # what was granted, when narrowed
    givet_kilder: list[Enhed] = field(default_factory=list)
    givet_sagsindeks: bool = False
    givet_til: datetime.date | None = None
    assisteret: bool = False

    @property
    def kilde_myndigheder(self) -> list[str]:
        """Return the authorities of the request's sources: what its unit is told of where
        it asked (the citizen sees the units; samtykke.policy.skjult)."""
        return list(dict.fromkeys(e.myndighed.navn for e in self.kilder))


@dataclass
class Adgang:
    """What the person may and may not see of one citizen, and what they can do about it."""

    borger: Borger
    blokeret: bool
    hjemmel_til: datetime.datetime | None
    skjult: list[Myndighed]  # the authorities holding data the person may not see
    samtykker: list[SamtykkeLinje]
    anmodninger: list[AnmodningLinje]
    kategori_grupper: list[tuple[str, list[Klasse]]]
    kilde_valg: list[Myndighed]  # the authorities a consent may name as sources
    hjemmel_valg: list[Klasse]
    enheder: list[Enhed]
    # The units behind `kilde_valg`: the sources a consent names. Never shown to the person.
    kilde_enheder: list[Enhed] = field(default_factory=list)

    @property
    def noget_skjult(self) -> bool:
        return bool(self.skjult)

    @property
    def hjemmel_mulig(self) -> bool:
        """Whether access on a legal basis makes sense: something is hidden — or, for a
        person the citizen has blocked, who is told nothing of other units' data, unless
        they hold one in force already."""
        return self.noget_skjult or (self.blokeret and not self.hjemmel_til)

    def kilder_for(self, myndighed_ids: Iterable[uuid.UUID]) -> list[Enhed]:
        """Return the sources (units) of a consent asked for from the chosen authorities."""
        return policy.kilder_for_myndigheder(self.kilde_enheder, myndighed_ids, blokeret=False)

    @property
    def kan_anmode(self) -> bool:
        """Whether asking for consent makes sense: something is hidden, and no block."""
        return self.noget_skjult and not self.blokeret

    @property
    def kan_registrere_samtykke(self) -> bool:
        return bool(self.kilde_valg) and not self.blokeret

    @property
    def afventer(self) -> list[AnmodningLinje]:
        return [a for a in self.anmodninger if a.svar == "afventer"]


MAKS_ANMODNINGER = 10


def _svar(a: Anmodning, now: datetime.datetime, titler: dict, enheder: dict) -> AnmodningLinje:
    """Return a request as its unit sees it, with the citizen's answer (newest version)."""
    hvad = [titler[pk] for pk in a.kategorier if pk in titler]
    if a.sagsindeks:
        hvad.append(_("oversigten over sager"))
    if a.dialog:
        hvad.append(_("dialogen om borgeren"))
    linje = AnmodningLinje(
        a=a,
        hvad=hvad,
        kilder=[enheder[pk] for pk in a.kilder if pk in enheder],
        svar="afventer",
        svar_tekst=_("Afventer borgerens svar"),
    )
    if a.status == AnmodningStatus.AFVENTER:
        return linje
    if a.status == AnmodningStatus.AFVIST:
        return replace(linje, svar="afvist", svar_tekst=_("Borgeren sagde nej"))
    if a.status == AnmodningStatus.TRUKKET:
        return replace(linje, svar="trukket", svar_tekst=_("Trukket tilbage"))
    versioner = list(a.svar.all())  # newest first
    if not versioner:
        return replace(linje, svar="givet", svar_tekst=_("Besvaret"))
    s = versioner[0]
    linje = replace(
        linje,
        givet=[titler[pk] for pk in s.kategorier if pk in titler],
        givet_kilder=[enheder[pk] for pk in s.kilder if pk in enheder],
        givet_sagsindeks=s.sagsindeks,
        givet_til=sidste_dag(s.gyldig_til),
        assisteret=s.assisteret,
    )
    if s.status == SamtykkeStatus.TILBAGEKALDT:
        svar, tekst = "tilbagekaldt", _("Givet, men trukket tilbage")
    elif s.gyldig_til <= now:
        svar, tekst = "udloebet", _("Givet, udløbet")
    elif (
        set(s.kategorier) < set(a.kategorier)
        or set(s.kilder) < set(a.kilder)
        or (a.sagsindeks and not s.sagsindeks)
    ):
        svar, tekst = "indskraenket", _("Givet med indskrænkning")
    else:
        svar, tekst = "givet", _("Givet")
    return replace(linje, svar=svar, svar_tekst=tekst)


def _hjemmel_valg_q() -> Q:
    return Q(klassifikation__uri=k.ADGANGSHJEMMEL_URI, status=KlasseStatus.AKTIV)


def adgang(aktoer: Aktoer, borger: Borger, now: datetime.datetime | None = None) -> Adgang:
    """Return what the person is told of the citizen's data they may not see (the
    authorities holding it; nothing when blocked: samtykke.policy.skjult), the consents in
    force for them, their units' requests with the answers, and the choices of the forms.

    Four queries, five when there are answered requests: the consents; the requests (and
    the answers' versions); the units holding hidden data (conditions, interventions, cases
    in the case index) together with the units the consents and requests name, in one
    query; the classes (categories and legal bases). `borger` carries `blokeret` and
    `hjemmel_til` (samtykke.policy.adgang_annotationer).

    A unit that holds only cases the person may not see is a source too, so a consent can
    be asked for the overview of the citizen's cases alone.
    """
    now = now or clock.now()
    samtykker = list(
        policy.samtykker_til(aktoer, now)
        .filter(borger=borger)
        .select_related("modtager_enhed", "modtager_myndighed", "modtager_medarbejder")
        .select_related("faglighed")
        .order_by("gyldig_til", "pk")
    )
    anmodninger = list(
        Anmodning.objects.filter(borger=borger, modtager_enhed_id__in=aktoer.enhed_ids)
        .select_related("anmoder", "modtager_enhed")
        .prefetch_related(Prefetch("svar", queryset=Samtykke.objects.order_by("-version")))
        .order_by("-oprettet", "pk")[:MAKS_ANMODNINGER]
    )
    alle: list[Samtykke | Anmodning] = [*samtykker, *anmodninger]
    alle += [s for a in anmodninger for s in a.svar.all()]
    kilde_ids = {pk for x in alle for pk in x.kilder}
    kategori_ids = {pk for x in alle for pk in x.kategorier}

    blokeret = bool(getattr(borger, "blokeret", False))
    # One query: the units holding hidden data, and the units the consents and requests
    # name (for their names).
    raekker = list(
        Enhed.objects.annotate(
            har_skjult=ExpressionWrapper(
                policy.har_skjult_annotation(aktoer, borger.pk, now, policy.synlige_ids(borger)),
                output_field=BooleanField(),
            )
        )
        .filter(Q(har_skjult=True) | Q(pk__in=kilde_ids))
        .select_related("myndighed")
        .order_by("myndighed__navn", "navn", "pk")
    )
    med_skjult = [e for e in raekker if e.har_skjult]
    skjult = policy.skjult_hos(med_skjult, blokeret=blokeret)
    enheder: dict[uuid.UUID, Enhed] = {e.pk: e for e in raekker}

    klasser = list(
        Klasse.objects.filter(Q(pk__in=KATEGORIER | kategori_ids) | _hjemmel_valg_q())
        .select_related("klassifikation")
        .order_by("raekkefoelge", "titel", "pk")
    )
    hjemmel_valg = [x for x in klasser if x.klassifikation.uri == k.ADGANGSHJEMMEL_URI]
    titler = {x.pk: kategori_titel(x) for x in klasser}
    efter_pk = {x.pk: x for x in klasser}
    grupper = [
        (str(navn), [efter_pk[pk] for pk in ids if pk in efter_pk])
        for navn, ids in KATEGORI_GRUPPER
    ]

    samtykke_linjer = [
        SamtykkeLinje(
            s=s,
            hvad=[titler[pk] for pk in s.kategorier if pk in titler]
            + ([_("oversigten over sager")] if s.sagsindeks else [])
            + ([_("dialogen om borgeren")] if s.dialog else []),
            kilder=[enheder[pk] for pk in s.kilder if pk in enheder],
            sidste_dag=sidste_dag(s.gyldig_til),
        )
        for s in samtykker
    ]
    # A consent may name the units holding hidden data, and those of the consents in force
    # (to register a new consent on paper before one runs out); the person chooses their
    # authorities.
    valgbare = {e.pk for e in med_skjult} | {pk for s in samtykker for pk in s.kilder}
    kilde_enheder = [] if blokeret else [e for pk, e in enheder.items() if pk in valgbare]
    kilde_valg = list({e.myndighed_id: e.myndighed for e in kilde_enheder}.values())
    return Adgang(
        borger=borger,
        blokeret=blokeret,
        hjemmel_til=getattr(borger, "hjemmel_til", None),
        skjult=skjult,
        kilde_enheder=kilde_enheder,
        samtykker=samtykke_linjer,
        anmodninger=[_svar(a, now, titler, enheder) for a in anmodninger],
        kategori_grupper=grupper,
        kilde_valg=kilde_valg,
        hjemmel_valg=hjemmel_valg,
        enheder=list({f.enhed_id: f.enhed for f in aktoer.funktioner}.values()),
    )


# --- a leader's review of legal-basis accesses ----------------------------------------------


MAKS_GENNEMGAAEDE = 50


@dataclass
class Gennemgang:
    ventende: list[Hjemmel]
    gennemgaaede: list[Hjemmel]


def _hjemler(aktoer: Aktoer) -> QuerySet[Hjemmel]:
    return policy.hjemler_til_gennemgang(aktoer).select_related(
        "medarbejder", "borger", "enhed", "lovgrundlag"
    )


def hjemler_til_gennemgang(aktoer: Aktoer) -> Gennemgang:
    """Return the legal-basis accesses of the units the person leads: those without a
    review (oldest first) and the newest reviewed ones. Two queries."""
    ventende = list(_hjemler(aktoer).filter(gennemgang__isnull=True).order_by("oprettet", "pk"))
    gennemgaaede = list(
        _hjemler(aktoer)
        .filter(gennemgang__isnull=False)
        .select_related("gennemgang__leder")
        .order_by("-gennemgang__tidspunkt", "pk")[:MAKS_GENNEMGAAEDE]
    )
    return Gennemgang(ventende=ventende, gennemgaaede=gennemgaaede)


def hjemmel_til_gennemgang(aktoer: Aktoer, pk: uuid.UUID) -> Hjemmel:
    """Return one legal-basis access of a unit the person leads, locked for the review.

    Raises Hjemmel.DoesNotExist for any other (the same as for one that does not exist).
    """
    return _hjemler(aktoer).select_for_update(of=("self",)).get(pk=pk)
