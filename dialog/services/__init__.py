"""Every write of the dialogue: start a conversation, add and end participants, write,
edit and withdraw messages (with attachments), and record how far a person has read.

Each service runs in one transaction, refuses in Danish (ValidationError) what the actor
may not do — asking the access policy (samtykke.policy.dialog) at the time of the write —
and records the write in the conversation's own history (SamtaleHaendelse). The
conversation row is locked (SELECT ... FOR UPDATE) before a message is numbered, so two
writers never get the same number; `seneste`/`seneste_nummer` change in that transaction.
Nothing is changed or deleted: an edit or a withdrawal is a new version of the message.
"""

from dialog.services.besked import (
    besked_edit,
    besked_withdraw,
    besked_write,
    laesning_write,
)
from dialog.services.faelles import TEKST_MAKS, laeselig_q, samtalekilde
from dialog.services.samtale import deltager_add, deltager_end, samtale_create

__all__ = [
    "TEKST_MAKS",
    "besked_edit",
    "besked_withdraw",
    "besked_write",
    "deltager_add",
    "deltager_end",
    "laeselig_q",
    "laesning_write",
    "samtale_create",
    "samtalekilde",
]
