"""An embedded PostgreSQL for the demo and the tests when DATABASE_URL is unset.

A new user needs no database server: the `pgserver` package ships PostgreSQL binaries
and runs a server on a unix socket inside a git-ignored folder of the checkout. The
server keeps running after the process that started it ends, so the next command
(runserver, pytest, a Celery worker) reuses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DATABASE_NAME = "datadeling"


def embedded_database(pgdata: Path) -> dict[str, Any]:
    """Start (or reuse) the embedded server and return Django DATABASES settings for it."""
    import warnings

    # pgserver asks platformdirs for a runtime folder; without XDG_RUNTIME_DIR that warns on
    # every command although the fallback it picks works.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver
    from psycopg.conninfo import conninfo_to_dict

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 (a constant)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    params = conninfo_to_dict(server.get_uri(DATABASE_NAME))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": params["dbname"],
        "USER": params.get("user", "postgres"),
        "PASSWORD": params.get("password", ""),
        "HOST": params.get("host", ""),
        "PORT": params.get("port", ""),
    }
