"""Helpers shared by the demo's tests."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management import call_command
from django.db import transaction


def demo(*args: str) -> str:
    """Run `demo_data` with these arguments; return what it printed."""
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@contextmanager
def demo_i_ramme(django_db_blocker, *args: str) -> Iterator[str]:
    """Build the demo in a transaction rolled back afterwards, for a module's tests that
    only read it; each test's own transaction nests in it as a savepoint, so what a test
    writes is gone for the next. Yields the command's output."""
    with django_db_blocker.unblock():
        ramme = transaction.atomic()
        ramme.__enter__()
        try:
            udskrift = demo(*args)
        except BaseException:
            ramme.__exit__(None, None, None)
            raise
    try:
        yield udskrift
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            ramme.__exit__(None, None, None)
