"""Reads for the caseworker's Tilstand screens: conditions grouped by area, one condition
with its whole history, freshness, and the class choices the forms offer.

Every read of citizen data goes through the access policy (samtykke.policy) and fetches
its relations up front, so templates never query.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from datadeling.core.bitemporal import Livscykluskode
from datadeling.core.proveniens import GAMMEL, OPFOELGNING_OVERSKREDET, friskhed_problemer
from klassifikation import kendte as k
from klassifikation.models import Klasse, Status
from organisation.selectors import Aktoer
from samtykke import policy
from tilstand.models import Tilstand, TilstandRegistrering, TilstandStatus, TilstandVersion

# The relations every page about a Tilstand shows next to it.
TILSTAND_RELATIONER = (
    "type", "niveau", "stoettebehov", "udfoerelse", "betydning", "forventet_niveau",
    "maaltype", "kilde", "metode", "ansvarlig_enhed", "ansvarlig", "registrering",
)  # fmt: skip

# The scales and lists a Tilstand's coded fields take their values from.
SKALA_ROEDDER = (
    k.FSIII_FUNKTIONSEVNE_SKALA, k.FFB_FUNKTIONSEVNENIVEAU, k.FFB_STOETTEBEHOVSNIVEAU,
    k.FSIII_UDFOERELSE, k.FSIII_BETYDNING, k.FSIII_MAALTYPE, k.FFB_MAALTYPE,
    k.CSC_KILDE, k.CSC_OPLYSNINGSAKTIVITET,
)  # fmt: skip

# How many periods of a development line a condition's card on the overview shows.
UDVIKLING_I_KORT = 6

# FFB's level scales carry no order in the code system; their titles say it.
_FFB_RANG = {
    "ingen": 0, "intet": 0, "let": 1, "moderat": 2, "svært": 3, "højt": 3,
    "fuldstændig": 4, "fuldstændigt": 4,
}  # fmt: skip


def rang(klasse: Klasse | None) -> int | None:
    """Return a level's place on its scale, 0 (no limitation) to 4 (total), or None.

    FSIII's scale is 0–4 (9 means "not relevant"); FFB's levels run from "Ingen/Intet" to
    "Fuldstændig(t)" ("Ikke vurderet" has no place).
    """
    if klasse is None:
        return None
    titel = klasse.titel.strip().lower()
    if titel.isdigit():
        return int(titel) if int(titel) <= 4 else None
    return _FFB_RANG.get(titel.split(" ", 1)[0])


def etiket(klasse: Klasse | None) -> str:
    """Return a class's label: FSIII's levels with their meaning, "2 – Moderate begrænsninger"."""
    if klasse is None:
        return ""
    if klasse.titel.strip().isdigit() and klasse.definition:
        betydning = klasse.definition.strip().split("\n", 1)[0].strip().rstrip(".")
        return f"{klasse.titel} – {betydning}"
    return klasse.titel


def kort_etiket(klasse: Klasse | None) -> str:
    """Return a level's short label for the development line: "2", "Moderat"."""
    if klasse is None:
        return "–"
    if rang(klasse) is not None and not klasse.titel.strip().isdigit():
        return klasse.titel.split(" ", 1)[0]
    return klasse.titel


def dansk(tekst: str) -> str:
    """Return a sort key that puts æ, ø and å after z, as Danish does."""
    return tekst.lower().translate({ord("æ"): "{", ord("ø"): "|", ord("å"): "}"})


def system_navn(rod_id: uuid.UUID) -> str:
    return "FFB" if rod_id == k.FFB_TILSTANDE else "FSIII"


# --- freshness ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Friskhed:
    """Whether a datum's assessment is fresh, and if not, why (in Danish)."""

    frisk: bool
    aarsager: tuple[str, ...] = ()


