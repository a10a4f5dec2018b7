"""MOX `sag` messages fill the case index (sagsindeks): mapping, operations, ownership."""

from __future__ import annotations

import copy
import datetime
import json
import uuid

import pytest
from django.utils import timezone

from mox import eksempler
from mox.behandling.anvend import anvend
from mox.models import Besked
from organisation.models import Enhed
from sagsindeks.models import Sag, SagRegistrering
from tests.mox import test_behandling as tb
from tests.mox.conftest import CPR, lora_fixture
from tests.mox.test_behandling import BORGER_URN, LORA_BRUGER, indpak, status, v

pytestmark = pytest.mark.django_db

# The processing tests' fixtures: eager tasks, a batch sender, LoRa's staff member.
eager = tb.eager
send = tb.send
lora_bruger = tb.lora_bruger


def sag_data(grundlag, *, fra="2024-04-01", fremdrift="Oplyst", **egenskaber) -> dict:
    """The documentation's SAG example, for the test citizen and the test unit."""
    data = copy.deepcopy(eksempler.SAG["data"])
    data["relationer"]["primaerpart"][0]["urn"] = BORGER_URN
    data["relationer"]["ansvarlig"][0]["uuid"] = str(grundlag.anden_enhed.pk)
    for gruppe in ("attributter", "tilstande", "relationer"):
        for poster in data[gruppe].values():
            for post in poster:
                post["virkning"] = v(fra)
    data["attributter"]["sagegenskaber"][0].update(egenskaber)
    data["tilstande"]["sagfremdrift"][0]["fremdrift"] = fremdrift
    return data


def sag_besked(grundlag, operation="create", objekt_id=None, **kwargs) -> dict:
    return indpak(sag_data(grundlag, **kwargs), "sag", operation, objekt_id)


def fejl_i(afsender, besked) -> list[dict]:
    svar = status(afsender, besked)
    assert svar["status"] == "fejlet", svar
    return svar["fejl"]


# --- LoRa's fixture and the documentation's example ----------------------------------------


def test_loras_sag_with_the_citizen_added_produces_the_case(afsender, grundlag, lora_bruger, send):
    data = lora_fixture("sag_opret.json")
    virkning = data["attributter"]["sagegenskaber"][0]["virkning"]
    data["relationer"]["primaerpart"] = [
        {"objekttype": "Person", "urn": BORGER_URN, "virkning": virkning}
    ]
    besked = indpak(data, "sag")
    send(besked)

    assert status(afsender, besked)["status"] == "behandlet"
    s = Sag.objects.get(pk=besked["objektID"])
    assert s.borger == grundlag.borger
    assert (s.kildesystem, s.kildesystem_id) == ("Omsorgssystem Testrup", "SAG1234567890")
    assert s.sagsnummer == "12345" and s.kle_nummer == ""  # no KLE prefix in "12345"
    # the title is exempt from publicity: the index holds the alternative title only
    assert s.titel == "s1kr3t!"
    assert s.fremdrift == "Opstaaet" and s.startdato == datetime.date(2014, 5, 19)
    assert s.slutdato is None and s.aktiv and s.livscykluskode == "Importeret"
    # the aktoerref (a Bruger Datadeling knows) is the caseworker; their one unit is
    # the responsible unit
    assert s.primaerbehandler_id == LORA_BRUGER and s.ansvarlig_enhed == grundlag.enhed
    # metadata only: nothing of the description or the journal entries is kept
    gemt = json.dumps(list(SagRegistrering.objects.filter(sag=s).values("data")), default=str)
    assert "sagsbeskrivelse" not in gemt and "Kommentarer" not in gemt


def test_loras_sag_as_shipped_fails_naming_the_missing_citizen(afsender, grundlag, send):
    besked = indpak(lora_fixture("sag_opret.json"), "sag")
    send(besked)
    # LoRa's unit is not one this system writes for (a unit it does not know answers the same)
    assert sorted(fejl_i(afsender, besked), key=lambda f: f["felt"]) == [
        {
            "felt": "data.relationer.ansvarlig",
            "fejl": "Angiv den ansvarlige enhed (en af de enheder, systemet skriver for).",
        },
        {"felt": "data.relationer.primaerpart", "fejl": "Sagen mangler en primærpart (borgeren)."},
    ]
    assert not Sag.objects.exists()


