"""The case rule: which of a citizen's cases elsewhere (the case index, Sag) a person, or a
unit acting through a system, may see.

A member of staff sees an active Sag when
- its responsible unit (ansvarlig enhed) is one of the units they work in today, or
- the citizen has given them a consent in force that includes the overview of cases
  (Samtykke.sagsindeks — "oversigten over mine sager" in the text the citizen accepted),
  addressed to one of their units, their authorities or themselves, open to their
  profession, whose sources (kilder) include the case's responsible unit — and the citizen
  has not blocked them (a block beats a consent, never the own unit), or
- they hold a legal-basis access (Hjemmel) to the citizen in force now.
A citizen sees their own active cases. Nobody else sees anything.

Why not "whoever may see the citizen at all": a consent names kinds of information
(retssikkerhedsloven § 11 a), and the consent model carries the case overview as a kind of
its own. A consent to see a citizen's mobility does not tell the home care that the
citizen has a case in the regional psychiatry, and a unit with its own data about a
citizen does not by that see other units' cases. A case whose responsible unit Datadeling
does not know is thus seen only on a legal basis (and by the citizen).

A unit (a system acting for it) sees a case by the same rule without the personal parts:
its own cases, and through a consent in force to the unit or its authority that includes
the case overview and names no profession, unless blocked. A unit whose own validity
period has ended sees nothing. Unlike the staff screens, the units rule also applies to a
passivated case: a unit that could see it is told that it left the index.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any, cast

from django.contrib.postgres.fields import ArrayField
from django.db.models import Exists, Func, OuterRef, Q, QuerySet, Subquery, UUIDField
from django.utils import timezone

from datadeling.core import clock
from organisation.models import Enhed
from organisation.selectors import Aktoer
from sagsindeks.models import Sag
from samtykke.models import Beslutning, Grundlag, Hjemmel, Samtykke, i_kraft_q
from samtykke.policy.byggesten import blokeret, enhed_aktoer, hjemmel_q
from samtykke.policy.daekning import fag_q


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
        ) & fag_q(f.faglighed_id, prefix="")
    if aktoer.medarbejder is not None:
        fag = [f.faglighed_id for f in aktoer.funktioner if f.faglighed_id is not None]
        q |= Q(modtager_medarbejder_id=aktoer.medarbejder.pk) & (
            Q(faglighed__isnull=True) | Q(faglighed_id__in=fag)
        )
    return q


def samtykker_til_sag(aktoer: Aktoer, now: datetime.datetime) -> QuerySet[Samtykke]:
    """Return the consents in force that show the outer Sag to the person (or to a unit):
    a subquery on OuterRef("borger_id") and OuterRef("ansvarlig_enhed_id")."""
    return Samtykke.objects.filter(
        i_kraft_q(now),
        modtager_fag_q(aktoer),
        beslutning=Beslutning.TILLAD,
        sagsindeks=True,
        borger_id=OuterRef("borger_id"),
        kilder__contains=_som_liste("ansvarlig_enhed_id"),
    )


def _hjemler(aktoer: Aktoer, now: datetime.datetime) -> QuerySet[Hjemmel]:
    return Hjemmel.objects.filter(hjemmel_q(aktoer, now), borger_id=OuterRef("borger_id"))


def _synlig_q(aktoer: Aktoer, now: datetime.datetime) -> Q:
    """Return the filter for the active cases the person may see."""
    if aktoer.er_borger:
        assert aktoer.borger is not None  # er_borger says so
        return Q(borger_id=aktoer.borger.pk, aktiv=True)
    if not (aktoer.er_medarbejder and aktoer.enhed_ids):
        return Q(pk__in=[])
    q = Q(ansvarlig_enhed_id__in=aktoer.enhed_ids)
    # Q | Exists is a Q; the stubs' Q.__or__ takes only a Q.
    q |= Exists(samtykker_til_sag(aktoer, now)) & ~blokeret(aktoer, now)
    q |= Exists(_hjemler(aktoer, now))  # type: ignore[assignment]
    return q & Q(aktiv=True)


def sager_synlige(
    aktoer: Aktoer, borger_id: uuid.UUID | None = None, now: datetime.datetime | None = None
) -> QuerySet[Sag]:
    """Return the active cases the person may see (of one citizen, if `borger_id`)."""
    qs = Sag.objects.filter(_synlig_q(aktoer, now or clock.now()))
    return qs if borger_id is None else qs.filter(borger_id=borger_id)


def sag_grundlag_annotationer(aktoer: Aktoer, now: datetime.datetime) -> dict:
    """Return annotations for a query of visible cases that `sag_grundlag` reads: the
    consent and the legal basis (if any) the member of staff sees each case through."""
    if not aktoer.er_medarbejder:
        return {}
    return {
        "_samtykke_id": Subquery(
            samtykker_til_sag(aktoer, now).order_by("-gyldig_til", "pk").values("pk")[:1]
        ),
        "_hjemmel_id": Subquery(_hjemler(aktoer, now).order_by("-gyldig_til").values("pk")[:1]),
    }


def sag_grundlag(aktoer: Aktoer, sag: Sag) -> tuple[str, uuid.UUID | None]:
    """Return the basis the person sees a visible case on (own unit, consent, legal basis),
    for the access log; `sag` carries `sag_grundlag_annotationer`."""
    if aktoer.er_borger:
        return Grundlag.BORGER, None
    if sag.ansvarlig_enhed_id in aktoer.enhed_ids:
        return Grundlag.EGEN_ENHED, None
    # A blocked consent shows nothing; a case seen anyway is seen on a legal basis.
    if getattr(sag, "_hjemmel_id", None) is not None:
        return Grundlag.HJEMMEL, sag._hjemmel_id  # type: ignore[attr-defined]  # an annotation
    return Grundlag.SAMTYKKE, getattr(sag, "_samtykke_id", None)


def sag_enheders_grundlag(sag: Sag, enheder: Iterable[Enhed], now: datetime.datetime) -> dict:
    """Return {unit id: (grundlag, consent id or None)} for those of `enheder` that may see
    `sag` as units (see the module docstring).

    No query when every unit is the case's own (or none can be); otherwise one, whatever
    the number of units: a consent subquery and a block test per unit.
    """
    idag = timezone.localtime(now).date()
    svar: dict = {}
    rest = []
    for e in enheder:
        if not e.gyldig_paa(idag):
            continue
        if sag.ansvarlig_enhed_id == e.pk:
            svar[e.pk] = (Grundlag.EGEN_ENHED, None)
        elif sag.ansvarlig_enhed_id is not None:
            rest.append(e)  # no consent's sources can name a unit Datadeling does not know
    if not rest:
        return svar
    felter = {}
    for i, e in enumerate(rest):
        aktoer = enhed_aktoer(e)
        samtykker = samtykker_til_sag(aktoer, now)
        felter[f"s{i}"] = Subquery(samtykker.order_by("-gyldig_til", "pk").values("pk")[:1])
        felter[f"b{i}"] = blokeret(aktoer, now)
    raekke = cast(dict[str, Any], Sag.objects.filter(pk=sag.pk).values(**felter).first() or {})
    for i, e in enumerate(rest):
        if raekke.get(f"s{i}") is not None and not raekke.get(f"b{i}"):
            svar[e.pk] = (Grundlag.SAMTYKKE, raekke[f"s{i}"])
    return svar
