# ruff: noqa: F811 (the fixture `g` is imported from test_mine_data)
"""The citizen's downloads (JSON and FHIR) and the printable summary: valid against the
published schema and FHIR R4, nobody else's data, one access-log entry each, for the
citizen and a relative acting within scope, and nobody else."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json

import jsonschema
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from datadeling.core import clock
from dialog import services as dialog_services
from dialog.models import Deltager, SamtaleType
from indsats import services as indsats_services
from klassifikation import kendte as k
from organisation.models import Borger, Omfang, Relation, RelationsType
from overblik.eksport import schema as eksport_schema
from overblik.eksport.dokument import eksport_dokument
from overblik.eksport.fhir import eksport_bundle
from overblik.selectors.eksport import eksport_data
from samtykke import policy, services
from samtykke.models import Adgangslog, Beslutning
from tests import hypotese
from tests.overblik.test_mine_data import g, indsats, klasse, leaf, sag, tilstand  # noqa: F401
from tests.overblik.test_samtykke_borger import saet_handler_for
from tilstand import services as tilstand_services

pytestmark = pytest.mark.django_db

JSON = reverse("overblik:eksport_json")
FHIR = reverse("overblik:eksport_fhir")
UDSKRIFT = reverse("overblik:mine_data_udskrift")
SCHEMA = json.loads(eksport_schema.STI.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def fuld(g, n: int = 1) -> None:
    """Give the citizen n tilstande (each corrected once), n indsatser with goals, a case
    and a consent."""
    for i in range(n):
        t = tilstand(
            g,
            niveau=klasse(k.FSIII_FUNKTIONSEVNE_SKALA, "2"),
            kilde=klasse(k.CSC_KILDE, "Borger"),
            borgerens_vurdering=f"Mine ord {i}",
            faglig_note="Faglig vurdering",
        )
        tilstand_services.tilstand_correct(
            actor=g.user, tilstand=t, aendringer={"borgerens_vurdering": f"Rettede ord {i}"},
            virkning_fra=t.virkning_fra, begrundelse="Borgeren bad om det",
        )  # fmt: skip
        indsats(
            g,
            lovgrundlag=g.sel85,
            leverende_enhed=g.anden_enhed,
            formaal="At klare indkøb",
            maal=[{"tekst": f"Handle ind selv {i}", "tilstande": [str(t.pk)]}],
        )
    sag(g)
    services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.anden_enhed, kategorier=[g.type.overordnet],
        kilder=[g.enhed], formaal="Samarbejde om hjælpen",
    )  # fmt: skip


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


def samtaler(g, n: int = 1, borger=None) -> None:
    """Give the citizen n conversations with them (about a tilstand: a message with a file
    and a reference asking her to answer by a date, then edited; a withdrawn message; her
    answer) and n among professionals only (with a text she must never get)."""
    borger = borger or g.borger
    t = tilstand(g, borger=borger, borgerens_vurdering="Samtalens tilstand")
    for i in range(n):
        s = dialog_services.samtale_create(
            actor=g.user, borger=borger, type=SamtaleType.MED_BORGEREN, emne=f"Om hjælpen {i}",
            tilstand=t,
        )  # fmt: skip
        mig = Deltager.objects.gaeldende().get(samtale=s, person=borger)
        b = dialog_services.besked_write(
            samtale=s, actor=g.user, tekst=f"Første udkast {i}", tilstande=[t], svar_fra=mig,
            svar_frist=clock.now().date() + datetime.timedelta(days=7),
            filer=[SimpleUploadedFile("notat.pdf", PDF, content_type="application/pdf")],
        )  # fmt: skip
        dialog_services.besked_edit(besked=b, actor=g.user, tekst=f"Rettet tekst {i}")
        w = dialog_services.besked_write(samtale=s, actor=g.user, tekst=f"Fortrudt {i}")
        dialog_services.besked_withdraw(besked=w, actor=g.user)
        dialog_services.besked_write(samtale=s, actor=borger.user, tekst=f"Borgerens svar {i}")
        dialog_services.samtale_create(
            actor=g.user, borger=borger, type=SamtaleType.FAGLIG, emne=f"Fagligt {i}",
            tekst=f"Hemmelig faglig tekst {i}",
        )  # fmt: skip


def hent(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert "attachment" in response["Content-Disposition"]
    return json.loads(response.content)


@pytest.fixture
def borger_client(client, g):
    client.force_login(g.borger_user)
    return client


def referencer(node, ud: list) -> list:
    if isinstance(node, dict):
        for key, v in node.items():
            if key == "reference" and isinstance(v, str):
                ud.append(v)
            else:
                referencer(v, ud)
    elif isinstance(node, list):
        for v in node:
            referencer(v, ud)
    return ud


def test_schema_file_is_the_built_schema():
    assert eksport_schema.som_tekst() == eksport_schema.STI.read_text(encoding="utf-8")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_json_download_validates_and_holds_the_whole_history(borger_client, g):
    fuld(g)
    dok = hent(borger_client, JSON)
    VALIDATOR.validate(dok)
    assert dok["borger"]["cpr"] == g.borger.cpr and dok["schemaversion"] == "1.1"
    [t] = dok["tilstande"]
    assert [r["livscykluskode"] for r in t["registreringer"]] == ["Opstaaet", "Rettet"]
    assert t["registreringer"][1]["begrundelse"] == "Borgeren bad om det"
    assert t["nu"]["borgerens_vurdering"] == "Rettede ord 0"
    assert t["nu"]["type"]["system"] == g.type.klassifikation.uri
    assert t["nu"]["kilde"]["titel"] == "Borger"
    assert dok["indsatser"][0]["nu"]["lovgrundlag"]["titel"] == "SEL § 85"
    assert len(dok["sager"]) == 1 and len(dok["samtykker"]) == 1
    assert dok["samtykker"][0]["tekst"] and dok["samtaler"] == []


def test_a_field_the_schema_does_not_know_fails_validation(borger_client, g):
    fuld(g)
    dok = hent(borger_client, JSON)
    dok["tilstande"][0]["nu"]["hemmeligt"] = 1
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(dok)


def test_fhir_download_is_a_valid_r4_collection_whose_references_resolve(borger_client, g):
    fuld(g, 2)
    dok = hent(borger_client, FHIR)
    bundle = Bundle.model_validate(dok)
    assert bundle.type == "collection"
    urls = {e["fullUrl"] for e in dok["entry"]}
    assert len(urls) == len(dok["entry"])
    assert all(u.startswith("urn:uuid:") for u in urls)
    assert set(referencer(dok["entry"], [])) <= urls
    art = {e["fullUrl"]: e["resource"]["resourceType"] for e in dok["entry"]}
    for e in dok["entry"]:  # each reference points to a resource of a type FHIR allows there
        r = e["resource"]
        felter = {
            "Condition": {"subject": {"Patient"}, "recorder": {"Practitioner"}},
            "Goal": {"subject": {"Patient"}, "addresses": {"Condition"}},
            "CarePlan": {"addresses": {"Condition"}, "goal": {"Goal"},
                         "author": {"Practitioner", "Organization"}},
            "ServiceRequest": {"reasonReference": {"Condition"},
                               "requester": {"Organization", "Practitioner"}},
        }.get(r["resourceType"], {})  # fmt: skip
        for felt, tilladte in felter.items():
            for ref in referencer(r.get(felt), []):
                assert art[ref] in tilladte, (r["resourceType"], felt, art[ref])
    typer = [e["resource"]["resourceType"] for e in dok["entry"]]
    for rt in ("Patient", "Condition", "ServiceRequest", "CarePlan", "Goal", "Provenance",
               "Consent", "AuditEvent", "Organization"):  # fmt: skip
        assert rt in typer, rt
    [patient] = [e["resource"] for e in dok["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert patient["identifier"] == [{"system": "urn:oid:1.2.208.176.1.2", "value": g.borger.cpr}]
    c = next(e["resource"] for e in dok["entry"] if e["resource"]["resourceType"] == "Condition")
    assert c["code"]["coding"][0]["system"] == "urn:oid:1.2.208.176.2.21"  # FSIII's own URI
    assert c["severity"]["coding"][0]["system"] == "urn:oid:1.2.208.176.2.21"
    assert {
        "authorReference": {"reference": f"urn:uuid:{g.borger.pk}"},
        "text": "Rettede ord 0",
    } in c["note"]
    kilde = [
        a for e in dok["entry"] if e["resource"]["resourceType"] == "Provenance"
        for a in e["resource"]["agent"] if a["type"]["coding"][0]["code"] == "informant"
    ]  # fmt: skip
    assert kilde and kilde[0]["role"][0]["coding"][0]["system"] == k.CSC_URI


def test_ended_removed_and_revoked_data_are_in_both_downloads(borger_client, g):
    """Nothing is deleted in Datadeling, so the download holds passivated and deleted data,
    ended help, revoked consents and blocks, each with the state that says so."""
    fjernet = tilstand(g, borgerens_vurdering="Fjernet")
    tilstand_services.tilstand_passivate(actor=g.user, tilstand=fjernet, begrundelse="Forkert")
    slettet = tilstand(g, borgerens_vurdering="Slettet")
    tilstand_services.tilstand_passivate(
        actor=g.user, tilstand=slettet, begrundelse="Fejlregistrering", slet=True
    )
    stoppet = indsats(g, formaal="Tidligere hjælp")
    indsats_services.indsats_end(
        actor=g.user, indsats=stoppet, slutdato=clock.now().date(),
        ophoersgrund=leaf(k.CSC_BEGRUNDELSE_OPHOER),
    )  # fmt: skip
    givet = services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.anden_enhed, kategorier=[g.type.overordnet],
        kilder=[g.enhed], formaal="Samarbejde",
    )  # fmt: skip
    services.samtykke_revoke(actor=None, samtykke=givet)
    services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.anden_enhed, beslutning=Beslutning.AFVIS
    )

    dok = hent(borger_client, JSON)
    VALIDATOR.validate(dok)
    koder = {t["nu"]["borgerens_vurdering"]: t for t in dok["tilstande"]}
    assert not koder["Fjernet"]["aktiv"] and koder["Slettet"]["livscykluskode"] == "Slettet"
    assert dok["indsatser"][0]["nu"]["afsluttet"] is True
    assert [(s["version"], s["status"]) for s in dok["samtykker"] if s["samtykke_id"] == str(
        givet.kaede
    )] == [(1, "aktiv"), (2, "tilbagekaldt")]  # fmt: skip
    assert any(s["beslutning"] == "afvis" for s in dok["samtykker"])

    fhir = hent(borger_client, FHIR)
    Bundle.model_validate(fhir)
    ressourcer = [e["resource"] for e in fhir["entry"]]
    status = {
        c["note"][0]["text"]: c.get("clinicalStatus", c["verificationStatus"])["coding"][0]["code"]
        for c in ressourcer if c["resourceType"] == "Condition"
    }  # fmt: skip
    assert status == {"Fjernet": "inactive", "Slettet": "entered-in-error"}
    assert {r["status"] for r in ressourcer if r["resourceType"] == "CarePlan"} == {"completed"}
    samtykker = [r for r in ressourcer if r["resourceType"] == "Consent"]
    assert sorted(r["status"] for r in samtykker) == ["active", "inactive", "inactive"]
    assert [r["provision"]["type"] for r in samtykker if r["status"] == "active"] == ["deny"]


def test_each_download_is_one_export_entry_in_the_log(borger_client, g):
    fuld(g)
    for url in (JSON, FHIR):
        foer = Adgangslog.objects.filter(borger=g.borger).count()
        borger_client.get(url)
        assert Adgangslog.objects.filter(borger=g.borger).count() == foer + 1
        entry = Adgangslog.objects.filter(borger=g.borger).latest("nummer")
        assert entry.handling == "eksport" and entry.grundlag == "borger"
        assert "Hentede alle oplysninger som fil" in entry.hvad
    # a download holds its own entry, last
    dok = hent(borger_client, JSON)
    assert dok["adgangslog"][-1]["handling"] == "eksport"
    assert dok["adgangslog"][-1]["nummer"] == Adgangslog.objects.filter(borger=g.borger).count()
    # "Hvem har set" opens on others' reads; the citizen's own downloads are under "alle",
    # in the plain words of the log page
    html = borger_client.get(reverse("overblik:hvem_har_set")).content.decode()
    assert "Hentede en kopi af" not in html
    html = borger_client.get(reverse("overblik:hvem_har_set"), {"vis": "alle"}).content.decode()
    assert "Hentede en kopi af" in html


@pytest.fixture
def fuldmagt(g):
    """Ole holds a power of attorney for Else covering consent and health."""
    return Relation.objects.create(
        borger=g.borger, person=g.anden_borger, type=RelationsType.FULDMAGT,
        omfang=[Omfang.SAMTYKKE, Omfang.HELBRED], gyldig_fra=datetime.date(2020, 1, 1),
        gyldig_til=datetime.date(2099, 1, 1),
    )  # fmt: skip


def test_a_relative_in_scope_downloads_for_the_person_they_act_for(client, g, fuldmagt):
    fuld(g)
    tilstand(g, borger=g.anden_borger, borgerens_vurdering="Oles egne ord")
    client.force_login(g.anden_borger_user)
    saet_handler_for(client, g.borger.pk)
    dok = hent(client, JSON)
    VALIDATOR.validate(dok)
    assert dok["borger"]["id"] == str(g.borger.pk) and "Oles egne ord" not in json.dumps(dok)
    Bundle.model_validate(hent(client, FHIR))
    entry = Adgangslog.objects.filter(borger=g.borger).latest("nummer")
    assert entry.handling == "eksport" and entry.handler_for == fuldmagt
    assert entry.bruger_id == g.anden_borger_user.pk
    assert not Adgangslog.objects.filter(borger=g.anden_borger).exists()


def test_a_relation_without_data_scope_downloads_nothing(client, g, fuldmagt):
    fuldmagt.omfang = [Omfang.SAMTYKKE, Omfang.OEKONOMI]
    fuldmagt.save()
    client.force_login(g.anden_borger_user)
    saet_handler_for(client, g.borger.pk)
    for url in (JSON, FHIR, UDSKRIFT):
        assert client.get(url).status_code == 404
    assert not Adgangslog.objects.filter(borger=g.borger).exists()


# --- the dialogue (schema 1.1) -------------------------------------------------------------


def test_json_download_holds_the_conversations_with_every_version(borger_client, g):
    samtaler(g)
    response = borger_client.get(JSON)
    tekst = response.content.decode()
    dok = json.loads(tekst)
    VALIDATOR.validate(dok)
    med, faglig = sorted(dok["samtaler"], key=lambda s: s["type"])
    assert (med["type"], med["emne"], med["beskeder_med"]) == ("borger", "Om hjælpen 0", True)
    assert med["om"]["type"] == "tilstand" and med["om"]["id"] in {
        t["id"] for t in dok["tilstande"]
    }
    versioner = [(b["nummer"], b["version"], b["tekst"]) for b in med["beskeder"]]
    assert versioner == [
        (1, 1, "Første udkast 0"), (1, 2, "Rettet tekst 0"), (2, 2, None),
        (3, 1, "Borgerens svar 0"),
    ]  # fmt: skip
    v1, v2, trukket, svar = med["beskeder"]
    assert v2["erstatter"] == v1["id"] and v1["besked_id"] == v2["besked_id"]
    assert trukket["trukket_tilbage"] and not trukket["vedhaeftninger"]
    assert "Fortrudt 0" not in tekst  # a withdrawn message's text is never handed out
    [fil] = v1["vedhaeftninger"]
    assert fil == {
        "id": fil["id"], "filnavn": "notat.pdf", "content_type": "application/pdf",
        "stoerrelse": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest(),
    }  # fmt: skip
    assert base64.b64encode(PDF).decode() not in tekst and "%PDF" not in tekst
    assert v1["svar_fra"]["navn"] == g.borger.navn and v1["svar_frist"]
    assert v1["henviser_til"]["tilstande"] == [med["om"]["id"]]
    assert v1["afsender"] == {
        "type": "medarbejder", "navn": "Tina Test", "enhed": "Hjemmepleje",
        "myndighed": g.myndighed.navn, "rolle": "Sagsbehandler", "faglighed": "",
        "via_relation": None,
    }  # fmt: skip
    assert svar["afsender"]["type"] == "person" and svar["afsender"]["navn"] == g.borger.navn
    assert {(d["type"], d["navn"]) for d in med["deltagere"]} >= {
        ("medarbejder", "Tina Test"), ("enhed", "Hjemmepleje"), ("person", g.borger.navn),
    }  # fmt: skip
    # among professionals: that it exists, who, when — never what
    assert faglig["beskeder_med"] is False and faglig["beskeder"] == []
    assert ("skrevet", "Tina Test") in {(h["haendelse"], h["hvem"]) for h in faglig["historik"]}
    assert "Hemmelig faglig tekst" not in tekst
    entry = Adgangslog.objects.filter(borger=g.borger).latest("nummer")
    assert "dialog" in entry.kategorier
    assert {o["id"] for o in entry.objekter} >= {med["id"], faglig["id"]}


def test_fhir_download_has_a_communication_per_message_version(borger_client, g, fuldmagt):
    fuldmagt.omfang = [Omfang.SAMTYKKE, Omfang.HELBRED, Omfang.DIALOG]
    fuldmagt.save()
    samtaler(g)
    s = g.borger.samtaler.get(type=SamtaleType.MED_BORGEREN)
    dialog_services.besked_write(samtale=s, actor=g.anden_borger_user, tekst="Oles besked")
    response = borger_client.get(FHIR)
    tekst = response.content.decode()
    dok = json.loads(tekst)
    Bundle.model_validate(dok)
    urls = {e["fullUrl"] for e in dok["entry"]}
    assert set(referencer(dok["entry"], [])) <= urls
    art = {e["fullUrl"]: e["resource"]["resourceType"] for e in dok["entry"]}
    komm = [e["resource"] for e in dok["entry"] if e["resource"]["resourceType"] == "Communication"]
    med = [c for c in komm if c["category"][0]["text"] == "Samtale med borgeren"]
    faglige = [c for c in komm if c not in med]
    assert len(med) == 5 and len(faglige) == 1  # 4 versions + Ole's; one message written
    for c in komm:
        assert c["subject"] == {"reference": f"urn:uuid:{g.borger.pk}"}
        assert c["topic"]["text"] in ("Om hjælpen 0", "Fagligt 0") and c["sent"]
    afsendere = {art[c["sender"]["reference"]] for c in med}
    assert afsendere == {"PractitionerRole", "Patient", "RelatedPerson"}
    rolle = next(e["resource"] for e in dok["entry"]
                 if e["resource"]["resourceType"] == "PractitionerRole")  # fmt: skip
    assert art[rolle["practitioner"]["reference"]] == "Practitioner"
    assert art[rolle["organization"]["reference"]] == "Organization"
    tekster = {c["payload"][0]["contentString"]: c for c in med if "payload" in c}
    assert set(tekster) == {"Første udkast 0", "Rettet tekst 0", "Borgerens svar 0", "Oles besked"}
    forste, rettet = tekster["Første udkast 0"], tekster["Rettet tekst 0"]
    assert rettet["extension"][0]["valueReference"]["reference"] == f"urn:uuid:{forste['id']}"
    assert art[forste["about"][0]["reference"]] == "Condition"
    bilag = forste["payload"][1]["contentAttachment"]
    assert bilag["size"] == len(PDF) and bilag["title"] == "notat.pdf" and "data" not in bilag
    assert bilag["extension"][0]["valueString"] == hashlib.sha256(PDF).hexdigest()
    [trukket] = [c for c in med if c["status"] == "entered-in-error"]
    assert "payload" not in trukket and "Fortrudt 0" not in tekst
    [f] = faglige
    assert "payload" not in f and f["sender"] == {"display": "Tina Test, Hjemmepleje"}
    assert "Hemmelig faglig tekst" not in tekst


@pytest.mark.parametrize("dialog", [True, False])
def test_a_relative_downloads_conversations_only_with_the_dialogue_in_scope(
    client, g, fuldmagt, dialog
):
    """As on Mine samtaler: a relation whose scope includes the dialogue hands over the
    conversations held with the citizen; never the professionals-only ones (the relative
    does not learn they exist), nor the relative's own conversations."""
    if dialog:
        fuldmagt.omfang = [*fuldmagt.omfang, Omfang.DIALOG]
        fuldmagt.save()
    samtaler(g)
    g.anden_borger.user = g.anden_borger_user
    samtaler(g, borger=g.anden_borger)  # Ole's own, with the same texts but other ids
    egne = {str(pk) for pk in g.anden_borger.samtaler.values_list("pk", flat=True)}
    client.force_login(g.anden_borger_user)
    saet_handler_for(client, g.borger.pk)
    dok = hent(client, JSON)
    VALIDATOR.validate(dok)
    ids = {s["id"] for s in dok["samtaler"]}
    assert not ids & egne
    if dialog:
        [s] = dok["samtaler"]
        assert s["type"] == "borger" and len(s["beskeder"]) == 4
    else:
        assert dok["samtaler"] == []
    fhir = hent(client, FHIR)
    Bundle.model_validate(fhir)
    komm = [e for e in fhir["entry"] if e["resource"]["resourceType"] == "Communication"]
    assert len(komm) == (4 if dialog else 0)
    assert not {e["resource"]["identifier"][0]["value"] for e in komm} & egne


