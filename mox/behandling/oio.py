"""Map LoRa's OIO objects (tilstand, indsats) to the data dicts of the domain services.

The mapping (also on the documentation page, section "Fra OIO til Datadeling"):

Tilstand
  relationer.tilstandsobjekt      the citizen (Person: urn:dk:cpr:person:… or a known uuid)
  relationer.tilstandstype        classes, placed by what they are: a FSIII/FFB condition is
  relationer.tilstandskvalitet    `type`; a class on FSIII's 0–4/9 scale or FFB's level scale
                                  is `niveau`; FFB støttebehov `stoettebehov`; FSIII udførelse
                                  and betydning `udfoerelse` / `betydning`
  relationer.tilstandsaktoer      Organisationenhed → ansvarlig_enhed; Bruger → ansvarlig
  attributter.tilstandegenskaber  brugervendtnoegle → kildesystem_id; beskrivelse → faglig_note
  tilstande.tilstandstatus        status (Aktiv, Inaktiv, Potentiel, Afsluttet)
Indsats
  relationer.indsatsmodtager      the citizen
  relationer.indsatstype          `type` (a FSIII/FFB ydelse or tilbud)
  relationer.indsatsaktoer        Organisationenhed → ansvarlig_enhed; Bruger → ansvarlig
  attributter.indsatsegenskaber   brugervendtnoegle → kildesystem_id; beskrivelse → formaal;
                                  starttidspunkt / sluttidspunkt → startdato / slutdato
  tilstande.indsatsfremdrift      fremdrift (Uoplyst, Visiteret, Disponeret, Leveret, Vurderet)

Both: the responsible unit must be one the sending system is registered for
(samtykke.policy.system); any other unit, known or not, is refused with the same text, and
before anything else is said (not whether the citizen exists). When no Organisationenhed
is named, the responsible unit is the unit of the responsible staff member (the Bruger
relation, else the `aktoerref` of the egenskaber's virkning when its aktoertypekode is
Bruger) if that member has functions in exactly one unit (on the object's start date, else
today) and the system may write for it; else the system's own unit. kildesystem is the
sending system's name;
kildesystem_id is brugervendtnoegle, else the objektID. Everything else (publiceret,
tilstandsvaerdi, note …) is not stored.

Periods: for each field the entries are taken in order of `from`. On create the object is
valid from the earliest `from` of its attributter and tilstande, and every field starts with
its first entry (LoRa often dates relations by when they were recorded, so a relation
beginning later still counts from the start); each further entry of a field is applied as
a correction over its own period. On update every entry is applied as a correction over
its own period [from, to) — `to: infinity` means "from then on".
"""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from datadeling.core import memo
from klassifikation import kendte as k
from klassifikation.models import Klasse
from klassifikation.regler import klasser_med_boern
from mox.behandling.faelles import (
    BORGER_FINDES_IKKE,
    IKKE_EGEN_ENHED,
    UDEN_BEGYNDELSE,
    Afvist,
    fejl,
)
from mox.protokol import CPR_URN_PRAEFIKS
from mox.validering import UENDELIG, parse_tidspunkt
from organisation.models import Borger, Enhed, Funktion, FunktionStatus, Medarbejder


@dataclass(frozen=True)
class Objektform:
    """Where an object type keeps its parts in OIO."""

    egenskaber: str
    borger: str
    type_relationer: tuple[str, ...]
    aktoer: str
    tilstand: str  # the tilstande key
    tilstand_felt: str  # the value's key inside an entry
    mangler_borger: str


TILSTAND = Objektform(
    egenskaber="tilstandegenskaber",
    borger="tilstandsobjekt",
    type_relationer=("tilstandstype", "tilstandskvalitet"),
    aktoer="tilstandsaktoer",
    tilstand="tilstandstatus",
    tilstand_felt="status",
    mangler_borger="Tilstanden mangler et tilstandsobjekt (borgeren).",
)
INDSATS = Objektform(
    egenskaber="indsatsegenskaber",
    borger="indsatsmodtager",
    type_relationer=("indsatstype",),
    aktoer="indsatsaktoer",
    tilstand="indsatsfremdrift",
    tilstand_felt="fremdrift",
    mangler_borger="Indsatsen mangler en modtager (borgeren).",
)
FORMER = {"tilstand": TILSTAND, "indsats": INDSATS}

TILSTAND_STATUS = {"aktiv", "inaktiv", "potentiel", "afsluttet"}
FREMDRIFT = {"uoplyst", "visiteret", "disponeret", "leveret", "vurderet"}


@dataclass
class Post:
    """One value of one Datadeling field for the period [fra, til) (til None: open)."""

    felt: str
    vaerdi: Any
    fra: datetime.datetime
    til: datetime.datetime | None
    sti: str  # where it came from in the message, for errors


