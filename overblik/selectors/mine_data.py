"""Reads for the citizen's own page, Mine data: their tilstande, indsatser and cases in other
systems (the case index, sagsindeks) in plain Danish.

The professional codes (FSIII's 0–4 scale, FFB's levels, KL's list of sources) are turned
into words a citizen understands. The level texts keep each scale apart: FSIII's 0–4 and
FFB's funktionsevneniveau read alike but do not mean the same.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Expression, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from datadeling.core.proveniens import OPFOELGNING_OVERSKREDET, friskhed_problemer, is_fresh
from datadeling.core.tekst import dato
from indsats.models import Fremdrift, Indsats
from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Enhed
from organisation.selectors import Aktoer
from overblik.selectors import sag as sag_selectors
from overblik.selectors.tilstand import dansk
from overblik.tiltale import SELV, Tiltale
from sagsindeks.models import Sag, SagFremdrift
from samtykke import policy
from tilstand.models import Tilstand, TilstandStatus

L = gettext_lazy

# FSIII funktionsevne 0–4 and 9, by the class's title (the number).
FSIII_NIVEAU = {
    "0": L("%(Du)s klarer det selv uden hjælp."),
    "1": L("%(Du)s klarer det meste selv, men har brug for lidt hjælp."),
    "2": L("%(Du)s gør selv en del af det, men har brug for hjælp til resten."),
    "3": L("%(Du)s er med til det, men har brug for meget hjælp."),
    "4": L("%(Du)s kan ikke selv og har brug for hjælp til det hele."),
    "9": L("Det er ikke relevant for %(dig)s."),
}
FFB_NIVEAU = {
    "Ingen nedsat funktionsevne": L("%(Du)s klarer det selv uden hjælp."),
    "Let nedsat funktionsevne": L("%(Du)s klarer det meste selv, men har brug for lidt hjælp."),
    "Moderat nedsat funktionsevne": L(
        "%(Du)s klarer noget selv, men har brug for hjælp til en del."
    ),
    "Svært nedsat funktionsevne": L("%(Du)s har brug for hjælp til det meste."),
    "Fuldstændig nedsat funktionsevne": L("%(Du)s har brug for hjælp til det hele."),
    "Ikke vurderet": L("Det er ikke vurderet endnu."),
}
FFB_STOETTE = {
    "Intet støttebehov": L("%(Du)s har ikke brug for støtte."),
    "Let støttebehov": L("%(Du)s har brug for lidt støtte."),
    "Moderat støttebehov": L("%(Du)s har brug for en del støtte."),
    "Højt støttebehov": L("%(Du)s har brug for meget støtte."),
    "Fuldstændigt støttebehov": L("%(Du)s har brug for støtte til det hele."),
    "Ikke vurderet": L("%(Dit)s behov for støtte er ikke vurderet endnu."),
}
# CareSocialCodes Kilde, by the class's title.
KILDE = {
    "Borger": L("Oplyst af %(dig)s selv"),
    "Sagsbehandler": L("Vurderet af en sagsbehandler"),
    "Pårørende alene": L("Oplyst af en pårørende"),
    "Medarbejder og pårørende alene": L("Oplyst af en medarbejder og en pårørende"),
    "Borger støttet af medarbejder": L("Oplyst af %(dig)s med hjælp fra en medarbejder"),
    "Medarbejder alene": L("Vurderet af en medarbejder"),
    "Borger støttet af pårørende": L("Oplyst af %(dig)s med hjælp fra en pårørende"),
    "Andre": L("Oplyst af andre, fx en læge"),
    "Udfører": L("Oplyst af dem, der giver %(dig)s hjælpen"),
}
FREMDRIFT: dict[str, object] = {
    Fremdrift.UOPLYST: L("Det er ikke oplyst, hvor langt hjælpen er."),
    Fremdrift.VISITERET: L("%(Du)s har fået bevilget hjælpen. Den er ved at blive planlagt."),
    Fremdrift.DISPONERET: L("Hjælpen er planlagt, og det er aftalt, hvem der giver den."),
    Fremdrift.LEVERET: L("%(Du)s får hjælpen nu."),
    Fremdrift.VURDERET: L("Kommunen har fulgt op på, hvordan hjælpen virker."),
}

# A case's progress (LoRa's sagfremdrift), told to the citizen.
SAG_FREMDRIFT: dict[str, object] = {
    SagFremdrift.OPSTAAET: L("Sagen er oprettet."),
    SagFremdrift.OPLYST: L("Sagen bliver undersøgt: der bliver samlet oplysninger."),
    SagFremdrift.AFGJORT: L("Der er truffet en afgørelse i sagen."),
    SagFremdrift.BESTILT: L("Det, der er besluttet, er bestilt."),
    SagFremdrift.UDFOERT: L("Det, der er besluttet, er sat i gang."),
    SagFremdrift.AFSLUTTET: L("Sagen er afsluttet."),
}


def _tekst(tekster: dict, noegle: str, tiltale: Tiltale) -> str:
    """Return the text for `noegle` with the words for whose data it is, or ""."""
    tekst = tekster.get(noegle)
    return str(tekst) % tiltale.ord() if tekst is not None else ""


def niveau_tekst(niveau: Klasse | None, tiltale: Tiltale = SELV) -> str:
    """Return a level (FSIII 0–4/9 or FFB) in plain words, or "" for none or unknown."""
    if niveau is None:
        return ""
    if k.under(niveau, k.FSIII_FUNKTIONSEVNE_SKALA):
        return _tekst(FSIII_NIVEAU, niveau.titel, tiltale)
    if k.under(niveau, k.FFB_FUNKTIONSEVNENIVEAU):
        return _tekst(FFB_NIVEAU, niveau.titel, tiltale)
    return ""


def stoette_tekst(stoettebehov: Klasse | None, tiltale: Tiltale = SELV) -> str:
    if stoettebehov is None or not k.under(stoettebehov, k.FFB_STOETTEBEHOVSNIVEAU):
        return ""
    return _tekst(FFB_STOETTE, stoettebehov.titel, tiltale)


def kilde_tekst(kilde: Klasse | None, tiltale: Tiltale = SELV) -> str:
    """Return who a datum came from, addressed to the reader."""
    if kilde is None:
        return _("Det er ikke oplyst, hvem oplysningen kommer fra")
    return _tekst(KILDE, kilde.titel, tiltale) or kilde.titel


def friskhed_tekst(vurderet: datetime.datetime, opfoelgning: datetime.date | None) -> str:
    """Return a note for the citizen when an assessment is not fresh, else ""."""
    if is_fresh(vurderet, opfoelgning):
        return ""
    maaneder = settings.DATADELING_FRISKHED_MAANEDER
    if OPFOELGNING_OVERSKREDET in friskhed_problemer(vurderet, opfoelgning):
        assert opfoelgning is not None  # only a follow-up date can be overdue
        return _(
            "Kommunen skulle have fulgt op på dette senest %(dato)s. "
            "Du kan bede kommunen om at se på det igen."
        ) % {"dato": dato(opfoelgning)}
    if maaneder == 12:
        alder = _("over et år gammel")
    else:
        alder = ngettext("over %(n)d måned gammel", "over %(n)d måneder gammel", maaneder) % {
            "n": maaneder
        }
    return _("Oplysningen er %(alder)s – du kan bede kommunen om at se på den igen.") % {
        "alder": alder
    }


def _hvem(enhed: Enhed | None) -> str:
    return f"{enhed.navn}, {enhed.myndighed.navn}" if enhed is not None else ""


@dataclass(frozen=True)
class MinTilstand:
    tilstand: Tilstand
    niveau: str
    stoette: str
    kilde: str
    hvem: str
    friskhed: str
    aktuel: bool


@dataclass(frozen=True)
class Omraade:
    titel: str
    tilstande: list[MinTilstand]


@dataclass(frozen=True)
class MinIndsats:
    indsats: Indsats
    status: str
    bevilget_af: str
    leveres_af: str
    kilde: str
    maal: list[tuple[str, list[str]]]  # goal text, titles of the tilstande it is about
    friskhed: str


@dataclass(frozen=True)
class MinSag:
    """One of the citizen's cases in another system, as the system reported it."""

    sag: Sag
    hvor: str  # the unit and authority that have the case
    status: str
    lukket: bool


