"""Reads of notifications and following, already filtered by the access policy
(samtykke.policy.notifikationer_synlige_q) when they are shown: a notification about
something the person may no longer see is not listed, not counted and not opened.

The list is one query whatever the number of citizens followed (a page of rows with the
citizen joined, one row more than the page to know whether another page follows).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse

from datadeling.core import clock
from dialog.services import samtalekilde
from organisation.selectors import Aktoer
from overblik.models import Foelg, Notifikation, NotifikationIndstillinger
from samtykke import policy
from samtykke.models import HaendelseArt

PR_SIDE = 25


def synlige_q(aktoer: Aktoer, now: datetime.datetime) -> Q:
    """Return the policy's filter for the notifications the person's inbox may show now,
    with the dialogue's tables for the notifications of new messages."""
    return policy.notifikationer_synlige_q(aktoer, now, samtaler=samtalekilde())


def notifikationer_synlige(
    aktoer: Aktoer, bruger_id: int, now: datetime.datetime | None = None
) -> QuerySet[Notifikation]:
    """Return the person's notifications their inbox may show now."""
    return Notifikation.objects.filter(modtager_id=bruger_id).filter(
        synlige_q(aktoer, now or clock.now())
    )


def ulaeste_antal(aktoer: Aktoer, bruger_id: int) -> int:
    """Return how many unread notifications the person's inbox shows (one query)."""
    return notifikationer_synlige(aktoer, bruger_id).filter(laest__isnull=True).count()


@dataclass(frozen=True)
class Side:
    raekker: list[Notifikation]
    side: int
    flere: bool


def notifikationer_side(
    aktoer: Aktoer,
    bruger_id: int,
    *,
    borger_id: uuid.UUID | None = None,
    art: str | None = None,
    ulaeste: bool = False,
    side: int = 1,
) -> Side:
    """Return one page of the person's visible notifications, newest first, filtered by
    citizen, kind and unread; each row carries its citizen and `link` (one query)."""
    qs = notifikationer_synlige(aktoer, bruger_id).select_related("borger")
    if borger_id is not None:
        qs = qs.filter(borger_id=borger_id)
    if art:
        qs = qs.filter(art=art)
    if ulaeste:
        qs = qs.filter(laest__isnull=True)
    side = max(side, 1)
    start = (side - 1) * PR_SIDE
    raekker = list(qs.order_by("-id")[start : start + PR_SIDE + 1])
    for n in raekker:
        n.link = link(n, aktoer)  # type: ignore[attr-defined]  # for the template
    return Side(raekker[:PR_SIDE], side, len(raekker) > PR_SIDE)


def notifikation_synlig(aktoer: Aktoer, bruger_id: int, pk: int) -> Notifikation | None:
    """Return one of the person's visible notifications, or None."""
    return notifikationer_synlige(aktoer, bruger_id).select_related("borger").filter(pk=pk).first()


def link(n: Notifikation, aktoer: Aktoer) -> str:
    """Return the page where the change a notification tells of is shown to this person."""
    if n.art == HaendelseArt.DIALOG_BESKED and n.objekt_id is not None:
        if aktoer.er_borger:
            return reverse("overblik:min_samtale", args=[n.objekt_id])
        if n.borger_id is not None:
            return reverse("overblik:samtale", args=[n.borger_id, n.objekt_id])
    if n.art == HaendelseArt.BERIGTIGELSE and n.objekt_id is not None:
        navn = "overblik:min_berigtigelse" if aktoer.er_borger else "overblik:berigtigelse"
        return reverse(navn, args=[n.objekt_id])
    if aktoer.er_borger:
        if n.art in (HaendelseArt.ANMODNING_NY, HaendelseArt.SAMTYKKE_UDLOEBER):
            return reverse("overblik:mine_samtykker")
        if n.art == HaendelseArt.HJEMMEL_REGISTRERET:
            return reverse("overblik:hvem_har_set")
        if n.art in policy.DATA_ARTER:
            return reverse("overblik:mine_data")
        return reverse("forside")
    if n.art == HaendelseArt.TILSTAND:
        return reverse("overblik:tilstand", args=[n.objekt_id])
    if n.art == HaendelseArt.INDSATS:
        return reverse("overblik:indsats", args=[n.objekt_id])
    if n.art == HaendelseArt.HJEMMEL_REGISTRERET:
        return reverse("overblik:hjemmel_gennemgang")
    if n.borger_id is not None:
        return reverse("overblik:borger", args=[n.borger_id])
    return reverse("forside")


def borgere_i_indbakke(aktoer: Aktoer, bruger_id: int) -> list[tuple[uuid.UUID, str]]:
    """Return the citizens the person's visible notifications are about, for the filter."""
    raekker = (
        notifikationer_synlige(aktoer, bruger_id)
        .exclude(borger__isnull=True)
        .order_by("borger__efternavn", "borger__fornavn", "borger_id")
        .distinct("borger__efternavn", "borger__fornavn", "borger_id")
        .values_list("borger_id", "borger__fornavn", "borger__efternavn")
    )
    return [(b, f"{f} {e}") for b, f, e in raekker]


def indstillinger(bruger_id: int) -> NotifikationIndstillinger:
    """Return the person's settings (the defaults, unsaved, if they have none)."""
    return NotifikationIndstillinger.objects.filter(bruger_id=bruger_id).first() or (
        NotifikationIndstillinger(bruger_id=bruger_id)
    )


def foelger(bruger_id: int, borger_id: uuid.UUID) -> Foelg | None:
    """Return the person's following of the citizen, or None."""
    return Foelg.objects.filter(bruger_id=bruger_id, borger_id=borger_id).first()


def foelgede_borger_ids(bruger_id: int) -> QuerySet:
    """Return the ids of the citizens the person follows (a subquery, for the worklist and
    the citizen list's filter)."""
    return Foelg.objects.filter(bruger_id=bruger_id).values("borger_id")