@dataclass
class Plan:
    """What a message asks of the services, before any write."""

    borger: Borger | None
    poster: list[Post] = field(default_factory=list)
    stier: dict[str, str] = field(default_factory=dict)  # Datadeling field → message path
    start: datetime.datetime | None = None


def _tid(tekst: Any) -> datetime.datetime | None:
    return parse_tidspunkt(tekst) if isinstance(tekst, str) else None


def _til(tekst: Any) -> datetime.datetime | None:
    tid = _tid(tekst)
    return None if tid is None or tid == UENDELIG else tid


def _poster(data: dict, gruppe: str, navn: str) -> Iterator[tuple[int, dict]]:
    liste = ((data.get(gruppe) or {}).get(navn)) or []
    for i, post in enumerate(liste):
        if isinstance(post, dict):
            yield i, post


def _virkning(post: dict) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    v = post.get("virkning") or {}
    return _tid(v.get("from")), _til(v.get("to"))


def forudhent(datas: Iterable[dict | None]) -> None:
    """Look up, in one query each, the citizens (by CPR), classes and units that the
    relations of these OIO objects name, for the unit of work (`memo`) to keep: a chunk
    asks once, not per message. Outside a unit of work this does nothing."""
    if not memo.er_aktiv():
        return
    cprs: set[str] = set()
    ids: set[uuid.UUID] = set()
    for data in datas:
        relationer = (data or {}).get("relationer") if isinstance(data, dict) else None
        if not isinstance(relationer, dict):
            continue
        for poster in relationer.values():
            for post in poster if isinstance(poster, list) else ():
                if not isinstance(post, dict):
                    continue
                urn = post.get("urn")
                if isinstance(urn, str) and urn.startswith(CPR_URN_PRAEFIKS):
                    cprs.add(urn.removeprefix(CPR_URN_PRAEFIKS))
                with contextlib.suppress(ValueError):
                    ids.add(uuid.UUID(str(post.get("uuid"))))
    if cprs:
        memo.hent_mange(
            "borger_cpr", cprs, lambda c: {b.cpr: b for b in Borger.objects.filter(cpr__in=c)}
        )
    if ids:
        klasser_med_boern(ids)
        memo.hent_mange("enhed", ids, Enhed.objects.in_bulk)


def find_borger(post: dict) -> Borger | None:
    """Return the citizen a relation points at (CPR urn or a known uuid), or None."""
    urn = post.get("urn")
    if isinstance(urn, str) and urn.startswith(CPR_URN_PRAEFIKS):
        cpr = urn.removeprefix(CPR_URN_PRAEFIKS)
        return memo.hent("borger_cpr", cpr, lambda: Borger.objects.filter(cpr=cpr).first())
    try:
        pk = uuid.UUID(str(post.get("uuid")))
    except ValueError:
        return None
    return memo.hent("borger", pk, lambda: Borger.objects.filter(pk=pk).first())


def _klasse_felt(klasse: Klasse, objekttype: str) -> str | None:
    """Return the Datadeling field a class belongs in, by where it lies in its code system."""
    if objekttype == "indsats":
        return "type"
    if k.strictly_under(klasse, *k.TILSTAND_ROEDDER):
        return "type"
    for rod, felt in (
        (k.FSIII_FUNKTIONSEVNE_SKALA, "niveau"),
        (k.FFB_FUNKTIONSEVNENIVEAU, "niveau"),
        (k.FFB_STOETTEBEHOVSNIVEAU, "stoettebehov"),
        (k.FSIII_UDFOERELSE, "udfoerelse"),
        (k.FSIII_BETYDNING, "betydning"),
    ):
        if k.strictly_under(klasse, rod):
            return felt
    return None


def _dato(tekst: Any) -> datetime.date | None:
    tid = _tid(tekst)
    if tid is None or tid == UENDELIG:
        return None
    return timezone.localtime(tid).date()


def _medarbejders_enhed(medarbejder: Medarbejder, dato: datetime.date) -> Enhed | None:
    """Return the one unit the member has a function in on `dato` (else today), or None."""
    funktioner = memo.hent(
        "funktioner",
        medarbejder.pk,
        # approved roles only: a role waiting for a second administrator places nothing
        lambda: list(
            Funktion.objects.filter(
                medarbejder=medarbejder, status=FunktionStatus.GODKENDT
            ).select_related("enhed")
        ),
    )
    for paa in (dato, None):
        enheder = {f.enhed_id: f.enhed for f in funktioner if f.gyldig_paa(paa)}
        if enheder:
            return next(iter(enheder.values())) if len(enheder) == 1 else None
    return None


