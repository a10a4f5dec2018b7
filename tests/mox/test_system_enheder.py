"""A MOX system writes citizen data only for the units it is registered for, and its
answers do not tell it what exists (issue 11, findings 6 and 7), met as an attacker meets
them: signed POSTs to /mox/beskeder/ and the status the system reads back."""

from __future__ import annotations

import datetime
import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from indsats.models import Indsats
from mox import services
from mox.behandling.faelles import BORGER_FINDES_IKKE, IKKE_EGEN_ENHED, UDEN_ENHED
from mox.models import System
from organisation.models import Borger, Enhed
from sagsindeks.models import Sag
from tests.mox.conftest import Afsender
from tests.mox.test_behandling import BORGER_URN, eager, indpak, status, tilstand_data, v  # noqa: F401
from tests.mox.test_sag import sag_data
from tilstand.models import Tilstand

UKENDT_CPR_URN = "urn:dk:cpr:person:3112999999"  # a CPR number Datadeling does not know


def _system(navn: str, *, enhed=None, enheder=()) -> Afsender:
    """A system registered as an operator registers it (no test shortcut to every unit)."""
    system, token, secret = services.system_create(navn=navn, enhed=enhed, enheder=enheder)
    return Afsender(system=system, token=token, secret=secret, client=Client())


def _send(afsender: Afsender, django_capture_on_commit_callbacks, *beskeder) -> list[dict]:
    with django_capture_on_commit_callbacks(execute=True):
        assert afsender.post({"beskeder": list(beskeder)}).status_code == 202
    return [{k: s[k] for k in ("status", "fejl")} for s in (status(afsender, b) for b in beskeder)]


def _med_enhed(data: dict, enhed_id) -> dict:
    data["relationer"]["tilstandsaktoer"][0]["uuid"] = str(enhed_id)
    return data


def _med_borger(data: dict, urn: str) -> dict:
    data["relationer"]["tilstandsobjekt"][0]["urn"] = urn
    return data


@pytest.fixture
def region(grundlag):
    """The region's psychiatry: a unit of another authority that no test system is for."""
    from organisation.models import Myndighed

    m = Myndighed.objects.create(navn="Region Testrup", type="region", cvr="29190925")
    return Enhed.objects.create(myndighed=m, navn="Psykiatrien")


# --- finding 6: a system writes only for its units -----------------------------------------


def test_a_system_without_a_unit_writes_no_citizen_data(
    grundlag, region, django_capture_on_commit_callbacks
):
    """The attack as found: a new system with no unit made a tilstand owned by the region's
    psychiatry. Now it is refused, whatever unit or citizen it names."""
    uden = _system("Nyt system")
    beskeder = [
        indpak(_med_enhed(tilstand_data(grundlag), region.pk)),
        indpak(tilstand_data(grundlag)),
        indpak(_med_borger(tilstand_data(grundlag), UKENDT_CPR_URN)),
    ]
    svar = _send(uden, django_capture_on_commit_callbacks, *beskeder)
    forventet = {
        "status": "fejlet",
        "fejl": [{"felt": "data.relationer.tilstandsaktoer", "fejl": UDEN_ENHED}],
    }
    assert svar == [forventet] * 3
    assert not Tilstand.objects.exists()


def test_a_system_writes_for_its_unit_and_not_for_another(
    grundlag, region, django_capture_on_commit_callbacks
):
    a = _system("Omsorg", enhed=grundlag.enhed)
    egen, fremmed = (
        indpak(tilstand_data(grundlag)),
        indpak(_med_enhed(tilstand_data(grundlag), region.pk)),
    )
    svar = _send(a, django_capture_on_commit_callbacks, egen, fremmed)
    assert svar[0] == {"status": "behandlet", "fejl": []}
    assert svar[1] == {
        "status": "fejlet",
        "fejl": [{"felt": "data.relationer.tilstandsaktoer[0].uuid", "fejl": IKKE_EGEN_ENHED}],
    }
    assert list(Tilstand.objects.values_list("pk", "ansvarlig_enhed")) == [
        (uuid.UUID(egen["objektID"]), grundlag.enhed.pk)
    ]


