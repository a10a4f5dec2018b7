"""Who hears of the dialogue's and the correction requests' events (registered with
`services.modtagere_registrer` when overblik is ready).

- A new message (DIALOG_BESKED): everyone who reads the conversation now, but the writer:
  named staff and the staff of the units taking part, and, in a conversation with the
  citizen, the citizen and those whose relation's scope includes the dialogue; each only
  when the dialogue rule lets them read it (asked per person: a conversation has few
  participants). The inbox asks the same rule again when it is shown.
- A correction request (BERIGTIGELSE): filed, or the citizen's statement added: the staff
  of the unit that owns the datum; corrected or declined: the citizen and those acting for
  them.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q

from dialog.models import Deltager, Samtale, SamtaleType
from dialog.services import laeselig_q
from organisation.models import Borger, Medarbejder
from organisation.selectors import aktoer_for
from overblik.notifikation.services import _ansatte, _borger_og_handlende, modtagere_registrer
from samtykke.models import BerigtigelseHaendelse, Haendelse, HaendelseArt
from samtykke.policy import dialog as dialogregel


def dialog_modtagere(h: Haendelse, now: datetime.datetime) -> list[int]:
    """Return the user ids of those who read the conversation of a new message."""
    samtale = Samtale.objects.filter(pk=h.objekt_id).first()
    if samtale is None:
        return []
    deltagere = list(Deltager.objects.gaeldende().filter(samtale=samtale))
    navngivne = [d.medarbejder_id for d in deltagere if d.medarbejder_id]
    enheder = [d.enhed_id for d in deltagere if d.enhed_id]
    kandidater = set(Medarbejder.objects.filter(pk__in=navngivne).values_list("user_id", flat=True))
    if enheder:
        kandidater |= set(_ansatte(Q(enhed_id__in=enheder), now))
    if samtale.type == SamtaleType.MED_BORGEREN:
        kandidater |= set(
            Borger.objects.filter(pk=samtale.borger_id).values_list("user_id", flat=True)
        )
        kandidater |= set(dialogregel.dialog_relation_brugere(samtale.borger_id, now))
    kandidater.discard(h.aktoer_id)
    kandidater.discard(None)
    User = get_user_model()
    return [
        u.pk
        for u in User.objects.filter(pk__in=kandidater).order_by("pk")
        if Samtale.objects.filter(laeselig_q(aktoer_for(u), now), pk=samtale.pk).exists()
    ]


def berigtigelse_modtagere(h: Haendelse, now: datetime.datetime) -> list[int]:
    """Return the user ids told of a step of a correction request."""
    if h.livscykluskode in (BerigtigelseHaendelse.INDSENDT, BerigtigelseHaendelse.BEMAERKNING):
        return _ansatte(Q(enhed_id=h.enhed_id), now) if h.enhed_id else []
    return _borger_og_handlende(h, now)


def registrer() -> None:
    modtagere_registrer(HaendelseArt.DIALOG_BESKED, dialog_modtagere)
    modtagere_registrer(HaendelseArt.BERIGTIGELSE, berigtigelse_modtagere)
