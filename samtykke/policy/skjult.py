"""Privacy by default: what a member of staff learns of a citizen's data they may not see.

- They learn that data exists elsewhere at the level of the authority (myndighed) only:
  "Der findes oplysninger hos Region Midtjylland, som kræver samtykke" — never which units
  hold it, how much, or of what kind (categories).
- A member of staff the citizen has blocked (their unit, authority or themselves) learns
  nothing at all about other units' data, not even that there is some.
- A consent request names its sources as units — the units of the chosen authorities that
  hold data the requesting unit may not see — so the citizen sees exactly which units when
  answering; the requesting caseworker chooses authorities and is shown authorities.
Data of a unit Datadeling does not know (a case) cannot be named in a consent and is left
out. Which data is visible is the staff rule's (personale, sag); "hidden" is "active, and
not among what the policy shows".
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence

from django.db.models import Exists, OuterRef, Q, QuerySet

from indsats.models import Indsats
from organisation.models import Enhed, Myndighed
from organisation.selectors import Aktoer
from samtykke.policy.byggesten import er_en_af_ids
from samtykke.policy.personale import SynligeIds, indsatser_synlige, tilstande_synlige
from samtykke.policy.sag import Sag, sager_synlige
from tilstand.models import Tilstand


def skjulte_tilstande(
    aktoer: Aktoer,
    borger_id: uuid.UUID,
    now: datetime.datetime,
    synlige: SynligeIds | None = None,
) -> QuerySet[Tilstand]:
    """Return the citizen's active conditions that the person may not see (`synlige`: the
    visible set, when the caller read it earlier in the request)."""
    qs = Tilstand.objects.filter(borger_id=borger_id, aktiv=True)
    if synlige is not None:
        return qs.exclude(er_en_af_ids("pk", synlige.tilstande))
    return qs.exclude(pk__in=tilstande_synlige(aktoer, borger_id, now).values("pk"))


def skjulte_indsatser(
    aktoer: Aktoer,
    borger_id: uuid.UUID,
    now: datetime.datetime,
    synlige: SynligeIds | None = None,
) -> QuerySet[Indsats]:
    """Return the citizen's active interventions that the person may not see."""
    qs = Indsats.objects.filter(borger_id=borger_id, aktiv=True)
    if synlige is not None:
        return qs.exclude(er_en_af_ids("pk", synlige.indsatser))
    return qs.exclude(pk__in=indsatser_synlige(aktoer, borger_id, now).values("pk"))


def skjulte_sager(
    aktoer: Aktoer,
    borger_id: uuid.UUID,
    now: datetime.datetime,
    synlige: SynligeIds | None = None,
) -> QuerySet[Sag]:
    """Return the citizen's active cases held by a unit Datadeling knows that the person may
    not see."""
    qs = Sag.objects.filter(borger_id=borger_id, aktiv=True, ansvarlig_enhed__isnull=False)
    if synlige is not None:
        return qs.exclude(er_en_af_ids("pk", synlige.sager))
    return qs.exclude(pk__in=sager_synlige(aktoer, borger_id, now).values("pk"))


def har_skjult_annotation(
    aktoer: Aktoer,
    borger_id: uuid.UUID,
    now: datetime.datetime,
    synlige: SynligeIds | None = None,
) -> Q:
    """Return, for an Enhed query, whether the unit holds data of the citizen the person
    may not see (a condition, an intervention or a case). For the sources of a request;
    never shown to the person as such (`skjult_hos`). `synlige`: the visible set, when the
    caller read it earlier in the request (the same rule, not built a second time)."""
    enhedens = Q(ansvarlig_enhed_id=OuterRef("pk"))
    return (
        Q(Exists(skjulte_tilstande(aktoer, borger_id, now, synlige).filter(enhedens)))
        | Q(Exists(skjulte_indsatser(aktoer, borger_id, now, synlige).filter(enhedens)))
        | Q(Exists(skjulte_sager(aktoer, borger_id, now, synlige).filter(enhedens)))
    )


def skjult_hos(enheder_med_skjult: Sequence[Enhed], *, blokeret: bool) -> list[Myndighed]:
    """Return what the person is told of the data they may not see: the authorities holding
    it, each once, by name (the units must have `myndighed` loaded); nothing when the
    citizen has blocked them."""
    if blokeret:
        return []
    myndigheder = {e.myndighed_id: e.myndighed for e in enheder_med_skjult}
    return sorted(myndigheder.values(), key=lambda m: (m.navn, str(m.pk)))


def kilder_for_myndigheder(
    enheder_med_skjult: Sequence[Enhed], myndighed_ids: Iterable, *, blokeret: bool
) -> list[Enhed]:
    """Return the sources of a consent asked for from the chosen authorities: their units
    that hold data the person may not see (none when blocked)."""
    if blokeret:
        return []
    valgte = set(myndighed_ids)
    return [e for e in enheder_med_skjult if e.myndighed_id in valgte]
