"""Delivery of outbox rows to the systems' webhooks: sign, post, retry, give up.

`lever(notifikation_id)` is idempotent and safe to run twice at once: it locks the row
with SKIP LOCKED (a second task for a row being delivered does nothing) and acts only on
a row that is `afventer` and due. Before posting it checks again that the system may see
the object (a consent revoked since the change makes the row `tilbageholdt`; nothing is
sent) and that the subscription is still active.

The POST carries the envelope as JSON with `X-Mox-Tidspunkt` (unix seconds) and
`X-Mox-Signatur: sha256=<hex HMAC-SHA256 of "<tidspunkt>.<body>" with the system's
secret>`, exactly as the system signs its own messages (mox.auth.signatur), plus
`X-Mox-BeskedID`. Any 2xx is success; anything else (another status, a redirect, a
timeout, a refused connection) counts as a failed attempt: the row gets `naeste_forsoeg`
= now + MOX_NOTIFIKATION_BACKOFF × 2^(attempt-1), at most MOX_NOTIFIKATION_BACKOFF_MAKS,
and after MOX_NOTIFIKATION_MAKS_FORSOEG attempts it becomes `fejlet` with the last error
(the admin can replay it). Retries are started by the sweep (`forfaldne`).

Order. Delivery is at least once. For one system and one object, a row is never sent
while an older row for the same system and object is still `afventer`: notifications
about an object arrive in the order of its registrations, unless one of them gave up
(`fejlet`) or was withheld, which lets the next go. Across objects there is no order (a
failing object does not hold the others back). Each envelope carries the object's
registration number and time, so a receiver can also ignore anything older than what it
has.

A delivered notification is a disclosure of citizen data: it is written to the citizen's
access log (handling "integration", on the basis the system's unit sees it) in the same
transaction that marks the row delivered. CPR numbers never reach a log or `sidste_fejl`:
errors are described by status code and exception type, masked all the same.
"""

from __future__ import annotations

import datetime
import json
import logging
import urllib.error
import urllib.request
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

from datadeling.core import clock
from datadeling.core.logging import mask_cpr
from mox import indstillinger
from mox.auth import signatur
from mox.models import Notifikation, NotifikationStatus, valider_webhook_url
from mox.udgaaende.services import DIALOG, lever_efter_commit
from mox.udgaaende.synlighed import MODELLER
from organisation.selectors import Aktoer
from samtykke import adgangslog, policy
from samtykke.models import Grundlag, Handling
from samtykke.policy import dialog as dialogregel

logger = logging.getLogger(__name__)

SWEEP_STYKKER = 500


def backoff(forsoeg: int) -> datetime.timedelta:
    """Return the wait after failed attempt number `forsoeg` (1, 2, …): exponential, capped."""
    basis = indstillinger.notifikation_backoff()
    return min(basis * (2 ** max(forsoeg - 1, 0)), indstillinger.notifikation_backoff_maks())


class _IngenOmdirigering(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: the body must go to the registered URL and nowhere else."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_IngenOmdirigering)


def krop(n: Notifikation) -> bytes:
    """Return the body of a notification: its envelope as compact UTF-8 JSON."""
    return json.dumps(n.konvolut, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post(url: str, body: bytes, *, secret: str, besked_id: str) -> str | None:
    """POST a signed body; return None on 2xx, else a short error text without CPR."""
    try:
        valider_webhook_url(url)
    except ValidationError:
        return "Webhook-URL'en er ikke tilladt (https kræves)."
    if not url.lower().startswith(("https://", "http://")):
        return "Webhook-URL'en er ikke tilladt (https kræves)."
    tidspunkt = str(int(clock.now().timestamp()))
    req = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Datadeling-MOX/1",
            "X-Mox-Tidspunkt": tidspunkt,
            "X-Mox-Signatur": signatur(secret, tidspunkt, body),
            "X-Mox-BeskedID": besked_id,
        },
    )
    try:
        with _opener.open(req, timeout=indstillinger.notifikation_timeout()) as svar:
            svar.read(65536)  # drain a little; the answer's content is not used
            status = svar.status
    except urllib.error.HTTPError as e:
        return mask_cpr(f"HTTP {e.code} {e.reason}")[:200]
    except urllib.error.URLError as e:
        grund = e.reason
        return mask_cpr(f"Forbindelsesfejl: {type(grund).__name__}: {grund}")[:200]
    except TimeoutError:
        return f"Intet svar inden for {indstillinger.notifikation_timeout():g} sekunder."
    except (OSError, ValueError) as e:
        return mask_cpr(f"Forbindelsesfejl: {type(e).__name__}: {e}")[:200]
    if 200 <= status < 300:
        return None
    return f"HTTP {status}"


