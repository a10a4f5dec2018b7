"""The caseworker's Tilstand screens: one condition with its history, register, reassess,
correct, end and remove — access, access log, query counts, errors in Danish, htmx.

The fixtures and builders here are shared with test_borger_screens.py.
"""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from datadeling.core import clock
from datadeling.core.models import idag
from indsats.services import indsats_register
from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Funktion, Medarbejder
from samtykke.models import Adgangslog
from tilstand import services
from tilstand.models import Tilstand, TilstandRegistrering, TilstandVersion

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
DAG = datetime.timedelta(days=1)

# Pinned query counts, the same whatever the amount of data. Every page of a member of
# staff: session + user (2), who is logged in: user with profiles + current roles (2).
# Reading inside one transaction costs a savepoint pair (2) in a test (which runs in a
# transaction of its own); the access-log entry: one statement (samtykke_adgangslog_skriv
# takes the chain lock, chains and inserts).
LOGIN = 2 + 2
TRANSAKTION = 2
ADGANGSLOG = 1
# condition, its registrations, their versions, the titles of its area
# + the classes of the change forms, + the citizen's statements on the condition
TILSTAND_SIDE = LOGIN + TRANSAKTION + 4 + ADGANGSLOG + 1 + 1
# citizen, the classes of the form (one query for all lists)
NY_SIDE = LOGIN + TRANSAKTION + 2 + ADGANGSLOG
NY_PARTIAL = LOGIN + TRANSAKTION + 2  # lists only: nothing about the citizen, no log entry


# --- fixtures and builders (shared with test_borger_screens.py) ----------------------------


@pytest.fixture
def g(grundlag):
    """The shared setting plus the classes the screens use and a caseworker of another unit."""
    from django.contrib.auth import get_user_model

    g = grundlag
    g.fsiii = {n: g.klasse(str(n), k.FSIII_FUNKTIONSEVNE_SKALA) for n in range(5)}
    g.ffb_type = (
        Klasse.objects.filter(
            sti__contains=[k.FFB_AKTIVITET_OG_DELTAGELSE], underordnede__isnull=True
        )
        .order_by("kode")
        .first()
    )
    g.ffb_niveau = g.klasse("Let nedsat funktionsevne", k.FFB_FUNKTIONSEVNENIVEAU)
    g.ffb_moderat = g.klasse("Moderat nedsat funktionsevne", k.FFB_FUNKTIONSEVNENIVEAU)
    g.stoette = g.klasse("Moderat støttebehov", k.FFB_STOETTEBEHOVSNIVEAU)
    g.kilde = g.klasse("Borger", k.CSC_KILDE)
    g.metode = g.klasse("funktionsevnevurdering hjemmepleje, FSIII", k.CSC_OPLYSNINGSAKTIVITET)
    g.udfoerer = g.klasse("Udfører dele af", k.FSIII_UDFOERELSE)
    g.ydelse = (
        Klasse.objects.filter(sti__contains=[k.FFB_YDELSE], underordnede__isnull=True)
        .order_by("kode")
        .first()
    )
    g.sel85 = Klasse.objects.get(titel="SEL § 85", klassifikation__uri=k.LOVGRUNDLAG_URI)
    g.fremmed_user = get_user_model().objects.create_user("fremmed")
    fremmed = Medarbejder.objects.create(
        user=g.fremmed_user, myndighed=g.myndighed, navn="Frede Fremmed"
    )
    Funktion.objects.create(medarbejder=fremmed, enhed=g.anden_enhed, rolle="sagsbehandler")
    return g


@pytest.fixture
def klient(client, g):
    client.force_login(g.user)
    return client


@pytest.fixture
def fremmed_klient(g):
    c = Client()
    c.force_login(g.fremmed_user)
    return c


