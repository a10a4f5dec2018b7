"""Access: the access log now; consent, requests and legal-basis access build on it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


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

    # No foreign key in the database (migration 0006): the chain head, written by the same
    # statement, has one to the citizen, so the entry's own check only cost a row lock on
    # the citizen's row for every read. PROTECT still holds here and in the database.
    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("borger"), db_index=False,  # (borger, nummer) below serves it
        db_constraint=False,
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
        db_index=False,  # the partial index below: most entries have none
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
        # The table is partitioned by month on `tidspunkt` (migration 0005, docs/adgang.md):
        # its primary key in the database is (id, tidspunkt), and a unique (borger, nummer)
        # cannot span partitions. Numbers stay unique because every writer takes the
        # citizen's chain lock (samtykke_adgangslog_skriv), and the verifier names a
        # duplicate as a break. Django keeps `id` as its key: ids come from one sequence,
        # and the admin cannot register a model with a composite primary key.
        indexes = [
            models.Index(fields=["borger", "nummer"], name="adgangslog_borger_nummer"),
            models.Index(
                fields=["handler_for"], name="adgangslog_handler_for",
                condition=models.Q(handler_for__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.navn}: {self.hvad} ({self.tidspunkt:%d.%m.%Y %H:%M})"


class AdgangslogHoved(models.Model):
    """The newest entry of one citizen's access-log chain: where the next entry links on.

    Written by the same statement as the entries (samtykke_adgangslog_skriv), so a writer
    finds the chain's end with one index probe instead of one per monthly partition, and
    the verifier notices when the newest entries of a chain are gone.
    """

    borger = models.OneToOneField(
        "organisation.Borger", on_delete=models.PROTECT, primary_key=True, related_name="+",
        verbose_name=_("borger"),
    )  # fmt: skip
    nummer = models.PositiveIntegerField(_("nummer på nyeste post"))
    hash = models.CharField(_("hash på nyeste post"), max_length=64)
    tidspunkt = models.DateTimeField(_("tidspunkt for nyeste post"))

    class Meta:
        verbose_name = _("adgangslogs kædehoved")
        verbose_name_plural = _("adgangslogs kædehoveder")

    def __str__(self) -> str:
        return f"{self.borger_id}: nr. {self.nummer}"


class AdgangslogAnker(models.Model):
    """Where a citizen's chain continued when a month of the log was deleted (retention).

    One row per citizen with entries in the deleted partition: its last entry's number and
    hash. The verifier starts that citizen's chain here, so the kept entries still verify
    and a missing kept partition is still a break. Append-only, like the log.
    """

    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("borger"),
    )  # fmt: skip
    nummer = models.PositiveIntegerField(_("nummer på sidste slettede post"))
    hash = models.CharField(_("hash på sidste slettede post"), max_length=64)
    tidspunkt = models.DateTimeField(_("tidspunkt for sidste slettede post"))
    partition = models.CharField(_("slettet partition"), max_length=63)
    slettet = models.DateTimeField(_("slettet"))

    class Meta:
        verbose_name = _("adgangslogs anker")
        verbose_name_plural = _("adgangslogs ankre")
        indexes = [models.Index(fields=["borger", "-nummer"], name="adgangslog_anker_borger")]

    def __str__(self) -> str:
        return f"{self.borger_id}: nr. {self.nummer} ({self.partition})"


class Beslutning(models.TextChoices):
    TILLAD = "tillad", _("Giver samtykke")
    AFVIS = "afvis", _("Blokerer")


class SamtykkeStatus(models.TextChoices):
    AKTIV = "aktiv", _("Aktiv")
    TILBAGEKALDT = "tilbagekaldt", _("Tilbagekaldt")


class Samtykke(models.Model):
    """One version of a consent (or a block). Never changed: a narrower, longer or revoked
    consent is a new version that supersedes this one (`erstatter`).

    Whether a version is in force is decided at query time (`i_kraft_q`): it is the newest
    of its chain, not revoked, and its period covers now. No periodic job is needed for
    expiry or revocation to take effect.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kaede = models.UUIDField(
        _("samtykke-id"), db_index=True, help_text=_("Fælles for alle versioner.")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    erstatter = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="erstattet_af",
        verbose_name=_("erstatter version"),
    )  # fmt: skip
    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="samtykker",
        verbose_name=_("borger"),
    )  # fmt: skip
    givet_af = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("givet af"), help_text=_("Borgeren selv, en værge eller en fuldmægtig."),
    )  # fmt: skip
    via_relation = models.ForeignKey(
        "organisation.Relation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("via relation"),
    )  # fmt: skip
    modtager_enhed = models.ForeignKey(
        "organisation.Enhed", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("til enhed"),
    )  # fmt: skip
    modtager_myndighed = models.ForeignKey(
        "organisation.Myndighed", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("til myndighed"),
    )  # fmt: skip
    modtager_medarbejder = models.ForeignKey(
        "organisation.Medarbejder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("til medarbejder"),
    )  # fmt: skip
    faglighed = models.ForeignKey(
        "klassifikation.Klasse", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("kun faglighed"),
    )  # fmt: skip
    kategorier = ArrayField(
        models.UUIDField(), default=list, blank=True, verbose_name=_("kategorier"),
        help_text=_("Klasser hvis undertræ samtykket omfatter (fx FFB «Mentale funktioner»)."),
    )  # fmt: skip
    kilder = ArrayField(
        models.UUIDField(), default=list, blank=True, verbose_name=_("kilder"),
        help_text=_("De enheder, hvis oplysninger må deles."),
    )  # fmt: skip
    sagsindeks = models.BooleanField(_("oversigt over sager"), default=False)
    dialog = models.BooleanField(_("dialog"), default=False)
    formaal = models.TextField(_("formål"), blank=True)
    gyldig_fra = models.DateTimeField(_("gyldig fra"))
    gyldig_til = models.DateTimeField(_("gyldig til"))
    beslutning = models.CharField(_("beslutning"), max_length=8, choices=Beslutning.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=SamtykkeStatus.choices, default=SamtykkeStatus.AKTIV
    )
    tekst = models.TextField(_("teksten borgeren så"))
    tekst_version = models.CharField(_("tekstens version"), max_length=32)
    assisteret = models.BooleanField(
        _("assisteret"), default=False,
        help_text=_("Registreret af en medarbejder efter samtykke på papir eller i et møde."),
    )  # fmt: skip
    vidne = models.CharField(_("vidne"), max_length=255, blank=True)
    registreret_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("registreret af"),
    )  # fmt: skip
    anmodning = models.ForeignKey(
        "Anmodning", on_delete=models.PROTECT, null=True, blank=True, related_name="svar",
        verbose_name=_("svar på anmodning"),
    )  # fmt: skip
    oprettet = models.DateTimeField(_("oprettet"))

    class Meta:
        verbose_name = _("samtykke")
        verbose_name_plural = _("samtykker")
        ordering = ["-oprettet"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        modtager_enhed__isnull=False,
                        modtager_myndighed__isnull=True,
                        modtager_medarbejder__isnull=True,
                    )
                    | Q(
                        modtager_enhed__isnull=True,
                        modtager_myndighed__isnull=False,
                        modtager_medarbejder__isnull=True,
                    )
                    | Q(
                        modtager_enhed__isnull=True,
                        modtager_myndighed__isnull=True,
                        modtager_medarbejder__isnull=False,
                    )
                ),
                name="samtykke_praecis_en_modtager",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(gyldig_til__gt=F("gyldig_fra")), name="samtykke_periode_orden"
            ),
            # Retssikkerhedsloven § 11 a: a consent names kinds of information, sources and
            # purpose. A block may be blanket.
            models.CheckConstraint(
                condition=Q(beslutning="afvis")
                | (~Q(kategorier=[]) | Q(sagsindeks=True) | Q(dialog=True))
                & ~Q(kilder=[])
                & ~Q(formaal=""),
                name="samtykke_specifikt",
            ),
            models.UniqueConstraint(fields=["kaede", "version"], name="samtykke_unik_version"),
            models.CheckConstraint(
                condition=~Q(assisteret=True) | ~Q(vidne=""), name="samtykke_assisteret_vidne"
            ),
        ]
        indexes = [models.Index(fields=["borger", "beslutning"], name="samtykke_borger_beslutning")]

    def __str__(self) -> str:
        periode = f"{self.gyldig_fra:%d.%m.%Y}–{self.gyldig_til:%d.%m.%Y}"
        return f"{self.get_beslutning_display()} v{self.version} ({periode})"

    @property
    def modtager(self):
        return self.modtager_enhed or self.modtager_myndighed or self.modtager_medarbejder


