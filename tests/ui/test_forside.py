"""The start page and the base layout: who is logged in, landmarks, language."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.ui import factories

pytestmark = pytest.mark.django_db


def test_staff_sees_name_units_and_concept_lookup(staff_client):
    response = staff_client.get(reverse("forside"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Velkommen, Anna Sagsbehandler" in html
    assert "Sagsbehandler, Hjemmeplejen Nord (Aarhus Kommune)" in html
    assert "Sagsbehandler, Visitation Syd (Aarhus Kommune)" in html
    assert f'href="{reverse("klassifikation:soeg")}"' in html
    # An ordinary caseworker gets no admin link.
    assert reverse("admin:index") not in html


def test_header_shows_staff_name_and_roles(staff_client):
    html = staff_client.get(reverse("forside")).content.decode()

    header = html[html.index("<header") : html.index("</header>")]
    assert "Logget ind som <strong>Anna Sagsbehandler</strong>" in header
    assert "Sagsbehandler, Hjemmeplejen Nord; Sagsbehandler, Visitation Syd" in header


def test_staff_with_admin_rights_gets_admin_link(client):
    admin = factories.medarbejder(username="admin", navn="Ada Admin", is_staff=True)
    client.force_login(admin.user)

    html = client.get(reverse("forside")).content.decode()

    assert f'href="{reverse("admin:index")}"' in html


def test_expired_function_is_not_shown(client):
    m = factories.medarbejder(username="gammel", enheder=("Gammel enhed",))
    m.funktioner.update(gyldig_til="2021-01-01")
    client.force_login(m.user)

    html = client.get(reverse("forside")).content.decode()

    assert "Gammel enhed" not in html
    assert "ingen aktuel funktion" in html


def test_citizen_sees_name_and_concept_lookup_only(borger_client):
    html = borger_client.get(reverse("forside")).content.decode()

    assert "Velkommen, Bo Borgersen" in html
    assert "Du er logget ind som borger." in html
    assert f'href="{reverse("klassifikation:soeg")}"' in html
    assert reverse("admin:index") not in html
    header = html[html.index("<header") : html.index("</header>")]
    assert "Logget ind som <strong>Bo Borgersen</strong>" in header
    assert "0101801234" not in html  # no CPR number on the page


def test_user_without_profile_gets_a_clear_message(client, uden_profil):
    client.force_login(uden_profil)

    html = client.get(reverse("forside")).content.decode()

    assert "Din bruger er ikke knyttet til en person" in html
    assert "hverken knyttet til en medarbejder eller en borger" in html
    assert "Logget ind som <strong>Ulla Uden</strong>" in html


def test_forside_query_count(client, django_assert_num_queries):
    m = factories.medarbejder(username="mange", enheder=tuple(f"Enhed {i}" for i in range(10)))
    client.force_login(m.user)

    # session, user, user with profiles, the profile's functions, and the worklist's
    # empty lists, those of following, dialogue and correction requests included
    # (tests/overblik/test_arbejdsliste.py pins it with 10 and 1,000 items)
    with django_assert_num_queries(16):
        response = client.get(reverse("forside"))
    assert response.content.decode().count("Enhed ") >= 20


def test_base_layout_is_accessible_danish(staff_client):
    html = staff_client.get(reverse("forside")).content.decode()

    assert '<html lang="da">' in html
    assert '<meta name="viewport"' in html
    skip = re.search(r'<a class="skip-link" href="#indhold">Gå til indhold</a>', html)
    main = html.index('<main id="indhold"')
    assert skip and skip.start() < html.index("<header")
    assert html.index("<header") < main < html.index("<footer")
    assert '<nav class="hovedmenu" aria-label="Hovedmenu">' in html
    assert 'aria-current="page">Forside</a>' in html
    # htmx is served from our own static files at a pinned version, never a CDN.
    assert "/static/vendor/htmx-2.0.4.min.js" in html
    # No script, style sheet or link points off the site. (A search for "cdn" in the
    # whole page failed whenever the random CSRF token happened to contain it.)
    eksterne = [
        url
        for url in re.findall(r'(?:src|href)="([^"]*)"', html)
        if url.startswith(("http:", "https:", "//"))
    ]
    assert eksterne == []


def test_body_carries_csrf_token_for_htmx(staff_client):
    response = staff_client.get(reverse("forside"))

    token = response.context["csrf_token"]
    assert f"""<body hx-headers='{{"X-CSRFToken": "{token}"}}'>""" in response.content.decode()


def test_static_files_exist(client):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/htmx-2.0.4.min.js")
    assert finders.find("css/datadeling.css")


def test_messages_are_shown(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = AnonymousUser()
    beskeder = [
        Message(constants.SUCCESS, "Samtykket er gemt."),
        Message(constants.ERROR, "Samtykket kunne ikke gemmes."),
    ]

    html = render_to_string("base.html", {"messages": beskeder}, request=request)

    assert '<div class="besked besked-success" role="status">' in html
    assert "Samtykket er gemt." in html
    assert '<div class="besked besked-error" role="alert">' in html