def friskhed(
    vurderet: datetime.datetime | None,
    opfoelgning: datetime.date | None,
    *,
    now: datetime.datetime | None = None,
) -> Friskhed:
    """Return the freshness of an assessment: recent enough, and its follow-up not passed.

    Uses the same comparisons as datadeling.core.proveniens.is_fresh, and says why.
    """
    problemer = friskhed_problemer(vurderet, opfoelgning, now=now)
    aarsager = []
    if GAMMEL in problemer:
        n = settings.DATADELING_FRISKHED_MAANEDER
        aarsager.append(
            ngettext(
                "Vurderingen er over %(n)d måned gammel",
                "Vurderingen er over %(n)d måneder gammel",
                n,
            )
            % {"n": n}
        )
    if OPFOELGNING_OVERSKREDET in problemer:
        aarsager.append(_("Opfølgningsdatoen er overskredet"))
    return Friskhed(frisk=not aarsager, aarsager=tuple(aarsager))


# --- development over time ----------------------------------------------------------------


@dataclass(frozen=True)
class Punkt:
    """One period of a condition's timeline, as the development line shows it."""

    fra: datetime.datetime
    til: datetime.datetime | None
    niveau: Klasse | None
    stoettebehov: Klasse | None
    status: str
    rang: int | None

    @property
    def hoejde(self) -> int:
        """Return the bar height in percent: a higher level is a taller bar."""
        return 0 if self.rang is None else 20 + self.rang * 20

    @property
    def status_tekst(self) -> str:
        return str(TilstandStatus(self.status).label) if self.status else ""

    @property
    def kort(self) -> str:
        return kort_etiket(self.niveau)

    @property
    def tekst(self) -> str:
        return etiket(self.niveau) or "–"


def udvikling(versioner: Iterable[TilstandVersion]) -> list[Punkt]:
    """Return the levels of a timeline's versions in valid-time order (needs them loaded)."""
    return [
        Punkt(v.virkning_fra, v.virkning_til, v.niveau, v.stoettebehov, v.status, rang(v.niveau))
        for v in sorted(versioner, key=lambda v: v.virkning_fra)
    ]


def til_og_med(til: datetime.datetime | None) -> datetime.date | None:
    """Return the last day a period [fra, til) covers, in local time (None: open-ended)."""
    if til is None:
        return None
    return timezone.localdate(til - datetime.timedelta(microseconds=1))


# --- areas --------------------------------------------------------------------------------


@dataclass
class Omraade:
    """An area of a code system part, e.g. "Mobilitet" or "Aktivitet og deltagelse › Egenomsorg"."""

    titel: str
    tilstande: list = field(default_factory=list)


@dataclass
class Del:
    """A part of a code system whose conditions are shown together (a TILSTAND_ROEDDER root)."""

    rod_id: uuid.UUID
    titel: str
    system: str
    omraader: list[Omraade] = field(default_factory=list)


def klasse_titler(klasser: Iterable[Klasse]) -> dict[uuid.UUID, str]:
    """Return the titles of all the classes' ancestors, in one query."""
    ids = {a for kl in klasser for a in kl.sti}
    if not ids:
        return {}
    return dict(Klasse.objects.filter(pk__in=ids).order_by().values_list("pk", "titel"))


def omraade_titel(klasse: Klasse, titler: dict[uuid.UUID, str]) -> str:
    """Return the area path of a condition class: its ancestors below the part's root."""
    return " › ".join(titler.get(a, "") for a in klasse.sti[1:]) or klasse.titel


def _tilstand(item: TilstandVisning | Tilstand) -> Tilstand:
    return item.t if isinstance(item, TilstandVisning) else item


