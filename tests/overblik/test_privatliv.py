"""Privacy by default on the caseworker's citizen page, as an attacker meets it over HTTP
(issue 11, findings 2-4): of data they may not see, staff learn the authority only; a
blocked unit learns nothing; an answered or old request opens nothing; a unit whose
validity has ended gives its staff nothing."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from datadeling.core import clock
from organisation.models import Enhed, Myndighed
from samtykke import services
from samtykke.models import Anmodning, AnmodningStatus
from tests.overblik import test_samtykke_personale as personale
from tests.overblik import test_tilstand_screens as skaerme
from tests.overblik.test_samtykke_personale import anmod_data, side
from tests.overblik.test_tilstand_screens import tilstand, url

g = skaerme.g
klient = skaerme.klient
w = personale.w

pytestmark = pytest.mark.django_db

DAG = datetime.timedelta(days=1)


@pytest.fixture
def region(w):
    """A unit of another authority holds a condition of the citizen too."""
    w.region = Myndighed.objects.create(navn="Region Midtjylland", type="region", cvr="29190925")
    w.psykiatri = Enhed.objects.create(myndighed=w.region, navn="Afdeling for Depression og Angst")
    tilstand(w, enhed=w.psykiatri)
    return w


def test_staff_without_access_learn_the_authorities_only(klient, region):
    html = side(klient, region).content.decode()

    assert "Der findes oplysninger hos Testrup Kommune, som kræver samtykke" in html
    assert "Der findes oplysninger hos Region Midtjylland, som kræver samtykke" in html
    for laek in ("Jobcenter", "Afdeling for Depression og Angst", "3 tilstande", "1 indsats"):
        assert laek not in html, laek
    assert "Aktivitet og deltagelse (" not in html  # no category of the hidden data


def test_a_blocked_unit_learns_nothing_of_other_units_data(klient, region):
    services.samtykke_give(
        actor=None, borger=region.borger, modtager=region.enhed, beslutning="afvis"
    )

    html = side(klient, region).content.decode()

    assert "Borgeren har frabedt sig deling med din enhed." in html
    for laek in (
        "Jobcenter", "Afdeling for Depression og Angst", "Region Midtjylland", "kræver samtykke",
        "tilstande og", "Der er ingen oplysninger om borgeren fra andre enheder",
    ):  # fmt: skip
        assert laek not in html, laek


def test_a_request_names_the_units_of_the_chosen_authority_and_its_unit_sees_the_authority(
    klient, region
):
    data = anmod_data(region, **{"anmod-kilder": [str(region.region.pk)]})
    klient.post(url("samtykke_anmod", pk=region.borger.pk), data)

    a = Anmodning.objects.get(borger=region.borger)
    assert a.kilder == [region.psykiatri.pk]  # the citizen is shown exactly this unit
    html = side(klient, region).content.decode()
    assert "Afdeling for Depression og Angst" not in html
    assert "fra Region Midtjylland" in html


def test_a_unit_cannot_name_a_unit_as_a_source(klient, region):
    data = anmod_data(region, **{"anmod-kilder": [str(region.psykiatri.pk)]})
    klient.post(url("samtykke_anmod", pk=region.borger.pk), data)
    assert not Anmodning.objects.exists()


@pytest.fixture
def fremmed(g):
    """A citizen of whom Tina's unit holds nothing; Jobcenter holds a condition."""
    from organisation.models import Borger

    b = Borger.objects.create(cpr="0303701234", fornavn="Frida", efternavn="Fremmed")
    tilstand(g, borger=b, enhed=g.anden_enhed)
    return b


def _anmodning(g, borger, *, dage_siden=0, status=AnmodningStatus.AFVENTER) -> Anmodning:
    a = services.anmodning_create(
        actor=None, borger=borger, anmoder=g.medarbejder, enhed=g.enhed,
        kategorier=[g.type], kilder=[g.anden_enhed], formaal="x", begrundelse="y",
        varighed_dage=30,
    )  # fmt: skip
    Anmodning.objects.filter(pk=a.pk).update(status=status, oprettet=clock.now() - dage_siden * DAG)
    return a


def test_an_open_request_opens_the_page(klient, g, fremmed):
    _anmodning(g, fremmed)
    assert klient.get(url("borger", pk=fremmed.pk)).status_code == 200


@pytest.mark.parametrize(
    "dage_siden,status",
    [
        (900, AnmodningStatus.AFVIST),
        (1, AnmodningStatus.AFVIST),
        (1, AnmodningStatus.TRUKKET),
        (1, AnmodningStatus.BESVARET),
        (31, AnmodningStatus.AFVENTER),
    ],
)
def test_an_answered_or_old_request_opens_nothing(klient, g, fremmed, dage_siden, status):
    _anmodning(g, fremmed, dage_siden=dage_siden, status=status)
    assert klient.get(url("borger", pk=fremmed.pk)).status_code == 404


def test_the_request_window_is_a_setting(klient, g, fremmed, settings):
    settings.ANMODNING_AABNER_DAGE = 60
    _anmodning(g, fremmed, dage_siden=31)
    assert klient.get(url("borger", pk=fremmed.pk)).status_code == 200


def test_staff_of_an_ended_unit_see_nothing_of_its_data(klient, w):
    assert side(klient, w).status_code == 200
    idag = timezone.localdate(clock.now())
    Enhed.objects.filter(pk=w.enhed.pk).update(gyldig_fra=idag - 10 * DAG, gyldig_til=idag)

    assert side(klient, w).status_code == 404
    assert klient.get(url("tilstand", pk=w.egen.pk)).status_code == 404
