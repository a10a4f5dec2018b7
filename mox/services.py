"""Every write of the MOX ingress: sending systems and the inbox."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.views.decorators.debug import sensitive_variables

from datadeling.core import clock
from datadeling.core.historik import kopier_raekker
from mox.models import Besked, System
from mox.protokol import Status
from mox.signals import meld_beskeder_klar
from organisation.models import Enhed

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def system_create(
    *,
    navn: str,
    enhed: Enhed | None = None,
    enheder: Sequence[Enhed] = (),
    aktiv: bool = True,
    actor: User | None = None,
) -> tuple[System, str, str]:
    """Create a sending system for a unit; return it with its token and secret in plain text.

    The system writes citizen data for `enhed` (its own unit) and the further `enheder`
    only (samtykke.policy.system); without a unit it writes none. The plain token and
    secret are not stored (the token only as a hash) and cannot be shown again: hand them
    to the system's operator at once.
    """
    system = System(navn=navn, enhed=enhed, aktiv=aktiv, oprettet_af=actor)
    token, secret = system.nye_noegler()
    system.full_clean()
    system.save()
    if enheder:
        system.enheder.set([e for e in enheder if enhed is None or e.pk != enhed.pk])
    return system, token, secret


@transaction.atomic
def system_renew_keys(*, system: System, actor: User | None = None) -> tuple[str, str]:
    """Give a system a new token and secret at once (the old ones stop working); return them."""
    system = System.objects.select_for_update(of=("self",)).get(pk=system.pk)
    token, secret = system.nye_noegler()
    system.save(update_fields=["token_hash", "secret"])
    logger.info("MOX: nye nøgler til system %s (af %s)", system.uuid, getattr(actor, "pk", None))
    return token, secret


def indhold_sha256(besked: dict[str, Any]) -> str:
    """Return the SHA-256 of an envelope as canonical JSON (sorted keys, no spaces).

    This is the definition; the ingress computes the same hash by `_kanonisk_konvolut`,
    which reuses the canonical text of `data` it also stores."""
    kanonisk = json.dumps(besked, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(kanonisk.encode("utf-8")).hexdigest()


# One encoder for every call: json.dumps with options builds a new one each time.
_kanonisk = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
# What that encoder does with a string (ensure_ascii=False), without the detour.
_streng = json.encoder.encode_basestring


def _kanonisk_konvolut(besked: dict[str, Any], data_tekst: str | None) -> str:
    """Return the canonical JSON of an envelope (as `indhold_sha256` writes it) with the
    canonical text of its `data` given: the keys in sorted order, as json.dumps with
    sort_keys writes them, so `data` (most of the envelope) is serialised only once."""
    dele = []
    for noegle in sorted(besked):
        vaerdi = besked[noegle]
        if noegle == "data" and data_tekst is not None:
            tekst = data_tekst
        elif type(vaerdi) is str:
            tekst = _streng(vaerdi)
        else:
            tekst = _kanonisk(vaerdi)
        dele.append(f"{_streng(noegle)}:{tekst}")
    return "{" + ",".join(dele) + "}"


# The inbox row as `kopier_raekker` takes it; tests/mox/test_ingress_hurtig.py checks it
# against the model's fields, so a new column cannot be silently misplaced.
KOLONNER = (
    "system_id",
    "besked_id",
    "beskedversion",
    "beskedtype",
    "objekttype",
    "operation",
    "objekt_id",
    "data",
    "indhold_sha256",
    "modtaget",
    "status",
    "fejl",
    "forsoeg",
    "behandlet",
)
_INGEN_FEJL = json.dumps([])

# The beskedIDs as one text, split by the database: as a list, each of a batch's 1,000
# would be quoted into the statement on its own (~1.6 ms of CPU here, ~3 ms in all,
# against ~0.2 and ~1). A beskedID has the UUID form (the schema), so never a comma.
_KENDTE_SQL = (
    f"SELECT besked_id, indhold_sha256 FROM {Besked._meta.db_table}"  # noqa: S608 (the model's table)
    " WHERE system_id = %s AND besked_id = ANY(string_to_array(%s, ',')::uuid[])"
)


@sensitive_variables("beskeder", "besked", "data", "data_tekst", "raekker")
def beskeder_receive(*, system: System, beskeder: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Store validated envelopes in the inbox; return one answer per envelope, in order.

    A beskedID the system has sent before (or earlier in the same batch) is not stored
    again; its answer is the same as the first time. The rows are committed before this
    returns; after the commit `beskeder_klar` is sent with the new rows' ids.

    The hot path of the ingress, so it works on the parsed envelopes directly: each
    `data` is serialised once (its canonical text is both the stored JSON and part of the
    hashed envelope), the rows are tuples for COPY (no model instances), and beskedIDs are
    compared as lower-case text (the schema admits only the 8-4-4-4-12 hex form, whose
    lower case is the UUID's own text).
    """
    modtaget_svar = Status.MODTAGET.value
    svar = [{"beskedID": b["beskedID"], "status": modtaget_svar} for b in beskeder]
    with transaction.atomic():
        # One request per system at a time: the repeat check below then sees every
        # earlier request's rows, two requests never deadlock on each other's inserts,
        # and arrival time (read under the lock) agrees with insertion order.
        System.objects.select_for_update(of=("self",)).filter(pk=system.pk).first()
        modtaget = clock.now()
        ids = [b["beskedID"].lower() for b in beskeder]
        with connection.cursor() as cursor:
            cursor.execute(_KENDTE_SQL, [system.pk, ",".join(set(ids))])
            kendte = {str(besked_id): sha for besked_id, sha in cursor.fetchall()}
        raekker = []
        for besked_id, besked in zip(ids, beskeder, strict=True):
            foerste = kendte.get(besked_id)
            data = besked.get("data")
            data_tekst = None if data is None else _kanonisk(data)
            sha = hashlib.sha256(_kanonisk_konvolut(besked, data_tekst).encode("utf-8")).hexdigest()
            if foerste is not None:
                if foerste != sha:
                    logger.warning(
                        "MOX: system %s gentog beskedID %s med andet indhold; den første gælder",
                        system.uuid,
                        besked_id,
                    )
                continue
            # A repeat later in the same batch compares with this one.
            kendte[besked_id] = sha
            raekker.append(
                (
                    system.pk,
                    besked_id,
                    besked["beskedversion"],
                    besked["beskedtype"],
                    besked["objekttype"],
                    besked["operation"],
                    besked["objektID"],
                    data_tekst,
                    sha,
                    modtaget,
                    modtaget_svar,
                    _INGEN_FEJL,
                    0,
                    None,
                )
            )
        # COPY, not a multi-row INSERT: the inbox's rows are written as they are
        besked_ids = kopier_raekker(Besked, raekker)
        if besked_ids:
            transaction.on_commit(functools.partial(meld_beskeder_klar, besked_ids))
    return svar
