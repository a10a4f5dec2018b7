"""Writing and verifying the access log: every read of a citizen's data leaves an entry.

Entries are chained per citizen: each stores the hash of the one before it, and its own
hash covers its content and that link. The table refuses UPDATE and DELETE (a trigger),
so tampering needs a superuser who disables the trigger, and then `verificer` finds it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from datadeling.core import clock
from organisation.models import Rolle
from organisation.selectors import Aktoer
from samtykke import policy
from samtykke.models import Adgangslog, Grundlag, Handling

GENESIS = "0" * 64


def _indhold_v1(e) -> str:
    """Return the text an entry written before the partitioned log (version 1) hashes."""
    return json.dumps(
        [
            str(e.borger_id), e.nummer, e.tidspunkt.isoformat(), e.bruger_id, e.navn,
            str(e.enhed_id) if e.enhed_id else None, e.enhed_navn, e.myndighed_navn, e.rolle,
            e.faglighed, str(e.handler_for_id) if e.handler_for_id else None, e.handling, e.hvad,
            e.objekter, e.kategorier, e.formaal, e.grundlag,
            str(e.grundlag_id) if e.grundlag_id else None, e.forrige_hash,
        ],
        ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str,
    )  # fmt: skip


def _jsonb_tekst(v: Any) -> str:
    """Return the text PostgreSQL prints for `v` as jsonb: keys shortest first, then by
    their bytes; ", " and ": " between. Strings, integers, booleans, None, lists, dicts."""
    if isinstance(v, dict):
        par = sorted(v.items(), key=lambda kv: (len(kv[0].encode()), kv[0].encode()))
        return "{" + ", ".join(f"{_jsonb_tekst(k)}: {_jsonb_tekst(x)}" for k, x in par) + "}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_jsonb_tekst(x) for x in v) + "]"
    if v is None or isinstance(v, bool | int | str):
        return json.dumps(v, ensure_ascii=False)
    raise TypeError(f"adgangsloggen gemmer ikke {type(v).__name__} i en liste")


def _tekst(v: Any) -> str:
    return "null" if v is None else json.dumps(str(v), ensure_ascii=False)


def _indhold(e) -> str:
    """Return the canonical text that an entry's hash covers (version 2).

    The database computes the same text (samtykke_adgangslog_kanonisk); the property test
    tests/samtykke/test_adgangslog_skala.py holds the two equal.
    """
    dele = [
        '"v2"', _tekst(e.borger_id), str(e.nummer), _tekst(_iso(e.tidspunkt)),
        "null" if e.bruger_id is None else str(int(e.bruger_id)), _tekst(e.navn),
        _tekst(e.enhed_id), _tekst(e.enhed_navn), _tekst(e.myndighed_navn), _tekst(e.rolle),
        _tekst(e.faglighed), _tekst(e.handler_for_id), _tekst(e.handling), _tekst(e.hvad),
        _jsonb_tekst(e.objekter), _jsonb_tekst(e.kategorier), _tekst(e.formaal),
        _tekst(e.grundlag), _tekst(e.grundlag_id), _tekst(e.forrige_hash),
    ]  # fmt: skip
    return "[" + ",".join(dele) + "]"


def _iso(t: datetime.datetime) -> str:
    return t.astimezone(datetime.UTC).isoformat()


def beregn_hash(entry) -> str:
    """Return the hash of an entry (version 2, what the database writes today)."""
    return hashlib.sha256(_indhold(entry).encode()).hexdigest()


def beregn_hash_v1(entry) -> str:
    """Return the hash of an entry in version 1, used before the partitioned log."""
    return hashlib.sha256(_indhold_v1(entry).encode()).hexdigest()


# Funktion.get_rolle_display() rebuilds the field's choices on every call, hashing each lazy
# label (some 70 µs, a third of building an entry); a page that logs 20 reads paid it 20
# times. The label is looked up here instead and translated once, to the same text.
_ROLLER = dict(Rolle.choices)


def _rolle(funktion) -> str:
    """Return what `funktion.get_rolle_display()` returns, in the active language."""
    return str(_ROLLER.get(funktion.rolle, funktion.rolle))


def adgangslog_post(
    *,
    aktoer: Aktoer,
    user,
    borger,
    hvad: str,
    grundlag: str,
    objekter: Sequence[tuple[str, uuid.UUID]] = (),
    kategorier: Iterable[str] = (),
    formaal: str = "",
    handling: str = Handling.VISNING,
    grundlag_id: uuid.UUID | None = None,
    enhed=None,
    handler_for=None,
    tidspunkt=None,
) -> Adgangslog:
    """Return one access-log entry, not yet written: hand it to `adgangslog_write_batch`.

    A page that logs several reads builds their entries with this and writes them together,
    in one statement. The arguments are those of `adgangslog_write`.
    """
    funktion = next(
        (f for f in aktoer.funktioner if enhed is not None and f.enhed_id == enhed.pk),
        aktoer.funktioner[0] if aktoer.funktioner else None,
    )
    enhed_obj = funktion.enhed if funktion is not None else None
    return Adgangslog(
        borger_id=borger.pk,
        tidspunkt=tidspunkt or clock.now(),
        bruger_id=user.pk if user is not None else None,
        navn=aktoer.navn,
        enhed=enhed_obj,
        enhed_navn=enhed_obj.navn if enhed_obj else "",
        myndighed_navn=enhed_obj.myndighed.navn if enhed_obj else "",
        rolle=_rolle(funktion) if funktion else "",
        faglighed=str(funktion.faglighed) if funktion and funktion.faglighed_id else "",
        handler_for=handler_for,
        handling=handling,
        hvad=hvad[:500],
        objekter=[_objekt(o) for o in objekter],
        kategorier=list(kategorier),
        formaal=formaal[:500],
        grundlag=grundlag,
        grundlag_id=grundlag_id,
    )


# The columns a writer sends; the database adds id, nummer and the two hashes.
_KOLONNER = (
    "borger_id", "tidspunkt", "bruger_id", "navn", "enhed_id", "enhed_navn", "myndighed_navn",
    "rolle", "faglighed", "handler_for_id", "handling", "hvad", "objekter", "kategorier",
    "formaal", "grundlag", "grundlag_id",
)  # fmt: skip


def _json(v):
    if isinstance(v, datetime.datetime):
        return v.isoformat()
    return str(v)


def adgangslog_write_batch(entries: Sequence[Adgangslog]) -> list[Adgangslog]:
    """Append the entries to their citizens' chains in one statement, and return them written.

    The entries may name any citizens, several entries the same one: each is chained on the
    one before it, in the order given. The statement (the database function
    samtykke_adgangslog_skriv) takes the citizens' chain locks in sorted order first, so
    concurrent writers to the same citizens queue instead of forking a chain, and never
    deadlock on each other. Call it in the reading transaction: if it fails, the read fails.
    """
    if not entries:
        return []
    poster = [{k: getattr(e, k) for k in _KOLONNER} for e in entries]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ud_plads, ud_id, ud_nummer, ud_tidspunkt, ud_forrige_hash, ud_hash"
            " FROM samtykke_adgangslog_skriv(%s::jsonb)",
            [json.dumps(poster, default=_json, ensure_ascii=False)],
        )
        for plads, pk, nummer, tidspunkt, forrige_hash, h in cursor.fetchall():
            e = entries[plads - 1]
            e.id, e.nummer, e.tidspunkt, e.forrige_hash, e.hash = (
                pk, nummer, tidspunkt, forrige_hash, h,
            )  # fmt: skip
            e._state.adding = False
            e._state.db = connection.alias
    return list(entries)


def adgangslog_write(
    *,
    aktoer: Aktoer,
    user,
    borger,
    hvad: str,
    grundlag: str,
    objekter: Sequence[tuple[str, uuid.UUID]] = (),
    kategorier: Iterable[str] = (),
    formaal: str = "",
    handling: str = Handling.VISNING,
    grundlag_id: uuid.UUID | None = None,
    enhed=None,
    handler_for=None,
) -> Adgangslog:
    """Append one entry to the citizen's access log, in the caller's transaction.

    Call it inside the transaction that reads the data: if the entry cannot be written,
    the read fails with it. Entries for one citizen are serialized by the chain lock.
    """
    entry = adgangslog_post(
        aktoer=aktoer, user=user, borger=borger, hvad=hvad, grundlag=grundlag,
        objekter=objekter, kategorier=kategorier, formaal=formaal, handling=handling,
        grundlag_id=grundlag_id, enhed=enhed, handler_for=handler_for,
    )  # fmt: skip
    return adgangslog_write_batch([entry])[0]


def _objekt(o) -> dict:
    """Return the log's record of one object: (type, id) or (type, id, grundlag, grundlag_id)."""
    entry = {"type": o[0], "id": str(o[1])}
    if len(o) > 2:
        entry["grundlag"] = o[2]
        if o[3] is not None:
            entry["grundlag_id"] = str(o[3])
    return entry


