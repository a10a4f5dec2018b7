"""The concept lookup: search by any profession's word, and one concept's page."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from klassifikation import selectors
from tests.ui import factories

# The shipped code systems would add their own matches to the searches.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uden_kodesystemer")]

SOEG = reverse("klassifikation:soeg")
HTMX = {"HTTP_HX_REQUEST": "true"}

# Pinned query counts (same for 1x and 10x data). Staff member logged in:
# session + user (2), who is logged in: user with profiles + current functions (2).
SOEG_SIDE_QUERIES = 2 + 2 + 1 + 1  # + code systems for the filter, + the search
SOEG_PARTIAL_QUERIES = 2 + 1  # the fragment needs no header and no filter: the search only
DETALJE_QUERIES = 2 + 2 + 6  # + class, ancestors, children, terms, mappings from, mappings to


@pytest.fixture
def data(db):
    return factories.begreber()


def soeg(client, q, **params):
    return client.get(SOEG, {"q": q, **params})


def titler(response):
    return [k.titel for k in response.context["resultater"]]


# ---- search ------------------------------------------------------------------------


def test_empty_search_shows_form_and_prompt(staff_client, data):
    response = staff_client.get(SOEG)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["resultater"] == []
    assert '<label for="q">Søg efter begreb</label>' in html
    assert '<label for="system">Kodesystem</label>' in html
    assert "Skriv et ord for at søge." in html
    assert 'role="search"' in html
    # Works without JavaScript: a plain GET form with a submit button.
    assert f'method="get" action="{SOEG}"' in html
    assert '<button type="submit" class="knap">Søg</button>' in html
    # And with htmx: live search into the result list, with the URL kept in history.
    assert f'hx-get="{SOEG}"' in html
    assert 'hx-trigger="submit, input changed delay:300ms"' in html
    assert 'hx-target="#resultater"' in html
    assert 'hx-push-url="true"' in html


def test_search_by_title_case_insensitive(staff_client, data):
    response = soeg(staff_client, "gå på TRAPPER")

    assert titler(response) == ["Gå på trapper 0", "Gå på trapper 1"]
    html = response.content.decode()
    assert "2 begreber matcher „gå på TRAPPER“." in html
    assert f'href="{data.boern[0].get_absolute_url()}"' in html
    # tells like-named apart: the code system, its part, the parent
    assert "Fælles Sprog III (2.1) › Funktionsevnetilstande</span> · under „Gå“ · kode" in html


def test_search_by_code_puts_exact_code_first(staff_client, data):
    response = soeg(staff_client, "j1.1")

    found = titler(response)
    assert found[0] == "Gå"
    assert set(found[1:]) == {"Gå på trapper 0", "Gå på trapper 1"}


def test_search_by_a_professions_term_says_who_uses_it(staff_client, data):
    response = soeg(staff_client, "gangfunktion")

    assert titler(response) == ["Gå"]
    (gaa,) = response.context["resultater"]
    assert gaa.fagord == "Gangfunktion 0"
    assert gaa.fagord_faglighed == "Sygeplejerske"
    assert "Kaldes „Gangfunktion 0“ (Sygeplejerske)" in response.content.decode()


def test_search_by_definition(staff_client, data):
    assert titler(soeg(staff_client, "korte eller lange")) == ["Gå"]


def test_search_filtered_by_code_system(staff_client, data):
    alle = titler(soeg(staff_client, "søgeord"))
    kun_ffb = titler(soeg(staff_client, "søgeord", system=str(data.ffb.pk)))

    assert len(alle) == 3
    assert kun_ffb == ["Søgeord 0", "Søgeord 2"]


def test_unknown_or_malformed_system_is_harmless(staff_client, data):
    assert titler(soeg(staff_client, "gå", system="ikke-en-uuid"))
    assert titler(soeg(staff_client, "gå", system=str(uuid.uuid4()))) == []


def test_no_match_says_so(staff_client, data):
    response = soeg(staff_client, "xyzzy")

    assert "Ingen begreber matcher „xyzzy“." in response.content.decode()


def test_search_result_is_limited(staff_client, data, monkeypatch):
    monkeypatch.setattr("klassifikation.views.GRAENSE", 2)

    response = soeg(staff_client, "søgeord")

    assert len(response.context["resultater"]) == 2
    assert "Viser de første 2 begreber" in response.content.decode()


def test_search_escapes_user_input(staff_client, data):
    html = soeg(staff_client, "<script>alert(1)</script>").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_htmx_request_gets_only_the_result_fragment(staff_client, data):
    response = staff_client.get(SOEG, {"q": "gå på trapper"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<header" not in html
    assert "<form" not in html
    assert '<ol class="resultater">' in html
    assert "Gå på trapper 0" in html
    # The status line is updated out of band, so screen readers hear the new count.
    assert '<p id="soeg-status" hx-swap-oob="innerHTML">2 begreber matcher' in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_full_page(staff_client, data):
    response = staff_client.get(SOEG, {"q": "gå"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)

    assert "<html" in response.content.decode()


def test_search_only_answers_get(staff_client):
    assert staff_client.post(SOEG, {"q": "gå"}).status_code == 405


# ---- one concept ---------------------------------------------------------------------


def test_detail_shows_definition_tree_terms_and_mappings(staff_client, data):
    response = staff_client.get(data.gaa.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="begreb-titel">Gå' in html
    assert "At gå til fods over korte eller lange afstande." in html
    # Code, code system and version.
    assert '<span class="kode">J1.1</span>' in html
    assert "Fælles Sprog III" in html
    assert "<dd>2.1</dd>" in html
    assert "http://example.org/CodeSystem/FSIII" in html
    # Breadcrumb: ancestors from the root, in order, then the concept itself.
    krumme = html[
        html.index('<nav class="broedkrumme"') : html.index("</nav>", html.index("broedkrumme"))
    ]
    assert krumme.index("Funktionsevnetilstande") < krumme.index("Mobilitet")
    assert f'href="{data.forfaedre[0].get_absolute_url()}"' in krumme
    assert '<li aria-current="page">Gå</li>' in krumme
    # Children.
    assert "Underbegreber" in html
    assert f'href="{data.boern[1].get_absolute_url()}"' in html
    # Other professions' words, grouped by profession; shared synonyms last.
    assert "Andre fagligheders ord" in html
    assert "<dt>Sygeplejerske</dt>" in html
    assert "Gangfunktion 0" in html and "Ambulation 0" in html
    assert html.index("<dt>Sygeplejerske</dt>") < html.index("<dt>Alle faggrupper</dt>")
    # Mappings both ways, the relation in plain Danish and read from this concept's side.
    assert "Tilsvarende begreber i andre kodesystemer" in html
    assert "Betyder det samme" in html
    assert "Bevæge sig omkring 0" in html
    assert "Snævrere begreb" in html  # "Gå" is broader than "Mobilitet i hjemmet 0"
    assert "Mobilitet i hjemmet 0" in html
    assert "Fælles Faglige Begreber (3.0)" in html


def test_detail_selector_reads_mappings_from_this_side(data):
    detalje = selectors.klasse_detalje(pk=data.gaa.pk)

    assert detalje.klasse == data.gaa
    relationer = {t.klasse.titel: t.relation for t in detalje.tilsvarende}
    assert relationer == {"Bevæge sig omkring 0": "exact", "Mobilitet i hjemmet 0": "narrow"}
    assert [k.titel for k in detalje.forfaedre] == ["Funktionsevnetilstande", "Mobilitet"]
    assert [g.faglighed.titel if g.faglighed else None for g in detalje.faggrupper] == [
        "Sygeplejerske",
        None,
    ]


def test_detail_of_a_root_without_anything(staff_client, data):
    html = staff_client.get(data.fagligheder[0].get_absolute_url()).content.decode()

    assert "Kodesystemet giver ingen definition af dette begreb." in html
    assert "Der er ikke registreret andre ord for dette begreb." in html
    assert "Der er ikke registreret tilsvarende begreber i andre kodesystemer." in html
    assert "Underbegreber" not in html


def test_unknown_concept_is_404(staff_client, data):
    response = staff_client.get(reverse("klassifikation:klasse", kwargs={"pk": uuid.uuid4()}))

    assert response.status_code == 404
    assert "Siden findes ikke" in response.content.decode()


# ---- pinned query counts, with data of two sizes -----------------------------------------


@pytest.mark.parametrize("n", [1, 10])
def test_search_page_query_count(staff_client, django_assert_num_queries, n):
    factories.begreber(n)

    with django_assert_num_queries(SOEG_SIDE_QUERIES):
        response = soeg(staff_client, "søgeord")
    assert len(response.context["resultater"]) == 3 * n


@pytest.mark.parametrize("n", [1, 10])
def test_search_partial_query_count(staff_client, django_assert_num_queries, n):
    factories.begreber(n)

    with django_assert_num_queries(SOEG_PARTIAL_QUERIES):
        response = staff_client.get(SOEG, {"q": "fagsøgeord"}, **HTMX)
    assert response.content.decode().count('<li class="resultat">') == 3 * n


@pytest.mark.parametrize("n", [1, 10])
def test_detail_page_query_count(staff_client, django_assert_num_queries, n):
    data = factories.begreber(n)

    with django_assert_num_queries(DETALJE_QUERIES):
        response = staff_client.get(data.gaa.get_absolute_url())
    html = response.content.decode()
    assert html.count("Gangfunktion") == len(data.fagligheder)
    assert html.count("Gå på trapper") == 2 * n
    assert html.count("Mobilitet i hjemmet") == n
    assert len(response.context["detalje"].forfaedre) == n + 1


def test_like_named_concepts_say_which_system_and_part_and_never_show_uuid_codes(staff_client, db):
    """A new user found "Hukommelse" three times with different codes and no hint which code
    system each belonged to, and codes that were UUIDs."""
    fsiii = factories.klassifikation("FSIII", "FSIII")
    ffb = factories.klassifikation("FFB", "Fælles Faglige Begreber")
    for del_ in ("Pleje- og omsorgstilstande", "Genoptræning efter sygehusophold"):
        rod = factories.klasse(fsiii, str(uuid.uuid4()), del_)
        mentale = factories.klasse(fsiii, str(uuid.uuid4()), "Mentale funktioner", overordnet=rod)
        factories.klasse(fsiii, str(uuid.uuid4()), "Hukommelse", overordnet=mentale)
    rod = factories.klasse(ffb, "A", "Tilstande")
    factories.klasse(ffb, "A1.2", "Hukommelse", overordnet=rod)

    htmx = staff_client.get(SOEG, {"q": "Hukommelse"}, **HTMX)
    for response in (soeg(staff_client, "Hukommelse"), htmx):
        html = response.content.decode()
        tekst = re.sub(r'(href|value|id)="[^"]*"', "", html)
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", tekst)
        resultater = html.split('<li class="resultat">')[1:]
        assert len(resultater) == 3
        fsiii_hits = [r for r in resultater if "FSIII" in r]
        assert len(fsiii_hits) == 2
        assert "Pleje- og omsorgstilstande" in fsiii_hits[0] + fsiii_hits[1]
        assert "Genoptræning efter sygehusophold" in fsiii_hits[0] + fsiii_hits[1]
        assert any("Fælles Faglige Begreber" in r and "A1.2" in r for r in resultater)