@dataclass
class MineData:
    omraader: list[Omraade]
    indsatser: list[MinIndsats]
    afsluttede: list[MinIndsats]
    sager: list[MinSag] = field(default_factory=list)
    lukkede_sager: list[MinSag] = field(default_factory=list)
    objekter: list[tuple[str, uuid.UUID]] = field(default_factory=list)

    @property
    def tom(self) -> bool:
        return not (
            self.omraader or self.indsatser or self.afsluttede or self.sager or self.lukkede_sager
        )


def sag_hvor(s: Sag) -> str:
    """Return who has a case: "Hjemmepleje, Aarhus Kommune", or what the system said."""
    dele = [d for d in (s.enhed_tekst, s.myndighed_tekst) if d]
    return ", ".join(dict.fromkeys(dele)) or _("Det er ikke oplyst, hvem der har sagen")


def mine_sager(aktoer: Aktoer) -> list[MinSag]:
    """Return the citizen's own active cases in other systems in plain words, open ones
    first (one query; see overblik.selectors.sag.sager_for_borgeren)."""
    return [
        MinSag(
            sag=s,
            hvor=sag_hvor(s),
            status=str(SAG_FREMDRIFT.get(s.fremdrift, "")),
            lukket=bool(getattr(s, "_lukket", s.afsluttet)),  # annotated by the selector
        )
        for s in sag_selectors.sager_for_borgeren(aktoer)
    ]


