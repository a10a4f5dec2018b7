"""Who may be told of a change: the staff rule and the case rule asked the other way round.

The screens ask "what may this person see?" (`personale`, `sag`). A notification asks
"which of these people may see this object?" for many people at once (a change with
10,000 followers). `personale_der_ser` answers it for a batch of staff with a fixed
number of queries, whatever the batch's size: their current roles, the grant rows (or,
for a case, the consents) in force on the object, the citizen's blocks in force and the
legal-basis accesses in force. It then decides in Python exactly as the staff rule does
in SQL:

- the object is active, and the member of staff has a current role (approved, valid, in
  a unit that has not ended), and
- the object's responsible unit is one of their units (own unit), or
- a grant row in force shows it to them (a Tilstand or an Indsats: to one of their units
  or authorities within the role's profession, or to them by name within one of their
  professions) — for a case, a consent in force with the case overview whose sources
  hold the case's unit — and the citizen has not blocked their unit, authority or them,
  or
- they hold a legal-basis access to the citizen in force now, in one of their units.

tests/samtykke/test_modtagere_egenskab.py holds this equal to the per-person rule
(`tilstande_synlige`, `indsatser_synlige`, `sager_synlige`) on random data.

`handler_for_brugere` gives the people who may act for a citizen (værge, fuldmagt),
who share the citizen's inbox.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from indsats.models import Indsats
from organisation.models import Funktion, Relation
from sagsindeks.models import Sag
from samtykke.models import Beslutning, Hjemmel, Samtykke, i_kraft_q
from samtykke.policy.borger import handle_for_q
from samtykke.policy.byggesten import TILLADELSER, tilladelse_i_kraft_q
from tilstand.models import Tilstand


@dataclass
class _Person:
    user_id: int
    # (enhed, myndighed, faglighed, enhedens gruppe, myndighedens gruppe) per current role
    roller: list[tuple] = field(default_factory=list)

    @property
    def enheder(self) -> set:
        return {r[0] for r in self.roller}

    @property
    def myndigheder(self) -> set:
        return {r[1] for r in self.roller}

    @property
    def fag(self) -> set:
        return {r[2] for r in self.roller}


def _fag_aaben(samtykke_fag: uuid.UUID | None, fag: uuid.UUID | None) -> bool:
    """As `daekning.fag_q`: a consent naming a profession is open only to that profession."""
    return samtykke_fag is None or samtykke_fag == fag


def _personer(medarbejder_ids: Iterable[uuid.UUID], now: datetime.datetime) -> dict:
    """Return {medarbejder id: _Person} for those with a current role (one query)."""
    idag = timezone.localdate(now)
    personer: dict = {}
    raekker = (
        Funktion.objects.gaeldende(idag)
        .exclude(enhed__gyldig_til__lte=idag)
        .filter(medarbejder_id__in=list(medarbejder_ids))
        .values_list(
            "medarbejder_id", "medarbejder__user_id", "enhed_id", "enhed__myndighed_id",
            "faglighed_id", "enhed__gruppe_id", "enhed__myndighed__gruppe_id",
        )
    )  # fmt: skip
    for m, user_id, e, my, fag, eg, mg in raekker:
        personer.setdefault(m, _Person(user_id)).roller.append((e, my, fag, eg, mg))
    return personer


def _blokeret(p: _Person, m: uuid.UUID, blokeringer: list[tuple]) -> bool:
    """As `byggesten.blokeret`: a block to their unit, authority or them by name."""
    return any(be in p.enheder or bm in p.myndigheder or bmed == m for be, bm, bmed in blokeringer)


def _via_tilladelse(objekter: list, now: datetime.datetime) -> dict:
    """Return {object id: (group grant rows, personal grant rows)} in force on the objects
    (Tilstand and Indsats): two queries per model."""
    svar: dict = defaultdict(lambda: ([], []))
    i_kraft = tilladelse_i_kraft_q(now)
    for model, (gruppe_model, bruger_model) in TILLADELSER.items():
        ids = [o.pk for o in objekter if isinstance(o, model)]
        if not ids:
            continue
        for pk, *raekke in gruppe_model.objects.filter(
            i_kraft, content_object_id__in=ids
        ).values_list(
            "content_object_id", "group_id", "samtykke__modtager_enhed_id",
            "samtykke__modtager_myndighed_id", "samtykke__faglighed_id",
        ):  # fmt: skip
            svar[pk][0].append(tuple(raekke))
        for pk, *raekke in bruger_model.objects.filter(
            i_kraft, content_object_id__in=ids
        ).values_list("content_object_id", "user_id", "samtykke__faglighed_id"):
            svar[pk][1].append(tuple(raekke))
    return svar


def _sag_samtykker(sager: list, now: datetime.datetime) -> dict:
    """Return {case id: consents in force with the case overview whose sources hold the
    case's unit} for the cases (one query)."""
    svar: dict = defaultdict(list)
    if not sager:
        return svar
    raekker = Samtykke.objects.filter(
        i_kraft_q(now), beslutning=Beslutning.TILLAD, sagsindeks=True,
        borger_id__in={s.borger_id for s in sager},
    ).values_list(
        "borger_id", "kilder", "modtager_enhed_id", "modtager_myndighed_id",
        "modtager_medarbejder_id", "faglighed_id",
    )  # fmt: skip
    for b, kilder, *raekke in raekker:
        for sag in sager:
            if sag.borger_id == b and sag.ansvarlig_enhed_id in kilder:
                svar[sag.pk].append(tuple(raekke))
    return svar


def _tilladelse_viser(p: _Person, grupper: list, brugere: list) -> bool:
    """As `byggesten.grupper_q` and `bruger_q`, for one person's roles."""
    for g, me, mm, sfag in grupper:
        for e, my, fag, eg, mg in p.roller:
            if not _fag_aaben(sfag, fag):
                continue
            if (eg is not None and g == eg and me == e) or (
                mg is not None and g == mg and mm == my
            ):
                return True
    return any(u == p.user_id and (sfag is None or sfag in p.fag) for u, sfag in brugere)


def _samtykke_viser_sag(p: _Person, m: uuid.UUID, samtykker: list) -> bool:
    """As `sag.modtager_fag_q`: a consent with the case overview addressed to them."""
    for me, mm, mmed, sfag in samtykker:
        for e, my, fag, _eg, _mg in p.roller:
            if (me == e or mm == my) and _fag_aaben(sfag, fag):
                return True
        if mmed == m and (sfag is None or sfag in (p.fag - {None})):
            return True
    return False


def personale_der_ser(
    objekt: Tilstand | Indsats | Sag,
    medarbejder_ids: Iterable[uuid.UUID],
    now: datetime.datetime,
) -> set[uuid.UUID]:
    """Return those of `medarbejder_ids` who may see `objekt` at `now` by the staff rule
    (the case rule for a Sag). Five queries at most, whatever the number of staff."""
    return personale_der_ser_mange([(objekt, medarbejder_ids)], now).get(objekt.pk, set())


def personale_der_ser_mange(
    par: Iterable[tuple[Tilstand | Indsats | Sag, Iterable[uuid.UUID]]],
    now: datetime.datetime,
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Return {object id: those of its staff who may see it at `now`} for pairs of an
    object and candidate staff: the rule of `personale_der_ser` for many changes at once
    (a MOX chunk's), in at most seven queries whatever their number."""
    par = [(o, set(ms)) for o, ms in par if o.aktiv]
    personer = _personer({m for _o, ms in par for m in ms}, now)
    if not personer:
        return {}
    borgere = {o.borger_id for o, _ms in par}
    blokeringer: dict = defaultdict(list)
    for b, *raekke in Samtykke.objects.filter(
        i_kraft_q(now), beslutning=Beslutning.AFVIS, borger_id__in=borgere
    ).values_list(
        "borger_id", "modtager_enhed_id", "modtager_myndighed_id", "modtager_medarbejder_id"
    ):
        blokeringer[b].append(tuple(raekke))
    hjemler: dict = defaultdict(set)
    for b, m, e in Hjemmel.objects.filter(
        borger_id__in=borgere, gyldig_fra__lte=now, gyldig_til__gt=now
    ).values_list("borger_id", "medarbejder_id", "enhed_id"):
        hjemler[(b, m)].add(e)
    objekter = [o for o, _ms in par]
    tilladelser = _via_tilladelse([o for o in objekter if not isinstance(o, Sag)], now)
    sag_samtykker = _sag_samtykker([o for o in objekter if isinstance(o, Sag)], now)
    svar: dict = {}
    for objekt, ms in par:
        ser = svar.setdefault(objekt.pk, set())
        for m in ms:
            p = personer.get(m)
            if p is None:
                continue
            if objekt.ansvarlig_enhed_id in p.enheder or hjemler[(objekt.borger_id, m)] & p.enheder:
                ser.add(m)
                continue
            if isinstance(objekt, Sag):
                viser = _samtykke_viser_sag(p, m, sag_samtykker[objekt.pk])
            else:
                viser = _tilladelse_viser(p, *tilladelser[objekt.pk])
            if viser and not _blokeret(p, m, blokeringer[objekt.borger_id]):
                ser.add(m)
    return svar


def handler_for_brugere(borger_id: uuid.UUID, now: datetime.datetime) -> list[int]:
    """Return the user ids of the people who may act for the citizen now (værge,
    fuldmagt: `borger.handle_for_q`), who share the citizen's inbox."""
    return list(
        Relation.objects.filter(handle_for_q(now), borger_id=borger_id)
        .exclude(person__user__isnull=True)
        .values_list("person__user_id", flat=True)
    )