def test_staff_and_anonymous_get_no_download(client, g):
    fuld(g)
    for url in (JSON, FHIR, UDSKRIFT):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(g.user)
    for url in (JSON, FHIR, UDSKRIFT):
        assert client.get(url).status_code == 404
    assert client.get(reverse("overblik:eksport_schema")).status_code == 200


# Pinned, the same for 1 and 6 of everything: session + user (2), who is logged in (1),
# savepoint, then 16 reads (tilstande, their registrations, versions; indsatser, theirs;
# cases, their registrations; consents, requests, legal bases, relations, access log;
# classes, units, staff), the log entry (one statement), release. (Authorities are read
# only when a consent names one.)
# Since schema 1.1 also the conversations: one query, and when there are any their
# participants, message versions (with their references), the versions' attachments and
# the history (4 more).
EKSPORT_QUERIES = 2 + 1 + 1 + 16 + 1 + 1 + 1
SAMTALE_QUERIES = 4


@pytest.mark.parametrize("url", [JSON, FHIR])
def test_download_query_count_is_constant(borger_client, g, django_assert_num_queries, url):
    fuld(g, 1)
    with django_assert_num_queries(EKSPORT_QUERIES):
        borger_client.get(url)
    fuld(g, 5)
    with django_assert_num_queries(EKSPORT_QUERIES):
        borger_client.get(url)


