"""What the portals remember about a person's use of them: when they last looked."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    """The pages that tell what is new since a person last looked."""

    ARBEJDSLISTE_SVAR = "arbejdsliste_svar", _("Arbejdslistens svar på anmodninger")
    BORGER_FORSIDE = "borger_forside", _("Borgerens forside")


class SidstSet(models.Model):
    """When a person last looked at a page that tells what is new (per citizen they act for
    on the citizen's front page). `forrige` is the time before the current visit: what is
    newer than it is shown as new, and stays so while the visit lasts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("bruger"),
    )  # fmt: skip
    side = models.CharField(_("side"), max_length=32, choices=Side.choices)
    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", verbose_name=_("for borger"),
    )  # fmt: skip
    sidst = models.DateTimeField(_("sidst set"))
    forrige = models.DateTimeField(_("besøget før"), null=True, blank=True)

    class Meta:
        verbose_name = _("sidst set")
        verbose_name_plural = _("sidst set")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "side", "borger"],
                name="sidst_set_unik",
                nulls_distinct=False,
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(forrige__isnull=True) | Q(forrige__lte=models.F("sidst")),
                name="sidst_set_orden",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.side} {self.sidst:%d.%m.%Y %H:%M}"
