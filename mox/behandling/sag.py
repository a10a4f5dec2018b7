"""Apply `sag` messages to the case index (sagsindeks.Sag): metadata only.

The mapping from LoRa's OIO sag (also on the documentation page, section "Sager"):

  relationer.primaerpart          the citizen (Person: urn:dk:cpr:person:… or a known uuid)
  attributter.sagegenskaber       titel → titel (offentlighedundtaget.alternativtitel instead,
                                  when the title is exempt from publicity); sagsnummer →
                                  sagsnummer; brugervendtnoegle → kildesystem_id (else the
                                  objektID); integrationsdata, when it is a JSON object, may
                                  carry "kle", "enhed", "myndighed" and "sagsbehandler"
                                  (names of what Datadeling does not know)
  KLE number                      integrationsdata "kle", else the KLE prefix of the
                                  sagsnummer (27.24.00-G01-118-24 → 27.24.00)
  relationer.primaerklasse        its uuid, kept as kle_klasse_uuid (Datadeling does not hold
                                  KLE as classes)
  relationer.ansvarlig            Organisationenhed → ansvarlig enhed; Organisation →
                                  myndighed (unless ejer names one)
  relationer.ejer                 Organisation → myndighed (a uuid, or urn:dk:kommune:<kode>
                                  / urn:dk:cvr:<cvr> of an authority Datadeling knows)
  relationer.primaerbehandler     Bruger → the responsible caseworker (else the aktoerref of
                                  the egenskaber's virkning when its aktoertypekode is Bruger
                                  and Datadeling knows that member of staff)
  tilstande.sagfremdrift          fremdrift (Opstaaet, Oplyst, Afgjort, Bestilt, Udfoert,
                                  Afsluttet); Afsluttet's `from` is the end date
  startdato                       the earliest `from` of sagegenskaber and sagfremdrift

The responsible unit must be one the sending system is registered for
(samtykke.policy.system): any other, known or not, is refused with the same text. An
authority or caseworker named by a uuid Datadeling does not know is kept as that uuid.
Without an ansvarlig unit, the unit of a known responsible caseworker with functions in
exactly one unit is used when the system may write for it, else the system's own unit.
Case contents (beskrivelse, journalpost, parts other than the citizen, archive and other
relations) are not stored.

Where a field has several entries (periods), the entry in force now counts (else the
latest begun, else the first): the index holds the current state, and every change is
kept as a SagRegistrering. Operations and the rule that a system changes only what it
delivered are those of tilstand and indsats (mox.behandling.anvend).
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from datadeling.core import clock, historik, memo
from mox.behandling.faelles import (
    BORGER_FINDES_IKKE,
    BORGER_SKIFTES,
    FINDES_ALLEREDE,
    IKKE_EGEN_ENHED,
    SAG_FINDES_IKKE,
    UDEN_BEGYNDELSE,
    Afvist,
    Venter,
    fejl,
    kald,
    skrivbare,
    systemets_enhed,
)
from mox.behandling.oio import _medarbejders_enhed, _poster, _tid, _til, find_borger
from mox.models import Besked
from mox.protokol import Operation
from organisation.models import Borger, Enhed, Medarbejder, Myndighed
from sagsindeks import services as sagsindeks_services
from sagsindeks.models import Sag, SagFremdrift
from sagsindeks.services import sag_passivate, sag_register, sag_update

E = "data.attributter.sagegenskaber"
F = "data.tilstande.sagfremdrift"
R = "data.relationer"
KLE_I_SAGSNUMMER = re.compile(r"^([0-9]{2}\.[0-9]{2}\.[0-9]{2})(?![0-9.])")
FREMDRIFT = {v.lower(): v for v in SagFremdrift.values}
ENHED = {"organisationenhed", "organisationsenhed", "enhed"}
ORGANISATION = {"organisation", "myndighed"}
INTEGRATIONSNAVNE = {
    "enhed": "ansvarlig_enhed_navn",
    "myndighed": "myndighed_navn",
    "sagsbehandler": "primaerbehandler_navn",
}


@dataclass
class SagPlan:
    """What a sag message asks of the services, before any write."""

    borger: Borger | None
    data: dict[str, Any] = field(default_factory=dict)
    stier: dict[str, str] = field(default_factory=dict)  # service field → message path


def findes(objekt_id: uuid.UUID) -> bool:
    return Sag.objects.filter(pk=objekt_id).exists()


def findes_mange(objekt_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    return set(Sag.objects.filter(pk__in=objekt_ids).values_list("pk", flat=True))


def _gaeldende(poster: list[tuple[int, dict]], now: datetime.datetime):
    """Return (index, entry) of the entry in force now, else the latest begun, else the
    first; entries without a readable `from` are skipped (None when none is left)."""
    tider = []
    for i, post in poster:
        v = post.get("virkning") or {}
        fra = _tid(v.get("from"))
        if fra is not None:
            tider.append((fra, _til(v.get("to")), i, post))
    if not tider:
        return None
    i_kraft = [t for t in tider if t[0] <= now and (t[1] is None or now < t[1])]
    begyndt = [t for t in tider if t[0] <= now]
    valgt = max(i_kraft or begyndt or [min(tider, key=lambda t: t[0])], key=lambda t: t[0])
    return valgt[2], valgt[3]


def _dato(tid: datetime.datetime) -> datetime.date:
    return timezone.localtime(tid).date()


def _integrationsdata(post: dict) -> dict:
    """Return integrationsdata as a dict when it is a JSON object (LoRa's free text else)."""
    tekst = post.get("integrationsdata")
    if not isinstance(tekst, str):
        return {}
    try:
        vaerdi = json.loads(tekst)
    except ValueError:
        return {}
    return vaerdi if isinstance(vaerdi, dict) else {}


def _uuid(post: dict) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(post.get("uuid")))
    except ValueError:
        return None


