"""Access: the access log now; consent, requests and legal-basis access build on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Grundlag(models.TextChoices):
    """On what basis a person read a citizen's data."""

    EGEN_ENHED = "egen_enhed", _("Egen enheds data")
    SAMTYKKE = "samtykke", _("Samtykke")
    HJEMMEL = "hjemmel", _("Lovhjemmel")
    BORGER = "borger", _("Borgeren selv")
    RELATION = "relation", _("Pårørende, værge eller fuldmagt")
    ADMINISTRATION = "administration", _("Administration")


class Handling(models.TextChoices):
    VISNING = "visning", _("Visning")
    EKSPORT = "eksport", _("Eksport")
    ADMIN = "admin", _("Visning i administrationen")
    INTEGRATION = "integration", _("Levering til fagsystem")


class Adgangslog(models.Model):
    """One read of a citizen's data. Append-only, hash-chained per citizen.

    The names of the reader, unit, role and profession are copied in, so the entry still
    says who it was when those records change later.
    """

    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("borger"),
    )  # fmt: skip
    nummer = models.PositiveIntegerField(_("nummer i borgerens log"))
    tidspunkt = models.DateTimeField(_("tidspunkt"), db_index=True)
    bruger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("bruger"),
    )  # fmt: skip
    navn = models.CharField(_("hvem"), max_length=255)
    enhed = models.ForeignKey(
        "organisation.Enhed", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("enhed"),
    )  # fmt: skip
    enhed_navn = models.CharField(_("enhed"), max_length=255, blank=True)
    myndighed_navn = models.CharField(_("myndighed"), max_length=255, blank=True)
    rolle = models.CharField(_("rolle"), max_length=64, blank=True)
    faglighed = models.CharField(_("faglighed"), max_length=255, blank=True)
    handler_for = models.ForeignKey(
        "organisation.Relation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("handler for borgeren via"),
    )  # fmt: skip
    handling = models.CharField(_("handling"), max_length=16, choices=Handling.choices)
    hvad = models.CharField(_("hvad"), max_length=500)
    objekter = models.JSONField(_("objekter"), default=list, blank=True)
    kategorier = models.JSONField(_("kategorier"), default=list, blank=True)
    formaal = models.CharField(_("formål"), max_length=500, blank=True)
    grundlag = models.CharField(_("grundlag"), max_length=16, choices=Grundlag.choices)
    grundlag_id = models.UUIDField(_("samtykke eller hjemmel"), null=True, blank=True)
    forrige_hash = models.CharField(_("forrige hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("adgangslog")
        verbose_name_plural = _("adgangslog")
        ordering = ["borger", "nummer"]
        constraints = [
            models.UniqueConstraint(fields=["borger", "nummer"], name="adgangslog_unik_nummer")
        ]

    def __str__(self) -> str:
        return f"{self.navn}: {self.hvad} ({self.tidspunkt:%d.%m.%Y %H:%M})"
