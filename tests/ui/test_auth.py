"""Logging in and out, for staff and citizens, and pages that need a login."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.ui import factories

pytestmark = pytest.mark.django_db


def log_ind(client, username, password=factories.ADGANGSKODE, follow=False, **extra):
    data = {"username": username, "password": password, **extra}
    return client.post(reverse("login"), data, follow=follow)


def test_login_page_is_danish_with_labelled_fields_and_csrf(client):
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">Brugernavn</label>' in html
    assert '<label for="id_password">Adgangskode</label>' in html
    assert 'autocomplete="current-password"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # No one is logged in, so there is no logout button and no main menu.
    assert "Log ud" not in html
    assert "Hovedmenu" not in html


def test_staff_member_logs_in_and_lands_on_forside(client, medarbejder):
    response = log_ind(client, "anna")

    assert response.status_code == 302
    assert response.url == reverse("forside")
    assert client.get(reverse("forside")).context["user"] == medarbejder.user


def test_citizen_logs_in_and_lands_on_forside(client, borger):
    response = log_ind(client, "bo", follow=True)

    assert response.redirect_chain == [(reverse("forside"), 302)]
    assert "Velkommen, Bo Borgersen" in response.content.decode()


def test_login_follows_next(client, medarbejder):
    response = log_ind(client, "anna", next=reverse("klassifikation:soeg"))

    assert response.url == reverse("klassifikation:soeg")


def test_wrong_password_gives_a_danish_error(client, medarbejder):
    response = log_ind(client, "anna", password="forkert")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "Du blev ikke logget ind" in html
    assert "Indtast venligst korrekt brugernavn og adgangskode" in html
    assert 'aria-describedby="login-fejl"' in html
    assert 'value="anna"' in html  # the username is kept, the password is not
    assert "_auth_user_id" not in client.session


def test_empty_fields_are_marked_invalid(client):
    response = log_ind(client, "", password="")

    html = response.content.decode()
    assert "Udfyld både brugernavn og adgangskode." in html
    assert 'aria-invalid="true" aria-describedby="username-fejl"' in html
    assert 'aria-invalid="true" aria-describedby="password-fejl"' in html


def test_logout_is_a_post_and_confirms(staff_client):
    assert staff_client.get(reverse("logout")).status_code == 405

    response = staff_client.post(
        reverse("logout"), {"next": reverse("login") + "?logget_ud=1"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("login") + "?logget_ud=1"
    assert "Du er nu logget ud." in response.content.decode()
    assert "_auth_user_id" not in staff_client.session
    assert staff_client.get(reverse("forside")).status_code == 302


def test_logout_form_in_header_has_csrf_token(staff_client):
    html = staff_client.get(reverse("forside")).content.decode()

    form = html[html.index(f'action="{reverse("logout")}"') :]
    form = form[: form.index("</form>")]
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'type="submit"' in form


@pytest.mark.parametrize(
    "url",
    [
        reverse("forside"),
        reverse("klassifikation:soeg"),
        reverse("klassifikation:soeg") + "?q=g%C3%A5",
        reverse("klassifikation:klasse", kwargs={"pk": "6f1c3b52-0d1e-4a8f-9a57-d4a1c8e0b7a1"}),
    ],
)
def test_pages_need_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/log-ind/?next=")


def test_logged_in_user_visiting_login_goes_to_forside(staff_client):
    response = staff_client.get(reverse("login"))

    assert response.status_code == 302
    assert response.url == reverse("forside")