def test_data_without_a_responsible_unit_belongs_to_the_systems_unit(
    grundlag, django_capture_on_commit_callbacks
):
    a = _system("Omsorg", enhed=grundlag.anden_enhed)
    data = tilstand_data(grundlag)
    del data["relationer"]["tilstandsaktoer"]
    sag = sag_data(grundlag)
    del sag["relationer"]["ansvarlig"]
    besked, sag_besked = indpak(data), indpak(sag, "sag")
    assert (
        _send(a, django_capture_on_commit_callbacks, besked, sag_besked)
        == [{"status": "behandlet", "fejl": []}] * 2
    )
    assert Tilstand.objects.get(pk=besked["objektID"]).ansvarlig_enhed == grundlag.anden_enhed
    assert Sag.objects.get(pk=sag_besked["objektID"]).ansvarlig_enhed == grundlag.anden_enhed


def test_a_staff_members_unit_counts_only_when_the_system_writes_for_it(
    grundlag, django_capture_on_commit_callbacks
):
    """Without a named unit the caseworker's unit was taken: not when it is not the
    system's (then the system's own unit is)."""
    a = _system("Job", enhed=grundlag.anden_enhed)
    data = tilstand_data(grundlag)
    data["relationer"]["tilstandsaktoer"] = [
        {"objekttype": "Bruger", "uuid": str(grundlag.medarbejder.pk), "virkning": v("2024-04-12")}
    ]  # Tina works in grundlag.enhed only
    besked = indpak(data)
    assert _send(a, django_capture_on_commit_callbacks, besked)[0]["status"] == "behandlet"
    assert Tilstand.objects.get(pk=besked["objektID"]).ansvarlig_enhed == grundlag.anden_enhed


def test_an_administrator_adds_units_in_the_admin(
    grundlag, region, client, django_user_model, django_capture_on_commit_callbacks
):
    a = _system("Omsorg", enhed=grundlag.enhed)
    su = django_user_model.objects.create_superuser("su", "su@example.org", None)
    client.force_login(su)
    url = f"/admin/mox/system/{a.system.pk}/change/"
    side = client.get(url)
    assert side.status_code == 200 and 'name="enheder"' in side.content.decode()
    svar = client.post(
        url,
        {
            "navn": a.system.navn,
            "aktiv": "on",
            "enhed": str(grundlag.enhed.pk),
            "enheder": str(region.pk),
            "webhook_url": "",
            "abonnementer-TOTAL_FORMS": "0",
            "abonnementer-INITIAL_FORMS": "0",
        },
    )
    assert svar.status_code == 302, svar.context["adminform"].form.errors
    besked = indpak(_med_enhed(tilstand_data(grundlag), region.pk))
    assert _send(a, django_capture_on_commit_callbacks, besked)[0]["status"] == "behandlet"
    assert Tilstand.objects.get(pk=besked["objektID"]).ansvarlig_enhed == region


def test_a_unit_past_its_validity_writes_nothing(grundlag, django_capture_on_commit_callbacks):
    a = _system("Omsorg", enhed=grundlag.enhed)
    grundlag.enhed.gyldig_fra = datetime.date(2020, 1, 1)
    grundlag.enhed.gyldig_til = datetime.date(2021, 1, 1)
    grundlag.enhed.save()
    (svar,) = _send(a, django_capture_on_commit_callbacks, indpak(tilstand_data(grundlag)))
    assert svar == {
        "status": "fejlet",
        "fejl": [{"felt": "data.relationer.tilstandsaktoer", "fejl": UDEN_ENHED}],
    }


