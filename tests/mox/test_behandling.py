"""Processing of the MOX inbox: OIO objects become Tilstande and Indsatser, in order, once."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo

import pytest
from django.contrib.auth import get_user_model

from indsats.models import Indsats
from klassifikation import kendte
from klassifikation.models import Klasse
from mox.behandling import koe
from mox.behandling.anvend import anvend
from mox.models import Besked
from mox.protokol import Status
from mox.tasks import behandl_besked, fej_op
from organisation.models import Funktion, Medarbejder
from tests.mox.conftest import CPR, lora_fixture
from tilstand.models import Tilstand, TilstandRegistrering

KBH = zoneinfo.ZoneInfo("Europe/Copenhagen")
LORA_BRUGER = uuid.UUID("ddc99abd-c1b0-48c2-aef7-74fea841adae")  # aktoerref in LoRa's fixtures
BORGER_URN = f"urn:dk:cpr:person:{CPR}"


def indpak(data, objekttype="tilstand", operation="create", objekt_id=None) -> dict:
    besked = {
        "beskedID": str(uuid.uuid4()),
        "beskedversion": "1",
        "beskedtype": "Manipulation",
        "objekttype": objekttype,
        "operation": operation,
        "objektID": str(objekt_id or uuid.uuid4()),
        "data": data,
    }
    if data is None:
        del besked["data"]
    return besked


def v(fra: str, til: str = "infinity") -> dict:
    return {"from": fra, "to": til}


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
    """POST envelopes as one batch and run what the commit enqueues (eager tasks)."""

    def _send(*beskeder):
        with django_capture_on_commit_callbacks(execute=True):
            svar = afsender.post({"beskeder": list(beskeder)})
        assert svar.status_code == 202, svar.content
        return svar

    return _send


def status(afsender, besked) -> dict:
    svar = afsender.get(besked["beskedID"])
    assert svar.status_code == 200
    return svar.json()


@pytest.fixture
def lora_bruger(grundlag):
    """The staff member LoRa's fixtures name as aktoer, known to Datadeling, in one unit."""
    user = get_user_model().objects.create_user("lora")
    m = Medarbejder.objects.create(
        id=LORA_BRUGER, user=user, myndighed=grundlag.myndighed, navn="LoRa Bruger"
    )
    Funktion.objects.create(medarbejder=m, enhed=grundlag.enhed, rolle="sagsbehandler")
    return m


def indsatstype() -> Klasse:
    """A concrete FSIII intervention (a leaf below the pleje- og omsorgsindsatser)."""
    return (
        Klasse.objects.filter(sti__contains=[kendte.FSIII_INDSATSER[0]], underordnede__isnull=True)
        .order_by("kode")
        .first()
    )


def niveau(titel: str = "2") -> Klasse:
    return Klasse.objects.get(sti__contains=[kendte.FSIII_FUNKTIONSEVNE_SKALA], titel=titel)


def tilstand_data(grundlag, fra="2024-04-12", beskrivelse="Klarer kolde måltider.") -> dict:
    return {
        "note": "Funktionsevnevurdering",
        "attributter": {
            "tilstandegenskaber": [
                {"brugervendtnoegle": "T-1", "beskrivelse": beskrivelse, "virkning": v(fra)}
            ]
        },
        "tilstande": {
            "tilstandstatus": [{"status": "Aktiv", "virkning": v(fra)}],
            "tilstandpubliceret": [{"publiceret": "Normal", "virkning": v(fra)}],
        },
        "relationer": {
            "tilstandsobjekt": [{"objekttype": "Person", "urn": BORGER_URN, "virkning": v(fra)}],
            "tilstandstype": [
                {"objekttype": "Klasse", "uuid": str(grundlag.type.pk), "virkning": v(fra)}
            ],
            "tilstandsaktoer": [
                {
                    "objekttype": "Organisationenhed",
                    "uuid": str(grundlag.enhed.pk),
                    "virkning": v(fra),
                }
            ],
        },
    }


# --- LoRa's fixtures (the first Done-when) ---------------------------------------