STYRKE = [Grundlag.HJEMMEL, Grundlag.SAMTYKKE, Grundlag.EGEN_ENHED]


def adgangslog_visning(**kwargs) -> Adgangslog:
    """Log a read of Tilstand/Indsats objects: `adgangslog_visning_post`, written."""
    return adgangslog_write_batch([adgangslog_visning_post(**kwargs)])[0]


def adgangslog_visning_post(
    *,
    aktoer: Aktoer,
    user,
    borger,
    hvad: str,
    objekter: Sequence = (),
    formaal: str = "",
    handling: str = Handling.VISNING,
    handler_for=None,
    kategorier: Iterable[str] = (),
    med_grundlag: Sequence[tuple[str, uuid.UUID, str, uuid.UUID | None]] = (),
) -> Adgangslog:
    """Return the entry for a read of Tilstand/Indsats objects, with the basis each is seen
    on (policy.forklar); `adgangslog_visning` writes it, `adgangslog_write_batch` with others.

    `med_grundlag` adds objects whose basis the caller already knows (the cases of the case
    index, overblik.selectors.sag.logpost), so one page view is one entry whatever it shows.

    The entry's own basis is the strongest among them: a legal basis, then a consent, then
    the reader's own unit; a citizen reading their own data, or a relative acting for them,
    read on that basis.
    """
    basis = policy.forklar(aktoer, objekter)
    rows = [
        (o._meta.model_name, o.pk, *basis.get(o.pk, (Grundlag.EGEN_ENHED, None))) for o in objekter
    ] + list(med_grundlag)
    if handler_for is not None:
        top, top_id = Grundlag.RELATION, handler_for.pk
    elif aktoer.er_borger:
        top, top_id = Grundlag.BORGER, None
    else:
        top, top_id = Grundlag.EGEN_ENHED, None
        for kind in STYRKE:
            hit = next((r for r in rows if r[2] == kind), None)
            if hit is not None:
                top, top_id = kind, hit[3]
                break
    return adgangslog_post(
        aktoer=aktoer, user=user, borger=borger, hvad=hvad, grundlag=top, grundlag_id=top_id,
        objekter=rows, kategorier=kategorier, formaal=formaal, handling=handling,
        handler_for=handler_for,
    )  # fmt: skip


