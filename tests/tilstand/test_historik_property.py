"""Property: for any sequence of writes, "valid at T as known at R" equals a reference model.

The reference keeps, for every registration, the whole valid-time line as a plain list of
days; the implementation stores registrations and versions in PostgreSQL.
"""

from __future__ import annotations

import copy
import datetime
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klassifikation import kendte as k
from klassifikation.models import Klasse
from tests import hypotese
from tests.fakeclock import FakeClock
from tilstand import services

pytestmark = pytest.mark.django_db

BASE = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
DAYS = 40  # valid time is checked on days 0..DAYS (DAYS stands for "from then on")
TRACKED = ("niveau_id", "faglig_note", "status")


def day(d: int) -> datetime.datetime:
    return BASE + datetime.timedelta(days=d)


days = st.integers(min_value=0, max_value=DAYS - 1)
notes = st.sampled_from(["", "bedre", "værre", "uændret"])
levels = st.integers(min_value=0, max_value=5)  # index into the FSIII scale, 5 = none

operation = st.one_of(
    st.tuples(st.just("reassess"), days, levels, notes),
    st.tuples(st.just("correct"), days, st.one_of(st.none(), days), levels, notes),
    st.tuples(st.just("end"), days),
    st.tuples(st.just("passivate")),
)


class Reference:
    """Valid time as a list of day slots; each registration snapshots the list."""

    def __init__(self):
        self.slots: list[dict | None] = [None] * (DAYS + 1)
        self.passive = False
        self.start: int | None = None
        self.snapshots: list[tuple[datetime.datetime, list, bool]] = []

    def register(self, fra: int, data: dict):
        self.start = fra
        for d in range(fra, DAYS + 1):
            self.slots[d] = dict(data)

    def change(self, fra: int, til: int | None, changes: dict) -> bool:
        if self.passive or fra < self.start or (til is not None and til <= fra):
            return False
        for d in range(fra, DAYS + 1 if til is None else til):
            if self.slots[d] is not None:
                self.slots[d] = {**self.slots[d], **changes}
        return True

    def snapshot(self, at: datetime.datetime):
        self.snapshots.append((at, copy.deepcopy(self.slots), self.passive))

    def known_at(self, r: datetime.datetime, d: int) -> dict | None:
        found = None
        for at, slots, passive in self.snapshots:
            if at <= r:
                found = None if passive else slots[d]
        return found


@settings(
    max_examples=hypotese.eksempler(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=days,
    first_level=levels,
    ops=st.lists(operation, max_size=8),
    probes=st.lists(st.tuples(st.integers(0, 9), days), min_size=1, max_size=6),
)
def test_valid_at_T_as_known_at_R_matches_reference(
    kodesystemer, grundlag, monkeypatch, start, first_level, ops, probes
):
    scale = list(Klasse.objects.filter(overordnet_id=k.FSIII_FUNKTIONSEVNE_SKALA).order_by("kode"))
    level_ids = [kl.pk for kl in scale] + [None]
    clock = FakeClock(BASE + datetime.timedelta(days=400))
    monkeypatch.setattr("datadeling.core.clock.now", clock)
    g = grundlag

    with transaction.atomic():
        ref = Reference()
        data = {"niveau_id": level_ids[first_level], "faglig_note": "", "status": "aktiv"}
        t = services.tilstand_register(
            actor=g.user,
            borger=g.borger,
            virkning_fra=day(start),
            data={"type": g.type, "ansvarlig_enhed": g.enhed, "niveau": data["niveau_id"]},
        )
        ref.register(start, data)
        ref.snapshot(clock())

        for op in ops:
            clock.advance(hours=1)
            changes: dict
            if op[0] == "reassess":
                _, fra, lvl, note = op
                changes = {"niveau_id": level_ids[lvl], "faglig_note": note}
                call = partial(
                    services.tilstand_reassess,
                    actor=g.user,
                    tilstand=t,
                    virkning_fra=day(fra),
                    aendringer={"niveau": changes["niveau_id"], "faglig_note": note},
                )
                til = None
            elif op[0] == "correct":
                _, fra, til, lvl, note = op
                changes = {"niveau_id": level_ids[lvl], "faglig_note": note}
                call = partial(
                    services.tilstand_correct,
                    actor=g.user,
                    tilstand=t,
                    virkning_fra=day(fra),
                    virkning_til=None if til is None else day(til),
                    aendringer={"niveau": changes["niveau_id"], "faglig_note": note},
                    begrundelse="fejl i registreringen",
                )
            elif op[0] == "end":
                _, fra = op
                til, changes = None, {"status": "afsluttet"}
                call = partial(
                    services.tilstand_end, actor=g.user, tilstand=t, virkning_fra=day(fra)
                )
            else:
                fra, til, changes = None, None, {}
                call = partial(
                    services.tilstand_passivate,
                    actor=g.user,
                    tilstand=t,
                    begrundelse="oprettet ved en fejl",
                )

            if fra is None:
                accepted = not ref.passive
                if accepted:
                    ref.passive = True
            else:
                accepted = ref.change(fra, til, changes)
            registrations_before = t.registreringer.count()
            if accepted:
                call()
                ref.snapshot(clock())
            else:
                with pytest.raises(ValidationError):
                    call()
                assert t.registreringer.count() == registrations_before  # nothing stored

        # Every registration's whole timeline, as stored, equals the reference's snapshot.
        regs = list(t.registreringer.order_by("nummer").prefetch_related("versioner"))
        assert len(regs) == len(ref.snapshots)
        for reg, (at, slots, passive) in zip(regs, ref.snapshots, strict=True):
            assert reg.tidspunkt == at
            timeline = services.historik.timeline(reg)
            for d in range(DAYS + 1):
                v = next((v for v in timeline if v.covers(day(d))), None)
                got = None if v is None else {f: v.data[f] for f in TRACKED}
                assert got == slots[d], (reg.nummer, d)
            assert (reg.livscykluskode == "Passiveret") == passive

        # Point queries through the public read path, at and between registration times.
        for r_index, d in probes:
            at = ref.snapshots[min(r_index, len(ref.snapshots) - 1)][0]
            for r in (at, at + datetime.timedelta(minutes=30), BASE):
                got = services.historik.gyldig(t.pk, gyldig=day(d), kendt=r)
                got = None if got is None else {f: got[f] for f in TRACKED}
                assert got == ref.known_at(r, d), (r, d)

        # The current-state row agrees with the newest registration at "now".
        t.refresh_from_db()
        assert t.aktiv == (not ref.passive)
        if not ref.passive:
            assert {f: getattr(t, f) for f in TRACKED} == ref.slots[DAYS]
        transaction.set_rollback(True)
