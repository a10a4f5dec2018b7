"""The caseworker's side of consent on real PostgreSQL: what is hidden and why (counts per
unit, never content), asking for consent and seeing the answer, consent given on paper
(assisted, with a witness), access on a legal basis with the leader's review — and that
revocation and expiry take effect on the very next request."""

from __future__ import annotations

import datetime
import os
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Enhed, Funktion, Medarbejder
from overblik.forms import idag
from sagsindeks.models import Sag
from sagsindeks.services import sag_register
from samtykke import services
from samtykke.models import (
    Adgangslog,
    Anmodning,
    AnmodningStatus,
    Hjemmel,
    HjemmelGennemgang,
    Samtykke,
)
from tests.fakeclock import FakeClock
from tests.overblik import test_tilstand_screens as skaerme
from tests.overblik.test_borger_screens import BORGER_SIDE, SAGSINDEKS_LOG, cpr_i
from tests.overblik.test_tilstand_screens import (
    HTMX,
    LOGIN,
    indsats,
    log_for,
    tilstand,
    uden_csrf,
    url,
)

g = skaerme.g
klient = skaerme.klient
fremmed_klient = skaerme.fremmed_klient

pytestmark = pytest.mark.django_db

HEMMELIG = "Hemmelig note fra Jobcenter"
# The review page: the accesses without a review, the newest reviewed ones.
GENNEMGANG_SIDE = LOGIN + 2


@pytest.fixture
def w(g):
    """Tina (Hjemmepleje) sees her own condition; Jobcenter holds three FFB conditions and an
    intervention on the same citizen that she may not see."""
    g.egen = tilstand(g)
    g.skjulte = [
        tilstand(
            g,
            enhed=g.anden_enhed,
            type_=g.ffb_type,
            niveau=g.ffb_moderat,
            stoettebehov=g.stoette,
            metode=None,
            borgerens_vurdering=HEMMELIG,
        )  # fmt: skip
        for _ in range(3)
    ]
    g.skjult_indsats = indsats(g, enhed=g.anden_enhed)
    g.aktivitet = Klasse.objects.get(pk=k.FFB_AKTIVITET_OG_DELTAGELSE)
    g.ydelse_rod = Klasse.objects.get(pk=k.FFB_YDELSE)
    g.lov = Klasse.objects.filter(klassifikation__uri=k.ADGANGSHJEMMEL_URI).order_by("kode")[0]
    return g


def side(c, g, borger=None):
    return c.get(url("borger", pk=(borger or g.borger).pk))


def anmod_data(g, **over) -> dict:
    data = {
        "anmod-kategorier": [str(k.FFB_AKTIVITET_OG_DELTAGELSE), str(k.FFB_YDELSE)],
        "anmod-kilder": [str(g.myndighed.pk)],
        "anmod-formaal": "Koordinere hjemmepleje og beskæftigelsesindsats",
        "anmod-begrundelse": "Vi vil gerne se, hvad Jobcenteret ved, så vi kan hjælpe dig bedre.",
        "anmod-varighed_dage": "90",
        "anmod-enhed": str(g.enhed.pk),
    }
    data.update(over)
    return {n: v for n, v in data.items() if v is not None}


def anmod(c, g, **over):
    c.post(url("samtykke_anmod", pk=g.borger.pk), anmod_data(g, **over))
    return Anmodning.objects.get(borger=g.borger)


def papir_data(g, **over) -> dict:
    data = {
        "papir-kategorier": [str(k.FFB_AKTIVITET_OG_DELTAGELSE)],
        "papir-kilder": [str(g.myndighed.pk)],
        "papir-formaal": "Koordinere hjemmepleje og beskæftigelsesindsats",
        "papir-givet": dag(0),
        "papir-varighed_dage": "30",
        "papir-vidne": "Lone Holm, socialrådgiver",
        "papir-enhed": str(g.enhed.pk),
    }
    data.update(over)
    return {n: v for n, v in data.items() if v is not None}


def hjemmel_data(g, **over) -> dict:
    data = {
        "hjemmel-lovgrundlag": str(g.lov.pk),
        "hjemmel-begrundelse": "Borgeren er akut indlagt, og vi skal planlægge udskrivelsen.",
        "hjemmel-dage": "3",
        "hjemmel-enhed": str(g.enhed.pk),
    }
    data.update(over)
    return {n: v for n, v in data.items() if v is not None}


def dag(n: int) -> str:
    """Return the date n days from today (local time), as a date field takes it."""
    return (idag() + datetime.timedelta(days=n)).isoformat()


def hidden_titles_absent(html: str, g) -> None:
    assert g.ffb_type.titel not in html
    assert HEMMELIG not in html
    for t in g.skjulte:
        assert str(t.pk) not in html
    assert str(g.skjult_indsats.pk) not in html


# --- what is hidden and why ---------------------------------------------------------------


def test_the_page_counts_hidden_data_per_unit_and_never_shows_it(klient, w):
    response = side(klient, w)

    html = response.content.decode()
    assert response.status_code == 200
    # privacy by default (issue 11): the authority only, never the unit or the counts
    assert "Der findes oplysninger hos Testrup Kommune, som kræver samtykke" in html
    assert "Jobcenter" not in html and "3 tilstande" not in html
    assert response.context["adgang"].skjult == [w.myndighed]
    hidden_titles_absent(html, w)
    assert f'href="{url("tilstand", pk=w.egen.pk)}"' in html  # her own is shown
    assert "Borgeren har frabedt sig" not in html
    # the log lists only what was shown
    (entry,) = log_for(w.borger)
    assert {o["id"] for o in entry.objekter} == {str(w.egen.pk)}


