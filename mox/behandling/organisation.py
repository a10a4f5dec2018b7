"""Apply LoRa `organisationenhed` and `bruger` messages through organisation.services.

Units (Enhed) and staff (Medarbejder) are current-state objects in Datadeling: they keep
no valid-time history. So of each field's entries the one in force now is used (virkning
`from` <= now < `to`); when none is in force, the latest that began before now; when all
lie ahead, the first to begin. Validity is the exception: it comes from all the Aktiv
periods of the gyldighed tilstand (from the first `from` to the last `to`; gaps between
periods are not kept). The mapping (also on the documentation page, section
"Organisation og klasser"):

Organisationenhed
  attributter.organisationenhedegenskaber  enhedsnavn → navn (on create without it:
                                           brugervendtnoegle)
  tilstande.organisationenhedgyldighed     the Aktiv periods → gyldig_fra / gyldig_til
  relationer.tilhoerer                     the authority (Myndighed), by its uuid in
                                           Datadeling
  relationer.overordnet                    the parent unit; pointing at the authority (or
                                           at the same uuid as tilhoerer, as LoRa and OS2mo
                                           do for a top unit) makes it a top unit. A parent
                                           not yet known makes the message wait (venter)
                                           until the parent's own message has been applied,
                                           so units may arrive in any order. Without a
                                           known authority in tilhoerer, the unit belongs
                                           to its parent's authority. The parent must be
                                           a unit the system delivered or writes for;
                                           any other counts as not known.
  relationer.enhedstype                    a known class → its title; an unknown one is
                                           left out (blank)
Bruger
  attributter.brugeregenskaber             brugernavn → navn (on create without it:
                                           brugervendtnoegle)
  tilstande.brugergyldighed                Inaktiv now → the member is passivated (roles
                                           ended, login closed); Aktiv changes nothing (only
                                           an administrator opens a login)
  relationer.tilhoerer                     the authority (Myndighed), required on create
  relationer.adresser                      urn:mailto:… → email, urn:tel:… (or LoRa's
                                           urn:magenta.dk:telefon:…) → telefon (an
                                           empty list clears both)

Not stored: brugervendtnoegle (the objektID is the identifier), integrationsdata,
brugertype and the relations brugertyper, opgaver, ansatte, tilknyttede* (roles in units —
Funktion — grant access to the units' citizen data, so an administrator assigns them),
branche, produktionsenhed, skatteenhed and the unit's adresser. Everything else in the
message is ignored.

Operations: create/import make the object with the sender's objektID as its id and the
sender as its kildesystem; update changes what the message names (an empty relation list
clears the relation); passivate and delete end a unit's validity (with the roles in it)
or close a member of staff. Update, passivate and delete change only what the same
system delivered; another system's unit or member of staff is, to the sender, as unknown
as one that does not exist (the message waits, then fails, with the same text).

In a chunk (mox.behandling.anvend), creates and updates that leave a unit where it is
and a member of staff open are planned into the chunk's unit of work and written with
the others (`kan_planlaegges`, `forbered`, `skriv`); the rest are written at once, as a
single message is. The answer to each message is the same either way.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from datadeling.core import clock, historik, memo
from klassifikation.models import Klasse
from mox.behandling import koe, oio
from mox.behandling.faelles import (
    FINDES_ALLEREDE,
    FINDES_IKKE,
    UDEN_BEGYNDELSE,
    Afvist,
    Venter,
    fejl,
    kald,
)
from mox.models import Besked, System
from mox.protokol import Operation
from mox.validering import MINUS_UENDELIG, UENDELIG
from organisation import services
from organisation.models import Enhed, Medarbejder, Myndighed
from samtykke.policy.system import skrivbare_enheder, skrivbare_myndigheder

OPRETTER = (Operation.CREATE, Operation.IMPORT)
MAILTO = "urn:mailto:"
# LoRa writes phone numbers as urn:magenta.dk:telefon:…, which the published schema's URN
# pattern does not allow (a namespace has no dots); urn:tel:… is the form it does.
TELEFON = ("urn:tel:", "urn:magenta.dk:telefon:")


# --- shared with mox.behandling.klasse ----------------------------------------------------


@dataclass(frozen=True)
class Valgt:
    """The entry chosen for a field: the entry itself, its period and its path."""

    post: dict
    sti: str
    fra: datetime.datetime
    til: datetime.datetime | None


def poster(data: dict, gruppe: str, navn: str) -> list[Valgt]:
    """Return a field's entries with their periods; Afvist for an entry without a start."""
    fundne = []
    for i, post in oio._poster(data, gruppe, navn):
        sti = f"data.{gruppe}.{navn}[{i}]"
        fra, til = oio._virkning(post)
        if fra is None:
            raise Afvist([fejl(f"{sti}.virkning.from", UDEN_BEGYNDELSE)])
        fundne.append(Valgt(post, sti, fra, til))
    return fundne


