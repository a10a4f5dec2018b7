"""The one clock that services read, so tests can move time (a fake clock) in one place."""

from __future__ import annotations

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    """Return the current time (timezone-aware)."""
    return timezone.now()
