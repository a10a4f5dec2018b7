"""Provenance (U7) shared by every datum about a citizen: where it came from and how fresh."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from datadeling.core import clock


class Proveniens(models.Model):
    """Source, method, responsible unit and person, source system, time of assessment."""

    kilde = models.ForeignKey(
        "klassifikation.Klasse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kilde"),
        help_text=_("Hvem oplysningen stammer fra (CareSocialCodes: Kilde)."),
    )
    metode = models.ForeignKey(
        "klassifikation.Klasse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("metode"),
        help_text=_("Oplysningsaktivitet, fx socialfaglig udredning, VUM/FFB."),
    )
    ansvarlig_enhed = models.ForeignKey(
        "organisation.Enhed",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ansvarlig enhed"),
    )
    ansvarlig = models.ForeignKey(
        "organisation.Medarbejder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarlig medarbejder"),
    )
    kildesystem = models.CharField(_("kildesystem"), max_length=128, blank=True)
    kildesystem_id = models.CharField(_("id i kildesystemet"), max_length=255, blank=True)
    vurderet = models.DateTimeField(_("sidst vurderet"))

    class Meta:
        abstract = True


def friskhed_graense() -> datetime.timedelta:
    """Return how old an assessment may be before it is shown as not fresh."""
    return datetime.timedelta(days=round(settings.DATADELING_FRISKHED_MAANEDER * 365.25 / 12))


GAMMEL = "gammel"
OPFOELGNING_OVERSKREDET = "opfoelgning_overskredet"


def friskhed_problemer(
    vurderet: datetime.datetime | None, opfoelgning: datetime.date | None, *, now=None
) -> tuple[str, ...]:
    """Return why an assessment is not fresh (GAMMEL, OPFOELGNING_OVERSKREDET); () if fresh."""
    now = now or clock.now()
    problems = []
    if vurderet is not None and now - vurderet > friskhed_graense():
        problems.append(GAMMEL)
    if opfoelgning is not None and opfoelgning < timezone.localtime(now).date():
        problems.append(OPFOELGNING_OVERSKREDET)
    return tuple(problems)


def is_fresh(vurderet: datetime.datetime, opfoelgning: datetime.date | None, *, now=None) -> bool:
    """Return whether an assessment is fresh: recent enough and its follow-up not passed."""
    return not friskhed_problemer(vurderet, opfoelgning, now=now)
