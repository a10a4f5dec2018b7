"""Reads for the citizen's front page: what is new for them since their last visit — the
requests for consent they have to answer, the accesses to their data on a legal basis, and
new data about them — for the citizen, or for whom a værge or fuldmægtig acts.

The citizen sees all their own data (samtykke.policy); whether someone may act for a
citizen is the policy's too (`kan_handle_for`, checked on every request by the view).
A few queries whatever the amount of data: each list is capped.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from datadeling.core import clock
from indsats.models import Indsats
from organisation.selectors import Aktoer
from samtykke import policy
from samtykke.models import Anmodning, AnmodningStatus, Hjemmel
from tilstand.models import Tilstand

MAKS = 5
# What counts as new for somebody who has never visited before.
FOERSTE_BESOEG = datetime.timedelta(days=30)


@dataclass
class Nyt:
    """What is new for a citizen since `siden`."""

    siden: datetime.datetime
    foerste_besoeg: bool
    anmodninger: list[Anmodning]  # waiting for an answer (every one, the newest first)
    hjemler: list[Hjemmel]  # accesses on a legal basis since `siden`
    tilstande: list[Tilstand] = field(default_factory=list)
    indsatser: list[Indsats] = field(default_factory=list)
    data_vist: bool = True  # False: the relation does not cover the citizen's data

    @property
    def tom(self) -> bool:
        return not (self.anmodninger or self.hjemler or self.tilstande or self.indsatser)

    @property
    def objekter(self) -> list:
        """Return the shown conditions and interventions, for the access log."""
        return [("tilstand", t.pk) for t in self.tilstande] + [
            ("indsats", i.pk) for i in self.indsatser
        ]


def nyt_for_borger(
    laeser: Aktoer,
    siden: datetime.datetime | None,
    *,
    data: bool = True,
    now: datetime.datetime | None = None,
) -> Nyt:
    """Return what is new for the citizen since `siden` (their last visit; the last
    FOERSTE_BESOEG when they never visited). `laeser` is the citizen as the policy reads
    their data (for a relative: the citizen's Aktoer, as Mine data does). Without `data`,
    no conditions or interventions are read (a relation that does not cover them). Four
    queries at most."""
    assert laeser.er_borger and laeser.borger is not None  # whose data: the view decides
    borger = laeser.borger
    now = now or clock.now()
    fra = siden or now - FOERSTE_BESOEG
    anmodninger = list(
        Anmodning.objects.filter(borger=borger, status=AnmodningStatus.AFVENTER)
        .select_related("modtager_enhed__myndighed", "anmoder")
        .order_by("-oprettet", "pk")[:MAKS]
    )
    hjemler = list(
        Hjemmel.objects.filter(borger=borger, oprettet__gt=fra)
        .select_related("enhed__myndighed", "medarbejder", "lovgrundlag")
        .order_by("-oprettet", "pk")[:MAKS]
    )
    nyt = Nyt(
        siden=fra, foerste_besoeg=siden is None, anmodninger=anmodninger, hjemler=hjemler,
        data_vist=data,
    )  # fmt: skip
    if data:
        nyt.tilstande = list(
            policy.tilstande_synlige(laeser, now=now)
            .filter(registrering__tidspunkt__gt=fra)
            .select_related("type", "ansvarlig_enhed__myndighed", "registrering")
            .order_by("-registrering__tidspunkt", "pk")[:MAKS]
        )
        nyt.indsatser = list(
            policy.indsatser_synlige(laeser, now=now)
            .filter(registrering__tidspunkt__gt=fra)
            .select_related("type", "ansvarlig_enhed__myndighed", "registrering")
            .order_by("-registrering__tidspunkt", "pk")[:MAKS]
        )
    return nyt
