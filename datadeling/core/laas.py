"""Transaction-level advisory locks: one scheme for every lock the apps take.

A lock is a pair (namespace, hashtext(key)) in PostgreSQL's two-int advisory-lock space,
held until the transaction ends. `laas` takes all the keys a writer needs in one
statement, in sorted order, so two writers that need overlapping sets never deadlock. Two
keys whose hashes collide only serialize more than needed; they never lock less.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from django.db import connection


class Navnerum(enum.IntEnum):
    """The lock namespaces, one per thing that is locked (numbers never reused)."""

    ADGANGSLOG = 7_431_001  # a citizen's access-log chain
    TILDELING = 7_431_002  # a citizen's grant rows (consent vs new data)
    KLASSIFIKATION_IMPORT = 7_431_003  # the code-system import, one at a time
    MOX_OBJEKT = 7_431_004  # one MOX object's messages, applied one at a time


def laas(navnerum: Navnerum, noegler: Iterable[str]) -> None:
    """Take the locks (navnerum, key) for `noegler` until the transaction ends, in one
    statement and in sorted order; return when all are held."""
    sorterede = sorted(set(noegler))
    if not sorterede:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, hashtext(k)))"
            " FROM (SELECT k FROM unnest(%s::text[]) AS t(k) ORDER BY k) AS s",
            [int(navnerum), sorterede],
        )