def grundlag(n: Notifikation, now) -> tuple[str, uuid.UUID | None] | None:
    """Return the basis on which the row's system may see its object now, or None."""
    if n.objekttype == DIALOG:
        # a conversation: the system's unit must still see the citizen's dialogue
        if n.system.enhed_id is None:
            return None
        return dialogregel.enheders_dialog_grundlag(n.borger_id, [n.system.enhed], now).get(
            n.system.enhed_id
        )
    model = MODELLER[n.objekttype]
    objekt = model.objects.filter(pk=n.objekt_id).first()
    if objekt is None:
        return None
    system = n.system
    if objekt.kildesystem and objekt.kildesystem == system.navn:
        return (Grundlag.EGEN_ENHED, None)
    if system.enhed_id is None:
        return None
    return policy.enheders_grundlag(objekt, [system.enhed], now).get(system.enhed_id)


def _log_levering(n: Notifikation, basis: tuple[str, uuid.UUID | None]) -> None:
    system = n.system
    funktioner = policy.enhed_aktoer(system.enhed).funktioner if system.enhed_id else []
    adgangslog.adgangslog_write(
        aktoer=Aktoer(navn=f"Fagsystem: {system.navn}", funktioner=funktioner),
        user=None,
        borger=n.borger,
        hvad=f"Notifikation om ændret {n.objekttype} leveret til fagsystemet {system.navn}",
        grundlag=basis[0],
        grundlag_id=basis[1],
        objekter=[(n.objekttype, n.objekt_id)],
        handling=Handling.INTEGRATION,
        formaal="Abonnement på ændringer (MOX-notifikation)",
        enhed=system.enhed,
    )


def _naeste(n: Notifikation) -> int | None:
    """Return the next open row for the same system and object (it waited for this one)."""
    return (
        Notifikation.objects.filter(
            system_id=n.system_id,
            objekt_id=n.objekt_id,
            status=NotifikationStatus.AFVENTER,
            pk__gt=n.pk,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def _afslut(n: Notifikation, status: str, fejl: str = "") -> None:
    n.status = status
    n.sidste_fejl = fejl
    n.save(update_fields=["status", "sidste_fejl", "forsoeg", "leveret", "naeste_forsoeg"])
    naeste = _naeste(n)
    if naeste is not None:
        lever_efter_commit([naeste])


def lever(notifikation_id: int) -> str | None:
    """Try to deliver one outbox row now; return its status afterwards (None: not ours now).

    Nothing happens to a row that is finished, not due, being delivered by another worker,
    or waiting behind an older open row for the same system and object.
    """
    with transaction.atomic():
        n = (
            Notifikation.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("system__enhed__myndighed", "abonnement", "borger")
            .filter(pk=notifikation_id)
            .first()
        )
        if n is None:
            return None
        now = clock.now()
        if n.status != NotifikationStatus.AFVENTER or n.naeste_forsoeg > now:
            return n.status
        if Notifikation.objects.filter(
            system_id=n.system_id,
            objekt_id=n.objekt_id,
            status=NotifikationStatus.AFVENTER,
            pk__lt=n.pk,
        ).exists():
            return n.status  # the older one's end enqueues this one (or the sweep does)
        if not n.abonnement.aktiv:
            _afslut(n, NotifikationStatus.TILBAGEHOLDT, "Abonnementet er stoppet.")
            return n.status
        basis = grundlag(n, now)
        if basis is None:
            _afslut(
                n,
                NotifikationStatus.TILBAGEHOLDT,
                "Systemets enhed har ikke (længere) adgang til oplysningen.",
            )
            return n.status
        n.forsoeg += 1
        fejl: str | None
        if not n.system.aktiv or not n.system.webhook_url:
            fejl = "Systemet er inaktivt eller har ingen webhook-URL."
        else:
            fejl = post(
                n.system.webhook_url, krop(n), secret=n.system.secret, besked_id=str(n.besked_id)
            )
        if fejl is None:
            n.leveret = clock.now()
            _log_levering(n, basis)
            _afslut(n, NotifikationStatus.LEVERET)
            return n.status
        logger.warning(
            "MOX: notifikation %s til system %s fejlede (forsøg %d): %s",
            n.besked_id, n.system.uuid, n.forsoeg, fejl,
        )  # fmt: skip
        if n.forsoeg >= indstillinger.notifikation_maks_forsoeg():
            _afslut(n, NotifikationStatus.FEJLET, fejl)
            return n.status
        n.naeste_forsoeg = now + backoff(n.forsoeg)
        n.sidste_fejl = fejl
        n.save(update_fields=["forsoeg", "naeste_forsoeg", "sidste_fejl"])
        return n.status


def forfaldne(*, stykker: int = SWEEP_STYKKER) -> list[int]:
    """Return the ids of open rows that are due, oldest first, skipping rows being delivered.

    The sweep's source: first attempts whose task was lost (broker down, worker killed)
    and retries whose wait is over.
    """
    with transaction.atomic():
        return list(
            Notifikation.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(status=NotifikationStatus.AFVENTER, naeste_forsoeg__lte=clock.now())
            .order_by("pk")
            .values_list("pk", flat=True)[:stykker]
        )
