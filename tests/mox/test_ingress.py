"""The ingress contract: POST /mox/beskeder/ and GET /mox/beskeder/<beskedID>/."""

from __future__ import annotations

import copy
import datetime
import json
import time
import uuid

import pytest

from mox.models import Besked
from mox.protokol import MAKS_BESKEDER_PR_KALD
from mox.signals import beskeder_klar
from tests.mox.conftest import CPR, konvolut

pytestmark = pytest.mark.django_db


def fejlfelter(response) -> list[str]:
    return [f["felt"] for f in response.json()["fejl"]]


# --- accepted ---------------------------------------------------------------------------


def test_a_valid_signed_envelope_is_stored_and_answered_202(afsender):
    besked = konvolut()
    response = afsender.post(besked)
    assert response.status_code == 202
    assert response.json() == {"beskedID": besked["beskedID"], "status": "modtaget"}
    gemt = Besked.objects.get()
    assert gemt.system == afsender.system
    assert str(gemt.besked_id) == besked["beskedID"]
    assert str(gemt.objekt_id) == besked["objektID"]
    assert (gemt.objekttype, gemt.operation, gemt.beskedtype, gemt.beskedversion) == (
        "tilstand",
        "create",
        "Manipulation",
        "1",
    )
    assert gemt.data == besked["data"]
    assert gemt.status == "modtaget" and gemt.fejl == [] and gemt.forsoeg == 0
    assert gemt.behandlet is None
    assert len(gemt.indhold_sha256) == 64


def test_a_batch_is_stored_in_order_and_answered_as_a_list(afsender):
    objekt = str(uuid.uuid4())
    beskeder = [konvolut(objektID=objekt) for _ in range(3)]
    response = afsender.post({"beskeder": beskeder})
    assert response.status_code == 202
    assert response.json() == {
        "beskeder": [{"beskedID": b["beskedID"], "status": "modtaget"} for b in beskeder]
    }
    gemte = Besked.objects.filter(objekt_id=objekt).order_by("modtaget", "id")
    assert [str(b.besked_id) for b in gemte] == [b["beskedID"] for b in beskeder]
    assert len({b.modtaget for b in gemte}) == 1  # one arrival time; id keeps the order


def test_a_repeated_beskedID_answers_as_the_first_time_and_is_stored_once(afsender):
    besked = konvolut()
    foerste = afsender.post(besked)
    anden = afsender.post(besked)
    assert anden.status_code == foerste.status_code == 202
    assert anden.json() == foerste.json()
    assert Besked.objects.count() == 1


def test_a_repeat_with_other_content_keeps_the_first(afsender):
    besked = konvolut()
    afsender.post(besked)
    aendret = copy.deepcopy(besked)
    aendret["data"]["note"] = "en anden note"
    response = afsender.post(aendret)
    assert response.status_code == 202
    assert Besked.objects.get().data["note"] == besked["data"]["note"]


def test_repeats_inside_a_batch_and_across_batches_are_stored_once(afsender):
    a, b = konvolut(), konvolut()
    response = afsender.post({"beskeder": [a, b, a]})
    assert [s["beskedID"] for s in response.json()["beskeder"]] == [
        a["beskedID"],
        b["beskedID"],
        a["beskedID"],
    ]
    c = konvolut()
    afsender.post({"beskeder": [b, c]})
    assert Besked.objects.count() == 3


def test_the_same_beskedID_from_two_systems_is_two_messages(afsender, anden_afsender):
    besked = konvolut()
    assert afsender.post(besked).status_code == 202
    assert anden_afsender.post(besked).status_code == 202
    assert Besked.objects.count() == 2