def test_loras_tilstand_with_the_citizen_added_produces_the_tilstand(
    afsender, grundlag, lora_bruger, send
):
    data = lora_fixture("tilstand_opret.json")
    virkning = data["relationer"]["tilstandsobjekt"][0]["virkning"]
    data["relationer"]["tilstandsobjekt"] = [
        {"objekttype": "Person", "urn": BORGER_URN, "virkning": virkning}
    ]
    # the fixture's one class (tilstandskvalitet) points at an imported FSIII condition
    data["relationer"]["tilstandskvalitet"][0]["uuid"] = str(grundlag.type.pk)
    besked = indpak(data)
    send(besked)

    assert status(afsender, besked) == {
        "beskedID": besked["beskedID"],
        "status": "behandlet",
        "fejl": [],
    }
    t = Tilstand.objects.get(pk=besked["objektID"])
    assert t.type == grundlag.type
    assert t.borger == grundlag.borger
    assert t.virkning_fra == datetime.datetime(2014, 5, 19, 12, 2, 32, tzinfo=KBH)
    assert t.virkning_til is None
    assert t.kildesystem == afsender.system.navn
    assert t.kildesystem_id == "RASK"
    assert t.faglig_note == "Alt OK"
    assert t.status == "aktiv"
    assert t.ansvarlig == lora_bruger
    assert t.ansvarlig_enhed == grundlag.enhed
    assert t.livscykluskode == "Importeret"


def test_loras_indsats_with_the_recipient_added_produces_the_indsats(
    afsender, grundlag, lora_bruger, send
):
    data = lora_fixture("indsats_opret.json")
    virkning = data["relationer"]["indsatsaktoer"][0]["virkning"]
    data["relationer"]["indsatsmodtager"] = [
        {"objekttype": "Person", "urn": BORGER_URN, "virkning": virkning}
    ]
    # LoRa's indsats names no class at all; Datadeling needs the intervention's type.
    type_ = indsatstype()
    data["relationer"]["indsatstype"] = [
        {"objekttype": "Klasse", "uuid": str(type_.pk), "virkning": virkning}
    ]
    besked = indpak(data, "indsats")
    send(besked)

    assert status(afsender, besked)["status"] == "behandlet"
    i = Indsats.objects.get(pk=besked["objektID"])
    assert i.type == type_
    assert i.borger == grundlag.borger
    assert i.startdato == datetime.date(2014, 5, 19)
    assert i.slutdato == datetime.date(2016, 5, 19)
    assert i.virkning_fra == datetime.datetime(2014, 5, 19, 12, 2, 32, tzinfo=KBH)
    assert i.fremdrift == "Uoplyst"
    assert i.formaal == "Hjemmebesøg"
    assert i.kildesystem == afsender.system.navn
    assert i.kildesystem_id == "BESOEG"
    assert i.ansvarlig == lora_bruger
    assert i.ansvarlig_enhed == grundlag.enhed


def test_loras_indsats_as_shipped_fails_naming_the_missing_recipient(afsender, grundlag, send):
    besked = indpak(lora_fixture("indsats_opret.json"), "indsats")
    send(besked)

    svar = status(afsender, besked)
    assert svar["status"] == "fejlet"
    assert {
        "felt": "data.relationer.indsatsmodtager",
        "fejl": "Indsatsen mangler en modtager (borgeren).",
    } in svar["fejl"]
    assert not Indsats.objects.filter(pk=besked["objektID"]).exists()


# --- permanent errors ---------------------------------------------------------------------


def test_an_unknown_citizen_fails_without_echoing_the_cpr(afsender, grundlag, send):
    data = tilstand_data(grundlag)
    data["relationer"]["tilstandsobjekt"][0]["urn"] = "urn:dk:cpr:person:0303801234"
    besked = indpak(data)
    send(besked)
    svar = status(afsender, besked)
    assert svar["status"] == "fejlet"
    assert svar["fejl"] == [
        {"felt": "data.relationer.tilstandsobjekt[0]", "fejl": "Borgeren findes ikke i Datadeling."}
    ]
    assert "0303801234" not in str(svar)


def test_a_class_not_imported_fails_naming_the_field(afsender, grundlag, send):
    data = tilstand_data(grundlag)
    data["relationer"]["tilstandstype"][0]["uuid"] = str(uuid.uuid4())
    besked = indpak(data)
    send(besked)
    svar = status(afsender, besked)
    assert svar["status"] == "fejlet"
    assert svar["fejl"][0]["felt"] == "data.relationer.tilstandstype[0].uuid"


def test_a_service_rule_fails_with_the_field_of_the_message(afsender, grundlag, send):
    data = tilstand_data(grundlag)
    # a level from FSIII's scale is allowed; an intervention class as the type is not
    data["relationer"]["tilstandstype"][0]["uuid"] = str(indsatstype().pk)
    besked = indpak(data)
    send(besked)
    svar = status(afsender, besked)
    assert svar["status"] == "fejlet"
    assert svar["fejl"][0]["felt"] in {
        "data.relationer.tilstandstype[0].uuid",
        "data.relationer.tilstandstype",
    }


