"""The admin for outbound MOX: a system's unit and webhook, subscriptions through the
service, and the outbox list with its status filter, masked envelope and replay action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mox.models import Abonnement, Notifikation, NotifikationStatus
from mox.udgaaende import levering
from tests.mox import test_udgaaende as ud

# the outbound tests' fixtures, here too
_opsaetning, ur, webhook = ud._opsaetning, ud.ur, ud.webhook
registrer, system = ud.registrer, ud.system

pytestmark = pytest.mark.django_db


@pytest.fixture
def su_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("su", "su@example.org", None)
    client.force_login(user)
    return client


def test_a_systems_unit_and_webhook_are_editable_and_http_is_refused(su_client, grundlag, settings):
    from mox import services as mox_services

    s, _, _ = mox_services.system_create(navn="Omsorg")
    url = reverse("admin:mox_system_change", args=[s.pk])
    side = su_client.get(url).content.decode()
    assert 'name="enhed"' in side and 'name="webhook_url"' in side

    settings.MOX_TILLAD_HTTP_WEBHOOK = False
    data = {
        "navn": "Omsorg",
        "aktiv": "on",
        "enhed": str(grundlag.enhed.pk),
        "abonnementer-TOTAL_FORMS": "0",
        "abonnementer-INITIAL_FORMS": "0",
    }
    svar = su_client.post(url, {**data, "webhook_url": "http://fagsystem.example/hook"})
    assert svar.status_code == 200 and "https" in svar.content.decode()
    svar = su_client.post(url, {**data, "webhook_url": "https://fagsystem.example/hook"})
    assert svar.status_code == 302
    s.refresh_from_db()
    assert (s.enhed, s.webhook_url) == (grundlag.enhed, "https://fagsystem.example/hook")


def test_a_subscription_added_in_the_admin_goes_through_the_service(su_client, grundlag, webhook):
    from mox import services as mox_services

    s, _, _ = mox_services.system_create(navn="Omsorg")
    tilfoej = reverse("admin:mox_abonnement_add")
    data = {"system": s.pk, "objekttype": "tilstand", "udelad_egne": "on", "aktiv": "on"}
    svar = su_client.post(tilfoej, data)
    assert svar.status_code == 200 and "webhook-URL" in svar.content.decode()

    s.webhook_url = webhook.url
    s.save()
    svar = su_client.post(tilfoej, {**data, "borgere": str(grundlag.borger.pk)})
    assert svar.status_code == 302, svar.content.decode()
    a = Abonnement.objects.get()
    assert a.oprettet_af.username == "su"
    assert list(a.borgere.all()) == [grundlag.borger]
    # the system's page lists it
    side = su_client.get(reverse("admin:mox_system_change", args=[s.pk])).content.decode()
    assert "Tilstand" in side


def test_the_outbox_filters_by_status_masks_cpr_and_replays(
    su_client, grundlag, webhook, ur, settings, django_capture_on_commit_callbacks
):
    settings.MOX_NOTIFIKATION_MAKS_FORSOEG = 1
    system("Omsorg", enhed=grundlag.enhed, url=webhook.url)
    webhook.svar = [500]
    registrer(grundlag)
    n = Notifikation.objects.get()
    assert levering.lever(n.pk) == NotifikationStatus.FEJLET

    liste = reverse("admin:mox_notifikation_changelist")
    assert su_client.get(liste, {"status__exact": "fejlet"}).context["cl"].result_count == 1
    assert su_client.get(liste, {"status__exact": "leveret"}).context["cl"].result_count == 0
    side = su_client.get(reverse("admin:mox_notifikation_change", args=[n.pk])).content.decode()
    assert "urn:dk:cpr:person:******-****" in side and "0101501234" not in side
    assert "HTTP 500" in side

    with django_capture_on_commit_callbacks(execute=True):
        svar = su_client.post(liste, {"action": "lever_igen", "_selected_action": [n.pk]})
    assert svar.status_code == 302
    n.refresh_from_db()
    assert n.status == NotifikationStatus.LEVERET
    assert len(webhook.modtaget) == 2