def test_the_processing_hook_gets_the_new_ids_after_commit(
    afsender, django_capture_on_commit_callbacks
):
    modtaget = []

    def modtager(sender, besked_ids, **kwargs):
        modtaget.append(list(besked_ids))

    beskeder_klar.connect(modtager)
    try:
        kendt = konvolut()
        afsender.post(kendt)
        modtaget.clear()
        nye = [konvolut(), konvolut()]
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            afsender.post({"beskeder": [kendt, *nye]})
        assert modtaget == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        beskeder_klar.disconnect(modtager)
    forventet = list(
        Besked.objects.filter(besked_id__in=[b["beskedID"] for b in nye])
        .order_by("id")
        .values_list("pk", flat=True)
    )
    assert modtaget == [forventet]


def test_a_failing_hook_does_not_fail_the_request(
    afsender, django_capture_on_commit_callbacks, monkeypatch
):
    """The broker is down: the sender still gets 202 and the message waits for the sweep."""

    def broker_nede(*args, **kwargs):
        raise ConnectionError("broker nede")

    from mox import tasks

    monkeypatch.setattr(tasks.behandl_beskeder, "delay", broker_nede)
    with django_capture_on_commit_callbacks(execute=True):
        response = afsender.post(konvolut())
    assert response.status_code == 202
    assert Besked.objects.get().status == "modtaget"


def test_the_url_without_slash_works_too(afsender):
    assert afsender.post(konvolut(), url="/mox/beskeder").status_code == 202


def test_lora_fixtures_as_shipped_are_accepted_with_a_recipient_or_without(afsender):
    """indsats_opret.json without a recipient passes ingress; the processing refuses it."""
    from tests.mox.conftest import lora_fixture

    indsats = lora_fixture("indsats_opret.json")
    besked = konvolut(indsats, objekttype="indsats")
    assert afsender.post(besked).status_code == 202