def i_kraft_q(now, prefix: str = "") -> Q:
    """Return the filter for consent versions in force at `now` (decided at query time)."""
    return Q(
        **{
            f"{prefix}status": SamtykkeStatus.AKTIV,
            f"{prefix}gyldig_fra__lte": now,
            f"{prefix}gyldig_til__gt": now,
            f"{prefix}erstattet_af__isnull": True,
        }
    )


class AnmodningStatus(models.TextChoices):
    AFVENTER = "afventer", _("Afventer svar")
    BESVARET = "besvaret", _("Besvaret")
    AFVIST = "afvist", _("Afvist")
    TRUKKET = "trukket", _("Trukket tilbage")


class Anmodning(models.Model):
    """A caseworker's request for consent, answered by the citizen or someone acting for them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="anmodninger",
        verbose_name=_("borger"),
    )  # fmt: skip
    anmoder = models.ForeignKey(
        "organisation.Medarbejder", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("anmodet af"),
    )  # fmt: skip
    modtager_enhed = models.ForeignKey(
        "organisation.Enhed", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("til enhed"),
    )  # fmt: skip
    kategorier = ArrayField(models.UUIDField(), default=list, blank=True)
    kilder = ArrayField(models.UUIDField(), default=list, blank=True)
    sagsindeks = models.BooleanField(default=False)
    dialog = models.BooleanField(default=False)
    formaal = models.TextField(_("formål"))
    begrundelse = models.TextField(_("hvorfor (i et sprog borgeren forstår)"))
    varighed_dage = models.PositiveIntegerField(_("ønsket varighed i dage"))
    status = models.CharField(
        max_length=16, choices=AnmodningStatus.choices, default=AnmodningStatus.AFVENTER
    )
    oprettet = models.DateTimeField(_("oprettet"))
    besvaret = models.DateTimeField(_("besvaret"), null=True, blank=True)

    class Meta:
        verbose_name = _("anmodning om samtykke")
        verbose_name_plural = _("anmodninger om samtykke")
        ordering = ["-oprettet"]

    def __str__(self) -> str:
        return f"{self.modtager_enhed}: {self.formaal[:60]}"


class Hjemmel(models.Model):
    """Access to one citizen on a legal basis other than consent: time-limited, justified,
    reviewed by a leader afterwards, and shown clearly in the citizen's log."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="hjemler",
        verbose_name=_("borger"),
    )  # fmt: skip
    medarbejder = models.ForeignKey(
        "organisation.Medarbejder", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("medarbejder"),
    )  # fmt: skip
    enhed = models.ForeignKey(
        "organisation.Enhed", on_delete=models.PROTECT, related_name="+", verbose_name=_("enhed")
    )
    lovgrundlag = models.ForeignKey(
        "klassifikation.Klasse", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("lovgrundlag"),
    )  # fmt: skip
    begrundelse = models.TextField(_("begrundelse"))
    gyldig_fra = models.DateTimeField(_("gyldig fra"))
    gyldig_til = models.DateTimeField(_("gyldig til"))
    oprettet = models.DateTimeField(_("oprettet"))

    class Meta:
        verbose_name = _("adgang på lovhjemmel")
        verbose_name_plural = _("adgange på lovhjemmel")
        ordering = ["-oprettet"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gyldig_til__gt=F("gyldig_fra")), name="hjemmel_periode_orden"
            ),
            models.CheckConstraint(condition=~Q(begrundelse=""), name="hjemmel_begrundet"),
        ]

    def __str__(self) -> str:
        return f"{self.lovgrundlag}: {self.medarbejder} ({self.gyldig_fra:%d.%m.%Y})"


