"""Login through OpenID Connect, end to end against a real OpenID provider on a free port.

oidc-provider-mock runs a provider (authorize, token, userinfo, JWKS with an RS256 key,
end_session) in a thread. Our side runs in Django's test client; the provider's side is
driven with httpx: the test chooses the subject at the authorize step by a form POST, as a
person would at the IdP, and the provider redirects to our callback with a code. Our
callback then makes real HTTP calls to the provider's token endpoint and JWKS.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse
from oidc_provider_mock import run_server_in_thread

from organisation import oidc
from organisation.models import Borger
from tests.ui import factories

pytestmark = pytest.mark.django_db

CPR = "0101801234"  # the Borger that tests.ui.factories.borger makes
NY_CPR = "1203484562"


@pytest.fixture(scope="module")
def op():
    """Return the base URL of a running OpenID provider (stopped after the module)."""
    with pytest.MonkeyPatch.context() as mp:
        # authlib refuses plain HTTP unless told; the provider is on localhost only.
        mp.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
        with run_server_in_thread() as server:
            yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def andet_op():
    """A second provider: its own signing key, so its JWKS does not verify `op`'s tokens."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
        with run_server_in_thread() as server:
            yield f"http://localhost:{server.server_port}"


def konfiguration(op: str, **aendret) -> dict:
    """Return one provider's configuration as settings.OIDC_UDBYDERE holds it."""
    return {
        "client_id": "datadeling",
        "client_secret": "hemmelig",
        "issuer": op,
        "authorization_endpoint": f"{op}/oauth2/authorize",
        "token_endpoint": f"{op}/oauth2/token",
        "jwks_endpoint": f"{op}/jwks",
        "userinfo_endpoint": f"{op}/userinfo",
        "end_session_endpoint": "",
        "scopes": "openid email profile",
        "sign_algo": "RS256",
        "claim": "email",
        "pkce": True,
        **aendret,
    }


@pytest.fixture
def udbydere(settings, op):
    settings.OIDC_UDBYDERE = {
        oidc.PERSONALE: konfiguration(
            op,
            client_id="datadeling-personale",
            end_session_endpoint=f"{op}/oauth2/end_session",
            felt="email",
        ),
        # The broker's CPR claim, and only the ID token (no userinfo endpoint).
        oidc.BORGER: konfiguration(
            op,
            client_id="datadeling-borger",
            claim="dk:cpr",
            scopes="openid profile",
            userinfo_endpoint="",
        ),
    }
    return settings.OIDC_UDBYDERE


@pytest.fixture
def anna(db):
    medarbejder = factories.medarbejder()
    medarbejder.email = "Anna.Sagsbehandler@testrup.dk"
    medarbejder.save()
    return medarbejder


class Login:
    """One login's round trip, with every URL the browser saw."""

    def __init__(self, client, op: str, udbyder: str, sub: str, claims: dict, **parametre):
        httpx.put(f"{op}/users/{sub}", json=claims).raise_for_status()
        start_url = reverse(f"oidc:{udbyder}_authenticate")
        if parametre:
            start_url += "?" + urlencode(parametre)
        self.start = client.get(start_url)
        assert self.start.status_code == 302
        assert self.start.url.startswith(f"{op}/oauth2/authorize?")
        self.forespoergsel = parse_qs(urlsplit(self.start.url).query)
        # The person picks who they are at the provider; it answers with a code.
        svar = httpx.post(self.start.url, data={"sub": sub}, follow_redirects=False)
        assert svar.status_code == 302, svar.text
        self.callback_url = svar.headers["location"]
        self.client = client

    def callback(self, **erstat):
        dele = urlsplit(self.callback_url)
        query = {k: v[0] for k, v in parse_qs(dele.query).items()} | erstat
        return self.client.get(f"{dele.path}?{urlencode(query)}")

    def urls(self) -> list[str]:
        return [self.start.url, self.callback_url]


def besked(client, response) -> str:
    """Return the page the refusal redirects to (the login page with its message)."""
    assert response.status_code == 302
    assert response.url == reverse("login")
    return client.get(response.url).content.decode()


def logget_ind(client):
    return client.session.get(SESSION_KEY)


# --- the login page ---------------------------------------------------------------------------


def test_without_configuration_only_the_password_form_shows(client, settings):
    settings.OIDC_UDBYDERE = {}

    html = client.get(reverse("login")).content.decode()

    assert 'name="password"' in html
    assert "MitID" not in html
    assert "Log ind som medarbejder" not in html
    assert client.get(reverse("oidc:borger_authenticate")).status_code == 404
    assert client.get(reverse("oidc:personale_callback") + "?code=x&state=y").status_code == 404