@pytest.mark.parametrize("url", [JSON, FHIR])
def test_download_query_count_is_constant_in_conversations_and_messages(
    borger_client, g, django_assert_num_queries, url
):
    fuld(g, 1)
    samtaler(g, 1)
    with django_assert_num_queries(EKSPORT_QUERIES + SAMTALE_QUERIES):
        borger_client.get(url)
    samtaler(g, 4)
    s = g.borger.samtaler.filter(type=SamtaleType.MED_BORGEREN).first()
    for n in range(5):
        dialog_services.besked_write(samtale=s, actor=g.user, tekst=f"Mere {n}")
    with django_assert_num_queries(EKSPORT_QUERIES + SAMTALE_QUERIES):
        borger_client.get(url)


def test_summary_page_shows_now_and_prints_without_navigation(borger_client, g):
    fuld(g)
    html = borger_client.get(UDSKRIFT).content.decode()
    for tekst in (
        "Oversigt over Else Jensen", "Situationen nu", "Rettede ord 0", "Handle ind selv 0",
        "Samtykker, der gælder", "Jobcenter, Testrup Kommune",
    ):  # fmt: skip
        assert tekst in html, tekst
    entry = Adgangslog.objects.filter(borger=g.borger).latest("nummer")
    assert entry.handling == "visning"
    mine = borger_client.get(reverse("overblik:mine_data")).content.decode()
    for url in (UDSKRIFT, JSON, FHIR):
        assert f'href="{url}"' in mine
    css = (django_settings.BASE_DIR / "datadeling/static/css/datadeling.css").read_text()
    print_css = css[css.rindex("@media print") :]
    assert "nav," in print_css and ".knap," in print_css and "display: none" in print_css


