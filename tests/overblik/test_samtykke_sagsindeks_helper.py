"""The overview of the citizen's cases (sagsindeks) on the screens, on real PostgreSQL.

The citizen: on the narrow page and on the answer to a request, the overview is a tick of
its own among the kinds of information, ticked; unticking it gives a consent without it
(and a text that says so), unticking everything is refused, a forged tick cannot add it,
and another citizen or a caseworker gets a 404.

The caseworker: a unit that holds only cases about the citizen that the caseworker may not
see is told as hidden and offered as a source, so a consent to the overview alone can be
asked for — with the page's pinned query count unchanged.
"""

from __future__ import annotations

import re
from html import unescape as html_unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from organisation.models import Enhed
from organisation.selectors import aktoer_for
from overblik.selectors.sag import sager_synlige
from sagsindeks.services import sag_passivate
from samtykke import services
from samtykke.models import Anmodning, AnmodningStatus, Samtykke
from tests.overblik import test_tilstand_screens as skaerme
from tests.overblik.test_borger_screens import BORGER_SIDE
from tests.overblik.test_samtykke_borger import SVAR, TILBAGEKALD
from tests.overblik.test_samtykke_personale import SAG_TITEL, anmod_data, sag, side
from tests.overblik.test_tilstand_screens import HTMX, indsats, tilstand, url

g = skaerme.g
klient = skaerme.klient

pytestmark = pytest.mark.django_db

MINE = reverse("overblik:mine_samtykker")
BOKS = "Oversigten over dine sager i andre systemer"
OVERSIGT = "oversigten over mine sager"  # in the consent's text
INTET = "Vælg hvilke slags oplysninger samtykket omfatter."


def borger_klient(borger, navn: str) -> Client:
    borger.user = get_user_model().objects.create_user(navn)
    borger.save()
    c = Client()
    c.force_login(borger.user)
    return c


@pytest.fixture
def else_(g):
    """Else Jensen, the citizen, logged in."""
    g.kat = g.type.overordnet
    return borger_klient(g.borger, "else")


@pytest.fixture
def ole(g):
    """Ole Berg, another citizen, logged in."""
    return borger_klient(g.anden_borger, "ole")


@pytest.fixture
def tina(klient, g):
    """Tina (Hjemmepleje) logged in, with a condition of her own unit on Else (so she may
    open Else's page)."""
    tilstand(g)
    return klient


def give(g, **kw) -> Samtykke:
    data = {
        "modtager": g.enhed,
        "kategorier": [g.kat],
        "kilder": [g.anden_enhed],
        "formaal": "Koordinering af hjælpen",
        "sagsindeks": True,
        **kw,
    }
    return services.samtykke_give(actor=None, borger=g.borger, **data)


def anmod(g, **kw) -> Anmodning:
    data = {
        "kategorier": [g.kat],
        "kilder": [g.anden_enhed],
        "formaal": "Planlægning af hjemmehjælp",
        "begrundelse": "Så du ikke skal fortælle det igen.",
        "varighed_dage": 180,
        "sagsindeks": True,
        **kw,
    }
    return services.anmodning_create(
        actor=None, borger=g.borger, anmoder=g.medarbejder, enhed=g.enhed, **data
    )


def boks(html: str) -> str:
    """Return the tick of the case overview (it must be inside the fieldset of the kinds)."""
    start = html.index('id="felt-kategorier"')
    felt = html[start : html.index("</fieldset>", start)]
    (tag,) = re.findall(r'<input[^>]*name="sagsindeks"[^>]*>', felt)
    assert f'<label for="id_sagsindeks">{BOKS}</label>' in felt
    assert 'id="id_sagsindeks_forklaring"' in felt  # what the overview shows, tied to it
    assert 'aria-describedby="id_sagsindeks_forklaring"' in tag and 'type="checkbox"' in tag
    return tag


def mindre(g, **over) -> dict:
    """The narrow form as the browser sends it with the overview unticked."""
    data = {"kategorier": [str(g.kat.pk)], "kilder": [str(g.anden_enhed.pk)], **over}
    return {n: v for n, v in data.items() if v is not None}


def tekst(response) -> str:
    """Return the consent text shown on the answer page (or its htmx partial)."""
    (blok,) = re.findall(r'<blockquote class="samtykke-udkast"[^>]*>(.*?)</blockquote>',
                         response.content.decode(), re.S)  # fmt: skip
    return html_unescape(blok)


