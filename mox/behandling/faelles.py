"""What every MOX handler shares: its two outcomes short of success, the error texts a
sender sees, and the call of a domain service that names the message's fields.

A handler (`anvend` for tilstand and indsats, `organisation`, `klasse`, `sag`) applies a
message through the services and raises `Afvist` (the message can never be applied as it
is) or `Venter` (not yet: its object does not exist yet); `anvend` turns them into the
message's status. The texts are part of the MOX contract: senders read them in the
answer to a status request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

FINDES_ALLEREDE = "Et objekt med dette objektID findes allerede i Datadeling."
FINDES_IKKE = "Objektet findes ikke (endnu) i Datadeling; beskeden venter på det."
IKKE_LEVERET = (
    "Objektet er ikke leveret af dette system og kan kun ændres af det system, der "
    "leverede det (eller i Datadeling)."
)
SAG_FINDES_IKKE = "Sagen findes ikke (endnu) i Datadeling; beskeden venter på den."
SAG_IKKE_LEVERET = (
    "Sagen er ikke leveret af dette system og kan kun ændres af det system, der leverede den."
)
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