def test_summary_query_count_is_constant(borger_client, g, django_assert_num_queries):
    fuld(g, 1)
    borger_client.get(UDSKRIFT)
    with django_assert_num_queries(UDSKRIFT_QUERIES):
        borger_client.get(UDSKRIFT)
    fuld(g, 4)
    with django_assert_num_queries(UDSKRIFT_QUERIES):
        borger_client.get(UDSKRIFT)


# session + user, who, savepoint, tilstande, indsatser, cases, requests, consents, their
# classes and units, the log entry (1), release.
UDSKRIFT_QUERIES = 2 + 1 + 1 + 3 + 4 + 1 + 1


# --- property: a download never holds another citizen's data ------------------------------

OMFANG = st.sets(st.sampled_from([Omfang.SAMTYKKE, Omfang.HELBRED, Omfang.OEKONOMI, Omfang.DIALOG]))
RELATION = st.tuples(
    st.integers(0, 2), st.integers(0, 2),
    st.sampled_from([RelationsType.FULDMAGT, RelationsType.VAERGE, RelationsType.PAAROERENDE]),
    OMFANG, st.booleans(),
)  # fmt: skip


def reference_maa(person: int, borger: int, relationer) -> bool:
    """The rule in plain Python: oneself, or a værge/fuldmagt valid today whose scope covers
    consent and one of health, social or personal matters."""
    return person == borger or any(
        p == person and b == borger and t in (RelationsType.VAERGE, RelationsType.FULDMAGT)
        and Omfang.SAMTYKKE in om and om & {Omfang.HELBRED, Omfang.SOCIALE, Omfang.PERSONLIGE}
        and gyldig
        for p, b, t, om, gyldig in relationer
    )  # fmt: skip


