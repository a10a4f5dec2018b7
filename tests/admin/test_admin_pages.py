"""The admin: every page loads, search and filters work, and a CPR number never reaches a URL."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klassifikation.models import Klasse
from organisation.models import Borger, Enhed, Medarbejder, Relation, RelationsType
from tests.admin import factories as f
from tests.admin.conftest import formdata

pytestmark = pytest.mark.django_db

MODELLER = sorted(admin.site._registry, key=lambda m: m._meta.label)
EGNE_APPS = {
    "organisation", "klassifikation", "auth", "tilstand", "indsats", "sagsindeks", "samtykke",
    "mox", "overblik",
}  # fmt: skip


def label(model) -> str:
    return model._meta.label


def url(model, side: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{side}", args=args)


def opret(model):
    fabrik = f.FACTORIES.get(model)
    if fabrik is None:
        pytest.skip(f"ingen factory til {label(model)} i tests/admin/factories.py")
    return fabrik()


def test_every_model_of_ours_has_a_factory():
    mangler = [
        label(m) for m in MODELLER if m._meta.app_label in EGNE_APPS and m not in f.FACTORIES
    ]
    assert not mangler


# --- every page loads -----------------------------------------------------------------


@pytest.mark.parametrize("model", MODELLER, ids=label)
def test_changelist_loads(su_client, model):
    opret(model)
    antal = model._default_manager.count()  # before: reading the access log adds to it
    response = su_client.get(url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == antal


@pytest.mark.parametrize("model", MODELLER, ids=label)
def test_add_page_loads(su_client, model):
    """Every add page loads, except for data that is only written through services."""
    response = su_client.get(url(model, "add"))
    kan_oprette = admin.site._registry[model].has_add_permission(response.wsgi_request)
    assert response.status_code == (200 if kan_oprette else 403)


@pytest.mark.parametrize("model", MODELLER, ids=label)
def test_change_page_loads(su_client, model):
    obj = opret(model)
    response = su_client.get(url(model, "change", obj.pk))
    assert response.status_code == 200
    assert response.context["original"] == obj


@pytest.mark.parametrize("model", MODELLER, ids=label)
def test_search_runs(su_client, model):
    """Every search field path is valid SQL, and a search narrows the list."""
    if not admin.site._registry[model].search_fields:
        pytest.skip("ingen søgefelter")
    opret(model)
    response = su_client.get(url(model, "changelist"), {"q": "ingen-saadan-tekst-xyz"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


@pytest.mark.parametrize("model", MODELLER, ids=label)
def test_every_filter_choice_loads(su_client, model):
    opret(model)
    response = su_client.get(url(model, "changelist"))
    links = [
        choice["query_string"]
        for spec in response.context["cl"].filter_specs
        for choice in spec.choices(response.context["cl"])
    ]
    for query_string in links:
        assert su_client.get(url(model, "changelist") + query_string).status_code == 200


@pytest.mark.parametrize("model", [Borger, Enhed], ids=label)
def test_object_permissions_page_loads(su_client, model):
    obj = opret(model)
    response = su_client.get(url(model, "permissions", obj.pk))
    assert response.status_code == 200


def test_search_finds_by_name_address_and_username(su_client, uden_kodesystemer):
    f.BorgerFactory(fornavn="Gudrun", efternavn="Kjærsgaard")
    f.BorgerFactory(fornavn="Anna", efternavn="Hansen")
    response = su_client.get(url(Borger, "changelist"), {"q": "kjærsgaard"})
    assert [str(b) for b in response.context["cl"].result_list] == ["Gudrun Kjærsgaard"]

    f.MedarbejderFactory(user=f.UserFactory(username="mlund"), navn="Mette Lund")
    f.MedarbejderFactory(navn="Anden Person")
    response = su_client.get(url(Medarbejder, "changelist"), {"q": "mlund"})
    assert [m.navn for m in response.context["cl"].result_list] == ["Mette Lund"]

    f.KlasseFactory(kode="J1.1", titel="Gå")
    f.KlasseFactory(kode="B2", titel="Spise")
    response = su_client.get(url(Klasse, "changelist"), {"q": "J1.1"})
    assert [k.titel for k in response.context["cl"].result_list] == ["Gå"]


def test_validity_filter(su_client):
    idag = timezone.localdate()
    nu = f.EnhedFactory(navn="Nu", gyldig_fra=idag - datetime.timedelta(days=10))
    f.EnhedFactory(
        navn="Lukket",
        gyldig_fra=idag - datetime.timedelta(days=10),
        gyldig_til=idag,
    )
    f.EnhedFactory(navn="Senere", gyldig_fra=idag + datetime.timedelta(days=1))
    resultat = {}
    for vaerdi in ("nu", "ophoert", "fremtidig"):
        response = su_client.get(url(Enhed, "changelist"), {"gyldig": vaerdi})
        resultat[vaerdi] = [e.navn for e in response.context["cl"].result_list]
    assert resultat == {"nu": [nu.navn], "ophoert": ["Lukket"], "fremtidig": ["Senere"]}


def test_relation_filter_on_citizens(su_client):
    idag = timezone.localdate()
    fuldmagt = f.RelationFactory(
        type=RelationsType.FULDMAGT,
        omfang=["samtykke"],
        gyldig_fra=idag - datetime.timedelta(days=5),
        gyldig_til=idag + datetime.timedelta(days=5),
    )
    f.RelationFactory(
        type=RelationsType.FULDMAGT,
        omfang=["samtykke"],
        gyldig_fra=idag - datetime.timedelta(days=50),
        gyldig_til=idag - datetime.timedelta(days=5),
    )
    response = su_client.get(url(Borger, "changelist"), {"relation": "fuldmagt"})
    assert list(response.context["cl"].result_list) == [fuldmagt.borger]


# --- queries do not grow with the rows --------------------------------------------------


@pytest.mark.parametrize("model", MODELLER, ids=label)
def test_changelist_query_count_does_not_grow(su_client, model, django_assert_max_num_queries):
    fabrik = f.FACTORIES.get(model)
    if fabrik is None:
        pytest.skip(f"ingen factory til {label(model)}")
    fabrik()
    side = url(model, "changelist")
    su_client.get(side)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as en_raekke:
        assert su_client.get(side).status_code == 200
    fabrik.create_batch(19)
    with django_assert_max_num_queries(len(en_raekke)):
        response = su_client.get(side)
    assert len(response.context["cl"].result_list) >= 20


# --- CPR numbers stay out of URLs -------------------------------------------------------


@pytest.fixture
def borger():
    return f.BorgerFactory(cpr="1203484562", fornavn="Karen", efternavn="Holm")


def test_changelist_shows_masked_cpr_and_links_to_lookup(su_client, borger):
    response = su_client.get(url(Borger, "changelist"))
    indhold = response.content.decode()
    assert "120348-****" in indhold
    assert "1203484562" not in indhold
    assert reverse("admin:organisation_borger_find_cpr") in indhold


def test_change_page_shows_cpr_masked(su_client, borger):
    response = su_client.get(url(Borger, "change", borger.pk))
    assert "120348-****" in response.content.decode()
    assert "1203484562" not in response.content.decode()


@pytest.mark.parametrize("indtastet", ["1203484562", "120348-4562", " 120348 - 4562 "])
def test_cpr_lookup_redirects_to_the_citizen_by_uuid(su_client, borger, indtastet):
    response = su_client.post(reverse("admin:organisation_borger_find_cpr"), {"cpr": indtastet})
    assert response.status_code == 302
    assert response["Location"] == url(Borger, "change", borger.pk)
    assert "1203484562" not in response["Location"]
    assert "120348" not in response["Location"]
    side = su_client.get(response["Location"])
    assert side.status_code == 200
    assert side.context["original"] == borger


@pytest.mark.parametrize(
    ("indtastet", "besked"),
    [
        ("12345", "Et CPR-nummer består af 10 cifre"),
        ("12034845621", "Et CPR-nummer består af 10 cifre"),
        ("abcdefghij", "Et CPR-nummer består af 10 cifre"),
        ("3202484562", "CPR-nummeret begynder ikke med en gyldig fødselsdato"),
        ("0101804562", "Der findes ingen borger med det CPR-nummer"),
    ],
)
def test_cpr_lookup_refuses_in_danish(su_client, borger, indtastet, besked):
    response = su_client.post(reverse("admin:organisation_borger_find_cpr"), {"cpr": indtastet})
    assert response.status_code == 200
    assert besked in response.content.decode()
    assert indtastet.strip() not in response.wsgi_request.get_full_path()


def test_cpr_lookup_form_page_and_access(client, su_client, borger, django_user_model):
    side = reverse("admin:organisation_borger_find_cpr")
    assert su_client.get(side).status_code == 200
    # Not logged in: the admin login page, with nothing of the citizen.
    anonym = client.__class__()
    response = anonym.post(side, {"cpr": "1203484562"})
    assert response.status_code == 302
    assert "1203484562" not in response["Location"]
    assert reverse("admin:login") in response["Location"]
    # Staff without permission on citizens get nothing either.
    personale = django_user_model.objects.create_user("personale", is_staff=True)
    klient = client.__class__()
    klient.force_login(personale)
    assert klient.post(side, {"cpr": "1203484562"}).status_code == 403


def test_cpr_lookup_needs_csrf_token(borger, django_user_model):
    user = django_user_model.objects.create_superuser("su2", "su2@example.org", None)
    klient = Client(enforce_csrf_checks=True)
    klient.force_login(user)
    side = reverse("admin:organisation_borger_find_cpr")
    assert klient.post(side, {"cpr": "1203484562"}).status_code == 403
    token = klient.get(side).context["csrf_token"]
    response = klient.post(side, {"cpr": "1203484562", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302


def test_cpr_in_list_search_is_refused_and_dropped_from_the_url(su_client, borger):
    response = su_client.get(url(Borger, "changelist"), {"q": "120348-4562", "login": "nej"})
    assert response.status_code == 302
    assert "120348" not in response["Location"]
    assert "login=nej" in response["Location"]
    side = su_client.get(response["Location"])
    assert "Find borger ud fra CPR" in side.content.decode()
    # Autocomplete (used by the relation inline) finds nobody by CPR either.
    response = su_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "1203484562",
            "app_label": "organisation",
            "model_name": "relation",
            "field_name": "person",
        },
    )
    assert response.json()["results"] == []


def test_cpr_filter_in_query_string_is_refused(su_client, borger):
    for parameter in ("cpr", "cpr__startswith", "relationer__person__cpr"):
        response = su_client.get(url(Borger, "changelist"), {parameter: "1203484562"})
        assert response.status_code == 400, parameter
    response = su_client.get(url(Relation, "changelist"), {"borger__cpr": "1203484562"})
    assert response.status_code == 400


def test_admin_history_of_a_citizen_holds_no_cpr(su_client, borger):
    side = url(Borger, "change", borger.pk)
    data = formdata(su_client.get(side))
    data["adresse"] = "Rosenhøj 14, st. tv."
    response = su_client.post(side, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    borger.refresh_from_db()
    assert borger.adresse == "Rosenhøj 14, st. tv."
    entry = LogEntry.objects.get(object_id=str(borger.pk))
    assert "1203484562" not in entry.object_repr + entry.change_message
    assert "120348" not in entry.object_repr + entry.change_message


def test_add_citizen_in_admin_validates_cpr(su_client):
    data = {
        "cpr": "3102901234",
        "fornavn": "Ny",
        "efternavn": "Borger",
        "relationer-TOTAL_FORMS": "0",
        "relationer-INITIAL_FORMS": "0",
        "relationer_til-TOTAL_FORMS": "0",
        "relationer_til-INITIAL_FORMS": "0",
    }
    response = su_client.post(url(Borger, "add"), data)
    assert response.status_code == 200
    assert "gyldig fødselsdato" in response.content.decode()
    data["cpr"] = "0101901234"
    response = su_client.post(url(Borger, "add"), data)
    assert response.status_code == 302
    ny = Borger.objects.get(cpr="0101901234")
    assert "0101901234" not in response["Location"]
    assert response["Location"] == url(Borger, "changelist")
    assert str(ny) == "Ny Borger"


# --- forms that do more than save a row ---------------------------------------------------


def test_relation_inline_saves_scope_from_checkboxes(su_client, borger):
    vaerge = f.BorgerFactory(fornavn="Vera", efternavn="Værge")
    side = url(Borger, "change", borger.pk)
    data = formdata(su_client.get(side))
    data.update(
        {
            "relationer-TOTAL_FORMS": "1",
            "relationer-0-type": RelationsType.VAERGE,
            "relationer-0-person": str(vaerge.pk),
            "relationer-0-beskrivelse": "beskikket værge",
            "relationer-0-omfang": ["oekonomi", "samtykke"],
            "relationer-0-gyldig_fra": "2024-01-01",
        }
    )
    response = su_client.post(side, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    relation = Relation.objects.get(borger=borger)
    assert relation.person == vaerge
    assert sorted(relation.omfang) == ["oekonomi", "samtykke"]


def test_sub_unit_added_inline_gets_the_parents_authority(su_client):
    forael = f.EnhedFactory(navn="Hjemmepleje")
    side = url(Enhed, "change", forael.pk)
    data = formdata(su_client.get(side))
    data.update(
        {
            "underenheder-TOTAL_FORMS": "1",
            "underenheder-0-navn": "Hjemmepleje Nord",
            "underenheder-0-enhedstype": "distrikt",
            "underenheder-0-gyldig_fra": "2024-01-01",
        }
    )
    response = su_client.post(side, data)
    assert response.status_code == 302
    barn = Enhed.objects.get(navn="Hjemmepleje Nord")
    assert barn.overordnet == forael
    assert barn.myndighed == forael.myndighed


def test_unit_cannot_move_below_its_own_sub_unit_or_another_authority(su_client):
    forael = f.EnhedFactory()
    barn = f.EnhedFactory(myndighed=forael.myndighed, overordnet=forael)
    side = url(Enhed, "change", forael.pk)
    data = formdata(su_client.get(side))
    data["overordnet"] = str(barn.pk)
    response = su_client.post(side, data)
    assert response.status_code == 200
    assert "sin egen underenhed" in response.content.decode()
    data["overordnet"] = str(f.EnhedFactory().pk)
    response = su_client.post(side, data)
    assert "samme myndighed" in response.content.decode()


def test_staff_member_with_a_new_login(su_client):
    myndighed = f.MyndighedFactory()
    data = {
        "navn": "Mette Lund",
        "titel": "Socialrådgiver",
        "myndighed": str(myndighed.pk),
        "nyt_brugernavn": "mlund",
        "adgangskode": "korrekt-hest-batteri-47",
        "funktioner-TOTAL_FORMS": "0",
        "funktioner-INITIAL_FORMS": "0",
    }
    response = su_client.post(url(Medarbejder, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    medarbejder = Medarbejder.objects.get(navn="Mette Lund")
    assert medarbejder.user.username == "mlund"
    assert medarbejder.user.check_password("korrekt-hest-batteri-47")
    assert (medarbejder.user.first_name, medarbejder.user.last_name) == ("Mette", "Lund")

    # Neither an existing user nor a new name; or a name that is taken; or a weak password.
    for ekstra, fejl in [
        ({"nyt_brugernavn": ""}, "Vælg en bruger, eller skriv et nyt brugernavn."),
        ({"nyt_brugernavn": "MLUND"}, "Brugernavnet er allerede i brug."),
        ({"nyt_brugernavn": "ny", "adgangskode": "123"}, "adgangskode"),
    ]:
        response = su_client.post(url(Medarbejder, "add"), {**data, **ekstra})
        assert response.status_code == 200
        assert fejl in response.content.decode()
    assert get_user_model().objects.filter(username="ny").count() == 0


def test_profession_choices_come_from_the_profession_code_system(su_client):
    fag = f.FaglighedFactory(titel="Ergoterapeut")
    anden = f.KlasseFactory(titel="Ergoterapeut i et andet system")
    response = su_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Ergo",
            "app_label": "organisation",
            "model_name": "funktion",
            "field_name": "faglighed",
        },
    )
    ids = [r["id"] for r in response.json()["results"]]
    assert ids == [str(fag.pk)]
    assert str(anden.pk) not in ids


def test_class_edited_in_admin_gets_path_and_level_and_moves_its_subtree(su_client):
    rod = f.KlasseFactory(titel="Rod")
    ny_rod = f.KlasseFactory(klassifikation=rod.klassifikation, titel="Ny rod")
    mellem = f.KlasseFactory(
        klassifikation=rod.klassifikation, titel="Mellem", overordnet=rod, sti=[rod.pk], niveau=1
    )
    blad = f.KlasseFactory(
        klassifikation=rod.klassifikation,
        titel="Blad",
        overordnet=mellem,
        sti=[rod.pk, mellem.pk],
        niveau=2,
    )
    side = url(Klasse, "change", mellem.pk)
    side_svar = su_client.get(side)
    assert "Rod" in side_svar.content.decode()  # the path, shown as titles
    data = formdata(side_svar)
    data["overordnet"] = str(ny_rod.pk)
    response = su_client.post(side, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    mellem.refresh_from_db()
    blad.refresh_from_db()
    assert (mellem.sti, mellem.niveau) == ([ny_rod.pk], 1)
    assert (blad.sti, blad.niveau) == ([ny_rod.pk, mellem.pk], 2)
