"""How dates and sentences are written to users: one format everywhere.

A date reads "28. september 2026" and a moment "28. september 2026 kl. 14.05", on every page
and in every text the system builds (the consent text, the freshness note), never
"28.09.2026" beside it. Templates use the filters `dato` and `tidspunkt`
(datadeling/core/templatetags/tekst.py, built into every template); code calls these.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import date_format

DATO = "j. F Y"
TIDSPUNKT = "j. F Y \\k\\l. H.i"


def dato(d: datetime.date | datetime.datetime | None) -> str:
    """Return a date (a moment: its local date) as "28. september 2026", or "" for None."""
    if d is None:
        return ""
    if isinstance(d, datetime.datetime):
        d = timezone.localtime(d) if timezone.is_aware(d) else d
    return date_format(d, DATO)


def tidspunkt(t: datetime.datetime | None) -> str:
    """Return a moment in local time as "28. september 2026 kl. 14.05", or ""."""
    if t is None:
        return ""
    return date_format(timezone.localtime(t) if timezone.is_aware(t) else t, TIDSPUNKT)


def saetning(tekst: str) -> str:
    """Return a text that the caller ends with its own full stop, without one of its own:
    "Koordinering af hjælpen." → "Koordinering af hjælpen" (no "hjælpen.." in a sentence)."""
    return tekst.strip().rstrip(".").rstrip()
