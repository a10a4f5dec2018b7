"""Reads for correction requests (GDPR art. 16) and the citizen's own words: the citizen's
requests, the unit's requests, one request to answer, and the citizen's statements and
voice next to a datum. Visibility is samtykke.policy's; each read is a fixed number of
queries whatever the number of requests."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from datadeling.core.models import idag
from indsats.models import BorgerensStemme, Indsats
from organisation.selectors import Aktoer
from samtykke import policy
from samtykke.models import (
    Berigtigelse,
    BerigtigelseStatus,
    BerigtigelseSvar,
    BorgerensBemaerkning,
)
from tilstand.models import Tilstand

# what every page about a request shows of it
RELATIONER = (
    "svar__medarbejder", "svar__enhed", "tilstand__type", "indsats__type",
    "tilstand__ansvarlig_enhed__myndighed", "indsats__ansvarlig_enhed__myndighed",
    "indsendt_af", "borger",
)  # fmt: skip
BESVAREDE_PAA_SIDEN = 50


@dataclass(frozen=True)
class Anmodning:
    """A correction request with its status and due date, ready for a template."""

    b: Berigtigelse
    bemaerkning: BorgerensBemaerkning | None  # the newest statement, if declined

    @property
    def svar(self) -> BerigtigelseSvar | None:
        return getattr(self.b, "svar", None)

    @property
    def status(self) -> str:
        return self.svar.status if self.svar else BerigtigelseStatus.MODTAGET

    @property
    def status_tekst(self) -> str:
        return str(BerigtigelseStatus(self.status).label)

    @property
    def aaben(self) -> bool:
        return self.svar is None

    @property
    def overskredet(self) -> bool:
        return self.aaben and self.b.frist < idag()

    @property
    def datum(self) -> Tilstand | Indsats:
        datum = self.b.tilstand if self.b.tilstand_id else self.b.indsats
        assert datum is not None  # a request names exactly one datum (a constraint)
        return datum

    @property
    def art(self) -> str:
        return "tilstand" if self.b.tilstand_id else "indsats"

    @property
    def enhed(self) -> str:
        e = self.datum.ansvarlig_enhed
        return f"{e.navn}, {e.myndighed.navn}"


def _anmodninger(qs: QuerySet[Berigtigelse]) -> list[Anmodning]:
    qs = qs.select_related(*RELATIONER).prefetch_related(
        Prefetch("bemaerkninger", queryset=BorgerensBemaerkning.objects.order_by("-oprettet"))
    )
    return [Anmodning(b, next(iter(b.bemaerkninger.all()), None)) for b in qs]


def mine_berigtigelser(borger_id: uuid.UUID) -> list[Anmodning]:
    """Return a citizen's own correction requests, newest first (two queries)."""
    return _anmodninger(policy.berigtigelser_for_borger(borger_id).order_by("-oprettet"))


def min_berigtigelse(borger_id: uuid.UUID, pk: uuid.UUID) -> Anmodning:
    """Return one of the citizen's requests; Berigtigelse.DoesNotExist for anybody else's."""
    fundet = _anmodninger(policy.berigtigelser_for_borger(borger_id).filter(pk=pk))
    if not fundet:
        raise Berigtigelse.DoesNotExist
    return fundet[0]


def seneste_pr_datum(borger_id: uuid.UUID) -> dict[uuid.UUID, Anmodning]:
    """Return, by datum id, the citizen's newest request about it with its status (one
    query), for Mine data to show next to each datum."""
    ud: dict[uuid.UUID, Anmodning] = {}
    for b in (
        policy.berigtigelser_for_borger(borger_id).select_related("svar").order_by("-oprettet")
    ):
        datum_id = b.tilstand_id or b.indsats_id
        if datum_id is not None and datum_id not in ud:
            ud[datum_id] = Anmodning(b, None)
    return ud


@dataclass(frozen=True)
class Enhedens:
    aabne: list[Anmodning]
    besvarede: list[Anmodning]


def enhedens_berigtigelser(aktoer: Aktoer) -> Enhedens:
    """Return the requests of the member of staff's units: every open one, oldest due date
    first, and the newest answered ones (four queries)."""
    alle = policy.berigtigelser_for_enheder(aktoer)
    aabne = _anmodninger(policy.berigtigelser_til(aktoer).order_by("frist", "oprettet"))
    besvarede = _anmodninger(
        alle.filter(svar__isnull=False).order_by("-svar__tidspunkt")[:BESVAREDE_PAA_SIDEN]
    )
    return Enhedens(aabne, besvarede)


def berigtigelse_til_svar(aktoer: Aktoer, pk: uuid.UUID) -> Anmodning:
    """Return one request of the member of staff's units; Berigtigelse.DoesNotExist else."""
    fundet = _anmodninger(policy.berigtigelser_for_enheder(aktoer).filter(pk=pk))
    if not fundet:
        raise Berigtigelse.DoesNotExist
    return fundet[0]


def datum_for_part(
    laeser: Aktoer, model: type[Tilstand] | type[Indsats], pk: uuid.UUID
) -> Tilstand | Indsats:
    """Return the citizen's active datum the party may ask to have corrected (DoesNotExist
    for anything the citizen's own page does not show)."""
    synlige = (
        policy.tilstande_synlige(laeser) if model is Tilstand else policy.indsatser_synlige(laeser)
    )
    return synlige.select_related("type", "ansvarlig_enhed__myndighed", "borger").get(pk=pk)


# --- next to a datum: the citizen's statements and voice -----------------------------------


def bemaerkninger(objekter: Iterable[Tilstand | Indsats]) -> dict[uuid.UUID, list]:
    """Return, by datum id, the citizen's newest statement on each declined request about
    it (one query). Pass only data the reader may see: a statement follows its datum."""
    tilstande = [o.pk for o in objekter if isinstance(o, Tilstand)]
    indsatser = [o.pk for o in objekter if isinstance(o, Indsats)]
    if not (tilstande or indsatser):
        return {}
    rows = (
        (
            BorgerensBemaerkning.objects.filter(berigtigelse__tilstand_id__in=tilstande)
            | BorgerensBemaerkning.objects.filter(berigtigelse__indsats_id__in=indsatser)
        )
        .select_related("berigtigelse__svar")
        .order_by("berigtigelse_id", "-oprettet")
    )
    ud: dict[uuid.UUID, list] = {}
    set_: set = set()
    for r in rows:
        if r.berigtigelse_id in set_:
            continue
        set_.add(r.berigtigelse_id)
        datum_id = r.berigtigelse.tilstand_id or r.berigtigelse.indsats_id
        assert datum_id is not None  # a request names exactly one datum
        ud.setdefault(datum_id, []).append(r)
    return ud


def stemmer(indsats_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[BorgerensStemme]]:
    """Return, by intervention id, the citizen's words on its goals, newest first (one query)."""
    ids = list(indsats_ids)
    ud: dict[uuid.UUID, list[BorgerensStemme]] = {}
    if not ids:
        return ud
    for s in (
        BorgerensStemme.objects.filter(indsats_id__in=ids)
        .select_related("skrevet_af")
        .order_by("-oprettet")
    ):
        ud.setdefault(s.indsats_id, []).append(s)
    return ud
