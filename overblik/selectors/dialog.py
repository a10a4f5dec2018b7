"""Reads of the dialogue screens, composed from dialog.selectors (which apply the policy):
the Dialog section of the caseworker's citizen page, one conversation page (a window of
messages, who takes part, what the reader may do), Mine samtaler, and the access-log
entries and reading positions these pages write.

What a message shows is shaped here once for staff and citizens (`BeskedVisning`), so the
templates never query and never decide anything about access.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from datadeling.core import clock
from dialog import selectors as ds
from dialog import services as dialog_services
from dialog.models import Besked, Deltager, Samtale, SamtaleType, Vedhaeftning
from indsats.models import Indsats
from organisation.models import Borger, Enhed, Medarbejder, Omfang, Relation
from organisation.selectors import Aktoer
from samtykke import policy
from samtykke.adgangslog import adgangslog_post, adgangslog_write, adgangslog_write_batch
from samtykke.models import Anmodning, Grundlag
from samtykke.policy import dialog as dialogregel
from tilstand.models import Tilstand

Bruger = Any  # a User (or AnonymousUser): dialog.selectors' own reader type
ANTAL = 50  # messages in a window of the conversation page
GRUNDLAG_TEKST = {
    Grundlag.EGEN_ENHED: _("din enheds eget arbejde med borgeren"),
    Grundlag.SAMTYKKE: _("borgerens samtykke, der omfatter dialogen"),
    Grundlag.HJEMMEL: _("din adgang på lovhjemmel"),
    Grundlag.BORGER: _("det er dig, samtalen handler om"),
    Grundlag.RELATION: _("din fuldmagt eller dit værgemål, der omfatter dialog"),
}
# The same for the other participants ("on what basis" in the list of who takes part).
DELTAGER_GRUNDLAG_TEKST: dict[str, str] = {
    Grundlag.EGEN_ENHED: _("enhedens eget arbejde med borgeren"),
    Grundlag.SAMTYKKE: _("borgerens samtykke, der omfatter dialogen"),
    Grundlag.HJEMMEL: _("adgang på lovhjemmel"),
    Grundlag.BORGER: _("samtalen handler om borgeren"),
    Grundlag.RELATION: _("fuldmagt eller værgemål, der omfatter dialog"),
}
INGEN_ADGANG_TEKST = _("har ikke adgang til dialogen nu og læser ikke med")


def deltager_grundlag_tekst(g: tuple[str, Any] | None) -> str:
    """Return a participant's basis in words (or that they do not read along now)."""
    return DELTAGER_GRUNDLAG_TEKST.get(g[0], "") if g else INGEN_ADGANG_TEKST


# --- shapes for the templates ------------------------------------------------------------------


@dataclass(frozen=True)
class Fil:
    filnavn: str
    stoerrelse: int
    url: str


@dataclass
class BeskedVisning:
    """One current message as this reader sees it."""

    b: Besked
    borger_id: uuid.UUID
    hvem: str = ""  # role, unit and authority of a member of staff; relation of a person
    egen: bool = False
    rettet: bool = False
    versioner: list[Besked] = field(default_factory=list)
    henvisninger: list = field(default_factory=list)
    filer: list[Fil] = field(default_factory=list)
    afventer: str = ""  # the participant an answer is awaited from (while unanswered)
    sete_af: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DeltagerVisning:
    navn: str
    hvad: str = ""
    grundlag: str = ""