def test_virkning_in_the_future_fails_and_nothing_is_half_applied(afsender, grundlag, send):
    data = tilstand_data(grundlag, fra="2099-01-01")
    besked = indpak(data)
    send(besked)
    svar = status(afsender, besked)
    assert svar["status"] == "fejlet"
    assert "fremtiden" in svar["fejl"][0]["fejl"]
    assert not Tilstand.objects.filter(pk=besked["objektID"]).exists()


def test_a_second_create_for_an_existing_object_fails(afsender, grundlag, send):
    foerste = indpak(tilstand_data(grundlag))
    anden = indpak(tilstand_data(grundlag), objekt_id=foerste["objektID"])
    send(foerste, anden)
    assert status(afsender, foerste)["status"] == "behandlet"
    assert status(afsender, anden)["fejl"][0]["felt"] == "objektID"


# --- order and idempotency ----------------------------------------------------------------


def test_create_then_update_in_one_batch_are_applied_in_order(afsender, grundlag, send):
    opret = indpak(tilstand_data(grundlag, fra="2024-04-12"))
    ret = indpak(
        {
            "note": "Revurderet",
            "attributter": {
                "tilstandegenskaber": [
                    {"beskrivelse": "Kan nu lave mad.", "virkning": v("2024-06-01")}
                ]
            },
            "relationer": {
                "tilstandskvalitet": [
                    {
                        "objekttype": "Klasse",
                        "uuid": str(niveau("1").pk),
                        "virkning": v("2024-06-01"),
                    }
                ]
            },
        },
        operation="update",
        objekt_id=opret["objektID"],
    )
    send(opret, ret)

    assert status(afsender, opret)["status"] == "behandlet"
    assert status(afsender, ret)["status"] == "behandlet"
    t = Tilstand.objects.get(pk=opret["objektID"])
    assert t.faglig_note == "Kan nu lave mad."
    assert t.niveau == niveau("1")
    assert t.virkning_fra == datetime.datetime(2024, 6, 1, tzinfo=KBH)
    assert TilstandRegistrering.objects.filter(tilstand=t).count() == 2
    b1, b2 = Besked.objects.filter(objekt_id=opret["objektID"]).order_by("behandlet")
    assert (b1.operation, b2.operation) == ("create", "update")


def test_an_update_before_its_create_waits_and_is_applied_after(afsender, grundlag, send):
    objekt_id = uuid.uuid4()
    ret = indpak(
        {"tilstande": {"tilstandstatus": [{"status": "Inaktiv", "virkning": v("2024-05-01")}]}},
        operation="update",
        objekt_id=objekt_id,
    )
    send(ret)
    svar = status(afsender, ret)
    assert svar["status"] == "venter"
    assert svar["fejl"][0]["felt"] == "objektID"

    opret = indpak(tilstand_data(grundlag), objekt_id=objekt_id)
    send(opret)
    assert status(afsender, opret)["status"] == "behandlet"
    assert status(afsender, ret) == {"beskedID": ret["beskedID"], "status": "behandlet", "fejl": []}
    assert Tilstand.objects.get(pk=objekt_id).status == "inaktiv"


def test_a_later_message_waits_while_an_earlier_one_is_open(afsender, grundlag):
    opret = indpak(tilstand_data(grundlag))
    ret = indpak(
        {"tilstande": {"tilstandstatus": [{"status": "Inaktiv", "virkning": v("2024-05-01")}]}},
        operation="update",
        objekt_id=opret["objektID"],
    )
    afsender.post({"beskeder": [opret, ret]})  # the commit's tasks are not run here
    b_opret, b_ret = Besked.objects.order_by("pk")
    assert anvend(b_ret.pk) == Status.VENTER
    assert anvend(b_opret.pk) == Status.BEHANDLET
    assert anvend(b_ret.pk) == Status.BEHANDLET
    assert Tilstand.objects.get(pk=opret["objektID"]).status == "inaktiv"


def test_a_repeated_message_is_applied_once(afsender, grundlag, send):
    besked = indpak(tilstand_data(grundlag))
    send(besked)
    send(besked)  # the same beskedID again: stored once
    pk = Besked.objects.get().pk
    assert behandl_besked.delay(pk).get() == Status.BEHANDLET  # a redelivered task
    assert anvend(pk) == Status.BEHANDLET
    assert TilstandRegistrering.objects.filter(tilstand_id=besked["objektID"]).count() == 1
    assert Besked.objects.get().forsoeg == 1


