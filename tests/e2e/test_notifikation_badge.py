"""Browser test: the citizen answers a consent request in their browser, and the requesting
caseworker's badge in the page header shows it without a reload (htmx polls the unread
count), with an accessibility check of the inbox.

The event is fanned out by the Celery task run eagerly in the live server (no worker in
this test; tests/overblik and benchmarks/notifikationer.py use real ones)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Enhed
from samtykke import services as samtykke_services
from tests.e2e.test_a11y import (  # noqa: F401  (fixtures)
    assert_no_serious_violations,
    browser,
    log_ind,
    page,
    pytestmark,
    sync_api,
)
from tests.ui import factories


@pytest.fixture
def eager():
    """Run the fan-out task in the live server, after the commit that wrote the event."""
    from datadeling.celery import app

    foer = app.conf.task_always_eager
    app.conf.update(task_always_eager=True)
    yield
    app.conf.update(task_always_eager=foer)


@pytest.fixture
def anden_page(browser):  # noqa: F811
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_the_caseworkers_badge_shows_the_answer_without_a_reload(
    live_server,
    page,  # noqa: F811  (the fixture imported above)
    anden_page,
    eager,
):
    anna = factories.medarbejder()
    borger = factories.borger()
    enhed = anna.funktioner.get().enhed
    kilde = Enhed.objects.create(myndighed=enhed.myndighed, navn="Jobcentret")
    a = samtykke_services.anmodning_create(
        actor=anna.user, borger=borger, anmoder=anna, enhed=enhed,
        kategorier=[Klasse.objects.get(pk=k.FSIII_FUNKTIONSEVNETILSTANDE[0])], kilder=[kilde],
        formaal="Koordinering af plejen", begrundelse="Vi skal planlægge sammen",
        varighed_dage=90,
    )  # fmt: skip
    base = live_server.url

    log_ind(page, base, "anna")
    badge = page.locator("#notifikation-badge")
    sync_api.expect(badge).to_have_text("Notifikationer")
    page.evaluate("window.ikkeGenindlaest = true")  # gone if the page reloads

    log_ind(anden_page, base, "bo")
    anden_page.goto(base + reverse("overblik:min_anmodning_svar", args=[a.pk]))
    anden_page.get_by_role("button", name="Ja, giv samtykke").click()
    anden_page.wait_for_url(f"{base}{reverse('overblik:mine_samtykker')}")

    sync_api.expect(badge.get_by_test_id("ulaeste")).to_have_text("1", timeout=40_000)
    assert page.evaluate("window.ikkeGenindlaest") is True

    badge.click()
    sync_api.expect(page.get_by_role("heading", level=1)).to_contain_text("Notifikationer")
    sync_api.expect(page.get_by_role("link", name="Anmodning besvaret")).to_be_visible()
    assert_no_serious_violations(page, "notifikationer")
