"""Every setting of MOX, with its default: one typed accessor per setting.

Each is read from django.conf.settings when asked (not at import), so a deployment sets
it in settings.py (datadeling/settings.py reads some from the environment) and a test can
change it with the `settings` fixture. A setting that is not set has the default here,
and only here.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings

STANDARD_MAKS_KROP = 16 * 1024 * 1024
STANDARD_MAKS_VENTETID = datetime.timedelta(hours=24)
STANDARD_LAAS_VENTETID_MS = 10_000
STANDARD_FEJ_OP_ALDER = datetime.timedelta(seconds=60)
STANDARD_NOTIFIKATION_MAKS_FORSOEG = 8
STANDARD_NOTIFIKATION_BACKOFF = datetime.timedelta(seconds=30)
STANDARD_NOTIFIKATION_BACKOFF_MAKS = datetime.timedelta(hours=1)
STANDARD_NOTIFIKATION_TIMEOUT = 10.0


def _hent(navn: str, standard: Any) -> Any:
    return getattr(settings, navn, standard)


def maks_krop_bytes() -> int:
    """Return the largest request body the ingress reads, in bytes (MOX_MAKS_KROP_BYTES)."""
    return int(_hent("MOX_MAKS_KROP_BYTES", STANDARD_MAKS_KROP))


def maks_ventetid() -> datetime.timedelta:
    """Return how long a message may wait for the object it changes before it fails
    (MOX_MAKS_VENTETID)."""
    return _hent("MOX_MAKS_VENTETID", STANDARD_MAKS_VENTETID)


def laas_ventetid_ms() -> int:
    """Return how long a chunk waits for its objects' locks before it gives up and retries,
    in milliseconds (MOX_LAAS_VENTETID_MS)."""
    return int(_hent("MOX_LAAS_VENTETID_MS", STANDARD_LAAS_VENTETID_MS))


def fej_op_alder() -> datetime.timedelta:
    """Return how old an open message must be before the sweep enqueues it again
    (MOX_FEJ_OP_ALDER; settings.py reads it from MOX_FEJ_OP_ALDER_SEKUNDER)."""
    return _hent("MOX_FEJ_OP_ALDER", STANDARD_FEJ_OP_ALDER)


def notifikation_maks_forsoeg() -> int:
    """Return how many delivery attempts a notification gets before it is given up
    (MOX_NOTIFIKATION_MAKS_FORSOEG)."""
    return int(_hent("MOX_NOTIFIKATION_MAKS_FORSOEG", STANDARD_NOTIFIKATION_MAKS_FORSOEG))


def notifikation_backoff() -> datetime.timedelta:
    """Return the wait after a notification's first failed attempt; it doubles with each
    further one (MOX_NOTIFIKATION_BACKOFF)."""
    return _hent("MOX_NOTIFIKATION_BACKOFF", STANDARD_NOTIFIKATION_BACKOFF)


def notifikation_backoff_maks() -> datetime.timedelta:
    """Return the longest wait between two delivery attempts (MOX_NOTIFIKATION_BACKOFF_MAKS)."""
    return _hent("MOX_NOTIFIKATION_BACKOFF_MAKS", STANDARD_NOTIFIKATION_BACKOFF_MAKS)


def notifikation_timeout() -> float:
    """Return how many seconds to wait for a webhook to answer (MOX_NOTIFIKATION_TIMEOUT)."""
    return float(_hent("MOX_NOTIFIKATION_TIMEOUT", STANDARD_NOTIFIKATION_TIMEOUT))


def tillad_http_webhook() -> bool:
    """Return whether a webhook may use plain http: in the demo (DEBUG) and in tests
    (MOX_TILLAD_HTTP_WEBHOOK); never in production, where notifications carry citizen
    references."""
    return bool(settings.DEBUG or _hent("MOX_TILLAD_HTTP_WEBHOOK", False))
