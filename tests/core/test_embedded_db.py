"""The embedded database starts again whatever state a stopped command left its folder in.

Each start runs in a new process, the way `make test` and `make demo` meet it at settings
import, on a data folder of its own under tmp_path.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from django.conf import settings

HANDLE_FILE = ".handle_pids.json"  # pgserver's list of the processes using the server
POSTMASTER_FILE = "postmaster.pid"  # PostgreSQL's lock file naming the running server

START = (
    "import sys; from pathlib import Path; "
    "from datadeling.core.embedded_db import embedded_database; "
    "print(embedded_database(Path(sys.argv[1]))['HOST'])"
)


def start(pgdata: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", START, str(pgdata)],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def started(proces: subprocess.Popen) -> str:
    """Wait for a start; return the socket folder it answered, failing with its traceback."""
    out, err = proces.communicate(timeout=120)
    assert proces.returncode == 0, err
    return out.strip()


def postmasters(pgdata: Path) -> list[psutil.Process]:
    return [
        p
        for p in psutil.process_iter(attrs=["name", "cmdline"])
        if p.info["name"] == "postgres" and str(pgdata) in (p.info["cmdline"] or [])
    ]


def stop(pgdata: Path) -> None:
    """Stop the folder's server the way PostgreSQL's fast shutdown does, and wait for it."""
    for proces in postmasters(pgdata):
        proces.send_signal(signal.SIGINT)
        proces.wait(60)


@pytest.fixture(scope="module")
def pgdata(tmp_path_factory):
    """A data folder with an initialised cluster whose server is stopped."""
    folder = tmp_path_factory.mktemp("embedded") / "pgdata"
    started(start(folder))
    stop(folder)
    yield folder
    stop(folder)


def test_an_empty_process_list_is_repaired(pgdata):
    # What a stopped `make demo` once left behind: every later command failed with a
    # JSONDecodeError at settings import.
    (pgdata / HANDLE_FILE).write_text("")
    assert started(start(pgdata)) == str(pgdata)
    assert len(postmasters(pgdata)) == 1
    stop(pgdata)

    (pgdata / HANDLE_FILE).write_text("[12, 3")
    started(start(pgdata))
    stop(pgdata)


def test_a_postmaster_pid_of_a_server_that_is_gone_is_removed(pgdata):
    started(start(pgdata))
    left = (pgdata / POSTMASTER_FILE).read_text().splitlines()
    stop(pgdata)
    # After a restart of the machine the old pid may belong to any process, here this one:
    # PostgreSQL refuses to start beside it, and pgserver took it for the running server.
    (pgdata / POSTMASTER_FILE).write_text("\n".join([str(os.getpid()), *left[1:]]) + "\n")
    assert started(start(pgdata)) == str(pgdata)
    assert len(postmasters(pgdata)) == 1
    stop(pgdata)


def test_a_half_written_postmaster_pid_is_removed(pgdata):
    (pgdata / POSTMASTER_FILE).write_text("4242\n")
    started(start(pgdata))
    stop(pgdata)


def test_processes_starting_at_once_share_one_server(pgdata):
    # The workers of `pytest -n auto` import the settings at the same moment.
    processer = [start(pgdata) for _ in range(3)]
    assert {started(p) for p in processer} == {str(pgdata)}
    assert len(postmasters(pgdata)) == 1