def _kendt(model, navn: str, noegle: uuid.UUID | None):
    """Return the row Datadeling has for the uuid (asked once per chunk), else the uuid."""
    if noegle is None:
        return None
    fundet = memo.hent(navn, noegle, lambda: model.objects.filter(pk=noegle).first())
    return fundet if fundet is not None else noegle


def _myndighed_fra_urn(urn: str) -> Myndighed | None:
    for praefiks, felt in (("urn:dk:kommune:", "kommunekode"), ("urn:dk:cvr:", "cvr")):
        if urn.startswith(praefiks):
            return Myndighed.objects.filter(**{felt: urn.removeprefix(praefiks)}).first()
    return None


def plan(
    *,
    data: dict | None,
    system_navn: str,
    objekt_id,
    opret: bool,
    enheder: frozenset[uuid.UUID],
    standard_enhed: Enhed | None = None,
) -> SagPlan:
    """Map an OIO sag to the services' fields; raise Afvist naming every problem.

    `opret` is True for create/import (the whole case, the citizen required) and False
    for update (only what the message carries changes; an empty relation list removes it).
    The responsible unit must be among `enheder`, the units the system may write for; a
    unit outside them is refused before anything else is said. A case without one gets
    its caseworker's unit (when the system may write for it), else `standard_enhed`.
    """
    data = data if isinstance(data, dict) else {}
    now = clock.now()
    problemer: list[dict[str, str]] = []
    fremmede_enheder: list[dict[str, str]] = []
    uden_enhed = fejl(
        f"{R}.ansvarlig", "Angiv den ansvarlige enhed (en af de enheder, systemet skriver for)."
    )
    p = SagPlan(borger=None)
    felter, stier = p.data, p.stier

    def saet(felt: str, vaerdi: Any, sti: str) -> None:
        felter[felt] = vaerdi
        stier[felt] = sti

    # --- the citizen ----------------------------------------------------------------------
    parter = list(_poster(data, "relationer", "primaerpart"))
    if parter:
        i, post = parter[0]
        p.borger = find_borger(post)
        if p.borger is None:  # never the CPR number itself
            problemer.append(fejl(f"{R}.primaerpart[{i}]", BORGER_FINDES_IKKE))
    elif opret:
        problemer.append(fejl(f"{R}.primaerpart", "Sagen mangler en primærpart (borgeren)."))
    elif "primaerpart" in (data.get("relationer") or {}):
        problemer.append(fejl(f"{R}.primaerpart", "Borgeren kan ikke fjernes fra sagen."))

    # --- sagegenskaber --------------------------------------------------------------------
    egenskaber = list(_poster(data, "attributter", "sagegenskaber"))
    fremdrifter = list(_poster(data, "tilstande", "sagfremdrift"))
    aktoerref = None
    valgt = _gaeldende(egenskaber, now)
    if valgt is not None:
        i, post = valgt
        sti = f"{E}[{i}]"
        undtaget = post.get("offentlighedundtaget")
        if isinstance(undtaget, dict) and undtaget.get("alternativtitel"):
            # The title is exempt from publicity: the index shows what may be shown.
            saet("titel", str(undtaget["alternativtitel"]), f"{sti}.offentlighedundtaget")
        elif "titel" in post:
            saet("titel", str(post.get("titel") or ""), f"{sti}.titel")
        if post.get("brugervendtnoegle"):
            saet("kildesystem_id", str(post["brugervendtnoegle"]), f"{sti}.brugervendtnoegle")
        if "sagsnummer" in post:
            sagsnummer = str(post.get("sagsnummer") or "")
            saet("sagsnummer", sagsnummer, f"{sti}.sagsnummer")
            kle = KLE_I_SAGSNUMMER.match(sagsnummer)
            if kle:
                saet("kle_nummer", kle.group(1), f"{sti}.sagsnummer")
        integration = _integrationsdata(post)
        if "kle" in integration:
            saet("kle_nummer", str(integration["kle"] or ""), f"{sti}.integrationsdata")
        for noegle, felt in INTEGRATIONSNAVNE.items():
            if noegle in integration:
                vaerdi = integration[noegle]
                if not isinstance(vaerdi, str):
                    tekst = f"{noegle} skal være en tekst."
                    problemer.append(fejl(f"{sti}.integrationsdata", tekst))
                else:
                    saet(felt, vaerdi, f"{sti}.integrationsdata")
        v = post.get("virkning") or {}
        if str(v.get("aktoertypekode", "")).lower() == "bruger":
            aktoerref = v.get("aktoerref")
    elif egenskaber:
        problemer.append(fejl(f"{E}[0].virkning.from", UDEN_BEGYNDELSE))
    elif opret:
        problemer.append(fejl(E, "Sagen mangler sine egenskaber (sagegenskaber)."))

    # --- sagfremdrift ---------------------------------------------------------------------
    valgt = _gaeldende(fremdrifter, now)
    if valgt is not None:
        i, post = valgt
        sti = f"{F}[{i}].fremdrift"
        vaerdi = FREMDRIFT.get(str(post.get("fremdrift", "")).lower())
        if vaerdi is None:
            problemer.append(
                fejl(sti, "Ukendt fremdrift; brug en af: " + ", ".join(SagFremdrift.values) + ".")
            )
        else:
            saet("fremdrift", vaerdi, sti)
            if vaerdi == SagFremdrift.AFSLUTTET:
                fra = _tid((post.get("virkning") or {}).get("from"))
                saet("slutdato", _dato(fra), f"{F}[{i}].virkning.from")
    elif fremdrifter:
        problemer.append(fejl(f"{F}[0].virkning.from", UDEN_BEGYNDELSE))
    elif opret:
        problemer.append(fejl(F, "Sagen mangler sin fremdrift (sagfremdrift)."))

    if opret:
        starter = [
            tid
            for _i, post in egenskaber + fremdrifter
            if (tid := _tid((post.get("virkning") or {}).get("from"))) is not None
        ]
        if starter:
            saet("startdato", _dato(min(starter)), f"{E}[0].virkning.from")
            if felter.get("slutdato") is not None and felter["slutdato"] < felter["startdato"]:
                felter["slutdato"] = felter["startdato"]
        saet("kildesystem", system_navn[:128], "data")
        felter.setdefault("kildesystem_id", str(objekt_id))

    # --- relations ------------------------------------------------------------------------
    relationer = data.get("relationer") if isinstance(data.get("relationer"), dict) else {}

    def relation(navn: str):
        """Return (path, entry) of the relation's first entry, ("", None) if the list is
        empty (removed), or None when the message does not name the relation."""
        if navn not in relationer:
            return None
        poster = list(_poster(data, "relationer", navn))
        if not poster:
            return f"{R}.{navn}", None
        i, post = poster[0]
        return f"{R}.{navn}[{i}]", post

    klasse = relation("primaerklasse")
    if klasse is not None:
        sti, post = klasse
        saet("kle_klasse_uuid", _uuid(post) if post else None, f"{R}.primaerklasse")

    ejer = relation("ejer")
    if ejer is not None:
        sti, post = ejer
        if post is None:
            saet("myndighed", None, sti)
        elif isinstance(post.get("urn"), str):
            myndighed = _myndighed_fra_urn(post["urn"])
            if myndighed is None:
                problemer.append(
                    fejl(
                        f"{sti}.urn",
                        "Myndigheden findes ikke i Datadeling; brug urn:dk:kommune:<kommunekode>, "
                        "urn:dk:cvr:<CVR-nummer> eller myndighedens uuid.",
                    )
                )
            else:
                saet("myndighed", myndighed, f"{R}.ejer")
        else:
            saet("myndighed", _kendt(Myndighed, "myndighed", _uuid(post)), f"{R}.ejer")

    ansvarlig = relation("ansvarlig")
    if ansvarlig is not None:
        sti, post = ansvarlig
        art = str((post or {}).get("objekttype", "organisationenhed")).lower()
        if post is None:  # removed: the case is the system's own unit's again
            if standard_enhed is None:
                problemer.append(uden_enhed)
            saet("ansvarlig_enhed", standard_enhed, f"{R}.ansvarlig")
        elif _uuid(post) is None:
            problemer.append(fejl(sti, "Angiv den ansvarlige enhed med sin uuid."))
        elif art in ORGANISATION:
            if "myndighed" not in felter:
                saet("myndighed", _kendt(Myndighed, "myndighed", _uuid(post)), f"{R}.ansvarlig")
        elif art in ENHED and _uuid(post) not in enheder:  # unknown or not its own: alike
            fremmede_enheder.append(fejl(f"{sti}.uuid", IKKE_EGEN_ENHED))
        elif art in ENHED:
            saet("ansvarlig_enhed", _kendt(Enhed, "enhed", _uuid(post)), f"{R}.ansvarlig")
        else:
            problemer.append(
                fejl(
                    f"{sti}.objekttype",
                    "Den ansvarlige er en Organisationenhed eller en Organisation.",
                )
            )

    behandler = relation("primaerbehandler")
    medarbejder = None
    if behandler is not None:
        sti, post = behandler
        if post is None:
            saet("primaerbehandler", None, f"{R}.primaerbehandler")
        elif _uuid(post) is None:
            problemer.append(fejl(sti, "Angiv sagsbehandleren med sin uuid."))
        else:
            fundet = _kendt(Medarbejder, "medarbejder", _uuid(post))
            saet("primaerbehandler", fundet, f"{R}.primaerbehandler")
            medarbejder = fundet if isinstance(fundet, Medarbejder) else None
    elif opret and aktoerref:
        try:
            fundet = _kendt(Medarbejder, "medarbejder", uuid.UUID(str(aktoerref)))
        except ValueError:
            fundet = None
        medarbejder = fundet if isinstance(fundet, Medarbejder) else None
        if medarbejder is not None:
            saet("primaerbehandler", medarbejder, f"{E}[0].virkning.aktoerref")

    if opret and felter.get("ansvarlig_enhed") is None and not fremmede_enheder:
        enhed: Enhed | None = (
            _medarbejders_enhed(medarbejder, felter.get("startdato") or _dato(now))
            if medarbejder is not None
            else None
        )
        if enhed is not None and enhed.pk in enheder:
            saet("ansvarlig_enhed", enhed, stier.get("primaerbehandler", f"{R}.ansvarlig"))
        elif standard_enhed is not None:
            saet("ansvarlig_enhed", standard_enhed, f"{R}.ansvarlig")
        elif not any(p["felt"].startswith(f"{R}.ansvarlig") for p in problemer):
            problemer.append(uden_enhed)

    if fremmede_enheder:
        raise Afvist(fremmede_enheder)
    if problemer:
        raise Afvist(problemer)
    return p


