"""Content-Security-Policy and no-store (issue 11, finding 9): every page forbids inline
script and style and foreign sources, and no response to a logged-in request is kept by a
browser or proxy cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.overblik import test_tilstand_screens as skaerme
from tests.overblik.test_tilstand_screens import indsats, tilstand, url

g = skaerme.g
klient = skaerme.klient

pytestmark = pytest.mark.django_db


def direktiver(response) -> dict[str, list[str]]:
    politik = response["Content-Security-Policy"]
    return {navn: kilder for navn, *kilder in (d.split() for d in politik.split(";") if d.strip())}


@pytest.fixture
def borger_klient(g):
    from django.contrib.auth import get_user_model

    g.borger.user = get_user_model().objects.create_user("else")
    g.borger.save()
    c = Client()
    c.force_login(g.borger.user)
    return c


# --- Content-Security-Policy ---------------------------------------------------------------


@pytest.mark.parametrize("side", ["login", "forside"])
def test_every_page_has_a_strict_policy(client, side):
    response = client.get(reverse(side))

    d = direktiver(response)
    assert d["default-src"] == ["'self'"]
    for navn in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in d.get(navn, []) and "'unsafe-eval'" not in d.get(navn, [])
    assert d["object-src"] == ["'none'"] and d["frame-ancestors"] == ["'none'"]
    assert d["base-uri"] == ["'none'"] and d["form-action"] == ["'self'"]


def test_the_staff_pages_have_the_strict_policy(klient, g):
    i = indsats(g)
    for adresse in (url("borgere"), url("borger", pk=g.borger.pk), url("indsats", pk=i.pk)):
        d = direktiver(klient.get(adresse))
        assert d["default-src"] == ["'self'"] and "style-src" not in d and "script-src" not in d


def test_the_admin_has_the_same_strict_policy(g):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("admin", password="x-long-pass-77")
    c = Client()
    c.force_login(admin)

    d = direktiver(c.get(reverse("admin:index")))

    assert d["default-src"] == ["'self'"] and "style-src" not in d and "script-src" not in d


def test_no_admin_list_writes_inline_style(django_user_model):
    """Django's change list writes a <style> element when a list has no actions; the
    strict policy would drop it (a column width), so no list of ours may be like that."""
    from django.contrib import admin

    c = Client()
    c.force_login(django_user_model.objects.create_superuser("su", "su@example.org", None))
    med_style = []
    for model in admin.site._registry:
        adresse = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        html = c.get(adresse).content.decode()
        if "<style" in html or re.search(r"\sstyle=", html) or re.search(r"<script>", html):
            med_style.append(adresse)
    assert not med_style


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "event handler attribute"),
    (re.compile(r"\shx-on", re.I), "hx-on attribute (needs eval)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    mapper = [settings.BASE_DIR / "templates", *settings.BASE_DIR.glob("*/templates")]
    fund = []
    for mappe in mapper:
        for fil in Path(mappe).rglob("*.html"):
            tekst = fil.read_text()
            fund += [
                f"{fil.relative_to(settings.BASE_DIR)}: {hvad}"
                for moenster, hvad in INLINE
                if moenster.search(tekst)
            ]
    assert not fund, "\n".join(fund)


def test_htmx_does_not_inject_its_indicator_style(klient):
    html = klient.get(reverse("forside")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html
    css = (settings.BASE_DIR / "datadeling" / "static" / "css" / "datadeling.css").read_text()
    assert ".htmx-indicator" in css and ".htmx-request .htmx-indicator" in css


# --- no-store ---------------------------------------------------------------------------


def er_no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_the_intervention_page_is_not_stored(klient, g):
    i = indsats(g)

    response = klient.get(url("indsats", pk=i.pk))

    assert response.status_code == 200 and er_no_store(response)
    assert "private" in response["Cache-Control"]


def test_my_data_is_not_stored(borger_klient, g):
    tilstand(g)

    response = borger_klient.get(url("mine_data"))

    assert response.status_code == 200 and er_no_store(response)


def test_every_response_to_a_logged_in_request_is_not_stored(klient, g):
    """The mechanism is general: pages without their own never_cache, the concept lookup,
    a 404 and a redirect are all marked."""
    for response in (
        klient.get(reverse("forside")),
        klient.get(reverse("klassifikation:soeg")),
        klient.get("/findes-ikke/"),
        klient.get(reverse("login")),  # redirect of a logged-in user
    ):
        assert er_no_store(response), (response.status_code, response.get("Cache-Control"))
