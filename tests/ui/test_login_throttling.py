"""Login throttling (issue 11, finding 8): repeated wrong passwords lock the username and
the address out for a while, the login page says so in Danish, and an administrator can
lift the lockout in the admin."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.ui import factories

pytestmark = pytest.mark.django_db

SPAERRET = "For mange forkerte forsøg på at logge ind"


def log_ind(client, username, password=factories.ADGANGSKODE, ip="10.0.0.1"):
    data = {"username": username, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=ip)


def fejl(client, username, antal, ip="10.0.0.1"):
    for _ in range(antal):
        response = log_ind(client, username, password="forkert", ip=ip)
        assert "_auth_user_id" not in client.session
    return response


def test_the_limit_and_cool_off_have_sensible_defaults():
    assert 3 <= settings.AXES_FAILURE_LIMIT <= 10
    assert settings.AXES_COOLOFF_TIME.total_seconds() >= 15 * 60


def test_the_right_password_after_too_many_wrong_ones_is_refused(client, medarbejder):
    fejl(client, "anna", settings.AXES_FAILURE_LIMIT)

    response = log_ind(client, "anna")

    html = response.content.decode()
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert SPAERRET in html and 'role="alert"' in html
    assert '<label for="id_username">Brugernavn</label>' in html  # the login page itself
    assert "Account locked" not in html and "too many" not in html.lower()


def test_fewer_wrong_passwords_than_the_limit_do_not_lock(client, medarbejder):
    fejl(client, "anna", settings.AXES_FAILURE_LIMIT - 1)

    response = log_ind(client, "anna")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(medarbejder.user.pk)


def test_the_username_is_locked_from_any_address(client, medarbejder):
    for i in range(settings.AXES_FAILURE_LIMIT):
        fejl(client, "anna", 1, ip=f"10.0.1.{i}")

    assert log_ind(Client(), "anna", ip="10.0.2.1").status_code == 429


def test_the_address_is_locked_for_any_username(client, medarbejder, borger):
    for i in range(settings.AXES_FAILURE_LIMIT):
        fejl(client, f"gaet{i}", 1, ip="10.0.3.3")

    assert log_ind(Client(), "bo", ip="10.0.3.3").status_code == 429
    assert log_ind(Client(), "bo", ip="10.0.3.4").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, medarbejder):
    from axes.models import AccessAttempt

    fejl(client, "anna", settings.AXES_FAILURE_LIMIT)
    assert log_ind(client, "anna").status_code == 429

    gammel = AccessAttempt.objects.all()
    gammel.update(attempt_time=gammel[0].attempt_time - settings.AXES_COOLOFF_TIME * 2)

    assert log_ind(client, "anna").status_code == 302


def test_an_administrator_unlocks_in_the_admin(client, medarbejder):
    from axes.models import AccessAttempt

    fejl(client, "anna", settings.AXES_FAILURE_LIMIT)
    assert log_ind(client, "anna").status_code == 429
    admin = factories.bruger("admin", is_staff=True, is_superuser=True)
    admin_client = Client()
    admin_client.force_login(admin)

    liste = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert liste.status_code == 200 and "anna" in liste.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    slet = admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )

    assert slet.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert log_ind(client, "anna").status_code == 302


def test_the_admin_login_is_throttled_too(medarbejder):
    admin = factories.bruger("admin", is_staff=True, is_superuser=True)
    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        c.post(
            reverse("admin:login"),
            {"username": admin.username, "password": "forkert"},
            REMOTE_ADDR="10.0.4.4",
        )
    response = c.post(
        reverse("admin:login"),
        {"username": admin.username, "password": factories.ADGANGSKODE},
        REMOTE_ADDR="10.0.4.4",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in c.session


def test_a_cpr_number_typed_as_username_is_never_stored_and_still_locks(client, caplog):
    from axes.models import AccessAttempt, AccessFailureLog

    cpr = "0101701234"
    for skrevet in (cpr, "010170-1234"):
        caplog.clear()
        fejl(client, skrevet, settings.AXES_FAILURE_LIMIT, ip="10.0.9.1")
        response = log_ind(client, skrevet, password="forkert", ip="10.0.9.2")
        assert response.status_code == 429  # the same typing counts towards one lockout
        assert "1234" not in caplog.text

    gemt = [a.username for a in AccessAttempt.objects.all()]
    gemt += [a.username for a in AccessFailureLog.objects.all()]
    assert gemt and all(
        "1234" not in (navn or "") and "010170" not in (navn or "") for navn in gemt
    )
