"""Who: authorities, units, staff and their roles; citizens and the people around them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from datadeling.core.models import Gyldighed, UUIDModel, gyldig_q
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


class FunktionStatus(models.TextChoices):
    GODKENDT = "godkendt", _("Godkendt")
    AFVENTER = "afventer", _("Afventer godkendelse")
    AFVIST = "afvist", _("Afvist")
    ERSTATTET = "erstattet", _("Erstattet af en godkendt ændring")


class FunktionQuerySet(models.QuerySet):
    def gaeldende(self, dato: datetime.date | None = None) -> FunktionQuerySet:
        """Return the approved functions valid on the date (today): the ones that grant access."""
        return self.filter(gyldig_q(dato), status=FunktionStatus.GODKENDT)

    def administratorer(self, dato: datetime.date | None = None) -> FunktionQuerySet:
        """Return the approved, valid administrator functions (each makes its holder an
        administrator of its unit's authority)."""
        return self.gaeldende(dato).filter(rolle=Rolle.ADMINISTRATOR)


class Funktion(UUIDModel, Gyldighed):
    """A person's role in a unit, with their profession, for a period.

    Only an approved (`godkendt`) function grants anything. A function an administrator
    gives themself, or asks for in an authority they do not administer, waits (`afventer`)
    until another administrator of the unit's authority approves it (organisation.services).
    Rows made directly in code (demo, MOX-free setups, tests) are approved by default; the
    admin and every screen go through the services.
    """

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
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=FunktionStatus.choices,
        default=FunktionStatus.GODKENDT,
        db_index=True,
    )
    # A pending change of an approved function: approving it replaces that function.
    erstatter = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ændring af"),
    )  # fmt: skip
    # Who asked for a pending function: they may not approve it themself.
    anmodet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("anmodet af"),
    )  # fmt: skip

    objects = FunktionQuerySet.as_manager()

    class Meta:
        verbose_name = _("funktion")
        verbose_name_plural = _("funktioner")
        ordering = ["enhed__navn", "rolle"]
        constraints = [Gyldighed.period_constraint("funktion_gyldighed_orden")]

    def __str__(self) -> str:
        return f"{self.medarbejder} – {self.get_rolle_display()}, {self.enhed}"


class FunktionHandling(models.TextChoices):
    GIVET = "givet", _("Givet")
    ANMODET = "anmodet", _("Anmodet (afventer godkendelse)")
    AENDRET = "aendret", _("Ændret")
    AENDRING_ANMODET = "aendring_anmodet", _("Ændring anmodet (afventer godkendelse)")
    AFSLUTTET = "afsluttet", _("Afsluttet")
    GODKENDT = "godkendt", _("Godkendt")
    AFVIST = "afvist", _("Afvist")


class FunktionHaendelse(UUIDModel):
    """One change of a role (Funktion): who did what, when, in which unit, before and after.

    Append-only (a database trigger refuses UPDATE and DELETE). Names and ids are copied
    in, not linked, so the trail outlives the function, the person and the unit; an access
    log entry names the reader's user, unit and role, which finds the function and its
    trail here (see `organisation.selectors.funktioner_for_adgangslog`).
    """

    tidspunkt = models.DateTimeField(_("tidspunkt"), db_index=True)
    handling = models.CharField(_("handling"), max_length=20, choices=FunktionHandling.choices)
    aktoer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("udført af"),
    )  # fmt: skip
    aktoer_navn = models.CharField(_("udført af (navn)"), max_length=255)
    funktion_uuid = models.UUIDField(_("funktion"), db_index=True)
    medarbejder_uuid = models.UUIDField(_("medarbejder-id"), db_index=True)
    medarbejder_navn = models.CharField(_("medarbejder"), max_length=255)
    myndighed = models.ForeignKey(
        Myndighed, on_delete=models.PROTECT, related_name="+", verbose_name=_("myndighed")
    )
    enhed_uuid = models.UUIDField(_("enheds-id"))
    enhed_navn = models.CharField(_("enhed"), max_length=255)
    foer = models.JSONField(_("før"), null=True, blank=True)
    efter = models.JSONField(_("efter"), null=True, blank=True)

    class Meta:
        verbose_name = _("rolleændring")
        verbose_name_plural = _("rolleændringer (revisionsspor)")
        ordering = ["-tidspunkt"]

    def __str__(self) -> str:
        return f"{self.get_handling_display()}: {self.medarbejder_navn}, {self.enhed_navn}"


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
