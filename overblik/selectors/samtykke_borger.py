"""Reads for the citizen's consent pages: Mine samtykker, one consent's history, a request
to answer, and Hvem har set mine data. Also: whom a relative may act for.

Every read here is pinned to one citizen (`borger`), whom the view has already decided
the logged-in person may act for: the citizen self, or a relative with a værge or a
fuldmagt that covers consent and is valid today (checked again on every request). A
consent or a request of another citizen is not found, just like a uuid that does not exist.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as L
from django.utils.translation import ngettext

from klassifikation.models import Klasse
from organisation.models import Borger, Enhed, Relation, RelationsType
from overblik.tiltale import SELV, Tiltale
from samtykke import policy
from samtykke.models import (
    Adgangslog,
    Anmodning,
    AnmodningStatus,
    Beslutning,
    Grundlag,
    Handling,
    Hjemmel,
    Samtykke,
    SamtykkeStatus,
)
from samtykke.services import samtykke_tekst

PR_SIDE = 25

# --- acting for someone ------------------------------------------------------------------


def relationer_til_handling(person: Borger, now: datetime.datetime) -> list[Relation]:
    """Return the relations by which `person` may act for a citizen today (one query; the
    rule is the policy's, samtykke.policy.handle_for_q)."""
    return list(
        Relation.objects.filter(policy.handle_for_q(now), person=person)
        .select_related("borger")
        .order_by("borger__efternavn", "borger__fornavn", "borger_id", "-gyldig_fra")
        .distinct("borger__efternavn", "borger__fornavn", "borger_id")
    )


def relation_til_handling(
    person: Borger, borger_id: uuid.UUID, now: datetime.datetime
) -> Relation | None:
    """Return a relation by which `person` may act for the citizen today, or None."""
    try:
        borger_id = uuid.UUID(str(borger_id))
    except ValueError:
        return None
    return (
        Relation.objects.filter(policy.handle_for_q(now), person=person, borger_id=borger_id)
        .select_related("borger")
        .order_by("-gyldig_fra", "pk")
        .first()
    )


# --- what a consent or a request looks like to the citizen --------------------------------


def varighed_tekst(dage: int) -> str:
    """Return a number of days as a citizen says it: "1 år", "6 måneder", "45 dage"."""
    if dage % 365 == 0:
        aar = dage // 365
        return ngettext("%(n)d år", "%(n)d år", aar) % {"n": aar}
    if dage % 30 == 0:
        md = dage // 30
        return ngettext("%(n)d måned", "%(n)d måneder", md) % {"n": md}
    return ngettext("%(n)d dag", "%(n)d dage", dage) % {"n": dage}


def enhed_navn(enhed: Enhed | None) -> str:
    return f"{enhed.navn}, {enhed.myndighed.navn}" if enhed is not None else ""


def modtager_navn(s: Samtykke) -> str:
    """Return who a consent or block is addressed to, in plain words."""
    if s.modtager_enhed_id:
        return enhed_navn(s.modtager_enhed)
    if s.modtager_myndighed is not None:
        return s.modtager_myndighed.navn
    m = s.modtager_medarbejder
    return f"{m.navn}, {m.myndighed.navn}" if m is not None else ""


def sidste_dag(til: datetime.datetime) -> datetime.date:
    """Return the last day a period that ends at `til` (exclusive) covers, in local time."""
    return timezone.localdate(til - datetime.timedelta(microseconds=1))


RELATION_DIN: dict[str, object] = {
    RelationsType.VAERGE: L("din værge"),
    RelationsType.FULDMAGT: L("din fuldmægtig"),
    RelationsType.PAAROERENDE: L("din pårørende"),
}
RELATION_NAVN: dict[str, object] = {
    RelationsType.VAERGE: L("værge"),
    RelationsType.FULDMAGT: L("fuldmægtig"),
    RelationsType.PAAROERENDE: L("pårørende"),
}


def _relation_ord(type_: str, for_andre: bool) -> str:
    ord_ = RELATION_NAVN if for_andre else RELATION_DIN
    return str(ord_.get(type_, type_))


@dataclass(frozen=True)
class Hvem:
    """Who the pages speak to: the person logged in, and the citizen whose data it is."""

    person: Borger
    borger: Borger
    relation: Relation | None = None

    @property
    def for_andre(self) -> bool:
        return self.relation is not None

    @property
    def tiltale(self) -> Tiltale:
        """Return the words for the person whose data it is ("dig", or the citizen's name)."""
        return Tiltale(self.borger.navn if self.for_andre else None)


def givet_af_tekst(s: Samtykke, hvem: Hvem) -> str:
    """Return who gave (or last changed) a consent version, seen from the reader."""
    if s.givet_af_id == hvem.person.pk:
        return _("Dig") if hvem.for_andre else _("Dig selv")
    if s.givet_af_id == s.borger_id:
        return _("%(navn)s selv") % {"navn": s.borger.navn}
    if s.via_relation is not None:
        return f"{s.givet_af.navn}, {_relation_ord(s.via_relation.type, hvem.for_andre)}"
    return s.givet_af.navn


@dataclass(frozen=True)
class SamtykkeKort:
    samtykke: Samtykke
    modtager: str
    kategorier: list[Klasse]
    kilder: list[Enhed]
    givet_af: str
    sidste_dag: datetime.date
    tilstand: str  # aktiv, kommende, udloebet, tilbagekaldt, erstattet
    tiltale: Tiltale = SELV  # whose consent: "dine sager" or "Karens sager"
    blokeret: Samtykke | None = None  # the block in force that beats it (policy)

    @property
    def virker(self) -> bool:
        """Whether the consent gives access now: in force and not beaten by a block."""
        return self.tilstand == "aktiv" and self.blokeret is None

    @property
    def blokering(self) -> bool:
        return self.samtykke.beslutning == Beslutning.AFVIS

    @property
    def kan_aendres(self) -> bool:
        return self.tilstand in {"aktiv", "kommende"}

    @property
    def hvad(self) -> list[str]:
        s = self.samtykke
        return hvad_tekster(
            [k.titel for k in self.kategorier], s.sagsindeks, s.dialog, self.tiltale
        )


@dataclass(frozen=True)
class AnmodningKort:
    anmodning: Anmodning
    kategorier: list[Klasse]
    kilder: list[Enhed]
    hvad: list[str]
    tiltale: Tiltale = SELV

    @property
    def anmoder(self) -> str:
        return self.anmodning.anmoder.navn

    @property
    def enhed(self) -> str:
        return enhed_navn(self.anmodning.modtager_enhed)

    @property
    def varighed(self) -> str:
        return varighed_tekst(self.anmodning.varighed_dage)


@dataclass(frozen=True)
class Opslag:
    """Class titles and unit names for the ids that consents and requests hold."""

    klasser: dict[uuid.UUID, Klasse]
    enheder: dict[uuid.UUID, Enhed]

    def kategorier(self, ids: Iterable[uuid.UUID]) -> list[Klasse]:
        return sorted((self.klasser[i] for i in ids if i in self.klasser), key=lambda k: k.titel)

    def kilder(self, ids: Iterable[uuid.UUID]) -> list[Enhed]:
        return sorted(
            (self.enheder[i] for i in ids if i in self.enheder),
            key=lambda e: (e.myndighed.navn, e.navn),
        )


def _opslag(kategori_ids: set, kilde_ids: set) -> Opslag:
    """Look up the classes and units that the given ids name (two queries at most)."""
    klasser = {k.pk: k for k in Klasse.objects.filter(pk__in=kategori_ids)} if kategori_ids else {}
    enheder = (
        {e.pk: e for e in Enhed.objects.filter(pk__in=kilde_ids).select_related("myndighed")}
        if kilde_ids
        else {}
    )
    return Opslag(klasser, enheder)


def _tilstand(s: Samtykke, now: datetime.datetime, erstattet: bool = False) -> str:
    if erstattet:
        return "erstattet"
    if s.status == SamtykkeStatus.TILBAGEKALDT:
        return "tilbagekaldt"
    if s.gyldig_til <= now:
        return "udloebet"
    if s.gyldig_fra > now:
        return "kommende"
    return "aktiv"


def _kort(
    s: Samtykke, opslag: Opslag, hvem: Hvem, now: datetime.datetime, erstattet: bool = False,
    blokeringer: Iterable[Samtykke] = (),
) -> SamtykkeKort:  # fmt: skip
    return SamtykkeKort(
        samtykke=s,
        modtager=modtager_navn(s),
        kategorier=opslag.kategorier(s.kategorier),
        kilder=opslag.kilder(s.kilder),
        givet_af=givet_af_tekst(s, hvem),
        sidste_dag=sidste_dag(s.gyldig_til),
        tilstand=_tilstand(s, now, erstattet),
        tiltale=hvem.tiltale,
        blokeret=None if erstattet else policy.blokering_for(s, blokeringer, now),
    )


def hvad_tekster(
    titler: list[str], sagsindeks: bool, dialog: bool, tiltale: Tiltale = SELV
) -> list[str]:
    hvad = list(titler)
    if sagsindeks:
        hvad.append(_("Oversigten over %(dine)s sager") % tiltale.ord())
    if dialog:
        hvad.append(_("Dialogen om %(dig)s") % tiltale.ord())
    return hvad


def _anmodning_kort(a: Anmodning, opslag: Opslag, tiltale: Tiltale = SELV) -> AnmodningKort:
    kategorier = opslag.kategorier(a.kategorier)
    return AnmodningKort(
        anmodning=a,
        kategorier=kategorier,
        kilder=opslag.kilder(a.kilder),
        hvad=hvad_tekster([k.titel for k in kategorier], a.sagsindeks, a.dialog, tiltale),
        tiltale=tiltale,
    )


SAMTYKKE_RELATIONER = (
    "borger",
    "givet_af",
    "via_relation",
    "modtager_enhed__myndighed",
    "modtager_myndighed",
    "modtager_medarbejder__myndighed",
    "faglighed",
)


def _samtykker(borger: Borger) -> QuerySet[Samtykke]:
    return Samtykke.objects.filter(borger=borger).select_related(*SAMTYKKE_RELATIONER)


def _anmodninger(borger: Borger) -> QuerySet[Anmodning]:
    return Anmodning.objects.filter(borger=borger).select_related(
        "anmoder", "modtager_enhed__myndighed"
    )


# --- Mine samtykker ----------------------------------------------------------------------


@dataclass
class MineSamtykker:
    afventer: list[AnmodningKort]
    aktive: list[SamtykkeKort]
    udloebne: list[SamtykkeKort]
    tilbagekaldte: list[SamtykkeKort]
    besvarede: list[AnmodningKort]  # requests declined or withdrawn
    blokeringer: list[SamtykkeKort]
    tidligere_blokeringer: list[SamtykkeKort]
    blok_valg: list[Enhed]
    objekter: list[tuple[str, uuid.UUID]] = field(default_factory=list)

    @property
    def tidligere_antal(self) -> int:
        return len(self.tilbagekaldte) + len(self.besvarede)


def blok_valg(
    anmodninger: list[Anmodning], samtykker: list[Samtykke], now: datetime.datetime
) -> list[Enhed]:
    """Return the units the citizen may block: those that asked, or were given consent,
    and are not blocked now."""
    blokeret = {
        s.modtager_enhed_id
        for s in samtykker
        if s.beslutning == Beslutning.AFVIS and _tilstand(s, now) in {"aktiv", "kommende"}
    }
    enheder = {a.modtager_enhed_id: a.modtager_enhed for a in anmodninger}
    for s in samtykker:
        if s.beslutning == Beslutning.TILLAD and s.modtager_enhed is not None:
            enheder.setdefault(s.modtager_enhed.pk, s.modtager_enhed)
    return sorted(
        (e for pk, e in enheder.items() if pk not in blokeret),
        key=lambda e: (e.myndighed.navn, e.navn),
    )


def mine_samtykker(hvem: Hvem, now: datetime.datetime) -> MineSamtykker:
    """Return the citizen's requests, consents and blocks, sorted into what is pending,
    in force, expired, withdrawn and blocked. Four queries whatever the amount."""
    anmodninger = list(_anmodninger(hvem.borger).order_by("-oprettet", "pk"))
    # only the newest version of each chain: older ones are history (see samtykke_historik)
    samtykker = list(
        _samtykker(hvem.borger).filter(erstattet_af__isnull=True).order_by("-oprettet", "pk")
    )
    opslag = _opslag(
        {i for a in anmodninger for i in a.kategorier}
        | {i for s in samtykker for i in s.kategorier},
        {i for a in anmodninger for i in a.kilder} | {i for s in samtykker for i in s.kilder},
    )
    data = MineSamtykker([], [], [], [], [], [], [], blok_valg(anmodninger, samtykker, now))
    for a in anmodninger:
        if a.status == AnmodningStatus.AFVENTER:
            data.afventer.append(_anmodning_kort(a, opslag, hvem.tiltale))
        elif a.status in (AnmodningStatus.AFVIST, AnmodningStatus.TRUKKET):
            data.besvarede.append(_anmodning_kort(a, opslag, hvem.tiltale))
        data.objekter.append(("anmodning", a.pk))
    for s in samtykker:
        kort = _kort(s, opslag, hvem, now, blokeringer=samtykker)
        if s.beslutning == Beslutning.AFVIS:
            liste = data.blokeringer if kort.kan_aendres else data.tidligere_blokeringer
        else:
            liste = {
                "aktiv": data.aktive,
                "kommende": data.aktive,
                "udloebet": data.udloebne,
                "tilbagekaldt": data.tilbagekaldte,
            }[kort.tilstand]
        liste.append(kort)
        data.objekter.append(("samtykke", s.pk))
    data.udloebne.sort(key=lambda k: k.samtykke.gyldig_til, reverse=True)
    return data


def samtykke_historik(hvem: Hvem, pk: uuid.UUID, now: datetime.datetime) -> list[SamtykkeKort]:
    """Return every version of the consent chain that `pk` belongs to, newest first, the
    newest marked when a block beats it (four queries), or raise Samtykke.DoesNotExist when
    it is not this citizen's."""
    kaede = Samtykke.objects.filter(pk=pk, borger=hvem.borger).values("kaede")[:1]
    versioner = list(_samtykker(hvem.borger).filter(kaede=Subquery(kaede)).order_by("-version"))
    if not versioner:
        raise Samtykke.DoesNotExist
    opslag = _opslag(
        {i for s in versioner for i in s.kategorier}, {i for s in versioner for i in s.kilder}
    )
    blokeringer = list(
        _samtykker(hvem.borger).filter(beslutning=Beslutning.AFVIS, erstattet_af__isnull=True)
    )
    return [
        _kort(s, opslag, hvem, now, erstattet=n > 0, blokeringer=blokeringer)
        for n, s in enumerate(versioner)
    ]


def samtykke_til_handling(hvem: Hvem, pk: uuid.UUID, now: datetime.datetime) -> SamtykkeKort:
    """Return one consent version of the citizen as a card (three queries), or raise
    Samtykke.DoesNotExist. A superseded version is marked so: it cannot be changed."""
    s = (
        _samtykker(hvem.borger)
        .annotate(erstattet=Exists(Samtykke.objects.filter(erstatter=OuterRef("pk"))))
        .get(pk=pk)
    )
    return _kort(s, _opslag(set(s.kategorier), set(s.kilder)), hvem, now, erstattet=s.erstattet)


def anmodning_til_svar(hvem: Hvem, pk: uuid.UUID) -> AnmodningKort:
    """Return one of the citizen's requests as a card (three queries), or raise
    Anmodning.DoesNotExist."""
    a = _anmodninger(hvem.borger).get(pk=pk)
    return _anmodning_kort(a, _opslag(set(a.kategorier), set(a.kilder)), hvem.tiltale)


def blok_enheder(hvem: Hvem, now: datetime.datetime) -> list[Enhed]:
    """Return the units the citizen may block now (two queries)."""
    return blok_valg(
        list(_anmodninger(hvem.borger)),
        list(_samtykker(hvem.borger).filter(erstattet_af__isnull=True)),
        now,
    )


# --- Hvem har set mine data ---------------------------------------------------------------


@dataclass(frozen=True)
class LogLinje:
    entry: Adgangslog
    grundlag: str  # the basis, in words
    art: str  # css modifier: egen, samtykke, hjemmel, borger, relation, administration
    samtykke_id: uuid.UUID | None = None
    begrundelse: str = ""
    hvad: str = ""  # what the read showed, in plain words (hvad_set)


def _grundlag(e: Adgangslog, hvem: Hvem, hjemler: dict) -> LogLinje:
    g = e.grundlag
    if g == Grundlag.EGEN_ENHED:
        return LogLinje(e, _("Egen enhed"), "egen")
    if g == Grundlag.SAMTYKKE:
        tekst = _("Samtykke") if hvem.for_andre else _("Dit samtykke")
        return LogLinje(e, tekst, "samtykke", samtykke_id=e.grundlag_id)
    if g == Grundlag.HJEMMEL:
        h = hjemler.get(e.grundlag_id)
        lov = h.lovgrundlag.titel if h is not None else ""
        tekst = _("Lovhjemmel – %(lov)s") % {"lov": lov} if lov else _("Lovhjemmel")
        return LogLinje(e, tekst, "hjemmel", begrundelse=h.begrundelse if h else "")
    if g == Grundlag.BORGER:
        if hvem.for_andre:
            return LogLinje(e, _("%(navn)s selv") % {"navn": hvem.borger.navn}, "borger")
        return LogLinje(e, _("Dig selv"), "borger")
    if g == Grundlag.RELATION:
        if e.bruger_id is not None and e.bruger_id == hvem.person.user_id:
            return LogLinje(
                e, _("Dig, på vegne af %(navn)s") % {"navn": hvem.borger.navn}, "relation"
            )
        r = e.handler_for
        hvad = _relation_ord(r.type, hvem.for_andre) if r is not None else ""
        tekst = f"{hvad.capitalize()} {e.navn}" if hvad else e.navn
        return LogLinje(e, tekst, "relation")
    return LogLinje(e, _("Administration af Datadeling"), "administration")


# What a read showed, by the kinds of objects and categories an entry names. The log keeps
# what the reader's screen called it (`hvad`, hash-chained, never rewritten); the citizen
# reads what was seen, in the same words on every entry, old and new.
SET: list[tuple[set[str], object]] = [
    ({"tilstand", "tilstande"}, L("beskrivelsen af %(din)s situation")),
    ({"indsats", "indsatser"}, L("den hjælp, %(du)s får")),
    ({"sag", "sagsindeks"}, L("%(dine)s sager i andre systemer")),
    ({"samtykke", "anmodning"}, L("%(dine)s samtykker og anmodninger")),
    ({"samtale", "dialog"}, L("samtaler om %(dig)s")),
]
HANDLING_VERBUM: dict[str, object] = {
    Handling.VISNING: L("Så"),
    Handling.EKSPORT: L("Hentede en kopi af"),
    Handling.ADMIN: L("Så i administrationen"),
    Handling.INTEGRATION: L("Fik sendt"),
}


def hvad_set(e: Adgangslog, tiltale: Tiltale) -> str:
    """Return what a read showed, in plain words: "Så beskrivelsen af din situation og dine
    sager i andre systemer". Falls back to the screen's own words for anything else."""
    arter = {str(o.get("type")) for o in e.objekter if isinstance(o, dict)}
    arter |= {str(k) for k in e.kategorier}
    if "opslag" in arter:
        return _("Slog %(dig)s op på CPR-nummer") % tiltale.ord()
    dele = [str(tekst) % tiltale.ord() for navne, tekst in SET if navne & arter]
    if not dele:
        return e.hvad
    verbum = str(HANDLING_VERBUM.get(e.handling, HANDLING_VERBUM[Handling.VISNING]))
    hvad = dele[0] if len(dele) == 1 else _("%(a)s og %(b)s") % {
        "a": ", ".join(dele[:-1]), "b": dele[-1]
    }  # fmt: skip
    return f"{verbum} {hvad}"


@dataclass(frozen=True)
class LogFilter:
    """Which reads of the log to show: others' only (default), by whom, unit, period."""

    andre: bool = True
    hvem: str = ""
    enhed: str = ""  # "Unit, Authority" as listed by log_valg
    fra: datetime.date | None = None
    til: datetime.date | None = None


def _enhed_tekst(enhed_navn: str, myndighed_navn: str) -> str:
    return ", ".join(d for d in (enhed_navn, myndighed_navn) if d)


def log_valg(hvem: Hvem) -> tuple[list[str], list[str]]:
    """Return the readers and the units in the citizen's log, for the filter (one query)."""
    raekker = list(
        Adgangslog.objects.filter(borger=hvem.borger)
        .values_list("navn", "enhed_navn", "myndighed_navn")
        .distinct()
    )
    navne = sorted({n for n, _e, _m in raekker if n})
    enheder = sorted({_enhed_tekst(e, m) for _n, e, m in raekker if e})
    return navne, enheder


def _log_qs(hvem: Hvem, filter_: LogFilter) -> QuerySet[Adgangslog]:
    qs = Adgangslog.objects.filter(borger=hvem.borger)
    if filter_.andre:
        # the citizen's own reads, and the reader's own (a relative's), are not others'
        qs = qs.exclude(grundlag=Grundlag.BORGER).exclude(bruger_id=hvem.person.user_id)
    if filter_.hvem:
        qs = qs.filter(navn=filter_.hvem)
    if filter_.enhed:
        enhed, _sep, myndighed = filter_.enhed.partition(", ")
        qs = qs.filter(enhed_navn=enhed, myndighed_navn=myndighed)
    tz = timezone.get_current_timezone()
    if filter_.fra is not None:
        fra = datetime.datetime.combine(filter_.fra, datetime.time.min, tzinfo=tz)
        qs = qs.filter(tidspunkt__gte=fra)
    if filter_.til is not None:
        til = datetime.datetime.combine(filter_.til, datetime.time.min, tzinfo=tz)
        qs = qs.filter(tidspunkt__lt=til + datetime.timedelta(days=1))
    return qs


def hvem_har_set_alle(hvem: Hvem, filter_: LogFilter) -> list[LogLinje]:
    """Return every entry of the citizen's log that the filter keeps, newest first, for the
    download (two queries)."""
    entries = list(_log_qs(hvem, filter_).select_related("handler_for").order_by("-nummer"))
    return _linjer(hvem, entries)


def hvem_har_set(
    hvem: Hvem, *, side: int | str | None, filter_: LogFilter | None = None
) -> tuple[Page, list]:
    """Return a page of the citizen's access log, newest first, with what each read showed
    and its basis in plain words. Two queries, three when the page holds reads on a legal
    basis. By default only others' reads (`LogFilter`).
    """
    qs = _log_qs(hvem, filter_ or LogFilter()).select_related("handler_for")
    page = Paginator(qs.order_by("-nummer"), PR_SIDE).get_page(side)
    return page, _linjer(hvem, list(page.object_list))


def _linjer(hvem: Hvem, entries: list[Adgangslog]) -> list[LogLinje]:
    hjemmel_ids = {
        e.grundlag_id for e in entries if e.grundlag == Grundlag.HJEMMEL and e.grundlag_id
    }
    hjemler = (
        {
            h.pk: h
            for h in Hjemmel.objects.filter(pk__in=hjemmel_ids, borger=hvem.borger).select_related(
                "lovgrundlag"
            )
        }
        if hjemmel_ids
        else {}
    )
    tiltale = hvem.tiltale
    return [
        dataclasses.replace(_grundlag(e, hvem, hjemler), hvad=hvad_set(e, tiltale)) for e in entries
    ]


def svar_tekst(
    kort: AnmodningKort,
    kategorier: list[Klasse],
    kilder: list[Enhed],
    now: datetime.datetime,
    sagsindeks: bool | None = None,
) -> str:
    """Return the exact text the consent will carry if the citizen says yes with these ticks
    (the same words samtykke.services stores with it; no query). `sagsindeks` None: the
    case overview as asked."""
    a = kort.anmodning
    udkast = Samtykke(
        borger_id=a.borger_id,
        modtager_enhed=a.modtager_enhed,
        formaal=a.formaal,
        gyldig_fra=now,
        gyldig_til=now + datetime.timedelta(days=a.varighed_dage),
        sagsindeks=a.sagsindeks if sagsindeks is None else sagsindeks,
        dialog=a.dialog,
        beslutning=Beslutning.TILLAD,
    )
    return samtykke_tekst(udkast, kategorier, kilder)
