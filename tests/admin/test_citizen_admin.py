"""The admin for citizen data: read-only, every page that shows a citizen is logged in the
reading transaction, passivation goes through the service, the log's chains can be checked
from the admin, and a CPR number never reaches a URL."""

from __future__ import annotations

import importlib

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from datadeling.core.bitemporal import Livscykluskode
from dialog.models import Samtale
from indsats.models import Indsats
from organisation.models import Borger, Relation
from samtykke import services as samtykke_services
from samtykke.adgangslog import adgangslog_write, adgangslog_write_many, verificer
from samtykke.models import (
    Adgangslog,
    Anmodning,
    Grundlag,
    Handling,
    Hjemmel,
    HjemmelGennemgang,
    Samtykke,
)
from tests.admin import factories as f
from tilstand.models import Tilstand

pytestmark = pytest.mark.django_db

SKRIVEBESKYTTET = [
    Tilstand, Indsats, Samtykke, Anmodning, Hjemmel, HjemmelGennemgang, Adgangslog, Samtale,
]  # fmt: skip
BORGERDATA = [*SKRIVEBESKYTTET, Borger, Relation]


def label(model) -> str:
    return model._meta.label


def url(model, side: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{side}", args=args)


def borger_af(obj) -> Borger:
    if isinstance(obj, Borger):
        return obj
    if isinstance(obj, HjemmelGennemgang):
        return obj.hjemmel.borger
    return obj.borger


def nye_poster(foer: int):
    return list(Adgangslog.objects.order_by("id")[foer:])


# --- read-only: nothing is added, changed or deleted in the admin -----------------------


@pytest.mark.parametrize("model", SKRIVEBESKYTTET, ids=label)
def test_pages_load_and_nothing_can_be_written(su_client, model):
    obj = f.FACTORIES[model]()
    modeladmin = admin.site._registry[model]
    assert su_client.get(url(model, "changelist")).status_code == 200
    side = su_client.get(url(model, "change", obj.pk))
    assert side.status_code == 200
    assert su_client.get(url(model, "history", obj.pk)).status_code == 200

    request = side.wsgi_request
    assert not modeladmin.has_add_permission(request)
    assert not modeladmin.has_change_permission(request, obj)
    assert not modeladmin.has_delete_permission(request, obj)
    assert "delete_selected" not in modeladmin.get_actions(request)
    # The page is view-only: no save button, no form field to type into.
    assert 'name="_save"' not in side.content.decode()

    antal = model._default_manager.count()
    assert su_client.get(url(model, "add")).status_code == 403
    assert su_client.post(url(model, "add"), {}).status_code == 403
    assert su_client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert su_client.get(url(model, "delete", obj.pk)).status_code == 403
    assert su_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    if model is not Adgangslog:  # reading the access log adds to it
        assert model._default_manager.count() == antal
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_tilstand_page_shows_provenance_and_its_registrations_with_versions(su_client):
    tilstand = f.TilstandFactory(kildesystem="Nexus", kildesystem_id="N-17")
    indhold = su_client.get(url(Tilstand, "change", tilstand.pk)).content.decode()
    for tekst in (
        str(tilstand.type),
        tilstand.borger.navn,
        tilstand.ansvarlig_enhed.navn,
        "Nexus",
        "N-17",
        "Proveniens",
        "Opstået",
        "Registreringer (nyeste først)",
        "åben",  # the open-ended version's valid time
    ):
        assert tekst in indhold, tekst


def test_consent_page_shows_chain_recipient_categories_sources_and_in_force(su_client):
    kategori = f.KlasseFactory(titel="Mentale funktioner")
    kilde = f.EnhedFactory(navn="Psykiatrien Øst")
    modtager = f.EnhedFactory(navn="Jobcenter Vest")
    v1 = f.SamtykkeFactory(kategori=kategori, kilde=kilde, modtager=modtager)
    v2 = samtykke_services.samtykke_revoke(actor=None, samtykke=v1)

    indhold = su_client.get(url(Samtykke, "change", v1.pk)).content.decode()
    for tekst in ("Mentale funktioner", "Psykiatrien Øst", "Jobcenter Vest", v1.tekst[:40]):
        assert tekst in indhold, tekst
    assert url(Samtykke, "change", v2.pk) in indhold  # superseded by v2

    liste = su_client.get(url(Samtykke, "changelist"))
    i_kraft = {s.pk: s._i_kraft for s in liste.context["cl"].result_list}
    assert i_kraft == {v1.pk: False, v2.pk: False}  # v1 superseded, v2 revoked
    v3 = f.SamtykkeFactory()
    svar = su_client.get(url(Samtykke, "changelist"), {"i_kraft": "ja"})
    assert list(svar.context["cl"].result_list) == [v3]
    assert "Mentale funktioner" in liste.content.decode()


def test_legal_basis_filter_finds_those_missing_review(su_client):
    mangler = f.HjemmelFactory()
    gennemgaaet = f.HjemmelGennemgangFactory().hjemmel
    svar = su_client.get(url(Hjemmel, "changelist"), {"gennemgang": "mangler"})
    assert list(svar.context["cl"].result_list) == [mangler]
    svar = su_client.get(url(Hjemmel, "changelist"), {"gennemgang": "gennemgaaet"})
    assert list(svar.context["cl"].result_list) == [gennemgaaet]


# --- passivating data registered by mistake ----------------------------------------------


@pytest.mark.parametrize(
    ("model", "service"),
    [(Tilstand, "tilstand_passivate"), (Indsats, "indsats_passivate")],
    ids=["tilstand", "indsats"],
)
def test_passivate_asks_for_a_reason_and_goes_through_the_service(
    su_client, monkeypatch, model, service
):
    modul = importlib.import_module(f"samtykke.admin.{model._meta.model_name}")

    kald = []
    original = getattr(modul, service)

    def spion(**kwargs):
        kald.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(modul, service, spion)
    fejl, anden = f.FACTORIES[model](), f.FACTORIES[model]()
    side = url(model, "changelist")
    valgt = {"action": "passiver", "_selected_action": [str(fejl.pk)]}

    # First the intermediate page, which names what will be passivated and asks why.
    svar = su_client.post(side, {**valgt, "index": "0"})
    assert svar.status_code == 200
    assert "Begrundelse" in svar.content.decode()
    assert str(fejl.borger) in svar.content.decode()
    # Without a reason nothing happens.
    svar = su_client.post(side, {**valgt, "post": "ja", "begrundelse": " "})
    assert svar.status_code == 200
    assert kald == []
    # With one, the service passivates it and records who and why.
    svar = su_client.post(side, {**valgt, "post": "ja", "begrundelse": "Forkert borger"})
    assert svar.status_code == 302
    assert len(kald) == 1
    assert kald[0]["actor"].username == "su"
    assert kald[0]["begrundelse"] == "Forkert borger"
    fejl.refresh_from_db()
    anden.refresh_from_db()
    assert (fejl.aktiv, fejl.livscykluskode) == (False, Livscykluskode.PASSIVERET)
    assert anden.aktiv
    reg = fejl.registrering
    assert (reg.livscykluskode, reg.begrundelse, reg.aktoer.username) == (
        Livscykluskode.PASSIVERET,
        "Forkert borger",
        "su",
    )
    assert fejl.registreringer.count() == 2  # appended; the first is still there

    # Passivating it again is refused by the service and reported, not a crash.
    svar = su_client.post(side, {**valgt, "post": "ja", "begrundelse": "igen"}, follow=True)
    tekster = [str(m) for m in get_messages(svar.wsgi_request)]
    assert any("passiveret og kan ikke ændres" in t for t in tekster)
    assert fejl.registreringer.count() == 2


def test_passivate_action_needs_the_change_permission(client, django_user_model):
    from django.contrib.auth.models import Permission

    bruger = django_user_model.objects.create_user("laeser", is_staff=True)
    bruger.user_permissions.add(Permission.objects.get(codename="view_tilstand"))
    client.force_login(bruger)
    tilstand = f.TilstandFactory()
    svar = client.get(url(Tilstand, "changelist"))
    assert "passiver" not in admin.site._registry[Tilstand].get_actions(svar.wsgi_request)
    svar = client.post(
        url(Tilstand, "changelist"),
        {"action": "passiver", "_selected_action": [str(tilstand.pk)], "post": "ja",
         "begrundelse": "x"},
    )  # fmt: skip
    tilstand.refresh_from_db()
    assert tilstand.aktiv


# --- every read of citizen data is logged ----------------------------------------------


@pytest.mark.parametrize("model", BORGERDATA, ids=label)
def test_change_page_writes_one_entry_per_citizen_shown(su_client, model):
    obj = f.FACTORIES[model]()
    foer = Adgangslog.objects.count()
    assert su_client.get(url(model, "change", obj.pk)).status_code == 200
    poster = nye_poster(foer)
    forventet = {borger_af(obj).pk}
    if model is Relation:
        forventet.add(obj.person_id)  # a relation is in both people's records
    assert {p.borger_id for p in poster} == forventet
    assert len(poster) == len(forventet)
    for p in poster:
        assert (p.grundlag, p.handling) == (Grundlag.ADMINISTRATION, Handling.ADMIN)
        assert p.navn == "su"
        assert p.bruger.username == "su"
        assert "administrationen" in p.hvad
        assert {"type": model._meta.model_name, "id": str(obj.pk)} in p.objekter
    assert verificer_ok()


def test_viewing_a_tilstand_writes_exactly_one_entry(su_client):
    tilstand = f.TilstandFactory()
    f.TilstandFactory(borger=tilstand.borger)  # another of the same citizen, not shown
    foer = Adgangslog.objects.count()
    su_client.get(url(Tilstand, "change", tilstand.pk))
    [post] = nye_poster(foer)
    assert post.borger_id == tilstand.borger_id
    assert post.grundlag == "administration" and post.handling == "admin"
    assert post.objekter == [{"type": "tilstand", "id": str(tilstand.pk)}]
    assert post.hvad == "Tilstand i administrationen"


def test_citizen_page_logs_the_people_around_them_too(su_client):
    relation = f.RelationFactory()
    borger = relation.borger
    foer = Adgangslog.objects.count()
    su_client.get(url(Borger, "change", borger.pk))
    poster = {p.borger_id: p for p in nye_poster(foer)}
    assert set(poster) == {borger.pk, relation.person_id}
    assert poster[relation.person_id].objekter == [{"type": "relation", "id": str(relation.pk)}]
    # The list of citizens (names and addresses) is a directory and is not logged.
    foer = Adgangslog.objects.count()
    su_client.get(url(Borger, "changelist"))
    assert Adgangslog.objects.count() == foer


def test_object_permissions_page_of_a_citizen_is_logged(su_client):
    borger = f.BorgerFactory()
    foer = Adgangslog.objects.count()
    assert su_client.get(url(Borger, "permissions", borger.pk)).status_code == 200
    [post] = nye_poster(foer)
    assert (post.borger_id, post.grundlag) == (borger.pk, Grundlag.ADMINISTRATION)


@pytest.mark.parametrize("model", [*SKRIVEBESKYTTET, Relation], ids=label)
def test_changelist_writes_one_entry_per_citizen_on_the_page(su_client, monkeypatch, model):
    fabrik = f.FACTORIES[model]
    objs = [fabrik() for _ in range(3)]
    monkeypatch.setattr(admin.site._registry[model], "list_per_page", 2)
    foer = Adgangslog.objects.count()
    svar = su_client.get(url(model, "changelist"))
    vist = list(svar.context["cl"].result_list)
    assert len(vist) == 2
    poster = nye_poster(foer)
    forventet = {borger_af(o).pk for o in vist}
    if model is Relation:
        forventet |= {o.person_id for o in vist}
    assert {p.borger_id for p in poster} == forventet
    assert len(poster) == len(forventet)
    skjult = {borger_af(o).pk for o in objs if o not in vist}
    assert not skjult & {p.borger_id for p in poster}
    for p in poster:
        assert (p.grundlag, p.handling) == (Grundlag.ADMINISTRATION, Handling.ADMIN)
    assert verificer_ok()


def test_changelist_logs_every_object_of_a_citizen_in_one_entry(su_client):
    a = f.TilstandFactory()
    b = f.TilstandFactory(borger=a.borger)
    c = f.TilstandFactory()
    foer = Adgangslog.objects.count()
    su_client.get(url(Tilstand, "changelist"))
    poster = {p.borger_id: p for p in nye_poster(foer)}
    assert len(poster) == 2
    assert sorted(o["id"] for o in poster[a.borger_id].objekter) == sorted([str(a.pk), str(b.pk)])
    assert poster[c.borger_id].objekter == [{"type": "tilstand", "id": str(c.pk)}]
    # A search narrows the page, and the log with it.
    foer = Adgangslog.objects.count()
    su_client.get(url(Tilstand, "changelist"), {"q": c.borger.fornavn})
    assert [p.borger_id for p in nye_poster(foer)] == [c.borger_id]


def test_reading_the_access_log_in_the_admin_is_logged(su_client):
    post = f.AdgangslogFactory()
    foer = Adgangslog.objects.count()
    su_client.get(url(Adgangslog, "changelist"))
    su_client.get(url(Adgangslog, "change", post.pk))
    poster = nye_poster(foer)
    assert [p.hvad for p in poster] == ["Adgangslog i administrationen"] * 2
    assert {p.borger_id for p in poster} == {post.borger_id}
    assert poster[0].objekter == [{"type": "adgangslog", "id": str(post.pk)}]


def test_the_passivate_confirmation_page_is_logged(su_client):
    tilstand = f.TilstandFactory()
    foer = Adgangslog.objects.count()
    su_client.post(
        url(Tilstand, "changelist"),
        {"action": "passiver", "_selected_action": [str(tilstand.pk)], "index": "0"},
    )
    [post] = nye_poster(foer)
    assert post.borger_id == tilstand.borger_id
    assert post.hvad == "Passivering i administrationen"


# --- if the entry cannot be written, the page fails ----------------------------------------


@pytest.fixture
def fejlklient(django_user_model):
    """A superuser's client that gets the 500 page instead of the exception."""
    user = django_user_model.objects.create_superuser("su", "su@example.org", None)
    klient = Client(raise_request_exception=False)
    klient.force_login(user)
    return klient


def test_change_page_fails_when_the_entry_cannot_be_written(fejlklient, monkeypatch):
    tilstand = f.TilstandFactory(faglig_note="Fortroligt: falder om natten")

    def fejler(**kwargs):
        raise DatabaseError("adgangsloggen kan ikke skrives")

    monkeypatch.setattr("samtykke.admin.faelles.adgangslog_write", fejler)
    svar = fejlklient.get(url(Tilstand, "change", tilstand.pk))
    assert svar.status_code == 500
    indhold = svar.content.decode()
    assert "falder om natten" not in indhold
    assert tilstand.borger.navn not in indhold
    assert Adgangslog.objects.count() == 0


def test_changelist_fails_when_the_entries_cannot_be_written(fejlklient, monkeypatch):
    tilstand = f.TilstandFactory()

    def fejler(**kwargs):
        raise DatabaseError("adgangsloggen kan ikke skrives")

    monkeypatch.setattr("samtykke.admin.faelles.adgangslog_write_many", fejler)
    svar = fejlklient.get(url(Tilstand, "changelist"))
    assert svar.status_code == 500
    assert tilstand.borger.navn not in svar.content.decode()


@pytest.fixture
def log_afviser_insert():
    """Make PostgreSQL refuse every new access-log entry (rolled back with the test)."""
    with connection.cursor() as c:
        c.execute(
            "CREATE FUNCTION test_afvis_adgangslog() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'adgangsloggen er utilgængelig'; END; $$ LANGUAGE plpgsql"
        )
        c.execute(
            "CREATE TRIGGER test_afvis_adgangslog BEFORE INSERT ON samtykke_adgangslog "
            "FOR EACH ROW EXECUTE FUNCTION test_afvis_adgangslog()"
        )


@pytest.mark.parametrize("side", ["change", "changelist"])
def test_pages_fail_when_the_database_refuses_the_entry(su_client, side, request):
    tilstand = f.TilstandFactory()
    request.getfixturevalue("log_afviser_insert")
    args = [tilstand.pk] if side == "change" else []
    with pytest.raises(DatabaseError, match="utilgængelig"):
        su_client.get(url(Tilstand, side, *args))


# --- checking the hash chains from the admin ------------------------------------------------


def verificer_ok() -> bool:
    return list(verificer()) == []


def test_verify_button_reports_an_intact_chain(su_client):
    f.AdgangslogFactory()
    liste = su_client.get(url(Adgangslog, "changelist")).content.decode()
    assert reverse("admin:samtykke_adgangslog_verificer") in liste
    assert "Kontrollér hash-kæderne" in liste
    assert su_client.get(reverse("admin:samtykke_adgangslog_verificer")).status_code == 405
    svar = su_client.post(reverse("admin:samtykke_adgangslog_verificer"))
    assert svar.status_code == 302
    assert svar["Location"] == url(Adgangslog, "changelist")
    tekster = [str(m) for m in get_messages(svar.wsgi_request)]
    assert any("intakt" in t for t in tekster), tekster


def test_verify_button_names_a_broken_chain(su_client):
    post = f.AdgangslogFactory()
    anden = f.AdgangslogFactory()
    with connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks block ALTER TABLE
        c.execute("ALTER TABLE samtykke_adgangslog DISABLE TRIGGER samtykke_adgangslog_append_only")
        c.execute("UPDATE samtykke_adgangslog SET hvad = 'intet at se' WHERE id = %s", [post.pk])
        c.execute("ALTER TABLE samtykke_adgangslog ENABLE TRIGGER samtykke_adgangslog_append_only")
    svar = su_client.post(reverse("admin:samtykke_adgangslog_verificer"))
    tekster = [str(m) for m in get_messages(svar.wsgi_request)]
    assert any("1 brudt hash-kæde" in t for t in tekster), tekster
    assert any(url(Adgangslog, "change", post.pk) in t and "ændret" in t for t in tekster)
    assert not any(url(Adgangslog, "change", anden.pk) in t for t in tekster)
    assert not any(post.borger.cpr in t for t in tekster)


def test_staff_without_view_permission_cannot_run_the_check(client, django_user_model):
    bruger = django_user_model.objects.create_user("personale", is_staff=True)
    client.force_login(bruger)
    assert client.post(reverse("admin:samtykke_adgangslog_verificer")).status_code == 403


def test_batch_entries_continue_the_same_chains(grundlag):
    from organisation.selectors import aktoer_for

    g = grundlag
    aktoer = aktoer_for(g.user)
    felles = {"aktoer": aktoer, "user": g.user, "grundlag": Grundlag.ADMINISTRATION}
    adgangslog_write(borger=g.borger, hvad="en", **felles)
    adgangslog_write_many(
        poster={g.borger.pk: [("tilstand", g.borger.pk)], g.anden_borger.pk: []},
        hvad="liste",
        handling=Handling.ADMIN,
        **felles,
    )
    adgangslog_write(borger=g.anden_borger, hvad="to", **felles)
    kaede = list(Adgangslog.objects.filter(borger=g.borger).order_by("nummer"))
    assert [p.nummer for p in kaede] == [1, 2]
    assert kaede[1].forrige_hash == kaede[0].hash
    assert (kaede[1].enhed_navn, kaede[1].rolle) == ("Hjemmepleje", "Sagsbehandler")
    assert [p.nummer for p in Adgangslog.objects.filter(borger=g.anden_borger)] == [1, 2]
    assert verificer_ok()


# --- the lists cost the same for 1 and 20 rows --------------------------------------------


@pytest.mark.parametrize("model", [*SKRIVEBESKYTTET, Relation], ids=label)
def test_changelist_query_count_is_the_same_for_1_and_20_rows(
    su_client, model, django_assert_num_queries
):
    fabrik = f.FACTORIES[model]
    fabrik()
    side = url(model, "changelist")
    su_client.get(side)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as en_raekke:
        assert su_client.get(side).status_code == 200
    fabrik.create_batch(19)
    foer = Adgangslog.objects.count()
    with django_assert_num_queries(len(en_raekke)):
        svar = su_client.get(side)
    vist = svar.context["cl"].result_list
    assert len(vist) >= 20
    assert Adgangslog.objects.count() - foer == len({p.borger_id for p in nye_poster(foer)})


# --- CPR numbers stay out of URLs and pages ------------------------------------------------


@pytest.mark.parametrize("model", SKRIVEBESKYTTET, ids=label)
def test_cpr_is_neither_searchable_nor_shown(su_client, model):
    obj = f.FACTORIES[model]()
    cpr = borger_af(obj).cpr
    formateret = f"{cpr[:6]}-{cpr[6:]}"
    for side in (url(model, "changelist"), url(model, "change", obj.pk)):
        indhold = su_client.get(side).content.decode()
        assert cpr not in indhold and formateret not in indhold
    svar = su_client.get(url(model, "changelist"), {"q": formateret, "o": "1"})
    assert svar.status_code == 302
    assert cpr[:6] not in svar["Location"]
    assert "o=1" in svar["Location"]
    sti = "hjemmel__borger__cpr" if model is HjemmelGennemgang else "borger__cpr"
    assert su_client.get(url(model, "changelist"), {sti: cpr}).status_code == 400
    assert not Adgangslog.objects.filter(hvad__contains=cpr[:6]).exists()


def test_the_citizen_list_is_a_directory_and_one_citizens_page_a_read(su_client):
    """A new user found ~100 entries in each citizen's log from opening the admin's list of
    citizens: a list of names is not a read of anyone's data; one citizen's page is, and
    writes one entry, in that citizen's log only (the superuser like anyone else)."""
    borgere = [f.BorgerFactory() for _ in range(30)]
    foer = Adgangslog.objects.count()
    svar = su_client.get(url(Borger, "changelist"))
    assert svar.status_code == 200 and len(svar.context["cl"].result_list) == 30
    assert nye_poster(foer) == []

    su_client.get(url(Borger, "change", borgere[0].pk))
    [post] = nye_poster(foer)
    assert post.borger_id == borgere[0].pk and post.handling == Handling.ADMIN


def test_the_admin_speaks_danish(su_client):
    """A new user met "Django administration" and "OBJECT PERMISSIONS" in the admin."""
    html = su_client.get(reverse("admin:index")).content.decode()
    assert "Datadeling – administration" in html and "Django" not in html
    borger = f.BorgerFactory()
    side = su_client.get(url(Borger, "change", borger.pk)).content.decode()
    assert "Objektrettigheder" in side and "Object permissions" not in side
    rettigheder = su_client.get(url(Borger, "permissions", borger.pk)).content.decode()
    assert "Brugerrettigheder" in rettigheder and "User permissions" not in rettigheder
