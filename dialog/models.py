"""Conversations (Samtale) about one citizen, their participants, messages and attachments.

Everything here is append-only (database triggers, see the migration):
- a message is never changed: editing writes a new version of the same message (`kaede`),
  withdrawing writes a version marked `trukket_tilbage` with no text; the newest version
  (`erstattet_af` empty) is the one shown, the older ones stay and are shown as edited;
- a participant is never removed: ending the participation writes a new row with
  `handling=AFSLUT`, and who takes part is the newest row per participant;
- how far a person has read is a new `Laesning` row each time (the newest counts);
- every write is also an entry in the conversation's own history (`SamtaleHaendelse`).

Who may read a conversation is never stored here: it is asked of the access policy at
query time (samtykke.policy), so revoking a consent or a block takes effect at once while
what a person wrote stays for the others.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from datadeling.core.models import UUIDModel


class SamtaleType(models.TextChoices):
    MED_BORGEREN = "borger", _("Med borgeren")
    FAGLIG = "faglig", _("Mellem fagpersoner")


class Samtale(UUIDModel):
    """A conversation about one citizen, optionally about one thing of theirs."""

    borger = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, related_name="samtaler",
        verbose_name=_("borger"),
    )  # fmt: skip
    type = models.CharField(_("type"), max_length=8, choices=SamtaleType.choices)
    emne = models.CharField(_("emne"), max_length=200)
    # What the conversation is about: at most one of these (a goal is an indsats + index).
    tilstand = models.ForeignKey(
        "tilstand.Tilstand", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("om tilstand"),
    )  # fmt: skip
    indsats = models.ForeignKey(
        "indsats.Indsats", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("om indsats"),
    )  # fmt: skip
    maal_nummer = models.PositiveSmallIntegerField(
        _("om indsatsmål nr."), null=True, blank=True,
        help_text=_("Indeks i indsatsens mål (kun sammen med en indsats)."),
    )  # fmt: skip
    sag = models.ForeignKey(
        "sagsindeks.Sag", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("om sag"),
    )  # fmt: skip
    anmodning = models.ForeignKey(
        "samtykke.Anmodning", on_delete=models.PROTECT, null=True, blank=True,
        related_name="samtaler", verbose_name=_("om anmodning om samtykke"),
    )  # fmt: skip
    oprettet = models.DateTimeField(_("oprettet"))
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("oprettet af"),
    )  # fmt: skip
    # The enhed the conversation was started from (None when the citizen started it).
    oprettet_i_enhed = models.ForeignKey(
        "organisation.Enhed", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("oprettet i enhed"),
    )  # fmt: skip
    # Denormalised for listing: the newest message's number and time (set by the services
    # in the same transaction as the message; the one column here that changes).
    seneste_nummer = models.PositiveIntegerField(_("seneste beskednummer"), default=0)
    seneste = models.DateTimeField(_("seneste aktivitet"), db_index=True)

    class Meta:
        verbose_name = _("samtale")
        verbose_name_plural = _("samtaler")
        ordering = ["-seneste"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(tilstand__isnull=True, indsats__isnull=True, sag__isnull=True)
                    | Q(indsats__isnull=True, sag__isnull=True, anmodning__isnull=True)
                    | Q(tilstand__isnull=True, sag__isnull=True, anmodning__isnull=True)
                    | Q(tilstand__isnull=True, indsats__isnull=True, anmodning__isnull=True)
                ),
                name="samtale_hoejst_et_emne",
            ),
            models.CheckConstraint(
                condition=Q(maal_nummer__isnull=True) | Q(indsats__isnull=False),
                name="samtale_maal_kraever_indsats",
            ),
            models.CheckConstraint(condition=~Q(emne=""), name="samtale_emne_paakraevet"),
        ]
        indexes = [models.Index(fields=["borger", "-seneste"], name="samtale_borger_seneste")]

    def __str__(self) -> str:
        return self.emne


class DeltagerHandling(models.TextChoices):
    TILFOEJ = "tilfoej", _("Tilføjet")
    AFSLUT = "afslut", _("Forladt")


class DeltagerQuerySet(models.QuerySet):
    def gaeldende(self) -> DeltagerQuerySet:
        """Return the rows that say a participant takes part now: the newest row of each
        participant (by insertion order) when it adds them."""
        senere = Deltager.objects.filter(
            Q(medarbejder_id=OuterRef("medarbejder_id"))
            | Q(enhed_id=OuterRef("enhed_id"))
            | Q(person_id=OuterRef("person_id")),
            samtale_id=OuterRef("samtale_id"),
            id__gt=OuterRef("id"),
        )
        return self.filter(handling=DeltagerHandling.TILFOEJ).exclude(Exists(senere))


class Deltager(models.Model):
    """One participant event: a member of staff by name, a whole unit, or a person (the
    citizen or someone acting for the citizen through a relation). The newest row per
    participant says whether they take part; taking part never by itself lets anyone read:
    the policy decides that at query time."""

    samtale = models.ForeignKey(
        Samtale, on_delete=models.PROTECT, related_name="deltagere", verbose_name=_("samtale")
    )
    medarbejder = models.ForeignKey(
        "organisation.Medarbejder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("medarbejder"),
    )  # fmt: skip
    enhed = models.ForeignKey(
        "organisation.Enhed", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("enhed"),
    )  # fmt: skip
    person = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("borger eller pårørende"),
    )  # fmt: skip
    via_relation = models.ForeignKey(
        "organisation.Relation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("via relation"),
    )  # fmt: skip
    handling = models.CharField(
        _("handling"), max_length=8, choices=DeltagerHandling.choices,
        default=DeltagerHandling.TILFOEJ,
    )  # fmt: skip
    tidspunkt = models.DateTimeField(_("tidspunkt"))
    af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("af"),
    )  # fmt: skip

    objects = DeltagerQuerySet.as_manager()

    class Meta:
        verbose_name = _("deltager")
        verbose_name_plural = _("deltagere")
        ordering = ["samtale", "tidspunkt", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(medarbejder__isnull=False, enhed__isnull=True, person__isnull=True)
                    | Q(medarbejder__isnull=True, enhed__isnull=False, person__isnull=True)
                    | Q(medarbejder__isnull=True, enhed__isnull=True, person__isnull=False)
                ),
                name="deltager_praecis_en",
            ),
            models.CheckConstraint(
                condition=Q(via_relation__isnull=True) | Q(person__isnull=False),
                name="deltager_relation_kun_for_person",
            ),
        ]

    def __str__(self) -> str:
        return str(self.medarbejder or self.enhed or self.person)


class Besked(UUIDModel):
    """One version of a message. `kaede` is the message's identity across versions and
    `nummer` its place in the conversation (the same for all its versions)."""

    samtale = models.ForeignKey(
        Samtale, on_delete=models.PROTECT, related_name="beskeder", verbose_name=_("samtale")
    )
    kaede = models.UUIDField(_("besked-id"), help_text=_("Fælles for alle versioner."))
    nummer = models.PositiveIntegerField(_("nummer i samtalen"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    erstatter = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="erstattet_af",
        verbose_name=_("erstatter version"),
    )  # fmt: skip
    skrevet = models.DateTimeField(_("skrevet"))
    # The author as they were when they wrote (copied, like the access log): a member of
    # staff (bruger + medarbejder, with unit, authority, role and profession), or a person
    # (the citizen or someone acting for them, via_relation set then).
    bruger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("bruger"),
    )  # fmt: skip
    medarbejder = models.ForeignKey(
        "organisation.Medarbejder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("medarbejder"),
    )  # fmt: skip
    person = models.ForeignKey(
        "organisation.Borger", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("borger eller pårørende"),
    )  # fmt: skip
    via_relation = models.ForeignKey(
        "organisation.Relation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("via relation"),
    )  # fmt: skip
    navn = models.CharField(_("afsender"), max_length=255)
    enhed = models.ForeignKey(
        "organisation.Enhed", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("enhed"),
    )  # fmt: skip
    enhed_navn = models.CharField(_("enhed"), max_length=255, blank=True)
    myndighed_navn = models.CharField(_("myndighed"), max_length=255, blank=True)
    rolle = models.CharField(_("rolle"), max_length=64, blank=True)
    faglighed = models.CharField(_("faglighed"), max_length=255, blank=True)
    tekst = models.TextField(_("tekst"), blank=True)
    trukket_tilbage = models.BooleanField(_("trukket tilbage"), default=False)
    # References in the text to the citizen's data; each reader sees only what they may.
    tilstande = models.ManyToManyField(
        "tilstand.Tilstand", blank=True, related_name="+", verbose_name=_("henviser til tilstande")
    )
    indsatser = models.ManyToManyField(
        "indsats.Indsats", blank=True, related_name="+", verbose_name=_("henviser til indsatser")
    )
    # Needs an answer from one participant by a date.
    svar_fra = models.ForeignKey(
        Deltager, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("afventer svar fra"),
    )  # fmt: skip
    svar_frist = models.DateField(_("svarfrist"), null=True, blank=True)

    class Meta:
        verbose_name = _("besked")
        verbose_name_plural = _("beskeder")
        ordering = ["samtale", "nummer", "version"]
        constraints = [
            models.UniqueConstraint(fields=["kaede", "version"], name="besked_unik_version"),
            models.UniqueConstraint(
                fields=["samtale", "nummer", "version"], name="besked_unikt_nummer"
            ),
            models.CheckConstraint(
                condition=Q(medarbejder__isnull=False, person__isnull=True)
                | Q(medarbejder__isnull=True, person__isnull=False),
                name="besked_en_afsender",
            ),
            models.CheckConstraint(
                condition=Q(trukket_tilbage=True, tekst="")
                | Q(trukket_tilbage=False) & ~Q(tekst=""),
                name="besked_tekst_eller_trukket",
            ),
            models.CheckConstraint(
                condition=Q(svar_frist__isnull=True) | Q(svar_fra__isnull=False),
                name="besked_frist_kraever_modtager",
            ),
        ]
        indexes = [
            # The current versions of a conversation, in order (the conversation page).
            models.Index(
                fields=["samtale", "nummer"],
                condition=Q(erstattet_af__isnull=True),
                name="besked_gaeldende",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.navn}, {self.skrevet:%d.%m.%Y %H:%M}"


class Vedhaeftning(UUIDModel):
    """A file attached to a message version, stored in the database with its checksum.
    The content type is the one found by reading the file, not the one the browser sent.
    Served only through a view that asks the policy and writes the access log."""

    besked = models.ForeignKey(
        Besked, on_delete=models.PROTECT, related_name="vedhaeftninger",
        verbose_name=_("besked"),
    )  # fmt: skip
    filnavn = models.CharField(_("filnavn"), max_length=255)
    content_type = models.CharField(_("filtype"), max_length=100)
    stoerrelse = models.PositiveIntegerField(_("størrelse (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    indhold = models.BinaryField(_("indhold"))
    oprettet = models.DateTimeField(_("oprettet"))

    class Meta:
        verbose_name = _("vedhæftning")
        verbose_name_plural = _("vedhæftninger")
        ordering = ["besked", "oprettet"]

    def __str__(self) -> str:
        return self.filnavn


class Laesning(models.Model):
    """How far a person has read a conversation: every message with `nummer` up to
    `til_nummer` is read by `bruger`. A new row each time; the newest counts."""

    samtale = models.ForeignKey(
        Samtale, on_delete=models.PROTECT, related_name="laesninger", verbose_name=_("samtale")
    )
    bruger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("bruger"),
    )  # fmt: skip
    til_nummer = models.PositiveIntegerField(_("læst til og med nummer"))
    tidspunkt = models.DateTimeField(_("tidspunkt"))

    class Meta:
        verbose_name = _("læsning")
        verbose_name_plural = _("læsninger")
        indexes = [
            models.Index(fields=["samtale", "bruger", "-til_nummer"], name="laesning_seneste")
        ]

    def __str__(self) -> str:
        return f"læst til nr. {self.til_nummer} ({self.tidspunkt:%d.%m.%Y %H:%M})"


class HaendelseType(models.TextChoices):
    OPRETTET = "oprettet", _("Samtalen startet")
    DELTAGER = "deltager", _("Deltager tilføjet")
    FORLADT = "forladt", _("Deltager forladt")
    SKREVET = "skrevet", _("Besked skrevet")
    RETTET = "rettet", _("Besked rettet")
    TRUKKET = "trukket", _("Besked trukket tilbage")
    VEDHAEFTET = "vedhaeftet", _("Fil vedhæftet")


class SamtaleHaendelse(models.Model):
    """The conversation's own history: one row per write, append-only. The citizen sees
    from it that professionals talked about them and when, never what they wrote."""

    samtale = models.ForeignKey(
        Samtale, on_delete=models.PROTECT, related_name="historik", verbose_name=_("samtale")
    )
    tidspunkt = models.DateTimeField(_("tidspunkt"))
    type = models.CharField(_("hændelse"), max_length=16, choices=HaendelseType.choices)
    bruger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("bruger"),
    )  # fmt: skip
    navn = models.CharField(_("hvem"), max_length=255)
    enhed_navn = models.CharField(_("enhed"), max_length=255, blank=True)
    besked = models.ForeignKey(
        Besked, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("besked"),
    )  # fmt: skip
    deltager = models.ForeignKey(
        Deltager, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("deltager"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("hændelse i samtale")
        verbose_name_plural = _("samtalens historik")
        ordering = ["samtale", "tidspunkt", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.navn} ({self.tidspunkt:%d.%m.%Y %H:%M})"
