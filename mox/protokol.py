"""The MOX message protocol's closed lists and limits, shared by the models, the JSON
Schema generator, the validator and the views.

Values are the protocol's own words (as they travel in the JSON), so they are not
translated; the labels are what the admin shows.
"""

from __future__ import annotations

from django.db import models

BESKEDVERSION = "1"
"""The envelope version this Datadeling understands."""

MAKS_BESKEDER_PR_KALD = 1000
"""The most messages one POST may carry (a batch); larger exports are sent in several."""

TIDSVINDUE_SEKUNDER = 5 * 60
"""How far X-Mox-Tidspunkt may be from the server's clock, either way."""

CPR_URN_PRAEFIKS = "urn:dk:cpr:person:"


class Beskedtype(models.TextChoices):
    MANIPULATION = "Manipulation", "Manipulation"
    NOTIFICATION = "Notification", "Notifikation"


class Objekttype(models.TextChoices):
    TILSTAND = "tilstand", "Tilstand"
    INDSATS = "indsats", "Indsats"
    SAG = "sag", "Sag"
    KLASSE = "klasse", "Klasse"
    ORGANISATIONENHED = "organisationenhed", "Organisationsenhed"
    BRUGER = "bruger", "Bruger"


class Operation(models.TextChoices):
    CREATE = "create", "Opret"
    UPDATE = "update", "Ret"
    PASSIVATE = "passivate", "Passivér"
    DELETE = "delete", "Slet"
    IMPORT = "import", "Importér"


class Status(models.TextChoices):
    MODTAGET = "modtaget", "Modtaget"
    VENTER = "venter", "Venter"
    BEHANDLET = "behandlet", "Behandlet"
    FEJLET = "fejlet", "Fejlet"


OPERATIONER_MED_DATA = (Operation.CREATE, Operation.UPDATE, Operation.IMPORT)
"""Operations whose Manipulation message must carry the object in `data`."""