def test_its_own_object_of_a_unit_it_no_longer_writes_for_cannot_be_changed(
    grundlag, django_capture_on_commit_callbacks
):
    a = _system("Omsorg", enhed=grundlag.enhed, enheder=[grundlag.anden_enhed])
    opret = indpak(_med_enhed(tilstand_data(grundlag), grundlag.anden_enhed.pk))
    assert _send(a, django_capture_on_commit_callbacks, opret)[0]["status"] == "behandlet"
    a.system.enheder.clear()  # the administrator takes the unit away
    ret = indpak(
        {"tilstande": {"tilstandstatus": [{"status": "Inaktiv", "virkning": v("2024-05-01")}]}},
        operation="update",
        objekt_id=opret["objektID"],
    )
    assert _send(a, django_capture_on_commit_callbacks, ret)[0] == {
        "status": "fejlet",
        "fejl": [{"felt": "objektID", "fejl": IKKE_EGEN_ENHED}],
    }
    assert Tilstand.objects.get(pk=opret["objektID"]).status == "aktiv"


def test_an_update_cannot_move_an_object_to_another_unit(
    grundlag, region, django_capture_on_commit_callbacks
):
    a = _system("Omsorg", enhed=grundlag.enhed)
    opret = indpak(tilstand_data(grundlag))
    _send(a, django_capture_on_commit_callbacks, opret)
    flyt = indpak(
        {
            "relationer": {
                "tilstandsaktoer": [
                    {
                        "objekttype": "Organisationenhed",
                        "uuid": str(region.pk),
                        "virkning": v("2024-05-01"),
                    }
                ]
            }
        },  # fmt: skip
        operation="update",
        objekt_id=opret["objektID"],
    )
    assert _send(a, django_capture_on_commit_callbacks, flyt)[0]["status"] == "fejlet"
    assert Tilstand.objects.get(pk=opret["objektID"]).ansvarlig_enhed == grundlag.enhed


def test_an_indsats_and_a_case_for_another_unit_are_refused(
    grundlag, region, django_capture_on_commit_callbacks
):
    from tests.mox.test_behandling_fuzz import indsats_data

    a = _system("Omsorg", enhed=grundlag.enhed)
    indsats = indsats_data(grundlag)
    indsats["relationer"]["indsatsaktoer"][0]["uuid"] = str(region.pk)
    sag = sag_data(grundlag)
    sag["relationer"]["ansvarlig"][0]["uuid"] = str(region.pk)
    svar = _send(
        a, django_capture_on_commit_callbacks, indpak(indsats, "indsats"), indpak(sag, "sag")
    )
    assert svar == [
        {
            "status": "fejlet",
            "fejl": [{"felt": "data.relationer.indsatsaktoer[0].uuid", "fejl": IKKE_EGEN_ENHED}],
        },
        {
            "status": "fejlet",
            "fejl": [{"felt": "data.relationer.ansvarlig[0].uuid", "fejl": IKKE_EGEN_ENHED}],
        },
    ]
    assert not Indsats.objects.exists() and not Sag.objects.exists()


def test_a_unit_is_placed_only_under_a_unit_the_system_delivered_or_writes_for(
    grundlag, region, django_capture_on_commit_callbacks
):
    """Another's unit as a parent is answered like a parent that does not exist."""
    from tests.mox.test_organisation import enhed_data

    a = _system("Omsorg", enhed=grundlag.enhed)
    egen, fremmed, ukendt = (
        indpak(enhed_data("Team A", overordnet=grundlag.enhed.pk), "organisationenhed"),
        indpak(enhed_data("Team B", overordnet=region.pk), "organisationenhed"),
        indpak(enhed_data("Team C", overordnet=uuid.uuid4()), "organisationenhed"),
    )
    svar = _send(a, django_capture_on_commit_callbacks, egen, fremmed, ukendt)
    assert svar[0] == {"status": "behandlet", "fejl": []}
    assert svar[1] == svar[2] and svar[1]["status"] == "venter"
    assert not Enhed.objects.filter(overordnet=region).exists()


# --- finding 7: no existence oracles -----------------------------------------------------


