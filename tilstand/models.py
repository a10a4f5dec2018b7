"""Tilstand: a citizen's coded condition (FSIII / FFB) with level, goal, provenance, history."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from datadeling.core.models import HistoriskObjekt, RegistreringBase, UUIDModel, VersionBase
from datadeling.core.proveniens import Proveniens


class TilstandStatus(models.TextChoices):
    AKTIV = "aktiv", _("Aktiv")
    POTENTIEL = "potentiel", _("Potentiel")
    INAKTIV = "inaktiv", _("Inaktiv")
    AFSLUTTET = "afsluttet", _("Afsluttet")


def _klasse(verbose: str, help_text: str = "") -> models.ForeignKey:
    return models.ForeignKey(
        "klassifikation.Klasse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose,
        help_text=help_text,
    )


class TilstandFelter(Proveniens):
    """The versioned fields of a Tilstand: everything that can change over time."""

    type = models.ForeignKey(
        "klassifikation.Klasse",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tilstand"),
        help_text=_("En tilstand fra FSIII eller FFB."),
    )
    niveau = _klasse(_("funktionsevneniveau"), _("FSIII 0–4 og 9, eller FFB funktionsevneniveau."))
    stoettebehov = _klasse(_("støttebehov"), _("FFB støttebehovsniveau."))
    udfoerelse = _klasse(_("borgerens udførelse"), _("Borgerens egen vurdering (FSIII)."))
    betydning = _klasse(_("betydning for borgeren"), _("Borgerens egen vurdering (FSIII)."))
    borgerens_vurdering = models.TextField(_("borgerens egne ord"), blank=True)
    faglig_note = models.TextField(_("faglig vurdering"), blank=True)
    forventet_niveau = _klasse(_("forventet niveau"))
    maaltype = _klasse(_("måltype"))
    status = models.CharField(
        _("status"), max_length=16, choices=TilstandStatus.choices, default=TilstandStatus.AKTIV
    )
    opfoelgning = models.DateField(_("planlagt opfølgning"), null=True, blank=True)

    class Meta:
        abstract = True


class Tilstand(UUIDModel, HistoriskObjekt, TilstandFelter):
    """A citizen's condition as it stands now; its history is in its registrations."""

    borger = models.ForeignKey(
        "organisation.Borger",
        on_delete=models.PROTECT,
        related_name="tilstande",
        verbose_name=_("borger"),
    )
    registrering = models.ForeignKey(
        "TilstandRegistrering",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nyeste registrering"),
    )

    class Meta:
        verbose_name = _("tilstand")
        verbose_name_plural = _("tilstande")
        ordering = ["-vurderet"]
        indexes = [
            models.Index(fields=["borger", "aktiv"], name="tilstand_borger_aktiv"),
            models.Index(fields=["ansvarlig_enhed", "aktiv"], name="tilstand_enhed_aktiv"),
            models.Index(fields=["kildesystem", "kildesystem_id"], name="tilstand_kildesystem"),
            # Lists of current conditions in their usual order (newest assessment first):
            # the first page of what a caseworker may see walks this index and stops after
            # a page, instead of sorting everything visible (docs/ydelse.md).
            models.Index(
                F("vurderet").desc(), "id", condition=Q(aktiv=True), name="tilstand_aktuel_vurderet"
            ),
        ]

    def __str__(self) -> str:
        return str(self.type) if self.type_id else str(self.pk)


class TilstandRegistrering(RegistreringBase):
    tilstand = models.ForeignKey(
        Tilstand,
        on_delete=models.PROTECT,
        related_name="registreringer",
        verbose_name=_("tilstand"),
    )

    class Meta(RegistreringBase.Meta):
        verbose_name = _("registrering af tilstand")
        verbose_name_plural = _("registreringer af tilstande")
        constraints = [
            models.UniqueConstraint(fields=["tilstand", "nummer"], name="tilstandreg_unik_nummer")
        ]


class TilstandVersion(VersionBase, TilstandFelter):
    registrering = models.ForeignKey(
        TilstandRegistrering,
        on_delete=models.PROTECT,
        related_name="versioner",
        verbose_name=_("registrering"),
    )

    class Meta(VersionBase.Meta):
        verbose_name = _("version af tilstand")
        verbose_name_plural = _("versioner af tilstande")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(virkning_til__isnull=True)
                | models.Q(virkning_til__gt=models.F("virkning_fra")),
                name="tilstandversion_virkning_orden",
            )
        ]
