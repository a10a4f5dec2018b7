"""The transactional outbox of events (Haendelse): one row per change, written in the
transaction that made the change, read after the commit by whoever must hear of it.

Writers:
- `skriv_ved_aendring`, the after-change hook of stage NOTIFIKATION (datadeling.core.hooks,
  registered in samtykke.apps) for Tilstand, Indsats and Sag: one bulk INSERT per call,
  which is one per MOX chunk and model, whatever the number of changes;
- the consent services (samtykke.services): a request made or answered, a consent revoked
  or narrowed, a legal-basis access registered;
- `udloebende_write`: consents that expire within SAMTYKKE_UDLOEBER_DAGE (a periodic task);
- the extension points `haendelse_write(art=HaendelseArt.DIALOG_BESKED, ...)` and
  `...BERIGTIGELSE` for the dialogue and corrections.

After the commit `haendelser_klar` is sent with the new ids; overblik's receiver hands
them to the fan-out task, and its periodic sweep picks up any row whose signal was lost
(`udfoldet` still empty). The row holds identifiers only, never citizen content.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from datadeling.core import clock
from indsats.models import Indsats
from sagsindeks.models import Sag
from samtykke.models import Beslutning, Haendelse, HaendelseArt, Samtykke, i_kraft_q
from tilstand.models import Tilstand

haendelser_klar = Signal()
"""Sent after the commit that wrote events: `haendelse_ids` (list of int)."""

ARTER = {Tilstand: HaendelseArt.TILSTAND, Indsats: HaendelseArt.INDSATS, Sag: HaendelseArt.SAG}
SENDERE = tuple(ARTER)


def _klar_efter_commit(ids: list[int]) -> None:
    if ids:
        transaction.on_commit(
            functools.partial(haendelser_klar.send, sender=Haendelse, haendelse_ids=ids),
            robust=True,
        )


def haendelser_write(*, haendelser: Sequence[Haendelse]) -> list[Haendelse]:
    """Insert events in the caller's transaction (one statement); announce them after it."""
    if not haendelser:
        return []
    raekker = Haendelse.objects.bulk_create(list(haendelser))
    _klar_efter_commit([r.pk for r in raekker])
    return raekker


def haendelse_write(
    *,
    art: str,
    borger_id: uuid.UUID | None,
    objekt_id: uuid.UUID | None = None,
    enhed_id: uuid.UUID | None = None,
    aktoer_id: int | None = None,
    livscykluskode: str = "",
) -> Haendelse:
    """Write one event in the caller's transaction (see the module docstring). The extension
    point for other apps: the dialogue writes `DIALOG_BESKED` (objekt_id: the conversation,
    enhed_id: the unit that awaits an answer, if any), corrections `BERIGTIGELSE` (objekt_id:
    the request, enhed_id: the unit asked to correct)."""
    return haendelser_write(
        haendelser=[
            Haendelse(
                art=art, borger_id=borger_id, objekt_id=objekt_id, enhed_id=enhed_id,
                aktoer_id=aktoer_id, livscykluskode=livscykluskode, tidspunkt=clock.now(),
            )
        ]
    )[0]  # fmt: skip


def skriv_ved_aendring(sender: type, aendringer: Sequence[Any], **kwargs: Any) -> None:
    """Write one event per change of a Tilstand, an Indsats or a Sag (hook of stage
    NOTIFIKATION): built in Python from what the writer holds, one INSERT for all."""
    art = ARTER[sender]
    now = clock.now()
    haendelser_write(
        haendelser=[
            Haendelse(
                art=art,
                borger_id=a.objekt.borger_id,
                objekt_id=a.objekt.pk,
                enhed_id=a.objekt.ansvarlig_enhed_id,
                aktoer_id=a.registrering.aktoer_id,
                livscykluskode=a.livscykluskode,
                tidspunkt=now,
            )
            for a in aendringer
        ]
    )


def skriv_ved_berigtigelse(sender: type, aendringer: Sequence[Any], **kwargs: Any) -> None:
    """Write one event per step of a correction request (hook of stage NOTIFIKATION for
    samtykke.Berigtigelse): filed, corrected, declined, or the citizen's statement added
    (`livscykluskode`). `enhed_id` is the unit that owns the datum, asked to answer."""
    now = clock.now()
    haendelser_write(
        haendelser=[
            Haendelse(
                art=HaendelseArt.BERIGTIGELSE,
                borger_id=a.objekt.borger_id,
                objekt_id=a.objekt.pk,
                enhed_id=a.objekt.datum.ansvarlig_enhed_id,
                livscykluskode=a.livscykluskode,
                tidspunkt=now,
            )
            for a in aendringer
        ]
    )


def udloebende_write(*, now: datetime.datetime, dage: int) -> int:
    """Write an expiry event for each consent in force that ends within `dage` days and has
    none yet (the unique constraint makes a second run a no-op); return how many."""
    with transaction.atomic():
        samtykker = list(
            Samtykke.objects.filter(
                i_kraft_q(now),
                beslutning=Beslutning.TILLAD,
                gyldig_til__lte=now + datetime.timedelta(days=dage),
            )
            .exclude(pk__in=Haendelse.objects.filter(art=HaendelseArt.SAMTYKKE_UDLOEBER).values("objekt_id"))
            .values_list("pk", "borger_id", "modtager_enhed_id")
        )  # fmt: skip
        raekker = Haendelse.objects.bulk_create(
            [
                Haendelse(
                    art=HaendelseArt.SAMTYKKE_UDLOEBER, borger_id=b, objekt_id=pk, enhed_id=e,
                    tidspunkt=now,
                )
                for pk, b, e in samtykker
            ],
            ignore_conflicts=True,
        )  # fmt: skip
        # with ignore_conflicts PostgreSQL returns no ids; the sweep fans them out
        _klar_efter_commit([r.pk for r in raekker if r.pk is not None])
    return len(raekker)