class Gennemgang(models.TextChoices):
    GODKENDT = "godkendt", _("Godkendt")
    FLAGET = "flaget", _("Markeret til opfølgning")


class HjemmelGennemgang(models.Model):
    """A leader's review of a legal-basis access, afterwards."""

    hjemmel = models.OneToOneField(
        Hjemmel, on_delete=models.PROTECT, related_name="gennemgang", verbose_name=_("adgang")
    )
    leder = models.ForeignKey(
        "organisation.Medarbejder", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("leder"),
    )  # fmt: skip
    resultat = models.CharField(_("resultat"), max_length=16, choices=Gennemgang.choices)
    kommentar = models.TextField(_("kommentar"), blank=True)
    tidspunkt = models.DateTimeField(_("tidspunkt"))

    class Meta:
        verbose_name = _("gennemgang af lovhjemmel")
        verbose_name_plural = _("gennemgange af lovhjemmel")

    def __str__(self) -> str:
        return f"{self.get_resultat_display()} af {self.leder}"


# The grant rows (guardian's direct foreign-key permission models). Each names the consent
# version that granted it, and the policy joins that consent's state at query time, so a
# stale row (consent superseded, revoked or expired) grants nothing. guardian's own
# has_perm / get_objects_for_user would still count such a row: never use them on citizen
# data; samtykke.policy is the last word.


