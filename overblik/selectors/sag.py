"""Reads of the case index (sagsindeks): which of a citizen's cases elsewhere a person sees.

A member of staff sees an active Sag when
- its responsible unit (ansvarlig enhed) is one of the units they work in today, or
- the citizen has given them a consent in force that includes the overview of cases
  (Samtykke.sagsindeks — "oversigten over mine sager" in the text the citizen accepted),
  addressed to one of their units, their authorities or themselves, open to their
  profession, whose sources (kilder) include the case's responsible unit — and the citizen
  has not blocked them (a block beats a consent, never the own unit), or
- they hold a legal-basis access (Hjemmel) to the citizen in force now.
A citizen sees their own active cases. Nobody else sees anything.

Why not "whoever may see the citizen at all" (samtykke.policy.borgere_synlige): a consent
names kinds of information (retssikkerhedsloven § 11 a), and the consent model carries the
case overview as a kind of its own. A consent to see a citizen's mobility does not tell
the home care that the citizen has a case in the regional psychiatry, and a unit with its
own data about a citizen does not by that see other units' cases. A case whose responsible
unit Datadeling does not know is thus seen only on a legal basis (and by the citizen).

Everything is decided in the database when the query runs, through the same building
blocks as samtykke.policy (consents in force, recipients, blocks, legal bases), so
revocation and expiry take effect at once.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    Case,
    Exists,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    When,
)
from django.utils import timezone

from datadeling.core import clock
from organisation.selectors import Aktoer
from sagsindeks.models import Sag, SagFremdrift
from samtykke import policy
from samtykke.models import Beslutning, Grundlag, Hjemmel, Samtykke, i_kraft_q

KATEGORI = "sagsindeks"


def _som_liste(felt: str) -> Func:
    """Return ARRAY[<outer field>]::uuid[], to ask whether a consent's sources hold it."""
    return Func(
        OuterRef(felt),
        template="ARRAY[%(expressions)s]::uuid[]",
        output_field=ArrayField(UUIDField()),
    )


def modtager_fag_q(aktoer: Aktoer) -> Q:
    """Return the filter for consents addressed to this member of staff and open to their
    profession in that role (a consent to a unit, with a profession, reaches only the
    unit's staff of that profession)."""
    q = Q(pk__in=[])
    for f in aktoer.funktioner:
        q |= (
            Q(modtager_enhed_id=f.enhed_id) | Q(modtager_myndighed_id=f.enhed.myndighed_id)
        ) & policy._fag_q(f.faglighed_id, prefix="")
    if aktoer.medarbejder is not None:
        fag = [f.faglighed_id for f in aktoer.funktioner if f.faglighed_id is not None]
        q |= Q(modtager_medarbejder_id=aktoer.medarbejder.pk) & (
            Q(faglighed__isnull=True) | Q(faglighed_id__in=fag)
        )
    return q


def samtykker_til_sag(aktoer: Aktoer, now: datetime.datetime) -> QuerySet[Samtykke]:
    """Return the consents in force that show the outer Sag to the person (or to a unit,
    as mox.udgaaende.synlighed asks: a subquery on OuterRef("borger_id"))."""
    return Samtykke.objects.filter(
        i_kraft_q(now),
        modtager_fag_q(aktoer),
        beslutning=Beslutning.TILLAD,
        sagsindeks=True,
        borger_id=OuterRef("borger_id"),
        kilder__contains=_som_liste("ansvarlig_enhed_id"),
    )


def _hjemler(aktoer: Aktoer, now: datetime.datetime) -> QuerySet[Hjemmel]:
    return Hjemmel.objects.filter(policy.hjemmel_q(aktoer, now), borger_id=OuterRef("borger_id"))


def _synlig_q(aktoer: Aktoer, now: datetime.datetime) -> Q:
    """Return the filter for the active cases the person may see."""
    if aktoer.er_borger:
        return Q(borger_id=aktoer.borger.pk, aktiv=True)
    if not (aktoer.er_medarbejder and aktoer.enhed_ids):
        return Q(pk__in=[])
    q = Q(ansvarlig_enhed_id__in=aktoer.enhed_ids)
    q |= Exists(samtykker_til_sag(aktoer, now)) & ~policy.blokeret(aktoer, now)
    q |= Exists(_hjemler(aktoer, now))
    return q & Q(aktiv=True)


def sager_synlige(aktoer: Aktoer, borger_id=None, now=None) -> QuerySet[Sag]:
    """Return the active cases the person may see (of one citizen, if `borger_id`)."""
    qs = Sag.objects.filter(_synlig_q(aktoer, now or clock.now()))
    return qs if borger_id is None else qs.filter(borger_id=borger_id)


def sager_til_visning(aktoer: Aktoer, borger_id, now=None) -> list[Sag]:
    """Return the citizen's cases the person may see, for a page (one query).

    Open cases first, then closed ones; newest first within each. Each carries `grundlag`
    and `grundlag_id`: the basis the person sees it on (own unit, consent, legal basis),
    for the access log.
    """
    now = now or clock.now()
    idag = timezone.localtime(now).date()
    qs = sager_synlige(aktoer, borger_id, now).select_related(
        "ansvarlig_enhed__myndighed", "myndighed", "primaerbehandler"
    )
    lukket = Q(fremdrift=SagFremdrift.AFSLUTTET) | Q(slutdato__lt=idag)
    # CASE, not the bare condition: a NULL slutdato would make it NULL, which sorts last
    qs = qs.annotate(_lukket=Case(When(lukket, then=True), default=False))
    if aktoer.er_medarbejder:
        qs = qs.annotate(
            _samtykke_id=Subquery(
                samtykker_til_sag(aktoer, now).order_by("-gyldig_til", "pk").values("pk")[:1]
            ),
            _hjemmel_id=Subquery(_hjemler(aktoer, now).order_by("-gyldig_til").values("pk")[:1]),
        )
    sager = list(qs.order_by("_lukket", "-startdato", "-opdateret", "pk"))
    for s in sager:
        s.grundlag, s.grundlag_id = _grundlag(aktoer, s)
    return sager


def _grundlag(aktoer: Aktoer, s: Sag) -> tuple[str, uuid.UUID | None]:
    if aktoer.er_borger:
        return Grundlag.BORGER, None
    if s.ansvarlig_enhed_id in aktoer.enhed_ids:
        return Grundlag.EGEN_ENHED, None
    # A blocked consent shows nothing; a case seen anyway is seen on a legal basis.
    if getattr(s, "_hjemmel_id", None) is not None:
        return Grundlag.HJEMMEL, s._hjemmel_id
    return Grundlag.SAMTYKKE, getattr(s, "_samtykke_id", None)


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
    objekter = [("sag", s.pk, s.grundlag, s.grundlag_id) for s in sager]
    for art in STYRKE:
        hit = next((o for o in objekter if o[2] == art), None)
        if hit is not None:
            return Logpost(art, hit[3], objekter)
    return Logpost(Grundlag.EGEN_ENHED, None, objekter)


def sager_for_borgeren(aktoer: Aktoer, now=None) -> list[Sag]:
    """Return the citizen's own active cases for Mine data, open first (one query).

    Only for a citizen (or a relative reading as them, `aktoer.borger` being the citizen):
    for anybody else the list would answer for another person's cases, so this refuses with
    PermissionError. Each case carries `_lukket` and the basis `grundlag` (the citizen).
    """
    borger = aktoer.borger
    if not aktoer.er_borger or borger is None:
        raise PermissionError("Borgerens egne sager er kun for borgeren selv.")
    return sager_til_visning(aktoer, borger.pk, now)
