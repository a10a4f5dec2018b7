"""Browser test: a correction request (GDPR art. 16) from the citizen to the owning unit and
back, a declined request whose statement another unit's reader sees, and axe on every new
page at desktop width and at 390 px.

Runs Playwright against the machine's Chromium, as tests/e2e/test_a11y.py does.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from organisation.models import Funktion, Medarbejder
from samtykke import services as samtykke_services
from samtykke.berigtigelse import services
from tests.e2e.test_a11y import CHROMIUM, CHROMIUM_ARGS, csp_brud, log_ind, sync_api
from tests.ui import factories
from tilstand import services as tilstand_services

axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = [pytest.mark.django_db(transaction=True)]

expect = sync_api.expect


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    brud = csp_brud(page)
    yield page
    context.close()
    assert not brud, "the Content-Security-Policy blocked:\n" + "\n".join(brud)


def ingen_brud(page, navn: str) -> None:
    """axe finds no violation at all, at desktop width and at 390 px."""
    for bredde, hoejde in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": bredde, "height": hoejde})
        brud = axe_sync.Axe().run(page).response["violations"]
        assert not brud, f"axe on {navn} at {bredde}px: " + "; ".join(
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}" for v in brud
        )
    page.set_viewport_size({"width": 1280, "height": 900})


def log_ud(page) -> None:
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url("**/log-ind/**")


def vis_hele_situationen(page) -> None:
    """Open every area of Mine data's summary: htmx swaps each area's cards in place."""
    links = page.locator(".mine-omraade .vis-flere a")
    while links.count():
        foer = links.count()
        links.first.click()
        expect(links).to_have_count(foer - 1)


def test_correction_request_from_citizen_to_unit_and_back(live_server, page, grundlag):
    g = grundlag
    User = get_user_model()
    g.borger.user = User.objects.create_user("else", password=factories.ADGANGSKODE)
    g.borger.save()
    g.user.set_password(factories.ADGANGSKODE)
    g.user.save()
    laeser = Medarbejder.objects.create(
        user=User.objects.create_user("jonas", password=factories.ADGANGSKODE),
        myndighed=g.myndighed, navn="Jonas Jobcenter",
    )  # fmt: skip
    Funktion.objects.create(medarbejder=laeser, enhed=g.anden_enhed, rolle="sagsbehandler")
    t = tilstand_services.tilstand_register(
        actor=g.user, borger=g.borger,
        data={"type": g.type, "ansvarlig_enhed": g.enhed, "borgerens_vurdering": "Jeg kan ikke gå"},
    )  # fmt: skip
    t2 = tilstand_services.tilstand_register(
        actor=g.user, borger=g.borger,
        data={"type": g.klasse("Gå", k_rod()), "ansvarlig_enhed": g.enhed},
    )  # fmt: skip
    afvises = services.berigtigelse_create(
        actor=None, datum=t2, indsendt_af=g.borger, hvad_er_forkert="Jeg går fint på trapper"
    )
    samtykke_services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.anden_enhed, kategorier=[t.type, t2.type],
        kilder=[g.enhed], formaal="Samarbejde om job",
    )  # fmt: skip
    base = live_server.url

    # The citizen asks for a correction on Mine data.
    log_ind(page, base, "else")
    page.goto(f"{base}/mine-data/")
    vis_hele_situationen(page)
    ingen_brud(page, "mine data, alle områder foldet ud")
    page.get_by_role("link", name=f"Bed om rettelse – {t.type.titel}").click()
    ingen_brud(page, "anmod om rettelse")
    page.get_by_role("button", name="Send anmodningen").click()
    expect(page.get_by_role("alert")).to_contain_text("Hvad er forkert?")  # nothing typed is lost
    ingen_brud(page, "anmod om rettelse med fejl")
    page.get_by_label("Hvad er forkert?").fill("Jeg kan godt gå, med stok")
    page.get_by_label("Hvad mener du er rigtigt?").fill("Jeg går med stok")
    page.get_by_role("button", name="Send anmodningen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anmodning om rettelse")
    expect(page.locator("main")).to_contain_text("Svar senest")
    ingen_brud(page, "min anmodning")
    page.goto(f"{base}/mine-data/rettelser/")
    ingen_brud(page, "mine anmodninger")
    page.goto(f"{base}/mine-data/")
    expect(page.locator("main")).to_contain_text("Du har bedt om en rettelse. Svar senest")
    ingen_brud(page, "mine data med en anmodning")
    log_ud(page)

    # The owning unit's caseworker corrects it.
    log_ind(page, base, "tester")
    page.get_by_role("link", name="Rettelser").click()
    ingen_brud(page, "enhedens anmodninger")
    page.get_by_role("link", name=t.type.titel).click()
    expect(page.locator("main")).to_contain_text("Jeg kan godt gå, med stok")
    ingen_brud(page, "besvar anmodning")
    page.get_by_text("Ret oplysningen", exact=True).click()
    page.locator("textarea[name='ret-borgerens_vurdering']").fill("Jeg går med stok")
    page.locator("textarea[name='ret-begrundelse']").fill("Du har ret, vi har rettet det.")
    page.get_by_role("button", name="Ret og svar borgeren").click()
    expect(page.get_by_role("status").first).to_contain_text("Oplysningen er rettet")
    page.goto(f"{base}/tilstande/{t.pk}/")
    expect(page.locator("#historik-titel ~ ol")).to_contain_text("Rettet efter borgerens anmodning")
    # ... and declines the other with a justification.
    page.goto(f"{base}/berigtigelser/{afvises.pk}/")
    page.get_by_text("Ret ikke – begrund det").click()
    page.get_by_label("Hvorfor rettes oplysningen ikke?").fill("Vi så dig ved besøget i maj.")
    page.get_by_role("button", name="Send svaret").click()
    expect(page.get_by_role("status").first).to_contain_text("Svaret er sendt")
    log_ud(page)

    # The citizen sees the corrected value and the answer, and adds a statement.
    log_ind(page, base, "else")
    page.goto(f"{base}/mine-data/tilstande/")  # the same cards as a page (no JavaScript)
    expect(page.locator("main")).to_contain_text("Jeg går med stok")
    page.goto(f"{base}/mine-data/rettelser/{afvises.pk}/")
    expect(page.locator("main")).to_contain_text("Vi så dig ved besøget i maj.")
    page.get_by_label("Din bemærkning").fill("Jeg er uenig: trapper kan jeg ikke.")
    page.get_by_role("button", name="Gem bemærkningen").click()
    expect(page.get_by_role("status").first).to_contain_text("Din bemærkning er gemt")
    ingen_brud(page, "afvist anmodning med bemærkning")
    log_ud(page)

    # Another unit's reader (by consent) sees the statement beside the datum.
    log_ind(page, base, "jonas")
    page.goto(f"{base}/tilstande/{t2.pk}/")
    expect(page.get_by_role("complementary", name="Borgerens egen bemærkning")).to_contain_text(
        "Jeg er uenig: trapper kan jeg ikke."
    )


def k_rod():
    from klassifikation import kendte

    return kendte.FSIII_FUNKTIONSEVNETILSTANDE[0]