class TilstandGruppeTilladelse(GroupObjectPermissionBase):
    content_object = models.ForeignKey("tilstand.Tilstand", on_delete=models.CASCADE)
    samtykke = models.ForeignKey(Samtykke, on_delete=models.CASCADE, related_name="+")

    class Meta(GroupObjectPermissionBase.Meta):
        unique_together = ["group", "permission", "content_object", "samtykke"]
        verbose_name = _("tilladelse til tilstand (enhed)")
        verbose_name_plural = _("tilladelser til tilstande (enheder)")


class TilstandBrugerTilladelse(UserObjectPermissionBase):
    content_object = models.ForeignKey("tilstand.Tilstand", on_delete=models.CASCADE)
    samtykke = models.ForeignKey(Samtykke, on_delete=models.CASCADE, related_name="+")

    class Meta(UserObjectPermissionBase.Meta):
        unique_together = ["user", "permission", "content_object", "samtykke"]
        verbose_name = _("tilladelse til tilstand (medarbejder)")
        verbose_name_plural = _("tilladelser til tilstande (medarbejdere)")


class IndsatsGruppeTilladelse(GroupObjectPermissionBase):
    content_object = models.ForeignKey("indsats.Indsats", on_delete=models.CASCADE)
    samtykke = models.ForeignKey(Samtykke, on_delete=models.CASCADE, related_name="+")

    class Meta(GroupObjectPermissionBase.Meta):
        unique_together = ["group", "permission", "content_object", "samtykke"]
        verbose_name = _("tilladelse til indsats (enhed)")
        verbose_name_plural = _("tilladelser til indsatser (enheder)")


class IndsatsBrugerTilladelse(UserObjectPermissionBase):
    content_object = models.ForeignKey("indsats.Indsats", on_delete=models.CASCADE)
    samtykke = models.ForeignKey(Samtykke, on_delete=models.CASCADE, related_name="+")

    class Meta(UserObjectPermissionBase.Meta):
        unique_together = ["user", "permission", "content_object", "samtykke"]
        verbose_name = _("tilladelse til indsats (medarbejder)")
        verbose_name_plural = _("tilladelser til indsatser (medarbejdere)")


# --- correction requests (GDPR art. 16, berigtigelse) ----------------------------------------
# A request is never changed: it is one row, its answer (corrected or declined) another, and
# the citizen's own statements on a datum that was not corrected further rows. Each table
# refuses UPDATE and DELETE (a trigger). A correction links the answer to the registration
# that corrected the datum (tilstand and indsats, a floor below, know nothing of requests).


class BerigtigelseStatus(models.TextChoices):
    MODTAGET = "modtaget", _("Modtaget – venter på svar")
    RETTET = "rettet", _("Rettet")
    AFVIST = "afvist", _("Ikke rettet")


