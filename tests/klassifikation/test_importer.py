"""The FHIR importer on the shipped KL and Datadeling files, on real PostgreSQL."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klassifikation.importer import STANDARD_MAPPE, klassifikation_import
from klassifikation.models import (
    Betegnelse,
    Klasse,
    Klassifikation,
    Mapping,
    MappingRelation,
    Mappingsaet,
    Status,
    Supplement,
    klasse_uuid,
)

from .conftest import (
    CARE,
    FAGLIGHED,
    FAGLIGHED_URI,
    FFB,
    FFB_FAGORD,
    FFB_URI,
    FSIII,
    FSIII_FAGORD,
    FSIII_FFB,
    FSIII_URI,
    LTT,
    find,
    fjern,
    laes,
    snapshot,
)

pytestmark = pytest.mark.django_db


def importer(*stier, force=False):
    return klassifikation_import(stier=list(stier), force=force)


def skrivende(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().split(" ", 1)[0] in {"INSERT", "UPDATE", "DELETE"}
    ]


# -- The shipped code systems ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fil", "uri", "antal"),
    [
        (FSIII, FSIII_URI, 828),
        (FFB, FFB_URI, 220),
        (CARE, "http://fhir.kl.dk/term/CodeSystem/CareSocialCodes", 91),
        (LTT, "http://fhir.kl.dk/term/CodeSystem/LTT", 27),
        (FAGLIGHED, FAGLIGHED_URI, 11),
    ],
)
def test_import_gives_every_class_once(fil, uri, antal):
    [resultat] = importer(fil)

    klassifikation = Klassifikation.objects.get(uri=uri)
    assert klassifikation.klasser.count() == antal
    assert (resultat.oprettet, resultat.aendret, resultat.uaendret, resultat.udgaaet) == (
        antal,
        0,
        0,
        0,
    )
    assert klassifikation.importeret is not None


def test_fsiii_keeps_fk_uuids_and_metadata():
    importer(FSIII)

    fsiii = Klassifikation.objects.get(uri=FSIII_URI)
    assert (fsiii.navn, fsiii.titel, fsiii.version, fsiii.status) == (
        "FSIII",
        "FSIII",
        "20240530",
        Status.AKTIV,
    )
    assert fsiii.beskrivelse == "Codes from FSIII"
    # A UUID code is the class's own id; a letter code gets a stable derived one.
    hukommelse = Klasse.objects.get(
        klassifikation=fsiii, kode="a3ac7928-77c9-425c-a7f1-1248a3764d0a"
    )
    assert hukommelse.pk == uuid.UUID("a3ac7928-77c9-425c-a7f1-1248a3764d0a")
    assert hukommelse.titel == "Hukommelse"
    assert hukommelse.definition.startswith("Evnen til og behovet for støtte til at huske")
    j42 = Klasse.objects.get(klassifikation=fsiii, kode="J4.2")
    assert j42.pk == klasse_uuid(FSIII_URI, "J4.2")
    assert j42.titel == "Hukommelse"


def test_tree_paths_levels_and_order():
    importer(FSIII)

    klasser = {k.pk: k for k in Klasse.objects.filter(klassifikation__uri=FSIII_URI)}
    for klasse in klasser.values():
        assert klasse.niveau == len(klasse.sti)
        assert klasse.overordnet_id == (klasse.sti[-1] if klasse.sti else None)
        if klasse.overordnet_id:
            foraelder = klasser[klasse.overordnet_id]
            assert klasse.sti == [*foraelder.sti, foraelder.pk]
            # Pre-order: a parent comes before its children.
            assert foraelder.raekkefoelge < klasse.raekkefoelge
    assert sorted(k.raekkefoelge for k in klasser.values()) == list(range(828))

    i44 = Klasse.objects.get(klassifikation__uri=FSIII_URI, kode="I4.4")
    assert [klasser[pk].kode for pk in i44.sti] == ["I", "I4"]
    assert i44.niveau == 2
    assert i44.titel == "Problemer med tryksår"
    # The first root in the file is first.
    foerste = min(klasser.values(), key=lambda k: k.raekkefoelge)
    assert foerste.kode == "370e6178-9a5d-45f9-a2c9-f658186059c9"


def test_designations_in_the_code_system_become_synonyms():
    importer(FSIII)

    i49 = Klasse.objects.get(klassifikation__uri=FSIII_URI, kode="I4.9")
    [betegnelse] = i49.betegnelser.all()
    assert betegnelse.tekst == "Andre problemer med hud og slimhinder"
    assert betegnelse.faglighed is None
    assert betegnelse.sprog == "da"
    assert betegnelse.kilde == FSIII_URI


def test_whole_standard_folder_imports_in_dependency_order():
    # The ConceptMap and the supplements come first alphabetically; they must still work.
    resultater = importer(STANDARD_MAPPE)

    arter = [r.art for r in resultater]
    assert arter == sorted(arter, key=["CodeSystem", "supplement", "ConceptMap"].index)
    oprettet = {r.uri: r.oprettet for r in resultater}
    assert (
        oprettet.items()
        >= {
            FSIII_URI: 828,
            FFB_URI: 220,
            "http://fhir.kl.dk/term/CodeSystem/CareSocialCodes": 91,
            "http://fhir.kl.dk/term/CodeSystem/LTT": 27,
            FAGLIGHED_URI: 11,
            "urn:datadeling:conceptmap:fsiii-ffb": 25,
        }.items()
    )
    assert {r.uri: r.betegnelser_oprettet for r in resultater if r.art == "supplement"} == {
        "urn:datadeling:codesystem:fsiii-fagord": 28,
        "urn:datadeling:codesystem:ffb-fagord": 23,
    }
    assert Klasse.objects.count() == sum(r.oprettet for r in resultater if r.art == "CodeSystem")


# -- Idempotence ------------------------------------------------------------------------------


def test_reimport_changes_nothing_and_writes_nothing():
    importer(STANDARD_MAPPE)
    foer = snapshot()

    with CaptureQueriesContext(connection) as queries:
        resultater = importer(STANDARD_MAPPE)

    assert snapshot() == foer
    assert skrivende(queries.captured_queries) == []
    # A fixed number of reads per file, whatever the size of the files.
    assert len(queries.captured_queries) <= 7 + len(resultater)
    assert all(r.aendringer == 0 for r in resultater)
    fsiii = next(r for r in resultater if r.uri == FSIII_URI)
    assert (fsiii.oprettet, fsiii.aendret, fsiii.uaendret, fsiii.udgaaet) == (0, 0, 828, 0)


def test_reimport_of_one_file_needs_few_queries(django_assert_max_num_queries):
    importer(FSIII)

    with django_assert_max_num_queries(8):
        [resultat] = importer(FSIII)

    assert resultat.uaendret == 828


# -- Newer and older versions -----------------------------------------------------------------


@pytest.fixture
def fsiii_ny(fsiii, skriv):
    """FSIII in a newer version: one class removed, one renamed, one added."""
    fsiii["version"] = "20250101"
    fjern(fsiii, "I4.4")
    find(fsiii, "J4.2")["display"] = "Hukommelse og genkaldelse"
    find(fsiii, "I4")["concept"].append(
        {"code": "I4.10", "display": "Problemer med fugtrelaterede hudskader"}
    )
    fsiii["count"] += 1
    return skriv("CodeSystem-FSIII.json", fsiii)


def test_newer_version_updates_in_place_and_retires(fsiii_ny):
    importer(FSIII)
    ids_foer = dict(Klasse.objects.values_list("kode", "id"))

    [resultat] = importer(fsiii_ny)

    # J4.2's title, and I4.2's place in the order (it moved up where I4.4 was).
    assert (resultat.oprettet, resultat.aendret, resultat.udgaaet) == (1, 2, 1)
    assert resultat.uaendret == 825
    fsiii = Klassifikation.objects.get(uri=FSIII_URI)
    assert fsiii.version == "20250101"
    assert fsiii.klasser.count() == 829  # no duplicates: the retired class stays
    assert Klasse.objects.get(kode="I4.4").status == Status.UDGAAET
    j42 = Klasse.objects.get(kode="J4.2")
    assert j42.titel == "Hukommelse og genkaldelse"
    assert j42.pk == ids_foer["J4.2"]
    ny = Klasse.objects.get(kode="I4.10")
    assert ny.overordnet == Klasse.objects.get(kode="I4")
    assert ny.status == Status.AKTIV
    # Every class kept its id.
    assert {k: v for k, v in Klasse.objects.values_list("kode", "id") if k in ids_foer} == ids_foer


def test_newer_version_twice_changes_nothing_the_second_time(fsiii_ny):
    importer(FSIII)
    importer(fsiii_ny)
    foer = snapshot()

    with CaptureQueriesContext(connection) as queries:
        [resultat] = importer(fsiii_ny)

    assert snapshot() == foer
    assert skrivende(queries.captured_queries) == []
    assert resultat.udgaaet == 0  # already retired


def test_older_version_is_refused(fsiii_ny):
    importer(fsiii_ny)
    foer = snapshot()

    with pytest.raises(ValidationError) as fejl:
        importer(FSIII)

    [besked] = fejl.value.messages
    assert besked.startswith("CodeSystem-FSIII.json: version: version 20240530 er ældre")
    assert "20250101" in besked
    assert "--force" in besked
    assert snapshot() == foer


def test_older_version_with_force_brings_a_retired_class_back(fsiii_ny):
    importer(FSIII)
    importer(fsiii_ny)

    [resultat] = importer(FSIII, force=True)

    assert Klassifikation.objects.get(uri=FSIII_URI).version == "20240530"
    assert Klasse.objects.get(kode="I4.4").status == Status.AKTIV
    assert Klasse.objects.get(kode="I4.10").status == Status.UDGAAET
    assert Klasse.objects.get(kode="J4.2").titel == "Hukommelse"
    assert (resultat.oprettet, resultat.aendret, resultat.udgaaet) == (0, 3, 1)


def test_a_new_version_number_alone_updates_the_code_system_only(skriv, fsiii):
    importer(FSIII)
    foer = Klassifikation.objects.get(uri=FSIII_URI).importeret
    fsiii["version"] = "20240601"

    with CaptureQueriesContext(connection) as queries:
        [resultat] = importer(skriv("fsiii.json", fsiii))

    fsiii_ = Klassifikation.objects.get(uri=FSIII_URI)
    assert (fsiii_.version, resultat.aendret, resultat.uaendret) == ("20240601", 0, 828)
    assert fsiii_.importeret > foer
    assert [sql.split(" ", 2)[:2] for sql in skrivende(queries.captured_queries)] == [
        ["UPDATE", '"klassifikation_klassifikation"'],
        ["UPDATE", '"klassifikation_klassifikation"'],
    ]


def test_version_numbers_compare_as_numbers(skriv, fsiii):
    fsiii["version"] = "2.10.0"
    importer(skriv("ny.json", fsiii))
    fsiii["version"] = "2.9.1"

    with pytest.raises(ValidationError, match="2.9.1 er ældre"):
        importer(skriv("gammel.json", fsiii))


def test_removing_a_subtree_retires_all_of_it(skriv, fsiii):
    importer(FSIII)
    fsiii["version"] = "20250101"
    fjern(fsiii, "I4")

    [resultat] = importer(skriv("fsiii.json", fsiii))

    assert resultat.udgaaet == 11
    assert set(
        Klasse.objects.filter(sti__contains=[klasse_uuid(FSIII_URI, "I4")]).values_list(
            "status", flat=True
        )
    ) == {Status.UDGAAET}


# -- Supplements ------------------------------------------------------------------------------


def test_supplement_adds_each_professions_words():
    importer(FAGLIGHED, FSIII, FSIII_FAGORD)

    supplement = Supplement.objects.get()
    assert supplement.klassifikation.uri == FSIII_URI
    assert supplement.status == Status.UDKAST
    tryksaar = Klasse.objects.get(
        klassifikation__uri=FSIII_URI, kode="bb0ea5fa-3462-40de-9047-a16fc4815a47"
    )
    ord_ = {(b.faglighed.titel, b.tekst) for b in tryksaar.betegnelser.select_related("faglighed")}
    assert ord_ == {
        ("Sygeplejerske", "Decubitus"),
        ("Social- og sundhedshjælper", "Liggesår"),
        ("Læge", "Tryksår (decubitus)"),
    }
    assert set(tryksaar.betegnelser.values_list("kilde", flat=True)) == {supplement.uri}
    # Professions are classes of the Faglighed code system.
    assert set(
        Betegnelse.objects.filter(kilde=supplement.uri).values_list(
            "faglighed__klassifikation__uri", flat=True
        )
    ) == {FAGLIGHED_URI}


def test_supplement_without_its_code_system_is_refused():
    with pytest.raises(ValidationError) as fejl:
        importer(FAGLIGHED, FFB_FAGORD)

    [besked] = fejl.value.messages
    assert besked == (
        "CodeSystem-Datadeling-FFB-Fagord.json: supplements: supplerer "
        "urn:oid:1.2.208.176.2.22, som ikke er importeret. Importér kodesystemet først "
        "(eller i samme kommando)."
    )
    assert Klassifikation.objects.count() == 0


def test_supplement_for_an_already_imported_code_system():
    importer(FAGLIGHED, FFB)

    [resultat] = importer(FFB_FAGORD)

    assert resultat.betegnelser_oprettet == 23


def test_supplement_code_that_the_code_system_lacks(skriv):
    importer(FAGLIGHED, FFB)
    data = laes(FFB_FAGORD)
    data["concept"][2]["code"] = "findes-ikke"

    with pytest.raises(ValidationError) as fejl:
        importer(skriv("fagord.json", data))

    assert fejl.value.messages == [
        'fagord.json: concept[2].code: koden "findes-ikke" findes ikke i urn:oid:1.2.208.176.2.22.'
    ]


def test_supplement_profession_code_that_does_not_exist(skriv):
    importer(FAGLIGHED, FFB)
    data = laes(FFB_FAGORD)
    data["concept"][0]["designation"][1]["use"]["code"] = "tandlaege"

    with pytest.raises(ValidationError) as fejl:
        importer(skriv("fagord.json", data))

    assert fejl.value.messages == [
        'fagord.json: concept[0].designation[1].use.code: koden "tandlaege" findes ikke i '
        "urn:datadeling:codesystem:faglighed."
    ]


def test_newer_supplement_replaces_its_own_words_only(skriv):
    importer(FAGLIGHED, FFB, FFB_FAGORD)
    angst = Klasse.objects.get(kode="303deb9b-84f0-49d2-ab7a-f8b98eed40a2")
    # A word entered in Datadeling, and one the supplement also brings.
    haandlavet = Betegnelse.objects.create(klasse=angst, tekst="Ængstelighed")
    data = laes(FFB_FAGORD)
    data["version"] = "1.1.0"
    hukommelse = data["concept"][0]
    del hukommelse["designation"][0]  # Sygeplejerske's word goes
    hukommelse["designation"][0]["language"] = "en"  # Pædagog's word changes

    [resultat] = importer(skriv("fagord.json", data))

    assert (
        resultat.betegnelser_oprettet,
        resultat.betegnelser_aendret,
        resultat.betegnelser_slettet,
    ) == (0, 1, 1)
    assert not Betegnelse.objects.filter(tekst="Kognitiv funktion – hukommelse").exists()
    assert Betegnelse.objects.get(tekst="Kan huske dagens struktur og aftaler").sprog == "en"
    assert Betegnelse.objects.filter(pk=haandlavet.pk).exists()
    # Re-importing the code system leaves the supplement's words alone.
    [ffb] = importer(FFB)
    assert ffb.aendringer == 0
    assert Betegnelse.objects.filter(kilde="urn:datadeling:codesystem:ffb-fagord").count() == 22


def test_a_word_already_entered_by_hand_is_not_duplicated():
    importer(FAGLIGHED, FFB)
    angst = Klasse.objects.get(kode="303deb9b-84f0-49d2-ab7a-f8b98eed40a2")
    laege = Klasse.objects.get(klassifikation__uri=FAGLIGHED_URI, titel="Læge")
    Betegnelse.objects.create(klasse=angst, tekst="Angstlidelse", faglighed=laege)

    [resultat] = importer(FFB_FAGORD)

    assert resultat.betegnelser_oprettet == 22
    assert resultat.betegnelser_uaendret == 1
    assert angst.betegnelser.filter(tekst="Angstlidelse").get().kilde == ""


# -- ConceptMap -------------------------------------------------------------------------------


def test_concept_map_becomes_mappings():
    importer(FSIII, FFB, FSIII_FFB)

    saet = Mappingsaet.objects.get()
    assert saet.uri == "urn:datadeling:conceptmap:fsiii-ffb"
    assert saet.ejer == "Datadeling"
    assert saet.mappings.count() == 25
    par = {
        (m.fra_klasse.kode, m.til_klasse.kode): m.relation
        for m in saet.mappings.select_related("fra_klasse", "til_klasse")
    }
    # equivalent → exact, wider → broad, narrower → narrow, inexact → close, relatedto → related
    assert par[
        ("a3ac7928-77c9-425c-a7f1-1248a3764d0a", "61452fe5-cea2-4d92-b2f1-406e9a5d31cb")
    ] == (MappingRelation.EXACT)
    assert par[
        ("e1dcf02e-6df5-487d-b596-3d499545468f", "61452fe5-cea2-4d92-b2f1-406e9a5d31cb")
    ] == (MappingRelation.BROAD)
    assert par[
        ("41c201d5-6d3d-4576-b3d2-510a9b105631", "464a2ab6-a7df-4b3a-b74d-7873f4cfe668")
    ] == (MappingRelation.NARROW)
    assert par[
        ("ff8312dc-442a-43f8-831a-faa18918c1ee", "8028b034-cad2-42df-b51c-aaba9c0bba61")
    ] == (MappingRelation.CLOSE)
    assert par[
        ("ea9d19bc-d513-4f4b-936f-8f0a405ae134", "52e0b8dd-f5fa-4e1a-b66e-f5e4a41bd313")
    ] == (MappingRelation.RELATED)
    assert {m.fra_klasse.klassifikation.uri for m in saet.mappings.all()} == {FSIII_URI}
    assert {m.til_klasse.klassifikation.uri for m in saet.mappings.all()} == {FFB_URI}


def test_newer_concept_map_updates_and_removes(skriv):
    importer(FSIII, FFB, FSIII_FFB)
    data = laes(FSIII_FFB)
    data["version"] = "1.1.0"
    elementer = data["group"][0]["element"]
    del elementer[0]  # Hukommelse ≡ Hukommelse
    elementer[1]["target"][0]["comment"] = "Ny kommentar"

    [resultat] = importer(skriv("kort.json", data))

    assert (resultat.oprettet, resultat.aendret, resultat.uaendret, resultat.slettet) == (
        0,
        1,
        23,
        1,
    )
    assert Mapping.objects.count() == 24
    assert Mapping.objects.filter(kommentar="Ny kommentar").count() == 1
    [igen] = importer(skriv("kort.json", data))
    assert igen.aendringer == 0


def test_r5_concept_map_with_relationship(skriv):
    importer(FSIII, FFB)
    kort = {
        "resourceType": "ConceptMap",
        "url": "urn:test:r5",
        "group": [
            {
                "source": FFB_URI + "|20240530",
                "target": FSIII_URI,
                "element": [
                    {
                        "code": "61452fe5-cea2-4d92-b2f1-406e9a5d31cb",
                        "target": [
                            {"code": "J4.2", "relationship": "equivalent"},
                            {"code": "I11.1", "relationship": "source-is-broader-than-target"},
                            {"code": "A1", "relationship": "not-related-to"},
                        ],
                    },
                    {"code": "e2ecc751-21b9-4aab-a20f-2f3dd9701c97", "noMap": True},
                ],
            }
        ],
    }

    [resultat] = importer(skriv("r5.json", kort))

    assert resultat.oprettet == 2
    assert set(Mapping.objects.values_list("til_klasse__kode", "relation")) == {
        ("J4.2", MappingRelation.EXACT),
        ("I11.1", MappingRelation.NARROW),
    }


# -- FHIR CodeSystems in general ----------------------------------------------------------------


def lille_kodesystem(**ekstra):
    return {
        "resourceType": "CodeSystem",
        "url": "urn:test:lille",
        "version": "1",
        "name": "Lille",
        "title": "Et lille kodesystem",
        "status": "draft",
        "publisher": "Testkommune",
        "description": "Til test.",
        "content": "complete",
        "concept": [
            {"code": "rod", "display": "Rod"},
            {
                "code": "a",
                "display": "A",
                "property": [{"code": "parent", "valueCode": "rod"}],
            },
            {
                "code": "b",
                "display": "B",
                "definition": "Et barn af a.",
                "property": [
                    {"code": "parent", "valueCode": "a"},
                    {"code": "status", "valueCode": "retired"},
                    {"code": "effectiveDate", "valueDateTime": "2020-01-01"},
                    {"code": "retirementDate", "valueDateTime": "2024-07-01T00:00:00+02:00"},
                    {"code": "niveau", "valueInteger": 3},
                    {"code": "farve", "valueString": "grøn"},
                    {"code": "farve", "valueString": "blå"},
                ],
                "designation": [
                    {
                        "language": "en",
                        "use": {
                            "system": "http://snomed.info/sct",
                            "code": "900000000000013009",
                            "display": "Synonym",
                        },
                        "value": "Bee",
                    }
                ],
            },
            {"code": "c", "property": [{"code": "inactive", "valueBoolean": True}]},
        ],
        **ekstra,
    }


def test_general_code_system_with_parent_properties_and_fhir_properties(skriv):
    [resultat] = importer(skriv("lille.json", lille_kodesystem()))

    assert resultat.oprettet == 4
    k = Klassifikation.objects.get(uri="urn:test:lille")
    assert (k.navn, k.titel, k.status, k.ejer, k.beskrivelse) == (
        "Lille",
        "Et lille kodesystem",
        Status.UDKAST,
        "Testkommune",
        "Til test.",
    )
    rod, a, b, c = (Klasse.objects.get(kode=kode) for kode in ("rod", "a", "b", "c"))
    assert b.overordnet == a and a.overordnet == rod and rod.overordnet is None
    assert b.sti == [rod.pk, a.pk] and b.niveau == 2
    assert [x.raekkefoelge for x in (rod, a, b, c)] == [0, 1, 2, 3]
    assert b.status == Status.UDGAAET
    assert (b.gyldig_fra, b.gyldig_til) == (datetime.date(2020, 1, 1), datetime.date(2024, 7, 1))
    assert b.egenskaber["niveau"] == 3
    assert b.egenskaber["farve"] == ["grøn", "blå"]
    assert b.definition == "Et barn af a."
    assert c.status == Status.UDGAAET
    assert c.titel == "c"  # no display: the code is the title
    [bee] = b.betegnelser.all()
    assert (bee.tekst, bee.sprog, bee.brug, bee.faglighed) == ("Bee", "en", "Synonym", None)


def test_child_property_builds_the_tree_too(skriv):
    data = lille_kodesystem()
    data["concept"] = [
        {"code": "x", "property": [{"code": "child", "valueCode": "y"}]},
        {"code": "y"},
    ]

    importer(skriv("lille.json", data))

    assert Klasse.objects.get(kode="y").overordnet == Klasse.objects.get(kode="x")


def test_a_fragment_retires_nothing(skriv):
    importer(skriv("lille.json", lille_kodesystem()))
    data = lille_kodesystem(content="fragment")
    data["concept"] = data["concept"][:1]

    [resultat] = importer(skriv("lille.json", data))

    assert resultat.udgaaet == 0
    assert Klasse.objects.filter(status=Status.AKTIV).count() == 2


def test_uuid_code_taken_by_another_code_system_is_refused(skriv):
    importer(FFB)
    data = lille_kodesystem()
    data["concept"][3]["code"] = "61452fe5-cea2-4d92-b2f1-406e9a5d31cb"  # FFB's Hukommelse

    with pytest.raises(ValidationError) as fejl:
        importer(skriv("lille.json", data))

    assert fejl.value.messages == [
        "lille.json: concept[3].code: id 61452fe5-cea2-4d92-b2f1-406e9a5d31cb bruges allerede "
        'af klassen "61452fe5-cea2-4d92-b2f1-406e9a5d31cb" i urn:oid:1.2.208.176.2.22.'
    ]