def tilstand(g, *, borger=None, enhed=None, type_=None, niveau=None, dage_siden=90, **data):
    """Register a condition `dage_siden` days ago (FSIII by default)."""
    # from local midnight, as the forms' dates mean (late in the evening UTC, a plain
    # timestamp's local date would be the next day)
    fra = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate(clock.now() - dage_siden * DAG), datetime.time.min
        )
    )
    return services.tilstand_register(
        actor=g.user,
        borger=borger or g.borger,
        virkning_fra=fra,
        data={
            "type": type_ or g.type,
            "niveau": niveau if niveau is not None else g.fsiii[3],
            "ansvarlig_enhed": enhed or g.enhed,
            "ansvarlig": g.medarbejder,
            "kilde": g.kilde,
            "metode": g.metode,
            "vurderet": fra,
            **data,
        },
    )


def revurder(g, t, niveau, dage_siden):
    return services.tilstand_reassess(
        actor=g.user,
        tilstand=t,
        aendringer={"niveau": niveau},
        virkning_fra=clock.now() - dage_siden * DAG,
    )


def indsats(g, *, borger=None, enhed=None):
    return indsats_register(
        actor=g.user,
        borger=borger or g.borger,
        data={
            "type": g.ydelse,
            "lovgrundlag": g.sel85,
            "ansvarlig_enhed": enhed or g.enhed,
            "bevilgende_enhed": g.enhed,
            "leverende_enhed": g.anden_enhed,
        },
    )


def byg(g, n: int) -> list[Tilstand]:
    """Give the citizen n FSIII and n FFB conditions with history and n interventions,
    plus data the caseworker must not see (another unit's, another citizen's)."""
    vist = []
    for _ in range(n):
        t = tilstand(g)
        revurder(g, t, g.fsiii[2], 60)
        revurder(g, t, g.fsiii[2], 30)
        vist.append(t)
        vist.append(
            tilstand(g, type_=g.ffb_type, niveau=g.ffb_moderat, stoettebehov=g.stoette, metode=None)
        )
        indsats(g)
        tilstand(g, enhed=g.anden_enhed)
        tilstand(g, borger=g.anden_borger)
        indsats(g, enhed=g.anden_enhed)
    return vist


def log_for(borger) -> list[Adgangslog]:
    return list(Adgangslog.objects.filter(borger=borger).order_by("nummer"))


def antal_gemt() -> tuple[int, int, int]:
    return (
        Tilstand.objects.count(),
        TilstandRegistrering.objects.count(),
        TilstandVersion.objects.count(),
    )


def url(navn: str, **kwargs) -> str:
    return reverse(f"overblik:{navn}", kwargs=kwargs)


def uden_csrf(response) -> str:
    """Return the page without its per-request CSRF token, to compare two pages."""
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


# --- one condition --------------------------------------------------------------------