def omraade_titel(t: Tilstand) -> str:
    """Return the area a condition is shown under on Mine data: its class's parent."""
    return t.type.overordnet.titel if t.type.overordnet else t.type.titel


def min_tilstand(t: Tilstand, tiltale: Tiltale = SELV) -> MinTilstand:
    """Return a condition in plain words (type, niveau, stoettebehov, kilde and
    ansvarlig_enhed__myndighed loaded)."""
    return MinTilstand(
        tilstand=t,
        niveau=niveau_tekst(t.niveau, tiltale),
        stoette=stoette_tekst(t.stoettebehov, tiltale),
        kilde=kilde_tekst(t.kilde, tiltale),
        hvem=_hvem(t.ansvarlig_enhed),
        friskhed=friskhed_tekst(t.vurderet, t.opfoelgning),
        aktuel=t.status in (TilstandStatus.AKTIV, TilstandStatus.POTENTIEL),
    )


def min_indsats(i: Indsats, tiltale: Tiltale, titler: dict[str, str]) -> MinIndsats:
    """Return an intervention in plain words (INDSATS_RELATIONER loaded); `titler` names
    the conditions its goals are about, by id."""
    return MinIndsats(
        indsats=i,
        status=_tekst(FREMDRIFT, i.fremdrift, tiltale),
        bevilget_af=_hvem(i.bevilgende_enhed) or _hvem(i.ansvarlig_enhed),
        leveres_af=_hvem(i.leverende_enhed) or i.leverandoer,
        kilde=kilde_tekst(i.kilde, tiltale),
        maal=[
            (
                str(m.get("tekst", "")),
                [titler[str(t)] for t in m.get("tilstande") or [] if str(t) in titler],
            )
            for m in (i.maal or [])
            if isinstance(m, dict)
        ],  # fmt: skip
        friskhed="" if i.afsluttet else friskhed_tekst(i.vurderet, i.opfoelgning),
    )


