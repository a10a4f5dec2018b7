"""The Notification envelope: what a subscribing system is told about one change.

The envelope has the same headers as an incoming message (beskedID, beskedversion,
beskedtype "Notification", objekttype, operation, objektID) and a small `data`: the
registration (its number per object, time, lifecycle code and who made it: a system's
name or "Datadeling"), the object's valid time, its citizen, its type (a class UUID from
FK Klassifikation), its responsible unit and source system. Free text (notes, the
citizen's own words) is never sent: a system that needs more asks its own caseworkers.

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
            "virkning": {"from": _tid(objekt.virkning_fra), "to": _tid(objekt.virkning_til)},
            "aktiv": bool(objekt.aktiv),
            "borger": CPR_URN_PRAEFIKS + objekt.borger.cpr,
            "type": str(objekt.type_id),
            "ansvarligenhed": str(objekt.ansvarlig_enhed_id),
            "kildesystem": objekt.kildesystem,
        },
    }
