"""Browser test: log in, use the concept lookup, and check each page with axe-core.

Runs Playwright against the machine's Chromium (/usr/bin/chromium) and the pytest-django
live server; skipped when either the browser or the Python packages are missing.
Set E2E_SCREENSHOTS=<folder> to keep screenshots of the pages.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.ui import factories

# Playwright's sync API runs an event loop in this thread; the live server and the test's
# own ORM calls are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
axe_sync = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
)
pytestmark = [
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) or shutil.which("chromium")),
        reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def csp_brud(page) -> list[str]:
    """Collect what the page's Content-Security-Policy blocks (Chromium says so on the console)."""
    brud: list[str] = []
    page.on(
        "console",
        lambda m: brud.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return brud


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    brud = csp_brud(page)
    yield page
    context.close()
    assert not brud, "the Content-Security-Policy blocked:\n" + "\n".join(brud)


@pytest.fixture
def skaermbilleder(tmp_path) -> Path:
    folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def assert_no_serious_violations(page, navn: str) -> None:
    results = axe_sync.Axe().run(page)
    alvorlige = [
        v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}
    ]
    beskrivelse = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in alvorlige
    )
    assert not alvorlige, f"axe found serious problems on {navn}:\n{beskrivelse}"


def log_ind(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/log-ind/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(factories.ADGANGSKODE)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{base_url}/")


def test_staff_flow_is_accessible(live_server, page, skaermbilleder, uden_kodesystemer):
    factories.medarbejder(enheder=("Visitation Syd",))
    data = factories.begreber()
    base = live_server.url

    # Login page, first with a wrong password: the error must be accessible too.
    page.goto(f"{base}/log-ind/")
    assert page.locator("html").get_attribute("lang") == "da"
    assert_no_serious_violations(page, "login")
    page.get_by_label("Brugernavn").fill("anna")
    page.get_by_label("Adgangskode").fill("forkert")
    page.get_by_role("button", name="Log ind").click()
    sync_api.expect(page.get_by_role("alert")).to_contain_text("Du blev ikke logget ind")
    assert_no_serious_violations(page, "login with error")
    page.screenshot(path=skaermbilleder / "login-fejl.png", full_page=True)

    log_ind(page, base, "anna")
    sync_api.expect(page.get_by_role("heading", level=1)).to_have_text(
        "Velkommen, Anna Sagsbehandler"
    )
    assert_no_serious_violations(page, "forside (staff)")
    page.screenshot(path=skaermbilleder / "forside.png", full_page=True)

    # The skip link is the first thing the keyboard reaches, and it is visible then.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Gå til indhold")
    sync_api.expect(skip).to_be_focused()
    sync_api.expect(skip).to_be_in_viewport()

    # Live search with htmx: typing updates the list and the address.
    page.get_by_role("link", name="Begrebsopslag").first.click()
    page.wait_for_url(f"{base}/begreber/")
    assert_no_serious_violations(page, "begrebsopslag (empty)")
    page.get_by_label("Søg efter begreb").fill("gangfunktion")
    resultat = page.get_by_role("link", name="Gå", exact=True)
    sync_api.expect(resultat).to_be_visible()
    sync_api.expect(page.get_by_role("status").first).to_contain_text("1 begreb matcher")
    page.wait_for_url("**/begreber/?q=gangfunktion*")
    assert_no_serious_violations(page, "begrebsopslag (results)")
    page.screenshot(path=skaermbilleder / "begrebsopslag.png", full_page=True)

    resultat.click()
    page.wait_for_url(f"{base}{data.gaa.get_absolute_url()}")
    sync_api.expect(page.get_by_role("heading", level=1)).to_contain_text("Gå")
    assert_no_serious_violations(page, "begreb (detail)")
    page.screenshot(path=skaermbilleder / "begreb.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=skaermbilleder / "begreb-mobil.png", full_page=True)
    assert_no_serious_violations(page, "begreb (detail, narrow screen)")

    # Log out with the header's button.
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(f"{base}/log-ind/?logget_ud=1")
    sync_api.expect(page.get_by_role("status")).to_contain_text("Du er nu logget ud.")


def test_citizen_forside_is_accessible(live_server, page):
    factories.borger()

    log_ind(page, live_server.url, "bo")

    sync_api.expect(page.get_by_role("heading", level=1)).to_have_text("Velkommen, Bo Borgersen")
    assert_no_serious_violations(page, "forside (citizen)")


def test_search_works_without_javascript(live_server, browser):
    factories.medarbejder()
    factories.begreber()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_ind(page, live_server.url, "anna")
        page.goto(f"{live_server.url}/begreber/")
        page.get_by_label("Søg efter begreb").fill("trapper")
        page.get_by_role("button", name="Søg", exact=True).click()
        page.wait_for_url("**/begreber/?q=trapper*")
        sync_api.expect(page.get_by_role("link", name="Gå på trapper 0")).to_be_visible()
    finally:
        context.close()


def test_name_search_works_without_javascript_and_stays_out_of_the_address(live_server, browser):
    factories.medarbejder()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    adresser: list[str] = []
    page.on("request", lambda r: adresser.append(r.url))
    try:
        log_ind(page, live_server.url, "anna")
        page.goto(f"{live_server.url}/borgere/")
        page.get_by_label("Navn", exact=True).fill("Jensen 0101501234")
        page.get_by_role("button", name="Søg", exact=True).click()
        sync_api.expect(page.get_by_role("status").first).to_contain_text("„Jensen“")
        assert page.url == f"{live_server.url}/borgere/"
        assert not [a for a in adresser if "Jensen" in a or "0101501234" in a or "q=" in a]
        assert "0101501234" not in page.content()
    finally:
        context.close()


def test_the_admin_works_under_the_content_security_policy(live_server, page):
    factories.bruger("admin", is_staff=True, is_superuser=True)
    base = live_server.url

    page.goto(f"{base}/admin/login/")
    page.get_by_label("Brugernavn").fill("admin")
    page.get_by_label("Adgangskode").fill(factories.ADGANGSKODE)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{base}/admin/")
    for adresse in (
        "/admin/organisation/borger/",
        "/admin/organisation/borger/add/",
        "/admin/samtykke/adgangslog/",
        "/admin/axes/accessattempt/",
        "/admin/auth/user/1/change/",
    ):
        svar = page.goto(base + adresse)
        assert svar.status == 200, adresse
        sync_api.expect(page.locator("#content")).to_be_visible()
    # the admin's own scripts run: the select-all checkbox of a change list works
    page.goto(f"{base}/admin/auth/user/")
    page.locator("#action-toggle").check()
    sync_api.expect(page.locator(".action-counter")).to_contain_text("1 af 1")