def adgangslog_write_many(
    *,
    aktoer: Aktoer,
    user,
    poster: Mapping[uuid.UUID, Sequence[tuple[str, Any]]],
    hvad: str,
    grundlag: str,
    handling: str,
) -> list[Adgangslog]:
    """Append one entry per citizen to the access log, in one statement.

    Each entry is the one `adgangslog_write` would write, so a list page costs the same
    number of queries for 1 citizen as for 100. Call it in the reading transaction.
    """
    if not poster:
        return []
    funktion = aktoer.funktioner[0] if aktoer.funktioner else None
    enhed = funktion.enhed if funktion is not None else None
    tidspunkt = clock.now()
    entries = [
        Adgangslog(
            borger_id=borger_id,
            tidspunkt=tidspunkt,
            bruger_id=user.pk if user is not None else None,
            navn=aktoer.navn,
            enhed=enhed,
            enhed_navn=enhed.navn if enhed else "",
            myndighed_navn=enhed.myndighed.navn if enhed else "",
            rolle=_rolle(funktion) if funktion else "",
            faglighed=str(funktion.faglighed) if funktion and funktion.faglighed_id else "",
            handling=handling,
            hvad=hvad[:500],
            objekter=[{"type": t, "id": str(i)} for t, i in objekter],
            grundlag=grundlag,
        )
        for borger_id, objekter in poster.items()
    ]
    return adgangslog_write_batch(entries)


@dataclass(frozen=True)
class Brud:
    borger_id: uuid.UUID
    nummer: int
    entry_id: int | None
    grund: str


