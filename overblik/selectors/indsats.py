"""Reads for the caseworker's Indsats pages: one intervention with its history, and the
choices the forms offer. Every read of citizen data goes through the access policy."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from datadeling.core.bitemporal import Livscykluskode
from datadeling.core.models import gyldig_q
from indsats.models import Fremdrift, Indsats, IndsatsRegistrering, IndsatsVersion
from klassifikation import kendte as k
from klassifikation.models import Klasse, Status
from organisation.models import Enhed, Funktion
from organisation.selectors import Aktoer
from overblik.selectors.tilstand import Friskhed, friskhed
from samtykke import policy
from tilstand.models import Tilstand

# Choices for a <select>: plain (value, label) pairs and (group label, [pairs]) groups.
Valg = list[tuple[str, object]]

TRIN = (Fremdrift.VISITERET, Fremdrift.DISPONERET, Fremdrift.LEVERET, Fremdrift.VURDERET)


# --- class choices ------------------------------------------------------------------------


def _grupper(klasser: Iterable[Klasse], roedder: Sequence[uuid.UUID], *, kun_blade: bool) -> Valg:
    """Return classes below `roedder` as select choices, one <optgroup> per parent.

    A group's label is the path from its root (the root's own title only when there are
    several roots); classes right below a single root are plain options. When groups may
    be chosen too (`kun_blade=False`), a group is the first level below the root and a
    deeper class names its path in its label.
    """
    alle = {kl.pk: kl for kl in klasser}
    har_boern = {kl.overordnet_id for kl in alle.values()}

    def sti(kl: Klasse) -> list[Klasse]:
        return [alle[a] for a in kl.sti if a in alle] + [kl]

    def noegle(kl: Klasse) -> tuple:
        forfaedre = sti(kl)
        # a class whose root is not among the lists (retired, not imported) is left out below
        rod = forfaedre[0].pk
        plads = roedder.index(rod) if rod in roedder else len(roedder)
        return (plads, [f.titel.lower() for f in forfaedre[1:]])

    grupper: dict[str, list[tuple[str, str]]] = {}
    for kl in sorted(alle.values(), key=noegle):
        if kl.pk in roedder or (kun_blade and kl.pk in har_boern):
            continue
        forfaedre = sti(kl)[:-1]
        if not forfaedre or forfaedre[0].pk not in roedder:
            continue
        if len(roedder) == 1:
            forfaedre = forfaedre[1:]
        etiket = kl.titel
        if not kun_blade and len(forfaedre) > 1:
            etiket = " › ".join([*(f.titel for f in forfaedre[1:]), kl.titel])
            forfaedre = forfaedre[:1]
        gruppe = " › ".join(f.titel for f in forfaedre)
        grupper.setdefault(gruppe, []).append((str(kl.pk), etiket))
    valg: Valg = list(grupper.pop("", []))
    valg.extend(grupper.items())
    return valg


def _klasser_under(*roedder: uuid.UUID) -> list[Klasse]:
    """Return the current classes below (and at) the roots, in one query."""
    return list(
        Klasse.objects.filter(Q(pk__in=roedder) | Q(sti__overlap=list(roedder)))
        .exclude(status=Status.UDGAAET)
        .only("id", "titel", "overordnet_id", "sti", "niveau", "raekkefoelge")
    )


def _del(klasser: list[Klasse], rod: uuid.UUID) -> list[Klasse]:
    return [kl for kl in klasser if kl.pk == rod or rod in kl.sti]


@dataclass(frozen=True)
class TypeValg:
    """The interventions a caseworker can choose, and which of them are social (FFB)."""

    valg: Valg
    ffb: frozenset[str]


def indsatstype_valg() -> TypeValg:
    """Return the intervention classes (leaves only) grouped by part of FSIII and FFB."""
    klasser = _klasser_under(*k.INDSATS_ROEDDER)
    ffb = frozenset(str(kl.pk) for kl in klasser if k.under(kl, k.FFB_SOCIAL_INDSATS))
    return TypeValg(_grupper(klasser, list(k.INDSATS_ROEDDER), kun_blade=True), ffb)


def lovgrundlag_valg() -> Valg:
    """Return the paragraphs of Datadeling's list of legal bases, grouped by law."""
    klasser = list(
        Klasse.objects.filter(klassifikation__uri=k.LOVGRUNDLAG_URI)
        .exclude(status=Status.UDGAAET)
        .only("id", "titel", "overordnet_id", "sti", "niveau", "raekkefoelge")
    )
    love = [kl.pk for kl in sorted(klasser, key=lambda kl: kl.raekkefoelge) if not kl.sti]
    return _grupper(klasser, love, kun_blade=True)


@dataclass(frozen=True)
class NyIndsatsValg:
    """Everything the registration form offers, read in a fixed number of queries."""

    typer: TypeValg
    lovgrundlag: Valg
    enheder: Valg  # every current unit, grouped by authority
    egne_enheder: Valg  # the units the caseworker works in today
    maalgruppe: Valg
    kilde: Valg
    metode: Valg
    tilstande: list[Tilstand]