def anvend(besked: Besked, objekt_findes: bool) -> None:
    """Apply one sag message through the sagsindeks services (in the caller's transaction)."""
    _anvend(besked, objekt_findes, samling=None)


def planlaeg(besked: Besked, objekt_findes: bool, samling: historik.Samling) -> None:
    """Plan one sag message into the chunk's unit of work (written with the chunk's others)."""
    _anvend(besked, objekt_findes, samling=samling)


def forbered(objekt_ids: set[uuid.UUID], samling: historik.Samling) -> None:
    """Lock and load the cases the chunk's messages change, in one query."""
    sagsindeks_services.sag_forbered(objekt_ids, samling=samling)


def _anvend(besked: Besked, objekt_findes: bool, *, samling: historik.Samling | None) -> None:
    system = besked.system.navn[:128]
    enheder = skrivbare(besked.system, f"{R}.ansvarlig")
    note = str((besked.data or {}).get("note") or "").strip()
    objekt_id = uuid.UUID(str(besked.objekt_id))
    if besked.operation in (Operation.CREATE, Operation.IMPORT):
        if objekt_findes:
            raise Afvist([fejl("objektID", FINDES_ALLEREDE)])
        p = plan(
            data=besked.data, system_navn=system, objekt_id=objekt_id, opret=True,
            enheder=enheder, standard_enhed=systemets_enhed(besked.system, enheder),
        )  # fmt: skip
        kald(
            p.stier, sag_register, actor=None, borger=p.borger, data=p.data, sag_id=objekt_id,
            importeret=True, aktoer_tekst=system, begrundelse=note, samling=samling,
        )  # fmt: skip
        return
    sag = (
        Sag.objects.filter(pk=objekt_id).first()
        if samling is None
        else sagsindeks_services.sag_find(objekt_id, samling=samling)
    )
    if sag is None or sag.kildesystem != system:  # another system's case: as if unknown
        raise Venter(fejl("objektID", SAG_FINDES_IKKE))
    if (sag.ansvarlig_enhed_uuid or sag.ansvarlig_enhed_id) not in (None, *enheder):
        raise Afvist([fejl("objektID", IKKE_EGEN_ENHED)])
    if besked.operation == Operation.UPDATE:
        p = plan(
            data=besked.data, system_navn=system, objekt_id=objekt_id, opret=False,
            enheder=enheder, standard_enhed=systemets_enhed(besked.system, enheder),
        )  # fmt: skip
        if p.borger is not None and p.borger.pk != sag.borger_id:
            raise Afvist([fejl(f"{R}.primaerpart", BORGER_SKIFTES)])
        if not p.data:
            return  # only what the index does not hold (journal entries, archive …)
        kald(
            p.stier, sag_update, actor=None, sag=sag, aendringer=p.data, aktoer_tekst=system,
            begrundelse=note or f"Rettet i {system}", samling=samling,
        )  # fmt: skip
    else:
        kald(
            {}, sag_passivate, actor=None, sag=sag, begrundelse=note or f"Passiveret i {system}",
            slet=besked.operation == Operation.DELETE, aktoer_tekst=system, samling=samling,
        )  # fmt: skip