def i_kraft(valgt: Valgt, nu: datetime.datetime) -> bool:
    return valgt.fra <= nu and (valgt.til is None or nu < valgt.til)


def gaeldende(data: dict, gruppe: str, navn: str, nu: datetime.datetime) -> Valgt | None:
    """Return the entry in force now (the latest begun if several); else the latest that
    began before now; else the first to begin; None when the field has no entries."""
    alle = poster(data, gruppe, navn)
    nu_gaeldende = [v for v in alle if i_kraft(v, nu)]
    if nu_gaeldende:
        return max(nu_gaeldende, key=lambda v: v.fra)
    tidligere = [v for v in alle if v.fra <= nu]
    if tidligere:
        return max(tidligere, key=lambda v: v.fra)
    return min(alle, key=lambda v: v.fra, default=None)


def naevnt(data: dict, gruppe: str, navn: str) -> bool:
    """Return whether the message names the field at all (an empty list counts)."""
    afsnit = data.get(gruppe)
    return isinstance(afsnit, dict) and navn in afsnit


def som_uuid(vaerdi: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(vaerdi))
    except ValueError:
        return None


def dato(tid: datetime.datetime | None) -> datetime.date | None:
    """Return the Danish date of a virkning time (None for infinity)."""
    if tid is None or tid == UENDELIG:
        return None
    if tid == MINUS_UENDELIG:
        return datetime.date.min
    return timezone.localtime(tid).date()


UBEROERT = (
    "borger", "borger_cpr", "klasse_regler", "klasse_sti", "permission", "myndighed",
    "enhedstype_klasse",
)  # fmt: skip
"""The chunk's caches a unit or a member of staff written cannot make stale (citizens,
classes and the rules of classes, authorities, permissions): kept across an organisation
message."""


def vaek_ventende(objekttype: str, relation: str, *objekt_ids: uuid.UUID) -> None:
    """Enqueue (after commit) the messages waiting for the objects that were just created.

    A waiting message would be retried by the sweep anyway; this makes it go at once.
    """
    if objekt_ids:
        koe.saet_i_koe(list(ventende_pks(objekttype, relation, objekt_ids)))


def ventende(objekttype: str, relation: str, objekt_id: uuid.UUID) -> QuerySet[Besked]:
    """Return the open messages of `objekttype` whose `relation` points at `objekt_id`.

    Open, not only venter: in a chunk, a message that waited earlier in the same chunk
    still reads modtaget here (the chunk saves the statuses at its end). Asked as
    `data @> {...}` (not a path into data): the shape the index mox_besked_venter_paa
    serves, so a new parent costs an index lookup, not a read of every open message.
    """
    return Besked.objects.filter(
        objekttype=objekttype,
        status__in=koe.AABNE,
        data__contains={"relationer": {relation: [{"uuid": str(objekt_id)}]}},
    )


def ventende_pks(
    objekttype: str, relation: str, objekt_ids: Sequence[uuid.UUID]
) -> QuerySet[Besked, int]:
    """Return the ids of the open messages waiting for any of `objekt_ids`, in one
    statement: a UNION ALL of one `ventende` per object, since the planner reads every
    open message rather than the index for an OR of containments."""
    hver = [ventende(objekttype, relation, i).order_by().values_list("pk", flat=True)
            for i in objekt_ids]  # fmt: skip
    return hver[0].union(*hver[1:], all=True) if len(hver) > 1 else hver[0]


