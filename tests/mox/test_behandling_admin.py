"""The administrator's part of the processing: see why a message failed, correct, replay."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse

from mox.models import Besked
from tests.mox.conftest import CPR
from tests.mox.test_behandling import eager, indpak, send, tilstand_data  # noqa: F401
from tilstand.models import Tilstand


@pytest.fixture
def su_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("su", "su@example.org", None)
    client.force_login(user)
    return client


@pytest.fixture
def fejlet(grundlag, send):  # noqa: F811
    data = tilstand_data(grundlag)
    data["relationer"]["tilstandstype"][0]["uuid"] = str(uuid.uuid4())  # not imported
    besked = indpak(data)
    send(besked)
    b = Besked.objects.get()
    assert b.status == "fejlet"
    return b


def test_a_failed_message_can_be_corrected_with_cpr_masked_and_is_replayed(
    su_client, grundlag, fejlet, django_capture_on_commit_callbacks
):
    url = reverse("admin:mox_besked_change", args=[fejlet.pk])
    side = su_client.get(url).content.decode()
    assert CPR not in side
    assert f"urn:dk:cpr:person:{CPR[:6]}-****" in side
    assert "Klassen findes ikke" in side  # the reason is shown

    form = su_client.get(url).context["adminform"].form
    data = json.loads(form["data"].value())
    data["relationer"]["tilstandstype"][0]["uuid"] = str(grundlag.type.pk)
    with django_capture_on_commit_callbacks(execute=True):
        svar = su_client.post(url, {"data": json.dumps(data)})
    assert svar.status_code == 302, svar.context["adminform"].form.errors
    fejlet.refresh_from_db()
    assert fejlet.status == "behandlet"
    assert fejlet.data["relationer"]["tilstandsobjekt"][0]["urn"] == f"urn:dk:cpr:person:{CPR}"
    assert Tilstand.objects.get(pk=fejlet.objekt_id).borger == grundlag.borger


def test_corrected_data_must_still_be_a_valid_message(su_client, fejlet):
    url = reverse("admin:mox_besked_change", args=[fejlet.pk])
    svar = su_client.post(url, {"data": json.dumps({"relationer": "ikke et objekt"})})
    assert svar.status_code == 200
    assert svar.context["adminform"].form.errors["data"]
    fejlet.refresh_from_db()
    assert fejlet.status == "fejlet"


def test_a_processed_message_stays_read_only(su_client, grundlag, send):  # noqa: F811
    besked = indpak(tilstand_data(grundlag))
    send(besked)
    b = Besked.objects.get()
    assert b.status == "behandlet"
    url = reverse("admin:mox_besked_change", args=[b.pk])
    assert "adminform" in su_client.get(url).context
    assert su_client.post(url, {"data": "{}"}).status_code == 403


def test_the_replay_action(su_client, grundlag, fejlet, django_capture_on_commit_callbacks):
    Besked.objects.filter(pk=fejlet.pk).update(
        data=tilstand_data(grundlag)  # as if corrected
    )
    with django_capture_on_commit_callbacks(execute=True):
        svar = su_client.post(
            reverse("admin:mox_besked_changelist"),
            {"action": "behandl_igen", "_selected_action": [fejlet.pk]},
        )
    assert svar.status_code == 302
    fejlet.refresh_from_db()
    assert fejlet.status == "behandlet"


def test_showing_a_message_logs_each_citizen_it_names(su_client, grundlag, fejlet):
    """The page shows the message's data (birth date, note texts): the operator needs it
    to correct and replay, so each citizen it names is in their access log (issue 11 #5);
    the list, which shows metadata only, logs nothing."""
    from samtykke.models import Adgangslog, Grundlag, Handling

    assert su_client.get(reverse("admin:mox_besked_changelist")).status_code == 200
    assert not Adgangslog.objects.exists()
    side = su_client.get(reverse("admin:mox_besked_change", args=[fejlet.pk]))
    assert side.status_code == 200
    (entry,) = Adgangslog.objects.all()
    assert entry.borger == grundlag.borger
    assert (entry.grundlag, entry.handling) == (Grundlag.ADMINISTRATION, Handling.ADMIN)
    assert entry.objekter == [{"type": "besked", "id": str(fejlet.pk)}]
