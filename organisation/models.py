"""Who: authorities, units, staff and their roles; citizens and the people around them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from datadeling.core.models import Gyldighed, UUIDModel
from organisation.cpr import cpr_birth_date, mask_cpr, validate_cpr


class MyndighedsType(models.TextChoices):
    KOMMUNE = "kommune", _("Kommune")
    REGION = "region", _("Region")
    STAT = "stat", _("Statslig myndighed")


class Myndighed(UUIDModel):
    """An authority: a municipality (with kommunekode), a region or a state body (with CVR)."""

    navn = models.CharField(_("navn"), max_length=255)
    type = models.CharField(_("type"), max_length=16, choices=MyndighedsType.choices)
    kommunekode = models.CharField(
        _("kommunekode"),
        max_length=3,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Tre cifre, fx 751 for Aarhus."),
    )
    cvr = models.CharField(_("CVR-nummer"), max_length=8, null=True, blank=True, unique=True)
    # The guardian group that object permissions granted to the whole authority go to.
    gruppe = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="myndighed", verbose_name=_("rettighedsgruppe"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("myndighed")
        verbose_name_plural = _("myndigheder")
        ordering = ["navn"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kommunekode__isnull=True) | Q(kommunekode__regex=r"^\d{3}$"),
                name="myndighed_kommunekode_format",
                violation_error_message=_("En kommunekode består af tre cifre."),
            ),
            models.CheckConstraint(
                condition=Q(cvr__isnull=True) | Q(cvr__regex=r"^\d{8}$"),
                name="myndighed_cvr_format",
                violation_error_message=_("Et CVR-nummer består af otte cifre."),
            ),
            models.CheckConstraint(
                condition=~Q(type="kommune") | Q(kommunekode__isnull=False),
                name="myndighed_kommune_har_kommunekode",
                violation_error_message=_("En kommune skal have en kommunekode."),
            ),
            models.CheckConstraint(
                condition=Q(type="kommune") | Q(cvr__isnull=False),
                name="myndighed_region_stat_har_cvr",
                violation_error_message=_("En region eller statslig myndighed skal have CVR."),
            ),
        ]

    def __str__(self) -> str:
        return self.navn


class Enhed(UUIDModel, Gyldighed):
    """An organisational unit in an authority's unit tree."""

    myndighed = models.ForeignKey(
        Myndighed, on_delete=models.PROTECT, related_name="enheder", verbose_name=_("myndighed")
    )
    navn = models.CharField(_("navn"), max_length=255)
    overordnet = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="underenheder",
        verbose_name=_("overordnet enhed"),
    )
    enhedstype = models.CharField(_("enhedstype"), max_length=64, blank=True)
    # Same length as mox.System.navn: the rule "a system changes only what it delivered"
    # compares the two exactly.
    kildesystem = models.CharField(
        _("kildesystem"),
        max_length=200,
        blank=True,
        help_text=_("Det system, der leverede enheden via MOX. Tom: oprettet i Datadeling."),
    )
    # The guardian group that object permissions granted to the unit go to. Who belongs
    # to it is decided at query time from valid Funktioner, never from group membership.
    gruppe = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="enhed", verbose_name=_("rettighedsgruppe"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("enhed")
        verbose_name_plural = _("enheder")
        ordering = ["myndighed__navn", "navn"]
        constraints = [
            Gyldighed.period_constraint("enhed_gyldighed_orden"),
            models.CheckConstraint(
                condition=~Q(overordnet=F("id")), name="enhed_ikke_egen_overordnet"
            ),
        ]

    def __str__(self) -> str:
        return self.navn


class Medarbejder(UUIDModel):
    """A member of staff: the profile on a Django user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="medarbejder",
        verbose_name=_("bruger"),
    )
    myndighed = models.ForeignKey(
        Myndighed,
        on_delete=models.PROTECT,
        related_name="medarbejdere",
        verbose_name=_("ansat i"),
    )
    navn = models.CharField(_("navn"), max_length=255)
    titel = models.CharField(_("stillingsbetegnelse"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    telefon = models.CharField(_("telefon"), max_length=32, blank=True)
    kildesystem = models.CharField(
        _("kildesystem"),
        max_length=200,
        blank=True,
        help_text=_("Det system, der leverede medarbejderen via MOX. Tom: oprettet i Datadeling."),
    )

    class Meta:
        verbose_name = _("medarbejder")
        verbose_name_plural = _("medarbejdere")
        ordering = ["navn"]

    def __str__(self) -> str:
        return self.navn


class Rolle(models.TextChoices):
    SAGSBEHANDLER = "sagsbehandler", _("Sagsbehandler")
    LEDER = "leder", _("Leder")
    UDFOERER = "udfoerer", _("Udfører")
    ADMINISTRATOR = "administrator", _("Administrator")


class Funktion(UUIDModel, Gyldighed):
    """A person's role in a unit, with their profession, for a period."""

    medarbejder = models.ForeignKey(
        Medarbejder,
        on_delete=models.CASCADE,
        related_name="funktioner",
        verbose_name=_("medarbejder"),
    )
    enhed = models.ForeignKey(
        Enhed, on_delete=models.PROTECT, related_name="funktioner", verbose_name=_("enhed")
    )
    rolle = models.CharField(_("rolle"), max_length=16, choices=Rolle.choices)
    faglighed = models.ForeignKey(
        "klassifikation.Klasse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("faglighed"),
    )

    class Meta:
        verbose_name = _("funktion")
        verbose_name_plural = _("funktioner")
        ordering = ["enhed__navn", "rolle"]
        constraints = [Gyldighed.period_constraint("funktion_gyldighed_orden")]

    def __str__(self) -> str:
        return f"{self.medarbejder} – {self.get_rolle_display()}, {self.enhed}"


class Borger(UUIDModel):
    """A person in CPR: a citizen whose data is shared, or a relative acting for one.

    `__str__` shows the name only: the CPR number must not reach logs, admin history or
    messages.
    """

    cpr = models.CharField(
        _("CPR-nummer"),
        max_length=10,
        unique=True,
        validators=[validate_cpr],
        help_text=_("10 cifre uden bindestreg."),
    )
    fornavn = models.CharField(_("fornavn(e)"), max_length=255)
    efternavn = models.CharField(_("efternavn"), max_length=255)
    adresse = models.CharField(_("adresse"), max_length=255, blank=True)
    postnummer = models.CharField(_("postnummer"), max_length=4, blank=True)
    by = models.CharField(_("by"), max_length=128, blank=True)
    doedsdato = models.DateField(_("dødsdato"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="borger",
        verbose_name=_("login"),
    )

    class Meta:
        verbose_name = _("borger")
        verbose_name_plural = _("borgere")
        ordering = ["efternavn", "fornavn"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cpr__regex=r"^\d{10}$"),
                name="borger_cpr_format",
                violation_error_message=_("Et CPR-nummer består af præcis 10 cifre."),
            ),
            models.CheckConstraint(
                condition=Q(postnummer="") | Q(postnummer__regex=r"^\d{4}$"),
                name="borger_postnummer_format",
                violation_error_message=_("Et postnummer består af fire cifre."),
            ),
        ]

    def __str__(self) -> str:
        return self.navn

    @property
    def navn(self) -> str:
        return f"{self.fornavn} {self.efternavn}"

    @property
    def cpr_maskeret(self) -> str:
        return mask_cpr(self.cpr)

    @property
    def foedselsdato(self) -> datetime.date:
        return cpr_birth_date(self.cpr)

    def clean(self) -> None:
        super().clean()
        from django.core.exceptions import ValidationError

        if self.doedsdato and self.cpr and len(self.cpr) == 10 and self.cpr.isdigit():
            try:
                born = cpr_birth_date(self.cpr)
            except ValidationError:
                return
            if self.doedsdato < born:
                raise ValidationError(
                    {"doedsdato": _("Dødsdatoen kan ikke ligge før fødselsdatoen.")}
                )
        if self.doedsdato and self.doedsdato > timezone.localdate():
            raise ValidationError({"doedsdato": _("Dødsdatoen kan ikke ligge i fremtiden.")})


