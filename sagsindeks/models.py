"""The case index (sagsindeks, U1): which cases about a citizen exist in other systems.

A `Sag` is metadata only, as a fagsystem reports it in a MOX `sag` message: the sending
system, the authority and unit, the case type by KLE number, the title, the progress, the
responsible caseworker and the dates. No case contents (descriptions, journal entries,
documents) are ever stored. The current state lives in `Sag`; every change appends a
`SagRegistrering` with a snapshot of the metadata (the table refuses UPDATE and DELETE),
so nothing about a citizen is overwritten without a trace.

Units, authorities and caseworkers of other systems are often unknown to Datadeling: each
is stored as the uuid the message names, plus a foreign key when Datadeling knows that
uuid, plus a name when the message carries one.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from datadeling.core.bitemporal import Livscykluskode
from datadeling.core.models import RegistreringBase

KLE_MOENSTER = r"^[0-9]{2}(\.[0-9]{2}){0,2}$"
"""A KLE number: main group (27), group (27.24) or subject (27.24.00)."""


class SagFremdrift(models.TextChoices):
    """The progress of a case (LoRa's sagfremdrift)."""

    OPSTAAET = "Opstaaet", _("Opstået")
    OPLYST = "Oplyst", _("Oplyst")
    AFGJORT = "Afgjort", _("Afgjort")
    BESTILT = "Bestilt", _("Bestilt")
    UDFOERT = "Udfoert", _("Udført")
    AFSLUTTET = "Afsluttet", _("Afsluttet")


PASSIVE = (Livscykluskode.PASSIVERET, Livscykluskode.SLETTET)


class Sag(models.Model):
    """One case about a citizen in another system, as that system reported it."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False,
        help_text=_("Afsenderens objektID."),
    )  # fmt: skip
    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="sager",
        verbose_name=_("borger"),
    )  # fmt: skip
    kildesystem = models.CharField(
        _("kildesystem"), max_length=128, help_text=_("Det system, der har sagen.")
    )
    kildesystem_id = models.CharField(
        _("id i kildesystemet"), max_length=255, help_text=_("Sagens brugervendte nøgle.")
    )
    sagsnummer = models.CharField(_("sagsnummer"), max_length=255, blank=True)
    titel = models.CharField(_("titel"), max_length=500)
    kle_nummer = models.CharField(
        _("KLE-nummer"), max_length=8, blank=True, help_text=_("Fx 27.24.00.")
    )
    kle_klasse_uuid = models.UUIDField(
        _("KLE-klasse (uuid)"), null=True, blank=True,
        help_text=_("Sagens primærklasse, som afsenderen angav den."),
    )  # fmt: skip
    ansvarlig_enhed = models.ForeignKey(
        "organisation.Enhed", on_delete=models.PROTECT, null=True, blank=True,
        related_name="sager", verbose_name=_("ansvarlig enhed"),
    )  # fmt: skip
    ansvarlig_enhed_uuid = models.UUIDField(_("ansvarlig enhed (uuid)"), null=True, blank=True)
    ansvarlig_enhed_navn = models.CharField(_("ansvarlig enhed (navn)"), max_length=255, blank=True)
    myndighed = models.ForeignKey(
        "organisation.Myndighed", on_delete=models.PROTECT, null=True, blank=True,
        related_name="sager", verbose_name=_("myndighed"),
    )  # fmt: skip
    myndighed_uuid = models.UUIDField(_("myndighed (uuid)"), null=True, blank=True)
    myndighed_navn = models.CharField(_("myndighed (navn)"), max_length=255, blank=True)
    fremdrift = models.CharField(_("fremdrift"), max_length=16, choices=SagFremdrift.choices)
    primaerbehandler = models.ForeignKey(
        "organisation.Medarbejder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="sager", verbose_name=_("sagsbehandler"),
    )  # fmt: skip
    primaerbehandler_uuid = models.UUIDField(_("sagsbehandler (uuid)"), null=True, blank=True)
    primaerbehandler_navn = models.CharField(_("sagsbehandler (navn)"), max_length=255, blank=True)
    startdato = models.DateField(_("startdato"))
    slutdato = models.DateField(_("slutdato"), null=True, blank=True)
    aktiv = models.BooleanField(_("aktiv"), default=True)
    livscykluskode = models.CharField(
        _("livscykluskode"), max_length=16, choices=Livscykluskode.choices
    )
    oprettet = models.DateTimeField(_("oprettet"))
    opdateret = models.DateTimeField(_("opdateret"))

    class Meta:
        verbose_name = _("sag i sagsindekset")
        verbose_name_plural = _("sagsindeks")
        ordering = ["-startdato", "pk"]
        indexes = [
            models.Index(fields=["borger", "aktiv"], name="sag_borger_aktiv"),
            models.Index(fields=["ansvarlig_enhed"], name="sag_ansvarlig_enhed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(titel=""),
                name="sag_titel_udfyldt",
                violation_error_message=_("En sag skal have en titel."),
            ),
            models.CheckConstraint(
                condition=~Q(kildesystem="") & ~Q(kildesystem_id=""),
                name="sag_kildesystem_udfyldt",
                violation_error_message=_("En sag skal have sit kildesystem og sit id dér."),
            ),
            models.CheckConstraint(
                condition=Q(kle_nummer="") | Q(kle_nummer__regex=KLE_MOENSTER),
                name="sag_kle_format",
                violation_error_message=_("Et KLE-nummer har formen 27, 27.24 eller 27.24.00."),
            ),
            models.CheckConstraint(
                condition=Q(fremdrift__in=SagFremdrift.values), name="sag_fremdrift_gyldig"
            ),
            models.CheckConstraint(
                condition=Q(livscykluskode__in=Livscykluskode.values),
                name="sag_livscykluskode_gyldig",
            ),
            models.CheckConstraint(
                condition=Q(
                    aktiv=True,
                    livscykluskode__in=[k for k in Livscykluskode.values if k not in PASSIVE],
                )
                | Q(aktiv=False, livscykluskode__in=list(PASSIVE)),
                name="sag_aktiv_passend_livscyklus",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(slutdato__isnull=True) | Q(slutdato__gte=F("startdato")),
                name="sag_periode_orden",
                violation_error_message=_("Slutdatoen kan ikke ligge før startdatoen."),
            ),
            # A foreign key is only ever the uuid the message named, resolved.
            models.CheckConstraint(
                condition=Q(ansvarlig_enhed__isnull=True)
                | Q(ansvarlig_enhed_uuid=F("ansvarlig_enhed_id")),
                name="sag_ansvarlig_enhed_uuid",
            ),
            models.CheckConstraint(
                condition=Q(myndighed__isnull=True) | Q(myndighed_uuid=F("myndighed_id")),
                name="sag_myndighed_uuid",
            ),
            models.CheckConstraint(
                condition=Q(primaerbehandler__isnull=True)
                | Q(primaerbehandler_uuid=F("primaerbehandler_id")),
                name="sag_primaerbehandler_uuid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.titel} ({self.kildesystem})"

    @property
    def afsluttet(self) -> bool:
        return self.fremdrift == SagFremdrift.AFSLUTTET

    @property
    def enhed_tekst(self) -> str:
        """Return the responsible unit's name (Datadeling's, else the message's), or ''."""
        if self.ansvarlig_enhed_id is not None:
            return self.ansvarlig_enhed.navn
        return self.ansvarlig_enhed_navn

    @property
    def myndighed_tekst(self) -> str:
        """Return the authority's name: its own, the message's, or the unit's authority."""
        if self.myndighed_id is not None:
            return self.myndighed.navn
        if self.myndighed_navn:
            return self.myndighed_navn
        if self.ansvarlig_enhed_id is not None:
            return self.ansvarlig_enhed.myndighed.navn
        return ""

    @property
    def behandler_tekst(self) -> str:
        """Return the responsible caseworker's name (Datadeling's, else the message's), or ''."""
        if self.primaerbehandler_id is not None:
            return self.primaerbehandler.navn
        return self.primaerbehandler_navn


class SagRegistrering(RegistreringBase):
    """One change of a Sag (transaction time): who, when, why, and the metadata after it."""

    sag = models.ForeignKey(
        Sag, on_delete=models.PROTECT, related_name="registreringer", verbose_name=_("sag")
    )
    data = models.JSONField(_("metadata efter ændringen"), default=dict)

    class Meta(RegistreringBase.Meta):
        verbose_name = _("registrering af sag")
        verbose_name_plural = _("registreringer af sager")
        constraints = [
            models.UniqueConstraint(fields=["sag", "nummer"], name="sagreg_unik_nummer"),
            models.CheckConstraint(
                condition=Q(livscykluskode__in=Livscykluskode.values),
                name="sagreg_livscykluskode_gyldig",
            ),
        ]