# Two queries check every chain. The first recomputes every entry's hash
# (samtykke_adgangslog_hash, or version 1 for entries from before migration 0005): a scan
# of the whole table that PostgreSQL spreads over parallel workers. The second compares
# each entry's number and link with the entry before it (or, for a chain's first kept
# entry, with the anchor retention left, or the genesis), and each chain's last entry with
# its head; it reads only the narrow columns, in (borger, nummer) order.
INDHOLD_SQL = """
SELECT l.borger_id, l.nummer, l.id, 'indhold', NULL::integer
  FROM samtykke_adgangslog AS l
 WHERE NOT (l.hash = samtykke_adgangslog_hash(l) OR l.hash = samtykke_adgangslog_hash_v1(l))
"""

KAEDE_SQL = """
WITH anker AS (
    SELECT DISTINCT ON (borger_id) borger_id, nummer, hash FROM samtykke_adgangsloganker
     ORDER BY borger_id, nummer DESC
), kaede AS (
    SELECT l.id, l.borger_id, l.nummer, l.forrige_hash, l.hash,
           lag(l.nummer) OVER w AS f_nummer, lag(l.hash) OVER w AS f_hash,
           lead(l.nummer) OVER w IS NULL AS sidste
      FROM samtykke_adgangslog AS l
    WINDOW w AS (PARTITION BY l.borger_id ORDER BY l.nummer)
), tjek AS (
    SELECT k.borger_id, k.nummer, k.id, k.forrige_hash, k.sidste, k.hash,
           coalesce(k.f_nummer, a.nummer, 0) + 1 AS forventet_nummer,
           coalesce(k.f_hash, a.hash, %(genesis)s) AS forventet_hash,
           h.borger_id IS NOT NULL AS har_hoved, h.nummer AS h_nummer, h.hash AS h_hash
      FROM kaede AS k
      LEFT JOIN anker AS a ON a.borger_id = k.borger_id AND k.f_nummer IS NULL
      LEFT JOIN samtykke_adgangsloghoved AS h ON h.borger_id = k.borger_id AND k.sidste
)
SELECT t.borger_id, t.nummer, t.id, CASE
       WHEN t.nummer <> t.forventet_nummer THEN 'nummer'
       WHEN t.forrige_hash <> t.forventet_hash THEN 'kaede'
       WHEN NOT t.har_hoved THEN 'uden_hoved'
       ELSE 'hoved' END,
       CASE WHEN t.nummer <> t.forventet_nummer THEN t.forventet_nummer ELSE t.h_nummer END
  FROM tjek AS t
 WHERE t.nummer <> t.forventet_nummer OR t.forrige_hash <> t.forventet_hash
    OR t.sidste AND (NOT t.har_hoved OR t.nummer <> t.h_nummer OR t.hash <> t.h_hash)
UNION ALL
-- chains with no entry left: the head must be where the anchor (or the genesis) is
SELECT h.borger_id, coalesce(a.nummer, 0), NULL, 'hoved', h.nummer
  FROM samtykke_adgangsloghoved AS h LEFT JOIN anker AS a ON a.borger_id = h.borger_id
 WHERE NOT EXISTS (SELECT FROM samtykke_adgangslog AS l WHERE l.borger_id = h.borger_id)
   AND (coalesce(a.nummer, 0) <> h.nummer OR coalesce(a.hash, %(genesis)s) <> h.hash)
"""

GRUNDE = {
    "nummer": "mangler post nr. {forventet}",
    "kaede": "kæden er brudt: forrige hash passer ikke",
    "indhold": "indholdet er ændret efter det blev skrevet",
    "hoved": "de nyeste poster mangler eller passer ikke: kædehovedet siger nr. {forventet}",
    "uden_hoved": "kæden har intet hoved",
}
# at the same entry, the reason the walk along the chain would give first
RAEKKEFOELGE = ["nummer", "kaede", "indhold", "uden_hoved", "hoved"]