def test_another_unit_and_a_unit_that_does_not_exist_get_the_same_answer(
    grundlag, region, django_capture_on_commit_callbacks
):
    a = _system("Omsorg", enhed=grundlag.enhed)
    findes, findes_ikke = (
        indpak(_med_enhed(tilstand_data(grundlag), region.pk)),
        indpak(_med_enhed(tilstand_data(grundlag), uuid.uuid4())),
    )
    svar = _send(a, django_capture_on_commit_callbacks, findes, findes_ikke)
    assert svar[0] == svar[1]
    assert svar[0]["fejl"] == [
        {"felt": "data.relationer.tilstandsaktoer[0].uuid", "fejl": IKKE_EGEN_ENHED}
    ]


@pytest.mark.parametrize("objekttype", ["tilstand", "sag"])
def test_a_known_and_an_unknown_citizen_get_the_same_answer_when_it_may_not_write(
    grundlag, region, objekttype, django_capture_on_commit_callbacks
):
    """A system that may not write for the unit (or has none) learns nothing about the
    citizen: the same answer for a CPR number Datadeling knows and one it does not."""
    a = _system("Omsorg", enhed=grundlag.enhed)
    uden = _system("Uden enhed")

    def besked(urn: str) -> dict:
        if objekttype == "sag":
            data = sag_data(grundlag)
            data["relationer"]["ansvarlig"][0]["uuid"] = str(region.pk)
            data["relationer"]["primaerpart"][0]["urn"] = urn
            data["relationer"]["primaerpart"][0].pop("uuid", None)
            return indpak(data, "sag")
        return indpak(_med_borger(_med_enhed(tilstand_data(grundlag), region.pk), urn))

    for afsender in (a, uden):
        kendt, ukendt = _send(
            afsender,
            django_capture_on_commit_callbacks,
            besked(BORGER_URN),
            besked(UKENDT_CPR_URN),
        )
        assert kendt == ukendt and kendt["status"] == "fejlet"
        assert "Borgeren" not in json.dumps(kendt, ensure_ascii=False)
    assert not Borger.objects.filter(cpr=UKENDT_CPR_URN[-10:]).exists()


def test_a_system_writing_for_its_unit_is_told_an_unknown_citizen(
    grundlag, django_capture_on_commit_callbacks
):
    """The one place a citizen's existence is said: to a system that may write for the
    unit, as staff of a unit may look a citizen up by CPR number."""
    a = _system("Omsorg", enhed=grundlag.enhed)
    (svar,) = _send(
        a,
        django_capture_on_commit_callbacks,
        indpak(_med_borger(tilstand_data(grundlag), UKENDT_CPR_URN)),
    )
    assert svar["fejl"] == [
        {"felt": "data.relationer.tilstandsobjekt[0]", "fejl": BORGER_FINDES_IKKE}
    ]


# --- the command ---------------------------------------------------------------------------


def test_the_command_registers_the_system_for_its_units(grundlag):
    ud = io.StringIO()
    call_command(
        "mox_system_opret", "Omsorg", "--enhed", str(grundlag.enhed.pk),
        "--enhed", "Jobcenter", stdout=ud, stderr=io.StringIO(),
    )  # fmt: skip
    linje = json.loads(ud.getvalue())
    system = System.objects.get(uuid=linje["system"])
    assert system.enhed == grundlag.enhed
    assert list(system.enheder.all()) == [grundlag.anden_enhed]


def test_the_command_refuses_a_unit_it_cannot_find(grundlag):
    with pytest.raises(CommandError, match="Ingen enhed"):
        call_command("mox_system_opret", "Omsorg", "--enhed", str(uuid.uuid4()))
    Enhed.objects.create(myndighed=grundlag.myndighed, navn="Jobcenter")
    with pytest.raises(CommandError, match="Flere enheder"):
        call_command("mox_system_opret", "Omsorg", "--enhed", "Jobcenter")
    assert not System.objects.exists()


def test_the_command_without_a_unit_warns_that_the_system_writes_no_citizen_data(db):
    fejl = io.StringIO()
    call_command("mox_system_opret", "Omsorg", stdout=io.StringIO(), stderr=fejl)
    assert "må ikke skrive borgerdata" in fejl.getvalue()
