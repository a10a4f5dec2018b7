"""Browser test of the dialogue as one process (issue 12): a caseworker asks for consent with
a message, the citizen answers and writes back on one page, the nurse of another unit joins
and replies, the citizen revokes the consent that lets the nurse's unit into the dialogue,
and the nurse loses access (404). axe checks each page, on a desktop and at 390 px.

Runs like tests/e2e/test_a11y.py (Playwright on the machine's Chromium, the live server).
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from tests.e2e import test_a11y as a11y
from tests.e2e.test_a11y import assert_no_serious_violations, csp_brud, log_ind, sync_api
from tests.ui import factories

pytestmark = a11y.pytestmark  # Chromium and Playwright present, a transactional database
browser = a11y.browser  # the shared Chromium

CPR = "1203484562"
MOBIL = {"width": 390, "height": 844}


def _scenario():
    """Mette (Handicap og Psykiatri) and Hanne (Hjemmepleje) in one municipality; Karen,
    whose condition the Jobcenter registered; Karen's consent lets Hjemmepleje take part in
    the dialogue about her (and nothing else)."""
    from klassifikation import kendte as k
    from klassifikation.models import Klasse
    from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed
    from samtykke.services import samtykke_give
    from tilstand.services import tilstand_register

    kommune = Myndighed.objects.create(navn="Aarhus Kommune", type="kommune", kommunekode="751")

    def ansat(brugernavn: str, navn: str, enhed: Enhed) -> Medarbejder:
        m = Medarbejder.objects.create(
            user=factories.bruger(brugernavn), myndighed=kommune, navn=navn
        )
        Funktion.objects.create(
            medarbejder=m, enhed=enhed, rolle="sagsbehandler", gyldig_fra=datetime.date(2020, 1, 1)
        )
        return m

    hp = Enhed.objects.create(myndighed=kommune, navn="Handicap og Psykiatri")
    hjp = Enhed.objects.create(myndighed=kommune, navn="Hjemmepleje")
    job = Enhed.objects.create(myndighed=kommune, navn="Jobcenter")
    ansat("mette", "Mette Lund", hp)
    ansat("hanne", "Hanne Kjær", hjp)
    jobber = ansat("jens", "Jens Job", job)
    karen = Borger.objects.create(
        user=factories.bruger("karen"), cpr=CPR, fornavn="Karen", efternavn="Holm"
    )
    type_ = (
        Klasse.objects.filter(
            sti__contains=[k.FFB_AKTIVITET_OG_DELTAGELSE], underordnede__isnull=True
        )
        .order_by("kode")
        .first()
    )
    tilstand_register(actor=jobber.user, borger=karen, data={"type": type_, "ansvarlig_enhed": job})
    nu = timezone.now()
    samtykke_give(
        actor=karen.user, borger=karen, givet_af=karen, modtager=hjp, kategorier=[],
        kilder=[job], formaal="Hjemmeplejen må tale med de andre om mig", dialog=True,
        gyldig_fra=nu, gyldig_til=nu + datetime.timedelta(days=90),
    )  # fmt: skip
    return karen


def _tjek(page, navn: str) -> None:
    """axe on the page as it is, then at 390 px, then back to the desktop."""
    assert_no_serious_violations(page, navn)
    bredde = page.viewport_size
    page.set_viewport_size(MOBIL)
    assert_no_serious_violations(page, f"{navn} (390 px)")
    page.set_viewport_size(bredde)


def test_consent_with_a_message_answer_on_one_page_nurse_joins_and_loses_access(
    live_server, browser
):
    karen = _scenario()
    base = live_server.url
    mette_ctx, karen_ctx, hanne_ctx = (
        browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
        for _ in range(3)
    )
    try:
        mette, karen_side, hanne = (c.new_page() for c in (mette_ctx, karen_ctx, hanne_ctx))
        brud = [csp_brud(p) for p in (mette, karen_side, hanne)]

        # 1. The caseworker finds Karen by CPR number and asks for consent with a message.
        log_ind(mette, base, "mette")
        mette.goto(f"{base}/borgere/")
        mette.get_by_label("CPR-nummer").fill(CPR)
        mette.get_by_role("button", name="Find", exact=True).click()
        mette.wait_for_url(f"{base}/borgere/{karen.pk}/")
        mette.goto(f"{base}/borgere/{karen.pk}/samtykke/anmod/")
        mette.locator("input[name='anmod-kategorier']").first.check()
        mette.get_by_label("Dialogen om borgeren").check()
        mette.get_by_label("Formål").fill("Vurdering af støtte i hverdagen")
        mette.get_by_label("Hvorfor – skrevet til borgeren").fill(
            "Vi vil gerne se Jobcentrets vurdering, så du ikke skal fortælle det igen."
        )
        mette.get_by_label("Skriv også en besked til borgeren").fill(
            "Hej Karen. Skriv endelig, hvis du har spørgsmål til anmodningen."
        )
        _tjek(mette, "bed om samtykke med besked")
        mette.get_by_role("button", name="Send anmodningen til borgeren").click()
        mette.wait_for_url(f"{base}/borgere/{karen.pk}/")
        sync_api.expect(mette.get_by_role("status").first).to_contain_text("din besked er sendt")
        samtale_link = mette.get_by_role("link", name=re.compile("Anmodning om samtykke"))
        sync_api.expect(samtale_link).to_be_visible()
        _tjek(mette, "borgerens side med Dialog")

        # The caseworker invites Hjemmepleje into the conversation.
        samtale_link.click()
        mette.wait_for_url(re.compile(r".*/dialog/[0-9a-f-]+/$"))
        samtale_url = mette.url
        _tjek(mette, "samtalen (sagsbehandler)")
        mette.get_by_role("link", name="Invitér en enhed eller en medarbejder").click()
        mette.get_by_label("En enhed").select_option(label="Hjemmepleje, Aarhus Kommune")
        _tjek(mette, "invitér")
        mette.get_by_role("button", name="Invitér").click()
        mette.wait_for_url(samtale_url)
        sync_api.expect(mette.get_by_text("Deltageren er inviteret.")).to_be_visible()

        # 2. Karen answers the request and writes back on one page.
        log_ind(karen_side, base, "karen")
        from samtykke.models import Anmodning

        anmodning = Anmodning.objects.get(borger=karen)
        karen_side.goto(f"{base}/mine-samtykker/anmodninger/{anmodning.pk}/svar/")
        sync_api.expect(
            karen_side.get_by_text("Skriv endelig, hvis du har spørgsmål")
        ).to_be_visible()
        karen_side.get_by_label(re.compile("Skriv til")).fill("Ja tak. Ring gerne om formiddagen.")
        _tjek(karen_side, "svar på anmodning med samtalen")
        karen_side.get_by_role("button", name="Ja, giv samtykke").click()
        karen_side.wait_for_url(f"{base}/mine-samtykker/")

        # 3. The nurse of another unit opens the conversation, sees Karen's reply and replies.
        log_ind(hanne, base, "hanne")
        hanne.goto(samtale_url)
        sync_api.expect(hanne.get_by_text("Ring gerne om formiddagen.")).to_be_visible()
        _tjek(hanne, "samtalen (sygeplejerske)")
        hanne.get_by_label("Besked", exact=True).fill("Hej Karen, jeg er din sygeplejerske.")
        hanne.get_by_role("button", name="Se beskeden før du sender").click()
        sync_api.expect(hanne.get_by_text("Sådan kommer beskeden til at se ud")).to_be_visible()
        hanne.get_by_role("button", name="Send beskeden").click()
        hanne.wait_for_url(re.compile(re.escape(samtale_url) + ".*"))
        sync_api.expect(hanne.get_by_text("jeg er din sygeplejerske")).to_be_visible()

        # Karen reads it in Mine samtaler, on a phone.
        karen_side.set_viewport_size(MOBIL)
        karen_side.goto(f"{base}/mine-samtaler/")
        _tjek(karen_side, "Mine samtaler")
        karen_side.get_by_role("link", name=re.compile("Anmodning om samtykke")).click()
        sync_api.expect(karen_side.get_by_text("jeg er din sygeplejerske")).to_be_visible()
        _tjek(karen_side, "min samtale")

        # 4. Karen revokes the consent that lets Hjemmepleje into the dialogue.
        from samtykke.models import Samtykke

        dialog = Samtykke.objects.get(borger=karen, modtager_enhed__navn="Hjemmepleje")
        karen_side.goto(f"{base}/mine-samtykker/{dialog.pk}/tilbagekald/")
        karen_side.get_by_role("button", name="Ja, træk samtykket tilbage").click()
        karen_side.wait_for_url(f"{base}/mine-samtykker/")

        # The nurse loses access at once: the conversation is a 404.
        svar = hanne.goto(samtale_url)
        assert svar.status == 404
        assert not any(brud), "the Content-Security-Policy blocked: " + repr(brud)
    finally:
        for c in (mette_ctx, karen_ctx, hanne_ctx):
            c.close()
