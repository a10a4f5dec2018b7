"""MOX outbound for the dialogue: nothing is sent by default; a system subscribed to
`dialog` for its unit is told that a message was written (metadata), never its text, and
only while its unit may see the citizen's dialogue."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from dialog import services as dialog_services
from dialog.models import SamtaleType
from mox.models import Notifikation, NotifikationStatus
from organisation.models import Enhed
from samtykke import services as samtykke_services
from samtykke.models import Beslutning
from tests.mox import test_udgaaende as tu
from tests.mox.test_udgaaende import system
from tilstand.services import tilstand_register

pytestmark = pytest.mark.django_db

# The outbound tests' fixtures: plain-http webhooks, eager tasks, a local webhook server.
_opsaetning = tu._opsaetning
webhook = tu.webhook

HEMMELIGT = "Else har det svært i dag"
EMNE = "Bekymring om Else"


def _samtale(g):
    g.borger.user = get_user_model().objects.create_user("else")
    g.borger.save()
    tilstand_register(
        actor=g.user, borger=g.borger, data={"type": g.type, "ansvarlig_enhed": g.enhed}
    )
    return dialog_services.samtale_create(
        borger=g.borger, type=SamtaleType.MED_BORGEREN, emne=EMNE, actor=g.user
    )


def _skriv(g, samtale, captured):
    with captured(execute=True):
        return dialog_services.besked_write(samtale=samtale, actor=g.user, tekst=HEMMELIGT)


def test_nothing_is_sent_without_a_dialog_subscription(
    grundlag, webhook, django_capture_on_commit_callbacks
):
    g = grundlag
    system("Omsorg", enhed=g.enhed, url=webhook.url)  # subscribes to tilstand only
    samtale = _samtale(g)
    Notifikation.objects.all().delete()
    _skriv(g, samtale, django_capture_on_commit_callbacks)
    assert not Notifikation.objects.exists()


def test_a_dialog_subscriber_gets_metadata_never_the_text(
    grundlag, webhook, django_capture_on_commit_callbacks
):
    g = grundlag
    system("Omsorg", enhed=g.enhed, url=webhook.url, objekttype="dialog")
    system("Job", enhed=g.anden_enhed, url=webhook.url, objekttype="dialog")
    samtale = _samtale(g)
    b = _skriv(g, samtale, django_capture_on_commit_callbacks)
    (n,) = Notifikation.objects.filter(objekttype="dialog")
    assert n.system.navn == "Omsorg" and n.status == NotifikationStatus.LEVERET
    (m,) = webhook.modtaget
    assert HEMMELIGT not in m.krop.decode() and EMNE not in m.krop.decode()
    assert g.medarbejder.navn not in m.krop.decode()
    data = m.json["data"]
    assert m.json["objekttype"] == "dialog" and m.json["objektID"] == str(samtale.pk)
    assert data["besked"] == str(b.kaede) and data["nummer"] == 1
    assert data["forfatter"] == {
        "type": "medarbejder", "enhed": str(g.enhed.pk), "enhednavn": g.enhed.navn,
        "myndighednavn": g.myndighed.navn, "rolle": "Sagsbehandler",
    }  # fmt: skip
    assert "tekst" not in data and "emne" not in data


def test_a_consent_with_the_dialogue_lets_another_unit_be_told_and_a_block_stops_it(
    grundlag, webhook, django_capture_on_commit_callbacks
):
    g = grundlag
    system("Job", enhed=g.anden_enhed, url=webhook.url, objekttype="dialog")
    samtale = _samtale(g)
    _skriv(g, samtale, django_capture_on_commit_callbacks)
    assert not Notifikation.objects.filter(objekttype="dialog").exists()
    samtykke_services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.anden_enhed, kilder=[g.enhed], dialog=True,
        formaal="Koordinering",
    )  # fmt: skip
    _skriv(g, samtale, django_capture_on_commit_callbacks)
    assert Notifikation.objects.filter(objekttype="dialog").count() == 1
    samtykke_services.samtykke_give(
        actor=None, borger=g.borger, modtager=Enhed.objects.get(pk=g.anden_enhed.pk),
        beslutning=Beslutning.AFVIS,
    )  # fmt: skip
    _skriv(g, samtale, django_capture_on_commit_callbacks)
    assert Notifikation.objects.filter(objekttype="dialog").count() == 1
