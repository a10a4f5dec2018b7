"""The database of the current connection as a URL, for processes this one starts (a Celery
worker in a crash test, gunicorn and workers in a benchmark), whether the server listens
on TCP or, like the embedded one, on a Unix socket."""

from __future__ import annotations

import urllib.parse
from typing import Any


def database_url(s: dict[str, Any], name: str | None = None) -> str:
    """Return a postgres:// URL for the settings dict `s` (Django's DATABASES entry), naming
    the database `name` (default: the entry's NAME)."""
    navn = name or s["NAME"]
    bruger = urllib.parse.quote(s.get("USER") or "")
    kode = (":" + urllib.parse.quote(s["PASSWORD"])) if s.get("PASSWORD") else ""
    host = s.get("HOST") or ""
    if host.startswith("/"):  # a Unix socket directory
        return f"postgres://{bruger}{kode}@/{navn}?host={urllib.parse.quote(host)}" + (
            f"&port={s['PORT']}" if s.get("PORT") else ""
        )
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{bruger}{kode}@{host}{port}/{navn}"