def grupper_efter_omraade(tilstande: Sequence, titler: dict[uuid.UUID, str]) -> list[Del]:
    """Group items (each with `.t` a Tilstand, or a Tilstand) by code system part and area.

    Parts come in the order of TILSTAND_ROEDDER (FSIII before FFB), areas and conditions
    alphabetically.
    """
    dele: dict[uuid.UUID, Del] = {}
    omraader: dict[tuple[uuid.UUID, str], Omraade] = {}
    for item in tilstande:
        t = _tilstand(item)
        rod = t.type.sti[0] if t.type.sti else t.type.pk
        if rod not in dele:
            dele[rod] = Del(rod, titler.get(rod, ""), system_navn(rod))
        titel = omraade_titel(t.type, titler)
        if (rod, titel) not in omraader:
            omraader[rod, titel] = Omraade(titel)
            dele[rod].omraader.append(omraader[rod, titel])
        omraader[rod, titel].tilstande.append(item)
    orden = {r: i for i, r in enumerate(k.TILSTAND_ROEDDER)}
    resultat = sorted(dele.values(), key=lambda d: (orden.get(d.rod_id, 99), dansk(d.titel)))
    for d in resultat:
        d.omraader.sort(key=lambda o: dansk(o.titel))
        for o in d.omraader:
            o.tilstande.sort(key=lambda item: dansk(_tilstand(item).type.titel))
    return resultat


# --- conditions for a page ----------------------------------------------------------------


def tilstande_til_visning(aktoer: Aktoer, borger_id: uuid.UUID | None = None) -> QuerySet[Tilstand]:
    """Return the conditions the person may see, with everything a page shows about them.

    Two queries: the conditions with their classes, units and newest registration, and
    that registration's versions (with their levels) for the development line.
    """
    return (
        policy.tilstande_synlige(aktoer, borger_id)
        .select_related(*TILSTAND_RELATIONER)
        .prefetch_related(
            Prefetch(
                "registrering__versioner",
                # Only what the development line shows: a citizen may have many.
                queryset=TilstandVersion.objects.select_related("niveau", "stoettebehov").only(
                    "registrering_id",
                    "virkning_fra",
                    "virkning_til",
                    "status",
                    "niveau__titel",
                    "niveau__definition",
                    "stoettebehov__titel",
                ),  # fmt: skip
            )
        )
    )


@dataclass
class TilstandVisning:
    """A condition with its development line and freshness, ready for a template."""

    t: Tilstand
    udvikling: list[Punkt]
    friskhed: Friskhed

    @property
    def udvikling_kort(self) -> list[Punkt]:
        """Return the newest periods of the development line, as many as a card has room for."""
        return self.udvikling[-UDVIKLING_I_KORT:]

    @property
    def udvikling_afkortet(self) -> bool:
        return len(self.udvikling) > UDVIKLING_I_KORT

    @property
    def har_niveauer(self) -> bool:
        return any(p.niveau is not None for p in self.udvikling)

    @property
    def har_udvikling(self) -> bool:
        """Return whether the level has a history worth a line (more than one period)."""
        return self.har_niveauer and len(self.udvikling) > 1

    @property
    def niveau(self) -> str:
        return etiket(self.t.niveau)

    @property
    def forventet_niveau(self) -> str:
        return etiket(self.t.forventet_niveau)


def tilstand_visning(
    t: Tilstand, versioner: Iterable[TilstandVersion] | None = None
) -> TilstandVisning:
    """Return a condition ready for display (its newest registration's versions loaded)."""
    if versioner is None:
        versioner = t.registrering.versioner.all() if t.registrering is not None else []
    return TilstandVisning(t, udvikling(versioner), friskhed(t.vurderet, t.opfoelgning))


# --- one condition with its history -------------------------------------------------------