def test_the_request_form_offers_danish_categories_and_prechecks_the_hidden_units(klient, w):
    html = side(klient, w).content.decode()

    for titel in (
        "Kun mentale funktioner",
        "Aktivitet og deltagelse",
        "Kommunale sygeplejetilstande",
        "Kommunale pleje- og omsorgstilstande",
        "Sociale ydelser (FFB), fx socialpædagogisk støtte",
    ):
        assert titel in html
    assert "Bed om samtykke" in html and "Adgang på lovhjemmel" in html
    kilde = f'value="{w.myndighed.pk}"'
    i = html.index(kilde, html.index('id="anmod-form"'))
    assert "checked" in html[i : html.index(">", i)]
    assert 'hx-history="false"' in html


def test_a_block_is_told_and_no_request_can_be_made(klient, w):
    services.samtykke_give(actor=None, borger=w.borger, modtager=w.enhed, beslutning="afvis")

    html = side(klient, w).content.decode()
    response = klient.post(url("samtykke_anmod", pk=w.borger.pk), anmod_data(w))

    assert "Borgeren har frabedt sig deling med din enhed." in html
    assert 'id="anmod-form"' not in html and 'id="papir-form"' not in html
    assert 'id="hjemmel-form"' in html  # a legal basis is not a consent
    assert response.status_code == 200
    assert "Du kan ikke bede om samtykke" in response.content.decode()
    assert not Anmodning.objects.exists()


@pytest.mark.parametrize("n", [1, 10])
def test_the_page_with_hidden_data_has_a_pinned_query_count(
    klient, g, n, django_assert_num_queries
):
    """Hidden data in n units, a consent in force, a pending and an answered request."""
    for i in range(n):
        enhed = Enhed.objects.create(myndighed=g.myndighed, navn=f"Enhed {i}")
        tilstand(g, enhed=enhed)
        indsats(g, enhed=enhed)
        tilstand(g, enhed=g.anden_enhed)
        # older than those seen on consent, so the summary's three newest are always seen on
        # consent: with equal dates the order fell to the random ids, and in one run of ten
        # the page showed only the own unit's (no grant rows to log, two queries fewer)
        tilstand(g, dage_siden=100)
    services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.enhed, kategorier=[g.type],
        kilder=[g.anden_enhed], formaal="Pleje",
    )  # fmt: skip
    for _ in range(2):
        services.anmodning_create(
            actor=None, borger=g.borger, anmoder=g.medarbejder, enhed=g.enhed,
            kategorier=[Klasse.objects.get(pk=k.FFB_AKTIVITET_OG_DELTAGELSE)],
            kilder=[g.anden_enhed], formaal="x", begrundelse="y", varighed_dage=30,
        )  # fmt: skip
    services.anmodning_answer(
        actor=None, anmodning=Anmodning.objects.first(), givet_af=g.borger, accepter=True
    )

    # + the versions of the answer to the answered request; the access log's basis of the
    # conditions seen on consent (the unit's and the person's grant rows)
    # (no interventions the caseworker may see: none to fetch, -1)
    with django_assert_num_queries(BORGER_SIDE + 1 + 2 - 1):
        response = side(klient, g)

    adgang = response.context["adgang"]
    assert adgang.skjult == [g.myndighed]  # the authority only (issue 11)
    assert len(adgang.kilde_enheder) == n + 1
    assert len(adgang.samtykker) == 2 and len(adgang.anmodninger) == 2


# --- asking for consent, and the answer -----------------------------------------------------


def test_a_request_is_sent_and_shown_as_pending(klient, w):
    response = klient.post(url("samtykke_anmod", pk=w.borger.pk), anmod_data(w), **HTMX)

    assert response["HX-Redirect"] == url("borger", pk=w.borger.pk)
    a = Anmodning.objects.get(borger=w.borger)
    assert a.status == AnmodningStatus.AFVENTER and a.anmoder == w.medarbejder
    assert a.modtager_enhed == w.enhed and a.kilder == [w.anden_enhed.pk]
    assert set(a.kategorier) == {k.FFB_AKTIVITET_OG_DELTAGELSE, k.FFB_YDELSE}
    assert a.varighed_dage == 90
    html = side(klient, w).content.decode()
    assert "Anmodningen er sendt til borgeren" in html
    assert "Afventer borgerens svar" in html and "Sendt " in html and "Tina Test" in html
    hidden_titles_absent(html, w)


def test_the_same_request_twice_is_refused(klient, w):
    klient.post(url("samtykke_anmod", pk=w.borger.pk), anmod_data(w))
    igen = klient.post(url("samtykke_anmod", pk=w.borger.pk), anmod_data(w), **HTMX)
    assert "Din enhed har allerede bedt om det samme" in igen.content.decode()
    assert Anmodning.objects.count() == 1


def test_without_javascript_a_request_is_a_plain_post_and_errors_get_a_page(klient, w):
    get = klient.get(url("samtykke_anmod", pk=w.borger.pk))
    fejl = klient.post(
        url("samtykke_anmod", pk=w.borger.pk), anmod_data(w, **{"anmod-formaal": ""})
    )
    ok = klient.post(url("samtykke_anmod", pk=w.borger.pk), anmod_data(w))

    assert get.status_code == 200 and "<h1>Bed om samtykke</h1>" in get.content.decode()
    assert fejl.status_code == 200 and "Skriv formålet." in fejl.content.decode()
    assert "<html" in fejl.content.decode()
    assert ok.status_code == 302 and ok["Location"] == url("borger", pk=w.borger.pk)
    assert Anmodning.objects.count() == 1