def tina_ser_sagen(g) -> bool:
    return sager_synlige(aktoer_for(g.user), g.borger.pk).filter(pk=g.sag.pk).exists()


# --- the citizen narrows a consent ---------------------------------------------------------


def test_the_narrow_page_offers_the_case_overview_ticked_among_the_kinds(else_, g):
    s = give(g)

    html = else_.get(url("mit_samtykke_indskraenk", pk=s.pk)).content.decode()

    assert "checked" in boks(html)
    assert "Den kan du ikke fjerne for sig" not in html


def test_unticking_the_case_overview_gives_a_new_version_without_it(else_, g):
    g.sag = sag(g)
    s = give(g)
    assert tina_ser_sagen(g)

    response = else_.post(url("mit_samtykke_indskraenk", pk=s.pk), mindre(g), **HTMX)

    assert response.status_code == 200 and response["HX-Redirect"] == MINE
    ny = Samtykke.objects.get(erstatter=s)
    assert not ny.sagsindeks and ny.kategorier == [g.kat.pk] and ny.kilder == s.kilder
    assert ny.givet_af == g.borger and ny.gyldig_til == s.gyldig_til
    assert OVERSIGT in s.tekst and OVERSIGT not in ny.tekst and g.kat.titel in ny.tekst
    mine = else_.get(MINE)
    assert [k.samtykke for k in mine.context["data"].aktive] == [ny]
    assert "Oversigten over dine sager" not in mine.content.decode()
    assert not tina_ser_sagen(g)  # the caseworker stops seeing the case at once


def test_without_javascript_unticking_is_a_plain_post_and_a_302(else_, g):
    s = give(g)

    response = else_.post(url("mit_samtykke_indskraenk", pk=s.pk), mindre(g))

    assert response.status_code == 302 and response["Location"] == MINE
    assert not Samtykke.objects.get(erstatter=s).sagsindeks


def test_ticked_as_it_was_changes_nothing(else_, g):
    s = give(g)

    response = else_.post(url("mit_samtykke_indskraenk", pk=s.pk), mindre(g, sagsindeks="on"))

    assert "Du har ikke ændret noget" in response.content.decode()
    assert not Samtykke.objects.filter(erstatter=s).exists()


