"""Every route of overblik that takes a citizen goes through the citizen page's own check
(issue 11, finding 1): a citizen whose page the person may not open is the same 404 as a
uuid that does not exist, for GET, htmx and POST alike, and nothing is read, logged or
written first."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from indsats.models import Indsats
from organisation.models import Borger
from samtykke.models import Adgangslog
from tests.overblik import test_tilstand_screens as skaerme
from tests.overblik.test_tilstand_screens import HTMX, uden_csrf

g = skaerme.g
klient = skaerme.klient

pytestmark = pytest.mark.django_db

# The URL parameters that name a citizen.
BORGER_PARAMETRE = {"borger", "pk"}


def _ruter(resolver: URLResolver, prefix: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _ruter(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def test_every_route_with_a_citizen_in_its_url_uses_the_citizen_check():
    """A route whose URL names a citizen (`borgere/<uuid:...>/`) must be made with
    overblik.views.borger.borgerside: a new screen cannot skip the check."""
    mangler, fundet = [], []
    for rute, p in _ruter(get_resolver()):
        if "borgere/<" not in rute:
            continue
        parameter = getattr(p.callback, "borger_parameter", None)
        if parameter is None or parameter not in p.pattern.converters:
            mangler.append(rute)
        else:
            fundet.append(rute)
    assert not mangler, f"routes with a citizen but without @borgerside: {mangler}"
    assert len(fundet) >= 6  # the page, new tilstand/indsats, request, paper, legal basis


@pytest.fixture
def fremmed_borger(g):
    """A citizen of whom Tina's unit holds nothing, and with no lookup, request or consent."""
    return Borger.objects.create(cpr="0303701234", fornavn="Frida", efternavn="Fremmed")


@pytest.mark.parametrize(
    "navn,param",
    [
        ("indsats_ny", "borger"),
        ("tilstand_ny", "borger"),
        ("samtykke_anmod", "pk"),
        ("samtykke_papir", "pk"),
        ("hjemmel_ny", "pk"),
        ("borger", "pk"),
    ],
)
def test_a_citizen_without_reason_is_a_404_like_a_random_uuid(klient, fremmed_borger, navn, param):
    fremmed = reverse(f"overblik:{navn}", kwargs={param: fremmed_borger.pk})
    ukendt = reverse(f"overblik:{navn}", kwargs={param: uuid.uuid4()})
    for extra in ({}, HTMX, {**HTMX, "HTTP_HX_TRIGGER_NAME": "type"}):
        a, b = klient.get(fremmed, **extra), klient.get(ukendt, **extra)
        assert a.status_code == b.status_code == 404, (navn, extra)
        assert uden_csrf(a) == uden_csrf(b)
    assert klient.post(fremmed, {}).status_code == klient.post(ukendt, {}).status_code
    assert not Adgangslog.objects.filter(borger=fremmed_borger).exists()


def test_posting_a_new_intervention_for_a_stranger_creates_nothing_and_opens_nothing(
    klient, g, fremmed_borger
):
    ny = reverse("overblik:indsats_ny", kwargs={"borger": fremmed_borger.pk})
    data = {
        "type": str(g.ydelse.pk),
        "lovgrundlag": str(g.sel85.pk),
        "bevilgende_enhed": str(g.enhed.pk),
        "leverende_enhed": str(g.enhed.pk),
        "startdato": "2026-01-01",
        "maal-TOTAL_FORMS": "0",
        "maal-INITIAL_FORMS": "0",
    }
    assert klient.post(ny, data).status_code == 404
    assert not Indsats.objects.filter(borger=fremmed_borger).exists()
    side = reverse("overblik:borger", kwargs={"pk": fremmed_borger.pk})
    assert klient.get(side).status_code == 404


def test_after_a_logged_cpr_lookup_the_new_intervention_page_opens(klient, g, fremmed_borger):
    klient.post(reverse("overblik:borger_find"), {"cpr": fremmed_borger.cpr})
    ny = reverse("overblik:indsats_ny", kwargs={"borger": fremmed_borger.pk})
    assert klient.get(ny).status_code == 200
