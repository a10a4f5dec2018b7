"""The notifications rule: which notifications a person's inbox shows now.

A notification is delivered only to people the change concerned and who could see it
then (`modtagere`); this rule is asked again whenever the inbox is shown, on rows with the
fields `art`, `borger_id` and `objekt_id`, so losing access hides them at once:

- about data (a Tilstand, an Indsats, a Sag): the person may see the object now (the
  staff rule, the case rule; a citizen their own);
- a consent revoked, narrowed or expiring: the consent version is addressed to them now
  (their unit, authority or them by name);
- a request answered: they made the request;
- a legal-basis access: they lead its unit today (staff); the citizen's own (citizen);
- a new request: the citizen's own;
- a new message in a conversation (DIALOG_BESKED): the person reads the conversation now
  (the dialogue rule, `dialog.samtale_laeselig_q`), whoever they are. Opening the
  citizen's page is not enough: a member of staff who left the conversation, or whose
  consent to the dialogue was revoked, is not told of it, and a relative sees it only
  while a relation whose scope includes the dialogue lets them read the conversation;
- anything else (corrections): the person may open the citizen's page (staff), or it is
  their own (citizen).
A citizen's other notifications are shown to them and to whoever may act for them today.

The conversations live in the dialog app, a floor above this package: the caller names
its tables (`dialog.Samtalekilde`), and the rule is applied here.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q

from organisation.models import Relation
from organisation.selectors import Aktoer
from samtykke.models import Anmodning, HaendelseArt, Hjemmel, Samtykke
from samtykke.policy.borger import handle_for_q
from samtykke.policy.byggesten import modtager_q
from samtykke.policy.dialog import Samtalekilde, samtale_laeselig_q
from samtykke.policy.personale import (
    borgere_aabne,
    indsatser_synlige,
    leder_enhed_ids,
    tilstande_synlige,
)
from samtykke.policy.sag import sager_synlige

SAMTYKKE_ARTER = (
    HaendelseArt.SAMTYKKE_TILBAGEKALDT,
    HaendelseArt.SAMTYKKE_INDSKRAENKET,
    HaendelseArt.SAMTYKKE_UDLOEBER,
)
DATA_ARTER = (HaendelseArt.TILSTAND, HaendelseArt.INDSATS, HaendelseArt.SAG)
"""The kinds of event about a citizen's data."""


def notifikationer_synlige_q(
    aktoer: Aktoer, now: datetime.datetime, *, samtaler: Samtalekilde
) -> Q:
    """Return the filter for the notifications the person's inbox may show now;
    `samtaler` names the dialogue's tables (dialog.services.samtalekilde())."""
    dialog = Q(art=HaendelseArt.DIALOG_BESKED) & samtale_laeselig_q(aktoer, now, samtaler)
    if aktoer.er_borger:
        assert aktoer.borger is not None  # er_borger says so
        handler_for = Relation.objects.filter(handle_for_q(now), person=aktoer.borger)
        egne = Q(borger_id=aktoer.borger.pk) | Q(borger_id__in=handler_for.values("borger_id"))
        return (egne & ~Q(art=HaendelseArt.DIALOG_BESKED)) | dialog
    if not (aktoer.er_medarbejder and aktoer.enhed_ids):
        return Q(pk__in=[])
    assert aktoer.medarbejder is not None  # er_medarbejder says so
    objekt = OuterRef("objekt_id")
    tilstande = tilstande_synlige(aktoer, now=now).filter(pk=objekt)
    indsatser = indsatser_synlige(aktoer, now=now).filter(pk=objekt)
    q: Q = Q(art=HaendelseArt.TILSTAND) & Q(Exists(tilstande))
    q |= Q(art=HaendelseArt.INDSATS) & Q(Exists(indsatser))
    q |= Q(art=HaendelseArt.SAG) & Q(Exists(sager_synlige(aktoer, now=now).filter(pk=objekt)))
    q |= Q(art__in=SAMTYKKE_ARTER) & Q(
        Exists(Samtykke.objects.filter(modtager_q(aktoer), pk=objekt))
    )
    q |= Q(art=HaendelseArt.ANMODNING_BESVARET) & Q(
        Exists(Anmodning.objects.filter(anmoder_id=aktoer.medarbejder.pk, pk=objekt))
    )
    q |= Q(art=HaendelseArt.HJEMMEL_REGISTRERET) & Q(
        Exists(Hjemmel.objects.filter(enhed_id__in=leder_enhed_ids(aktoer), pk=objekt))
    )
    q |= dialog
    kendte = [*DATA_ARTER, *SAMTYKKE_ARTER, HaendelseArt.ANMODNING_BESVARET,
              HaendelseArt.HJEMMEL_REGISTRERET, HaendelseArt.ANMODNING_NY,
              HaendelseArt.DIALOG_BESKED]  # fmt: skip
    aabne = borgere_aabne(aktoer, now).filter(pk=OuterRef("borger_id"))
    q |= ~Q(art__in=kendte) & Q(Exists(aabne))
    return q
