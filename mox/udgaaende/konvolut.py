"""The Notification envelope: what a subscribing system is told about one change.

The envelope has the same headers as an incoming message (beskedID, beskedversion,
beskedtype "Notification", objekttype, operation, objektID) and a small `data`: the
registration (its number per object, time, lifecycle code and who made it: a system's
name or "Datadeling"), the object's valid time, its citizen, its type (a class UUID from
FK Klassifikation), its responsible unit and source system. Free text (notes, the
citizen's own words) is never sent: a system that needs more asks its own caseworkers.

A case of the case index (objekttype "sag") has no valid time or class; its `data` holds
the metadata the index keeps instead (`sag_data`): the system that has the case and the
case's id and number there, its KLE number and class, its progress (fremdrift), start and
end date, and the responsible unit, authority and caseworker by uuid (the unit's and the
authority's names as the other system gave them; a caseworker's name is not sent). Its
title is free text, which may say more about the citizen than the index's purpose needs,
and is not sent either.

The citizen is named as `urn:dk:cpr:person:<CPR>`, the form the systems use themselves
(they know their citizens by CPR). That is acceptable only because the row is written for
a system whose unit may see the citizen's object, and it is checked again before each
attempt; the number never reaches a log, an error text or the admin unmasked.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from datadeling.core.bitemporal import Livscykluskode
from mox.protokol import BESKEDVERSION, CPR_URN_PRAEFIKS, Beskedtype, Operation

OPERATIONER: dict[str, str] = {
    Livscykluskode.OPSTAAET: Operation.CREATE,
    Livscykluskode.IMPORTERET: Operation.IMPORT,
    Livscykluskode.RETTET: Operation.UPDATE,
    Livscykluskode.PASSIVERET: Operation.PASSIVATE,
    Livscykluskode.SLETTET: Operation.DELETE,
}

DATADELING = "Datadeling"
"""The actor named for a change a person made in Datadeling (staff names are not sent)."""


def _tid(t: datetime.datetime | None) -> str:
    return "infinity" if t is None else t.isoformat()


def operation(livscykluskode: str) -> str:
    """Return the envelope operation for a registration's lifecycle code."""
    return str(OPERATIONER.get(livscykluskode, Operation.UPDATE.value))


def _uuid(u) -> str | None:
    return None if u is None else str(u)


def _dato(d: datetime.date | None) -> str | None:
    return None if d is None else d.isoformat()


def sag_data(sag) -> dict[str, Any]:
    """Return the envelope's description of a case of the case index (metadata only)."""
    return {
        "aktiv": bool(sag.aktiv),
        "borger": CPR_URN_PRAEFIKS + sag.borger.cpr,
        "kildesystem": sag.kildesystem,
        "brugervendtnoegle": sag.kildesystem_id,
        "sagsnummer": sag.sagsnummer,
        "kle": sag.kle_nummer,
        "kleklasse": _uuid(sag.kle_klasse_uuid),
        "fremdrift": sag.fremdrift,
        "startdato": _dato(sag.startdato),
        "slutdato": _dato(sag.slutdato),
        "ansvarligenhed": _uuid(sag.ansvarlig_enhed_uuid or sag.ansvarlig_enhed_id),
        "ansvarligenhednavn": sag.ansvarlig_enhed_navn,
        "myndighed": _uuid(sag.myndighed_uuid or sag.myndighed_id),
        "myndighednavn": sag.myndighed_navn,
        "primaerbehandler": _uuid(sag.primaerbehandler_uuid or sag.primaerbehandler_id),
    }


def _objekt_data(objekttype: str, objekt) -> dict[str, Any]:
    if objekttype == "sag":
        return sag_data(objekt)
    return {
        "virkning": {"from": _tid(objekt.virkning_fra), "to": _tid(objekt.virkning_til)},
        "aktiv": bool(objekt.aktiv),
        "borger": CPR_URN_PRAEFIKS + objekt.borger.cpr,
        "type": str(objekt.type_id),
        "ansvarligenhed": str(objekt.ansvarlig_enhed_id),
        "kildesystem": objekt.kildesystem,
    }


def byg(*, objekttype: str, objekt, registrering, livscykluskode: str) -> dict[str, Any]:
    """Return a new envelope (with a fresh beskedID) for one change of `objekt`."""
    aktoer = registrering.aktoer_tekst if registrering.aktoer_id is None else ""
    return {
        "beskedID": str(uuid.uuid4()),
        "beskedversion": BESKEDVERSION,
        "beskedtype": Beskedtype.NOTIFICATION.value,
        "objekttype": objekttype,
        "operation": operation(livscykluskode),
        "objektID": str(objekt.pk),
        "data": {
            "livscykluskode": str(livscykluskode),
            "registrering": {
                "nummer": registrering.nummer,
                "tidspunkt": registrering.tidspunkt.isoformat(),
                "aktoer": aktoer or DATADELING,
            },
            **_objekt_data(objekttype, objekt),
        },
    }


def dialog_data(besked) -> dict[str, Any]:
    """Return the envelope's description of a message in a conversation: metadata only.

    Which conversation and message (ids, number, version), when, whether it was withdrawn,
    and who wrote it as a role: the author's unit and authority (uuid and name) and role for
    a member of staff, "borger" or "paaroerende" for a person. Never the text, the subject,
    a file or the names of people.
    """
    if besked.medarbejder_id:
        forfatter = {
            "type": "medarbejder",
            "enhed": _uuid(besked.enhed_id),
            "enhednavn": besked.enhed_navn,
            "myndighednavn": besked.myndighed_navn,
            "rolle": besked.rolle,
        }
    else:
        forfatter = {"type": "paaroerende" if besked.via_relation_id else "borger"}
    return {
        "borger": CPR_URN_PRAEFIKS + besked.samtale.borger.cpr,
        "samtale": str(besked.samtale_id),
        "samtaletype": besked.samtale.type,
        "besked": str(besked.kaede),
        "nummer": besked.nummer,
        "version": besked.version,
        "skrevet": besked.skrevet.isoformat(),
        "trukkettilbage": bool(besked.trukket_tilbage),
        "forfatter": forfatter,
    }


def byg_dialog(*, besked, livscykluskode: str) -> dict[str, Any]:
    """Return a new envelope for a message written, edited or withdrawn in a conversation
    (objekttype "dialog", objektID the conversation): metadata only (`dialog_data`)."""
    return {
        "beskedID": str(uuid.uuid4()),
        "beskedversion": BESKEDVERSION,
        "beskedtype": Beskedtype.NOTIFICATION.value,
        "objekttype": "dialog",
        "operation": operation(livscykluskode),
        "objektID": str(besked.samtale_id),
        "data": {
            "livscykluskode": str(livscykluskode),
            "registrering": {
                "nummer": besked.nummer,
                "tidspunkt": besked.skrevet.isoformat(),
                "aktoer": DATADELING,
            },
            **dialog_data(besked),
        },
    }
