"""Mine data: a citizen's own tilstande, indsatser and cases in other systems, in plain
Danish, and nobody else's."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from datadeling.core import clock
from datadeling.core.models import idag
from indsats import services as indsats_services
from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Borger, Enhed, Myndighed
from organisation.selectors import Aktoer
from overblik.selectors import mine_data as plain
from overblik.selectors.sag import sager_for_borgeren
from sagsindeks.models import Sag
from sagsindeks.services import sag_passivate, sag_register
from samtykke.models import Adgangslog
from tilstand import services as tilstand_services

pytestmark = pytest.mark.django_db

URL = reverse("overblik:mine_data")
TILSTANDE = reverse("overblik:mine_data_tilstande")
STOPPET = reverse("overblik:mine_data_indsatser") + "?stoppet=1"

# Pinned (the same for 1x and 10x data; 20 and 1,000 items in test_borgerside_resume):
# session + user (2), who is logged in (1: a citizen has no roles to fetch), savepoint, the
# summary's tilstande (which, with the counts; those), indsatser (likewise), the titles of
# the tilstande their goals name, cases (with their units, authorities and caseworkers),
# the access log (one statement), release.
# + the citizen's statements, words and correction requests next to the data (3)
MINE_DATA_QUERIES = 2 + 1 + 1 + 2 + 2 + 1 + 1 + 1 + 1 + 3


def klasse(root, titel: str) -> Klasse:
    return Klasse.objects.get(sti__contains=[root], titel=titel)


def leaf(root, n: int = 0) -> Klasse:
    return Klasse.objects.filter(sti__contains=[root], underordnede__isnull=True).order_by("kode")[
        n
    ]


@pytest.fixture
def g(grundlag):
    g = grundlag
    User = get_user_model()
    g.borger_user = User.objects.create_user("else")
    g.borger.user = g.borger_user
    g.borger.save()
    g.anden_borger_user = User.objects.create_user("ole")
    g.anden_borger.user = g.anden_borger_user
    g.anden_borger.save()
    g.ydelse = leaf(k.FFB_YDELSE)
    g.sel85 = Klasse.objects.get(titel="SEL § 85", klassifikation__uri=k.LOVGRUNDLAG_URI)
    return g


def tilstand(g, borger=None, enhed=None, **data):
    return tilstand_services.tilstand_register(
        actor=g.user,
        borger=borger or g.borger,
        data={"type": g.type, "ansvarlig_enhed": enhed or g.enhed, **data},
    )


def indsats(g, borger=None, enhed=None, **data):
    return indsats_services.indsats_register(
        actor=g.user,
        borger=borger or g.borger,
        data={
            "type": g.ydelse,
            "ansvarlig_enhed": enhed or g.enhed,
            "bevilgende_enhed": enhed or g.enhed,
            "startdato": datetime.date(2025, 2, 1),
            **data,
        },
    )


JOBCENTRET = object()


def sag(g, borger=None, enhed=JOBCENTRET, dage_siden=30, **data) -> Sag:
    """A case about the citizen in another system, as its system reported it."""
    return sag_register(
        actor=None,
        borger=borger or g.borger,
        data={
            "titel": "Sygedagpenge – opfølgning", "kildesystem": "Jobcentersystem Testrup",
            "kildesystem_id": f"JC-{uuid.uuid4().hex[:8]}", "sagsnummer": "15.17.00-G01-7-26",
            "kle_nummer": "15.17.00", "fremdrift": "Oplyst",
            "startdato": idag() - datetime.timedelta(days=dage_siden),
            "ansvarlig_enhed": g.anden_enhed if enhed is JOBCENTRET else enhed, **data,
        },
        importeret=True,
        aktoer_tekst="Jobcentersystem Testrup",
    )  # fmt: skip


@pytest.fixture
def borger_client(client, g):
    client.force_login(g.borger_user)
    return client


def test_shows_the_citizens_situation_and_help_in_plain_danish(borger_client, g):
    t = tilstand(
        g,
        niveau=klasse(k.FSIII_FUNKTIONSEVNE_SKALA, "1"),
        kilde=klasse(k.CSC_KILDE, "Borger"),
        borgerens_vurdering="Jeg kan ikke komme i badet alene",
    )
    i = indsats(
        g,
        lovgrundlag=g.sel85,
        leverende_enhed=g.anden_enhed,
        kilde=klasse(k.CSC_KILDE, "Sagsbehandler"),
        formaal="At du kan klare dine indkøb",
        maal=[{"tekst": "Handle ind en gang om ugen", "tilstande": [str(t.pk)]}],
        opfoelgning=datetime.date(2030, 6, 1),
    )
    response = borger_client.get(URL)
    # the summary names each tilstand with its level; the whole card is a click away
    omraade = response.context["data"].omraader[0]
    kort = borger_client.get(TILSTANDE, {"omraade": omraade.noegle}).content.decode()
    html = response.content.decode()

    assert response.status_code == 200
    for tekst in (
        "Oplyst af dig selv", "Jeg kan ikke komme i badet alene", "Hjemmepleje, Testrup Kommune",
        "Hvad betyder det?", "Du klarer det meste selv, men har brug for lidt hjælp.",
        g.type.titel, "Bed om rettelse",
    ):  # fmt: skip
        assert tekst in kort, tekst
    assert f"{TILSTANDE}?omraade={omraade.noegle}" in html
    for tekst in (
        "Sådan har vi beskrevet din situation", "Den hjælp du får", g.type.overordnet.titel,
        g.type.titel, "Du klarer det meste selv, men har brug for lidt hjælp.",
        g.ydelse.titel, "Vurderet af en sagsbehandler", "At du kan klare dine indkøb",
        "Handle ind en gang om ugen", "Jobcenter, Testrup Kommune", "SEL § 85",
        "Fra 1. februar 2025", "1. juni 2030", "Du har fået bevilget hjælpen.",
        'hx-history="false"', "Hvad er det?",
    ):  # fmt: skip
        assert tekst in html, tekst
    assert g.type.titel.lower() in html  # the goal names the tilstand it is about
    assert i.pk and "Oplysningen er over et år gammel" not in html


def test_every_unit_is_shown_and_nobody_elses(borger_client, g):
    egen = tilstand(g, enhed=g.anden_enhed)
    fremmed_t = tilstand(g, borger=g.anden_borger, borgerens_vurdering="Oles egne ord")
    fremmed_i = indsats(g, borger=g.anden_borger, formaal="Oles formål")
    html = borger_client.get(URL).content.decode()
    html += borger_client.get(TILSTANDE).content.decode()
    assert "Jobcenter, Testrup Kommune" in html  # another unit's tilstand of hers
    assert "Oles egne ord" not in html and "Oles formål" not in html
    entry = Adgangslog.objects.filter(borger=g.borger).order_by("nummer").first()
    ids = {o["id"] for o in entry.objekter}
    assert str(egen.pk) in ids
    assert str(fremmed_t.pk) not in ids and str(fremmed_i.pk) not in ids
    assert not Adgangslog.objects.filter(borger=g.anden_borger).exists()


def test_access_log_records_the_citizen_reading_their_own(borger_client, g):
    t = tilstand(g)
    i = indsats(g)
    borger_client.get(URL)
    entry = Adgangslog.objects.get(borger=g.borger)
    assert entry.grundlag == "borger" and entry.bruger_id == g.borger_user.pk
    assert entry.navn == "Else Jensen"
    assert {"type": "tilstand", "id": str(t.pk)} in entry.objekter
    assert {"type": "indsats", "id": str(i.pk)} in entry.objekter


def test_old_assessment_gets_a_freshness_note(borger_client, g):
    tilstand(g, vurderet=clock.now() - datetime.timedelta(days=400))
    html = borger_client.get(URL).content.decode()
    assert "Oplysningen er over et år gammel – du kan bede kommunen om at se på den igen." in html


def test_passed_follow_up_gets_a_note(borger_client, g):
    indsats(g, opfoelgning=datetime.date(2025, 3, 1))
    html = borger_client.get(URL).content.decode()
    assert "Kommunen skulle have fulgt op på dette senest 1. marts 2025." in html


def test_one_date_format_on_the_page(borger_client, g):
    """A new user met "28. september 2026" and "7.11.2026" on one page: every date a user
    reads is written one way (datadeling.core.tekst.dato)."""
    indsats(g, opfoelgning=datetime.date(2025, 3, 1))
    tilstand(g, opfoelgning=datetime.date(2025, 11, 7))
    html = borger_client.get(URL).content.decode()
    assert "1. marts 2025" in html
    assert not re.search(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b", html)


def test_ended_help_is_listed_apart_and_passivated_data_not_at_all(borger_client, g):
    afsluttet = indsats(g, formaal="Tidligere hjælp")
    indsats_services.indsats_end(
        actor=g.user,
        indsats=afsluttet,
        slutdato=idag(),
        ophoersgrund=leaf(k.CSC_BEGRUNDELSE_OPHOER),
    )
    passiv = tilstand(g, borgerens_vurdering="Slettet tekst")
    tilstand_services.tilstand_passivate(actor=g.user, tilstand=passiv, begrundelse="Fejl")
    html = borger_client.get(URL).content.decode()
    assert "Hjælp, der er stoppet (1)" in html and f'href="{STOPPET}"' in html
    html += borger_client.get(STOPPET).content.decode()
    html += borger_client.get(TILSTANDE, {"tidligere": 1}).content.decode()
    assert "Hjælpen stoppede" in html
    assert "Du får ikke hjælp, som er registreret her, lige nu." in html
    assert "Slettet tekst" not in html


def test_empty_page_for_a_citizen_with_no_data(borger_client, g):
    html = borger_client.get(URL).content.decode()
    assert "Der er ikke registreret noget om dig endnu." in html


def test_staff_and_users_without_profile_get_404_and_anonymous_login(client, g):
    client.force_login(g.user)
    assert client.get(URL).status_code == 404
    client.force_login(get_user_model().objects.create_user("ingen"))
    assert client.get(URL).status_code == 404
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Adgangslog.objects.exists()


@pytest.mark.parametrize("n", [1, 10])
def test_query_count_is_pinned(borger_client, g, django_assert_num_queries, n):
    region = Myndighed.objects.create(navn="Region Testrup", type="region", cvr="29190925")
    psykiatri = Enhed.objects.create(myndighed=region, navn="Psykiatrien")
    for j in range(n):
        t = tilstand(g, niveau=klasse(k.FSIII_FUNKTIONSEVNE_SKALA, "2"))
        indsats(g, maal=[{"tekst": f"Mål {j}", "tilstande": [str(t.pk)]}])
        sag(g, primaerbehandler=g.medarbejder)
        sag(g, enhed=psykiatri, myndighed=region, fremdrift="Afsluttet")
        sag(g, enhed=None, ansvarlig_enhed_navn="Ukendt enhed", primaerbehandler_navn="Ib")
        sag(g, borger=g.anden_borger)
    with django_assert_num_queries(MINE_DATA_QUERIES):
        response = borger_client.get(URL)
    data = response.context["data"]
    assert data.antal_indsatser == n and len(data.indsatser) == min(n, 3)
    assert len(data.sager) == 2 * n and len(data.lukkede_sager) == n


# --- cases in other systems (sagsindeks) -----------------------------------------------------


def test_lists_the_citizens_own_cases_in_plain_danish_and_nobody_elses(borger_client, g):
    region = Myndighed.objects.create(navn="Region Testrup", type="region", cvr="29190925")
    psykiatri = Enhed.objects.create(myndighed=region, navn="Psykiatrien")
    aaben = sag(g, primaerbehandler=g.medarbejder, dage_siden=10)
    lukket = sag(
        g, enhed=psykiatri, titel="Ambulant behandling", kle_nummer="", sagsnummer="",
        kildesystem="Region EPJ", fremdrift="Afsluttet", dage_siden=400,
        slutdato=idag() - datetime.timedelta(days=100),
    )  # fmt: skip
    ukendt = sag(
        g, enhed=None, ansvarlig_enhed_navn="Familieafdelingen", myndighed_navn="Nabo",
        dage_siden=60,
    )  # fmt: skip
    fremmed = sag(g, borger=g.anden_borger, titel="Oles sag")
    passiv = sag(g, titel="Fejlregistreret sag")
    sag_passivate(actor=None, sag=passiv, begrundelse="Fejl", aktoer_tekst="Jobcentersystem")

    response = borger_client.get(URL)
    html = response.content.decode()

    assert response.status_code == 200
    data = response.context["data"]
    assert [m.sag.pk for m in data.sager] == [aaben.pk, ukendt.pk]
    assert [m.sag.pk for m in data.lukkede_sager] == [lukket.pk]
    for tekst in (
        "Dine sager i andre systemer", 'href="#sager"', "Sygedagpenge – opfølgning",
        "Jobcentersystem Testrup", "Jobcenter, Testrup Kommune", "Emne (KLE-nummer)",
        "15.17.00", "15.17.00-G01-7-26", "Sagen bliver undersøgt: der bliver samlet oplysninger.",
        "Tina Test", "Familieafdelingen, Nabo", "Afsluttede sager (1)", "Ambulant behandling",
        "Psykiatrien, Region Testrup", "Region EPJ", "Sagen sluttede",
        "Hvad der står i sagen, kan du spørge den, der har sagen, om.",
    ):  # fmt: skip
        assert tekst in html, tekst
    assert "Oles sag" not in html and "Fejlregistreret sag" not in html
    assert str(fremmed.pk) not in html
    # the read is one entry in her log: the cases are among its objects, nobody else's
    entry = Adgangslog.objects.get(borger=g.borger)
    assert entry.grundlag == "borger" and entry.bruger_id == g.borger_user.pk
    assert entry.kategorier == ["sagsindeks"]
    assert entry.hvad == "Mine data: tilstande, indsatser og sager i andre systemer"
    assert {o["id"] for o in entry.objekter if o["type"] == "sag"} == {
        str(aaben.pk),
        str(lukket.pk),
        str(ukendt.pk),
    }
    assert not Adgangslog.objects.filter(borger=g.anden_borger).exists()


def test_no_cases_is_said_and_a_citizen_with_only_cases_sees_them(client, borger_client, g):
    tilstand(g)
    html = borger_client.get(URL).content.decode()
    assert "Der er ingen åbne sager om dig i andre systemer lige nu." in html
    assert Adgangslog.objects.get(borger=g.borger).kategorier == []

    sag(g, borger=g.anden_borger, titel="Oles egen sag")
    client.force_login(g.anden_borger_user)
    html = client.get(URL).content.decode()
    assert "Oles egen sag" in html and "Der er ikke registreret noget om dig endnu." not in html


def test_the_case_selector_is_for_the_citizen_only(g):
    sag(g)
    with pytest.raises(PermissionError):
        sager_for_borgeren(Aktoer(medarbejder=g.medarbejder, borger=g.borger))
    with pytest.raises(PermissionError):
        plain.mine_data(Aktoer(medarbejder=g.medarbejder))
    assert [s.borger_id for s in sager_for_borgeren(Aktoer(borger=g.borger))] == [g.borger.pk]
    assert sager_for_borgeren(Aktoer(borger=g.anden_borger)) == []


def test_the_page_fails_when_the_read_cannot_be_logged(borger_client, g, monkeypatch):
    from django.db import DatabaseError

    sag(g)

    def fejler(**kwargs):
        raise DatabaseError("adgangsloggen kan ikke skrives")

    monkeypatch.setattr("overblik.views.samtykke_borger.adgangslog_write", fejler)
    with pytest.raises(DatabaseError):
        borger_client.get(URL)


def test_level_texts_keep_the_scales_apart(g):
    fsiii_1 = klasse(k.FSIII_FUNKTIONSEVNE_SKALA, "1")
    ffb_let = klasse(k.FFB_FUNKTIONSEVNENIVEAU, "Let nedsat funktionsevne")
    assert plain.niveau_tekst(fsiii_1) == "Du klarer det meste selv, men har brug for lidt hjælp."
    assert plain.niveau_tekst(ffb_let).startswith("Du klarer det meste selv")
    for titel in ("0", "2", "3", "4", "9"):
        assert plain.niveau_tekst(klasse(k.FSIII_FUNKTIONSEVNE_SKALA, titel))
    for kl in Klasse.objects.filter(overordnet_id=k.FFB_FUNKTIONSEVNENIVEAU):
        assert plain.niveau_tekst(kl), kl.titel
    for kl in Klasse.objects.filter(overordnet_id=k.FFB_STOETTEBEHOVSNIVEAU):
        assert plain.stoette_tekst(kl), kl.titel
    # every source in KL's list has a sentence for the citizen
    for kl in Klasse.objects.filter(sti__contains=[k.CSC_KILDE]):
        assert plain.KILDE.get(kl.titel), kl.titel
    assert plain.niveau_tekst(None) == "" and plain.niveau_tekst(g.type) == ""


def test_a_citizen_without_login_data_is_never_mixed_up(client, g):
    # a second citizen with a login sees only their own
    tilstand(g, borgerens_vurdering="Elses ord")
    client.force_login(g.anden_borger_user)
    html = client.get(URL).content.decode()
    assert "Elses ord" not in html
    assert Borger.objects.get(user=g.anden_borger_user) == g.anden_borger
