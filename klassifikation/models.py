"""Words: code systems, their classes, each profession's terms and the mappings between them."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from datadeling.core.models import UUIDModel

# Codes that are not UUIDs (FSIII's old letter codes such as "J1.1") get a stable UUID
# derived from the code system's URI and the code, so every class has a UUID identifier.
KLASSE_NAMESPACE = uuid.UUID("6f1c3b52-0d1e-4a8f-9a57-d4a1c8e0b7a1")


def klasse_uuid(uri: str, kode: str) -> uuid.UUID:
    """Return the class's identifier: its own code if that is a UUID, else one derived from it."""
    try:
        return uuid.UUID(kode)
    except ValueError:
        return uuid.uuid5(KLASSE_NAMESPACE, f"{uri}|{kode}")


class Status(models.TextChoices):
    AKTIV = "active", _("Aktiv")
    UDKAST = "draft", _("Udkast")
    UDGAAET = "retired", _("Udgået")
    UKENDT = "unknown", _("Ukendt")


class Klassifikation(UUIDModel):
    """A code system such as FSIII or FFB, identified by its canonical URI."""

    uri = models.CharField(_("URI"), max_length=255, unique=True)
    version = models.CharField(_("version"), max_length=64, blank=True)
    navn = models.CharField(_("navn"), max_length=128)
    titel = models.CharField(_("titel"), max_length=255)
    beskrivelse = models.TextField(_("beskrivelse"), blank=True)
    ejer = models.CharField(_("ejer"), max_length=255, blank=True)
    kilde = models.TextField(_("kilde"), blank=True, help_text=_("Hvor kodesystemet kommer fra."))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.AKTIV
    )
    importeret = models.DateTimeField(_("sidst importeret"), null=True, blank=True)

    class Meta:
        verbose_name = _("klassifikation")
        verbose_name_plural = _("klassifikationer")
        ordering = ["titel"]
        constraints = [
            models.CheckConstraint(condition=~Q(uri=""), name="klassifikation_uri_ikke_tom")
        ]

    def __str__(self) -> str:
        return f"{self.titel} ({self.version})" if self.version else self.titel


