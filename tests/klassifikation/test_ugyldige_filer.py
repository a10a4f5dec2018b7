"""A malformed file is refused whole, with file name and JSON path, and nothing is written."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from klassifikation.importer import klassifikation_import
from klassifikation.models import Klassifikation

from .conftest import FAGLIGHED, FFB, FSIII, FSIII_FFB, laes, snapshot

pytestmark = pytest.mark.django_db


def importer(*stier):
    return klassifikation_import(stier=list(stier))


def lille(*begreber, **felter):
    return {
        "resourceType": "CodeSystem",
        "url": "urn:test:lille",
        "content": "complete",
        "concept": list(begreber),
        **felter,
    }


def ret(data, funktion):
    funktion(data)
    return data


UGYLDIGE = {
    "ikke JSON": (
        '{"resourceType": "CodeSystem",',
        "fejl.json: ikke gyldig JSON (linje 1, kolonne 31): Expecting property name enclosed "
        "in double quotes",
    ),
    "ikke et objekt": ("[]", "fejl.json: forventede et JSON-objekt, fandt en liste."),
    "forkert resourceType": (
        {"resourceType": "Patient", "url": "urn:x"},
        'fejl.json: resourceType: er "Patient"; forventede CodeSystem eller ConceptMap.',
    ),
    "ingen resourceType": (
        {"url": "urn:x"},
        "fejl.json: resourceType: er null; forventede CodeSystem eller ConceptMap.",
    ),
    "mangler url": (
        {"resourceType": "CodeSystem", "concept": [{"code": "a"}]},
        "fejl.json: url: mangler.",
    ),
    "url er ikke tekst": (
        {"resourceType": "CodeSystem", "url": 7},
        "fejl.json: url: skal være en tekst, er et tal.",
    ),
    "ukendt status": (lille(status="aktiv"), 'fejl.json: status: ukendt status "aktiv"'),
    "concept er ikke en liste": (
        lille() | {"concept": {"code": "a"}},
        "fejl.json: concept: skal være en liste, er et objekt.",
    ),
    "begreb er ikke et objekt": (
        lille({"code": "a"}, "b"),
        "fejl.json: concept[1]: skal være et objekt, er en tekst.",
    ),
    "begreb uden kode (indlejret)": (
        lille({"code": "a", "concept": [{"code": "a1"}, {"display": "Uden kode"}]}),
        "fejl.json: concept[0].concept[1].code: mangler.",
    ),
    "tom kode": (lille({"code": " "}), "fejl.json: concept[0].code: er tom."),
    "kode med mellemrum om": (
        lille({"code": "a "}),
        "fejl.json: concept[0].code: må ikke begynde eller slutte med mellemrum.",
    ),
    "for lang kode": (
        lille({"code": "k" * 129}),
        "fejl.json: concept[0].code: er 129 tegn; højst 128 er tilladt.",
    ),
    "dublet": (
        lille({"code": "a"}, {"code": "b", "concept": [{"code": "a"}]}),
        'fejl.json: concept[1].concept[0].code: koden "a" findes allerede i concept[0].',
    ),
    "display er et tal": (
        lille({"code": "a", "display": 42}),
        "fejl.json: concept[0].display: skal være en tekst, er et tal.",
    ),
    "definition er en liste": (
        lille({"code": "a", "definition": ["x"]}),
        "fejl.json: concept[0].definition: skal være en tekst, er en liste.",
    ),
    "betegnelse uden tekst": (
        lille({"code": "a", "designation": [{"language": "da"}]}),
        "fejl.json: concept[0].designation[0].value: mangler.",
    ),
    "betegnelsens use er ikke en Coding": (
        lille({"code": "a", "designation": [{"value": "x", "use": "synonym"}]}),
        "fejl.json: concept[0].designation[0].use: skal være en Coding (et objekt), er en tekst.",
    ),
    "egenskab med to værdier": (
        lille({"code": "a", "property": [{"code": "x", "valueString": "1", "valueCode": "2"}]}),
        "fejl.json: concept[0].property[0]: skal have præcis én value[x].",
    ),
    "egenskab med forkert type": (
        lille({"code": "a", "property": [{"code": "x", "valueBoolean": "ja"}]}),
        "fejl.json: concept[0].property[0].valueBoolean: har forkert type (en tekst).",
    ),
    "ugyldig dato": (
        lille({"code": "a", "property": [{"code": "effectiveDate", "valueDateTime": "i går"}]}),
        "fejl.json: concept[0].property[0].valueDateTime: skal være en valueDateTime med en dato",
    ),
    "udløb før start": (
        lille(
            {
                "code": "a",
                "property": [
                    {"code": "effectiveDate", "valueDateTime": "2024-01-01"},
                    {"code": "retirementDate", "valueDateTime": "2023-01-01"},
                ],
            }
        ),
        "fejl.json: concept[0].property: retirementDate (2023-01-01) skal ligge efter "
        "effectiveDate (2024-01-01).",
    ),
    "ukendt forælder": (
        lille({"code": "a", "property": [{"code": "parent", "valueCode": "zz"}]}),
        'fejl.json: concept[0].property: parent peger på koden "zz", som ikke findes i filen.',
    ),
    "egen forælder": (
        lille({"code": "a", "property": [{"code": "parent", "valueCode": "a"}]}),
        "fejl.json: concept[0].property: parent peger på begrebet selv.",
    ),
    "ring": (
        lille(
            {"code": "a", "property": [{"code": "parent", "valueCode": "b"}]},
            {"code": "b", "property": [{"code": "parent", "valueCode": "a"}]},
        ),
        "fejl.json: concept[0].property: overordnet-relationerne danner en ring: a → b → a.",
    ),
    "count passer ikke": (
        lille({"code": "a"}, count=2),
        "fejl.json: count: siger 2 begreber, men filen har 1.",
    ),
    "not-present": (
        lille(content="not-present"),
        "fejl.json: content: er not-present: filen indeholder ingen begreber at importere.",
    ),
    "supplement uden supplements": (
        lille({"code": "a"}, content="supplement"),
        "fejl.json: supplements: mangler.",
    ),
    "ConceptMap uden kilde": (
        {"resourceType": "ConceptMap", "url": "urn:k", "group": [{"target": "urn:x"}]},
        "fejl.json: group[0].source: mangler.",
    ),
    "ConceptMap med ukendt relation": (
        {
            "resourceType": "ConceptMap",
            "url": "urn:k",
            "group": [
                {
                    "source": "urn:a",
                    "target": "urn:b",
                    "element": [{"code": "x", "target": [{"code": "y", "equivalence": "ish"}]}],
                }
            ],
        },
        'fejl.json: group[0].element[0].target[0].equivalence: ukendt relation "ish".',
    ),
    "ConceptMap til sig selv": (
        {
            "resourceType": "ConceptMap",
            "url": "urn:k",
            "group": [
                {
                    "source": "urn:a",
                    "target": "urn:a",
                    "element": [{"code": "x", "target": [{"code": "x", "equivalence": "equal"}]}],
                }
            ],
        },
        "fejl.json: group[0].element[0].target[0]: et begreb kan ikke mappes til sig selv.",
    ),
}


@pytest.mark.parametrize(("indhold", "forventet"), UGYLDIGE.values(), ids=UGYLDIGE.keys())
def test_malformed_file_is_refused_and_nothing_changes(skriv, indhold, forventet):
    importer(FFB)
    foer = snapshot()
    fil = skriv("fejl.json", indhold)

    with pytest.raises(ValidationError) as fejl:
        importer(fil)

    assert any(besked.startswith(forventet) for besked in fejl.value.messages), fejl.value.messages
    assert snapshot() == foer


def test_file_that_is_not_utf8(tmp_path):
    fil = tmp_path / "latin1.json"
    fil.write_bytes('{"resourceType": "CodeSystem", "title": "Fælles"}'.encode("latin-1"))

    with pytest.raises(ValidationError) as fejl:
        importer(fil)

    assert fejl.value.messages == ["latin1.json: filen er ikke UTF-8-tekst."]


def test_one_broken_file_among_good_ones_stops_them_all(skriv, fsiii):
    fsiii["concept"][3]["concept"][0]["display"] = ["Mental sundhed"]
    broken = skriv("CodeSystem-FSIII-rettet.json", fsiii)

    with pytest.raises(ValidationError) as fejl:
        importer(FAGLIGHED, FFB, broken, FSIII_FFB)

    assert fejl.value.messages == [
        "CodeSystem-FSIII-rettet.json: concept[3].concept[0].display: skal være en tekst, "
        "er en liste."
    ]
    assert snapshot() == {
        navn: []
        for navn in (
            "Klassifikation",
            "Klasse",
            "Betegnelse",
            "Supplement",
            "Mappingsaet",
            "Mapping",
        )
    }


def test_a_problem_found_against_the_database_also_stops_the_batch(skriv):
    # FFB is fine on its own; the ConceptMap names a code FSIII does not have.
    kort = laes(FSIII_FFB)
    kort["group"][0]["element"][2]["code"] = "ikke-en-fsiii-kode"

    with pytest.raises(ValidationError) as fejl:
        importer(FFB, FSIII, skriv("kort.json", kort))

    assert fejl.value.messages == [
        'kort.json: group[0].element[2].target[0]: koden "ikke-en-fsiii-kode" findes ikke i '
        "urn:oid:1.2.208.176.2.21."
    ]
    assert not Klassifikation.objects.exists()


def test_concept_map_for_a_code_system_not_imported():
    with pytest.raises(ValidationError) as fejl:
        importer(FFB, FSIII_FFB)

    assert fejl.value.messages[0] == (
        "ConceptMap-Datadeling-FSIII-FFB.json: group[0].element[0].target[0]: "
        "source-kodesystemet urn:oid:1.2.208.176.2.21 er ikke importeret."
    )
    assert not Klassifikation.objects.exists()


def test_every_problem_is_reported_up_to_a_limit(skriv):
    data = lille(*({"code": "a", "display": i} for i in range(30)))

    with pytest.raises(ValidationError) as fejl:
        importer(skriv("mange.json", data))

    beskeder = fejl.value.messages
    assert len(beskeder) == 26
    assert beskeder[0] == "mange.json: concept[0].display: skal være en tekst, er et tal."
    assert beskeder[-1] == "… og 34 fejl mere."  # 30 displays and 29 duplicates


def test_same_url_twice_in_one_batch(skriv):
    kopi = skriv("kopi.json", laes(FFB))

    with pytest.raises(ValidationError) as fejl:
        importer(FFB, kopi)

    assert fejl.value.messages == [
        "kopi.json: url: urn:oid:1.2.208.176.2.22 importeres også fra CodeSystem-FFB.json."
    ]


def test_same_file_named_twice_is_read_once():
    [resultat] = importer(FFB, FFB.parent / ".." / "data" / FFB.name)

    assert resultat.oprettet == 220


def test_url_already_used_by_another_kind_of_resource(skriv):
    importer(FFB)
    kort = {"resourceType": "ConceptMap", "url": "urn:oid:1.2.208.176.2.22", "group": []}

    with pytest.raises(ValidationError) as fejl:
        importer(skriv("kort.json", kort))

    assert fejl.value.messages == [
        "kort.json: url: urn:oid:1.2.208.176.2.22 er allerede importeret som et kodesystem."
    ]


def test_missing_file_and_empty_folder(tmp_path):
    tom = tmp_path / "tom"
    tom.mkdir()

    with pytest.raises(ValidationError) as fejl:
        importer(tmp_path / "findes-ikke.json", tom, FSIII)

    assert fejl.value.messages == [
        "findes-ikke.json: filen findes ikke.",
        "tom: mappen indeholder ingen .json-filer.",
    ]
    assert not Klassifikation.objects.exists()


def test_messages_name_the_path_even_deep_in_the_tree(skriv, fsiii):
    # FSIII's "Kommunale sygeplejetilstande" › "Hud og slimhinder" › a class without a code.
    sti = fsiii["concept"][7]["concept"][2]["concept"][4]
    del sti["code"]
    fil = skriv("fsiii.json", fsiii)

    with pytest.raises(ValidationError) as fejl:
        importer(fil)

    assert "fsiii.json: concept[7].concept[2].concept[4].code: mangler." in fejl.value.messages
    assert json.dumps(fejl.value.messages, ensure_ascii=False).count("fsiii.json") == len(
        fejl.value.messages
    )
