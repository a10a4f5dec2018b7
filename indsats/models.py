"""Indsats: a coded intervention (ydelse / tilbud) with legal basis, goals, progress, history."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from datadeling.core.models import HistoriskObjekt, RegistreringBase, UUIDModel, VersionBase
from datadeling.core.proveniens import Proveniens


class Fremdrift(models.TextChoices):
    """Progress of an intervention, with LoRa's values for Indsats (fremdrift)."""

    UOPLYST = "Uoplyst", _("Uoplyst")
    VISITERET = "Visiteret", _("Visiteret")
    DISPONERET = "Disponeret", _("Disponeret")
    LEVERET = "Leveret", _("Leveret")
    VURDERET = "Vurderet", _("Vurderet")


def _klasse(verbose: str, help_text: str = "") -> models.ForeignKey:
    return models.ForeignKey(
        "klassifikation.Klasse", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=verbose, help_text=help_text,
    )  # fmt: skip


def _enhed(verbose: str) -> models.ForeignKey:
    return models.ForeignKey(
        "organisation.Enhed", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=verbose,
    )  # fmt: skip


class IndsatsFelter(Proveniens):
    """The versioned fields of an Indsats."""

    type = models.ForeignKey(
        "klassifikation.Klasse", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("indsats"), help_text=_("En ydelse eller et tilbud fra FSIII eller FFB."),
    )  # fmt: skip
    lovgrundlag = _klasse(_("lovgrundlag"), _("Fx SEL § 85 eller SUL § 138."))
    bevilgende_enhed = _enhed(_("bevilgende enhed"))
    leverende_enhed = _enhed(_("leverende enhed"))
    leverandoer = models.CharField(
        _("leverandør"), max_length=255, blank=True,
        help_text=_("Udfylde når leverandøren ikke er en enhed i Datadeling."),
    )  # fmt: skip
    startdato = models.DateField(_("startdato"))
    slutdato = models.DateField(_("slutdato"), null=True, blank=True)
    fremdrift = models.CharField(
        _("fremdrift"), max_length=16, choices=Fremdrift.choices, default=Fremdrift.VISITERET
    )
    afsluttet = models.BooleanField(_("afsluttet"), default=False)
    ophoersgrund = _klasse(_("begrundelse for ophør"))
    formaal = models.TextField(_("indsatsformål"), blank=True)
    maal = models.JSONField(
        _("indsatsmål"), default=list, blank=True,
        help_text=_('Liste af {"tekst": …, "tilstande": [uuid, …]}.'),
    )  # fmt: skip
    tilstande = ArrayField(
        models.UUIDField(), default=list, blank=True,
        verbose_name=_("tilstande indsatsen retter sig mod"),
    )  # fmt: skip
    maalgruppe = _klasse(_("målgruppe"), _("FFB målgruppe."))
    opfoelgningsresultat = _klasse(_("resultat af opfølgning"))
    opfoelgning = models.DateField(_("planlagt opfølgning"), null=True, blank=True)

    class Meta:
        abstract = True


class Indsats(UUIDModel, HistoriskObjekt, IndsatsFelter):
    """A citizen's intervention as it stands now; its history is in its registrations."""

    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="indsatser",
        verbose_name=_("borger"),
    )  # fmt: skip
    registrering = models.ForeignKey(
        "IndsatsRegistrering", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("nyeste registrering"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("indsats")
        verbose_name_plural = _("indsatser")
        ordering = ["-startdato"]
        indexes = [
            models.Index(fields=["borger", "aktiv"], name="indsats_borger_aktiv"),
            models.Index(fields=["ansvarlig_enhed", "aktiv"], name="indsats_enhed_aktiv"),
            models.Index(fields=["kildesystem", "kildesystem_id"], name="indsats_kildesystem"),
            GinIndex(fields=["tilstande"], name="indsats_tilstande_gin"),
        ]

    def __str__(self) -> str:
        return str(self.type) if self.type_id else str(self.pk)


class IndsatsRegistrering(RegistreringBase):
    indsats = models.ForeignKey(
        Indsats, on_delete=models.PROTECT, related_name="registreringer",
        verbose_name=_("indsats"),
    )  # fmt: skip

    class Meta(RegistreringBase.Meta):
        verbose_name = _("registrering af indsats")
        verbose_name_plural = _("registreringer af indsatser")
        constraints = [
            models.UniqueConstraint(fields=["indsats", "nummer"], name="indsatsreg_unik_nummer")
        ]


class IndsatsVersion(VersionBase, IndsatsFelter):
    registrering = models.ForeignKey(
        IndsatsRegistrering, on_delete=models.PROTECT, related_name="versioner",
        verbose_name=_("registrering"),
    )  # fmt: skip

    class Meta(VersionBase.Meta):
        verbose_name = _("version af indsats")
        verbose_name_plural = _("versioner af indsatser")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(virkning_til__isnull=True)
                | models.Q(virkning_til__gt=models.F("virkning_fra")),
                name="indsatsversion_virkning_orden",
            ),
            models.CheckConstraint(
                condition=models.Q(slutdato__isnull=True)
                | models.Q(slutdato__gte=models.F("startdato")),
                name="indsatsversion_periode_orden",
            ),
        ]


class BorgerensStemme(UUIDModel):
    """The citizen's own words about an intervention's goals: what the goal means to them
    and how it is going, written by the citizen (or someone acting for them). Shown beside
    the professional follow-up and marked as the citizen's own. Never changed: a new entry
    is a new row, the newest is shown and the older ones are its history."""

    indsats = models.ForeignKey(
        Indsats, on_delete=models.PROTECT, related_name="stemmer", verbose_name=_("indsats")
    )
    betydning = models.TextField(_("hvad målet betyder for borgeren"), blank=True)
    forloeb = models.TextField(_("sådan går det, med borgerens ord"), blank=True)
    skrevet_af = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("skrevet af"),
    )  # fmt: skip
    via_relation = models.ForeignKey(
        "organisation.Relation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("via relation"),
    )  # fmt: skip
    oprettet = models.DateTimeField(_("skrevet"))

    class Meta:
        verbose_name = _("borgerens ord om målet")
        verbose_name_plural = _("borgerens ord om målene")
        ordering = ["-oprettet"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(betydning="", forloeb=""), name="stemme_har_tekst"
            )
        ]
        indexes = [models.Index(fields=["indsats", "oprettet"], name="stemme_indsats")]

    def __str__(self) -> str:
        return (self.forloeb or self.betydning)[:60]
