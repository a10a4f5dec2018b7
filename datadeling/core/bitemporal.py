"""Valid time (virkning) as a timeline of versions, and the pure rules that change it.

A timeline is a sorted list of `Version`s whose periods [fra, til) do not overlap; `til`
None means open-ended. A registration (transaction time) stores a whole timeline, so
history is only ever appended: "what was valid at T as known at R" is the version covering
T in the timeline of the last registration made at or before R.

These functions know nothing about Django; the apps store timelines in their own models.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Livscykluskode(models.TextChoices):
    """Why a registration was made (the rammearkitektur's lifecycle codes, as in LoRa)."""

    OPSTAAET = "Opstaaet", _("Opstået")
    IMPORTERET = "Importeret", _("Importeret")
    RETTET = "Rettet", _("Rettet")
    PASSIVERET = "Passiveret", _("Passiveret")
    SLETTET = "Slettet", _("Slettet")


@dataclass(frozen=True)
class Version:
    fra: datetime.datetime
    til: datetime.datetime | None
    data: Mapping[str, Any] = field(default_factory=dict)

    def covers(self, t: datetime.datetime) -> bool:
        return self.fra <= t and (self.til is None or t < self.til)


def _before(a: datetime.datetime | None, b: datetime.datetime | None) -> bool:
    """Return a < b where None is +infinity."""
    if a is None:
        return False
    return b is None or a < b


def _min_end(a: datetime.datetime | None, b: datetime.datetime | None):
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def normalize(versions: Iterable[Version]) -> list[Version]:
    """Return the timeline sorted, without empty periods, adjacent equal versions merged."""
    out: list[Version] = []
    for v in sorted(versions, key=lambda v: v.fra):
        if v.til is not None and v.til <= v.fra:
            continue
        if out and out[-1].til == v.fra and dict(out[-1].data) == dict(v.data):
            out[-1] = Version(out[-1].fra, v.til, out[-1].data)
        else:
            out.append(v)
    return out


def apply_changes(
    versions: Sequence[Version],
    *,
    fra: datetime.datetime,
    til: datetime.datetime | None,
    changes: Mapping[str, Any],
) -> list[Version]:
    """Return the timeline with `changes` merged into whatever is valid during [fra, til).

    Parts of versions outside the period keep their data; inside it, each version keeps its
    other fields and takes the changed ones. Periods nothing covers stay uncovered.
    """
    out: list[Version] = []
    for v in versions:
        if not _before(fra, v.til) or not _before(v.fra, til):
            out.append(v)  # no overlap with [fra, til)
            continue
        if v.fra < fra:
            out.append(Version(v.fra, fra, v.data))
        out.append(Version(max(v.fra, fra), _min_end(v.til, til), {**v.data, **changes}))
        if til is not None and _before(til, v.til):
            out.append(Version(til, v.til, v.data))
    return normalize(out)


def version_at(versions: Sequence[Version], t: datetime.datetime) -> Version | None:
    """Return the version valid at t, or None."""
    for v in versions:
        if v.covers(t):
            return v
    return None
