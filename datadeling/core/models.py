"""Abstract building blocks shared by every app (below all floors)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UUIDModel(models.Model):
    """A model whose public identifier is a UUID (never a sequence or a CPR number)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class Gyldighed(models.Model):
    """A validity period [gyldig_fra, gyldig_til) — open-ended when gyldig_til is empty."""

    gyldig_fra = models.DateField(_("gyldig fra"), default=timezone.localdate)
    gyldig_til = models.DateField(_("gyldig til"), null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def period_constraint(cls, name: str) -> models.CheckConstraint:
        """Return the check that a period ends after it starts (for a concrete Meta)."""
        return models.CheckConstraint(
            condition=Q(gyldig_til__isnull=True) | Q(gyldig_til__gt=F("gyldig_fra")),
            name=name,
            violation_error_message=_("Slutdatoen skal ligge efter startdatoen."),
        )

    def gyldig_paa(self, dato=None) -> bool:
        """Return whether the period covers the given date (today by default)."""
        dato = dato or idag()
        return self.gyldig_fra <= dato and (self.gyldig_til is None or dato < self.gyldig_til)


def idag():
    """Return today's date by the project clock (datadeling.core.clock), in local time."""
    from datadeling.core import clock

    return timezone.localtime(clock.now()).date()


def gyldig_q(dato=None, prefix: str = "") -> Q:
    """Return a filter for rows whose validity period covers the date (today by default)."""
    dato = dato or idag()
    return Q(**{f"{prefix}gyldig_fra__lte": dato}) & (
        Q(**{f"{prefix}gyldig_til__isnull": True}) | Q(**{f"{prefix}gyldig_til__gt": dato})
    )


class RegistreringBase(models.Model):
    """One registration (transaction time) of an object: who, when, why. Never changed."""

    nummer = models.PositiveIntegerField(_("nummer"))
    tidspunkt = models.DateTimeField(_("registreret"), db_index=True)
    livscykluskode = models.CharField(_("livscykluskode"), max_length=16)
    aktoer = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registreret af"),
    )
    aktoer_tekst = models.CharField(
        _("registreret af (system)"),
        max_length=255,
        blank=True,
        help_text=_("Fx det fagsystem, der sendte oplysningen."),
    )
    begrundelse = models.TextField(_("begrundelse"), blank=True)

    class Meta:
        abstract = True
        ordering = ["nummer"]

    def __str__(self) -> str:
        return f"{self.nummer}: {self.livscykluskode} {self.tidspunkt:%Y-%m-%d %H:%M}"


class VersionBase(models.Model):
    """One period of valid time (virkning) inside a registration."""

    virkning_fra = models.DateTimeField(_("virkning fra"))
    virkning_til = models.DateTimeField(_("virkning til"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["virkning_fra"]


class HistoriskObjekt(models.Model):
    """The current state of an object with bitemporal history (see datadeling.core.historik).

    Concrete models add `registrering`, a foreign key to their newest registration.
    """

    livscykluskode = models.CharField(_("livscykluskode"), max_length=16)
    aktiv = models.BooleanField(_("aktiv"), default=True, db_index=True)
    virkning_fra = models.DateTimeField(_("virkning fra"))
    virkning_til = models.DateTimeField(_("virkning til"), null=True, blank=True)
    oprettet = models.DateTimeField(_("oprettet"), default=timezone.now)

    class Meta:
        abstract = True
