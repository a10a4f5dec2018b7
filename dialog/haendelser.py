"""The dialogue's events in the outbox (samtykke.haendelser): a new message in a
conversation is one event, written in the transaction that wrote it, and fanned out to the
people who read the conversation (overblik.notifikation). Edits and withdrawals are not
announced; the conversation shows them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from datadeling.core.bitemporal import Livscykluskode
from samtykke.haendelser import haendelse_write
from samtykke.models import HaendelseArt


def skriv_ved_besked(sender: type, aendringer: Sequence[Any], **kwargs: Any) -> None:
    """Write the event of each new message (hook of stage NOTIFIKATION for dialog.Besked):
    the conversation, its citizen and the writer; never the text."""
    for a in aendringer:
        if a.livscykluskode != Livscykluskode.OPSTAAET:
            continue
        besked = a.objekt
        haendelse_write(
            art=HaendelseArt.DIALOG_BESKED,
            borger_id=besked.samtale.borger_id,
            objekt_id=besked.samtale_id,
            enhed_id=besked.enhed_id,
            aktoer_id=besked.bruger_id,
            livscykluskode=a.livscykluskode,
        )