def enhed_valg() -> Valg:
    """Return every current unit, grouped by authority."""
    grupper: dict[str, list] = {}
    for enhed in Enhed.objects.filter(gyldig_q()).select_related("myndighed"):
        grupper.setdefault(enhed.myndighed.navn, []).append((str(enhed.pk), enhed.navn))
    return list(grupper.items())


def ny_indsats_valg(aktoer: Aktoer, borger_id: uuid.UUID) -> NyIndsatsValg:
    """Return the choices of the registration form, with the citizen's visible tilstande."""
    klasser = _klasser_under(k.FFB_MAALGRUPPE, k.CSC_KILDE, k.CSC_OPLYSNINGSAKTIVITET)
    return NyIndsatsValg(
        typer=indsatstype_valg(),
        lovgrundlag=lovgrundlag_valg(),
        enheder=enhed_valg(),
        egne_enheder=[(str(f.enhed_id), f.enhed.navn) for f in _unikke_funktioner(aktoer)],
        maalgruppe=_grupper(_del(klasser, k.FFB_MAALGRUPPE), [k.FFB_MAALGRUPPE], kun_blade=False),
        kilde=_grupper(_del(klasser, k.CSC_KILDE), [k.CSC_KILDE], kun_blade=True),
        metode=_grupper(
            _del(klasser, k.CSC_OPLYSNINGSAKTIVITET), [k.CSC_OPLYSNINGSAKTIVITET], kun_blade=True
        ),
        tilstande=tilstand_valg(aktoer, borger_id),
    )


def maalgruppe_felt_valg() -> NyIndsatsValg:
    """Return only what the target-group field needs (no citizen data, two queries)."""
    return NyIndsatsValg(
        typer=indsatstype_valg(),
        lovgrundlag=[],
        enheder=[],
        egne_enheder=[],
        maalgruppe=_grupper(_klasser_under(k.FFB_MAALGRUPPE), [k.FFB_MAALGRUPPE], kun_blade=False),
        kilde=[],
        metode=[],
        tilstande=[],
    )


def _unikke_funktioner(aktoer: Aktoer) -> Iterator[Funktion]:
    """Yield one current role per unit (a person may hold several roles in a unit)."""
    sete = set()
    for f in aktoer.funktioner:
        if f.enhed_id not in sete:
            sete.add(f.enhed_id)
            yield f


def tilstand_valg(aktoer: Aktoer, borger_id: uuid.UUID) -> list[Tilstand]:
    """Return the citizen's current tilstande that the person may see, with their class."""
    return list(
        policy.tilstande_synlige(aktoer, borger_id)
        .select_related("type__overordnet")
        .order_by("type__overordnet__titel", "type__titel", "pk")
    )


# --- one intervention ---------------------------------------------------------------------


@dataclass(frozen=True)
class Trin:
    navn: str
    tilstand: str  # "udfoert", "aktuel" or "kommende"


@dataclass(frozen=True)
class MaalVisning:
    tekst: str
    tilstande: list[Tilstand | None]  # None: a tilstand the person may not see


@dataclass(frozen=True)
class Handlingsvalg:
    """The choices of the follow-up and end forms for one intervention."""

    resultat: Valg
    ophoersgrund: Valg


@dataclass(frozen=True)
class RegistreringVisning:
    """One registration in the history: number, time, why, who, and its timeline."""

    registrering: IndsatsRegistrering
    livscykluskode: str  # in Danish
    hvem: str
    versioner: list[IndsatsVersion]


@dataclass
class IndsatsSide:
    indsats: Indsats
    registreringer: list[RegistreringVisning]
    maal: list[MaalVisning]
    tilstande: list[Tilstand | None]
    trin: list[Trin]
    friskhed: Friskhed
    kan_skrive: bool
    handlingsvalg: Handlingsvalg | None = None
    objekter: list = field(default_factory=list)  # shown Indsats/Tilstand, for the log


_INDSATS_RELATIONER = (
    "type__overordnet", "type__klassifikation", "lovgrundlag__overordnet",
    "bevilgende_enhed__myndighed", "leverende_enhed__myndighed", "ophoersgrund",
    "maalgruppe", "opfoelgningsresultat", "kilde", "metode", "ansvarlig_enhed__myndighed",
    "ansvarlig", "borger", "registrering",
)  # fmt: skip


def indsats_synlig(aktoer: Aktoer, pk: uuid.UUID) -> Indsats:
    """Return the intervention if the person may see it; else raise Indsats.DoesNotExist."""
    return policy.indsatser_synlige(aktoer).select_related(*_INDSATS_RELATIONER).get(pk=pk)


def indsats_til_aendring(aktoer: Aktoer, pk: uuid.UUID) -> Indsats:
    """Return the intervention if the person may change it (staff of the owning unit).

    Raises Indsats.DoesNotExist otherwise, so the view answers as for a missing one.
    """
    indsats = policy.indsatser_synlige(aktoer).select_related("type", "registrering").get(pk=pk)
    if not policy.kan_skrive(aktoer, indsats.ansvarlig_enhed_id):
        raise Indsats.DoesNotExist
    return indsats