@dataclass
class Side:
    """One conversation page (or a window of it) as the reader may see it."""

    samtale: Samtale
    beskeder: list[BeskedVisning] = field(default_factory=list)
    har_aeldre: bool = False
    foerste_nummer: int = 0
    seneste_nummer: int = 0
    vindue: bool = False  # an older window (`?foer=`): no polling
    laeser_grundlag: str = ""  # the reader's basis, in words
    deltagere: list[DeltagerVisning] = field(default_factory=list)
    svar_valg: list[tuple[int, str]] = field(default_factory=list)
    kan_skrive: bool = False
    min_enhed: Enhed | None = None
    om: dict[str, Any] | None = None
    _deltagere: dict[int, Deltager] = field(default_factory=dict)
    # what the writer (staff) may refer to: ("t:<id>" / "i:<id>", label) and the objects
    henvisning_valg: list[tuple[str, str]] = field(default_factory=list)
    _henvisninger: dict[str, Tilstand | Indsats] = field(default_factory=dict)

    def henviste(self, valgte: list[str]) -> tuple[list[Tilstand], list[Indsats]]:
        """Return the conditions and interventions chosen in the form (by their keys)."""
        objekter = [self._henvisninger[k] for k in valgte if k in self._henvisninger]
        return (
            [o for o in objekter if isinstance(o, Tilstand)],
            [o for o in objekter if isinstance(o, Indsats)],
        )

    def deltager(self, pk: Any) -> Deltager | None:
        """Return the current participant with this id (as chosen in the form), or None."""
        try:
            return self._deltagere.get(int(pk)) if pk else None
        except (TypeError, ValueError):
            return None


def _a(o: object, navn: str) -> Any:
    """Return an attribute dialog.selectors annotated onto a model instance."""
    return getattr(o, navn)


def deltager_navn(d: Deltager) -> str:
    if d.medarbejder is not None:
        return d.medarbejder.navn
    if d.enhed is not None:
        return f"{d.enhed.navn}, {d.enhed.myndighed.navn}"
    return d.person.navn if d.person is not None else ""


def _deltager_hvad(d: Deltager, samtale: Samtale) -> str:
    if d.medarbejder_id:
        return _("Medarbejder")
    if d.enhed_id:
        return _("Hele enheden")
    if d.person_id == samtale.borger_id:
        return _("Borgeren")
    if d.via_relation is not None:
        return _("Handler for borgeren (%(type)s)") % {"type": d.via_relation.get_type_display()}
    return _("Pårørende")


def _afsender(b: Besked) -> str:
    if b.medarbejder_id:
        rolle = b.rolle + (f" ({b.faglighed})" if b.faglighed else "")
        return ", ".join(x for x in (rolle, b.enhed_navn, b.myndighed_navn) if x)
    if b.via_relation_id:
        return _("for borgeren")
    return _("borgeren")


def _deltog(d: Deltager, b: Besked) -> bool:
    """Whether message b was written by participant d (an answer from them)."""
    return bool(
        (d.medarbejder_id and b.medarbejder_id == d.medarbejder_id)
        or (d.enhed_id and b.enhed_id == d.enhed_id)
        or (d.person_id and b.person_id == d.person_id)
    )


def _visninger(
    bruger: Bruger, samtale: Samtale, beskeder: list[Besked], fil_url: Callable[[Any], str]
) -> list[BeskedVisning]:
    ud = []
    for i, b in enumerate(beskeder):
        afventer = ""
        d = b.svar_fra
        if d is not None and not b.trukket_tilbage:
            senere = beskeder[i + 1 :]
            if not any(_deltog(d, x) for x in senere if not x.trukket_tilbage):
                afventer = deltager_navn(d)
        ud.append(
            BeskedVisning(
                b=b,
                borger_id=samtale.borger_id,
                hvem=_afsender(b),
                egen=b.bruger_id == bruger.pk,
                rettet=getattr(b, "redigeret", False),
                versioner=getattr(b, "tidligere", []),
                henvisninger=getattr(b, "henvisninger", []),
                filer=[
                    Fil(f.filnavn, f.stoerrelse, fil_url(f.pk)) for f in getattr(b, "filer", [])
                ],
                afventer=afventer,
                sete_af=[x.navn for x in getattr(b, "sete_af", [])],
            )
        )
    return ud


# --- one conversation --------------------------------------------------------------------------


def _tal(v: Any) -> int | None:
    try:
        return int(v) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


