"""MOX `klasse` messages: a fagsystem's own local classes, never KL's imported ones."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from klassifikation import kendte
from klassifikation import services as klassifikation_services
from klassifikation.models import Betegnelse, Klasse, Klassifikation, Status
from mox.behandling.klasse import system_uri
from tests.mox.conftest import lora_fixture
from tests.mox.test_organisation import felter, indpak, status, v


@pytest.fixture(autouse=True)
def eager():
    """These tests drive the processing logic in-process; test_worker.py runs real workers."""
    from datadeling.celery import app

    foer = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = foer


@pytest.fixture
def send(afsender, django_capture_on_commit_callbacks):
    """POST envelopes as one batch (from `som`, else afsender) and run what the commit
    enqueues (eager tasks)."""

    def _send(*beskeder, som=None):
        with django_capture_on_commit_callbacks(execute=True):
            svar = (som or afsender).post({"beskeder": list(beskeder)})
        assert svar.status_code == 202, svar.content
        return svar

    return _send


def klasse_data(kode="K1", titel="Klasse", *, overordnet=None, facet=None, fra="2022-01-01"):
    relationer = {}
    if overordnet is not None:
        relationer["overordnetklasse"] = [{"uuid": str(overordnet), "virkning": v(fra)}]
    if facet is not None:
        relationer["facet"] = [{"uuid": str(facet), "virkning": v(fra)}]
    return {
        "attributter": {
            "klasseegenskaber": [{"brugervendtnoegle": kode, "titel": titel, "virkning": v(fra)}]
        },
        "tilstande": {"klassepubliceret": [{"publiceret": "Publiceret", "virkning": v(fra)}]},
        "relationer": relationer,
    }


def klasse(data=None, operation="create", objekt_id=None, **kwargs) -> dict:
    return indpak(data if data is not None else klasse_data(**kwargs), "klasse", operation,
                  objekt_id)  # fmt: skip


# --- LoRa's fixtures ------------------------------------------------------------------------


def test_loras_klasse_becomes_a_local_class_of_the_sending_system(afsender, send):
    besked = klasse(lora_fixture("klasse_opret.json"))
    send(besked)

    assert status(afsender, besked) == {
        "beskedID": besked["beskedID"],
        "status": "behandlet",
        "fejl": [],
    }
    k = Klasse.objects.select_related("klassifikation").get(pk=besked["objektID"])
    assert (k.kode, k.titel, k.definition) == ("ORGFUNK", "XYZ", "Organisatorisk funktion")
    assert k.egenskaber == {"eksempel": "Hierarkisk", "omfang": "Magenta", "retskilde": "Ja"}
    assert (k.status, k.gyldig_fra, k.overordnet, k.sti, k.niveau) == (
        Status.AKTIV, datetime.date(2014, 5, 19), None, [], 0,
    )  # fmt: skip
    assert k.klassifikation.uri == system_uri(afsender.system)
    assert k.klassifikation.titel == f"Lokale klasser fra {afsender.system.navn}"
    assert k.klassifikation.importeret is None
    assert sorted(Betegnelse.objects.filter(klasse=k).values_list("tekst", "brug", "kilde")) == [
        ("KL", "info", k.klassifikation.uri),
        ("Magentaø", "info", k.klassifikation.uri),
    ]


def test_loras_klasse_update_replaces_the_search_words_only(afsender, send):
    opret = klasse(lora_fixture("klasse_opret.json"))
    ret = klasse(lora_fixture("klasse_opdater.json"), "update", opret["objektID"])
    send(opret, ret)

    assert status(afsender, ret)["status"] == "behandlet"
    k = Klasse.objects.get(pk=opret["objektID"])
    assert (k.kode, k.titel) == ("ORGFUNK", "XYZ")
    assert list(Betegnelse.objects.filter(klasse=k).values_list("tekst", "brug")) == [
        ("hej", "dig")
    ]


def test_passivate_and_delete_retire_the_class(afsender, send, uden_kodesystemer):
    a, b = klasse(kode="A"), klasse(kode="B")
    send(
        a,
        b,
        indpak({"note": "Udgår"}, "klasse", "passivate", a["objektID"]),
        indpak(None, "klasse", "delete", b["objektID"]),
    )
    assert set(Klasse.objects.values_list("status", flat=True)) == {Status.UDGAAET}


# --- KL's imported code systems are never changed -------------------------------------------


@pytest.fixture
def fsiii_klasse(kodesystemer) -> Klasse:
    return Klasse.objects.filter(sti__contains=[kendte.FSIII_FUNKTIONSEVNETILSTANDE[0]]).first()


def test_a_class_of_an_imported_code_system_is_never_changed(afsender, send, fsiii_klasse):
    foer = Klasse.objects.values().get(pk=fsiii_klasse.pk)
    ret = klasse(
        {
            "attributter": {
                "klasseegenskaber": [{"titel": "Overtaget", "virkning": v("2022-01-01")}]
            }
        },
        "update",
        fsiii_klasse.pk,
    )
    passiver = indpak(None, "klasse", "passivate", fsiii_klasse.pk)
    opret = klasse(objekt_id=fsiii_klasse.pk)
    send(ret, passiver, opret)
    for b in (ret, passiver, opret):
        svar = status(afsender, b)
        assert svar["status"] == "fejlet"
        assert svar["fejl"][0]["felt"] == "objektID"
        assert "importeres fra filer" in svar["fejl"][0]["fejl"]
    assert Klasse.objects.values().get(pk=fsiii_klasse.pk) == foer


def test_no_class_can_be_added_to_an_imported_code_system(afsender, send, fsiii_klasse):
    fsiii = fsiii_klasse.klassifikation
    under_facet = klasse(kode="NY", facet=fsiii.pk)
    under_klasse = klasse(kode="NY2", overordnet=fsiii_klasse.pk)
    send(under_facet, under_klasse)
    assert felter(afsender, under_facet) == ["data.relationer.facet[0].uuid"]
    assert felter(afsender, under_klasse) == ["data.relationer.overordnetklasse[0].uuid"]
    assert not Klasse.objects.filter(kode__in=["NY", "NY2"]).exists()


def test_the_services_refuse_imported_code_systems_too(fsiii_klasse):
    with pytest.raises(ValidationError) as e:
        klassifikation_services.klasse_update(
            actor=None, klasse=fsiii_klasse, aendringer={"titel": "X"}
        )
    assert list(e.value.message_dict) == ["klassifikation"]
    with pytest.raises(ValidationError):
        klassifikation_services.klasse_passivate(actor=None, klasse=fsiii_klasse)
    with pytest.raises(ValidationError):
        klassifikation_services.klasse_create(
            actor=None, klassifikation=fsiii_klasse.klassifikation, kode="X", titel="X"
        )
    with pytest.raises(ValidationError):
        klassifikation_services.klassifikation_lokal(
            actor=None, uri=kendte.FSIII_URI, navn="x", titel="x"
        )
    fsiii_klasse.refresh_from_db()
    assert fsiii_klasse.status == Status.AKTIV


# --- ownership, facets and trees ------------------------------------------------------------


def test_another_system_cannot_change_a_class_or_use_its_facet(afsender, anden_afsender, send):
    facet = uuid.uuid4()
    opret = klasse(kode="A", facet=facet)
    send(opret)
    assert (
        Klassifikation.objects.get(pk=facet).uri == f"{system_uri(afsender.system)}:facet:{facet}"
    )

    ret = klasse(
        {
            "attributter": {
                "klasseegenskaber": [{"titel": "Overtaget", "virkning": v("2022-01-01")}]
            }
        },
        "update",
        opret["objektID"],
    )
    fremmed_facet = klasse(kode="B", facet=facet)
    send(ret, fremmed_facet, som=anden_afsender)
    assert felter(anden_afsender, ret) == ["objektID"]
    assert felter(anden_afsender, fremmed_facet) == ["data.relationer.facet[0].uuid"]
    assert Klasse.objects.get(pk=opret["objektID"]).titel == "Klasse"


def test_a_child_class_waits_for_its_parent_and_the_tree_is_kept(afsender, send):
    facet, rod, midt, blad = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    b_blad = klasse(kode="BLAD", overordnet=midt, facet=facet, objekt_id=blad)
    send(b_blad)
    svar = status(afsender, b_blad)
    assert (svar["status"], svar["fejl"][0]["felt"]) == (
        "venter", "data.relationer.overordnetklasse[0].uuid",
    )  # fmt: skip
    send(
        klasse(kode="MIDT", overordnet=rod, facet=facet, objekt_id=midt),
        klasse(kode="ROD", facet=facet, objekt_id=rod),
    )
    assert status(afsender, b_blad)["status"] == "behandlet"
    k = Klasse.objects.in_bulk([rod, midt, blad])
    assert (k[blad].sti, k[blad].niveau) == ([rod, midt], 2)
    assert (k[midt].sti, k[midt].niveau) == ([rod], 1)

    # moving the middle class to the top moves its subtree with it
    ret = klasse({"relationer": {"overordnetklasse": []}}, "update", midt)
    send(ret)
    assert status(afsender, ret)["status"] == "behandlet"
    k = Klasse.objects.in_bulk([midt, blad])
    assert (k[midt].sti, k[midt].niveau, k[midt].overordnet_id) == ([], 0, None)
    assert (k[blad].sti, k[blad].niveau) == ([midt], 1)

    # and a class cannot go below its own descendant
    ring = klasse(
        {"relationer": {"overordnetklasse": [{"uuid": str(blad), "virkning": v("2022-01-01")}]}},
        "update",
        midt,
    )
    send(ring)
    assert felter(afsender, ring) == ["data.relationer.overordnetklasse[0].uuid"]


def test_malformed_classes_fail_naming_the_field(afsender, send, uden_kodesystemer):
    facet = uuid.uuid4()
    send(klasse(kode="A", facet=facet))
    dublet = klasse(kode="A", facet=facet)
    anden_facet = klasse(kode="B", overordnet=Klasse.objects.get(kode="A").pk)
    send(dublet, anden_facet)
    assert felter(afsender, dublet) == ["data.attributter.klasseegenskaber[0].brugervendtnoegle"]
    # the parent is in the facet's code system, the new class in the system's own
    assert felter(afsender, anden_facet) == ["data.relationer.overordnetklasse[0].uuid"]


def test_a_class_cannot_move_to_another_facet(afsender, send):
    facet = uuid.uuid4()
    opret = klasse(kode="A", facet=facet)
    send(opret)
    flyt = klasse(
        {"relationer": {"facet": [{"uuid": str(uuid.uuid4()), "virkning": v("2022-01-01")}]}},
        "update",
        opret["objektID"],
    )
    send(flyt)
    assert felter(afsender, flyt) == ["data.relationer.facet[0].uuid"]


def test_the_services_validate_local_classes(db):
    ks = klassifikation_services.klassifikation_lokal(
        actor=None, uri="urn:test:lokal", navn="lokal", titel="Lokal"
    )
    assert klassifikation_services.klassifikation_lokal(
        actor=None, uri="urn:test:lokal", navn="x", titel="x"
    ) == ks  # fmt: skip
    a = klassifikation_services.klasse_create(actor=None, klassifikation=ks, kode="A", titel="A")
    with pytest.raises(ValidationError) as e:
        klassifikation_services.klasse_create(
            actor=None, klassifikation=ks, kode="A", titel="", klasse_id=a.pk,
            gyldig_fra=datetime.date(2024, 1, 2), gyldig_til=datetime.date(2024, 1, 1),
        )  # fmt: skip
    assert e.value.message_dict == {
        "id": ["Der findes allerede en klasse med dette id."],
        "kode": ["Koden findes allerede i kodesystemet."],
        "titel": ["Dette felt kan ikke være tomt."],
        "gyldig_til": ["Slutdatoen skal ligge efter startdatoen."],
    }
    with pytest.raises(ValidationError) as e:
        klassifikation_services.klasse_update(actor=None, klasse=a, aendringer={"overordnet": a})
    assert list(e.value.message_dict) == ["overordnet"]
    with pytest.raises(TypeError):
        klassifikation_services.klasse_update(actor=None, klasse=a, aendringer={"sti": []})