def test_the_documented_example_maps_every_field(afsender, grundlag, send):
    Enhed.objects.create(id=eksempler.ENHED, myndighed=grundlag.myndighed, navn="Hjemmeplejen")
    besked = copy.deepcopy(eksempler.SAG)
    besked["data"]["relationer"]["primaerpart"][0]["urn"] = BORGER_URN
    send(besked)

    assert status(afsender, besked)["status"] == "behandlet"
    s = Sag.objects.get(pk=eksempler.SAG["objektID"])
    assert (s.titel, s.sagsnummer, s.kle_nummer) == (
        "Hjemmehjælp",
        "27.24.00-G01-118-24",
        "27.24.00",
    )
    assert s.kle_klasse_uuid == uuid.UUID("4c8a2e6b-9d1f-4a3c-8e5b-7f0a1c2d3e4f")
    # the example's unit is the one the system writes for; a caseworker Datadeling does
    # not know is kept by their uuid (a unit it does not know is refused, as any unit
    # that is not the system's: test_system_enheder.py)
    assert s.ansvarlig_enhed_id == uuid.UUID(eksempler.ENHED)
    assert s.primaerbehandler is None and str(s.primaerbehandler_uuid) == eksempler.SAGSBEHANDLER
    assert s.fremdrift == "Oplyst" and s.startdato == datetime.date(2024, 4, 1)


def test_known_units_authorities_and_names_from_integrationsdata(afsender, grundlag, send):
    data = sag_data(
        grundlag,
        sagsnummer="intern-7",
        integrationsdata=json.dumps(
            {"kle": "32.18", "sagsbehandler": "Bo Berg", "myndighed": "Ukendt Region"}
        ),
    )
    data["relationer"]["ejer"] = [
        {"objekttype": "Organisation", "urn": "urn:dk:kommune:998", "virkning": v("2024-04-01")}
    ]
    del data["relationer"]["primaerbehandler"]
    besked = indpak(data, "sag")
    send(besked)

    assert status(afsender, besked)["status"] == "behandlet"
    s = Sag.objects.get(pk=besked["objektID"])
    assert s.ansvarlig_enhed == grundlag.anden_enhed
    assert s.myndighed == grundlag.myndighed and s.myndighed_uuid == grundlag.myndighed.pk
    assert s.kle_nummer == "32.18" and s.behandler_tekst == "Bo Berg"
    assert s.myndighed_tekst == "Testrup Kommune"  # Datadeling's own name wins


def test_a_closed_case_gets_its_end_date_from_the_progress(afsender, grundlag, send):
    data = sag_data(grundlag, fra="2023-01-10")
    data["tilstande"]["sagfremdrift"] = [
        {"fremdrift": "Oplyst", "virkning": v("2023-01-10", "2023-06-01")},
        {"fremdrift": "Afsluttet", "virkning": v("2023-06-01")},
    ]
    besked = indpak(data, "sag")
    send(besked)

    s = Sag.objects.get(pk=besked["objektID"])
    assert s.fremdrift == "Afsluttet" and s.slutdato == datetime.date(2023, 6, 1)
    assert s.startdato == datetime.date(2023, 1, 10)


# --- update, passivate, delete -------------------------------------------------------------


def test_update_changes_only_what_the_message_carries(afsender, grundlag, send):
    opret = sag_besked(grundlag)
    ret = indpak(
        {
            "note": "Afgørelse truffet",
            "tilstande": {"sagfremdrift": [{"fremdrift": "Afgjort", "virkning": v("2024-05-02")}]},
            "relationer": {"ansvarlig": [{"objekttype": "Organisationenhed", "uuid": str(
                grundlag.enhed.pk), "virkning": v("2024-05-02")}], "primaerbehandler": []},
        },
        "sag",
        "update",
        opret["objektID"],
    )  # fmt: skip
    send(opret, ret)

    assert [status(afsender, b)["status"] for b in (opret, ret)] == ["behandlet"] * 2
    s = Sag.objects.get(pk=opret["objektID"])
    assert s.fremdrift == "Afgjort" and s.titel == "Hjemmehjælp"
    assert s.ansvarlig_enhed == grundlag.enhed and s.primaerbehandler_uuid is None
    assert s.livscykluskode == "Rettet"
    regs = list(s.registreringer.order_by("nummer"))
    assert [(r.livscykluskode, r.aktoer_tekst) for r in regs] == [
        ("Importeret", "Omsorgssystem Testrup"),
        ("Rettet", "Omsorgssystem Testrup"),
    ]
    assert regs[1].begrundelse == "Afgørelse truffet"
    assert regs[0].data["fremdrift"] == "Oplyst" and regs[1].data["fremdrift"] == "Afgjort"