def test_unticking_the_kinds_and_the_overview_is_refused_in_danish(else_, g):
    s = give(g)

    response = else_.post(
        url("mit_samtykke_indskraenk", pk=s.pk), mindre(g, kategorier=None), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200 and INTET in html
    assert html.lstrip().startswith('<form class="aendr-formular"')
    assert "checked" not in boks(html)  # the form comes back as sent
    assert not Samtykke.objects.filter(erstatter=s).exists()


def test_a_forged_tick_cannot_add_the_case_overview(else_, g):
    s = give(g, sagsindeks=False)
    html = else_.get(url("mit_samtykke_indskraenk", pk=s.pk)).content.decode()
    assert 'name="sagsindeks"' not in html

    response = else_.post(url("mit_samtykke_indskraenk", pk=s.pk), mindre(g, sagsindeks="on"))

    assert response.status_code == 200
    assert "Du har ikke ændret noget" in response.content.decode()
    assert not Samtykke.objects.filter(erstatter=s).exists()


def test_a_consent_of_only_the_overview_has_no_tick_and_says_how_to_stop_it(else_, g):
    s = give(g, kategorier=[])

    html = else_.get(url("mit_samtykke_indskraenk", pk=s.pk)).content.decode()

    assert 'name="sagsindeks"' not in html
    assert "Samtykket omfatter oversigten over dine sager." in html
    assert "kan du trække samtykket tilbage" in html


# --- the citizen answers a request ---------------------------------------------------------


def test_the_answer_page_offers_the_overview_and_the_text_follows_the_tick(else_, g):
    a = anmod(g)
    adresse = url("min_anmodning_svar", pk=a.pk)

    side_ = else_.get(adresse)
    ticks = {"kategorier": [str(g.kat.pk)], "kilder": [str(g.anden_enhed.pk)], "del": "tekst"}
    uden = else_.get(adresse, ticks, **HTMX)
    med = else_.get(adresse, {**ticks, "sagsindeks": "on"}, **HTMX)

    html = side_.content.decode()
    assert "checked" in boks(html)
    assert 'hx-params="kategorier,sagsindeks,kilder"' in html  # the text follows the tick
    assert "Anmodningen omfatter" not in html  # nothing left that cannot be unticked
    assert OVERSIGT in tekst(side_) and tekst(side_) == side_.context["tekst"]
    assert uden.content.decode().lstrip().startswith("<blockquote")
    assert OVERSIGT not in tekst(uden) and g.kat.titel in tekst(uden)
    assert tekst(med) == tekst(side_)


def test_yes_without_the_overview_gives_a_consent_without_it(else_, g):
    g.sag = sag(g)
    a = anmod(g)
    adresse = url("min_anmodning_svar", pk=a.pk)
    ticks = {"kategorier": [str(g.kat.pk)], "kilder": [str(g.anden_enhed.pk)]}
    vist = tekst(else_.get(adresse, {**ticks, "del": "tekst"}, **HTMX))

    response = else_.post(adresse, {**ticks, "svar": "ja"})

    assert response.status_code == 302 and response["Location"] == MINE
    s = Samtykke.objects.get(anmodning=a)
    assert not s.sagsindeks and s.kategorier == [g.kat.pk]
    assert s.tekst == vist and OVERSIGT not in s.tekst
    a.refresh_from_db()
    assert a.status == AnmodningStatus.BESVARET
    assert not tina_ser_sagen(g)
    # the caseworker is told the answer was narrowed, and to what
    html = side(klient_for(g), g).content.decode()
    assert "Givet med indskrænkning" in html
    (svar,) = re.findall(r"Borgeren sagde ja til:[^<]*", html)
    assert g.kat.titel in svar and "oversigten over sager" not in svar


def klient_for(g) -> Client:
    c = Client()
    c.force_login(g.user)
    return c


def test_yes_with_the_overview_ticked_keeps_it(else_, g):
    a = anmod(g)
    ticks = {"kategorier": [str(g.kat.pk)], "kilder": [str(g.anden_enhed.pk)]}

    else_.post(url("min_anmodning_svar", pk=a.pk), {**ticks, "sagsindeks": "on", "svar": "ja"})

    s = Samtykke.objects.get(anmodning=a)
    assert s.sagsindeks and OVERSIGT in s.tekst


def test_yes_to_nothing_is_refused_and_the_request_still_waits(else_, g):
    a = anmod(g)

    response = else_.post(
        url("min_anmodning_svar", pk=a.pk), {"kilder": [str(g.anden_enhed.pk)], "svar": "ja"}
    )

    assert response.status_code == 200 and INTET in response.content.decode()
    a.refresh_from_db()
    assert a.status == AnmodningStatus.AFVENTER and not Samtykke.objects.exists()


def test_a_request_without_the_overview_has_no_tick_and_a_forged_one_is_ignored(else_, g):
    a = anmod(g, sagsindeks=False)
    adresse = url("min_anmodning_svar", pk=a.pk)
    assert 'name="sagsindeks"' not in else_.get(adresse).content.decode()

    else_.post(
        adresse,
        {"kategorier": [str(g.kat.pk)], "kilder": [str(g.anden_enhed.pk)], "sagsindeks": "on",
         "svar": "ja"},
    )  # fmt: skip

    assert not Samtykke.objects.get(anmodning=a).sagsindeks


# --- only the owner ------------------------------------------------------------------------


def test_another_citizen_or_a_caseworker_gets_404_and_changes_nothing(else_, ole, klient, g):
    s = give(g)
    a = anmod(g)
    adresser = {
        url("mit_samtykke_indskraenk", pk=s.pk): mindre(g),
        url("min_anmodning_svar", pk=a.pk): {**mindre(g), "svar": "ja"},
    }

    for adresse, data in adresser.items():
        for c in (ole, klient):
            assert c.get(adresse).status_code == 404, adresse
            assert c.post(adresse, data).status_code == 404, adresse
            assert c.post(adresse, data, **HTMX).status_code == 404, adresse

    assert list(Samtykke.objects.all()) == [s]
    a.refresh_from_db()
    assert a.status == AnmodningStatus.AFVENTER


def test_the_post_needs_the_csrf_token(g):
    g.kat = g.type.overordnet
    s = give(g)
    c = Client(enforce_csrf_checks=True)
    g.borger.user = get_user_model().objects.create_user("else")
    g.borger.save()
    c.force_login(g.borger.user)

    response = c.post(url("mit_samtykke_indskraenk", pk=s.pk), mindre(g))

    assert response.status_code == 403
    assert not Samtykke.objects.filter(erstatter=s).exists()


@pytest.mark.parametrize("n", [1, 10])
def test_the_pages_with_the_tick_keep_their_pinned_query_counts(
    else_, g, n, django_assert_num_queries
):
    bostoette = Enhed.objects.create(myndighed=g.myndighed, navn="Bostøtte")
    kilder = [g.anden_enhed, bostoette]
    for _ in range(n):
        s = give(g, kilder=kilder)
        a = anmod(g, kilder=kilder)

    with django_assert_num_queries(TILBAGEKALD):
        html = else_.get(url("mit_samtykke_indskraenk", pk=s.pk)).content.decode()
    with django_assert_num_queries(SVAR):
        svar = else_.get(url("min_anmodning_svar", pk=a.pk)).content.decode()
    with django_assert_num_queries(SVAR):
        else_.get(url("min_anmodning_svar", pk=a.pk), {"del": "tekst"}, **HTMX)

    assert "checked" in boks(html) and "checked" in boks(svar)


# --- the caseworker asks for the overview from a unit that holds only cases ----------------


def test_a_unit_holding_only_cases_is_told_and_offered_as_a_source(tina, g):
    bostoette = Enhed.objects.create(myndighed=g.myndighed, navn="Bostøtte")
    sag(g, enhed=bostoette)
    sag(g, enhed=g.enhed, titel="Hjemmeplejens egen sag")  # her own unit's: seen, not hidden
    sag(g, ansvarlig_enhed=None, ansvarlig_enhed_navn="Ukendt enhed")  # cannot be named

    response = side(tina, g)

    adgang = response.context["adgang"]
    # privacy by default (issue 11): the authority is told and offered, the unit is the
    # request's source behind it
    assert adgang.skjult == [g.myndighed] and adgang.kilde_enheder == [bostoette]
    assert adgang.kilde_valg == [g.myndighed] and adgang.kan_anmode
    html = response.content.decode()
    assert (
        "Der findes oplysninger hos Testrup Kommune, som kræver samtykke" in html
        and "Bostøtte" not in html
    )
    assert SAG_TITEL not in html  # never shown
    start = html.index('id="anmod-form"')
    i = html.index(f'value="{g.myndighed.pk}"', start)
    assert "checked" in html[i : html.index(">", i)]


def test_the_caseworker_asks_for_the_overview_alone_from_that_unit(tina, g):
    bostoette = Enhed.objects.create(myndighed=g.myndighed, navn="Bostøtte")
    sag(g, enhed=bostoette)

    response = tina.post(
        url("samtykke_anmod", pk=g.borger.pk),
        anmod_data(
            g, **{"anmod-kategorier": None, "anmod-sagsindeks": "on",
                  "anmod-kilder": [str(g.myndighed.pk)]},
        ),
        **HTMX,
    )  # fmt: skip

    assert response["HX-Redirect"] == url("borger", pk=g.borger.pk)
    a = Anmodning.objects.get(borger=g.borger)
    assert a.sagsindeks and a.kategorier == [] and a.kilder == [bostoette.pk]
    # the citizen says yes: Tina sees the case, and nothing is hidden any more
    services.anmodning_answer(actor=None, anmodning=a, givet_af=g.borger, accepter=True)
    efter = side(tina, g)
    assert efter.context["adgang"].skjult == []
    assert SAG_TITEL in efter.content.decode()


def test_cases_are_counted_with_the_conditions_and_interventions_of_a_unit(tina, g):
    tilstand(g, enhed=g.anden_enhed)
    indsats(g, enhed=g.anden_enhed)
    sag(g)
    sag(g)
    inaktiv = sag(g)
    sag_passivate(actor=None, sag=inaktiv, begrundelse="Lukket i fagsystemet")

    html = side(tina, g).content.decode()

    assert (
        "Der findes oplysninger hos Testrup Kommune, som kræver samtykke" in html
        and "2 sager" not in html
    )  # the authority only (issue 11)


@pytest.mark.parametrize("n", [1, 10])
def test_the_page_with_units_holding_only_cases_keeps_its_pinned_query_count(
    tina, g, n, django_assert_num_queries
):
    for i in range(n):
        sag(g, enhed=Enhed.objects.create(myndighed=g.myndighed, navn=f"Enhed {i}"))
        sag(g)

    # the citizen has cases only: no interventions, so the summary fetches none (one less)
    with django_assert_num_queries(BORGER_SIDE - 1):
        response = side(tina, g)

    adgang = response.context["adgang"]
    assert adgang.skjult == adgang.kilde_valg == [g.myndighed]  # the authority only
    assert len(adgang.kilde_enheder) == n + 1
