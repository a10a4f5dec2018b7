"""Writing and verifying the access log: every read of a citizen's data leaves an entry.

Entries are chained per citizen: each stores the hash of the one before it, and its own
hash covers its content and that link. The table refuses UPDATE and DELETE (a trigger),
so tampering needs a superuser who disables the trigger, and then `verificer` finds it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from datadeling.core import clock
from datadeling.core.laas import Navnerum, laas
from organisation.selectors import Aktoer
from samtykke import policy
from samtykke.models import Adgangslog, Grundlag, Handling

GENESIS = "0" * 64


def _indhold(e: Adgangslog) -> str:
    """Return the canonical text that an entry's hash covers."""
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


def beregn_hash(entry: Adgangslog) -> str:
    return hashlib.sha256(_indhold(entry).encode()).hexdigest()


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
    the read fails with it. Entries for one citizen are serialized by an advisory lock.
    """
    funktion = next(
        (f for f in aktoer.funktioner if enhed is not None and f.enhed_id == enhed.pk),
        aktoer.funktioner[0] if aktoer.funktioner else None,
    )
    enhed_obj = funktion.enhed if funktion is not None else None
    with transaction.atomic():
        laas(Navnerum.ADGANGSLOG, [str(borger.pk)])
        forrige = (
            Adgangslog.objects.filter(borger_id=borger.pk)
            .order_by("-nummer")
            .values_list("nummer", "hash")
            .first()
        )
        entry = Adgangslog(
            borger_id=borger.pk,
            nummer=(forrige[0] + 1) if forrige else 1,
            tidspunkt=clock.now(),
            bruger_id=user.pk if user is not None else None,
            navn=aktoer.navn,
            enhed=enhed_obj,
            enhed_navn=enhed_obj.navn if enhed_obj else "",
            myndighed_navn=enhed_obj.myndighed.navn if enhed_obj else "",
            rolle=funktion.get_rolle_display() if funktion else "",
            faglighed=str(funktion.faglighed) if funktion and funktion.faglighed_id else "",
            handler_for=handler_for,
            handling=handling,
            hvad=hvad[:500],
            objekter=[_objekt(o) for o in objekter],
            kategorier=list(kategorier),
            formaal=formaal[:500],
            grundlag=grundlag,
            grundlag_id=grundlag_id,
            forrige_hash=forrige[1] if forrige else GENESIS,
        )
        entry.hash = beregn_hash(entry)
        entry.save(force_insert=True)
    return entry


def _objekt(o) -> dict:
    """Return the log's record of one object: (type, id) or (type, id, grundlag, grundlag_id)."""
    entry = {"type": o[0], "id": str(o[1])}
    if len(o) > 2:
        entry["grundlag"] = o[2]
        if o[3] is not None:
            entry["grundlag_id"] = str(o[3])
    return entry


STYRKE = [Grundlag.HJEMMEL, Grundlag.SAMTYKKE, Grundlag.EGEN_ENHED]


def adgangslog_visning(
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
    """Log a read of Tilstand/Indsats objects, with the basis each is seen on (policy.forklar).

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
    return adgangslog_write(
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
    """Append one entry per citizen to the access log, with a fixed number of queries.

    Each entry is the one `adgangslog_write` would write (same chain, same advisory lock
    per citizen, here taken in one statement in a fixed order), so a list page costs the
    same number of queries for 1 citizen as for 100. Call it in the reading transaction.
    """
    if not poster:
        return []
    funktion = aktoer.funktioner[0] if aktoer.funktioner else None
    enhed = funktion.enhed if funktion is not None else None
    with transaction.atomic():
        laas(Navnerum.ADGANGSLOG, (str(b) for b in poster))
        forrige = {
            b: (nummer, h)
            for b, nummer, h in Adgangslog.objects.filter(borger_id__in=list(poster))
            .order_by("borger_id", "-nummer")
            .distinct("borger_id")
            .values_list("borger_id", "nummer", "hash")
        }
        tidspunkt = clock.now()
        entries = []
        for borger_id, objekter in poster.items():
            nummer, forrige_hash = forrige.get(borger_id, (0, GENESIS))
            entry = Adgangslog(
                borger_id=borger_id,
                nummer=nummer + 1,
                tidspunkt=tidspunkt,
                bruger_id=user.pk if user is not None else None,
                navn=aktoer.navn,
                enhed=enhed,
                enhed_navn=enhed.navn if enhed else "",
                myndighed_navn=enhed.myndighed.navn if enhed else "",
                rolle=funktion.get_rolle_display() if funktion else "",
                faglighed=str(funktion.faglighed) if funktion and funktion.faglighed_id else "",
                handling=handling,
                hvad=hvad[:500],
                objekter=[{"type": t, "id": str(i)} for t, i in objekter],
                grundlag=grundlag,
                forrige_hash=forrige_hash,
            )
            entry.hash = beregn_hash(entry)
            entries.append(entry)
        return Adgangslog.objects.bulk_create(entries)


@dataclass(frozen=True)
class Brud:
    borger_id: uuid.UUID
    nummer: int
    entry_id: int
    grund: str


def verificer(*, batch: int = 5000) -> Iterator[Brud]:
    """Walk every citizen's chain and yield the first broken entry of each broken chain."""
    qs = Adgangslog.objects.order_by("borger_id", "nummer").iterator(chunk_size=batch)
    current, forventet_hash, forventet_nummer, brudt = None, GENESIS, 1, False
    for e in qs:
        if e.borger_id != current:
            current, forventet_hash, forventet_nummer, brudt = e.borger_id, GENESIS, 1, False
        if brudt:
            continue
        grund = None
        if e.nummer != forventet_nummer:
            grund = f"mangler post nr. {forventet_nummer}"
        elif e.forrige_hash != forventet_hash:
            grund = "kæden er brudt: forrige hash passer ikke"
        elif beregn_hash(e) != e.hash:
            grund = "indholdet er ændret efter det blev skrevet"
        if grund:
            brudt = True
            yield Brud(e.borger_id, e.nummer, e.pk, grund)
        forventet_hash, forventet_nummer = e.hash, e.nummer + 1


__all__ = [
    "Grundlag",
    "Handling",
    "adgangslog_write",
    "adgangslog_write_many",
    "adgangslog_visning",
    "beregn_hash",
    "verificer",
]