def test_an_update_that_touches_only_what_the_index_does_not_hold_is_applied(
    afsender, grundlag, send
):
    opret = sag_besked(grundlag)
    journal = lora_fixture("sag_opret.json")["relationer"]["journalpost"]
    ret = indpak({"relationer": {"journalpost": journal}}, "sag", "update", opret["objektID"])
    send(opret, ret)
    assert status(afsender, ret)["status"] == "behandlet"
    assert Sag.objects.get(pk=opret["objektID"]).registreringer.count() == 1


def test_an_update_before_the_create_waits(afsender, grundlag, send):
    objekt_id = uuid.uuid4()
    ret = indpak(
        {"tilstande": {"sagfremdrift": [{"fremdrift": "Afgjort", "virkning": v("2024-05-02")}]}},
        "sag",
        "update",
        objekt_id,
    )
    send(ret)
    assert status(afsender, ret)["status"] == "venter"
    send(sag_besked(grundlag, objekt_id=objekt_id))
    assert status(afsender, ret)["status"] == "behandlet"
    assert Sag.objects.get(pk=objekt_id).fremdrift == "Afgjort"


def test_passivate_and_delete_take_the_case_out_of_the_index(afsender, grundlag, send):
    a, b = sag_besked(grundlag), sag_besked(grundlag)
    pa = indpak({"note": "Oprettet ved en fejl"}, "sag", "passivate", a["objektID"])
    pb = indpak(None, "sag", "delete", b["objektID"])
    send(a, b, pa, pb)

    assert [status(afsender, x)["status"] for x in (a, b, pa, pb)] == ["behandlet"] * 4
    sa, sb = Sag.objects.get(pk=a["objektID"]), Sag.objects.get(pk=b["objektID"])
    assert (sa.aktiv, sa.livscykluskode) == (False, "Passiveret")
    assert (sb.aktiv, sb.livscykluskode) == (False, "Slettet")
    assert sa.registreringer.order_by("-nummer").first().begrundelse == "Oprettet ved en fejl"
    # a passivated case cannot be changed any more
    ret = indpak(
        {"tilstande": {"sagfremdrift": [{"fremdrift": "Afgjort", "virkning": v("2024-05-02")}]}},
        "sag",
        "update",
        a["objektID"],
    )
    send(ret)
    assert "passiveret" in fejl_i(afsender, ret)[0]["fejl"]


def test_a_second_create_fails(afsender, grundlag, send):
    opret = sag_besked(grundlag)
    igen = {**sag_besked(grundlag), "objektID": opret["objektID"]}
    send(opret, igen)
    assert fejl_i(afsender, igen)[0]["felt"] == "objektID"


def test_another_system_may_not_change_or_passivate_the_case(
    afsender, anden_afsender, grundlag, send, settings, django_capture_on_commit_callbacks
):
    opret = sag_besked(grundlag)
    send(opret)
    ret = indpak(
        {"tilstande": {"sagfremdrift": [{"fremdrift": "Afsluttet", "virkning": v("2024-05-02")}]}},
        "sag",
        "update",
        opret["objektID"],
    )
    passiv = indpak(None, "sag", "passivate", opret["objektID"])
    # the same change to a case that does not exist: to the sender, another system's case
    # is as unknown (the same answer while waiting and when failed; issue 11 #7)
    ukendt = indpak(None, "sag", "passivate", str(uuid.uuid4()))
    with django_capture_on_commit_callbacks(execute=True):
        assert anden_afsender.post({"beskeder": [ret, passiv, ukendt]}).status_code == 202

    def svar(besked):
        s = anden_afsender.get(besked["beskedID"]).json()
        return {"status": s["status"], "fejl": s["fejl"]}

    # (the passivation waits behind the update of the same case, as it would for any)
    assert svar(ret) == svar(ukendt) and svar(passiv)["status"] == "venter"
    assert svar(ukendt)["status"] == "venter"
    settings.MOX_MAKS_VENTETID = datetime.timedelta(0)
    for besked in (ret, passiv, ukendt):
        anvend(Besked.objects.get(besked_id=besked["beskedID"]).pk)
    assert svar(ret) == svar(passiv) == svar(ukendt)
    for besked in (ret, passiv):
        assert svar(besked)["status"] == "fejlet"
        assert svar(besked)["fejl"][0]["felt"] == "objektID"
    s = Sag.objects.get(pk=opret["objektID"])
    assert s.aktiv and s.fremdrift == "Oplyst" and s.registreringer.count() == 1