class BerigtigelseHaendelse(models.TextChoices):
    """What happened to a correction request: the kinds notifications are made of."""

    INDSENDT = "indsendt", _("Anmodning om rettelse modtaget")
    RETTET = "rettet", _("Oplysningen er rettet efter anmodningen")
    AFVIST = "afvist", _("Anmodningen om rettelse er afvist")
    BEMAERKNING = "bemaerkning", _("Borgeren har tilføjet sin egen bemærkning")


class Berigtigelse(models.Model):
    """A citizen's request to correct one datum (a Tilstand or an Indsats): what is wrong
    and what they think is right. Goes to the datum's responsible unit; answered within a
    month (GDPR art. 12(3): `frist`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="berigtigelser",
        verbose_name=_("borger"),
    )  # fmt: skip
    tilstand = models.ForeignKey(
        "tilstand.Tilstand", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("tilstand"),
    )  # fmt: skip
    indsats = models.ForeignKey(
        "indsats.Indsats", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("indsats"),
    )  # fmt: skip
    hvad_er_forkert = models.TextField(_("hvad er forkert"))
    hvad_er_rigtigt = models.TextField(_("hvad er rigtigt"), blank=True)
    indsendt_af = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("indsendt af"), help_text=_("Borgeren selv, en værge eller en fuldmægtig."),
    )  # fmt: skip
    via_relation = models.ForeignKey(
        "organisation.Relation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("via relation"),
    )  # fmt: skip
    oprettet = models.DateTimeField(_("modtaget"))
    frist = models.DateField(_("svarfrist"))

    class Meta:
        verbose_name = _("anmodning om rettelse")
        verbose_name_plural = _("anmodninger om rettelse")
        ordering = ["-oprettet"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tilstand__isnull=False, indsats__isnull=True)
                | Q(tilstand__isnull=True, indsats__isnull=False),
                name="berigtigelse_et_datum",
            ),
            models.CheckConstraint(
                condition=~Q(hvad_er_forkert=""), name="berigtigelse_siger_hvad"
            ),
        ]
        indexes = [models.Index(fields=["borger", "oprettet"], name="berigtigelse_borger")]

    def __str__(self) -> str:
        return f"{self.hvad_er_forkert[:60]} ({self.oprettet:%d.%m.%Y})"

    @property
    def datum(self):
        return self.tilstand if self.tilstand_id else self.indsats


class BerigtigelseSvar(models.Model):
    """The owning unit's answer to a correction request: corrected (naming the registration
    that corrected the datum) or declined with a justification the citizen reads. One per
    request, never changed."""

    berigtigelse = models.OneToOneField(
        Berigtigelse, on_delete=models.PROTECT, related_name="svar",
        verbose_name=_("anmodning"),
    )  # fmt: skip
    status = models.CharField(_("svar"), max_length=16, choices=BerigtigelseStatus.choices)
    begrundelse = models.TextField(_("begrundelse til borgeren"))
    medarbejder = models.ForeignKey(
        "organisation.Medarbejder", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("besvaret af"),
    )  # fmt: skip
    enhed = models.ForeignKey(
        "organisation.Enhed", on_delete=models.PROTECT, related_name="+", verbose_name=_("enhed")
    )
    tidspunkt = models.DateTimeField(_("besvaret"))
    tilstand_registrering = models.OneToOneField(
        "tilstand.TilstandRegistrering", on_delete=models.PROTECT, null=True, blank=True,
        related_name="berigtigelse_svar", verbose_name=_("rettelsen (registrering)"),
    )  # fmt: skip
    indsats_registrering = models.OneToOneField(
        "indsats.IndsatsRegistrering", on_delete=models.PROTECT, null=True, blank=True,
        related_name="berigtigelse_svar", verbose_name=_("rettelsen (registrering)"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("svar på anmodning om rettelse")
        verbose_name_plural = _("svar på anmodninger om rettelse")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status="rettet",
                    tilstand_registrering__isnull=False,
                    indsats_registrering__isnull=True,
                )
                | Q(
                    status="rettet",
                    tilstand_registrering__isnull=True,
                    indsats_registrering__isnull=False,
                )
                | Q(
                    status="afvist",
                    tilstand_registrering__isnull=True,
                    indsats_registrering__isnull=True,
                ),
                name="berigtigelsesvar_rettet_har_registrering",
            ),  # fmt: skip
            models.CheckConstraint(condition=~Q(begrundelse=""), name="berigtigelsesvar_begrundet"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.tidspunkt:%d.%m.%Y})"


class BorgerensBemaerkning(models.Model):
    """The citizen's own statement on a datum the unit declined to correct, shown next to
    the datum to everyone who may see it. A newer statement on the same request is shown
    instead of the older one; the older ones stay."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    berigtigelse = models.ForeignKey(
        Berigtigelse, on_delete=models.PROTECT, related_name="bemaerkninger",
        verbose_name=_("anmodning"),
    )  # fmt: skip
    tekst = models.TextField(_("borgerens bemærkning"))
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
        verbose_name = _("borgerens bemærkning")
        verbose_name_plural = _("borgerens bemærkninger")
        ordering = ["-oprettet"]
        constraints = [models.CheckConstraint(condition=~Q(tekst=""), name="bemaerkning_tekst")]

    def __str__(self) -> str:
        return self.tekst[:60]