def test_passivate_and_delete(afsender, grundlag, send):
    t1, t2 = indpak(tilstand_data(grundlag)), indpak(tilstand_data(grundlag))
    p1 = indpak({"note": "Fejlregistrering"}, operation="passivate", objekt_id=t1["objektID"])
    p2 = indpak(None, operation="delete", objekt_id=t2["objektID"])
    send(t1, t2, p1, p2)
    assert [status(afsender, b)["status"] for b in (t1, t2, p1, p2)] == ["behandlet"] * 4
    a, b = Tilstand.objects.get(pk=t1["objektID"]), Tilstand.objects.get(pk=t2["objektID"])
    assert (a.aktiv, a.livscykluskode) == (False, "Passiveret")
    assert (b.aktiv, b.livscykluskode) == (False, "Slettet")


# --- the sweep ------------------------------------------------------------------------------


def test_the_sweep_enqueues_lost_messages(afsender, grundlag, settings):
    settings.MOX_FEJ_OP_ALDER = datetime.timedelta(0)
    besked = indpak(tilstand_data(grundlag))
    afsender.post(besked)  # stored; its task never ran (the commit's callbacks are dropped)
    assert Besked.objects.get().status == Status.MODTAGET
    assert fej_op() == 1
    assert Besked.objects.get().status == Status.BEHANDLET
    assert fej_op() == 0


def test_a_message_waiting_too_long_for_its_object_fails(afsender, grundlag, send, settings):
    ret = indpak(
        {"tilstande": {"tilstandstatus": [{"status": "Inaktiv", "virkning": v("2024-05-01")}]}},
        operation="update",
    )
    send(ret)
    assert status(afsender, ret)["status"] == "venter"
    settings.MOX_FEJ_OP_ALDER = datetime.timedelta(0)
    settings.MOX_MAKS_VENTETID = datetime.timedelta(0)
    fej_op()
    svar = status(afsender, ret)
    assert svar["status"] == "fejlet"
    assert svar["fejl"][0]["felt"] == "objektID"


def test_replay_reopens_a_failed_message(
    afsender, grundlag, send, django_capture_on_commit_callbacks
):
    data = tilstand_data(grundlag)
    data["relationer"]["tilstandstype"][0]["uuid"] = str(uuid.uuid4())
    besked = indpak(data)
    send(besked)
    b = Besked.objects.get()
    assert b.status == Status.FEJLET
    # the administrator corrects the data, then replays
    b.data["relationer"]["tilstandstype"][0]["uuid"] = str(grundlag.type.pk)
    b.save(update_fields=["data"])
    with django_capture_on_commit_callbacks(execute=True):
        assert koe.besked_behandl_igen(besked_ids=[b.pk]) == 1
    assert status(afsender, besked) == {
        "beskedID": besked["beskedID"],
        "status": "behandlet",
        "fejl": [],
    }
    assert Tilstand.objects.filter(pk=besked["objektID"]).exists()


def test_a_system_cannot_change_another_systems_object(
    afsender, anden_afsender, grundlag, send, settings, django_capture_on_commit_callbacks
):
    """Another system's object is, to the sender, as unknown as one that does not exist:
    the same answer while it waits and when it fails (no existence oracle, issue 11 #7)."""
    opret = indpak(tilstand_data(grundlag))
    send(opret)

    def ret(objekt_id):
        return indpak(
            {"tilstande": {"tilstandstatus": [{"status": "Inaktiv", "virkning": v("2024-05-01")}]}},
            operation="update",
            objekt_id=objekt_id,
        )

    beskeder = [ret(opret["objektID"]), ret(str(uuid.uuid4()))]  # another's, an unknown
    for besked in beskeder:
        with django_capture_on_commit_callbacks(execute=True):
            assert anden_afsender.post(besked).status_code == 202

    def svar():
        return [
            {k: s[k] for k in ("status", "fejl")}
            for s in (status(anden_afsender, b) for b in beskeder)
        ]

    andens, ukendt = svar()
    assert andens == ukendt and andens["status"] == "venter"
    settings.MOX_MAKS_VENTETID = datetime.timedelta(0)
    for b in beskeder:
        anvend(Besked.objects.get(besked_id=b["beskedID"]).pk)
    andens, ukendt = svar()
    assert andens == ukendt and andens["status"] == "fejlet"
    assert andens["fejl"][0]["felt"] == "objektID"
    assert Tilstand.objects.get(pk=opret["objektID"]).status == "aktiv"