TILSTAND_RELATIONER = (
    "type__overordnet", "niveau", "stoettebehov", "kilde", "ansvarlig_enhed__myndighed"
)  # fmt: skip
INDSATS_RELATIONER = (
    "type", "lovgrundlag", "bevilgende_enhed__myndighed", "leverende_enhed__myndighed",
    "ophoersgrund", "opfoelgningsresultat", "kilde", "ansvarlig_enhed__myndighed",
)  # fmt: skip


def mine_data(aktoer: Aktoer, tiltale: Tiltale = SELV) -> MineData:
    """Return a citizen's own active tilstande, indsatser and cases in other systems,
    every unit's, in plain words.

    `tiltale` names whose data it is in the texts ("Du klarer", "Karen Hansen klarer").
    Three queries whatever the amount of data. Only for a citizen: for anybody else the
    policy would answer for another person's data, so this refuses with PermissionError.
    """
    if not aktoer.er_borger:
        raise PermissionError("Mine data er kun for borgeren selv.")
    tilstande = list(
        policy.tilstande_synlige(aktoer)
        .select_related(*TILSTAND_RELATIONER)
        .order_by("type__overordnet__titel", "type__titel", "pk")
    )
    indsatser = list(
        policy.indsatser_synlige(aktoer)
        .select_related(*INDSATS_RELATIONER)
        .order_by("afsluttet", "-startdato", "pk")
    )
    titler = {str(t.pk): t.type.titel for t in tilstande}
    omraader: dict[str, list[MinTilstand]] = {}
    for t in tilstande:
        omraader.setdefault(omraade_titel(t), []).append(min_tilstand(t, tiltale))
    mine = [min_indsats(i, tiltale, titler) for i in indsatser]
    sager = mine_sager(aktoer)
    return MineData(
        omraader=[Omraade(titel, liste) for titel, liste in omraader.items()],
        indsatser=[m for m in mine if not m.indsats.afsluttet],
        afsluttede=[m for m in mine if m.indsats.afsluttet],
        sager=[m for m in sager if not m.lukket],
        lukkede_sager=[m for m in sager if m.lukket],
        objekter=[
            *(("tilstand", t.pk) for t in tilstande),
            *(("indsats", i.pk) for i in indsatser),
            *(("sag", m.sag.pk) for m in sager),
        ],
    )


# --- the summary first, the rest page by page ---------------------------------------------

# How much Mine data shows before the rest is asked for: the newest conditions of each
# area, the newest help. The rest comes in pages, so the page does not grow with the
# citizen's history.
TILSTANDE_PR_OMRAADE = 3
INDSATSER_I_RESUME = 3
PR_SIDE = 10

AKTUEL = Q(status__in=[TilstandStatus.AKTIV, TilstandStatus.POTENTIEL])


def _omraade_noegle() -> Coalesce:
    """Return the SQL for the area a condition is shown under (see omraade_titel)."""
    return Coalesce(F("type__overordnet_id"), F("type_id"))


@dataclass
class OmraadeResume:
    """One area of the citizen's current conditions: how many, and the newest assessed."""

    noegle: uuid.UUID  # the area's class, for its page of conditions
    titel: str
    antal: int
    tilstande: list[MinTilstand] = field(default_factory=list)

    @property
    def flere(self) -> bool:
        return self.antal > len(self.tilstande)


@dataclass
class MineDataResume:
    """The summary of Mine data: the current conditions per area (the newest of each), the
    newest help, the latest change, how many there are of each; the cases elsewhere."""

    omraader: list[OmraadeResume]
    antal_aktuelle: int
    antal_ikke_aktuelle: int
    indsatser: list[MinIndsats]
    antal_indsatser: int
    antal_stoppede: int
    seneste: tuple[str, datetime.datetime] | None  # what changed last, and when
    sager: list[MinSag] = field(default_factory=list)
    lukkede_sager: list[MinSag] = field(default_factory=list)
    objekter: list[tuple[str, uuid.UUID]] = field(default_factory=list)

    @property
    def tom(self) -> bool:
        return not (
            self.omraader
            or self.antal_ikke_aktuelle
            or self.antal_indsatser
            or self.antal_stoppede
            or self.sager
            or self.lukkede_sager
        )

    @property
    def flere_indsatser(self) -> bool:
        return self.antal_indsatser > len(self.indsatser)


