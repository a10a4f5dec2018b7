"""What every MOX handler shares: its two outcomes short of success, the error texts a
sender sees, and the call of a domain service that names the message's fields.

A handler (`anvend` for tilstand and indsats, `organisation`, `klasse`, `sag`) applies a
message through the services and raises `Afvist` (the message can never be applied as it
is) or `Venter` (not yet: its object does not exist yet); `anvend` turns them into the
message's status. The texts are part of the MOX contract: senders read them in the
answer to a status request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from datadeling.core import memo
from organisation.models import Enhed
from samtykke.policy.system import skrivbare_enheder

FINDES_ALLEREDE = "Et objekt med dette objektID findes allerede i Datadeling."
# Also the answer about an object another system (or Datadeling) delivered: to the sender,
# such an object is as unknown as one that does not exist (no existence oracle).
FINDES_IKKE = "Objektet findes ikke (endnu) i Datadeling; beskeden venter på det."
SAG_FINDES_IKKE = "Sagen findes ikke (endnu) i Datadeling; beskeden venter på den."
# The same text for a unit that does not exist and one the system is not registered for.
IKKE_EGEN_ENHED = (
    "Systemet må ikke skrive data for denne enhed: den er ikke blandt de enheder, systemet "
    "er registreret for."
)
UDEN_ENHED = (
    "Systemet er ikke registreret for nogen enhed og må ikke skrive borgerdata; en "
    "administrator registrerer det for en enhed."
)
# Said of the citizen only to a system that may write for the unit (as staff of a unit may
# look a citizen up by CPR number); any other system hears about the unit first.
BORGER_FINDES_IKKE = "Borgeren findes ikke i Datadeling."
BORGER_SKIFTES = "Borgeren kan ikke skiftes."
UDEN_BEGYNDELSE = "Virkningen mangler en begyndelse."


def fejl(felt: str, tekst: str) -> dict[str, str]:
    """Return one error as the MOX answer carries it: the message's path and a text."""
    return {"felt": felt, "fejl": tekst}


class Afvist(Exception):
    """The message can never be applied as it is: a permanent error, with its reasons."""

    def __init__(self, fejl: list[dict[str, str]]):
        super().__init__(f"{len(fejl)} fejl")
        self.fejl = fejl


class Venter(Exception):
    """The message cannot be applied yet (its object does not exist yet)."""

    def __init__(self, grund: dict[str, str]):
        super().__init__(grund["fejl"])
        self.grund = grund


def fra_validation_error(e: ValidationError, stier: dict[str, str]) -> list[dict[str, str]]:
    """Return a service's ValidationError as MOX errors, each field named by the message
    path it came from (`stier`: service field → path; "data" for the others)."""
    if hasattr(e, "error_dict"):
        return [
            fejl(stier.get(felt, "data"), tekst)
            for felt, tekster in e.message_dict.items()
            for tekst in tekster
        ]
    return [fejl("data", tekst) for tekst in e.messages]


def kald(stier: dict[str, str], funktion: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a service; a ValidationError becomes Afvist naming the message's paths."""
    try:
        return funktion(**kwargs)
    except ValidationError as e:
        raise Afvist(fra_validation_error(e, stier)) from e


def skrivbare(system: Any, sti: str) -> frozenset[uuid.UUID]:
    """Return the units `system` may write citizen data for (asked once per chunk); raise
    Afvist at `sti` when there are none, before anything else about the message is said."""
    enheder = memo.hent(
        "system_enheder", system.pk, lambda: skrivbare_enheder(system), husk_tomt=True
    )
    if not enheder:
        raise Afvist([fejl(sti, UDEN_ENHED)])
    return enheder


def systemets_enhed(system: Any, enheder: frozenset[uuid.UUID]) -> Enhed | None:
    """Return the system's own unit when it may write for it: where its data without a
    responsible unit belongs."""
    if system.enhed_id is None or system.enhed_id not in enheder:
        return None
    return memo.hent(
        "enhed", system.enhed_id, lambda: Enhed.objects.filter(pk=system.enhed_id).first()
    )