def reference_samtaler(person: int, borger: int, relationer) -> bool:
    """The dialogue rule in plain Python: a person reads the conversations held with a
    citizen when it is themself, or through a relation valid today whose scope includes the
    dialogue. Nobody but no one reads the texts among professionals."""
    return person == borger or any(
        p == person and b == borger and Omfang.DIALOG in om and gyldig
        for p, b, _t, om, gyldig in relationer
    )


@settings(
    max_examples=hypotese.eksempler(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# a relative acting for a citizen with conversations, with and without the dialogue in scope
@example(
    relationer=[(0, 1, RelationsType.FULDMAGT, {Omfang.SAMTYKKE, Omfang.HELBRED}, True)],
    data=[1, 0], hvem=0, for_hvem=1,
)  # fmt: skip
@example(
    relationer=[(0, 1, RelationsType.VAERGE, {Omfang.SAMTYKKE, Omfang.HELBRED, Omfang.DIALOG},
                 True)],
    data=[1, 0], hvem=0, for_hvem=1,
)  # fmt: skip
@given(
    relationer=st.lists(RELATION, max_size=5),
    data=st.lists(st.integers(0, 2), max_size=6),
    hvem=st.integers(0, 2),
    for_hvem=st.integers(0, 2),
)
def test_a_download_never_holds_another_citizens_data(
    client,
    g,
    relationer,
    data,
    hvem,
    for_hvem,
):
    with transaction.atomic():
        User = get_user_model()
        borgere = [
            Borger.objects.create(cpr=f"11111100{i}{len(relationer)}", fornavn=f"B{i}",
                                  efternavn="X", user=User.objects.create_user(f"b{i}-{id(data)}"))
            for i in range(3)
        ]  # fmt: skip
        idag = clock.now().date()
        relevante = []  # the relations made: one per (citizen, person, type), as the model says
        for p, b, t, om, gyldig in relationer:
            if p == b or (t != RelationsType.PAAROERENDE and not om):
                continue
            if any((p, b, t) == r[:3] for r in relevante):
                continue
            relevante.append((p, b, t, om, gyldig))
            Relation.objects.create(
                borger=borgere[b], person=borgere[p], type=t,
                omfang=[] if t == RelationsType.PAAROERENDE else sorted(om),
                gyldig_fra=idag - datetime.timedelta(days=10),
                gyldig_til=idag + datetime.timedelta(days=365 if gyldig else -1),
            )  # fmt: skip
        for n, b in enumerate(data):
            tilstand(g, borger=borgere[b], borgerens_vurdering=f"ord-{b}-{n}")
            services.samtykke_give(
                actor=None, borger=borgere[b], modtager=g.anden_enhed,
                kategorier=[g.type.overordnet], kilder=[g.enhed], formaal=f"formaal-{b}-{n}",
                beslutning=Beslutning.TILLAD,
            )  # fmt: skip
            for type, navn in (
                (SamtaleType.MED_BORGEREN, "samtale"),
                (SamtaleType.FAGLIG, "faglig"),
            ):
                dialog_services.samtale_create(
                    actor=g.user, borger=borgere[b], type=type, emne=f"emne-{navn}-{b}-{n}",
                    tekst=f"{navn}-{b}-{n}",
                )  # fmt: skip
        forventet = reference_maa(
            hvem, for_hvem,
            [(p, b, t, om if t != RelationsType.PAAROERENDE else set(), gyldig)
             for p, b, t, om, gyldig in relevante],
        )  # fmt: skip
        assert policy.maa_eksportere(borgere[hvem], borgere[for_hvem], clock.now()) == forventet

        client.force_login(borgere[hvem].user)
        if hvem != for_hvem:
            saet_handler_for(client, borgere[for_hvem].pk)
        response = client.get(JSON)
        if response.status_code == 200:
            ejer = json.loads(response.content)["borger"]["id"]
            tekst = response.content.decode()
            ejer_nr = next(i for i, b in enumerate(borgere) if str(b.pk) == ejer)
            assert ejer_nr in (for_hvem, hvem)
            assert ejer_nr == hvem or forventet
            for i, b in enumerate(borgere):
                if i != ejer_nr:
                    assert b.cpr not in tekst and f"ord-{i}-" not in tekst
                    assert f"formaal-{i}-" not in tekst
                    assert f"samtale-{i}-" not in tekst
                    assert f"-faglig-{i}-" not in tekst
            # the texts among professionals never; the ones with the citizen as the rule says
            assert not any(f"faglig-{i}-" in tekst.replace("emne-faglig-", "") for i in range(3))
            laeser = reference_samtaler(
                hvem, ejer_nr, [(p, b, t, om if t != RelationsType.PAAROERENDE else set(), gy)
                                for p, b, t, om, gy in relevante],
            )  # fmt: skip
            if ejer_nr in data:
                assert (f'"samtale-{ejer_nr}-' in tekst) == laeser
                # that a conversation among professionals exists: the citizen only
                assert (f"emne-faglig-{ejer_nr}-" in tekst) == (ejer_nr == hvem)
        else:
            assert response.status_code == 404 and not forventet
        transaction.set_rollback(True)


# --- the demo's citizens ---------------------------------------------------------------------


def test_downloads_validate_for_the_demo_citizens(client, kodesystemer):
    """Karen (logged in as herself, then Jonas with her fuldmagt) and a handful of the demo's
    other citizens: both downloads validate, and hold only their own citizen."""
    from demo.byg import byg_demo
    from demo.organisation import KAREN

    byg_demo(scale=0.1, seed=3)
    karen = Borger.objects.get(cpr=KAREN[1])
    assert karen.tilstande.exists() and karen.samtykker.exists()
    client.force_login(karen.user)
    dok = hent(client, JSON)
    VALIDATOR.validate(dok)
    assert any(len(t["registreringer"]) > 1 for t in dok["tilstande"])
    assert any(s["beskeder"] for s in dok["samtaler"])  # the demo's conversations with her
    fhir = hent(client, FHIR)
    Bundle.model_validate(fhir)
    assert any(e["resource"]["resourceType"] == "Communication" for e in fhir["entry"])
    assert set(referencer(fhir["entry"], [])) <= {e["fullUrl"] for e in fhir["entry"]}

    jonas = Relation.objects.get(borger=karen, type=RelationsType.FULDMAGT).person
    client.force_login(jonas.user)
    saet_handler_for(client, karen.pk)
    dok = hent(client, JSON)
    VALIDATOR.validate(dok)
    assert dok["borger"]["cpr"] == karen.cpr and dok["dannet_af"] == jonas.navn
    assert {s["type"] for s in dok["samtaler"]} <= {"borger"}  # his fuldmagt covers dialogue
    assert dok["samtaler"] or not karen.samtaler.filter(type="borger").exists()
    bundle = hent(client, FHIR)
    Bundle.model_validate(bundle)
    assert set(referencer(bundle["entry"], [])) <= {e["fullUrl"] for e in bundle["entry"]}

    now = clock.now()
    andre = Borger.objects.filter(tilstande__isnull=False).exclude(pk=karen.pk).distinct()[:5]
    assert andre
    for b in andre:
        data = eksport_data(b, now)
        dok = eksport_dokument(data, dannet_af=b.navn, schema_url="urn:test")
        VALIDATOR.validate(dok)
        assert {t["id"] for t in dok["tilstande"]} == {
            str(pk) for pk in b.tilstande.values_list("pk", flat=True)
        }
        Bundle.model_validate(eksport_bundle(data))