# --- refused: credentials ------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer mox_ukendt", "Basic dXNlcjpwdw==", "mox_token-uden-skema"],
)
def test_a_bad_token_is_401_and_stores_nothing(afsender, authorization):
    krop = json.dumps(konvolut()).encode()
    headers = afsender.headers(krop, HTTP_AUTHORIZATION=authorization)
    response = afsender.client.generic(
        "POST", "/mox/beskeder/", krop, content_type="application/json", **headers
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert fejlfelter(response) == ["Authorization"]
    assert not Besked.objects.exists()


def test_an_inactive_system_is_401(afsender):
    afsender.system.aktiv = False
    afsender.system.save()
    assert afsender.post(konvolut()).status_code == 401
    assert not Besked.objects.exists()


def test_another_systems_secret_is_403(afsender, anden_afsender):
    krop = json.dumps(konvolut()).encode()
    headers = afsender.headers(krop)
    headers["HTTP_X_MOX_SIGNATUR"] = anden_afsender.headers(krop)["HTTP_X_MOX_SIGNATUR"]
    response = afsender.client.generic(
        "POST", "/mox/beskeder/", krop, content_type="application/json", **headers
    )
    assert response.status_code == 403
    assert fejlfelter(response) == ["X-Mox-Signatur"]
    assert not Besked.objects.exists()


@pytest.mark.parametrize(
    "signatur",
    [None, "", "sha256=", "sha256=abc", "md5=" + "0" * 64, "sha256=" + "0" * 64, "æøå"],
)
def test_a_bad_or_missing_signature_is_403(afsender, signatur):
    krop = json.dumps(konvolut()).encode()
    headers = afsender.headers(krop)
    if signatur is None:
        del headers["HTTP_X_MOX_SIGNATUR"]
    else:
        headers["HTTP_X_MOX_SIGNATUR"] = signatur
    response = afsender.client.generic(
        "POST", "/mox/beskeder/", krop, content_type="application/json", **headers
    )
    assert response.status_code == 403
    assert not Besked.objects.exists()


def test_a_signature_over_another_body_is_403(afsender):
    krop = json.dumps(konvolut()).encode()
    headers = afsender.headers(json.dumps(konvolut()).encode())
    response = afsender.client.generic(
        "POST", "/mox/beskeder/", krop, content_type="application/json", **headers
    )
    assert response.status_code == 403
    assert not Besked.objects.exists()


def test_an_uppercase_hex_signature_is_accepted(afsender):
    krop = json.dumps(konvolut()).encode()
    headers = afsender.headers(krop)
    headers["HTTP_X_MOX_SIGNATUR"] = "sha256=" + headers["HTTP_X_MOX_SIGNATUR"][7:].upper()
    response = afsender.client.generic(
        "POST", "/mox/beskeder/", krop, content_type="application/json", **headers
    )
    assert response.status_code == 202


@pytest.fixture
def fast_ur(monkeypatch) -> int:
    """The server's clock stopped on a whole second, returned as unix seconds: the window's
    edges (±300 s) are then exact however long the request takes (a slow request under load
    once turned +301 s into +300)."""
    t = int(time.time())
    stoppet = datetime.datetime.fromtimestamp(t, tz=datetime.UTC)
    monkeypatch.setattr("datadeling.core.clock.now", lambda: stoppet)
    return t


@pytest.mark.parametrize("forskydning", [-301, 301, -3600, 10**6])
def test_a_timestamp_more_than_five_minutes_off_is_403(afsender, fast_ur, forskydning):
    response = afsender.post(konvolut(), tidspunkt=fast_ur + forskydning)
    assert response.status_code == 403
    assert fejlfelter(response) == ["X-Mox-Tidspunkt"]
    assert not Besked.objects.exists()


@pytest.mark.parametrize("forskydning", [-290, 290])
def test_a_timestamp_within_five_minutes_is_accepted(afsender, fast_ur, forskydning):
    assert afsender.post(konvolut(), tidspunkt=fast_ur + forskydning).status_code == 202


@pytest.mark.parametrize("tidspunkt", [None, "", "nu", "1.5", "-5", "1" * 20])
def test_a_missing_or_malformed_timestamp_is_403(afsender, tidspunkt):
    krop = json.dumps(konvolut()).encode()
    headers = afsender.headers(krop)
    if tidspunkt is None:
        del headers["HTTP_X_MOX_TIDSPUNKT"]
    else:
        headers["HTTP_X_MOX_TIDSPUNKT"] = tidspunkt
    response = afsender.client.generic(
        "POST", "/mox/beskeder/", krop, content_type="application/json", **headers
    )
    assert response.status_code == 403
    assert not Besked.objects.exists()


def test_a_body_over_the_limit_is_413(afsender, settings):
    settings.MOX_MAKS_KROP_BYTES = 1000
    response = afsender.post(konvolut())
    assert response.status_code == 413
    assert not Besked.objects.exists()


# --- refused: malformed ---------------------------------------------------------------------


def uden(besked: dict, *sti) -> dict:
    besked = copy.deepcopy(besked)
    sted = besked
    for del_ in sti[:-1]:
        sted = sted[del_]
    del sted[sti[-1]]
    return besked


def med(besked: dict, vaerdi, *sti) -> dict:
    besked = copy.deepcopy(besked)
    sted = besked
    for del_ in sti[:-1]:
        sted = sted[del_]
    sted[sti[-1]] = vaerdi
    return besked


GYLDIG = konvolut()
RELATION = ("data", "relationer", "tilstandsobjekt", 0)

UGYLDIGE = {
    "mangler beskedID": (uden(GYLDIG, "beskedID"), ["beskedID"]),
    "mangler objekttype og operation": (
        uden(uden(GYLDIG, "objekttype"), "operation"),
        ["objekttype", "operation"],
    ),
    "mangler data ved create": (uden(GYLDIG, "data"), ["data"]),
    "ukendt objekttype": (med(GYLDIG, "person", "objekttype"), ["objekttype"]),
    "ukendt operation": (med(GYLDIG, "opret", "operation"), ["operation"]),
    "ukendt beskedtype": (med(GYLDIG, "Besked", "beskedtype"), ["beskedtype"]),
    "Notification ind": (med(GYLDIG, "Notification", "beskedtype"), ["beskedtype"]),
    "forkert beskedversion": (med(GYLDIG, 1, "beskedversion"), ["beskedversion"]),
    "beskedID ikke uuid": (med(GYLDIG, "besked-1", "beskedID"), ["beskedID"]),
    "objektID med linjeskift": (med(GYLDIG, GYLDIG["objektID"] + "\n", "objektID"), ["objektID"]),
    "ukendt felt i konvolutten": (med(GYLDIG, "x", "objectID"), ["objectID"]),
    "data ikke objekt": (med(GYLDIG, [], "data"), ["data"]),
    "relation-uuid ugyldig": (
        med(GYLDIG, "ikke-en-uuid", *RELATION[:-1], 0, "urn"),
        ["data.relationer.tilstandsobjekt[0].urn"],
    ),
    "klasse uden uuid": (
        med(
            GYLDIG,
            [
                {
                    "objekttype": "Klasse",
                    "urn": "urn:x:y",
                    "virkning": GYLDIG["data"]["relationer"]["tilstandstype"][0]["virkning"],
                }
            ],  # noqa: E501
            "data",
            "relationer",
            "tilstandstype",
        ),
        ["data.relationer.tilstandstype[0].uuid"],
    ),
    "cpr-urn med 9 cifre": (
        med(GYLDIG, "urn:dk:cpr:person:010150123", *RELATION, "urn"),
        ["data.relationer.tilstandsobjekt[0].urn"],
    ),
    "cpr-urn med bindestreg": (
        med(GYLDIG, "urn:dk:cpr:person:010150-1234", *RELATION, "urn"),
        ["data.relationer.tilstandsobjekt[0].urn"],
    ),
    "cpr-urn uden fødselsdato": (
        med(GYLDIG, "urn:dk:cpr:person:3102501234", *RELATION, "urn"),
        ["data.relationer.tilstandsobjekt[0].urn"],
    ),
    "både uuid og urn": (
        med(GYLDIG, str(uuid.uuid4()), *RELATION, "uuid"),
        ["data.relationer.tilstandsobjekt[0]"],
    ),
    "to mål i en 0..1-relation": (
        med(
            GYLDIG,
            GYLDIG["data"]["relationer"]["tilstandsobjekt"] * 2,
            "data",
            "relationer",
            "tilstandsobjekt",
        ),
        ["data.relationer.tilstandsobjekt"],
    ),
    "virkning mangler": (
        uden(GYLDIG, *RELATION, "virkning"),
        ["data.relationer.tilstandsobjekt[0].virkning"],
    ),
    "virkning uden to": (
        uden(GYLDIG, *RELATION, "virkning", "to"),
        ["data.relationer.tilstandsobjekt[0].virkning.to"],
    ),
    "virkning med ugyldig dato": (
        med(GYLDIG, "2024-02-30", *RELATION, "virkning", "from"),
        ["data.relationer.tilstandsobjekt[0].virkning.from"],
    ),
    "virkning med forkert format": (
        med(GYLDIG, "12/04/2024", *RELATION, "virkning", "from"),
        ["data.relationer.tilstandsobjekt[0].virkning.from"],
    ),
    "virkning der slutter før den begynder": (
        med(GYLDIG, "2000-01-01", *RELATION, "virkning", "to"),
        ["data.relationer.tilstandsobjekt[0].virkning"],
    ),
    "ukendt tilstandsværdi": (
        med(GYLDIG, "Halvaktiv", "data", "tilstande", "tilstandstatus", 0, "status"),
        ["data.tilstande.tilstandstatus[0].status"],
    ),
    "mangler tilstande ved create": (uden(GYLDIG, "data", "tilstande"), ["data.tilstande"]),
    "mangler brugervendtnoegle": (
        uden(GYLDIG, "data", "attributter", "tilstandegenskaber", 0, "brugervendtnoegle"),
        ["data.attributter.tilstandegenskaber[0].brugervendtnoegle"],
    ),
    "ukendt relation": (
        med(GYLDIG, [], "data", "relationer", "indsatsmodtager"),
        ["data.relationer.indsatsmodtager"],
    ),
    "tom rettelse": (
        med(med(GYLDIG, "update", "operation"), {"note": "intet"}, "data"),
        ["data"],
    ),
}


@pytest.mark.parametrize("navn", list(UGYLDIGE))
def test_a_malformed_envelope_is_400_with_field_paths_and_nothing_is_stored(afsender, navn):
    besked, felter = UGYLDIGE[navn]
    response = afsender.post(besked)
    assert response.status_code == 400, response.content
    svar = response.json()
    assert sorted(fejlfelter(response)) == sorted(felter), svar
    assert all(f["fejl"] and isinstance(f["fejl"], str) for f in svar["fejl"])
    assert not Besked.objects.exists()


@pytest.mark.parametrize(
    "krop",
    [
        b"",
        b"not json",
        b"{",
        b"[]",
        b'"tekst"',
        b"null",
        b"\xff\xfe",
        b'{"beskedID": NaN}',
        b'{"a": "\\u0000"}',
        b'{"a": "\\ud800"}',
        b"[" * 5000 + b"]" * 5000,
        b'{"beskeder": []}',
        b'{"beskeder": {}}',
        b'{"beskeder": [], "ekstra": 1}',
        b'{"beskeder": [1, "x", null]}',
    ],
)
def test_a_body_that_is_no_envelope_is_400(afsender, krop):
    response = afsender.post(krop)
    assert response.status_code == 400
    fejl = response.json()["fejl"]
    assert fejl and all(set(f) == {"felt", "fejl"} for f in fejl)
    assert not Besked.objects.exists()


def test_a_batch_with_one_bad_message_is_refused_whole_with_indexed_paths(afsender):
    beskeder = [konvolut() for _ in range(5)]
    beskeder[3]["objekttype"] = "person"
    beskeder[4]["data"]["relationer"]["tilstandsobjekt"][0]["urn"] = "urn:dk:cpr:person:1"
    response = afsender.post({"beskeder": beskeder})
    assert response.status_code == 400
    assert fejlfelter(response) == [
        "beskeder[3].objekttype",
        "beskeder[4].data.relationer.tilstandsobjekt[0].urn",
    ]
    assert not Besked.objects.exists()


def test_a_batch_over_the_limit_is_400(afsender):
    beskeder = [konvolut() for _ in range(MAKS_BESKEDER_PR_KALD + 1)]
    response = afsender.post({"beskeder": beskeder})
    assert response.status_code == 400
    assert fejlfelter(response) == ["beskeder"]
    assert not Besked.objects.exists()


def test_errors_never_echo_a_cpr_number(afsender):
    cpr_uden_dato = "3213501234"
    besked = konvolut()
    besked["data"]["relationer"]["tilstandsobjekt"][0]["urn"] = f"urn:dk:cpr:person:{cpr_uden_dato}"
    besked["data"]["relationer"][CPR] = []  # a CPR number as an unknown field name
    besked["data"]["attributter"]["tilstandegenskaber"][0]["brugervendtnoegle"] = int(CPR)
    besked["data"]["tilstande"]["tilstandstatus"][0]["status"] = CPR
    besked["beskedID"] = CPR
    besked[f"cpr_{CPR}"] = CPR
    response = afsender.post(besked)
    assert response.status_code == 400
    tekst = response.content.decode()
    for cpr in (CPR, cpr_uden_dato, CPR[:6] + "-" + CPR[6:]):
        assert cpr not in tekst
    assert len(response.json()["fejl"]) >= 5


def test_errors_are_danish_and_say_what_is_wrong(afsender):
    response = afsender.post(uden(GYLDIG, "beskedID"))
    assert response.json() == {"fejl": [{"felt": "beskedID", "fejl": "Feltet mangler."}]}
    response = afsender.post(med(GYLDIG, "opret", "operation"))
    assert response.json()["fejl"][0]["fejl"] == (
        "Ukendt værdi. Tilladte værdier: create, update, passivate, delete, import."
    )


# --- status -------------------------------------------------------------------------------


def test_get_answers_the_status_of_a_message(afsender):
    besked = konvolut()
    afsender.post(besked)
    response = afsender.get(besked["beskedID"])
    assert response.status_code == 200
    assert response.json() == {"beskedID": besked["beskedID"], "status": "modtaget", "fejl": []}


def test_get_shows_processing_errors_without_cpr(afsender):
    besked = konvolut()
    afsender.post(besked)
    fejl = [{"felt": "data.relationer.indsatsmodtager", "fejl": f"Ukendt borger {CPR}"}]
    Besked.objects.update(status="fejlet", fejl=fejl)
    svar = afsender.get(besked["beskedID"]).json()
    assert svar["status"] == "fejlet"
    assert svar["fejl"][0]["felt"] == "data.relationer.indsatsmodtager"
    assert CPR not in json.dumps(svar)


def test_get_of_another_systems_message_is_404(afsender, anden_afsender):
    besked = konvolut()
    afsender.post(besked)
    assert anden_afsender.get(besked["beskedID"]).status_code == 404
    assert afsender.get(str(uuid.uuid4())).status_code == 404
    assert afsender.get("ikke-en-uuid").status_code == 404


def test_get_needs_a_valid_signature_over_the_empty_body(afsender):
    besked = konvolut()
    afsender.post(besked)
    headers = afsender.headers(b"x")  # signed over another body
    response = afsender.client.get(f"/mox/beskeder/{besked['beskedID']}/", **headers)
    assert response.status_code == 403
    headers = afsender.headers(b"", HTTP_AUTHORIZATION="Bearer forkert")
    response = afsender.client.get(f"/mox/beskeder/{besked['beskedID']}/", **headers)
    assert response.status_code == 401


def test_wrong_methods_get_405_in_json(afsender):
    response = afsender.client.get("/mox/beskeder/", **afsender.headers(b""))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["fejl"]
    response = afsender.post({}, url=f"/mox/beskeder/{uuid.uuid4()}/")
    assert response.status_code == 405


def test_api_answers_are_not_cached(afsender):
    response = afsender.post(konvolut())
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


# --- queries ------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_batch(afsender, django_assert_num_queries):
    afsender.post(konvolut())  # warm up
    for antal in (1, 50):
        beskeder = {"beskeder": [konvolut() for _ in range(antal)]}
        # the token; then in one transaction (a savepoint here, inside the test's own
        # transaction): lock the system, read the known ids, take the new rows' ids from
        # the sequence, one COPY of the rows
        with django_assert_num_queries(7):
            assert afsender.post(beskeder).status_code == 202


def test_an_uppercase_beskedID_is_answered_as_sent_and_found_by_get(afsender):
    besked = konvolut()
    besked["beskedID"] = besked["beskedID"].upper()
    assert afsender.post(besked).json()["beskedID"] == besked["beskedID"]
    assert afsender.post({"beskeder": [besked]}).status_code == 202
    assert Besked.objects.count() == 1
    assert afsender.get(besked["beskedID"]).json()["beskedID"] == besked["beskedID"].lower()


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_sent_twice_at_once_is_stored_once():
    """Two agents (or a retry racing the original) send the same batch concurrently."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from tests.mox.conftest import ny_afsender

    afsender = ny_afsender("Samtidighed")
    krop = json.dumps({"beskeder": [konvolut() for _ in range(40)]}).encode()

    def send(_):
        try:
            return afsender.post(krop).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        koder = list(pool.map(send, range(4)))
    assert koder == [202] * 4
    assert Besked.objects.count() == 40