def _maal_titler(aktoer: Aktoer, indsatser: Iterable[Indsats]) -> dict[str, str]:
    """Return the titles of the conditions the interventions' goals are about, by id (one
    query, none without goals), as far as the policy shows them."""
    ids = {
        str(t)
        for i in indsatser
        for m in (i.maal or [])
        if isinstance(m, dict)
        for t in m.get("tilstande") or []
    }
    gyldige = []
    for t in ids:
        try:
            gyldige.append(uuid.UUID(t))
        except ValueError:
            continue
    if not gyldige:
        return {}
    return {
        str(pk): titel
        for pk, titel in policy.tilstande_synlige(aktoer)
        .filter(pk__in=gyldige)
        .values_list("pk", "type__titel")
    }


def _valgte(
    qs: QuerySet, gruppe: Expression | F, orden: list, n: int, model: type[Tilstand] | type[Indsats]
) -> tuple[list, dict]:
    """Return the rows of `qs` (a policy-filtered queryset) that are among the first `n` of
    their group in `orden`, or the newest registered of all, fetched whole with `model`'s
    relations; and each row's window figures by pk. Two queries: narrow rows for the window
    functions (sorting wide rows would cost more than counting), then the chosen ones."""
    valgte = {
        r["pk"]: r
        for r in qs.annotate(
            nr=Window(RowNumber(), partition_by=[gruppe], order_by=orden),
            antal=Window(Count("pk"), partition_by=[gruppe]),
            nyeste_nr=Window(
                RowNumber(),
                order_by=[F("registrering__tidspunkt").desc(nulls_last=True), F("pk").asc()],
            ),
        )
        .filter(Q(nr__lte=n) | Q(nyeste_nr=1))
        .values("pk", "nr", "antal", "nyeste_nr", "registrering__tidspunkt")
    }
    relationer = TILSTAND_RELATIONER if model is Tilstand else INDSATS_RELATIONER
    rows = list(model.objects.filter(pk__in=list(valgte)).select_related(*relationer))
    return rows, valgte