def eget_objekt(objekt, besked: Besked) -> None:
    """Refuse a change to an object another system (or Datadeling itself) delivered, with
    the answer an unknown object gets: to the sender, it does not exist (no oracle)."""
    if objekt.kildesystem != besked.system.navn:
        raise Venter(fejl("objektID", FINDES_IKKE))


def note(besked: Besked) -> str:
    return str((besked.data or {}).get("note") or "").strip()


# --- organisationenhed ----------------------------------------------------------------------

E_STI = "data.attributter.organisationenhedegenskaber"
G_STI = "data.tilstande.organisationenhedgyldighed"
ENHED_STIER = {
    "navn": E_STI,
    "gyldig_fra": G_STI,
    "gyldig_til": G_STI,
    "myndighed": "data.relationer.tilhoerer",
    "overordnet": "data.relationer.overordnet",
    "enhedstype": "data.relationer.enhedstype",
    "underenheder": "objektID",
    "id": "objektID",
}


def enhed_findes(objekt_id: uuid.UUID) -> bool:
    return Enhed.objects.filter(pk=objekt_id).exists()


def enhed_findes_mange(objekt_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    return set(Enhed.objects.filter(pk__in=objekt_ids).values_list("pk", flat=True))


def _gyldighed(data: dict, sti: str, felt: str, navn: str) -> dict[str, Any] | None:
    """Return gyldig_fra/gyldig_til from the Aktiv periods, None when the field is absent."""
    alle = poster(data, "tilstande", felt)
    if not alle:
        return None
    aktive = [v for v in alle if str(v.post.get("gyldighed", "")).lower() == "aktiv"]
    if not aktive:
        raise Afvist(
            [
                fejl(
                    sti,
                    f"{navn} skal være Aktiv i mindst én periode; brug operation passivate "
                    "for at lukke den.",
                )
            ]
        )
    slutter = [v.til for v in aktive if v.til is not None]
    slut = max(slutter) if len(slutter) == len(aktive) else None
    return {"gyldig_fra": dato(min(v.fra for v in aktive)), "gyldig_til": dato(slut)}


def _under_egen(overordnet: Enhed, system: System) -> bool:
    """Return whether the system may place a unit under `overordnet`: a unit it delivered
    itself, or one it writes for."""
    if overordnet.kildesystem == system.navn:
        return True
    enheder = memo.hent(
        "system_enheder", system.pk, lambda: skrivbare_enheder(system), husk_tomt=True
    )
    return overordnet.pk in enheder


def _egen_myndighed(myndighed_id: uuid.UUID | None, system: System) -> Myndighed | None:
    """Return the authority when the system may deliver top units and staff in it
    (samtykke.policy.system); any other, to the sender, is as unknown as one that does not
    exist."""
    if myndighed_id is None:
        return None
    myndigheder = memo.hent(
        "system_myndigheder", system.pk, lambda: skrivbare_myndigheder(system), husk_tomt=True
    )
    if myndighed_id not in myndigheder:
        return None
    return memo.hent(
        "myndighed", myndighed_id, lambda: Myndighed.objects.filter(pk=myndighed_id).first()
    )


def _enhed_felter(
    data: dict,
    *,
    enhed: Enhed | None,
    system: System,
    arbejde: services.OrganisationArbejde | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Map the message to the services' fields and the paths they came from; Afvist or
    Venter when it cannot be applied.

    A unit is placed only under a unit the system delivered itself or writes for
    (samtykke.policy.system): any other parent is, to the sender, as unknown as one that
    does not exist (the message waits, then fails). With `arbejde` (a planned write) the
    parent is asked of the chunk's unit of work, which knows the units planned before."""
    nu = clock.now()
    opret = enhed is None
    felter: dict[str, Any] = {}
    stier = dict(ENHED_STIER)

    egenskaber = gaeldende(data, "attributter", "organisationenhedegenskaber", nu)
    if egenskaber is not None:
        navn = egenskaber.post.get("enhedsnavn")
        if navn is None and opret:
            navn = egenskaber.post.get("brugervendtnoegle")
        if navn is not None:
            felter["navn"] = str(navn)
            stier["navn"] = egenskaber.sti
    gyldighed = _gyldighed(data, G_STI, "organisationenhedgyldighed", "Enheden")
    if gyldighed is not None:
        felter.update(gyldighed)

    tilhoerer = gaeldende(data, "relationer", "tilhoerer", nu)
    tilhoerer_id = som_uuid(tilhoerer.post.get("uuid")) if tilhoerer else None
    myndighed = _egen_myndighed(tilhoerer_id, system)

    if naevnt(data, "relationer", "overordnet") or opret:
        overordnet = None
        valgt = gaeldende(data, "relationer", "overordnet", nu)
        overordnet_id = som_uuid(valgt.post.get("uuid")) if valgt else None
        if valgt is not None and overordnet_id is None:
            raise Afvist([fejl(f"{valgt.sti}.uuid", "Den overordnede enhed angives med sin uuid.")])
        if overordnet_id is not None and overordnet_id != tilhoerer_id:
            overordnet = (
                arbejde.enhed(overordnet_id)
                if arbejde is not None
                else Enhed.objects.select_related("myndighed").filter(pk=overordnet_id).first()
            )
            if overordnet is not None and not _under_egen(overordnet, system):
                overordnet = None  # another's unit: answered as an unknown one
            if overordnet is None:
                top_af = _egen_myndighed(overordnet_id, system)
                if top_af is None:
                    assert valgt is not None  # overordnet_id came from it
                    raise Venter(
                        fejl(
                            f"{valgt.sti}.uuid",
                            "Den overordnede enhed findes ikke (endnu) i Datadeling; beskeden "
                            "venter på den.",
                        )
                    )
                myndighed = myndighed or top_af
        felter["overordnet"] = overordnet
        if valgt is not None:
            stier["overordnet"] = f"{valgt.sti}.uuid"
        if myndighed is None and overordnet is not None:
            myndighed = overordnet.myndighed

    if myndighed is not None:
        felter["myndighed"] = myndighed
    elif opret:
        sti = f"{tilhoerer.sti}.uuid" if tilhoerer is not None else "data.relationer.tilhoerer"
        raise Afvist(
            [
                fejl(
                    sti,
                    "Enheden skal høre til en myndighed, Datadeling kender: angiv "
                    "myndighedens uuid i tilhoerer, eller en overordnet enhed, der findes.",
                )
            ]
        )

    if naevnt(data, "relationer", "enhedstype") or opret:
        valgt = gaeldende(data, "relationer", "enhedstype", nu)
        klasse_id = som_uuid(valgt.post.get("uuid")) if valgt else None
        klasse = (
            memo.hent(
                "enhedstype_klasse", klasse_id, lambda: Klasse.objects.filter(pk=klasse_id).first()
            )
            if klasse_id
            else None
        )
        felter["enhedstype"] = klasse.titel[:64] if klasse is not None else ""
    if tilhoerer is not None:
        stier["myndighed"] = f"{tilhoerer.sti}.uuid"
    return felter, stier


def enhed_anvend(besked: Besked, objekt_findes: bool) -> None:
    """Apply an organisationenhed message (inside the caller's transaction)."""
    try:
        _enhed_anvend(besked, objekt_findes)
    finally:
        # units were written: rows cached for this chunk may be stale, except the citizens
        # and the classes (and their rules), which a unit never changes
        memo.glem(behold=UBEROERT)


def enhed_planlaeg(besked: Besked, objekt_findes: bool, samling: historik.Samling) -> None:
    """Plan an organisationenhed message into the chunk's unit of work (see
    `kan_planlaegges`: a create, or an update that leaves the unit where it is)."""
    _enhed_anvend(besked, objekt_findes, samling=samling)


def _enhed_anvend(
    besked: Besked, objekt_findes: bool, *, samling: historik.Samling | None = None
) -> None:
    system = besked.system.navn
    data = besked.data or {}
    arbejde = services.organisation_arbejde(samling) if samling is not None else None
    if besked.operation in OPRETTER:
        if objekt_findes:
            raise Afvist([fejl("objektID", FINDES_ALLEREDE)])
        felter, stier = _enhed_felter(data, enhed=None, system=besked.system, arbejde=arbejde)
        enhed = kald(
            stier,
            services.enhed_create,
            actor=None,
            enhed_id=uuid.UUID(str(besked.objekt_id)),
            kildesystem=system,
            samling=samling,
            **felter,
        )
        if samling is None:  # planned: when the plans are written (`skriv`)
            vaek_ventende("organisationenhed", "overordnet", enhed.pk)
        return
    enhed = (
        arbejde.find(Enhed, besked.objekt_id)
        if arbejde is not None
        else Enhed.objects.filter(pk=besked.objekt_id).first()
    )
    if enhed is None:
        raise Venter(fejl("objektID", FINDES_IKKE))
    eget_objekt(enhed, besked)
    if besked.operation == Operation.UPDATE:
        felter, stier = _enhed_felter(data, enhed=enhed, system=besked.system, arbejde=arbejde)
        kald(
            stier, services.enhed_update, actor=None, enhed=enhed, aendringer=felter,
            samling=samling,
        )  # fmt: skip
    else:
        assert samling is None  # passivate and delete are never planned
        kald(
            dict.fromkeys(("underenheder", "gyldig_fra", "gyldig_til"), "objektID"),
            services.enhed_passivate,
            actor=None,
            enhed=enhed,
        )


# --- bruger -----------------------------------------------------------------------------------

B_STI = "data.attributter.brugeregenskaber"
BRUGER_STIER = {
    "navn": B_STI,
    "myndighed": "data.relationer.tilhoerer",
    "email": "data.relationer.adresser",
    "telefon": "data.relationer.adresser",
    "id": "objektID",
}


def bruger_findes(objekt_id: uuid.UUID) -> bool:
    return Medarbejder.objects.filter(pk=objekt_id).exists()


def bruger_findes_mange(objekt_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    return set(Medarbejder.objects.filter(pk__in=objekt_ids).values_list("pk", flat=True))


def _bruger_felter(
    data: dict, *, opret: bool, system: System
) -> tuple[dict[str, Any], dict[str, str], bool]:
    """Map the message to the services' fields, the paths they came from, and whether the
    member is Inaktiv now. The member belongs to an authority the system may deliver staff
    in (samtykke.policy.system); any other is answered as unknown."""
    nu = clock.now()
    felter: dict[str, Any] = {}
    stier = dict(BRUGER_STIER)
    egenskaber = gaeldende(data, "attributter", "brugeregenskaber", nu)
    if egenskaber is not None:
        navn = egenskaber.post.get("brugernavn")
        if navn is None and opret:
            navn = egenskaber.post.get("brugervendtnoegle")
        if navn is not None:
            felter["navn"] = str(navn)
            stier["navn"] = egenskaber.sti

    tilhoerer = gaeldende(data, "relationer", "tilhoerer", nu)
    if tilhoerer is not None:
        myndighed = _egen_myndighed(som_uuid(tilhoerer.post.get("uuid")), system)
        if myndighed is None:
            raise Afvist(
                [
                    fejl(
                        f"{tilhoerer.sti}.uuid",
                        "Myndigheden findes ikke i Datadeling; tilhoerer skal pege på en "
                        "myndighed, Datadeling kender.",
                    )
                ]
            )
        felter["myndighed"] = myndighed
        stier["myndighed"] = f"{tilhoerer.sti}.uuid"
    elif opret:
        raise Afvist(
            [
                fejl(
                    "data.relationer.tilhoerer",
                    "Angiv den myndighed, medarbejderen hører til (tilhoerer).",
                )
            ]
        )

    if naevnt(data, "relationer", "adresser"):
        adresser = [v for v in poster(data, "relationer", "adresser") if i_kraft(v, nu)]
        urner = [str(v.post.get("urn") or "") for v in adresser]
        felter["email"] = next((u.removeprefix(MAILTO) for u in urner if u.startswith(MAILTO)), "")
        felter["telefon"] = next(
            (u.split(":", 2)[2] if u.startswith("urn:tel:") else u.removeprefix(TELEFON[1])
             for u in urner if u.startswith(TELEFON)),
            "",
        )  # fmt: skip

    gyldighed = gaeldende(data, "tilstande", "brugergyldighed", nu)
    inaktiv = (
        gyldighed is not None
        and i_kraft(gyldighed, nu)
        and str(gyldighed.post.get("gyldighed", "")).lower() == "inaktiv"
    )
    return felter, stier, inaktiv


def bruger_anvend(besked: Besked, objekt_findes: bool) -> None:
    """Apply a bruger message (inside the caller's transaction)."""
    try:
        _bruger_anvend(besked, objekt_findes)
    finally:
        # staff and roles were written: rows cached for this chunk may be stale, except
        # the citizens and the classes
        memo.glem(behold=UBEROERT)


def bruger_planlaeg(besked: Besked, objekt_findes: bool, samling: historik.Samling) -> None:
    """Plan a bruger message into the chunk's unit of work (see `kan_planlaegges`: a
    create or an update of a member of staff who stays active)."""
    _bruger_anvend(besked, objekt_findes, samling=samling)


def _bruger_anvend(
    besked: Besked, objekt_findes: bool, *, samling: historik.Samling | None = None
) -> None:
    system = besked.system.navn
    data = besked.data or {}
    if besked.operation in OPRETTER:
        if objekt_findes:
            raise Afvist([fejl("objektID", FINDES_ALLEREDE)])
        felter, stier, inaktiv = _bruger_felter(data, opret=True, system=besked.system)
        medarbejder = kald(
            stier,
            services.medarbejder_create,
            actor=None,
            medarbejder_id=uuid.UUID(str(besked.objekt_id)),
            kildesystem=system,
            samling=samling,
            **felter,
        )
    else:
        medarbejder = (
            services.organisation_arbejde(samling).find(Medarbejder, besked.objekt_id)
            if samling is not None
            else Medarbejder.objects.filter(pk=besked.objekt_id).first()
        )
        if medarbejder is None:
            raise Venter(fejl("objektID", FINDES_IKKE))
        eget_objekt(medarbejder, besked)
        if besked.operation != Operation.UPDATE:
            assert samling is None  # passivate and delete are never planned
            services.medarbejder_passivate(actor=None, medarbejder=medarbejder)
            return
        felter, stier, inaktiv = _bruger_felter(data, opret=False, system=besked.system)
        medarbejder = kald(
            stier,
            services.medarbejder_update,
            actor=None,
            medarbejder=medarbejder,
            aendringer=felter,
            samling=samling,
        )
    if inaktiv:
        assert samling is None  # a member of staff made Inaktiv is never planned
        services.medarbejder_passivate(actor=None, medarbejder=medarbejder)


# --- a chunk's units and staff, planned together ----------------------------------------------

OBJEKTTYPER = ("organisationenhed", "bruger")
UUID_I_TEKST = re.compile(
    r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE
)


def kan_planlaegges(besked: Besked) -> bool:
    """Return whether a message about a unit or a member of staff is planned into the
    chunk's unit of work rather than written at once (after the plans before it).

    Planned: creates, a unit's update that names neither its parent, its authority nor its
    validity, and a member of staff's create or update that never says Inaktiv. The others
    (passivate, delete, moving a unit or changing its validity, closing a member of staff)
    change what the services read from the database (the tree, the roles, the units a
    system may write for), so they are written at once, as a single message is.
    """
    if besked.operation not in (*OPRETTER, Operation.UPDATE):
        return False
    data = besked.data if isinstance(besked.data, dict) else {}
    if besked.objekttype == "organisationenhed":
        return besked.operation in OPRETTER or not (
            naevnt(data, "relationer", "overordnet")
            or naevnt(data, "relationer", "tilhoerer")
            or naevnt(data, "tilstande", "organisationenhedgyldighed")
        )
    tilstande = data.get("tilstande")
    gyldighed = tilstande.get("brugergyldighed") if isinstance(tilstande, dict) else None
    return not any(
        isinstance(post, dict) and str(post.get("gyldighed", "")).lower() == "inaktiv"
        for post in (gyldighed if isinstance(gyldighed, list) else ())
    )


def _relationer(data: Any, relation: str) -> set[uuid.UUID]:
    relationer = data.get("relationer") if isinstance(data, dict) else None
    poster = relationer.get(relation) if isinstance(relationer, dict) else None
    ids = set()
    for post in poster if isinstance(poster, list) else ():
        if isinstance(post, dict) and (i := som_uuid(post.get("uuid"))) is not None:
            ids.add(i)
    return ids


def forbered(beskeder: Sequence[Besked], samling: historik.Samling) -> None:
    """Load, in one go per kind, what a chunk's planned unit and staff messages read: their
    objects (locked), the parents, authorities and unit types they name, and whether the
    logins new staff would get are taken."""
    planlagte = [b for b in beskeder if kan_planlaegges(b)]
    if not planlagte:
        return
    arbejde = services.organisation_arbejde(samling)
    enheder = [b for b in planlagte if b.objekttype == "organisationenhed"]
    brugere = [b for b in planlagte if b.objekttype == "bruger"]
    if enheder:
        arbejde.hent(Enhed, {b.objekt_id for b in enheder})
        overordnede = set().union(*(_relationer(b.data, "overordnet") for b in enheder))
        arbejde.laes_enheder(overordnede)
        typer = set().union(*(_relationer(b.data, "enhedstype") for b in enheder))
        if typer:
            memo.hent_mange("enhedstype_klasse", typer, Klasse.objects.in_bulk)
    else:
        overordnede = set()
    if brugere:
        arbejde.hent(Medarbejder, {b.objekt_id for b in brugere})
        arbejde.kend_brugernavne(
            services.brugernavn_for(b.objekt_id) for b in brugere if b.operation in OPRETTER
        )
    myndigheder = set().union(*(_relationer(b.data, "tilhoerer") for b in planlagte))
    if myndigheder | overordnede:
        memo.hent_mange("myndighed", myndigheder | overordnede, Myndighed.objects.in_bulk)


def _naevnte(data: Any) -> set[uuid.UUID]:
    """Return every id a message's data names, wherever it stands."""
    tekst = json.dumps(data) if data is not None else ""
    return {uuid.UUID(m) for m in UUID_I_TEKST.findall(tekst)}


def skal_skrives_foer(besked: Besked, samling: historik.Samling) -> bool:
    """Return whether the chunk's planned units and staff must be written before
    `besked` is applied: it reads them from the database.

    So: any unit or staff message written at once, and any message whose data names a
    planned unit or member of staff, except a planned message naming only what its own
    system planned (the unit of work answers that, as the database would). A unit another
    system planned is read through the rules of which units a system writes for, which
    ask the database.
    """
    arbejde = samling.har(services.OrganisationArbejde)
    if arbejde is None or not arbejde.planer:
        return False
    if besked.objekttype in OBJEKTTYPER and not kan_planlaegges(besked):
        return True
    planlagte = arbejde.planlagte()  # type: ignore[attr-defined]
    naevnte = _naevnte(besked.data) & planlagte.keys()
    if besked.objekttype in OBJEKTTYPER:
        return any(planlagte[i].kildesystem != besked.system.navn for i in naevnte)
    return bool(naevnte)


def skriv(samling: historik.Samling) -> None:
    """Write the chunk's planned units and staff, and enqueue the messages that waited for
    the new units."""
    arbejde = samling.har(services.OrganisationArbejde)
    if arbejde is None or not arbejde.planer:
        return
    nye = [
        p.stand.objekt.pk
        for p in arbejde.planer
        if p.oprettet and isinstance(p.stand.objekt, Enhed)
    ]
    arbejde.skriv()
    # units and staff were written: rows cached for this chunk may be stale
    memo.glem(behold=UBEROERT)
    vaek_ventende("organisationenhed", "overordnet", *nye)


def skrevet_uden_om(samling: historik.Samling) -> None:
    """After a unit or staff message written at once: the unit of work forgets what it
    read (its plans were written before)."""
    arbejde = samling.har(services.OrganisationArbejde)
    if arbejde is not None:
        arbejde.glem()  # type: ignore[attr-defined]
