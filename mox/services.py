"""Every write of the MOX ingress: sending systems and the inbox."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from datadeling.core import clock
from datadeling.core.historik import kopier_ind
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
    """Return the SHA-256 of an envelope as canonical JSON (sorted keys, no spaces)."""
    kanonisk = json.dumps(besked, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(kanonisk.encode("utf-8")).hexdigest()


@sensitive_variables("beskeder", "besked")
def beskeder_receive(*, system: System, beskeder: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Store validated envelopes in the inbox; return one answer per envelope, in order.

    A beskedID the system has sent before (or earlier in the same batch) is not stored
    again; its answer is the same as the first time. The rows are committed before this
    returns; after the commit `beskeder_klar` is sent with the new rows' ids.
    """
    svar = []
    with transaction.atomic():
        # One request per system at a time: the repeat check below then sees every
        # earlier request's rows, two requests never deadlock on each other's inserts,
        # and arrival time (read under the lock) agrees with insertion order.
        System.objects.select_for_update(of=("self",)).filter(pk=system.pk).first()
        modtaget = clock.now()
        ids = [uuid.UUID(b["beskedID"]) for b in beskeder]
        kendte = dict(
            Besked.objects.filter(system=system, besked_id__in=ids).values_list(
                "besked_id", "indhold_sha256"
            )
        )
        nye: dict[uuid.UUID, Besked] = {}
        for besked_id, besked in zip(ids, beskeder, strict=True):
            # The answer names the message as the sender wrote it (the row holds the UUID).
            svar.append({"beskedID": besked["beskedID"], "status": Status.MODTAGET.value})
            sha = indhold_sha256(besked)
            foerste = kendte.get(besked_id) or (
                nye[besked_id].indhold_sha256 if besked_id in nye else None
            )
            if foerste is not None:
                if foerste != sha:
                    logger.warning(
                        "MOX: system %s gentog beskedID %s med andet indhold; den første gælder",
                        system.uuid,
                        besked_id,
                    )
                continue
            nye[besked_id] = Besked(
                system=system,
                besked_id=besked_id,
                beskedversion=besked["beskedversion"],
                beskedtype=besked["beskedtype"],
                objekttype=besked["objekttype"],
                operation=besked["operation"],
                objekt_id=uuid.UUID(besked["objektID"]),
                data=besked.get("data"),
                indhold_sha256=sha,
                modtaget=modtaget,
            )
        # COPY, not a multi-row INSERT: the inbox's rows are written as they are
        besked_ids = kopier_ind(Besked, list(nye.values()))
        if besked_ids:
            transaction.on_commit(functools.partial(meld_beskeder_klar, besked_ids))
    return svar