@dataclass
class RegistreringVisning:
    r: TilstandRegistrering
    versioner: list[TilstandVersion]
    ny_vurdering: bool = False  # a change that assessed anew (see registreringer_visning)

    @property
    def livscyklus(self) -> str:
        if self.ny_vurdering:
            return _("Ny vurdering")
        try:
            return str(Livscykluskode(self.r.livscykluskode).label)
        except ValueError:
            return self.r.livscykluskode

    @property
    def hvem(self) -> str:
        """Return who made the registration: the member of staff, the user or the system."""
        user = self.r.aktoer
        if user is not None:
            medarbejder = getattr(user, "medarbejder", None)
            return medarbejder.navn if medarbejder is not None else user.get_username()
        return self.r.aktoer_tekst or _("Systemet")

    @property
    def raekker(self) -> list[tuple[TilstandVersion, datetime.date | None]]:
        """Return the versions with the last day each holds ("til og med"; None: onwards)."""
        return [(v, til_og_med(v.virkning_til)) for v in self.versioner]


@dataclass
class TilstandDetalje:
    visning: TilstandVisning
    del_titel: str
    system: str
    omraade: str
    registreringer: list[RegistreringVisning]  # newest first
    start: datetime.datetime | None  # when the condition's valid time begins

    @property
    def t(self) -> Tilstand:
        return self.visning.t

    @property
    def til_og_med(self) -> datetime.date | None:
        return til_og_med(self.t.virkning_til)


def _vurderet(versioner: list[TilstandVersion]) -> datetime.datetime | None:
    return max((v.vurderet for v in versioner if v.vurderet is not None), default=None)


def registreringer_visning(registreringer: list[TilstandRegistrering]) -> list:
    """Return the registrations (newest first, versions prefetched) for display. LoRa calls
    every change "Rettet"; one that assessed the condition anew (its assessment time moved
    on, as tilstand_reassess does and a correction does not) reads "Ny vurdering"."""
    visning = [RegistreringVisning(r, list(r.versioner.all())) for r in registreringer]
    for nyere, aeldre in itertools.pairwise(visning):
        if nyere.r.livscykluskode == Livscykluskode.RETTET:
            foer, efter = _vurderet(aeldre.versioner), _vurderet(nyere.versioner)
            nyere.ny_vurdering = efter is not None and (foer is None or efter > foer)
    return visning


def tilstand_detalje(aktoer: Aktoer, pk: uuid.UUID) -> TilstandDetalje:
    """Return one condition the person may see, with every registration and its timeline.

    Four queries whatever the length of the history: the condition, its registrations
    (with who made them), their versions, and the titles of the condition's ancestors.
    Raises Tilstand.DoesNotExist when it does not exist or the person may not see it.
    """
    t = policy.tilstande_synlige(aktoer).select_related(*TILSTAND_RELATIONER, "borger").get(pk=pk)
    registreringer = list(
        TilstandRegistrering.objects.filter(tilstand_id=t.pk)
        .select_related("aktoer__medarbejder", "berigtigelse_svar__berigtigelse")
        .prefetch_related(
            Prefetch(
                "versioner",
                queryset=TilstandVersion.objects.select_related("niveau", "stoettebehov").order_by(
                    "virkning_fra"
                ),
            )
        )
        .order_by("-nummer")
    )
    nyeste = next((r for r in registreringer if r.pk == t.registrering_id), None)
    versioner = list(nyeste.versioner.all()) if nyeste is not None else []
    titler = klasse_titler([t.type])
    rod = t.type.sti[0] if t.type.sti else t.type.pk
    return TilstandDetalje(
        visning=tilstand_visning(t, versioner),
        del_titel=titler.get(rod, ""),
        system=system_navn(rod),
        omraade=omraade_titel(t.type, titler),
        registreringer=registreringer_visning(registreringer),
        start=versioner[0].virkning_fra if versioner else None,
    )


def tilstand_til_skrivning(aktoer: Aktoer, pk: uuid.UUID) -> Tilstand:
    """Return a condition the person may change on behalf of its unit, with its start.

    Raises Tilstand.DoesNotExist when it does not exist, is not visible or belongs to a
    unit the person does not work in (the same answer for all three).
    """
    t = policy.tilstande_synlige(aktoer).select_related("type", "borger").get(pk=pk)
    if not policy.kan_skrive(aktoer, t.ansvarlig_enhed_id):
        raise Tilstand.DoesNotExist
    return t


