"""MOX: the systems that send messages, and the inbox the messages wait in.

The inbox (`Besked`) is the source of truth for the processing: a message is stored
before the sender gets its answer, and whatever happens to workers or the broker
afterwards, the row says how far it got.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from datadeling.core import clock
from mox import indstillinger
from mox.protokol import Beskedtype, Objekttype, Operation, Status


def token_hash(token: str) -> str:
    """Return the hex SHA-256 of a bearer token, the form in which tokens are stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def valider_webhook_url(url: str) -> None:
    """Refuse a webhook URL that is not https, unless plain http is allowed for tests or the
    demo (settings.DEBUG or settings.MOX_TILLAD_HTTP_WEBHOOK): notifications carry citizen
    references and must not travel in clear text."""
    if not url:
        return
    if url.lower().startswith("https://"):
        return
    if url.lower().startswith("http://") and indstillinger.tillad_http_webhook():
        return
    raise ValidationError("Webhook-URL'en skal bruge https.", code="https")


class System(models.Model):
    """A sending fagsystem (or its MOX agent), known by a bearer token and an HMAC secret.

    The token is a password in effect, so only its SHA-256 is stored, and a request's
    token is looked up by hash (a random 256-bit token needs no slow hash). The secret
    is different: verifying an HMAC needs the key itself, so it cannot be hashed. It is
    stored as it is and never shown again after creation (not in the admin, not in any
    answer). Encrypting it with a key from the settings was considered and left out: that
    key lives beside the database on the same servers, so it would protect only a stolen
    dump without the settings, while tying every system to SECRET_KEY rotation. The
    database already holds the citizen data the secret protects; a leaked secret is
    answered by renewing the system's keys (the admin's action), which invalidates the
    old token and secret at once.
    """

    uuid = models.UUIDField("UUID", default=uuid.uuid4, unique=True, editable=False)
    # As long as the kildesystem the system's objects carry (Proveniens.kildesystem): the
    # rule "a system changes only what it delivered" compares the two exactly.
    navn = models.CharField("navn", max_length=128, unique=True)
    token_hash = models.CharField("token (SHA-256)", max_length=64, unique=True, editable=False)
    secret = models.CharField("hemmelighed", max_length=128, editable=False)
    aktiv = models.BooleanField(
        "aktiv", default=True, help_text="Et inaktivt system afvises med 401."
    )
    oprettet = models.DateTimeField("oprettet", default=clock.now, editable=False)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="oprettet af",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # The unit the system acts for: it decides what the system may write (its data, and
    # data sent without a responsible unit, belong to it; samtykke.policy.system) and what
    # it may be told (samtykke.policy.synlige_for_enhed); the webhook is where it is told.
    enhed = models.ForeignKey(
        "organisation.Enhed",
        verbose_name="handler for enhed",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=(
            "Systemet må skrive borgerdata for enheden (data uden ansvarlig enhed bliver "
            "enhedens), og får kun notifikationer om det, enheden selv må se (egne data og "
            "data givet ved samtykke). Uden enhed: ingen borgerdata, og kun notifikationer "
            "om objekter, systemet selv har leveret."
        ),
    )
    # Further units an administrator lets the system write for (a shared fagsystem serving
    # several units); notifications still follow `enhed` alone.
    enheder = models.ManyToManyField(
        "organisation.Enhed",
        verbose_name="skriver også for enheder",
        blank=True,
        related_name="+",
        help_text=(
            "Andre enheder, systemet også må skrive borgerdata for (tilstande, indsatser, "
            "sager med en af dem som ansvarlig enhed)."
        ),
    )
    webhook_url = models.URLField(
        "webhook-URL",
        max_length=500,
        blank=True,
        validators=[valider_webhook_url],
        help_text="Hvor notifikationer sendes (POST, signeret som indgående beskeder); https.",
    )

    class Meta:
        verbose_name = "afsendende system"
        verbose_name_plural = "afsendende systemer"
        ordering = ["navn"]

    def __str__(self) -> str:
        return self.navn

    def nye_noegler(self) -> tuple[str, str]:
        """Give the system a new token and secret (unsaved) and return them in plain text.

        The plain values exist only in the return value: show them once, then drop them.
        """
        token = "mox_" + secrets.token_urlsafe(32)
        secret = secrets.token_urlsafe(48)
        self.token_hash = token_hash(token)
        self.secret = secret
        return token, secret