@pytest.mark.parametrize(
    ("over", "besked"),
    [
        (
            {"anmod-kategorier": None},
            "Vælg hvilke oplysninger — eller oversigten over sagerne eller dialogen.",
        ),
        ({"anmod-kilder": [str(uuid.uuid4())]}, "Vælg myndighederne fra listen."),
        ({"anmod-begrundelse": " "}, "Forklar borgeren, hvorfor I beder om oplysningerne."),
        ({"anmod-varighed_dage": "5000"}, "Et samtykke kan højst gælde 730 dage."),
        ({"anmod-enhed": "__other__"}, "Vælg en af dine egne enheder."),
    ],
)
def test_a_bad_request_comes_back_as_the_form_with_a_danish_error(klient, w, over, besked):
    if over.get("anmod-enhed") == "__other__":
        over = {"anmod-enhed": str(w.anden_enhed.pk)}  # not one of Tina's units
    response = klient.post(url("samtykke_anmod", pk=w.borger.pk), anmod_data(w, **over), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and besked in html
    assert html.lstrip().startswith('<form id="anmod-form"')
    assert not Anmodning.objects.exists()


def test_an_answer_shows_the_data_on_the_very_next_request(klient, w):
    a = anmod(klient, w)
    t = w.skjulte[0]
    assert klient.get(url("tilstand", pk=t.pk)).status_code == 404

    services.anmodning_answer(actor=None, anmodning=a, givet_af=w.borger, accepter=True)

    response = side(klient, w)
    html = response.content.decode()
    assert "Givet" in html and "Afventer borgerens svar" not in html
    assert response.context["adgang"].skjult == []
    assert f'href="{url("tilstand", pk=t.pk)}"' in html
    assert "Der er ingen oplysninger om borgeren fra andre enheder, som du ikke kan se." in html
    assert klient.get(url("tilstand", pk=t.pk)).status_code == 200
    entry = log_for(w.borger)[-1]
    assert entry.grundlag == "samtykke"


def test_a_narrowed_answer_and_a_no_are_told(klient, w):
    a = anmod(klient, w)
    services.anmodning_answer(
        actor=None, anmodning=a, givet_af=w.borger, accepter=True, kategorier=[w.aktivitet]
    )
    html = side(klient, w).content.decode()
    assert "Givet med indskrænkning" in html
    assert "Borgeren sagde ja til: Aktivitet og deltagelse" in html
    # the intervention (a Ydelse) stays hidden; the conditions are shown
    assert "Der findes oplysninger hos Testrup Kommune, som kræver samtykke" in html

    ny = services.anmodning_create(
        actor=None, borger=w.borger, anmoder=w.medarbejder, enhed=w.enhed,
        kategorier=[w.ydelse_rod], kilder=[w.anden_enhed], formaal="x", begrundelse="y",
        varighed_dage=30,
    )  # fmt: skip
    services.anmodning_answer(actor=None, anmodning=ny, givet_af=w.borger, accepter=False)
    assert "Borgeren sagde nej" in side(klient, w).content.decode()


def test_revoking_hides_at_once_and_the_condition_is_a_404_like_a_random_uuid(klient, w):
    a = anmod(klient, w)
    s = services.anmodning_answer(actor=None, anmodning=a, givet_af=w.borger, accepter=True)
    t = w.skjulte[0]
    assert klient.get(url("tilstand", pk=t.pk)).status_code == 200

    services.samtykke_revoke(actor=None, samtykke=s)

    html = side(klient, w).content.decode()
    assert "Der findes oplysninger hos Testrup Kommune, som kræver samtykke" in html
    assert "Givet, men trukket tilbage" in html
    hidden_titles_absent(html, w)
    skjult = klient.get(url("tilstand", pk=t.pk))
    ukendt = klient.get(url("tilstand", pk=uuid.uuid4()))
    assert skjult.status_code == ukendt.status_code == 404
    assert uden_csrf(skjult) == uden_csrf(ukendt)


def test_an_expired_consent_grants_nothing_though_no_job_ran(klient, w, monkeypatch):
    ur = FakeClock(datetime.datetime.now(datetime.UTC))
    monkeypatch.setattr("datadeling.core.clock.now", ur)
    a = anmod(klient, w, **{"anmod-varighed_dage": "10"})
    s = services.anmodning_answer(actor=None, anmodning=a, givet_af=w.borger, accepter=True)
    t = w.skjulte[0]
    assert klient.get(url("tilstand", pk=t.pk)).status_code == 200

    ur.advance(days=10, seconds=1)

    html = side(klient, w).content.decode()
    assert Samtykke.objects.get(pk=s.pk).status == "aktiv"  # nothing changed it
    assert "Der findes oplysninger hos Testrup Kommune, som kræver samtykke" in html
    assert "Givet, udløbet" in html
    hidden_titles_absent(html, w)
    assert klient.get(url("tilstand", pk=t.pk)).status_code == 404


# --- the overview of the citizen's cases elsewhere (sagsindeks) --------------------------------

SAG_TITEL = "Sygedagpenge – opfølgning"
INTET_VALGT = "Vælg hvilke oplysninger — eller oversigten over sagerne eller dialogen."


def sag(g, enhed=None, **data) -> Sag:
    """A case about the citizen in Jobcenter's system (metadata only)."""
    return sag_register(
        actor=None,
        borger=g.borger,
        data={
            "titel": SAG_TITEL, "kildesystem": "Jobcentersystem",
            "kildesystem_id": f"JC-{uuid.uuid4().hex[:8]}", "kle_nummer": "15.17.00",
            "fremdrift": "Oplyst", "startdato": idag() - datetime.timedelta(days=30),
            "ansvarlig_enhed": enhed or g.anden_enhed, **data,
        },
        importeret=True,
        aktoer_tekst="Jobcentersystem",
    )  # fmt: skip


def test_the_forms_offer_the_case_overview_in_the_fieldset_with_its_help_text(klient, w):
    html = side(klient, w).content.decode()

    for navn in ("anmod", "papir"):
        start = html.index(f'<form id="{navn}-form"')
        form = html[start : html.index("</form>", start)]
        felt = form[form.index("<fieldset") : form.index("</fieldset>")]
        assert f'<label for="id_{navn}-sagsindeks">' in felt
        assert "Oversigten over borgerens sager i andre systemer (sagsindeks)" in felt
        assert f'id="id_{navn}-sagsindeks_helptext"' in felt
        assert "aldrig hvad der står i sagerne" in felt
        (boks,) = re.findall(rf'<input[^>]*id="id_{navn}-sagsindeks"[^>]*>', felt)
        assert 'type="checkbox"' in boks and "checked" not in boks
        assert f'aria-describedby="id_{navn}-sagsindeks_helptext"' in boks


@pytest.mark.parametrize("navn", ["anmod", "papir"])
def test_neither_kinds_nor_the_case_overview_is_a_clear_danish_error(klient, w, navn):
    adresse = url("samtykke_anmod" if navn == "anmod" else "samtykke_papir", pk=w.borger.pk)
    data = (anmod_data if navn == "anmod" else papir_data)(w, **{f"{navn}-kategorier": None})

    response = klient.post(adresse, data, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and INTET_VALGT in html
    # the error sits in the fieldset of the kinds, tied to it for a screen reader
    felt = html[html.index("<fieldset") : html.index("</fieldset>")]
    assert INTET_VALGT in felt and f"id_{navn}-kategorier_fejl" in felt
    assert f'aria-describedby="id_{navn}-kategorier_helptext id_{navn}-kategorier_fejl"' in felt
    assert not Anmodning.objects.exists() and not Samtykke.objects.exists()


def test_a_request_for_only_the_case_overview_has_no_categories(klient, w):
    response = klient.post(
        url("samtykke_anmod", pk=w.borger.pk),
        anmod_data(w, **{"anmod-kategorier": None, "anmod-sagsindeks": "on"}),
        **HTMX,
    )

    assert response["HX-Redirect"] == url("borger", pk=w.borger.pk)
    a = Anmodning.objects.get(borger=w.borger)
    assert a.sagsindeks and a.kategorier == [] and a.kilder == [w.anden_enhed.pk]
    html = side(klient, w).content.decode()
    # the request's sources are told by authority (issue 11: privacy by default)
    assert "Om: oversigten over sager · fra Testrup Kommune" in html
    assert "Afventer borgerens svar" in html


def test_a_request_for_both_the_kinds_and_the_case_overview(klient, w):
    a = anmod(klient, w, **{"anmod-sagsindeks": "on"})
    assert a.sagsindeks
    assert set(a.kategorier) == {k.FFB_AKTIVITET_OG_DELTAGELSE, k.FFB_YDELSE}
    uden = anmod_data(w)
    assert "anmod-sagsindeks" not in uden  # an unticked box is not sent: no overview
    Anmodning.objects.all().delete()
    assert not anmod(klient, w).sagsindeks


def test_the_same_request_is_the_same_only_with_the_same_case_overview(klient, w):
    adresse = url("samtykke_anmod", pk=w.borger.pk)
    klient.post(adresse, anmod_data(w))
    med = klient.post(adresse, anmod_data(w, **{"anmod-sagsindeks": "on"}), **HTMX)
    igen = klient.post(adresse, anmod_data(w, **{"anmod-sagsindeks": "on"}), **HTMX)

    assert med["HX-Redirect"] == url("borger", pk=w.borger.pk)
    assert "Din enhed har allerede bedt om det samme" in igen.content.decode()
    assert sorted(Anmodning.objects.values_list("sagsindeks", flat=True)) == [False, True]


@pytest.mark.parametrize("n", [1, 10])
def test_the_page_with_cases_seen_by_consent_has_a_pinned_query_count(
    klient, w, n, django_assert_num_queries
):
    """n cases of Jobcenter seen through a consent to the case overview, n not."""
    andre = Enhed.objects.create(myndighed=w.myndighed, navn="Bostøtte")
    for _ in range(n):
        sag(w)
        sag(w, enhed=andre)
    services.samtykke_give(
        actor=None, borger=w.borger, modtager=w.enhed, sagsindeks=True,
        kilder=[w.anden_enhed], formaal="Overblik over sagerne",
    )  # fmt: skip

    # the cases are in the page's one access-log entry (each with its basis); no
    # interventions the caseworker may see: none to fetch (-1)
    with django_assert_num_queries(BORGER_SIDE - 1 + SAGSINDEKS_LOG):
        response = side(klient, w)

    assert len(response.context["o"].sager) == n
    assert {x.grundlag for x in response.context["o"].sager} == {"samtykke"}
    assert response.context["adgang"].samtykker[0].hvad == ["oversigten over sager"]


def test_an_assisted_consent_with_only_the_case_overview_shows_the_case(klient, w):
    s = sag(w)
    assert SAG_TITEL not in side(klient, w).content.decode()

    response = klient.post(
        url("samtykke_papir", pk=w.borger.pk),
        papir_data(w, **{"papir-kategorier": None, "papir-sagsindeks": "on"}),
    )

    assert response.status_code == 302
    c = Samtykke.objects.get(borger=w.borger)
    assert c.sagsindeks and c.kategorier == [] and c.assisteret
    assert "oversigten over mine sager" in c.tekst
    page = side(klient, w)
    assert [x.pk for x in page.context["o"].sager] == [s.pk]
    html = page.content.decode()
    assert SAG_TITEL in html
    hidden_titles_absent(html, w)  # the case overview shows no conditions
    assert "Der findes oplysninger hos Testrup Kommune, som kræver samtykke" in html


def test_the_citizen_answering_a_case_overview_request_lets_the_caseworker_see_the_case(klient, w):
    """End to end: Tina asks for the case overview only, the citizen says yes on her own
    answer page, and the case from Jobcenter is on Tina's page on the next request — logged
    in the citizen's log on the basis of that consent."""
    s = sag(w)
    egen = sag(w, enhed=w.enhed, titel="Hjemmeplejens egen sag")
    andet = sag(w, enhed=Enhed.objects.create(myndighed=w.myndighed, navn="Bostøtte"))
    klient.post(
        url("samtykke_anmod", pk=w.borger.pk),
        anmod_data(w, **{"anmod-kategorier": None, "anmod-sagsindeks": "on"}),
    )
    a = Anmodning.objects.get(borger=w.borger)
    foer = side(klient, w)
    assert [x.pk for x in foer.context["o"].sager] == [egen.pk]

    w.borger.user = get_user_model().objects.create_user("else")
    w.borger.save()
    borger = Client()
    borger.force_login(w.borger.user)
    svar_side = borger.get(url("min_anmodning_svar", pk=a.pk)).content.decode()
    assert "Anmodningen omfatter: oversigten over dine sager." in svar_side
    # as the browser sends it: the sources stay ticked; there are no kinds to tick
    svar = borger.post(
        url("min_anmodning_svar", pk=a.pk), {"svar": "ja", "kilder": [str(w.anden_enhed.pk)]}
    )
    assert svar.status_code == 302

    c = Samtykke.objects.get(borger=w.borger, anmodning=a)
    assert c.sagsindeks and c.kategorier == [] and c.kilder == [w.anden_enhed.pk]
    antal = Adgangslog.objects.filter(borger=w.borger).count()
    efter = side(klient, w)
    html = efter.content.decode()
    assert {x.pk for x in efter.context["o"].sager} == {s.pk, egen.pk}
    assert SAG_TITEL in html and "Jobcentersystem" in html and "15.17.00" in html
    assert str(andet.pk) not in html  # a unit the consent does not name
    hidden_titles_absent(html, w)  # the overview of cases is not the conditions
    assert "Givet" in html
    (entry,) = Adgangslog.objects.filter(borger=w.borger, nummer__gt=antal)
    assert entry.navn == "Tina Test" and "sagsindeks" in entry.kategorier
    assert (entry.grundlag, entry.grundlag_id) == ("samtykke", c.pk)
    assert {(o["id"], o["grundlag"]) for o in entry.objekter if o["type"] == "sag"} == {
        (str(s.pk), "samtykke"),
        (str(egen.pk), "egen_enhed"),
    }
    assert next(o for o in entry.objekter if o["id"] == str(s.pk))["grundlag_id"] == str(c.pk)

    services.samtykke_revoke(actor=None, samtykke=c)
    assert [x.pk for x in side(klient, w).context["o"].sager] == [egen.pk]


# --- consent given on paper or in a meeting ---------------------------------------------------


def test_assisted_consent_needs_a_witness(klient, w):
    adresse = url("samtykke_papir", pk=w.borger.pk)
    uden = klient.post(adresse, papir_data(w, **{"papir-vidne": ""}), **HTMX)
    fremtid = klient.post(
        adresse,
        papir_data(w, **{"papir-givet": dag(2)}),
        **HTMX,
    )

    assert uden.status_code == 200
    assert "Et samtykke givet på papir eller i et møde skal have et vidne." in uden.content.decode()
    assert uden.content.decode().lstrip().startswith('<form id="papir-form"')
    assert "Datoen kan ikke ligge i fremtiden." in fremtid.content.decode()
    assert not Samtykke.objects.exists()


def test_assisted_consent_is_registered_marked_and_shows_the_data(klient, w):
    for_ti_dage = dag(-10)
    response = klient.post(
        url("samtykke_papir", pk=w.borger.pk), papir_data(w, **{"papir-givet": for_ti_dage})
    )

    assert response.status_code == 302
    s = Samtykke.objects.get(borger=w.borger)
    assert s.assisteret and s.vidne == "Lone Holm, socialrådgiver"
    assert s.registreret_af == w.user and s.modtager_enhed == w.enhed
    assert s.kilder == [w.anden_enhed.pk] and s.kategorier == [k.FFB_AKTIVITET_OG_DELTAGELSE]
    assert (s.gyldig_til - s.gyldig_fra) == datetime.timedelta(days=30)
    html = side(klient, w).content.decode()
    assert "Samtykket er registreret som assisteret" in html
    assert 'class="maerke maerke-assisteret"' in html and "Vidne: Lone Holm" in html
    assert f'href="{url("tilstand", pk=w.skjulte[0].pk)}"' in html
    assert "Der findes oplysninger hos Testrup Kommune, som kræver samtykke" in html


def test_an_assisted_consent_already_run_out_is_refused(klient, w):
    gammel = dag(-40)
    response = klient.post(
        url("samtykke_papir", pk=w.borger.pk), papir_data(w, **{"papir-givet": gammel}), **HTMX
    )
    assert "allerede udløbet" in response.content.decode()
    assert not Samtykke.objects.exists()


# --- access on a legal basis --------------------------------------------------------------


@pytest.mark.parametrize(
    ("over", "besked"),
    [
        ({"hjemmel-begrundelse": ""}, "Skriv en begrundelse; borgeren kan læse den."),
        ({"hjemmel-lovgrundlag": None}, "Vælg lovgrundlaget fra listen."),
        ({"hjemmel-lovgrundlag": "sel85"}, "Vælg lovgrundlaget fra listen."),
        ({"hjemmel-dage": "31"}, "Adgangen kan højst gives for 30 dage."),
        ({"hjemmel-dage": "0"}, "Adgangen skal gælde mindst 1 dag."),
    ],
)
def test_legal_basis_needs_a_justification_and_a_valid_basis(klient, w, over, besked):
    if over.get("hjemmel-lovgrundlag") == "sel85":
        over = {"hjemmel-lovgrundlag": str(w.sel85.pk)}  # a class, but not a legal basis for access
    response = klient.post(url("hjemmel_ny", pk=w.borger.pk), hjemmel_data(w, **over), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and besked in html
    assert html.lstrip().startswith('<form id="hjemmel-form"')
    assert not Hjemmel.objects.exists()


def test_legal_basis_shows_the_data_with_a_banner_and_is_in_the_citizens_log(klient, w):
    html = side(klient, w).content.decode()
    assert w.lov.titel in html and w.lov.definition in html  # each basis with its definition

    response = klient.post(url("hjemmel_ny", pk=w.borger.pk), hjemmel_data(w))

    assert response.status_code == 302
    h = Hjemmel.objects.get(borger=w.borger)
    assert h.medarbejder == w.medarbejder and h.enhed == w.enhed and h.lovgrundlag == w.lov
    assert h.gyldig_til - h.gyldig_fra == datetime.timedelta(days=3)
    page = side(klient, w)
    html = page.content.decode()
    assert "Du har adgang på lovhjemmel til" in html
    assert page.context["adgang"].skjult == [] and 'id="hjemmel-form"' not in html
    assert f'href="{url("tilstand", pk=w.skjulte[0].pk)}"' in html
    entry = log_for(w.borger)[-1]
    assert entry.grundlag == "hjemmel" and entry.grundlag_id == h.pk
    skjulte = {str(t.pk) for t in w.skjulte} | {str(w.skjult_indsats.pk)}
    grundlag = {o["id"]: o["grundlag"] for o in entry.objekter}
    assert {grundlag[i] for i in skjulte} == {"hjemmel"}
    assert grundlag[str(w.egen.pk)] == "egen_enhed"
    # and the citizen reads it in Hvem har set mine data, with the justification
    w.borger.user = get_user_model().objects.create_user("else")
    w.borger.save()
    borger = Client()
    borger.force_login(w.borger.user)
    log = borger.get(url("hvem_har_set")).content.decode()
    assert f"Lovhjemmel – {w.lov.titel}" in log and "Tina Test" in log
    assert "vi skal planlægge udskrivelsen" in log


def test_legal_basis_is_refused_when_nothing_is_hidden(klient, g):
    tilstand(g)
    g.lov = Klasse.objects.filter(klassifikation__uri=k.ADGANGSHJEMMEL_URI).first()

    page = side(klient, g).content.decode()
    response = klient.post(url("hjemmel_ny", pk=g.borger.pk), hjemmel_data(g), **HTMX)

    assert 'id="hjemmel-form"' not in page and 'id="anmod-form"' not in page
    assert "Der er ingen oplysninger om borgeren fra andre enheder, som du ikke kan se." in page
    assert "Du kan allerede se alle borgerens oplysninger." in response.content.decode()
    assert not Hjemmel.objects.exists()


# --- a leader's review ---------------------------------------------------------------------


@pytest.fixture
def leder(w):
    user = get_user_model().objects.create_user("leder")
    m = Medarbejder.objects.create(user=user, myndighed=w.myndighed, navn="Lis Leder")
    Funktion.objects.create(medarbejder=m, enhed=w.enhed, rolle="leder")
    c = Client()
    c.force_login(user)
    c.medarbejder = m
    return c


def registrer_hjemmel(g, borger=None, begrundelse="Akut indlagt") -> Hjemmel:
    return services.hjemmel_register(
        actor=g.user, borger=borger or g.borger, medarbejder=g.medarbejder, enhed=g.enhed,
        lovgrundlag=g.lov, begrundelse=begrundelse, dage=3,
    )  # fmt: skip


@pytest.mark.parametrize("n", [1, 5])
def test_the_review_page_has_a_pinned_query_count(leder, w, n, django_assert_num_queries):
    for i in range(n):
        h = registrer_hjemmel(w, begrundelse=f"Grund {i}")
        if i % 2:
            services.hjemmel_review(
                actor=None, hjemmel=h, leder=leder.medarbejder, resultat="godkendt"
            )

    with django_assert_num_queries(GENNEMGANG_SIDE):
        response = leder.get(url("hjemmel_gennemgang"))

    assert response.status_code == 200
    assert len(response.context["raekker"]) + len(response.context["gennemgaaede"]) == n


def test_a_leader_approves_and_flags_and_sees_names_only(leder, w):
    h1 = registrer_hjemmel(w, begrundelse="Borgeren er akut indlagt")
    h2 = registrer_hjemmel(w, borger=w.anden_borger, begrundelse="Bekymring for barnet")

    html = leder.get(url("hjemmel_gennemgang")).content.decode()
    assert "Else Jensen" in html and "Ole Berg" in html and "Tina Test" in html
    assert w.lov.titel in html and "Borgeren er akut indlagt" in html
    assert not cpr_i(html, w.borger) and w.borger.cpr_maskeret not in html
    assert 'hx-history="false"' in html

    ok = leder.post(url("hjemmel_gennemgaa", pk=h1.pk), {"resultat": "godkendt"}, **HTMX)
    uden_kommentar = leder.post(url("hjemmel_gennemgaa", pk=h2.pk), {"resultat": "flaget"}, **HTMX)
    assert ok["HX-Redirect"] == url("hjemmel_gennemgang")
    assert uden_kommentar.status_code == 200
    assert "Skriv hvorfor adgangen skal følges op." in uden_kommentar.content.decode()
    assert (
        uden_kommentar.content.decode()
        .lstrip()
        .startswith(f'<li class="gennemgang-kort" id="hjemmel-{h2.pk}"')
    )
    flag = leder.post(
        url("hjemmel_gennemgaa", pk=h2.pk), {"resultat": "flaget", "kommentar": "Tal med Tina"}
    )
    assert flag.status_code == 302

    assert HjemmelGennemgang.objects.get(hjemmel=h1).resultat == "godkendt"
    g2 = HjemmelGennemgang.objects.get(hjemmel=h2)
    assert g2.resultat == "flaget" and g2.kommentar == "Tal med Tina"
    side_ = leder.get(url("hjemmel_gennemgang"))
    assert side_.context["raekker"] == []
    html = side_.content.decode()
    assert "Markeret til opfølgning" in html and "Tal med Tina" in html and "Lis Leder" in html
    # twice is once
    igen = leder.post(url("hjemmel_gennemgaa", pk=h1.pk), {"resultat": "flaget", "kommentar": "x"})
    assert igen.status_code == 302 and HjemmelGennemgang.objects.count() == 2
    # the citizen's log tells that a leader reviewed the access
    assert log_for(w.borger)[-1].hvad.startswith("Leders gennemgang af adgang på lovhjemmel")


def test_the_review_is_a_404_for_others(klient, fremmed_klient, leder, w):
    h = registrer_hjemmel(w)
    anden_leder = get_user_model().objects.create_user("anden-leder")
    m = Medarbejder.objects.create(user=anden_leder, myndighed=w.myndighed, navn="Anne Anden")
    Funktion.objects.create(medarbejder=m, enhed=w.anden_enhed, rolle="leder")
    c = Client()
    c.force_login(anden_leder)

    assert klient.get(url("hjemmel_gennemgang")).status_code == 404  # a caseworker
    assert fremmed_klient.get(url("hjemmel_gennemgang")).status_code == 404
    assert (
        klient.post(url("hjemmel_gennemgaa", pk=h.pk), {"resultat": "godkendt"}).status_code == 404
    )
    assert c.get(url("hjemmel_gennemgang")).context["raekker"] == []  # another unit's leader
    fremmed = c.post(url("hjemmel_gennemgaa", pk=h.pk), {"resultat": "godkendt"})
    ukendt = c.post(url("hjemmel_gennemgaa", pk=uuid.uuid4()), {"resultat": "godkendt"})
    assert fremmed.status_code == ukendt.status_code == 404
    assert not HjemmelGennemgang.objects.exists()


def test_a_leader_does_not_review_their_own_access(leder, w):
    eget = services.hjemmel_register(
        actor=None, borger=w.borger, medarbejder=leder.medarbejder, enhed=w.enhed,
        lovgrundlag=w.lov, begrundelse="Akut", dage=1,
    )  # fmt: skip
    html = leder.get(url("hjemmel_gennemgang")).content.decode()
    assert "Det er din egen adgang" in html
    response = leder.post(url("hjemmel_gennemgaa", pk=eget.pk), {"resultat": "godkendt"})
    assert response.status_code == 302
    assert (
        "Du kan ikke gennemgå din egen adgang"
        in leder.get(url("hjemmel_gennemgang")).content.decode()
    )
    assert not HjemmelGennemgang.objects.exists()


# --- access, CSRF ----------------------------------------------------------------------------


def test_the_forms_are_a_404_for_a_citizen_one_may_not_open(klient, w):
    tilstand(w, borger=w.anden_borger, enhed=w.anden_enhed)
    for navn in ("samtykke_anmod", "samtykke_papir", "hjemmel_ny"):
        skjult = klient.get(url(navn, pk=w.anden_borger.pk))
        ukendt = klient.get(url(navn, pk=uuid.uuid4()))
        assert skjult.status_code == ukendt.status_code == 404
        assert uden_csrf(skjult) == uden_csrf(ukendt)
    assert klient.post(url("samtykke_anmod", pk=w.anden_borger.pk), {}).status_code == 404
    assert not Adgangslog.objects.filter(borger=w.anden_borger).exists()


def test_a_lookup_by_cpr_opens_the_page_and_the_forms(klient, g):
    t = tilstand(g, borger=g.anden_borger, enhed=g.anden_enhed)
    assert side(klient, g, g.anden_borger).status_code == 404

    klient.post(url("borger_find"), {"cpr": g.anden_borger.cpr})

    response = side(klient, g, g.anden_borger)
    html = response.content.decode()
    assert response.status_code == 200 and "Ole Berg" in html
    assert "Der findes oplysninger hos Testrup Kommune, som kræver samtykke" in html
    assert t.type.titel not in html and 'id="anmod-form"' in html
    assert klient.get(url("tilstand", pk=t.pk)).status_code == 404
    # a case can start: registering a condition for the citizen is open too
    assert klient.get(url("tilstand_ny", borger=g.anden_borger.pk)).status_code == 200


def test_the_menu_snippet_shows_the_review_link_to_leaders_only(rf, leder, w):
    from django.template.loader import render_to_string

    from organisation.selectors import aktoer_for

    Funktion.objects.create(medarbejder=leder.medarbejder, enhed=w.anden_enhed, rolle="leder")
    snippet = "overblik/samtykke_personale/_menu.html"
    request = rf.get("/")
    for_leder = render_to_string(
        snippet, {"aktoer": aktoer_for(leder.medarbejder.user)}, request=request
    )
    for_tina = render_to_string(snippet, {"aktoer": aktoer_for(w.user)}, request=request)
    assert for_leder.count(f'href="{url("hjemmel_gennemgang")}"') == 1  # once, two units
    assert "Lovhjemmel til gennemgang" in for_leder and for_tina.strip() == ""


def test_a_lookup_opens_the_page_for_a_day_a_request_for_longer(klient, g, monkeypatch):
    ur = FakeClock(datetime.datetime.now(datetime.UTC))
    monkeypatch.setattr("datadeling.core.clock.now", ur)
    tilstand(g, borger=g.anden_borger, enhed=g.anden_enhed)
    klient.post(url("borger_find"), {"cpr": g.anden_borger.cpr})
    g.borger = g.anden_borger
    anmod(klient, g)
    Anmodning.objects.update(modtager_enhed=g.anden_enhed)  # as if another unit had asked

    ur.advance(hours=25)
    assert side(klient, g).status_code == 404
    Anmodning.objects.update(modtager_enhed=g.enhed)
    assert side(klient, g).status_code == 200


def test_the_forms_need_the_csrf_token(w):
    streng = Client(enforce_csrf_checks=True)
    streng.force_login(w.user)
    response = streng.post(url("samtykke_anmod", pk=w.borger.pk), anmod_data(w))
    assert response.status_code == 403
    assert not Anmodning.objects.exists()


# --- in a browser ----------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium is not at {CHROMIUM}")
@pytest.mark.django_db(transaction=True)
def test_asking_for_consent_in_a_browser_is_accessible(live_server, w):
    """See what is hidden, ask for consent with htmx, see it pending — axe on each page.
    With DATADELING_SKAERMBILLEDER=<folder> the pages are saved as screenshots."""
    sync_api = pytest.importorskip("playwright.sync_api")
    axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    mappe = os.environ.get("DATADELING_SKAERMBILLEDER")
    tilstand(w, borger=w.anden_borger, enhed=w.anden_enhed)
    for user in (w.user, get_user_model().objects.create_user("leder")):
        user.set_password("korrekt-hest-batteri-47")
        user.save()
    m = Medarbejder.objects.create(user=user, myndighed=w.myndighed, navn="Lis Leder")
    Funktion.objects.create(medarbejder=m, enhed=w.enhed, rolle="leder")
    services.samtykke_give(
        actor=None, borger=w.borger, modtager=w.enhed, kategorier=[w.ydelse_rod],
        kilder=[w.anden_enhed], formaal="Koordinere hjemmepleje og beskæftigelse",
        assisteret=True, vidne="Lone Holm, socialrådgiver",
    )  # fmt: skip

    def ingen_alvorlige_fejl(page, navn):
        if mappe:
            page.screenshot(path=os.path.join(mappe, f"{navn}.png"), full_page=True)
        fund = axe_sync.Axe().run(page).response["violations"]
        alvorlige = [v for v in fund if v["impact"] in {"serious", "critical"}]
        assert not alvorlige, (navn, [(v["id"], v["nodes"][0]["target"]) for v in alvorlige])

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        page = browser.new_page(locale="da-DK", viewport={"width": 1280, "height": 900})
        base = live_server.url
        page.goto(f"{base}/log-ind/")
        page.get_by_label("Brugernavn").fill("tester")
        page.get_by_label("Adgangskode").fill("korrekt-hest-batteri-47")
        page.get_by_role("button", name="Log ind").click()
        page.wait_for_url(f"{base}/")

        page.goto(base + url("borger", pk=w.borger.pk))
        sync_api.expect(page.locator(".skjult-liste")).to_contain_text(
            "Der findes oplysninger hos Testrup Kommune, som kræver samtykke"
        )
        ingen_alvorlige_fejl(page, "borger-skjult")

        page.locator("#handling-anmod summary").click()
        page.locator("#anmod-form").get_by_label("Aktivitet og deltagelse").check()
        page.get_by_role("button", name="Send anmodningen til borgeren").click()
        sync_api.expect(page.locator("#anmod-form .fejlboks")).to_contain_text("Skriv formålet.")
        ingen_alvorlige_fejl(page, "borger-anmod-fejl")
        page.locator("#id_anmod-formaal").fill("Koordinere hjemmepleje og beskæftigelse")
        page.locator("#id_anmod-begrundelse").fill(
            "Vi vil gerne se, hvad Jobcenteret ved om dig, så vi kan hjælpe dig bedre."
        )
        page.get_by_role("button", name="Send anmodningen til borgeren").click()
        sync_api.expect(page.locator(".anmodning-linjer")).to_contain_text(
            "Afventer borgerens svar"
        )
        sync_api.expect(page.get_by_text("Anmodningen er sendt til borgeren")).to_be_visible()
        ingen_alvorlige_fejl(page, "borger-afventer")
        assert w.borger.cpr not in page.content()

        page.locator("#handling-hjemmel summary").click()
        page.locator("#hjemmel-form").get_by_label(w.lov.titel).check()
        ingen_alvorlige_fejl(page, "borger-hjemmel-formular")
        page.locator("#id_hjemmel-begrundelse").fill("Borgeren er akut indlagt.")
        page.get_by_role("button", name="Giv mig adgang på lovhjemmel").click()
        sync_api.expect(page.locator(".besked-hjemmel")).to_contain_text(
            "Du har adgang på lovhjemmel til"
        )
        # The summary names the condition; its card (the citizen's view) loads on demand.
        page.get_by_role("link", name=re.compile("Vis alle 3 med udvikling og kilde")).click()
        sync_api.expect(page.get_by_text(HEMMELIG).first).to_be_visible()
        ingen_alvorlige_fejl(page, "borger-hjemmel")

        page.goto(base + url("borgere"))
        page.get_by_label("CPR-nummer").fill(w.anden_borger.cpr)
        page.get_by_role("button", name="Find", exact=True).click()
        page.wait_for_url(base + url("borger", pk=w.anden_borger.pk))
        sync_api.expect(page.locator(".skjult-liste")).to_contain_text(
            "Der findes oplysninger hos Testrup Kommune, som kræver samtykke"
        )
        assert w.anden_borger.cpr not in page.url and w.anden_borger.cpr not in page.content()
        ingen_alvorlige_fejl(page, "borger-opslag")

        leder = browser.new_page(locale="da-DK", viewport={"width": 1280, "height": 900})
        leder.goto(f"{base}/log-ind/")
        leder.get_by_label("Brugernavn").fill("leder")
        leder.get_by_label("Adgangskode").fill("korrekt-hest-batteri-47")
        leder.get_by_role("button", name="Log ind").click()
        leder.wait_for_url(f"{base}/")
        leder.goto(base + url("hjemmel_gennemgang"))
        sync_api.expect(leder.locator(".gennemgang-kort")).to_contain_text("Else Jensen")
        ingen_alvorlige_fejl(leder, "gennemgang")
        leder.get_by_role("button", name="Markér til opfølgning").click()
        sync_api.expect(leder.locator(".gennemgang-kort")).to_contain_text(
            "Skriv hvorfor adgangen skal følges op."
        )
        leder.get_by_label("Kommentar").fill("Tal med Tina om begrundelsen")
        leder.get_by_role("button", name="Markér til opfølgning").click()
        sync_api.expect(leder.get_by_text("Adgangen er markeret til opfølgning.")).to_be_visible()
        ingen_alvorlige_fejl(leder, "gennemgang-efter")
        browser.close()