def verificer(*, work_mem: str = "64MB") -> Iterator[Brud]:
    """Check every citizen's chain and yield the first break of each broken chain.

    Two queries in the database do it (docs/adgang.md): the entries never travel to
    Python, only the breaks, so memory here stays flat however long the log grows; the
    database sorts within `work_mem` and spills to disk beyond it.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
        # compiling these long expressions with JIT takes seconds and saves less than that
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(INDHOLD_SQL)
        raekker = cursor.fetchall()
        cursor.execute(KAEDE_SQL, {"genesis": GENESIS})
        raekker += cursor.fetchall()
    foerste: dict[uuid.UUID, tuple] = {}
    for r in raekker:
        noegle = (r[1], RAEKKEFOELGE.index(r[3]))
        if r[0] not in foerste or noegle < (foerste[r[0]][1], RAEKKEFOELGE.index(foerste[r[0]][3])):
            foerste[r[0]] = r
    for borger_id, nummer, pk, grund, forventet in sorted(
        foerste.values(), key=lambda r: str(r[0])
    ):
        yield Brud(borger_id, nummer, pk, GRUNDE[grund].format(forventet=forventet))


__all__ = [
    "Grundlag",
    "Handling",
    "adgangslog_post",
    "adgangslog_vedligehold",
    "adgangslog_visning",
    "adgangslog_visning_post",
    "adgangslog_write",
    "adgangslog_write_batch",
    "adgangslog_write_many",
    "beregn_hash",
    "beregn_hash_v1",
    "verificer",
]


# --- partitions and retention ----------------------------------------------------------

PARTITION_PRAEFIKS = "samtykke_adgangslog_p"


@dataclass(frozen=True)
class Vedligehold:
    oprettet: list[str]
    slettet: list[str]
    ankre: int


def _maaned(d: datetime.date, forskyd: int) -> datetime.date:
    m = d.year * 12 + d.month - 1 + forskyd
    return datetime.date(m // 12, m % 12 + 1, 1)


def partitioner() -> list[tuple[str, datetime.date]]:
    """Return the log's monthly partitions (name, first day of the month, UTC), oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'samtykke_adgangslog'::regclass ORDER BY c.relname"
        )
        navne = [r[0] for r in cursor.fetchall()]
    return [
        (n, datetime.date(int(n[-6:-2]), int(n[-2:]), 1))
        for n in navne
        # only names of the form the partition function makes: safe to quote into DDL
        if n.startswith(PARTITION_PRAEFIKS)
        and n[-6:].isdigit()
        and len(n) == len(PARTITION_PRAEFIKS) + 6
    ]


def adgangslog_vedligehold(
    *, forud: int | None = None, opbevaring: int | None = None, nu: datetime.datetime | None = None
) -> Vedligehold:
    """Create the partitions of this month and `forud` months ahead, and delete the whole
    months older than `opbevaring` months (0: keep everything).

    Defaults: settings.ADGANGSLOG_PARTITIONER_FORUD and ADGANGSLOG_OPBEVARING_MAANEDER.
    Before a month is dropped, the last entry of each citizen in it is kept as an anchor
    (AdgangslogAnker), so the chains still verify from the first kept entry on. Each month
    is dropped in a transaction of its own, oldest first.
    """
    forud = settings.ADGANGSLOG_PARTITIONER_FORUD if forud is None else forud
    opbevaring = settings.ADGANGSLOG_OPBEVARING_MAANEDER if opbevaring is None else opbevaring
    denne = (nu or clock.now()).astimezone(datetime.UTC).date().replace(day=1)
    oprettet, slettet, ankre = [], [], 0
    with connection.cursor() as cursor:
        for i in range(forud + 1):
            maaned = _maaned(denne, i)
            cursor.execute("SELECT samtykke_adgangslog_partition(%s)", [maaned])
            if cursor.fetchone()[0]:
                oprettet.append(f"{PARTITION_PRAEFIKS}{maaned:%Y%m}")
    if opbevaring:
        graense = _maaned(denne, -opbevaring)
        for navn, maaned in partitioner():
            if maaned >= graense:
                break
            with transaction.atomic(), connection.cursor() as cursor:
                # deferred foreign-key checks must not be pending on a table that is dropped
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                # no entry may reach the month while its anchors are taken
                cursor.execute(f'LOCK TABLE "{navn}" IN SHARE MODE')
                anker_sql = (
                    "INSERT INTO samtykke_adgangsloganker"  # noqa: S608 (a checked name)
                    " (borger_id, nummer, hash, tidspunkt, partition, slettet)"
                    " SELECT DISTINCT ON (borger_id) borger_id, nummer, hash, tidspunkt, %s, %s"
                    f' FROM "{navn}" ORDER BY borger_id, nummer DESC'
                )
                cursor.execute(anker_sql, [navn, clock.now()])
                ankre += cursor.rowcount
                cursor.execute(f'ALTER TABLE samtykke_adgangslog DETACH PARTITION "{navn}"')
                cursor.execute(f'DROP TABLE "{navn}"')
            slettet.append(navn)
    return Vedligehold(oprettet, slettet, ankre)