def test_configured_providers_get_a_button_each(client, udbydere):
    html = client.get(reverse("login") + "?next=/begreber/").content.decode()

    assert f'href="{reverse("oidc:borger_authenticate")}?next=/begreber/"' in html
    assert "Log ind med MitID" in html
    assert f'href="{reverse("oidc:personale_authenticate")}?next=/begreber/"' in html
    assert "Log ind som medarbejder" in html
    assert 'name="password"' in html  # the demo's logins still work


def test_only_the_configured_provider_gets_a_button(client, udbydere, settings):
    del settings.OIDC_UDBYDERE[oidc.PERSONALE]

    html = client.get(reverse("login")).content.decode()

    assert "Log ind med MitID" in html
    assert "Log ind som medarbejder" not in html
    assert client.get(reverse("oidc:personale_authenticate")).status_code == 404


# --- staff ------------------------------------------------------------------------------------


def test_staff_round_trip_logs_in_the_medarbejder(client, op, udbydere, anna):
    login = Login(
        client,
        op,
        oidc.PERSONALE,
        "anna-sub",
        {"email": "anna.sagsbehandler@testrup.dk"},
        next=reverse("klassifikation:soeg"),
    )
    # state, nonce and a PKCE challenge went to the provider, with our callback URL.
    assert login.forespoergsel["client_id"] == ["datadeling-personale"]
    assert login.forespoergsel["redirect_uri"] == [
        "http://testserver" + reverse("oidc:personale_callback")
    ]
    assert {"state", "nonce", "code_challenge"} <= set(login.forespoergsel)

    response = login.callback()

    assert response.status_code == 302
    assert response.url == reverse("klassifikation:soeg")
    assert str(logget_ind(client)) == str(anna.user.pk)
    assert client.session["_auth_user_backend"] == "organisation.oidc.backend.OidcBackend"
    assert client.session[oidc.SESSION_UDBYDER] == oidc.PERSONALE
    forside = client.get(reverse("forside"))
    assert forside.context["aktoer"].medarbejder == anna


def test_staff_matched_by_id_claim(client, op, udbydere, anna):
    udbydere[oidc.PERSONALE].update(claim="medarbejder_id", felt="id")

    response = Login(
        client, op, oidc.PERSONALE, "anna-id", {"medarbejder_id": str(anna.pk)}
    ).callback()

    assert response.url == reverse("forside")
    assert str(logget_ind(client)) == str(anna.user.pk)


def test_a_next_on_another_site_is_ignored(client, op, udbydere, anna):
    response = Login(
        client, op, oidc.PERSONALE, "anna-next", {"email": anna.email}, next="https://ond.example/"
    ).callback()

    assert response.url == reverse("forside")


def test_unknown_staff_is_refused_with_a_danish_message(client, op, udbydere, anna):
    brugere = get_user_model().objects.count()

    response = Login(client, op, oidc.PERSONALE, "ukendt", {"email": "ny@testrup.dk"}).callback()

    assert "Du er ikke oprettet som medarbejder i Datadeling" in besked(client, response)
    assert logget_ind(client) is None
    assert get_user_model().objects.count() == brugere  # no login is made for them


def test_staff_whose_login_is_closed_is_refused(client, op, udbydere, anna):
    anna.user.is_active = False
    anna.user.save()

    response = Login(client, op, oidc.PERSONALE, "anna-lukket", {"email": anna.email}).callback()

    assert "ikke åbnet eller er lukket" in besked(client, response)
    assert logget_ind(client) is None


def test_two_staff_with_the_same_email_are_refused(client, op, udbydere, anna):
    anden = factories.medarbejder(username="anna2", navn="Anna To")
    anden.email = anna.email.upper()
    anden.save()

    response = Login(client, op, oidc.PERSONALE, "anna-to", {"email": anna.email}).callback()

    assert "Flere medarbejdere" in besked(client, response)
    assert logget_ind(client) is None


def test_missing_claim_is_refused(client, op, udbydere, anna):
    udbydere[oidc.PERSONALE]["claim"] = "upn"

    response = Login(client, op, oidc.PERSONALE, "uden-upn", {"email": anna.email}).callback()

    assert "sendte ikke de oplysninger" in besked(client, response)
    assert logget_ind(client) is None


# --- citizens ---------------------------------------------------------------------------------


