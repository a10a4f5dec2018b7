"""The citizen page and Mine data for a citizen with a long history (issue 15): a summary
first, the rest in pages loaded on demand — query counts the same at 20 and 1,000 items,
every visible item on exactly one page and nothing invisible, each page logged, and the
same 404 as the citizen's page for anybody who may not see the citizen."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indsats.models import Indsats
from indsats.services import indsats_end
from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.selectors import Aktoer, aktoer_for
from overblik.selectors import borger as borger_selectors
from overblik.selectors import mine_data as mine_selectors
from samtykke.models import Adgangslog
from tests import hypotese
from tests.overblik import test_tilstand_screens as skaerme
from tests.overblik.test_borger_screens import BORGER_SIDE
from tests.overblik.test_tilstand_screens import (
    ADGANGSLOG,
    HTMX,
    LOGIN,
    TRANSAKTION,
    indsats,
    log_for,
    tilstand,
    url,
)
from tilstand.models import Tilstand
from tilstand.services import tilstand_end

g = skaerme.g
klient = skaerme.klient
fremmed_klient = skaerme.fremmed_klient

pytestmark = pytest.mark.django_db

# A page of conditions: the citizen (the page's check), the count, the page, the versions
# of their newest registrations, the titles of the area (one area's page), the access log,
# the citizen's statements next to the data.
TILSTANDE_SIDE = LOGIN + TRANSAKTION + 1 + 3 + 1 + ADGANGSLOG + 1
# A page of interventions: the citizen, the count, the page, the access log, statements.
INDSATSER_SIDE = LOGIN + TRANSAKTION + 1 + 2 + ADGANGSLOG + 1
# Mine data: session and user (2), who is logged in (1), savepoint; which conditions the
# summary shows with their counts, those conditions, the interventions likewise (2), the
# titles of the conditions their goals name (none here), the cases; the access log (5),
# release; the statements, own words and correction requests next to the data (3).
MINE_DATA = 2 + 1 + 1 + 4 + 1 + ADGANGSLOG + 1 + 3
# One page of Mine data's conditions or help: the count and the page, the log, and what
# stands beside each datum (3).
MINE_SIDE = 2 + 1 + 1 + 2 + ADGANGSLOG + 1 + 3


def typer(n: int) -> list[Klasse]:
    """Return n FSIII condition classes spread over several areas."""
    blade = list(
        Klasse.objects.filter(
            sti__overlap=list(k.FSIII_FUNKTIONSEVNETILSTANDE), underordnede__isnull=True
        ).order_by("kode")
    )
    return [blade[(i * 7) % len(blade)] for i in range(n)]


def lang_historie(g, n: int):
    """Give the citizen n/2 conditions (some ended) over several areas and n/2 interventions
    (some ended), the caseworker's unit's; plus another unit's data the caseworker may not see."""
    klasser = typer(n // 2)
    for i, kl in enumerate(klasser):
        t = tilstand(g, type_=kl, dage_siden=1 + i % 300)
        if i % 5 == 4:
            tilstand_end(actor=g.user, tilstand=t)
    for i in range(n - n // 2):
        ind = indsats(g)
        if i % 4 == 3:
            indsats_end(actor=g.user, indsats=ind)
    tilstand(g, enhed=g.anden_enhed, borgerens_vurdering="Jobcenterets hemmelighed")
    indsats(g, enhed=g.anden_enhed)


def tre_omraader() -> list[Klasse]:
    """Return three FSIII condition classes of three different areas."""
    efter_omraade: dict = {}
    for kl in typer(60):
        efter_omraade.setdefault(kl.overordnet_id, kl)
    return list(efter_omraade.values())[:3]


@pytest.fixture
def borger_klient(g):
    g.borger.user = get_user_model().objects.create_user("else")
    g.borger.save()
    c = Client()
    c.force_login(g.borger.user)
    return c


@pytest.mark.parametrize("n", [20, 1000])
def test_query_counts_are_the_same_at_20_and_1000_items(
    klient, borger_klient, g, n, django_assert_num_queries
):
    lang_historie(g, n)
    side = klient.get(url("borger", pk=g.borger.pk))
    omraade = side.context["o"].dele[0].omraader[0].noegle
    tilstande = url("borger_tilstande", pk=g.borger.pk)
    indsatser = url("borger_indsatser", pk=g.borger.pk)

    with django_assert_num_queries(BORGER_SIDE):
        side = klient.get(url("borger", pk=g.borger.pk))
    with django_assert_num_queries(TILSTANDE_SIDE):
        klient.get(tilstande, {"omraade": omraade, "side": 2}, **HTMX)
    with django_assert_num_queries(TILSTANDE_SIDE - 1):  # no area: no titles
        klient.get(tilstande, {"afsluttede": 1})
    with django_assert_num_queries(INDSATSER_SIDE):
        klient.get(indsatser, {"side": 2}, **HTMX)
    with django_assert_num_queries(INDSATSER_SIDE):
        klient.get(indsatser, {"afsluttede": 1})
    with django_assert_num_queries(MINE_DATA):
        mine = borger_klient.get(reverse("overblik:mine_data"))
    mine_omraade = mine.context["data"].omraader[0].noegle
    with django_assert_num_queries(MINE_SIDE - 1):  # no help on it: no own words to fetch
        borger_klient.get(reverse("overblik:mine_data_tilstande"), {"omraade": mine_omraade})
    with django_assert_num_queries(MINE_SIDE):
        borger_klient.get(reverse("overblik:mine_data_indsatser"), {"side": 2}, **HTMX)

    # the summaries count everything and show a bounded part of it
    o = side.context["o"]
    assert o.antal_tilstande == n // 2 and o.antal_afsluttede == (n // 2) // 5
    assert o.antal_aktive_indsatser + o.antal_afsluttede_indsatser == n - n // 2
    vist = sum(len(om.tilstande) for d in o.dele for om in d.omraader)
    antal_omraader = sum(len(d.omraader) for d in o.dele)
    assert vist <= borger_selectors.TILSTANDE_PR_OMRAADE * antal_omraader
    assert len(o.indsatser) <= borger_selectors.INDSATSER_I_RESUME
    data = mine.context["data"]
    # the citizen sees her own from every unit: the other unit's condition too
    assert data.antal_aktuelle + data.antal_ikke_aktuelle == n // 2 + 1
    assert len(data.indsatser) <= mine_selectors.INDSATSER_I_RESUME
    assert "Jobcenterets hemmelighed" not in side.content.decode()


def test_the_summary_shows_the_newest_per_area_and_the_latest_change(klient, g):
    kl = typer(1)[0]
    gamle = [tilstand(g, type_=kl, dage_siden=100 + i) for i in range(4)]
    ny = tilstand(g, type_=kl, dage_siden=1)
    i = indsats(g)

    response = klient.get(url("borger", pk=g.borger.pk))

    o = response.context["o"]
    (omraade,) = [om for d in o.dele for om in d.omraader]
    assert omraade.antal == 5 and omraade.flere
    assert [v.t.pk for v in omraade.tilstande] == [ny.pk, gamle[0].pk, gamle[1].pk]
    assert [v.i.pk for v in o.indsatser] == [i.pk]
    assert o.seneste is not None and o.seneste.pk == i.pk  # registered last
    html = response.content.decode()
    assert "Senest ændret:" in html and f'href="{url("indsats", pk=i.pk)}"' in html
    adresse = f"{url('borger_tilstande', pk=g.borger.pk)}?omraade={omraade.noegle}"
    assert f'href="{adresse}"' in html and f'hx-get="{adresse}"' in html
    # the page's log entry lists what it showed, the latest change among it
    (entry,) = log_for(g.borger)
    ids = {o["id"] for o in entry.objekter}
    assert ids == {str(ny.pk), str(gamle[0].pk), str(gamle[1].pk), str(i.pk)}


def test_a_page_of_conditions_is_a_page_or_a_fragment_and_is_logged(klient, g):
    t = tilstand(g, borgerens_vurdering="Jeg klarer trapperne")
    skjult = tilstand(g, enhed=g.anden_enhed, borgerens_vurdering="Hemmeligt")
    adresse = url("borger_tilstande", pk=g.borger.pk)

    hel = klient.get(adresse)
    fragment = klient.get(adresse, **HTMX)

    html, stump = hel.content.decode(), fragment.content.decode()
    assert "<html" in html and "<h1>" in html and "Aktuelle tilstande" in html
    assert "<html" not in stump and stump.lstrip().startswith('<div class="liste-fragment"')
    for tekst in (html, stump):
        assert "Jeg klarer trapperne" in tekst and "Hemmeligt" not in tekst
        assert 'class="tilstand-kort' in tekst  # the card: development and provenance
    assert "HX-Request" in fragment["Vary"]
    for entry in log_for(g.borger):
        assert [o["id"] for o in entry.objekter] == [str(t.pk)]
        assert entry.hvad == "Borgerens tilstande" and entry.grundlag == "egen_enhed"
    assert len(log_for(g.borger)) == 2 and str(skjult.pk) not in html


def test_pages_link_to_each_other_with_and_without_javascript(klient, g):
    for _ in range(borger_selectors.INDSATSER_PR_SIDE + 1):
        indsats(g)
    adresse = url("borger_indsatser", pk=g.borger.pk)

    html = klient.get(adresse).content.decode()
    side2 = klient.get(adresse, {"side": 2}, **HTMX)

    assert f'href="{adresse}?side=2"' in html and f'hx-get="{adresse}?side=2"' in html
    assert 'hx-target="closest .liste-fragment"' in html
    assert len(side2.context["side"].object_list) == 1
    assert "Side 2 af 2" in side2.content.decode()


def test_nobody_who_may_not_see_the_citizen_gets_a_page(fremmed_klient, g):
    tilstand(g)
    indsats(g)
    for navn in ("borger_tilstande", "borger_indsatser"):
        for pk in (g.borger.pk, uuid.uuid4()):
            assert fremmed_klient.get(url(navn, pk=pk), {"afsluttede": 1}).status_code == 404
            assert fremmed_klient.get(url(navn, pk=pk), **HTMX).status_code == 404
    assert not Adgangslog.objects.exists()


def test_mine_data_pages_show_the_citizens_own_and_log_them(borger_klient, g):
    t = tilstand(g, borgerens_vurdering="Mine egne ord")
    i = indsats(g)
    indsats_end(actor=g.user, indsats=i)
    tilstand(g, borger=g.anden_borger, borgerens_vurdering="Oles ord")

    mine = borger_klient.get(reverse("overblik:mine_data"))
    omraade = mine.context["data"].omraader[0].noegle
    tilstande = borger_klient.get(reverse("overblik:mine_data_tilstande"), {"omraade": omraade})
    stoppet = borger_klient.get(reverse("overblik:mine_data_indsatser"), {"stoppet": 1}, **HTMX)

    html = tilstande.content.decode()
    assert "Mine egne ord" in html and "Oles ord" not in html and "Bed om rettelse" in html
    assert "Hjælpen stoppede" in stoppet.content.decode()
    assert "<html" not in stoppet.content.decode()
    poster = log_for(g.borger)
    assert [p.hvad for p in poster] == [
        "Mine data: tilstande, indsatser og sager i andre systemer",
        "Mine data: tilstande",
        "Mine data: hjælp",
    ]
    assert poster[1].objekter == [{"type": "tilstand", "id": str(t.pk)}]
    assert poster[2].objekter == [{"type": "indsats", "id": str(i.pk)}]
    assert {p.grundlag for p in poster} == {"borger"}


# --- every visible item on exactly one page, nothing else -----------------------------------

verden = st.fixed_dictionaries(
    {
        # each condition: visible (own unit) or not, its area (0-2), ended or not
        "tilstande": st.lists(
            st.tuples(st.booleans(), st.integers(0, 2), st.booleans()), max_size=9
        ),
        # each intervention: visible or not, ended or not
        "indsatser": st.lists(st.tuples(st.booleans(), st.booleans()), max_size=7),
        "pr_side": st.integers(1, 4),
    }
)


def _alle_sider(hent) -> list:
    """Return the items of every page, in order, following the pages as a reader would."""
    ud, nr = [], 1
    while True:
        side = hent(nr)
        ud += list(side.object_list)
        if not side.has_next():
            return ud
        nr = side.next_page_number()


@settings(
    max_examples=hypotese.eksempler(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(w=verden)
def test_paging_shows_every_visible_item_exactly_once_and_nothing_else(g, monkeypatch, w):
    monkeypatch.setattr(borger_selectors, "TILSTANDE_PR_SIDE", w["pr_side"])
    monkeypatch.setattr(borger_selectors, "INDSATSER_PR_SIDE", w["pr_side"])
    monkeypatch.setattr(mine_selectors, "PR_SIDE", w["pr_side"])
    klasser = tre_omraader()
    aktoer = aktoer_for(g.user)
    with transaction.atomic():
        synlige_t = {False: set(), True: set()}
        omraade_af = {}
        alle_t = set()
        for synlig, omraade, afsluttet in w["tilstande"]:
            t = tilstand(g, type_=klasser[omraade], enhed=g.enhed if synlig else g.anden_enhed)
            if afsluttet:
                tilstand_end(actor=g.user, tilstand=t)
            alle_t.add(t.pk)
            if synlig:
                synlige_t[afsluttet].add(t.pk)
                omraade_af[t.pk] = omraade
        synlige_i = {False: set(), True: set()}
        alle_i = set()
        for synlig, afsluttet in w["indsatser"]:
            i = indsats(g, enhed=g.enhed if synlig else g.anden_enhed)
            if afsluttet:
                indsats_end(actor=g.user, indsats=i)
            alle_i.add(i.pk)
            if synlig:
                synlige_i[afsluttet].add(i.pk)

        for afsluttede in (False, True):
            vist = _alle_sider(
                lambda nr, a=afsluttede: borger_selectors.borger_tilstande_side(
                    aktoer, g.borger.pk, afsluttede=a, side=nr
                )
            )
            ids = [v.t.pk for v in vist]
            assert len(ids) == len(set(ids)) and set(ids) == synlige_t[afsluttede]
            vist = _alle_sider(
                lambda nr, a=afsluttede: borger_selectors.borger_indsatser_side(
                    aktoer, g.borger.pk, afsluttede=a, side=nr
                )
            )
            ids = [v.i.pk for v in vist]
            assert len(ids) == len(set(ids)) and set(ids) == synlige_i[afsluttede]
        # each area's pages, from the summary's areas: together the current ones, once
        o = borger_selectors.borger_overblik(aktoer, g.borger)
        fra_omraader = []
        for d in o.dele:
            for om in d.omraader:
                vist = _alle_sider(
                    lambda nr, om=om: borger_selectors.borger_tilstande_side(
                        aktoer, g.borger.pk, omraade=om.noegle, side=nr
                    )
                )
                assert len(vist) == om.antal
                assert len({omraade_af[v.t.pk] for v in vist}) == 1  # one area's only
                fra_omraader += [v.t.pk for v in vist]
        assert sorted(fra_omraader) == sorted(synlige_t[False])
        assert o.antal_aktuelle == len(synlige_t[False])
        assert o.antal_afsluttede == len(synlige_t[True])
        assert o.antal_aktive_indsatser == len(synlige_i[False])
        assert o.antal_afsluttede_indsatser == len(synlige_i[True])
        assert {x.pk for x in o.objekter} <= (alle_t | alle_i) & (
            synlige_t[False] | synlige_t[True] | synlige_i[False] | synlige_i[True]
        )

        # the citizen sees all of their own, every unit's, each once, and nobody else's
        tilstand(g, borger=g.anden_borger)
        borgeren = Aktoer(borger=g.borger)
        alle_egne = {False: set(), True: set()}
        for pk, afsluttet in Tilstand.objects.filter(borger=g.borger).values_list("pk", "status"):
            alle_egne[afsluttet == "afsluttet"].add(pk)
        for tidligere in (False, True):
            vist = _alle_sider(
                lambda nr, t=tidligere: mine_selectors.mine_tilstande_side(
                    borgeren, ikke_aktuelle=t, side=nr
                )
            )
            ids = [m.tilstand.pk for m in vist]
            assert len(ids) == len(set(ids)) and set(ids) == alle_egne[tidligere]
        for stoppet in (False, True):
            vist = _alle_sider(
                lambda nr, s=stoppet: mine_selectors.mine_indsatser_side(
                    borgeren, stoppede=s, side=nr
                )
            )
            ids = [m.indsats.pk for m in vist]
            egne = set(
                Indsats.objects.filter(borger=g.borger, afsluttet=stoppet).values_list(
                    "pk", flat=True
                )
            )
            assert len(ids) == len(set(ids)) and set(ids) == egne
        transaction.set_rollback(True)