class HaendelseArt(models.TextChoices):
    """What happened: the kinds of event the outbox holds (see samtykke.haendelser)."""

    TILSTAND = "tilstand", _("Tilstand ændret")
    INDSATS = "indsats", _("Indsats ændret")
    SAG = "sag", _("Sag ændret")
    ANMODNING_NY = "anmodning_ny", _("Ny anmodning om samtykke")
    ANMODNING_BESVARET = "anmodning_besvaret", _("Anmodning besvaret")
    SAMTYKKE_TILBAGEKALDT = "samtykke_tilbagekaldt", _("Samtykke trukket tilbage")
    SAMTYKKE_INDSKRAENKET = "samtykke_indskraenket", _("Samtykke indskrænket")
    SAMTYKKE_UDLOEBER = "samtykke_udloeber", _("Samtykke udløber snart")
    HJEMMEL_REGISTRERET = "hjemmel_registreret", _("Adgang på lovhjemmel")
    # Extension points wired by the dialogue (issue 12) and corrections (issue 14).
    DIALOG_BESKED = "dialog_besked", _("Ny besked")
    BERIGTIGELSE = "berigtigelse", _("Anmodning om berigtigelse")


class Haendelse(models.Model):
    """One event in the transactional outbox: a change written in the transaction that
    made it, read after the commit by whoever must hear of it (overblik's notifications
    to people; the row is below both overblik and mox, so either may read it).

    Holds identifiers only (never citizen content): what kind, about which citizen and
    object, by which unit and person. `udfoldet` is set when the fan-out is complete.
    """

    id = models.BigAutoField(primary_key=True)
    art = models.CharField(_("art"), max_length=32, choices=HaendelseArt.choices)
    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("borger"),
    )  # fmt: skip
    objekt_id = models.UUIDField(_("objekt"), null=True, blank=True)
    enhed = models.ForeignKey(
        "organisation.Enhed", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("enhed"),
    )  # fmt: skip
    livscykluskode = models.CharField(_("livscykluskode"), max_length=16, blank=True)
    aktoer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("ændret af"),
    )  # fmt: skip
    tidspunkt = models.DateTimeField(_("tidspunkt"))
    udfoldet = models.DateTimeField(_("udfoldet"), null=True, blank=True)

    class Meta:
        verbose_name = _("hændelse")
        verbose_name_plural = _("hændelser")
        indexes = [
            models.Index(
                fields=["tidspunkt"],
                name="haendelse_ikke_udfoldet",
                condition=Q(udfoldet__isnull=True),
            ),  # fmt: skip
        ]
        constraints = [
            # one expiry warning per consent version
            models.UniqueConstraint(
                fields=["objekt_id"],
                condition=Q(art="samtykke_udloeber"),
                name="haendelse_udloeber_en_gang",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.get_art_display()} ({self.tidspunkt:%Y-%m-%d %H:%M})"