def test_the_citizen_cannot_change(afsender, grundlag, send):
    opret = sag_besked(grundlag)
    anden = {
        "objekttype": "Person",
        "uuid": str(grundlag.anden_borger.pk),
        "virkning": v("2024-05-01"),
    }
    ret = indpak({"relationer": {"primaerpart": [anden]}}, "sag", "update", opret["objektID"])
    send(opret, ret)
    assert fejl_i(afsender, ret) == [
        {"felt": "data.relationer.primaerpart", "fejl": "Borgeren kan ikke skiftes."}
    ]


# --- malformed: fejlet with the field path -------------------------------------------------


def _uden_borger(data):
    data["relationer"]["primaerpart"][0]["urn"] = "urn:dk:cpr:person:0101999999"


def _uden_titel(data):
    data["attributter"]["sagegenskaber"][0]["titel"] = "   "


def _fremtid(data):
    morgen = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    for gruppe in ("attributter", "tilstande"):
        for poster in data[gruppe].values():
            poster[0]["virkning"] = v(morgen)


def _daarlig_kle(data):
    data["attributter"]["sagegenskaber"][0]["integrationsdata"] = json.dumps({"kle": "27-24"})


def _ukendt_myndighed(data):
    data["relationer"]["ejer"] = [{"urn": "urn:dk:kommune:000", "virkning": v("2024-04-01")}]


def _forkert_ansvarlig(data):
    data["relationer"]["ansvarlig"][0]["objekttype"] = "Virksomhed"


@pytest.mark.parametrize(
    ("aendr", "felt", "tekst"),
    [
        (_uden_borger, "data.relationer.primaerpart[0]", "Borgeren findes ikke i Datadeling."),
        (_uden_titel, "data.attributter.sagegenskaber[0].titel", "Sagen skal have en titel."),
        (
            _fremtid,
            "data.attributter.sagegenskaber[0].virkning.from",
            "Startdatoen kan ikke ligge i fremtiden.",
        ),
        (
            _daarlig_kle,
            "data.attributter.sagegenskaber[0].integrationsdata",
            "Et KLE-nummer har formen 27, 27.24 eller 27.24.00.",
        ),
        (_ukendt_myndighed, "data.relationer.ejer[0].urn", "Myndigheden findes ikke"),
        (
            _forkert_ansvarlig,
            "data.relationer.ansvarlig[0].objekttype",
            "Den ansvarlige er en Organisationenhed",
        ),
    ],
)
def test_a_malformed_case_fails_naming_the_field(afsender, grundlag, send, aendr, felt, tekst):
    data = sag_data(grundlag)
    aendr(data)
    besked = indpak(data, "sag")
    send(besked)

    (f,) = fejl_i(afsender, besked)
    assert f["felt"] == felt and f["fejl"].startswith(tekst)
    assert CPR not in json.dumps(f) and "0101999999" not in json.dumps(f)
    assert not Sag.objects.exists() and not SagRegistrering.objects.exists()


def test_a_worker_keeps_going_after_a_bad_case_in_a_batch(afsender, grundlag, send):
    god, daarlig = sag_besked(grundlag), sag_besked(grundlag, titel="")
    send(daarlig, god)
    assert [status(afsender, b)["status"] for b in (daarlig, god)] == ["fejlet", "behandlet"]
    assert Besked.objects.filter(status="behandlet").count() == 1
    assert list(Sag.objects.values_list("pk", flat=True)) == [uuid.UUID(god["objektID"])]


def test_the_documentation_explains_sag_messages(client):
    from django.urls import reverse

    html = client.get(reverse("mox:dokumentation")).content.decode()
    assert '<h2 id="sager">Sager til sagsindekset</h2>' in html
    assert "relationer.primaerpart" in html and "27.24.00-G01-118-24" in html
