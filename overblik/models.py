"""What the portals remember about the people who use them: when they last looked at a
page that tells what is new, what they follow (Følg), and their notifications (see
overblik/notifikation/)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from datadeling.core import clock
from samtykke.models import HaendelseArt


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


class Foelg(models.Model):
    """A member of staff follows a citizen: everything they may see (`alt`), or only chosen
    information: classes (FSIII areas, FFB temaer or intervention types; a class covers
    its subtree), interventions of given legal bases, the cases in the index, the dialogue.

    What they are told is still only what the access policy shows them, when the change
    is fanned out and again when the inbox is shown.
    """

    id = models.BigAutoField(primary_key=True)
    bruger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="foelger",
        verbose_name=_("følger"),
    )  # fmt: skip
    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("borger"),
    )  # fmt: skip
    alt = models.BooleanField(_("alt om borgeren"), default=True)
    klasser = ArrayField(
        models.UUIDField(), default=list, blank=True, verbose_name=_("områder og typer")
    )
    lovgrundlag = ArrayField(
        models.UUIDField(), default=list, blank=True, verbose_name=_("indsatser efter lovgrundlag")
    )
    sager = models.BooleanField(_("sager i sagsindekset"), default=False)
    dialog = models.BooleanField(_("dialogen"), default=False)
    # made because the person's unit registered data about the citizen
    automatisk = models.BooleanField(_("automatisk"), default=False)
    oprettet = models.DateTimeField(_("oprettet"), default=clock.now)

    class Meta:
        verbose_name = _("følg")
        verbose_name_plural = _("følg")
        constraints = [
            models.UniqueConstraint(fields=["bruger", "borger"], name="foelg_en_pr_borger"),
        ]
        indexes = [models.Index(fields=["borger", "id"], name="foelg_borger_id")]

    def __str__(self) -> str:
        return f"{self.bruger_id} følger {self.borger_id}"


class NotifikationIndstillinger(models.Model):
    """One person's notification settings (defaults apply while there is no row)."""

    bruger = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
        related_name="notifikation_indstillinger", verbose_name=_("bruger"),
    )  # fmt: skip
    auto_foelg = models.BooleanField(
        _("følg automatisk borgere, som min enhed registrerer oplysninger om"), default=True
    )
    email = models.BooleanField(_("send mig en e-mail, når der er nyt"), default=False)
    email_minutter = models.PositiveIntegerField(_("højst én e-mail hvert (minutter)"), default=60)
    nye_data = models.BooleanField(
        _("fortæl mig, når der kommer nye oplysninger om mig"), default=False
    )
    sidst_mailet = models.DateTimeField(_("sidste e-mail"), null=True, blank=True)

    class Meta:
        verbose_name = _("indstillinger for notifikationer")
        verbose_name_plural = _("indstillinger for notifikationer")
        constraints = [
            models.CheckConstraint(
                condition=Q(email_minutter__gte=5), name="notifikation_email_minutter_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bruger_id}"


class Notifikation(models.Model):
    """One event in one person's inbox. Unique per event and person, so a fan-out that
    runs twice writes nothing twice. It names the citizen and the object by id only."""

    id = models.BigAutoField(primary_key=True)
    haendelse = models.ForeignKey(
        "samtykke.Haendelse", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("hændelse"),
    )  # fmt: skip
    modtager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifikationer",
        verbose_name=_("modtager"),
    )  # fmt: skip
    art = models.CharField(_("art"), max_length=32, choices=HaendelseArt.choices)
    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", verbose_name=_("borger"),
    )  # fmt: skip
    objekt_id = models.UUIDField(_("objekt"), null=True, blank=True)
    livscykluskode = models.CharField(_("livscykluskode"), max_length=16, blank=True)
    oprettet = models.DateTimeField(_("oprettet"))
    laest = models.DateTimeField(_("læst"), null=True, blank=True)

    class Meta:
        verbose_name = _("notifikation")
        verbose_name_plural = _("notifikationer")
        constraints = [
            models.UniqueConstraint(
                fields=["haendelse", "modtager"], name="notifikation_en_pr_modtager"
            ),
        ]
        indexes = [
            models.Index(fields=["modtager", "-id"], name="notifikation_modtager"),
            models.Index(
                fields=["modtager"], name="notifikation_ulaest", condition=Q(laest__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_art_display()} til {self.modtager_id}"