def samtale_side(
    *,
    bruger: Bruger,
    borger: Borger | None,
    samtale_id: uuid.UUID,
    foer: Any = None,
    efter: int | None = None,
    beskeder: bool = True,
    fil_url: Callable[[Any], str] | None = None,
    aktoer: Aktoer | None = None,
) -> Side:
    """Return a conversation page for the reader: the newest window of messages, the window
    before message `foer`, or the messages after `efter` (polling); Http404 for a
    conversation they may not open (or one about another citizen than `borger`)."""
    s = ds.samtale_for(bruger=bruger, samtale_id=samtale_id, aktoer=aktoer)
    if borger is not None and s.borger_id != borger.pk:
        raise Http404
    side = Side(samtale=s, seneste_nummer=s.seneste_nummer)
    deltagere: list[Deltager] = _a(s, "aktuelle_deltagere")
    side._deltagere = {d.pk: d for d in deltagere}
    grundlag_for = ds.deltagere_grundlag([s])
    side.deltagere = [
        DeltagerVisning(
            deltager_navn(d), _deltager_hvad(d, s), deltager_grundlag_tekst(grundlag_for.get(d.pk))
        )
        for d in deltagere
    ]
    grundlag = _a(s, "grundlag")
    side.laeser_grundlag = GRUNDLAG_TEKST.get(grundlag[0], "") if grundlag else ""
    side.kan_skrive = bool(_a(s, "laeser"))
    side.svar_valg = [
        (d.pk, deltager_navn(d))
        for d in deltagere
        if not (d.medarbejder is not None and d.medarbejder.user_id == bruger.pk)
        and not (d.person is not None and d.person.user_id == bruger.pk)
    ]
    om = _a(s, "om")
    if om is not None:
        side.om = {"synlig": True, "tekst": str(getattr(om, "type", None) or om)}
    elif _a(s, "om_skjult"):
        side.om = {"synlig": False, "tekst": ""}
    if s.anmodning_id and side.om is None:
        side.om = {"synlig": True, "tekst": _("en anmodning om samtykke")}
    if not beskeder:
        return side
    if aktoer is not None and aktoer.er_medarbejder and side.kan_skrive and efter is None:
        _henvisning_valg(side, aktoer)
    foer_nr = _tal(foer)
    vindue = ds.beskeder_for(
        bruger=bruger, samtale=s, foer_nummer=None if efter is not None else foer_nr,
        efter_nummer=efter, antal=ANTAL, aktoer=aktoer,
    )  # fmt: skip
    url = fil_url or (lambda _pk: "")
    side.beskeder = _visninger(bruger, s, vindue.beskeder, url)
    side.har_aeldre = vindue.flere_foer and efter is None
    side.foerste_nummer = vindue.foerste_nummer or 0
    side.vindue = foer_nr is not None
    return side


def _henvisning_valg(side: Side, aktoer: Aktoer) -> None:
    """Offer the writer the citizen's active conditions and interventions they may see
    themselves (the policy; two queries). The service checks the choice again."""
    now = clock.now()
    borger_id = side.samtale.borger_id
    objekter: list[tuple[str, Tilstand | Indsats]] = [
        (f"t:{t.pk}", t)
        for t in policy.tilstande_synlige(aktoer, borger_id, now)
        .filter(aktiv=True)
        .select_related("type")
        .order_by("type__titel", "pk")
    ] + [
        (f"i:{i.pk}", i)
        for i in policy.indsatser_synlige(aktoer, borger_id, now)
        .filter(aktiv=True)
        .select_related("type")
        .order_by("type__titel", "pk")
    ]
    side._henvisninger = dict(objekter)
    side.henvisning_valg = [(k, str(o.type) if o.type_id else str(o)) for k, o in objekter]