def test_citizen_round_trip_links_the_borger_to_a_new_login(client, op, udbydere, caplog):
    caplog.set_level(logging.DEBUG)
    borger = Borger.objects.create(cpr=CPR, fornavn="Bo", efternavn="Borgersen")

    login = Login(client, op, oidc.BORGER, "mitid-bo", {"dk:cpr": CPR, "name": "B B"})
    response = login.callback()

    assert response.status_code == 302
    assert response.url == reverse("forside")
    borger.refresh_from_db()
    assert str(logget_ind(client)) == str(borger.user_id)
    assert borger.user.username == f"borger-{borger.pk}"
    assert not borger.user.has_usable_password()
    assert (borger.fornavn, borger.efternavn) == ("Bo", "Borgersen")  # not renamed by a claim
    assert "Velkommen, Bo Borgersen" in client.get(reverse("forside")).content.decode()
    # The CPR number travelled only inside the signed ID token.
    assert not [url for url in [*login.urls(), response.url] if CPR in url]
    assert not [r for r in caplog.records if CPR in r.getMessage()]

    # Logging in again uses the same login.
    client.logout()
    Login(client, op, oidc.BORGER, "mitid-bo", {"dk:cpr": CPR}).callback()
    assert str(logget_ind(client)) == str(borger.user_id)
    assert Borger.objects.filter(cpr=CPR).count() == 1


def test_citizen_with_a_login_already_keeps_it(client, op, udbydere):
    borger = factories.borger()

    Login(client, op, oidc.BORGER, "mitid-bo2", {"dk:cpr": CPR}).callback()

    assert str(logget_ind(client)) == str(borger.user_id)


def test_unknown_cpr_makes_a_borger_named_from_the_claims(client, op, udbydere, caplog):
    caplog.set_level(logging.DEBUG)

    login = Login(
        client,
        op,
        oidc.BORGER,
        "mitid-ny",
        {"dk:cpr": NY_CPR, "given_name": "Nina", "family_name": "Nybo"},
    )
    response = login.callback()

    borger = Borger.objects.get(cpr=NY_CPR)
    assert (borger.fornavn, borger.efternavn) == ("Nina", "Nybo")
    assert str(logget_ind(client)) == str(borger.user_id)
    assert response.url == reverse("forside")
    assert "Velkommen, Nina Nybo" in client.get(reverse("forside")).content.decode()
    assert not [url for url in [*login.urls(), response.url] if NY_CPR in url]
    assert not [r for r in caplog.records if NY_CPR in r.getMessage()]


def test_invalid_cpr_is_refused_without_repeating_it(client, op, udbydere, caplog):
    caplog.set_level(logging.DEBUG)
    ugyldigt = "3213481234"  # no 32nd day

    response = Login(client, op, oidc.BORGER, "mitid-ugyldig", {"dk:cpr": ugyldigt}).callback()

    html = besked(client, response)
    assert "MitID-login gav ikke et gyldigt CPR-nummer" in html
    assert ugyldigt not in html
    assert not [r for r in caplog.records if ugyldigt in r.getMessage()]
    assert logget_ind(client) is None
    assert not Borger.objects.filter(cpr=ugyldigt).exists()


def test_citizen_login_cannot_open_a_staff_account(client, op, udbydere, anna):
    Borger.objects.create(cpr=NY_CPR, fornavn="Anna", efternavn="S", user=anna.user)

    response = Login(client, op, oidc.BORGER, "mitid-anna", {"dk:cpr": NY_CPR}).callback()

    assert "hører til en konto for en medarbejder" in besked(client, response)
    assert logget_ind(client) is None


# --- the answer must belong to a login started here -------------------------------------------


def test_a_wrong_state_is_refused(client, op, udbydere, anna):
    login = Login(client, op, oidc.PERSONALE, "anna-state", {"email": anna.email})

    response = login.callback(state="forfalsket")

    assert "hørte ikke til et login, du har startet her" in besked(client, response)
    assert logget_ind(client) is None
    # The real state still works once: nothing was spent on the forged answer.
    assert login.callback().url == reverse("forside")
    client.logout()


def test_a_state_from_another_browser_is_refused(client, op, udbydere, anna):
    from django.test import Client

    login = Login(Client(), op, oidc.PERSONALE, "anna-andet", {"email": anna.email})
    login.client = client  # the answer arrives in a browser that did not start the login

    response = login.callback()

    assert "hørte ikke til et login" in besked(client, response)
    assert logget_ind(client) is None


def test_the_other_providers_callback_refuses_the_state(client, op, udbydere, anna):
    login = Login(client, op, oidc.PERSONALE, "anna-kryds", {"email": anna.email})
    login.callback_url = login.callback_url.replace(
        reverse("oidc:personale_callback"), reverse("oidc:borger_callback")
    )

    response = login.callback()

    assert "hørte ikke til et login" in besked(client, response)
    assert logget_ind(client) is None