def plan(
    *,
    objekttype: str,
    data: dict | None,
    system_navn: str,
    objekt_id: uuid.UUID,
    opret: bool,
    enheder: frozenset[uuid.UUID],
    standard_enhed: Enhed | None = None,
) -> Plan:
    """Map an OIO object to field values with periods; raise Afvist naming every problem.

    `opret` is True for create/import (the whole object, the citizen required) and False
    for update (only what changes). `enheder` are the units the system may write for
    (samtykke.policy.system): a responsible unit outside them is refused, and then nothing
    else about the message is said (not whether its citizen exists). Without a named unit,
    the responsible staff member's unit counts when the system may write for it, else the
    system's own unit (`standard_enhed`).
    """
    form = FORMER[objekttype]
    data = data or {}
    problemer: list[dict[str, str]] = []
    fremmede_enheder: list[dict[str, str]] = []
    poster: list[Post] = []
    stier: dict[str, str] = {}

    def tilfoej(felt: str, vaerdi: Any, post: dict, sti: str) -> None:
        fra, til = _virkning(post)
        stier.setdefault(felt, sti)
        if fra is None:
            problemer.append(fejl(f"{sti}.virkning.from", UDEN_BEGYNDELSE))
            return
        poster.append(Post(felt, vaerdi, fra, til, sti))

    # --- the citizen ------------------------------------------------------------------
    borger = None
    borger_sti = f"data.relationer.{form.borger}"
    borger_poster = list(_poster(data, "relationer", form.borger))
    if borger_poster:
        i, post = borger_poster[0]
        borger = find_borger(post)
        if borger is None:
            problemer.append(fejl(f"{borger_sti}[{i}]", BORGER_FINDES_IKKE))  # never the CPR
    elif opret:
        problemer.append(fejl(borger_sti, form.mangler_borger))

    # --- attributter --------------------------------------------------------------------
    e_sti = f"data.attributter.{form.egenskaber}"
    aktoerref = None
    for i, post in _poster(data, "attributter", form.egenskaber):
        sti = f"{e_sti}[{i}]"
        if post.get("brugervendtnoegle"):
            tilfoej("kildesystem_id", str(post["brugervendtnoegle"])[:255], post, sti)
        if "beskrivelse" in post:
            tekst = str(post.get("beskrivelse") or "")
            tilfoej("faglig_note" if objekttype == "tilstand" else "formaal", tekst, post, sti)
        if objekttype == "indsats":
            for noegle, felt in (("starttidspunkt", "startdato"), ("sluttidspunkt", "slutdato")):
                if post.get(noegle):
                    dato = _dato(post[noegle])
                    if dato is None and post[noegle] != "infinity":
                        problemer.append(fejl(f"{sti}.{noegle}", "Ugyldigt tidspunkt."))
                    else:
                        tilfoej(felt, dato, post, f"{sti}.{noegle}")
        v = post.get("virkning") or {}
        if aktoerref is None and str(v.get("aktoertypekode", "")).lower() == "bruger":
            aktoerref = v.get("aktoerref")

    # --- tilstande ----------------------------------------------------------------------
    t_sti = f"data.tilstande.{form.tilstand}"
    tilladte = TILSTAND_STATUS if objekttype == "tilstand" else FREMDRIFT
    for i, post in _poster(data, "tilstande", form.tilstand):
        sti = f"{t_sti}[{i}].{form.tilstand_felt}"
        vaerdi = str(post.get(form.tilstand_felt, "")).lower()
        if vaerdi not in tilladte:
            problemer.append(
                fejl(sti, "Ukendt værdi; brug en af: " + ", ".join(sorted(tilladte)) + ".")
            )
            continue
        felt = "status" if objekttype == "tilstand" else "fremdrift"
        tilfoej(felt, vaerdi if objekttype == "tilstand" else vaerdi.capitalize(), post, sti)

    # --- classes --------------------------------------------------------------------------
    klasse_poster = [
        (navn, i, post)
        for navn in form.type_relationer
        for i, post in _poster(data, "relationer", navn)
    ]
    ids = {}
    for navn, i, post in klasse_poster:
        try:
            ids[(navn, i)] = uuid.UUID(str(post.get("uuid")))
        except ValueError:
            problemer.append(
                fejl(f"data.relationer.{navn}[{i}].uuid", "En klasse angives med sin UUID.")
            )
    klasser = klasser_med_boern(ids.values())
    for navn, i, post in klasse_poster:
        if (navn, i) not in ids:
            continue
        sti = f"data.relationer.{navn}[{i}].uuid"
        klasse = klasser.get(ids[(navn, i)])
        if klasse is None:
            problemer.append(fejl(sti, "Klassen findes ikke i Datadelings kodesystemer."))
            continue
        felt = _klasse_felt(klasse, objekttype)
        if felt is None:
            problemer.append(
                fejl(sti, "Klassen er hverken en tilstand eller et niveau, Datadeling kender.")
            )
            continue
        tilfoej(felt, klasse, post, sti)

    # --- actors ---------------------------------------------------------------------------
    a_sti = f"data.relationer.{form.aktoer}"
    enhed_fundet = False
    medarbejder = None
    for i, post in _poster(data, "relationer", form.aktoer):
        sti = f"{a_sti}[{i}]"
        art = str(post.get("objekttype", "")).lower()
        try:
            noegle = uuid.UUID(str(post.get("uuid")))
        except ValueError:
            continue
        if art in ("organisationenhed", "organisationsenhed", "enhed"):
            if noegle not in enheder:  # unknown or not its own: the same answer
                fremmede_enheder.append(fejl(f"{sti}.uuid", IKKE_EGEN_ENHED))
                continue
            enhed = memo.hent("enhed", noegle, lambda n=noegle: Enhed.objects.filter(pk=n).first())
            if enhed is None:
                fremmede_enheder.append(fejl(f"{sti}.uuid", IKKE_EGEN_ENHED))
                continue
            enhed_fundet = True
            tilfoej("ansvarlig_enhed", enhed, post, sti)
        elif art == "bruger":
            fundet = memo.hent(
                "medarbejder", noegle, lambda n=noegle: Medarbejder.objects.filter(pk=n).first()
            )
            if fundet is not None:
                medarbejder = medarbejder or fundet
                tilfoej("ansvarlig", fundet, post, sti)
    if medarbejder is None and aktoerref:
        try:
            ref = uuid.UUID(str(aktoerref))
            medarbejder = memo.hent(
                "medarbejder", ref, lambda: Medarbejder.objects.filter(pk=ref).first()
            )
        except ValueError:
            medarbejder = None
        if medarbejder is not None:
            post = next(_poster(data, "attributter", form.egenskaber))[1]
            tilfoej("ansvarlig", medarbejder, post, e_sti)

    # --- the object's start and the defaults ----------------------------------------------
    starter = [p.fra for p in poster if not p.sti.startswith("data.relationer")]
    start = min(starter) if starter else min((p.fra for p in poster), default=None)
    if opret:
        if start is None:
            problemer.append(
                fejl(f"data.attributter.{form.egenskaber}", "Objektet mangler sine egenskaber.")
            )
        if not enhed_fundet and not fremmede_enheder:
            enhed = (
                _medarbejders_enhed(medarbejder, timezone.localtime(start).date())
                if medarbejder is not None and start is not None
                else None
            )
            if enhed is None or enhed.pk not in enheder:
                enhed = standard_enhed
            if enhed is None:
                problemer.append(
                    fejl(
                        a_sti,
                        "Angiv den ansvarlige enhed (objekttype Organisationenhed) eller en "
                        "medarbejder med én funktion i en af systemets enheder.",
                    )
                )
            else:
                poster.append(Post("ansvarlig_enhed", enhed, start, None, a_sti))
        if start is not None and not any(p.felt == "kildesystem_id" for p in poster):
            poster.append(Post("kildesystem_id", str(objekt_id), start, None, "data"))
        if start is not None:
            poster.append(Post("kildesystem", system_navn, start, None, "data"))
            poster.append(Post("vurderet", start, start, None, "data"))
    if fremmede_enheder:
        raise Afvist(fremmede_enheder)
    if problemer:
        raise Afvist(problemer)
    return Plan(borger=borger, poster=poster, stier=stier, start=start)


def begyndelse(p: Plan) -> tuple[dict[str, Any], list[tuple[datetime.datetime, Any, dict]]]:
    """Split a create's entries: the values from the start, then (fra, til, changes) after.

    Every field's first entry (by `from`) holds from the start; further entries become
    corrections over their own periods, grouped by period in time order.
    """
    foerst: dict[str, Any] = {}
    senere: dict[tuple, dict[str, Any]] = {}
    for post in sorted(p.poster, key=lambda x: x.fra):
        if post.felt not in foerst:
            foerst[post.felt] = post.vaerdi
        else:
            senere.setdefault((post.fra, post.til), {})[post.felt] = post.vaerdi
    return foerst, [(fra, til, aendr) for (fra, til), aendr in senere.items()]


def perioder(p: Plan) -> list[tuple[datetime.datetime, Any, dict]]:
    """Return an update's entries as (fra, til, changes), grouped by period in time order."""
    grupper: dict[tuple, dict[str, Any]] = {}
    for post in sorted(p.poster, key=lambda x: x.fra):
        grupper.setdefault((post.fra, post.til), {})[post.felt] = post.vaerdi
    return [(fra, til, aendr) for (fra, til), aendr in grupper.items()]