class RelationsType(models.TextChoices):
    PAAROERENDE = "paaroerende", _("Pårørende")
    VAERGE = "vaerge", _("Værge")
    FULDMAGT = "fuldmagt", _("Fuldmagt")


class Omfang(models.TextChoices):
    """What a værge or fuldmagt covers."""

    PERSONLIGE = "personlige", _("Personlige forhold")
    HELBRED = "helbred", _("Helbred og pleje")
    SOCIALE = "sociale", _("Sociale forhold og indsatser")
    OEKONOMI = "oekonomi", _("Økonomiske forhold")
    SAMTYKKE = "samtykke", _("Give og tilbagekalde samtykke")
    DIALOG = "dialog", _("Dialog med myndigheder")


class Relation(UUIDModel, Gyldighed):
    """A relation from a citizen to another person: pårørende, værge or fuldmagt."""

    borger = models.ForeignKey(
        Borger, on_delete=models.CASCADE, related_name="relationer", verbose_name=_("borger")
    )
    person = models.ForeignKey(
        Borger,
        on_delete=models.CASCADE,
        related_name="relationer_til",
        verbose_name=_("person"),
        help_text=_("Den pårørende, værgen eller fuldmægtigen."),
    )
    type = models.CharField(_("type"), max_length=16, choices=RelationsType.choices)
    beskrivelse = models.CharField(
        _("beskrivelse"), max_length=255, blank=True, help_text=_("Fx datter, ægtefælle.")
    )
    omfang = ArrayField(
        models.CharField(max_length=16, choices=Omfang.choices),
        default=list,
        blank=True,
        verbose_name=_("omfang"),
        help_text=_("Hvad værgemålet eller fuldmagten omfatter. Tom for pårørende."),
    )

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relationer")
        ordering = ["borger", "type"]
        constraints = [
            Gyldighed.period_constraint("relation_gyldighed_orden"),
            models.CheckConstraint(
                condition=~Q(borger=F("person")),
                name="relation_ikke_til_sig_selv",
                violation_error_message=_("En borger kan ikke have en relation til sig selv."),
            ),
            models.CheckConstraint(
                condition=Q(type="paaroerende") | ~Q(omfang=[]),
                name="relation_omfang_paakraevet",
                violation_error_message=_("En værge eller fuldmagt skal have et omfang."),
            ),
            models.CheckConstraint(
                condition=~Q(type="fuldmagt") | Q(gyldig_til__isnull=False),
                name="relation_fuldmagt_har_slutdato",
                violation_error_message=_("En fuldmagt skal have en slutdato."),
            ),
            models.UniqueConstraint(
                fields=["borger", "person", "type", "gyldig_fra"], name="relation_unik"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} er {self.get_type_display().lower()} for {self.borger}"

    def daekker(self, omfang: str, dato: datetime.date | None = None) -> bool:
        """Return whether the relation is valid on the date and covers the scope."""
        return self.gyldig_paa(dato) and omfang in self.omfang