def test_a_state_is_used_once(client, op, udbydere, anna):
    login = Login(client, op, oidc.PERSONALE, "anna-igen", {"email": anna.email})
    assert login.callback().url == reverse("forside")
    client.logout()

    response = login.callback()

    assert "hørte ikke til et login" in besked(client, response)
    assert logget_ind(client) is None


def test_an_id_token_the_configured_jwks_does_not_verify_is_refused(
    client, op, andet_op, udbydere, anna
):
    udbydere[oidc.PERSONALE]["jwks_endpoint"] = f"{andet_op}/jwks"

    response = Login(client, op, oidc.PERSONALE, "anna-jwks", {"email": anna.email}).callback()

    assert "kunne ikke bekræfte dit login" in besked(client, response)
    assert logget_ind(client) is None


def test_an_id_token_from_another_issuer_is_refused(client, op, udbydere, anna):
    udbydere[oidc.PERSONALE]["issuer"] = "https://idp.testrup.dk"

    response = Login(client, op, oidc.PERSONALE, "anna-iss", {"email": anna.email}).callback()

    assert "kunne ikke bekræfte dit login" in besked(client, response)
    assert logget_ind(client) is None


def test_a_denied_login_at_the_provider_is_refused(client, op, udbydere):
    start = client.get(reverse("oidc:personale_authenticate"))
    svar = httpx.post(start.url, data={"action": "deny"}, follow_redirects=False)
    dele = urlsplit(svar.headers["location"])

    response = client.get(f"{dele.path}?{dele.query}")

    assert "Log ind blev afbrudt" in besked(client, response)
    assert logget_ind(client) is None


# --- logging out ------------------------------------------------------------------------------


def test_logout_ends_the_session_here_and_at_the_provider(client, op, udbydere, anna):
    Login(client, op, oidc.PERSONALE, "anna-ud", {"email": anna.email}).callback()
    assert logget_ind(client)

    response = client.post(reverse("logout"))

    assert logget_ind(client) is None
    assert response.status_code == 302
    assert response.url.startswith(f"{op}/oauth2/end_session?")
    parametre = parse_qs(urlsplit(response.url).query)
    assert parametre["client_id"] == ["datadeling-personale"]
    assert parametre["post_logout_redirect_uri"] == [
        "http://testserver" + reverse("login") + "?logget_ud=1"
    ]
    # The provider ends its session and sends the person back to our login page.
    slut = httpx.post(
        f"{op}/oauth2/end_session/confirm",
        data={"redirect_uri": parametre["post_logout_redirect_uri"][0]},
    )
    assert slut.status_code == 302
    assert slut.headers["location"].endswith(reverse("login") + "?logget_ud=1")


def test_logout_without_end_session_stays_here(client, op, udbydere):
    factories.borger()
    Login(client, op, oidc.BORGER, "mitid-ud", {"dk:cpr": CPR}).callback()

    response = client.post(reverse("logout"), {"next": reverse("login") + "?logget_ud=1"})

    assert logget_ind(client) is None
    assert response.url == reverse("login") + "?logget_ud=1"


def test_password_logout_is_unchanged(client, anna):
    client.force_login(anna.user)

    response = client.post(reverse("logout"), {"next": reverse("login") + "?logget_ud=1"})

    assert response.url == reverse("login") + "?logget_ud=1"


# --- settings from the environment ------------------------------------------------------------


def test_providers_are_read_from_the_environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    env.update(
        {
            "OIDC_PERSONALE_CLIENT_ID": "dd",
            "OIDC_PERSONALE_CLIENT_SECRET": "s",
            "OIDC_PERSONALE_AUTHORIZATION_ENDPOINT": "https://idp/authorize",
            "OIDC_PERSONALE_TOKEN_ENDPOINT": "https://idp/token",
            "OIDC_PERSONALE_JWKS_ENDPOINT": "https://idp/jwks",
            "OIDC_PERSONALE_FELT": "id",
            "OIDC_PERSONALE_CLAIM": "employee_id",
        }
    )
    kode = (
        "from django.conf import settings; u = settings.OIDC_UDBYDERE; "
        "print(sorted(u), u['personale']['felt'], u['personale']['claim'], "
        "u['personale']['token_endpoint'], u['personale']['sign_algo'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", kode],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split()[-5:] == [
        "['personale']",
        "id",
        "employee_id",
        "https://idp/token",
        "RS256",
    ], result.stderr

    del env["OIDC_PERSONALE_TOKEN_ENDPOINT"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "OIDC_PERSONALE_TOKEN_ENDPOINT skal også sættes" in result.stderr
