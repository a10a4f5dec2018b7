"""Reads of the case index (sagsindeks): which of a citizen's cases elsewhere a person sees.

Who sees a case is the policy's case rule (samtykke.policy.sag, stated there); the reads
here ask it for the filter and the basis, and own the ordering and prefetching.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Case, Q, QuerySet, When
from django.utils import timezone

from datadeling.core import clock
from organisation.selectors import Aktoer
from sagsindeks.models import Sag, SagFremdrift
from samtykke import policy
from samtykke.models import Grundlag

KATEGORI = "sagsindeks"


def sager_synlige(
    aktoer: Aktoer, borger_id: uuid.UUID | None = None, now: datetime.datetime | None = None
) -> QuerySet[Sag]:
    """Return the active cases the person may see (of one citizen, if `borger_id`)."""
    return policy.sager_synlige(aktoer, borger_id, now)


def sager_til_visning(
    aktoer: Aktoer,
    borger_id: uuid.UUID,
    now: datetime.datetime | None = None,
    synlige_ids: list[uuid.UUID] | None = None,
) -> list[Sag]:
    """Return the citizen's cases the person may see, for a page (one query).

    Open cases first, then closed ones; newest first within each. Each carries `grundlag`
    and `grundlag_id`: the basis the person sees it on (own unit, consent, legal basis),
    for the access log. `synlige_ids`: the ids of the citizen's cases the person may see,
    when the page read them earlier in the request (policy.synlige_ids); the rule is then
    not built a second time, and those still active are shown.
    """
    now = now or clock.now()
    idag = timezone.localtime(now).date()
    if synlige_ids is None:
        qs = sager_synlige(aktoer, borger_id, now)
    else:
        qs = Sag.objects.filter(
            policy.er_en_af_ids("pk", synlige_ids), borger_id=borger_id, aktiv=True
        )
    qs = qs.select_related("ansvarlig_enhed__myndighed", "myndighed", "primaerbehandler")
    lukket = Q(fremdrift=SagFremdrift.AFSLUTTET) | Q(slutdato__lt=idag)
    # CASE, not the bare condition: a NULL slutdato would make it NULL, which sorts last
    qs = qs.annotate(_lukket=Case(When(lukket, then=True), default=False))
    qs = qs.annotate(**policy.sag_grundlag_annotationer(aktoer, now))
    sager: list[Sag] = list(qs.order_by("_lukket", "-startdato", "-opdateret", "pk"))
    for s in sager:
        # Not fields: the basis of this read, for the page and the access log.
        s.grundlag, s.grundlag_id = policy.sag_grundlag(aktoer, s)  # type: ignore[attr-defined]
    return sager


@dataclass(frozen=True)
class Logpost:
    """What one read of the case list writes in the citizen's access log."""

    grundlag: str
    grundlag_id: uuid.UUID | None
    objekter: list[tuple]


STYRKE = [Grundlag.HJEMMEL, Grundlag.SAMTYKKE, Grundlag.EGEN_ENHED, Grundlag.BORGER]


def logpost(sager: Sequence[Sag]) -> Logpost:
    """Return the access-log entry for showing `sager` (from sager_til_visning).

    Each case is listed with the basis it was seen on; the entry's own basis is the
    strongest among them (a legal basis, then a consent, then the own unit), as in
    samtykke.adgangslog.adgangslog_visning.
    """
    objekter = [("sag", s.pk, s.grundlag, s.grundlag_id) for s in sager]  # type: ignore[attr-defined]
    for art in STYRKE:
        hit = next((o for o in objekter if o[2] == art), None)
        if hit is not None:
            return Logpost(art, hit[3], objekter)
    return Logpost(Grundlag.EGEN_ENHED, None, objekter)


def sager_for_borgeren(aktoer: Aktoer, now: datetime.datetime | None = None) -> list[Sag]:
    """Return the citizen's own active cases for Mine data, open first (one query).

    Only for a citizen (or a relative reading as them, `aktoer.borger` being the citizen):
    for anybody else the list would answer for another person's cases, so this refuses with
    PermissionError. Each case carries `_lukket` and the basis `grundlag` (the citizen).
    """
    borger = aktoer.borger
    if not aktoer.er_borger or borger is None:
        raise PermissionError("Borgerens egne sager er kun for borgeren selv.")
    return sager_til_visning(aktoer, borger.pk, now)
