"""The admin for MOX (keys shown once, a read-only inbox) and the documentation page."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from django.urls import reverse

from mox import eksempler
from mox.models import Besked, System, token_hash
from tests.mox.conftest import CPR, konvolut

pytestmark = pytest.mark.django_db


@pytest.fixture
def su_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("su", "su@example.org", None)
    client.force_login(user)
    return client


def test_adding_a_system_in_the_admin_shows_its_keys_once(su_client):
    response = su_client.post(
        reverse("admin:mox_system_add"), {"navn": "Socialsystem", "aktiv": "on"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    system = System.objects.get(navn="Socialsystem")
    linje = json.loads(response.context["linje"])
    assert linje["system"] == str(system.uuid)
    assert system.token_hash == token_hash(linje["token"])
    assert system.secret == linje["secret"]
    assert system.oprettet_af.username == "su"
    # the change page never shows them again
    side = su_client.get(reverse("admin:mox_system_change", args=[system.pk])).content.decode()
    assert linje["token"] not in side and linje["secret"] not in side
    assert system.token_hash not in side


def test_renewing_keys_invalidates_the_old_ones(su_client, afsender):
    gammel_hash = afsender.system.token_hash
    response = su_client.post(
        reverse("admin:mox_system_changelist"),
        {"action": "forny_noegler", "_selected_action": [afsender.system.pk]},
    )
    assert response.status_code == 200
    linje = json.loads(response.context["linje"])
    afsender.system.refresh_from_db()
    assert afsender.system.token_hash == token_hash(linje["token"]) != gammel_hash
    assert afsender.post(konvolut()).status_code == 401  # the old token
    afsender.token, afsender.secret = linje["token"], linje["secret"]
    assert afsender.post(konvolut()).status_code == 202


def test_the_inbox_is_read_only_filterable_and_masks_cpr(su_client, afsender):
    afsender.post(konvolut())
    besked = Besked.objects.get()
    liste = su_client.get(reverse("admin:mox_besked_changelist"), {"status__exact": "modtaget"})
    assert liste.status_code == 200 and liste.context["cl"].result_count == 1
    assert (
        su_client.get(reverse("admin:mox_besked_changelist"), {"status__exact": "fejlet"})
        .context["cl"]
        .result_count
        == 0
    )  # noqa: E501
    assert su_client.get(reverse("admin:mox_besked_add")).status_code == 403
    side = su_client.get(reverse("admin:mox_besked_change", args=[besked.pk]))
    assert side.status_code == 200
    indhold = side.content.decode()
    assert CPR not in indhold
    assert f"urn:dk:cpr:person:{CPR[:6]}-****" in indhold
    soeg = su_client.get(reverse("admin:mox_besked_changelist"), {"q": str(besked.objekt_id)})
    assert soeg.context["cl"].result_count == 1
    soeg = su_client.get(reverse("admin:mox_besked_changelist"), {"q": "ikke en uuid"})
    assert soeg.context["cl"].result_count == 0


def test_the_documentation_page_is_public_and_links_the_schema(client):
    response = client.get(reverse("mox:dokumentation"))
    assert response.status_code == 200
    indhold = response.content.decode()
    assert reverse("mox:schema") in indhold
    for ord_ in ("X-Mox-Tidspunkt", "X-Mox-Signatur", "Authorization", "beskeder[3].objekttype"):
        assert ord_ in indhold
    assert eksempler.REGNE_SIGNATUR in indhold
    assert "http://testserver/mox/beskeder/" in indhold
    schema = client.get(reverse("mox:schema"))
    assert schema.status_code == 200
    assert schema["Content-Type"].startswith("application/schema+json")
    assert json.loads(b"".join(schema.streaming_content))["$defs"]["besked"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_documented_openssl_recipe_signs_like_the_server(tmp_path):
    """The shell recipe on the page (printf, cat, openssl dgst -r, cut) gives our signature."""
    (tmp_path / "besked.json").write_bytes(eksempler.REGNE_KROP)
    kommando = (
        f"T={eksempler.REGNE_TIDSPUNKT}; SECRET={eksempler.REGNE_SECRET}; "
        "{ printf '%s.' \"$T\"; cat besked.json; } "
        "| openssl dgst -sha256 -hmac \"$SECRET\" -r | cut -d' ' -f1"
    )
    assert "openssl dgst -sha256 -hmac \"$SECRET\" -r | cut -d' ' -f1" in eksempler.SIGNERING_CURL
    ud = subprocess.run(  # noqa: S602 (a fixed recipe, run as documented)
        kommando, shell=True, cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert "sha256=" + ud.stdout.strip() == eksempler.REGNE_SIGNATUR
