"""Browser test: the citizen finds the printable summary and the downloads on Mine data; the
summary passes axe on a desktop and a 390 px wide screen, prints without navigation and
buttons, and the download links hand over files."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_a11y import (  # noqa: F401 (fixtures)
    assert_no_serious_violations,
    browser,
    log_ind,
    page,
    pytestmark,
    sync_api,
)
from tests.overblik.test_eksport import fuld
from tests.overblik.test_mine_data import g  # noqa: F401 (fixture)
from tests.ui import factories


@pytest.fixture
def else_med_data(g):  # noqa: F811
    g.borger_user.set_password(factories.ADGANGSKODE)
    g.borger_user.save()
    fuld(g)
    return g


def test_summary_page_is_accessible_and_prints_without_navigation(live_server, page, else_med_data):  # noqa: F811
    base = live_server.url
    log_ind(page, base, "else")
    page.goto(f"{base}/mine-data/")
    assert_no_serious_violations(page, "mine data (med downloads)")

    with page.expect_download() as hentet:
        page.get_by_role("link", name="Hent alle oplysninger (JSON-fil)").click()
    dok = json.loads(hentet.value.path().read_text(encoding="utf-8"))
    assert dok["borger"]["fornavn"] == "Else" and dok["schemaversion"] == "1.1"

    page.get_by_role("link", name="Oversigt til udskrift").click()
    page.wait_for_url(f"{base}/mine-data/udskrift/")
    sync_api.expect(page.get_by_role("heading", level=1)).to_have_text("Oversigt over Else Jensen")
    assert_no_serious_violations(page, "oversigt til udskrift")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_no_serious_violations(page, "oversigt til udskrift (smal skærm)")

    page.emulate_media(media="print")
    sync_api.expect(page.get_by_role("heading", level=1)).to_be_visible()
    sync_api.expect(page.locator(".sidehoved")).to_be_hidden()
    sync_api.expect(page.locator(".broedkrumme")).to_be_hidden()
    sync_api.expect(page.get_by_role("link", name="Tilbage")).to_be_hidden()