def anmodning_samtale(
    *,
    bruger: Bruger,
    anmodning: Anmodning,
    fil_url_for: Callable[[uuid.UUID], Callable[[Any], str]] | None = None,
    aktoer: Aktoer | None = None,
) -> Side | None:
    """Return the newest conversation a consent request opened, if the reader may read it."""
    pk = (
        Samtale.objects.filter(anmodning=anmodning, type=SamtaleType.MED_BORGEREN)
        .order_by("-oprettet")
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        return None
    try:
        fil_url = fil_url_for(pk) if fil_url_for else None
        return samtale_side(
            bruger=bruger, borger=None, samtale_id=pk, fil_url=fil_url, aktoer=aktoer
        )
    except Http404:
        return None


def egen_besked(*, bruger: Bruger, side: Side, kaede: uuid.UUID) -> Besked:
    """Return the current version of one's own message in the conversation, or Http404."""
    b = (
        Besked.objects.filter(
            samtale=side.samtale, kaede=kaede, erstattet_af__isnull=True, bruger_id=bruger.pk
        )
        .select_related("samtale")
        .first()
    )
    if b is None or b.trukket_tilbage:
        raise Http404
    return b


def vedhaeftning(
    *, bruger: Bruger, side: Side, vedhaeftning_id: uuid.UUID, aktoer: Aktoer | None = None
) -> Vedhaeftning:
    """Return an attachment of this conversation the reader may download, or Http404."""
    v = ds.vedhaeftning_for(bruger=bruger, vedhaeftning_id=vedhaeftning_id, aktoer=aktoer)
    if v.besked.samtale_id != side.samtale.pk:
        raise Http404
    return v


@dataclass
class Invitation:
    enheder: list[Enhed]
    medarbejdere: list[Medarbejder]
    personer: list[Relation]


def inviter_valg(*, bruger: Bruger, side: Side) -> Invitation:
    """Return whom the invite form offers: the units in force (whether one may take part is
    the policy's answer when invited: the form cannot tell what the citizen has hidden), the
    staff of the units taking part, and the people acting for the citizen in the dialogue."""
    idag = clock.now().date()
    deltager_enheder = [d.enhed_id for d in side._deltagere.values() if d.enhed_id]
    med = {d.medarbejder_id for d in side._deltagere.values() if d.medarbejder_id}
    enheder = list(
        Enhed.objects.filter(Q(gyldig_til__isnull=True) | Q(gyldig_til__gte=idag))
        .exclude(pk__in=deltager_enheder)
        .select_related("myndighed")
        .order_by("myndighed__navn", "navn")
    )
    medarbejdere = list(
        Medarbejder.objects.filter(funktioner__enhed_id__in=deltager_enheder)
        .exclude(pk__in=med)
        .exclude(user_id=bruger.pk)
        .select_related("myndighed")
        .distinct()
        .order_by("navn")
    )
    personer: list[Relation] = []
    if side.samtale.type == SamtaleType.MED_BORGEREN:
        personer = list(
            Relation.objects.filter(
                borger_id=side.samtale.borger_id, omfang__contains=[Omfang.DIALOG]
            )
            .select_related("person")
            .order_by("person__fornavn")
        )
    return Invitation(enheder, medarbejdere, personer)


# --- what the pages write: the access log and how far the reader has read ----------------------


def log_laesning(request: HttpRequest, aktoer: Aktoer, side: Side) -> None:
    """Write the access-log entry for a response that shows the conversation."""
    ds.samtale_log(bruger=request.user, samtale=side.samtale, aktoer=aktoer)


def log_fil(request: HttpRequest, aktoer: Aktoer, side: Side, v: Vedhaeftning) -> None:
    """Write the access-log entry for a downloaded attachment."""
    ds.samtale_log(
        bruger=request.user,
        samtale=side.samtale,
        aktoer=aktoer,
        hvad=_("Hentede filen «%(fil)s» fra samtalen om «%(emne)s»")
        % {"fil": v.filnavn, "emne": side.samtale.emne},
    )


def marker_laest(bruger: Bruger, side: Side, aktoer: Aktoer | None = None) -> None:
    """Record that the reader has read up to the newest message shown (readers only)."""
    if side.beskeder and side.kan_skrive:
        dialog_services.laesning_write(
            samtale=side.samtale, actor=bruger, til_nummer=side.beskeder[-1].b.nummer,
            aktoer=aktoer,
        )  # fmt: skip


# --- the Dialog section of the citizen's page ---------------------------------------------------


@dataclass(frozen=True)
class SamtaleRaekke:
    samtale: Samtale
    ulaeste: int
    afventer_mig: bool
    svar_frist: datetime.date | None
    deltagere: list[str]


@dataclass
class Sektion:
    samtaler: list[SamtaleRaekke]
    kan_starte: bool
    borger: Borger


def _raekker(samtaler: list[Samtale], grundlag: dict | None = None) -> list[SamtaleRaekke]:
    return [
        SamtaleRaekke(
            samtale=s,
            ulaeste=_a(s, "ulaeste") or 0,
            afventer_mig=bool(getattr(s, "venter_paa_mig", False)),
            svar_frist=getattr(s, "svar_frist", None),
            deltagere=[
                deltager_navn(d)
                + (f" ({deltager_grundlag_tekst(grundlag.get(d.pk))})" if grundlag else "")
                for d in _a(s, "aktuelle_deltagere")
            ],
        )
        for s in samtaler
    ]


def har_samtaler_annotation() -> dict:
    """Return the annotation `_har_samtaler` for a Borger query: whether any conversation
    about the citizen exists at all (cheap to build: no rule in it), so that `sektion`
    asks nothing more for a citizen without conversations."""
    return {"_har_samtaler": Exists(Samtale.objects.filter(borger_id=OuterRef("pk")))}


def sektion(*, bruger: Bruger, aktoer: Aktoer, borger: Borger) -> Sektion:
    """Return the Dialog section: the conversations about the citizen the reader reads,
    with unread counts and whether one waits for the reader's answer (fixed queries; none
    when `borger` was read with `har_samtaler_annotation` and there are no conversations)."""
    if getattr(borger, "_har_samtaler", True):
        samtaler = ds.samtaler_for(bruger=bruger, borger=borger, aktoer=aktoer)
    else:
        samtaler = []  # no conversation about the citizen, so none the reader reads
    return Sektion(
        samtaler=_raekker(samtaler, ds.deltagere_grundlag(samtaler)),
        kan_starte=bool(aktoer.enhed_ids),
        borger=borger,
    )


def log_objekter(s: Sektion) -> list[tuple[str, Any, str, Any]]:
    """Return the listed conversations as rows of the citizen page's one access-log entry
    (samtykke.adgangslog.adgangslog_visning's `med_grundlag`), each with the basis the
    reader reads it on."""
    return [("samtale", r.samtale.pk, *_a(r.samtale, "grundlag")[:2]) for r in s.samtaler]


# --- Mine samtaler --------------------------------------------------------------------------------


@dataclass
class Gruppe:
    borger: Borger
    egen: bool
    relation: Relation | None = None
    samtaler: list[SamtaleRaekke] = field(default_factory=list)
    faglige: list[dict[str, str]] = field(default_factory=list)


@dataclass
class MineSamtaler:
    grupper: list[Gruppe]


def mine_samtaler(*, bruger: Bruger, person: Borger) -> MineSamtaler:
    """Return the person's conversations grouped by whom they are about (themself first),
    and, for their own, the professionals-only conversations as who and when."""
    samtaler = ds.mine_samtaler(person=person)
    laeste = [s for s in samtaler if _a(s, "laeser")]
    raekker = {r.samtale.pk: r for r in _raekker(laeste)}
    grupper: dict[uuid.UUID, Gruppe] = {}
    for s in samtaler:
        g = grupper.get(s.borger_id)
        if g is None:
            g = grupper[s.borger_id] = Gruppe(
                borger=s.borger, egen=s.borger_id == person.pk, relation=_a(s, "relation")
            )
        if _a(s, "laeser"):
            g.samtaler.append(raekker[s.pk])
        else:
            for h in getattr(s, "tidslinje", []):
                hvem = h.navn + (f", {h.enhed_navn}" if h.enhed_navn else "")
                g.faglige.append(
                    {
                        "tekst": _("%(tid)s: %(hvad)s – %(hvem)s (samtale om «%(emne)s»)")
                        % {
                            "tid": h.tidspunkt.strftime("%d.%m.%Y %H.%M"),
                            "hvad": h.get_type_display(),
                            "hvem": hvem,
                            "emne": s.emne,
                        }
                    }
                )
    ordnet = sorted(grupper.values(), key=lambda g: (not g.egen, g.borger.navn))
    return MineSamtaler(grupper=ordnet)


def log_liste(request: HttpRequest, aktoer: Aktoer, data: MineSamtaler) -> None:
    """Write one access-log entry per citizen whose conversations the list shows."""
    for g in data.grupper:
        vist = [r.samtale.pk for r in g.samtaler]
        if not vist and not g.faglige:
            continue
        relation = None if g.egen else g.relation
        adgangslog_write(
            aktoer=aktoer, user=request.user, borger=g.borger,
            hvad=_("Mine samtaler: oversigten over samtaler"),
            grundlag=Grundlag.BORGER if g.egen else Grundlag.RELATION,
            grundlag_id=relation.pk if relation else None,
            objekter=[("samtale", pk) for pk in vist], kategorier=["dialog"],
            formaal=ds.FORMAAL, handler_for=relation,
        )  # fmt: skip


# --- starting a conversation from Mine samtaler -------------------------------------------------


@dataclass(frozen=True)
class NyValg:
    """A citizen the person may start a conversation about, the units they may write to,
    and the relation they act through (None for the citizen themself)."""

    borger: Borger
    enheder: list[Enhed]
    relation: Relation | None


def ny_samtale_valg(aktoer: Aktoer, now: datetime.datetime | None = None) -> list[NyValg]:
    """Return whom the person may start a conversation with: for themself and each citizen
    they act for in the dialogue (a relation valid today with Omfang.DIALOG), the units the
    policy lets them write to (`policy.dialog.enheder_at_skrive_til`); the citizens
    without any left out, themself first."""
    now = now or clock.now()
    if aktoer.borger is None or aktoer.er_medarbejder:
        return []
    relationer = list(
        dialogregel.dialog_relationer(aktoer, now)
        .exclude(borger_id=aktoer.borger.pk)
        .select_related("borger")
        .order_by("borger__fornavn", "borger__efternavn", "pk")
        .distinct()
    )
    kilde = dialog_services.samtalekilde()
    valg = []
    for borger, relation in [(aktoer.borger, None), *((r.borger, r) for r in relationer)]:
        enheder = dialogregel.enheder_at_skrive_til(aktoer, borger.pk, now, kilde)
        if enheder:
            valg.append(NyValg(borger, enheder, relation))
    return valg


def log_ny_samtale(request: HttpRequest, aktoer: Aktoer, valg: list[NyValg]) -> None:
    """Write one access-log entry per citizen whose units the form names (which units hold
    the citizen's data, a case, a request or a consent is read from the citizen's data), in
    one statement."""
    adgangslog_write_batch(
        [
            adgangslog_post(
                aktoer=aktoer, user=request.user, borger=v.borger,
                hvad=_("Mine samtaler: start en samtale (de enheder, der kan skrives til)"),
                grundlag=Grundlag.RELATION if v.relation else Grundlag.BORGER,
                grundlag_id=v.relation.pk if v.relation else None,
                objekter=[("enhed", e.pk) for e in v.enheder], kategorier=["dialog"],
                formaal=ds.FORMAAL, handler_for=v.relation,
            )
            for v in valg
        ]
    )  # fmt: skip
