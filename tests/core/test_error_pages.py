"""Danish error pages in the house layout with DEBUG off (issue 11, finding 12), and the
demo served with DEBUG off so a new user meets them instead of Django's debug pages."""

from __future__ import annotations

import subprocess

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

pytestmark = pytest.mark.django_db

HUS = '<header class="sidehoved">'


def test_a_404_with_debug_off_is_the_danish_page(client, settings):
    settings.DEBUG = False

    response = client.get("/findes-ikke/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Siden findes ikke" in html and HUS in html and '<html lang="da">' in html
    assert "Page not found" not in html and "URLconf" not in html


def test_a_403_is_the_danish_page(settings, django_user_model):
    settings.DEBUG = False
    c = Client()
    c.force_login(django_user_model.objects.create_user("kontor", is_staff=True))

    response = c.get(reverse("admin:organisation_borger_find_cpr"))

    html = response.content.decode()
    assert response.status_code == 403
    assert "Du har ikke adgang til siden" in html and HUS in html
    assert "403 Forbidden" not in html


def test_a_csrf_failure_is_a_danish_page(settings):
    settings.DEBUG = False
    c = Client(enforce_csrf_checks=True)

    response = c.post(reverse("login"), {"username": "x", "password": "y"})

    html = response.content.decode()
    assert response.status_code == 403
    assert "Siden var udløbet" in html and HUS in html
    assert "CSRF verification failed" not in html


def test_the_500_page_is_danish_and_needs_neither_database_nor_request_context(
    settings, django_assert_num_queries
):
    settings.DEBUG = False
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = defaults.server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "Der opstod en fejl" in html and HUS in html and '<html lang="da">' in html


def test_the_demo_runs_with_debug_off_over_plain_http():
    kommandoer = subprocess.run(
        ["make", "-n", "demo", "STAMP=/dev/null"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    runserver = next(linje for linje in kommandoer.splitlines() if "runserver" in linje)
    assert "DEBUG=1" not in kommandoer
    assert "DEBUG=0" in runserver and "HTTPS=0" in runserver
    # WhiteNoise serves the static files, from the folder collectstatic fills
    assert "--insecure" not in runserver and "collectstatic" in kommandoer
