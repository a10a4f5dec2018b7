"""A cache for one unit of work, for rows that do not change while it runs.

MOX applies a chunk of messages in one transaction; most of them name the same citizens,
classes and units. Inside `with memo.aktiv():` the lookups that use `hent`/`hent_mange`
ask the database once per key; outside it (the UI, the admin, everything else) they ask
every time. Only found rows are kept: a row that does not exist yet may be created by the
next message of the same chunk (a unit, a staff member).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_cache: ContextVar[dict | None] = ContextVar("datadeling_memo", default=None)


@contextmanager
def aktiv() -> Iterator[None]:
    """Keep what `hent`/`hent_mange` find until the block ends."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def er_aktiv() -> bool:
    """Return whether a unit of work keeps what is found (inside `aktiv()`)."""
    return _cache.get() is not None


def hent(
    navn: str, noegle: Hashable, hent_fra_db: Callable[[], Any], *, husk_tomt: bool = False
) -> Any:
    """Return the value for `noegle` in cache `navn`, loading it with `hent_fra_db()`.

    None and [] are kept only with `husk_tomt` (for what the unit of work cannot create).
    """
    cache = _cache.get()
    if cache is None:
        return hent_fra_db()
    k = (navn, noegle)
    if k in cache:
        return cache[k]
    vaerdi = hent_fra_db()
    if husk_tomt or (vaerdi is not None and vaerdi != []):
        cache[k] = vaerdi
    return vaerdi


def hent_mange(navn: str, noegler: Iterable[Hashable], hent_fra_db: Callable[[set], dict]) -> dict:
    """Return {key: value} for the keys found, loading the ones not yet known with one call
    `hent_fra_db(missing_keys)` (which returns a dict of what it found)."""
    noegler = set(noegler)
    cache = _cache.get()
    if cache is None:
        return hent_fra_db(noegler) if noegler else {}
    fundet = {n: cache[(navn, n)] for n in noegler if (navn, n) in cache}
    mangler = noegler - fundet.keys()
    if mangler:
        nye = hent_fra_db(mangler)
        for n, v in nye.items():
            cache[(navn, n)] = v
        fundet.update(nye)
    return fundet


def glem(*, behold: Iterable[str] = ()) -> None:
    """Forget everything kept so far (after a savepoint rolled back: rows it created and
    that a lookup found inside it are gone again), except the caches named in `behold`
    (what the writes just made cannot have changed)."""
    cache = _cache.get()
    if cache is None:
        return
    behold = frozenset(behold)
    if not behold:
        cache.clear()
        return
    for k in [k for k in cache if k[0] not in behold]:
        del cache[k]
