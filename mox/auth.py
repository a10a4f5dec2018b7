"""Who is sending: a bearer token names the system, an HMAC signature proves the body.

The signature is HMAC-SHA256 with the system's secret over "<X-Mox-Tidspunkt>.<raw
body>", sent as `X-Mox-Signatur: sha256=<hex>`. The timestamp must be within five
minutes of the server's clock, so a captured request cannot be replayed later (and a
replay within the window is harmless: the beskedID makes it a repeat).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from datadeling.core import clock
from mox import indstillinger
from mox.models import System, token_hash
from mox.protokol import TIDSVINDUE_SEKUNDER

TIDSPUNKT = re.compile(r"\d{1,12}")
SIGNATUR = re.compile(r"sha256=([0-9a-fA-F]{64})")


def signatur(secret: str, tidspunkt: str, krop: bytes) -> str:
    """Return the X-Mox-Signatur value for a body sent at `tidspunkt` (unix seconds)."""
    besked = tidspunkt.encode("ascii") + b"." + krop
    return "sha256=" + hmac.new(secret.encode("utf-8"), besked, hashlib.sha256).hexdigest()


@dataclass
class IkkeGodkendt(Exception):
    """The request is refused before its body is looked at as a message."""

    status: int
    felt: str
    tekst: str


@sensitive_variables("krop")
def godkend(request: HttpRequest) -> tuple[System, bytes]:
    """Return the sending system and the raw body of a request, or raise `IkkeGodkendt`.

    401 for a missing, unknown or inactive token; 403 for a missing or stale timestamp or
    a signature that does not match; 413 for a body over the limit. The body is read only
    after the token and timestamp are accepted.
    """
    system = _system(request.headers.get("Authorization", ""))
    tidspunkt = request.headers.get("X-Mox-Tidspunkt", "").strip()
    if not TIDSPUNKT.fullmatch(tidspunkt):
        raise IkkeGodkendt(
            403, "X-Mox-Tidspunkt", "Headeren mangler eller er ikke et heltal (unix-sekunder)."
        )
    if abs(clock.now().timestamp() - int(tidspunkt)) > TIDSVINDUE_SEKUNDER:
        raise IkkeGodkendt(
            403,
            "X-Mox-Tidspunkt",
            "Tidspunktet er mere end 5 minutter fra serverens ur; "
            "signér med det aktuelle tidspunkt.",
        )
    match = SIGNATUR.fullmatch(request.headers.get("X-Mox-Signatur", "").strip())
    if not match:
        raise IkkeGodkendt(
            403, "X-Mox-Signatur", "Headeren mangler eller har ikke formen sha256=<64 hex-tegn>."
        )
    krop = _laes_krop(request)
    forventet = signatur(system.secret, tidspunkt, krop)
    if not hmac.compare_digest(
        forventet.encode("ascii"), b"sha256=" + match.group(1).lower().encode("ascii")
    ):
        raise IkkeGodkendt(
            403,
            "X-Mox-Signatur",
            "Signaturen passer ikke: HMAC-SHA256 med systemets hemmelighed "
            'over "<tidspunkt>.<krop>".',
        )
    return system, krop


def _system(authorization: str) -> System:
    skema, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if skema.lower() != "bearer" or not token:
        raise IkkeGodkendt(
            401, "Authorization", "Headeren mangler eller har ikke formen Bearer <token>."
        )
    system = System.objects.filter(token_hash=token_hash(token), aktiv=True).first()
    if system is None:
        raise IkkeGodkendt(401, "Authorization", "Ukendt eller inaktivt token.")
    return system


def _laes_krop(request: HttpRequest) -> bytes:
    """Read the raw body up to the MOX limit (Django's form-data limit does not apply)."""
    maks = indstillinger.maks_krop_bytes()
    try:
        laengde = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        laengde = 0
    if laengde > maks:
        raise IkkeGodkendt(
            413, "", f"Kroppen er større end {maks} byte; send beskederne i flere kald."
        )
    krop = request.read(maks + 1)
    if len(krop) > maks:
        raise IkkeGodkendt(
            413, "", f"Kroppen er større end {maks} byte; send beskederne i flere kald."
        )
    return krop
