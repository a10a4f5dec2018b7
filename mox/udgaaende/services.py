"""Every write of outbound MOX: subscriptions, the outbox rows, and replay.

`notifikationer_write` is called by the after-change hook (receivers) inside the transaction
that changed the object. Its cost is what the MOX processing path pays per applied
message, so it is kept small:
- no active subscription for the object type: no query at all inside a MOX chunk (the
  set of subscribed types is kept per unit of work by datadeling.core.memo), one small
  indexed query elsewhere (a UI change);
- otherwise: the subscriptions come from the same per-chunk cache, then at most one query
  for subscriptions limited to some citizens, one visibility query for all candidate
  units (samtykke.policy.enheders_grundlag: the units rule for tilstand and indsats, the
  case rule for sag) and one bulk insert.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef

from datadeling.core import clock, memo
from mox.models import (
    ABONNERBARE,
    Abonnement,
    KunUdgaaende,
    Notifikation,
    NotifikationStatus,
    System,
)
from mox.signals import notifikationer_klar
from mox.udgaaende import konvolut
from mox.udgaaende.synlighed import OBJEKTTYPER
from samtykke import policy
from samtykke.policy import dialog as dialogregel

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from datadeling.core.models import RegistreringBase
    from dialog.models import Besked
    from indsats.models import Indsats
    from sagsindeks.models import Sag
    from tilstand.models import Tilstand

logger = logging.getLogger(__name__)

_GennemBorger = Abonnement.borgere.through
DIALOG = KunUdgaaende.DIALOG.value


def abonnement_create(
    *,
    system: System,
    objekttype: str,
    borgere: Iterable = (),
    udelad_egne: bool = True,
    actor: User | None = None,
) -> Abonnement:
    """Subscribe a system to changes of one object type (optionally of some citizens only).

    The system needs a webhook URL. An existing active subscription for the same type is
    replaced (stopped), so a system never gets two notifications about one change.
    """
    if objekttype not in [o.value for o in ABONNERBARE]:
        raise ValidationError(
            {"objekttype": "Der kan kun abonneres på tilstand, indsats, sag og dialog."},
            code="objekttype",
        )
    if not system.webhook_url:
        raise ValidationError(
            {"system": "Systemet har ingen webhook-URL; angiv den først."}, code="webhook"
        )
    with transaction.atomic():
        System.objects.select_for_update(of=("self",)).filter(pk=system.pk).first()
        Abonnement.objects.filter(system=system, objekttype=objekttype, aktiv=True).update(
            aktiv=False
        )
        abonnement = Abonnement(
            system=system, objekttype=objekttype, udelad_egne=udelad_egne, oprettet_af=actor
        )
        abonnement.full_clean()
        abonnement.save()
        borgere = list(borgere)
        if borgere:
            abonnement.borgere.set(borgere)
    logger.info(
        "MOX: abonnement %s på %s for system %s (af %s)",
        abonnement.uuid, objekttype, system.uuid, getattr(actor, "pk", None),
    )  # fmt: skip
    return abonnement


def abonnement_stop(*, abonnement: Abonnement, actor: User | None = None) -> Abonnement:
    """Stop a subscription. Rows already written for it and not yet delivered are withheld
    (delivery checks that the subscription is active) and can be replayed from the admin."""
    Abonnement.objects.filter(pk=abonnement.pk).update(aktiv=False)
    abonnement.aktiv = False
    logger.info("MOX: abonnement %s stoppet (af %s)", abonnement.uuid, getattr(actor, "pk", None))
    return abonnement


def _aktive_abonnementer(objekttype: str) -> tuple[Abonnement, ...]:
    """Return the active subscriptions of active systems with a webhook, for a type.

    Kept per unit of work (memo): a MOX chunk asks once. The tuple is kept even when
    empty (memo keeps every value but None and []), so "nobody subscribes" costs nothing.
    """

    def hent() -> tuple[Abonnement, ...]:
        return tuple(
            Abonnement.objects.filter(aktiv=True, objekttype=objekttype, system__aktiv=True)
            .exclude(system__webhook_url="")
            .annotate(begraenset=Exists(_GennemBorger.objects.filter(abonnement_id=OuterRef("pk"))))
            .select_related("system__enhed__myndighed")
            .order_by("system_id")
        )

    return memo.hent("mox_abonnementer", objekttype, hent)


def notifikationer_write(
    *, objekt: Tilstand | Indsats | Sag, registrering: RegistreringBase, livscykluskode: str
) -> list[Notifikation]:
    """Write the outbox rows for one change, in the caller's transaction; return them.

    One row per active subscription whose system may see the object now: the object was
    delivered by the system itself (its kildesystem), or the system's unit may see it by
    the access policy's rule for units (samtykke.policy.enheders_grundlag). A subscription
    limited to some citizens counts only for them; one with `udelad_egne` skips the changes
    its own system sent. After the commit each row is handed to a delivery task.
    """
    objekttype = OBJEKTTYPER[type(objekt)]
    abonnementer = _aktive_abonnementer(objekttype)
    if not abonnementer:
        return []
    fra_system = registrering.aktoer_tekst if registrering.aktoer_id is None else ""
    kandidater = [
        a
        for a in abonnementer
        if not (a.udelad_egne and fra_system and a.system.navn == fra_system)
    ]
    begraensede = [a.pk for a in kandidater if getattr(a, "begraenset", False)]
    if begraensede:
        kender = set(
            _GennemBorger.objects.filter(
                abonnement_id__in=begraensede, borger_id=objekt.borger_id
            ).values_list("abonnement_id", flat=True)
        )
        kandidater = [a for a in kandidater if a.pk not in begraensede or a.pk in kender]
    if not kandidater:
        return []
    enheder = {a.system.enhed_id: a.system.enhed for a in kandidater if a.system.enhed_id}
    # Each system here has an enhed_id, so its enhed is not None.
    grundlag = policy.enheders_grundlag(objekt, enheder.values()) if enheder else {}  # type: ignore[arg-type]
    modtagere = [
        a
        for a in kandidater
        if (objekt.kildesystem and objekt.kildesystem == a.system.navn)
        or a.system.enhed_id in grundlag
    ]
    if not modtagere:
        return []
    now = clock.now()
    raekker = []
    for a in modtagere:
        k = konvolut.byg(
            objekttype=objekttype,
            objekt=objekt,
            registrering=registrering,
            livscykluskode=livscykluskode,
        )
        raekker.append(
            Notifikation(
                besked_id=k["beskedID"],
                system=a.system,
                abonnement=a,
                objekttype=objekttype,
                operation=k["operation"],
                objekt_id=objekt.pk,
                borger_id=objekt.borger_id,
                registrering_nummer=registrering.nummer,
                konvolut=k,
                oprettet=now,
                naeste_forsoeg=now,
            )
        )
    raekker = Notifikation.objects.bulk_create(raekker)
    lever_efter_commit([r.pk for r in raekker])
    return raekker


def dialog_notifikationer_write(*, besked: Besked, livscykluskode: str) -> list[Notifikation]:
    """Write the outbox rows for a message written, edited or withdrawn, in the caller's
    transaction: one per active `dialog` subscription whose system's unit may see the
    citizen's dialogue as a unit (samtykke.policy.dialog). The envelope holds metadata only
    (konvolut.byg_dialog), never the text. Nothing is sent without such a subscription."""
    abonnementer = _aktive_abonnementer(DIALOG)
    if not abonnementer:
        return []
    borger_id = besked.samtale.borger_id
    kandidater = [a for a in abonnementer if a.system.enhed_id]
    begraensede = [a.pk for a in kandidater if getattr(a, "begraenset", False)]
    if begraensede:
        kender = set(
            _GennemBorger.objects.filter(
                abonnement_id__in=begraensede, borger_id=borger_id
            ).values_list("abonnement_id", flat=True)
        )
        kandidater = [a for a in kandidater if a.pk not in begraensede or a.pk in kender]
    if not kandidater:
        return []
    now = clock.now()
    enheder = {a.system.enhed_id: a.system.enhed for a in kandidater}
    grundlag = dialogregel.enheders_dialog_grundlag(borger_id, enheder.values(), now)  # type: ignore[arg-type]
    raekker = []
    for a in kandidater:
        if a.system.enhed_id not in grundlag:
            continue
        k = konvolut.byg_dialog(besked=besked, livscykluskode=livscykluskode)
        raekker.append(
            Notifikation(
                besked_id=k["beskedID"], system=a.system, abonnement=a, objekttype=DIALOG,
                operation=k["operation"], objekt_id=besked.samtale_id, borger_id=borger_id,
                registrering_nummer=besked.nummer, konvolut=k, oprettet=now, naeste_forsoeg=now,
            )
        )  # fmt: skip
    raekker = Notifikation.objects.bulk_create(raekker)
    lever_efter_commit([r.pk for r in raekker])
    return raekker


def lever_efter_commit(ids: list[int]) -> None:
    """Hand the rows to delivery tasks after the commit (never before; a broker that is
    down is logged and the sweep delivers the rows later)."""
    if not ids:
        return

    # the receiver of `notifikationer_klar` (mox.udgaaende.receivers) enqueues the tasks
    transaction.on_commit(
        functools.partial(notifikationer_klar.send, sender=None, notifikation_ids=ids),
        robust=True,
    )


def notifikation_redeliver(*, notifikation_ids: Iterable[int], actor: User | None = None) -> int:
    """Give failed or withheld notifications a new round of attempts; return how many.

    Access is checked again before the first new attempt, as always.
    """
    with transaction.atomic():
        ids = list(
            Notifikation.objects.select_for_update(of=("self",))
            .filter(
                pk__in=list(notifikation_ids),
                status__in=[NotifikationStatus.FEJLET, NotifikationStatus.TILBAGEHOLDT],
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Notifikation.objects.filter(pk__in=ids).update(
            status=NotifikationStatus.AFVENTER,
            forsoeg=0,
            naeste_forsoeg=clock.now(),
            sidste_fejl="",
        )
        lever_efter_commit(ids)
    if ids:
        logger.info(
            "MOX: %d notifikationer sat til levering igen (af %s)",
            len(ids), getattr(actor, "pk", None),
        )  # fmt: skip
    return len(ids)