def mine_data_resume(aktoer: Aktoer, tiltale: Tiltale = SELV) -> MineDataResume:
    """Return the summary of a citizen's own data, every unit's, in plain words: the current
    conditions per area (the newest assessed of each), the newest active help, the latest
    change, and how many there are of each; the cases in other systems.

    Six or seven queries whatever the history: which conditions to show with their counts,
    those conditions, the interventions likewise, the titles of the conditions their goals
    are about (when they name any), the cases. Only for a citizen (PermissionError).
    """
    if not aktoer.er_borger:
        raise PermissionError("Mine data er kun for borgeren selv.")
    gruppe = Case(When(AKTUEL, then=_omraade_noegle()), default=Value(None))
    tilstande, t_tal = _valgte(
        policy.tilstande_synlige(aktoer),
        gruppe,
        [F("vurderet").desc(), F("pk").asc()],
        TILSTANDE_PR_OMRAADE,
        Tilstand,
    )
    tilstande.sort(key=lambda t: (-t.vurderet.timestamp(), str(t.pk)))
    omraader: dict[uuid.UUID, OmraadeResume] = {}
    ikke_aktuelle = 0
    for t in tilstande:
        tal = t_tal[t.pk]
        m = min_tilstand(t, tiltale)
        if not m.aktuel:
            ikke_aktuelle = tal["antal"]
            continue
        noegle = t.type.overordnet_id or t.type_id
        if noegle not in omraader:
            omraader[noegle] = OmraadeResume(noegle, omraade_titel(t), tal["antal"])
        if tal["nr"] <= TILSTANDE_PR_OMRAADE:
            omraader[noegle].tilstande.append(m)
    indsatser, i_tal = _valgte(
        policy.indsatser_synlige(aktoer),
        F("afsluttet"),
        [F("startdato").desc(), F("pk").asc()],
        INDSATSER_I_RESUME,
        Indsats,
    )
    indsatser.sort(key=lambda i: (i.startdato, str(i.pk)), reverse=True)
    antal = {i.afsluttet: i_tal[i.pk]["antal"] for i in indsatser}
    aktive = [i for i in indsatser if not i.afsluttet and i_tal[i.pk]["nr"] <= INDSATSER_I_RESUME]
    titler = _maal_titler(aktoer, aktive)
    nyeste = [
        (o.type.titel, tal[o.pk]["registrering__tidspunkt"])
        for objekter, tal in ((tilstande, t_tal), (indsatser, i_tal))
        for o in objekter
        if tal[o.pk]["nyeste_nr"] == 1 and tal[o.pk]["registrering__tidspunkt"] is not None
    ]
    sager = mine_sager(aktoer)
    vist_t = [m.tilstand for o in omraader.values() for m in o.tilstande]
    return MineDataResume(
        omraader=sorted(omraader.values(), key=lambda o: dansk(o.titel)),
        antal_aktuelle=sum(o.antal for o in omraader.values()),
        antal_ikke_aktuelle=ikke_aktuelle,
        indsatser=[min_indsats(i, tiltale, titler) for i in aktive],
        antal_indsatser=antal.get(False, 0),
        antal_stoppede=antal.get(True, 0),
        seneste=max(nyeste, key=lambda x: x[1]) if nyeste else None,
        sager=[m for m in sager if not m.lukket],
        lukkede_sager=[m for m in sager if m.lukket],
        objekter=[
            *(("tilstand", t.pk) for t in vist_t),
            *(("indsats", i.pk) for i in aktive),
            *(("sag", m.sag.pk) for m in sager),
        ],
    )


def mine_tilstande_side(
    aktoer: Aktoer,
    tiltale: Tiltale = SELV,
    *,
    omraade: uuid.UUID | None = None,
    ikke_aktuelle: bool = False,
    side: int | str = 1,
) -> Page:
    """Return one page of the citizen's own conditions in plain words (MinTilstand), newest
    assessed first: the current ones (of one area, when `omraade` names one), or those no
    longer current. Two queries: the count and the page."""
    if not aktoer.er_borger:
        raise PermissionError("Mine data er kun for borgeren selv.")
    qs = policy.tilstande_synlige(aktoer).select_related(*TILSTAND_RELATIONER)
    qs = qs.exclude(AKTUEL) if ikke_aktuelle else qs.filter(AKTUEL)
    if omraade is not None and not ikke_aktuelle:
        qs = qs.alias(omraade=_omraade_noegle()).filter(omraade=omraade)
    side_ = Paginator(qs.order_by("-vurderet", "pk"), PR_SIDE).get_page(side)
    return Page(
        [min_tilstand(t, tiltale) for t in side_.object_list], side_.number, side_.paginator
    )


def mine_indsatser_side(
    aktoer: Aktoer, tiltale: Tiltale = SELV, *, stoppede: bool = False, side: int | str = 1
) -> Page:
    """Return one page of the citizen's own help in plain words (MinIndsats), newest start
    first: the active, or the stopped. Two queries (three when goals name conditions)."""
    if not aktoer.er_borger:
        raise PermissionError("Mine data er kun for borgeren selv.")
    qs = (
        policy.indsatser_synlige(aktoer)
        .select_related(*INDSATS_RELATIONER)
        .filter(afsluttet=stoppede)
        .order_by("-startdato", "pk")
    )
    side_ = Paginator(qs, PR_SIDE).get_page(side)
    indsatser = list(side_.object_list)
    titler = _maal_titler(aktoer, indsatser)
    mine = [min_indsats(i, tiltale, titler) for i in indsatser]
    return Page(mine, side_.number, side_.paginator)