class Besked(models.Model):
    """One received message: its envelope, its OIO object and how far processing got."""

    system = models.ForeignKey(
        System, verbose_name="system", on_delete=models.PROTECT, related_name="beskeder"
    )
    besked_id = models.UUIDField("beskedID")
    beskedversion = models.CharField("beskedversion", max_length=10)
    beskedtype = models.CharField("beskedtype", max_length=20, choices=Beskedtype.choices)
    objekttype = models.CharField("objekttype", max_length=30, choices=Objekttype.choices)
    operation = models.CharField("operation", max_length=20, choices=Operation.choices)
    objekt_id = models.UUIDField("objektID")
    data = models.JSONField("data", null=True, blank=True)
    indhold_sha256 = models.CharField(
        "indholdets SHA-256",
        max_length=64,
        help_text="Af beskeden som kanonisk JSON; viser om en gentagelse havde andet indhold.",
    )
    modtaget = models.DateTimeField("modtaget", default=clock.now)
    status = models.CharField(
        "status", max_length=20, choices=Status.choices, default=Status.MODTAGET
    )
    fejl = models.JSONField("fejl", default=list, blank=True)
    forsoeg = models.PositiveIntegerField("forsøg", default=0)
    behandlet = models.DateTimeField("behandlet", null=True, blank=True)

    class Meta:
        verbose_name = "modtaget besked"
        verbose_name_plural = "modtagne beskeder"
        ordering = ["-modtaget", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "besked_id"], name="mox_besked_unik_pr_system"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="mox_besked_status_gyldig"
            ),
        ]
        indexes = [
            # Processing order per object: arrival time, then insertion order (a batch
            # shares one arrival time and is inserted in the order it was sent).
            models.Index(
                fields=["objekttype", "objekt_id", "modtaget", "id"], name="mox_besked_orden"
            ),
            # The sweep for messages not yet done.
            models.Index(
                fields=["status", "modtaget"],
                name="mox_besked_aaben",
                condition=Q(status__in=[Status.MODTAGET, Status.VENTER]),
            ),
            # Open unit and class messages by what they point at: a new parent wakes the
            # children waiting for it (mox.behandling.organisation.vaek_ventende) without
            # reading every open message (an import of thousands of units would be n²).
            GinIndex(
                fields=["data"],
                opclasses=["jsonb_path_ops"],
                name="mox_besked_venter_paa",
                condition=Q(
                    objekttype__in=[Objekttype.ORGANISATIONENHED, Objekttype.KLASSE],
                    status__in=[Status.MODTAGET, Status.VENTER],
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objekttype} {self.operation} ({self.besked_id})"


# --- outbound: subscriptions and the notification outbox (mox.udgaaende) ---------------


class NotifikationStatus(models.TextChoices):
    AFVENTER = "afventer", "Afventer levering"
    LEVERET = "leveret", "Leveret"
    FEJLET = "fejlet", "Opgivet (for mange forsøg)"
    TILBAGEHOLDT = "tilbageholdt", "Tilbageholdt (adgangen er ophørt)"


class KunUdgaaende(models.TextChoices):
    """Object types a system may subscribe to but never send (not in the inbound protocol)."""

    DIALOG = "dialog", "Dialog (kun metadata)"


ABONNERBARE = (Objekttype.TILSTAND, Objekttype.INDSATS, Objekttype.SAG, KunUdgaaende.DIALOG)
"""The object types whose changes produce notifications: those that send `data_aendret`
(datadeling.core.historik for tilstand and indsats, sagsindeks.services for the case index,
dialog.services for a message: metadata only, never its text)."""

NOTIFIKATION_OBJEKTTYPER = [*Objekttype.choices, *KunUdgaaende.choices]


class Abonnement(models.Model):
    """A system's subscription to changes of one object type, optionally for some citizens.

    At most one active subscription per system and object type, so one change gives a
    system at most one notification. `udelad_egne` (default on) leaves out the changes the
    system made itself (registrations whose aktoer_tekst is the system's name and that no
    person made).
    """

    uuid = models.UUIDField("UUID", default=uuid.uuid4, unique=True, editable=False)
    system = models.ForeignKey(
        System, verbose_name="system", on_delete=models.CASCADE, related_name="abonnementer"
    )
    objekttype = models.CharField(
        "objekttype",
        max_length=30,
        choices=[(o.value, o.label) for o in ABONNERBARE],
    )
    borgere = models.ManyToManyField(
        "organisation.Borger",
        verbose_name="kun borgere",
        blank=True,
        related_name="+",
        help_text="Tom: alle borgere, systemets enhed må se. Ellers kun disse.",
    )
    udelad_egne = models.BooleanField(
        "udelad egne ændringer",
        default=True,
        help_text="Systemet får ikke besked om ændringer, det selv har sendt.",
    )
    aktiv = models.BooleanField("aktiv", default=True)
    oprettet = models.DateTimeField("oprettet", default=clock.now, editable=False)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="oprettet af",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = "abonnement"
        verbose_name_plural = "abonnementer"
        ordering = ["system__navn", "objekttype"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "objekttype"],
                condition=Q(aktiv=True),
                name="mox_abonnement_et_aktivt_pr_type",
            ),
            models.CheckConstraint(
                condition=Q(objekttype__in=[o.value for o in ABONNERBARE]),
                name="mox_abonnement_objekttype_gyldig",
            ),
        ]
        indexes = [
            models.Index(
                fields=["objekttype"], condition=Q(aktiv=True), name="mox_abonnement_aktive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.system} – {self.get_objekttype_display()}"


class Notifikation(models.Model):
    """One notification to one system: a row of the transactional outbox.

    Written in the transaction that changed the object, so a rolled-back change leaves no
    row and a committed one always has its row. `konvolut` is the JSON body as it will be
    sent; it names the citizen (`urn:dk:cpr:person:`) because the system's unit may see
    that citizen's object, which was checked when the row was written and is checked again
    before every delivery attempt (a consent revoked meanwhile makes the row
    `tilbageholdt`, and nothing is sent). The primary key is a sequence number
    (`loebenummer` in the envelope) that grows in the order changes were committed per
    object.
    """

    besked_id = models.UUIDField("beskedID", default=uuid.uuid4, unique=True, editable=False)
    system = models.ForeignKey(
        System, verbose_name="system", on_delete=models.PROTECT, related_name="notifikationer"
    )
    abonnement = models.ForeignKey(
        Abonnement,
        verbose_name="abonnement",
        on_delete=models.PROTECT,
        related_name="notifikationer",
    )
    objekttype = models.CharField("objekttype", max_length=30, choices=NOTIFIKATION_OBJEKTTYPER)
    operation = models.CharField("operation", max_length=20, choices=Operation.choices)
    objekt_id = models.UUIDField("objektID")
    borger = models.ForeignKey(
        "organisation.Borger",
        verbose_name="borger",
        on_delete=models.PROTECT,
        related_name="+",
    )
    registrering_nummer = models.PositiveIntegerField("registrering nr.")
    konvolut = models.JSONField("konvolut")
    status = models.CharField(
        "status",
        max_length=20,
        choices=NotifikationStatus.choices,
        default=NotifikationStatus.AFVENTER,
    )
    forsoeg = models.PositiveIntegerField("forsøg", default=0)
    naeste_forsoeg = models.DateTimeField("næste forsøg", default=clock.now)
    sidste_fejl = models.CharField("sidste fejl", max_length=500, blank=True)
    oprettet = models.DateTimeField("oprettet", default=clock.now, editable=False)
    leveret = models.DateTimeField("leveret", null=True, blank=True)

    class Meta:
        verbose_name = "notifikation"
        verbose_name_plural = "notifikationer"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=NotifikationStatus.values),
                name="mox_notifikation_status_gyldig",
            ),
        ]
        indexes = [
            # The sweep: due rows, oldest first.
            models.Index(
                fields=["naeste_forsoeg", "id"],
                condition=Q(status=NotifikationStatus.AFVENTER),
                name="mox_notifikation_forfaldne",
            ),
            # Order per system and object: an open row waits behind an older open one.
            models.Index(
                fields=["system", "objekt_id", "id"],
                condition=Q(status=NotifikationStatus.AFVENTER),
                name="mox_notifikation_orden",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objekttype} {self.operation} → {self.system} ({self.besked_id})"
