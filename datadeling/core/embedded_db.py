"""An embedded PostgreSQL for the demo and the tests when DATABASE_URL is unset.

A new user needs no database server: the `pgserver` package ships PostgreSQL binaries
and runs a server on a unix socket inside a git-ignored folder of the checkout. The
server keeps running after the process that started it ends, so the next command
(runserver, pytest, a Celery worker) reuses it.

Several processes may ask for it at once (the workers of `pytest -n auto`): a lock file
beside the data folder lets the first one start the server while the others wait. A
process stopped half-way can leave pgserver's own state files broken (an empty
`.handle_pids.json`, a `postmaster.pid` of a server that is gone); they are repaired
under the same lock before pgserver reads them, so the next command starts anyway.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DATABASE_NAME = "datadeling"

# pgserver's list of the processes that use the server (it only reads it to decide who
# stops the server, which it never does here: cleanup_mode=None).
HANDLE_FILE = ".handle_pids.json"
POSTMASTER_FILE = "postmaster.pid"

logger = logging.getLogger(__name__)


def embedded_database(pgdata: Path) -> dict[str, Any]:
    """Start (or reuse) the embedded server and return Django DATABASES settings for it."""
    import warnings

    # pgserver asks platformdirs for a runtime folder; without XDG_RUNTIME_DIR that warns on
    # every command although the fallback it picks works.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver
    from psycopg.conninfo import conninfo_to_dict

    pgdata = pgdata.expanduser().resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    with _lock(pgdata):
        state_files_repair(pgdata)
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


@contextlib.contextmanager
def _lock(pgdata: Path) -> Iterator[None]:
    """Hold an exclusive lock on `<pgdata>.lock` (beside the folder: initdb wants it empty)."""
    path = pgdata.with_name(pgdata.name + ".lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def state_files_repair(pgdata: Path) -> None:
    """Remove pgserver's process list when unreadable, and a postmaster.pid left by a server
    that no longer runs, so that pgserver starts the server instead of failing on them.

    Call with the lock held and before pgserver reads the folder.
    """
    handles = pgdata / HANDLE_FILE
    if handles.exists():
        try:
            content = json.loads(handles.read_text() or "null")
            readable = isinstance(content, list) and all(isinstance(p, int) for p in content)
        except (ValueError, UnicodeDecodeError):
            readable = False
        if not readable:
            logger.warning("Fjerner ulæselig %s (efterladt af en afbrudt proces).", handles)
            handles.unlink()

    postmaster = pgdata / POSTMASTER_FILE
    if postmaster.exists() and not _server_runs(pgdata):
        # PostgreSQL refuses to start while the file names a living process, and after a
        # restart of the machine that pid may belong to anything; pgserver then even takes
        # the dead server for a running one. No postgres runs on this folder, so the file
        # and the socket lock files it left are stale.
        logger.warning("Fjerner forældet %s (ingen server kører på mappen).", postmaster)
        socket_dirs = {pgdata, *_socket_dir(postmaster)}
        postmaster.unlink()
        for folder in socket_dirs:
            for lock_file in folder.glob(".s.PGSQL.*.lock"):
                lock_file.unlink(missing_ok=True)


def _server_runs(pgdata: Path) -> bool:
    """Tell whether a postgres process serves `pgdata` (its command line names the folder)."""
    import psutil

    for proc in psutil.process_iter(attrs=["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] in {"postgres", "postmaster"} and str(pgdata) in cmdline:
            return True
    return False


def _socket_dir(postmaster: Path) -> list[Path]:
    """Return the socket folder a postmaster.pid names (line 5), if it can be read."""
    try:
        lines = postmaster.read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    if len(lines) >= 5 and lines[4].strip().startswith("/"):
        return [Path(lines[4].strip())]
    return []


def local_secret_key(path: Path) -> str:
    """Return the demo's and tests' secret key kept in `path`, made on first use.

    The file is written whole under another name and linked into place, so a process
    starting at the same moment (a test worker) never reads it half-written.
    """
    if not path.exists():
        import secrets

        draft = path.with_name(f"{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(50))
        draft.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)  # the first process wins; the others read its key
        draft.unlink()
    return path.read_text().strip()