def test_the_condition_page_shows_state_provenance_and_history(klient, g):
    t = tilstand(g, borgerens_vurdering="Jeg kan selv, når det er en god dag")
    revurder(g, t, g.fsiii[2], 30)

    response = klient.get(url("tilstand", pk=t.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert g.type.titel in html
    assert "Jeg kan selv, når det er en god dag" in html
    assert "Registrering 1: Opstået" in html and "Registrering 2: Ny vurdering" in html
    assert g.kilde.titel in html and g.metode.titel in html
    assert "Tina Test" in html  # who registered it and who is responsible
    assert 'hx-history="false"' in html
    assert g.borger.cpr_maskeret in html and g.borger.cpr not in html


def test_the_condition_page_has_a_pinned_query_count_whatever_the_history(
    klient, g, django_assert_num_queries
):
    kort, lang = tilstand(g, dage_siden=40), tilstand(g, dage_siden=40)
    for i in range(10):
        revurder(g, lang, g.fsiii[i % 4], 35 - 3 * i)
    assert lang.registreringer.count() == 11

    for t in (kort, lang):
        with django_assert_num_queries(TILSTAND_SIDE):
            response = klient.get(url("tilstand", pk=t.pk))
        assert response.status_code == 200
    assert "Registrering 11: Ny vurdering" in response.content.decode()


def test_the_condition_page_writes_one_access_log_entry(klient, g):
    t = tilstand(g)

    klient.get(url("tilstand", pk=t.pk))
    klient.get(url("tilstand", pk=t.pk), **HTMX)

    log = log_for(g.borger)
    assert len(log) == 2
    assert log[0].objekter == [{"type": "tilstand", "id": str(t.pk), "grundlag": "egen_enhed"}]
    assert log[0].grundlag == "egen_enhed" and log[0].bruger_id == g.user.pk
    assert log[0].enhed_navn == "Hjemmepleje" and g.type.titel in log[0].hvad


def test_the_read_fails_when_the_access_log_cannot_be_written(klient, g, monkeypatch):
    from django.db import DatabaseError

    t = tilstand(g)

    def fejler(**kwargs):
        raise DatabaseError("adgangsloggen kan ikke skrives")

    monkeypatch.setattr("overblik.views.borger.adgangslog_visning", fejler)
    with pytest.raises(DatabaseError):
        klient.get(url("tilstand", pk=t.pk))


def test_another_units_condition_is_a_404_like_a_random_uuid(fremmed_klient, klient, g):
    t = tilstand(g)
    fremmed = tilstand(g, enhed=g.anden_enhed)

    skjult = fremmed_klient.get(url("tilstand", pk=t.pk))
    ukendt = fremmed_klient.get(url("tilstand", pk=uuid.uuid4()))
    ogsaa_skjult = klient.get(url("tilstand", pk=fremmed.pk))

    assert skjult.status_code == ukendt.status_code == ogsaa_skjult.status_code == 404
    assert uden_csrf(skjult) == uden_csrf(ukendt)
    assert Adgangslog.objects.count() == 0


def test_a_citizen_login_gets_404_on_the_staff_screens(client, g):
    from django.contrib.auth import get_user_model

    t = tilstand(g)
    g.borger.user = get_user_model().objects.create_user("else")
    g.borger.save()
    client.force_login(g.borger.user)

    assert client.get(url("tilstand", pk=t.pk)).status_code == 404
    assert client.get(url("tilstand_ny", borger=g.borger.pk)).status_code == 404


def test_htmx_gets_only_the_page_content(klient, g):
    t = tilstand(g)

    response = klient.get(url("tilstand", pk=t.pk), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "sidehoved" not in html
    assert "<h1>" in html and "Historik" in html
    assert 'hx-history="false"' in html  # not kept in the browser's history cache
    assert "HX-Request" in response["Vary"]


def test_only_the_owning_unit_sees_the_change_forms(klient, g, django_assert_num_queries):
    t = tilstand(g)
    html = klient.get(url("tilstand", pk=t.pk)).content.decode()
    for navn in ("revurder", "ret", "afslut", "fjern"):
        assert f'action="{url("tilstand_" + navn, pk=t.pk)}"' in html
        assert f'hx-post="{url("tilstand_" + navn, pk=t.pk)}"' in html
    assert html.count("csrfmiddlewaretoken") >= 4
    assert "Fjern – registreret ved en fejl" in html


# --- register -------------------------------------------------------------------------


def ny_data(g, **data):
    return {
        "type": str(g.type.pk),
        "niveau": str(g.fsiii[3].pk),
        "status": "aktiv",
        "kilde": str(g.kilde.pk),
        "metode": str(g.metode.pk),
        "vurderet": idag().isoformat(),
        "virkning_fra": idag().isoformat(),
        "ansvarlig_enhed": str(g.enhed.pk),
        "borgerens_vurdering": "Jeg går selv til bageren",
        **data,
    }


def test_the_register_page_renders_with_grouped_conditions(klient, g, django_assert_num_queries):
    tilstand(g)  # the caseworker's unit already has data about the citizen
    with django_assert_num_queries(NY_SIDE):
        response = klient.get(url("tilstand_ny", borger=g.borger.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<optgroup" in html and "Kommunale pleje- og omsorgstilstande › Mobilitet" in html
    assert "Aktivitet og deltagelse › Egenomsorg" in html
    assert 'name="csrfmiddlewaretoken"' in html and 'hx-history="false"' in html
    assert f'<option value="{g.enhed.pk}" selected>' in html  # the only unit: chosen
    assert log_for(g.borger)[-1].hvad == "Registrering af en ny tilstand"


def test_registering_through_the_form_creates_the_first_registration(klient, g):
    tilstand(g)
    foer = antal_gemt()

    response = klient.post(url("tilstand_ny", borger=g.borger.pk), ny_data(g))

    assert response.status_code == 302
    t = Tilstand.objects.get(borgerens_vurdering="Jeg går selv til bageren")
    assert response["Location"] == url("tilstand", pk=t.pk)
    assert antal_gemt() == (foer[0] + 1, foer[1] + 1, foer[2] + 1)
    assert t.niveau == g.fsiii[3] and t.ansvarlig == g.medarbejder and t.kilde == g.kilde
    assert t.registrering.aktoer == g.user and t.registrering.livscykluskode == "Opstaaet"
    assert t.borgerens_vurdering == "Jeg går selv til bageren"
    side = klient.get(response["Location"]).content.decode()
    assert "Tilstanden er registreret." in side and "Registrering 1: Opstået" in side


def test_registering_with_htmx_redirects_the_client(klient, g):
    tilstand(g)
    response = klient.post(
        url("tilstand_ny", borger=g.borger.pk),
        ny_data(
            g, type=str(g.ffb_type.pk), niveau=str(g.ffb_niveau.pk), stoettebehov=str(g.stoette.pk)
        ),
        **HTMX,
    )
    assert response.status_code == 200
    t = Tilstand.objects.get(type=g.ffb_type)
    assert response["HX-Redirect"] == url("tilstand", pk=t.pk)
    assert t.stoettebehov == g.stoette


@pytest.mark.parametrize(
    ("data", "felt", "besked"),
    [
        ("ffb_niveau_paa_fsiii", "niveau", "Vælg et niveau på FSIII's skala 0–4 eller 9."),
        ("fremtidig_virkning", "virkning_fra", "Virkningen kan ikke begynde i fremtiden."),
        ("fremtidig_vurdering", "vurderet", "Vurderingstidspunktet kan ikke ligge i fremtiden."),
        ("uden_type", "type", "Vælg hvilken tilstand det drejer sig om."),
        ("udfoerelse_paa_ffb", "udfoerelse", "Borgerens udførelse registreres kun for FSIII"),
        ("uden_kilde", "kilde", "Angiv hvem oplysningen stammer fra."),
    ],
)
def test_a_bad_form_shows_the_danish_error_and_stores_nothing(klient, g, data, felt, besked):
    tilstand(g)
    imorgen = (clock.now() + 2 * DAG).date().isoformat()
    forkert = {
        "ffb_niveau_paa_fsiii": {"niveau": str(g.ffb_niveau.pk)},
        "fremtidig_virkning": {"virkning_fra": imorgen},
        "fremtidig_vurdering": {"vurderet": imorgen},
        "uden_type": {"type": ""},
        "udfoerelse_paa_ffb": {
            "type": str(g.ffb_type.pk),
            "niveau": "",
            "udfoerelse": str(g.udfoerer.pk),
        },
        "uden_kilde": {"kilde": ""},
    }[data]
    foer = antal_gemt()

    response = klient.post(url("tilstand_ny", borger=g.borger.pk), ny_data(g, **forkert))

    assert response.status_code == 200
    assert antal_gemt() == foer
    form = response.context["form"]
    assert any(besked in f for f in form.errors[felt]), form.errors
    html = response.content.decode()
    assert besked.split("«")[0] in html.replace("&#x27;", "'")
    assert 'class="fejlboks"' in html and 'aria-invalid="true"' in html


def test_a_bad_form_with_htmx_comes_back_as_the_form_alone(klient, g):
    tilstand(g)
    foer = antal_gemt()
    response = klient.post(
        url("tilstand_ny", borger=g.borger.pk),
        ny_data(g, niveau=str(g.ffb_niveau.pk)),
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and antal_gemt() == foer
    assert html.lstrip().startswith('<form id="tilstand-ny"') and "<html" not in html
    assert "Vælg et niveau på FSIII" in html.replace("&#x27;", "'")


def test_another_units_choice_of_unit_is_refused(klient, g):
    tilstand(g)
    foer = antal_gemt()
    response = klient.post(
        url("tilstand_ny", borger=g.borger.pk), ny_data(g, ansvarlig_enhed=str(g.anden_enhed.pk))
    )
    assert response.status_code == 200 and antal_gemt() == foer
    assert "ansvarlig_enhed" in response.context["form"].errors


def test_the_register_page_is_a_404_for_a_citizen_the_caseworker_cannot_see(
    klient, fremmed_klient, g
):
    tilstand(g)
    assert fremmed_klient.get(url("tilstand_ny", borger=g.borger.pk)).status_code == 404
    assert klient.get(url("tilstand_ny", borger=uuid.uuid4())).status_code == 404
    foer = antal_gemt()
    response = fremmed_klient.post(
        url("tilstand_ny", borger=g.borger.pk), ny_data(g, ansvarlig_enhed=str(g.anden_enhed.pk))
    )
    assert response.status_code == 404 and antal_gemt() == foer


def test_choosing_a_condition_reloads_the_scales_that_fit_it(klient, g, django_assert_num_queries):
    tilstand(g)
    ny = url("tilstand_ny", borger=g.borger.pk)
    trigger = {**HTMX, "HTTP_HX_TRIGGER_NAME": "type"}

    with django_assert_num_queries(NY_PARTIAL):
        ffb = klient.get(ny, {"type": str(g.ffb_type.pk)}, **trigger).content.decode()
    fsiii = klient.get(ny, {"type": str(g.type.pk)}, **trigger).content.decode()

    assert "<html" not in ffb and "<form" not in ffb
    assert 'name="stoettebehov"' in ffb and 'name="udfoerelse"' not in ffb
    assert "Moderat nedsat funktionsevne" in ffb and "Moderate begrænsninger" not in ffb
    assert 'name="udfoerelse"' in fsiii and 'name="stoettebehov"' not in fsiii
    assert "2 – Moderate begrænsninger" in fsiii and "nedsat funktionsevne" not in fsiii
    assert len(log_for(g.borger)) == 0  # lists of classes are not the citizen's data


def test_choosing_a_part_reloads_its_conditions(klient, g):
    tilstand(g)
    response = klient.get(
        url("tilstand_ny", borger=g.borger.pk),
        {"kodesystem": str(k.FFB_TILSTANDE), "type": str(g.type.pk)},
        **HTMX,
        HTTP_HX_TRIGGER_NAME="kodesystem",
    )
    html = response.content.decode()
    typer = html.split('name="type"')[1].split("</select>")[0]
    assert "<html" not in html and 'id="skalaer"' in html
    assert '<optgroup label="Aktivitet og deltagelse › Egenomsorg">' in typer
    assert "FSIII" not in typer and "Kommunale" not in typer
    # the FSIII condition is not in the FFB list, so no condition is chosen any more
    assert "selected" not in typer.replace('<option value="" selected>', "")


def test_choosing_a_part_narrows_the_levels_to_its_code_system(klient, g):
    """After choosing FSIII, a new user met FSIII's 0–4 and FFB's levels in one list (13
    options): the levels follow the chosen part's code system, with htmx and without."""
    tilstand(g)  # the caseworker's unit has data on the citizen: the page opens
    ny = url("tilstand_ny", borger=g.borger.pk)
    fsiii_del = str(k.FSIII_FUNKTIONSEVNETILSTANDE[0])

    def niveauer(html: str) -> str:
        return html.split('name="niveau"')[1].split("</select>")[0]

    htmx = klient.get(ny, {"kodesystem": fsiii_del}, **HTMX, HTTP_HX_TRIGGER_NAME="kodesystem")
    uden_js = klient.post(ny, ny_data(g, kodesystem=fsiii_del, type="", opdater="1"))
    for html in (htmx.content.decode(), uden_js.content.decode()):
        liste = niveauer(html)
        assert "Moderate begrænsninger" in liste and "nedsat funktionsevne" not in liste
        assert "<optgroup" not in liste
    ffb = klient.get(ny, {"kodesystem": str(k.FFB_TILSTANDE)}, **HTMX,
                     HTTP_HX_TRIGGER_NAME="kodesystem").content.decode()  # fmt: skip
    assert "Moderate begrænsninger" not in niveauer(ffb)
    # and the service refuses a level of the other system (tilstand/regler.py)
    forkert = klient.post(
        ny,
        ny_data(
            g, niveau=str(Klasse.objects.filter(overordnet_id=k.FFB_FUNKTIONSEVNENIVEAU)[0].pk)
        ),
    )
    assert forkert.status_code == 200 and "skala 0–4 eller 9" in forkert.content.decode()


def test_without_javascript_the_lists_can_be_narrowed_without_saving(klient, g):
    tilstand(g)
    foer = antal_gemt()
    response = klient.post(
        url("tilstand_ny", borger=g.borger.pk),
        ny_data(g, type=str(g.ffb_type.pk), niveau="", opdater="1"),
    )
    html = response.content.decode()
    assert response.status_code == 200 and antal_gemt() == foer
    assert 'name="stoettebehov"' in html and 'class="fejlboks"' not in html
    assert "<noscript>" in html


# --- change -----------------------------------------------------------------------------


def test_reassessing_through_the_form_adds_a_registration(klient, g):
    t = tilstand(g)

    response = klient.post(
        url("tilstand_revurder", pk=t.pk),
        {
            "revurder-niveau": str(g.fsiii[2].pk),
            "revurder-status": "aktiv",
            "revurder-kilde": str(g.kilde.pk),
            "revurder-metode": str(g.metode.pk),
            "revurder-vurderet": idag().isoformat(),
            "revurder-virkning_fra": idag().isoformat(),
            "revurder-faglig_note": "Bedre efter træning",
        },
    )

    assert response.status_code == 302 and response["Location"] == url("tilstand", pk=t.pk)
    t.refresh_from_db()
    assert t.niveau == g.fsiii[2] and t.faglig_note == "Bedre efter træning"
    assert t.registrering.nummer == 2 and t.registrering.begrundelse == "Ny vurdering."
    niveauer = [v.niveau for v in t.registrering.versioner.order_by("virkning_fra")]
    assert niveauer == [g.fsiii[3], g.fsiii[2]]
    side = klient.get(url("tilstand", pk=t.pk)).content.decode()
    assert "Registrering 2: Ny vurdering" in side and "Ny vurdering." in side


def test_a_reassessment_is_the_follow_up_and_reads_as_one(klient, g):
    """A new user reassessed a condition whose follow-up date had passed: it still said
    "Ikke frisk" (the old date was kept), and the history called it "Rettet"."""
    t = tilstand(g, opfoelgning=idag() - 10 * DAG)
    form = klient.get(url("tilstand", pk=t.pk)).context["formularer"]["revurder"]
    assert form["opfoelgning"].value() in (None, "")  # asked anew, not the passed date
    data = {
        "revurder-niveau": str(g.fsiii[2].pk),
        "revurder-status": "aktiv",
        "revurder-kilde": str(g.kilde.pk),
        "revurder-metode": str(g.metode.pk),
        "revurder-vurderet": idag().isoformat(),
        "revurder-virkning_fra": idag().isoformat(),
        "revurder-opfoelgning": (idag() - 10 * DAG).isoformat(),  # as the old form kept it
    }
    fejl = klient.post(url("tilstand_revurder", pk=t.pk), data)
    assert fejl.status_code == 200 and "efter vurderingen" in fejl.content.decode()
    del data["revurder-opfoelgning"]

    klient.post(url("tilstand_revurder", pk=t.pk), data)

    t.refresh_from_db()
    assert t.registrering.nummer == 2 and t.opfoelgning is None
    side = klient.get(url("tilstand", pk=t.pk)).content.decode()
    assert "Ikke frisk" not in side
    assert "Registrering 2: Ny vurdering" in side and "Registrering 2: Rettet" not in side
    # a later reassessment may set the next follow-up
    data["revurder-opfoelgning"] = (idag() + 90 * DAG).isoformat()
    klient.post(url("tilstand_revurder", pk=t.pk), data)
    t.refresh_from_db()
    assert t.opfoelgning == idag() + 90 * DAG


def test_the_source_system_is_named_without_its_raw_id(klient, g):
    """Users read "Kildesystem demo (id s1/b5/t6)": the system's name is for users, its
    id for the admin and MOX."""
    t = tilstand(g, kildesystem="Kildesystem demo", kildesystem_id="s1/b5/t6")
    side = klient.get(url("tilstand", pk=t.pk)).content.decode()
    assert "Kildesystem demo" in side and "s1/b5/t6" not in side


def test_correcting_a_period_needs_a_reason_and_keeps_the_rest(klient, g):
    t = tilstand(g, dage_siden=60)
    revurder(g, t, g.fsiii[2], 30)
    start = timezone.localdate(clock.now() - 60 * DAG)  # the day the condition began
    ret = url("tilstand_ret", pk=t.pk)
    data = {
        "ret-virkning_fra": start.isoformat(),
        "ret-virkning_til": (start + 9 * DAG).isoformat(),
        "ret-niveau": str(g.fsiii[4].pk),
        "ret-status": "aktiv",
        "ret-kilde": str(g.kilde.pk),
        "ret-metode": str(g.metode.pk),
    }
    foer = antal_gemt()

    uden_grund = klient.post(ret, data)
    baglaens = klient.post(
        ret,
        {**data, "ret-begrundelse": "Fejl", "ret-virkning_til": (start - 5 * DAG).isoformat()},
    )
    intet = klient.post(
        ret, {**data, "ret-niveau": str(g.fsiii[2].pk), "ret-begrundelse": "Fejl"}, **HTMX
    )

    assert antal_gemt() == foer
    assert "Skriv hvorfor oplysningen rettes." in uden_grund.content.decode()
    assert uden_grund.context["aaben"] == "ret"
    assert "Slutningen skal ligge efter begyndelsen." in baglaens.content.decode()
    assert "Ret mindst ét felt" in intet.content.decode()
    assert intet.content.decode().lstrip().startswith('<form id="form-ret"')

    ok = klient.post(ret, {**data, "ret-begrundelse": "Niveauet var tastet forkert"})

    assert ok.status_code == 302
    t.refresh_from_db()
    versioner = list(t.registrering.versioner.order_by("virkning_fra"))
    assert [v.niveau for v in versioner] == [g.fsiii[4], g.fsiii[3], g.fsiii[2]]
    assert t.registrering.begrundelse == "Niveauet var tastet forkert"
    assert t.niveau == g.fsiii[2]  # today's assessment is untouched


def test_ending_a_condition_and_ending_it_before_it_began(klient, g):
    t = tilstand(g, dage_siden=10)
    afslut = url("tilstand_afslut", pk=t.pk)
    foer = antal_gemt()

    for_tidligt = klient.post(
        afslut, {"afslut-virkning_fra": (clock.now() - 20 * DAG).date().isoformat()}
    )
    assert for_tidligt.status_code == 200 and antal_gemt() == foer
    assert "kan ikke gælde fra før oplysningen blev gyldig" in for_tidligt.content.decode()

    ok = klient.post(afslut, {"afslut-virkning_fra": idag().isoformat()}, **HTMX)

    assert ok["HX-Redirect"] == url("tilstand", pk=t.pk)
    t.refresh_from_db()
    assert t.status == "afsluttet" and t.registrering.nummer == 2
    side = klient.get(url("tilstand", pk=t.pk)).content.decode()
    assert "Tilstanden er afsluttet." in side and 'id="handling-afslut"' not in side


def test_removing_a_condition_registered_by_mistake(klient, g):
    t = tilstand(g)
    anden = tilstand(g)
    fjern = url("tilstand_fjern", pk=t.pk)

    uden_grund = klient.post(fjern, {"fjern-begrundelse": ""})
    assert "Skriv hvorfor tilstanden fjernes." in uden_grund.content.decode()

    ok = klient.post(fjern, {"fjern-begrundelse": "Registreret på den forkerte borger"})

    assert ok.status_code == 302 and ok["Location"] == url("borger", pk=g.borger.pk)
    t.refresh_from_db()
    assert not t.aktiv and t.livscykluskode == "Passiveret" and t.registreringer.count() == 2
    assert t.registrering.begrundelse == "Registreret på den forkerte borger"
    assert klient.get(url("tilstand", pk=t.pk)).status_code == 404
    borger_side = klient.get(url("borger", pk=g.borger.pk)).content.decode()
    assert str(anden.pk) in borger_side and str(t.pk) not in borger_side

    # the last one: the citizen leaves the caseworker's list, so back to the list
    sidste = klient.post(url("tilstand_fjern", pk=anden.pk), {"fjern-begrundelse": "Fejl"})
    assert sidste["Location"] == url("borgere")


def test_another_unit_cannot_change_the_condition(fremmed_klient, g):
    t = tilstand(g)
    foer = antal_gemt()
    for navn, data in (
        ("revurder", {"revurder-status": "aktiv"}),
        ("ret", {"ret-begrundelse": "x"}),
        ("afslut", {}),
        ("fjern", {"fjern-begrundelse": "x"}),
    ):
        assert fremmed_klient.post(url(f"tilstand_{navn}", pk=t.pk), data).status_code == 404
    assert antal_gemt() == foer


def test_the_change_forms_need_the_csrf_token(g):
    t = tilstand(g)
    streng = Client(enforce_csrf_checks=True)
    streng.force_login(g.user)
    foer = antal_gemt()

    response = streng.post(url("tilstand_fjern", pk=t.pk), {"fjern-begrundelse": "Fejl"})

    assert response.status_code == 403 and antal_gemt() == foer
    t.refresh_from_db()
    assert t.aktiv


def test_the_change_urls_take_only_post(klient, g):
    t = tilstand(g)
    assert klient.get(url("tilstand_revurder", pk=t.pk)).status_code == 405


def test_each_change_form_comes_back_alone_with_htmx_on_error(klient, g):
    t = tilstand(g, dage_siden=10)
    imorgen = (clock.now() + 2 * DAG).date().isoformat()
    foer = antal_gemt()
    for navn, data, besked in (
        (
            "revurder",
            {"revurder-status": "aktiv", "revurder-vurderet": "", "revurder-virkning_fra": imorgen},
            "Dette felt er påkrævet.",
        ),
        ("ret", {"ret-virkning_fra": imorgen, "ret-status": "aktiv"}, "Skriv hvorfor"),
        ("afslut", {"afslut-virkning_fra": imorgen}, "kan ikke begynde i fremtiden"),
        ("fjern", {}, "Skriv hvorfor tilstanden fjernes."),
    ):
        response = klient.post(url(f"tilstand_{navn}", pk=t.pk), data, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200, navn
        assert html.lstrip().startswith(f'<form id="form-{navn}"'), navn
        assert besked in html, (navn, html)
    assert antal_gemt() == foer
    assert len(log_for(g.borger)) == 4  # each answer showed the condition's data


def test_a_retired_class_stays_chosen_when_the_form_is_sent_back_unchanged(klient, g):
    t = tilstand(g)
    Klasse.objects.filter(pk=g.fsiii[3].pk).update(status="retired")

    html = klient.get(url("tilstand", pk=t.pk)).content.decode()
    assert f'<option value="{g.fsiii[3].pk}" selected>3 – Svære begrænsninger (udgået)' in html

    response = klient.post(
        url("tilstand_revurder", pk=t.pk),
        {
            "revurder-niveau": str(g.fsiii[3].pk),
            "revurder-status": "aktiv",
            "revurder-kilde": str(g.kilde.pk),
            "revurder-metode": str(g.metode.pk),
            "revurder-vurderet": idag().isoformat(),
            "revurder-virkning_fra": idag().isoformat(),
            "revurder-faglig_note": "Uændret niveau",
        },
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.niveau_id == g.fsiii[3].pk and t.faglig_note == "Uændret niveau"