class Klasse(UUIDModel):
    """A concept (class) in a code system, with its place in the system's tree."""

    klassifikation = models.ForeignKey(
        Klassifikation,
        on_delete=models.PROTECT,
        related_name="klasser",
        verbose_name=_("klassifikation"),
    )
    kode = models.CharField(_("kode"), max_length=128)
    titel = models.CharField(_("titel"), max_length=500)
    definition = models.TextField(_("definition"), blank=True)
    overordnet = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="underordnede",
        verbose_name=_("overordnet klasse"),
    )
    # Ancestors from the root down, kept by the importer, so a class's place in the tree
    # is read with one query.
    sti = ArrayField(models.UUIDField(), default=list, blank=True, verbose_name=_("sti"))
    niveau = models.PositiveSmallIntegerField(_("niveau"), default=0)
    raekkefoelge = models.PositiveIntegerField(_("rækkefølge"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.AKTIV
    )
    egenskaber = models.JSONField(_("egenskaber"), default=dict, blank=True)
    gyldig_fra = models.DateField(_("gyldig fra"), null=True, blank=True)
    gyldig_til = models.DateField(_("gyldig til"), null=True, blank=True)

    class Meta:
        verbose_name = _("klasse")
        verbose_name_plural = _("klasser")
        ordering = ["klassifikation", "raekkefoelge"]
        constraints = [
            models.UniqueConstraint(
                fields=["klassifikation", "kode"], name="klasse_unik_kode_i_klassifikation"
            ),
            models.CheckConstraint(
                condition=~Q(overordnet=F("id")), name="klasse_ikke_egen_overordnet"
            ),
            models.CheckConstraint(condition=~Q(kode=""), name="klasse_kode_ikke_tom"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="klasse_status_gyldig"
            ),
            models.CheckConstraint(
                condition=Q(gyldig_til__isnull=True)
                | Q(gyldig_fra__isnull=True)
                | Q(gyldig_til__gt=F("gyldig_fra")),
                name="klasse_gyldighed_orden",
            ),
        ]
        indexes = [
            GinIndex(fields=["sti"], name="klasse_sti_gin"),
            models.Index(fields=["titel"], name="klasse_titel_idx"),
        ]

    def __str__(self) -> str:
        return self.titel

    @property
    def vist_kode(self) -> str:
        """Return the code as users read it: "" for a code that is a UUID (FSIII's), which
        says nothing to a person; the admin and MOX use `kode` itself."""
        try:
            uuid.UUID(self.kode)
        except ValueError:
            return self.kode
        return ""

    def get_absolute_url(self) -> str:
        return reverse("klassifikation:klasse", kwargs={"pk": self.pk})


class Betegnelse(UUIDModel):
    """Another word for a class: a synonym, or the term a profession uses for it."""

    klasse = models.ForeignKey(
        Klasse, on_delete=models.CASCADE, related_name="betegnelser", verbose_name=_("klasse")
    )
    tekst = models.CharField(_("betegnelse"), max_length=500)
    faglighed = models.ForeignKey(
        Klasse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("faglighed"),
        help_text=_("Den faglighed, der bruger ordet. Tom: et synonym for alle."),
    )
    sprog = models.CharField(_("sprog"), max_length=16, default="da")
    brug = models.CharField(_("brug"), max_length=128, blank=True)
    # The importer owns the terms it brought in (and only those): a newer version of the
    # same file may change or remove them, while terms entered in Datadeling stay.
    kilde = models.CharField(
        _("kilde"),
        max_length=255,
        blank=True,
        help_text=_(
            "URI på det kodesystem eller supplement, betegnelsen er importeret fra. "
            "Tom: oprettet i Datadeling."
        ),
    )

    class Meta:
        verbose_name = _("betegnelse")
        verbose_name_plural = _("betegnelser")
        ordering = ["tekst"]
        constraints = [
            models.UniqueConstraint(
                fields=["klasse", "tekst", "faglighed"],
                name="betegnelse_unik",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=~Q(tekst=""), name="betegnelse_tekst_ikke_tom"),
        ]

    def __str__(self) -> str:
        return self.tekst


class Supplement(UUIDModel):
    """A FHIR CodeSystem supplement: extra terms for the classes of one code system."""

    uri = models.CharField(_("URI"), max_length=255, unique=True)
    version = models.CharField(_("version"), max_length=64, blank=True)
    navn = models.CharField(_("navn"), max_length=128)
    titel = models.CharField(_("titel"), max_length=255)
    beskrivelse = models.TextField(_("beskrivelse"), blank=True)
    ejer = models.CharField(_("ejer"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.AKTIV
    )
    klassifikation = models.ForeignKey(
        Klassifikation,
        on_delete=models.PROTECT,
        related_name="supplementer",
        verbose_name=_("supplerer"),
    )
    importeret = models.DateTimeField(_("sidst importeret"), null=True, blank=True)

    class Meta:
        verbose_name = _("supplement")
        verbose_name_plural = _("supplementer")
        ordering = ["titel"]

    def __str__(self) -> str:
        return f"{self.titel} ({self.version})" if self.version else self.titel


class Mappingsaet(UUIDModel):
    """A set of mappings published together (a FHIR ConceptMap), with its source and version."""

    uri = models.CharField(_("URI"), max_length=255, unique=True)
    version = models.CharField(_("version"), max_length=64, blank=True)
    navn = models.CharField(_("navn"), max_length=128)
    titel = models.CharField(_("titel"), max_length=255)
    beskrivelse = models.TextField(_("beskrivelse"), blank=True)
    ejer = models.CharField(_("ejer"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.AKTIV
    )
    importeret = models.DateTimeField(_("sidst importeret"), null=True, blank=True)

    class Meta:
        verbose_name = _("mappingsæt")
        verbose_name_plural = _("mappingsæt")
        ordering = ["titel"]

    def __str__(self) -> str:
        return f"{self.titel} ({self.version})" if self.version else self.titel


class MappingRelation(models.TextChoices):
    EXACT = "exact", _("Samme betydning")
    CLOSE = "close", _("Næsten samme betydning")
    BROAD = "broad", _("Bredere begreb")
    NARROW = "narrow", _("Snævrere begreb")
    RELATED = "related", _("Beslægtet begreb")


class Mapping(UUIDModel):
    """A SKOS-style relation from a class in one code system to a class in another."""

    fra_klasse = models.ForeignKey(
        Klasse,
        on_delete=models.CASCADE,
        related_name="mappings_fra",
        verbose_name=_("fra klasse"),
    )
    til_klasse = models.ForeignKey(
        Klasse,
        on_delete=models.CASCADE,
        related_name="mappings_til",
        verbose_name=_("til klasse"),
    )
    relation = models.CharField(_("relation"), max_length=16, choices=MappingRelation.choices)
    kommentar = models.TextField(_("kommentar"), blank=True)
    mappingsaet = models.ForeignKey(
        Mappingsaet,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mappings",
        verbose_name=_("mappingsæt"),
        help_text=_(
            "Det importerede mappingsæt, mappingen kommer fra. Tom: oprettet i Datadeling."
        ),
    )

    class Meta:
        verbose_name = _("mapping")
        verbose_name_plural = _("mappings")
        constraints = [
            # Two published sets may state the same relation; each owns its own row.
            models.UniqueConstraint(
                fields=["mappingsaet", "fra_klasse", "til_klasse", "relation"],
                name="mapping_unik",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=~Q(fra_klasse=F("til_klasse")),
                name="mapping_ikke_til_sig_selv",
                violation_error_message=_("En klasse kan ikke mappes til sig selv."),
            ),
            models.CheckConstraint(
                condition=Q(relation__in=MappingRelation.values), name="mapping_relation_gyldig"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fra_klasse} → {self.til_klasse} ({self.get_relation_display()})"