def tilstand_start(t: Tilstand) -> datetime.datetime | None:
    """Return when the condition's valid time begins (the first version of its timeline)."""
    return (
        TilstandVersion.objects.filter(registrering_id=t.registrering_id)
        .order_by("virkning_fra")
        .values_list("virkning_fra", flat=True)
        .first()
    )


# --- the class choices of the forms -------------------------------------------------------


@dataclass
class Klassevalg:
    """The classes the Tilstand forms choose from, loaded in one query.

    `typer` is False when only the scales and provenance lists are needed (the forms on
    a condition's own page, where its type is fixed).
    """

    klasser: dict[uuid.UUID, Klasse]
    med_typer: bool
    _boern: dict[uuid.UUID, list[Klasse]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kl in self.klasser.values():
            if kl.overordnet_id is not None:
                self._boern.setdefault(kl.overordnet_id, []).append(kl)

    def get(self, pk: uuid.UUID | str) -> Klasse | None:
        try:
            return self.klasser.get(pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk)))
        except ValueError:
            return None

    def er_blad(self, kl: Klasse) -> bool:
        return kl.pk not in self._boern

    def blade_under(self, rod: uuid.UUID) -> list[Klasse]:
        """Return the leaf classes strictly below `rod`."""
        return [kl for kl in self.klasser.values() if rod in kl.sti and self.er_blad(kl)]

    def under(self, rod: uuid.UUID) -> set[uuid.UUID]:
        """Return the ids of all classes strictly below `rod`."""
        return {kl.pk for kl in self.klasser.values() if rod in kl.sti}

    def skala(self, rod: uuid.UUID) -> list[tuple[str, str]]:
        """Return the leaves of a scale or list as choices, in the scale's own order."""
        blade = sorted(
            self.blade_under(rod),
            key=lambda kl: (rang(kl) is None, rang(kl) or 0, dansk(kl.titel)),
        )
        return [(str(kl.pk), etiket(kl)) for kl in blade]

    def dele(self) -> list[tuple[str, str]]:
        """Return the code system parts that hold conditions, as choices."""
        return [
            (str(r), f"{system_navn(r)}: {self.klasser[r].titel}")
            for r in k.TILSTAND_ROEDDER
            if r in self.klasser
        ]

    def typer(self, del_id: uuid.UUID | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
        """Return the condition leaves as <optgroup>s per area (of one part, or of all)."""
        roedder = [r for r in k.TILSTAND_ROEDDER if del_id is None or r == del_id]
        grupper: list[tuple[str, list[tuple[str, str]]]] = []
        titler = {pk: kl.titel for pk, kl in self.klasser.items()}
        for rod in roedder:
            if rod not in self.klasser:
                continue
            omraader: dict[str, list[Klasse]] = {}
            for kl in self.blade_under(rod):
                omraader.setdefault(omraade_titel(kl, titler), []).append(kl)
            for titel in sorted(omraader, key=dansk):
                gruppe = (
                    titel if del_id else f"{system_navn(rod)} {self.klasser[rod].titel} › {titel}"
                )
                blade = sorted(omraader[titel], key=lambda kl: dansk(kl.titel))
                grupper.append((gruppe, [(str(kl.pk), kl.titel) for kl in blade]))
        return grupper


def tilstand_klassevalg(*, typer: bool = True) -> Klassevalg:
    """Return the classes the Tilstand forms offer, in one query (retired classes left out)."""
    roedder = [*SKALA_ROEDDER, *(k.TILSTAND_ROEDDER if typer else ())]
    qs = (
        Klasse.objects.filter(Q(pk__in=roedder) | Q(sti__overlap=roedder))
        .exclude(status=Status.UDGAAET)
        .only("id", "titel", "definition", "overordnet_id", "sti", "niveau")
        .order_by()
    )
    return Klassevalg({kl.pk: kl for kl in qs}, med_typer=typer)
