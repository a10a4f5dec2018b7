"""Browser test: a consent set to expire in 10 days appears on the worklist of the unit it
names (and not on another unit's), its pages turn with htmx, and axe finds no violations
on the staff and citizen front pages, on a desktop and at 390 px.

Runs Playwright against the machine's Chromium like tests/e2e/test_a11y.py.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from samtykke import services as samtykke_services
from tests.admin import factories as f
from tests.e2e.test_a11y import CHROMIUM, CHROMIUM_ARGS, axe_sync, log_ind, sync_api
from tests.ui import factories

pytestmark = pytest.mark.django_db(transaction=True)

VISNINGER = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def ingen_fund(page, navn: str) -> None:
    """Assert that axe finds no violations at all on the page."""
    fund = axe_sync.Axe().run(page).response["violations"]
    beskrivelse = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in fund
    )
    assert not fund, f"axe found problems on {navn}:\n{beskrivelse}"


def _verden():
    kommune = f.MyndighedFactory(navn="Testrup Kommune")
    a = f.EnhedFactory(myndighed=kommune, navn="Hjemmeplejen Syd")
    b = f.EnhedFactory(myndighed=kommune, navn="Socialpsykiatrien")
    for navn, enhed in (("anna", a), ("bo", b)):
        user = factories.bruger(navn)
        f.FunktionFactory(
            enhed=enhed, medarbejder=f.MedarbejderFactory(user=user, myndighed=kommune)
        )
    karla = f.BorgerFactory(fornavn="Karla", efternavn="Kristensen")
    karla.user = factories.bruger("karla")
    karla.save(update_fields=["user"])
    t = f.TilstandFactory(
        borger=karla, ansvarlig_enhed=a, opfoelgning=timezone.localdate() - datetime.timedelta(3)
    )
    nu = timezone.now()
    samtykke_services.samtykke_give(
        actor=None, borger=karla, modtager=b, kategorier=[t.type], kilder=[a],
        formaal="Koordinering", gyldig_fra=nu - datetime.timedelta(days=355),
        gyldig_til=nu + datetime.timedelta(days=10),
    )  # fmt: skip
    # enough expiring consents to Socialpsykiatrien for a second page
    for i in range(11):
        anden = f.BorgerFactory(fornavn="Mange", efternavn=f"Borgersen {i:02d}")
        ti = f.TilstandFactory(borger=anden, ansvarlig_enhed=a, type=t.type)
        samtykke_services.samtykke_give(
            actor=None, borger=anden, modtager=b, kategorier=[ti.type], kilder=[a],
            formaal="Koordinering", gyldig_fra=nu - datetime.timedelta(days=300),
            gyldig_til=nu + datetime.timedelta(days=20),
        )  # fmt: skip


def test_expiring_consent_is_on_the_worklist_of_the_unit_it_names(
    live_server, browser, uden_kodesystemer
):
    _verden()
    base = live_server.url
    for viewport in VISNINGER:
        context = browser.new_context(locale="da-DK", viewport=viewport)
        page = context.new_page()
        log_ind(page, base, "bo")
        liste = page.locator("#liste-samtykker")
        sync_api.expect(liste).to_contain_text("Kristensen, Karla")
        sync_api.expect(liste).to_contain_text("Samtykke til Socialpsykiatrien")
        udloeb = (timezone.localtime() + datetime.timedelta(days=10)).date()
        sync_api.expect(liste).to_contain_text(f"Udløber {udloeb.day}.{udloeb.month}.{udloeb.year}")
        ingen_fund(page, f"the staff front page at {viewport['width']} px")
        # the next page of the list, swapped in by htmx without leaving the page
        liste.get_by_role("link", name="Næste side").click()
        sync_api.expect(liste).to_contain_text("Side 2 af 2")
        assert page.url.rstrip("/") == base
        ingen_fund(page, f"the worklist's second page at {viewport['width']} px")
        context.close()

    # the unit holding the data, not named by the consent, has no such item
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    log_ind(page, base, "anna")
    sync_api.expect(page.locator("#liste-samtykker")).to_contain_text("Ingen samtykker")
    sync_api.expect(page.locator("#liste-opfoelgninger")).to_contain_text("Overskredet")
    context.close()


def test_citizen_front_page_is_accessible_on_a_phone(live_server, browser, uden_kodesystemer):
    _verden()
    for viewport in VISNINGER:
        context = browser.new_context(locale="da-DK", viewport=viewport)
        page = context.new_page()
        log_ind(page, live_server.url, "karla")
        sync_api.expect(page.locator(".nyt")).to_contain_text("Ny vurdering")
        ingen_fund(page, f"the citizen's front page at {viewport['width']} px")
        # a touch target is at least 44 px high
        boks = page.locator(".nyt-punkt").first.bounding_box()
        assert boks is not None and boks["height"] >= 44
        context.close()