def foerste_virkning(indsats: Indsats) -> datetime.datetime | None:
    """Return when the intervention's current timeline begins (its first version's start)."""
    return (
        IndsatsVersion.objects.filter(registrering_id=indsats.registrering_id)
        .order_by("virkning_fra")
        .values_list("virkning_fra", flat=True)
        .first()
    )


def handlingsvalg(indsats: Indsats) -> Handlingsvalg:
    """Return the follow-up results (same code system as the intervention) and end reasons."""
    ffb = k.under(indsats.type, k.FFB_SOCIAL_INDSATS)
    resultat_rod = k.FFB_STATUS_PAA_INDSATS if ffb else k.FSIII_OPFOELGNINGSRESULTAT
    klasser = _klasser_under(resultat_rod, k.CSC_BEGRUNDELSE_OPHOER)
    return Handlingsvalg(
        resultat=_grupper(_del(klasser, resultat_rod), [resultat_rod], kun_blade=True),
        ophoersgrund=_grupper(
            _del(klasser, k.CSC_BEGRUNDELSE_OPHOER), [k.CSC_BEGRUNDELSE_OPHOER], kun_blade=True
        ),
    )


def _trin(fremdrift: str) -> list[Trin]:
    aktuel = TRIN.index(fremdrift) if fremdrift in TRIN else -1
    return [
        Trin(
            str(Fremdrift(t).label),
            "udfoert" if i < aktuel else "aktuel" if i == aktuel else "kommende",
        )
        for i, t in enumerate(TRIN)
    ]


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def indsats_detalje(aktoer: Aktoer, pk: uuid.UUID) -> IndsatsSide:
    """Return one intervention with its full history, for a person who may see it.

    A fixed number of queries whatever the length of the history or the number of goals.
    Raises Indsats.DoesNotExist if the person may not see it (or it does not exist).
    """
    indsats = indsats_synlig(aktoer, pk)
    registreringer = [
        RegistreringVisning(
            registrering=reg,
            livscykluskode=livscykluskode_tekst(reg.livscykluskode),
            hvem=registreret_af(reg),
            versioner=list(reg.versioner.all()),
        )
        for reg in IndsatsRegistrering.objects.filter(indsats=indsats)
        .select_related("aktoer__medarbejder", "aktoer__borger", "berigtigelse_svar__berigtigelse")
        .prefetch_related(
            Prefetch(
                "versioner",
                queryset=IndsatsVersion.objects.select_related(
                    "type",
                    "lovgrundlag",
                    "leverende_enhed",
                    "ophoersgrund",
                    "opfoelgningsresultat",
                ).order_by("virkning_fra"),
            )  # fmt: skip
        )
        .order_by("-nummer")
    ]
    ids = [_uuid(t) for t in indsats.tilstande]
    for m in indsats.maal or []:
        ids.extend(_uuid(t) for t in (m.get("tilstande") or []))
    wanted = {i for i in ids if i is not None}
    synlige = (
        policy.tilstande_synlige(aktoer, indsats.borger_id)
        .filter(pk__in=wanted)
        .select_related("type")
        .in_bulk()
        if wanted
        else {}
    )
    maal = [
        MaalVisning(
            tekst=str(m.get("tekst", "")),
            tilstande=[synlige.get(_uuid(t)) for t in (m.get("tilstande") or [])],
        )
        for m in (indsats.maal or [])
        if isinstance(m, dict)
    ]
    kan_skrive = policy.kan_skrive(aktoer, indsats.ansvarlig_enhed_id)
    return IndsatsSide(
        indsats=indsats,
        registreringer=registreringer,
        maal=maal,
        tilstande=[synlige.get(_uuid(t)) for t in indsats.tilstande],
        trin=_trin(indsats.fremdrift),
        friskhed=friskhed(indsats.vurderet, indsats.opfoelgning),
        kan_skrive=kan_skrive,
        handlingsvalg=handlingsvalg(indsats) if kan_skrive and not indsats.afsluttet else None,
        objekter=[indsats, *synlige.values()],
    )


def registreret_af(reg: IndsatsRegistrering) -> str:
    """Return who made a registration, in words: a person, a system, or nobody known."""
    user = reg.aktoer
    navn = ""
    if user is not None:
        medarbejder = getattr(user, "medarbejder", None)
        borger = getattr(user, "borger", None)
        if medarbejder is not None:
            navn = medarbejder.navn
        elif borger is not None:
            navn = _("Borgeren selv")
        else:
            navn = user.get_full_name() or user.get_username()
    if reg.aktoer_tekst:
        navn = f"{navn} ({reg.aktoer_tekst})" if navn else reg.aktoer_tekst
    return navn or _("Ukendt")


def livscykluskode_tekst(kode: str) -> str:
    """Return the Danish label of a lifecycle code."""
    try:
        return str(Livscykluskode(kode).label)
    except ValueError:
        return kode
