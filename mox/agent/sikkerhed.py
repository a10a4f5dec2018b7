"""Signing, verifying and CPR masking, as Datadeling does them (re-implemented: no Django).

The numbers below copy Datadeling's protocol (`mox/protokol.py`); the agent must not import
it, because the agent runs where Django is not installed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

MAKS_BESKEDER_PR_KALD = 1000
"""The most messages Datadeling accepts in one POST (mox.protokol.MAKS_BESKEDER_PR_KALD)."""

TIDSVINDUE_SEKUNDER = 5 * 60
"""How far X-Mox-Tidspunkt may be from the receiver's clock (mox.protokol)."""

MAKS_KROP_BYTES = 16 * 1024 * 1024
"""Datadeling's default body limit (mox.indstillinger.STANDARD_MAKS_KROP)."""

CPR_URN_PRAEFIKS = "urn:dk:cpr:person:"

# The pattern of datadeling/core/logging.py: ten digits (optionally DDMMYY-SSSS) not inside a
# longer run of digits or hex letters, so the digits inside a UUID are left alone.
CPR_MOENSTER = re.compile(r"(?<![0-9A-Fa-f])(\d{6})-?(\d{4})(?![0-9A-Fa-f])")
MASKE = "******-****"
SIGNATUR = re.compile(r"sha256=([0-9a-fA-F]{64})")
TIDSPUNKT = re.compile(r"\d{1,12}")


def mask_cpr(tekst: str) -> str:
    """Return text with every CPR-like number replaced by a mask."""
    return CPR_MOENSTER.sub(MASKE, tekst)


def signatur(secret: str, tidspunkt: str, krop: bytes) -> str:
    """Return the X-Mox-Signatur value for a body sent at `tidspunkt` (unix seconds)."""
    besked = tidspunkt.encode("ascii") + b"." + krop
    return "sha256=" + hmac.new(secret.encode("utf-8"), besked, hashlib.sha256).hexdigest()


def headere(token: str, secret: str, krop: bytes, *, tidspunkt: int | None = None) -> dict:
    """Return the headers of a signed request to Datadeling's ingress."""
    t = str(int(time.time()) if tidspunkt is None else tidspunkt)
    return {
        "Authorization": f"Bearer {token}",
        "X-Mox-Tidspunkt": t,
        "X-Mox-Signatur": signatur(secret, t, krop),
        "Content-Type": "application/json",
    }


def verificer(
    secret: str, tidspunkt: str, signatur_header: str, krop: bytes, *, nu: float | None = None
) -> str | None:
    """Return None when a received request is signed by `secret` within the time window,
    else a short Danish reason (it never repeats a value from the request)."""
    tidspunkt = (tidspunkt or "").strip()
    if not TIDSPUNKT.fullmatch(tidspunkt):
        return "X-Mox-Tidspunkt mangler eller er ikke et heltal (unix-sekunder)."
    nu = time.time() if nu is None else nu
    if abs(nu - int(tidspunkt)) > TIDSVINDUE_SEKUNDER:
        return "X-Mox-Tidspunkt er mere end 5 minutter fra modtagerens ur."
    match = SIGNATUR.fullmatch((signatur_header or "").strip())
    if not match:
        return "X-Mox-Signatur mangler eller har ikke formen sha256=<64 hex-tegn>."
    forventet = signatur(secret, tidspunkt, krop)
    modtaget = "sha256=" + match.group(1).lower()
    if not hmac.compare_digest(forventet.encode("ascii"), modtaget.encode("ascii")):
        return "X-Mox-Signatur passer ikke til kroppen og hemmeligheden."
    return None
