"""The published JSON Schema and the validator: LoRa's objects fit, the rules hold."""

from __future__ import annotations

import copy
import datetime
import json
import uuid

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mox import eksempler, validering
from mox.schema import byg
from tests import hypotese
from tests.mox.conftest import CPR, konvolut, lora_fixture


def indpak(data: dict, objekttype: str, operation: str = "create") -> dict:
    return {
        "beskedID": str(uuid.uuid4()),
        "beskedversion": "1",
        "beskedtype": "Manipulation",
        "objekttype": objekttype,
        "operation": operation,
        "objektID": str(uuid.uuid4()),
        "data": data,
    }


def test_the_schema_file_is_what_the_generator_writes():
    assert byg.STI.read_text(encoding="utf-8") == byg.som_tekst(), (
        "mox/schema/besked.schema.json is stale: run .venv/bin/python -m mox.schema.byg"
    )


def test_the_schema_is_valid_draft_2020_12():
    schema = validering.schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize(
    ("fil", "objekttype"),
    [
        ("tilstand_opret.json", "tilstand"),
        ("indsats_opret.json", "indsats"),
        ("sag_opret.json", "sag"),
        ("klasse_opret.json", "klasse"),
        ("organisationenhed_opret.json", "organisationenhed"),
        ("bruger_opret.json", "bruger"),
    ],
)
def test_loras_fixtures_as_shipped_fit_the_data_shape(fil, objekttype):
    besked = indpak(lora_fixture(fil), objekttype)
    assert validering.valider(besked) == []
    assert validering.valider({"beskeder": [besked]}) == []


def test_loras_update_and_passivation_fit():
    assert validering.valider(indpak(lora_fixture("klasse_opdater.json"), "klasse", "update")) == []
    passiv = lora_fixture("facet_passiv.json")
    assert validering.valider(indpak(passiv, "klasse", "passivate")) == []


def test_loras_fixtures_with_the_citizen_added_fit():
    """As the issue's acceptance test sends them: the citizen relation added, the rest kept."""
    virkning = {"from": "2015-05-11 00:00:00+00", "to": "infinity"}
    tilstand = lora_fixture("tilstand_opret.json")
    tilstand["relationer"]["tilstandsobjekt"] = [
        {"objekttype": "Person", "urn": f"urn:dk:cpr:person:{CPR}", "virkning": virkning}
    ]
    indsats = lora_fixture("indsats_opret.json")
    indsats["relationer"]["indsatsmodtager"] = [
        {"objekttype": "Person", "urn": f"urn:dk:cpr:person:{CPR}", "virkning": virkning}
    ]
    assert validering.valider(indpak(tilstand, "tilstand")) == []
    assert validering.valider(indpak(indsats, "indsats")) == []


@pytest.mark.parametrize("navn", list(eksempler.ALLE))
def test_the_documentation_examples_are_valid(navn):
    assert validering.valider(eksempler.ALLE[navn]) == []


def test_the_worked_signature_example_is_right():
    import hashlib
    import hmac

    forventet = hmac.new(
        eksempler.REGNE_SECRET.encode(),
        f"{eksempler.REGNE_TIDSPUNKT}.".encode() + eksempler.REGNE_KROP,
        hashlib.sha256,
    ).hexdigest()
    assert f"sha256={forventet}" == eksempler.REGNE_SIGNATUR


def test_a_class_relation_must_name_the_class_by_uuid():
    besked = konvolut()
    punkt = besked["data"]["relationer"]["tilstandstype"][0]
    del punkt["uuid"]
    punkt["urn"] = "urn:dk:fsiii:lave-mad"
    assert validering.valider(besked) == [
        {"felt": "data.relationer.tilstandstype[0].uuid", "fejl": byg.KLASSE_MED_UUID}
    ]


def test_any_relation_to_a_klasse_must_use_uuid():
    besked = konvolut()
    besked["data"]["relationer"]["tilstandsaktoer"] = [
        {
            "objekttype": "Klasse",
            "urn": "urn:x:y",
            "virkning": {"from": "2024-01-01", "to": "infinity"},
        }
    ]
    felter = [f["felt"] for f in validering.valider(besked)]
    assert felter == ["data.relationer.tilstandsaktoer[0].uuid"]


@pytest.mark.parametrize(
    ("urn", "gyldig"),
    [
        ("urn:dk:cpr:person:0101501234", True),
        ("urn:magenta.dk:telefon:+4512345678", True),  # LoRa's form: a dot in the namespace
        ("urn:x-y:noget", True),
        ("urn::noget", False),
        ("urn:.dk:noget", False),
        ("urn:dk:", False),
        ("urn:dk:med mellemrum", False),
        ("mailto:a@b.dk", False),
    ],
)
def test_relation_urns(urn, gyldig):
    besked = konvolut()
    besked["data"]["relationer"]["tilstandsaktoer"] = [
        {"objekttype": "Bruger", "urn": urn, "virkning": {"from": "2024-01-01", "to": "infinity"}}
    ]
    assert (validering.valider(besked) == []) is gyldig


@pytest.mark.parametrize(
    ("tekst", "gyldig"),
    [
        ("2024-05-01", True),
        ("2024-05-01 12:00", True),
        ("2024-05-01T12:00:00.123456+02:00", True),
        ("2015-04-10 00:00:00+00", True),
        ("2024-05-01T12:00:00Z", True),
        ("infinity", True),
        ("-infinity", True),
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("2024-13-01", False),
        ("2024-05-01 25:00", False),
    ],
)
def test_virkning_times_must_be_real(tekst, gyldig):
    besked = konvolut()
    besked["data"]["relationer"]["tilstandsobjekt"][0]["virkning"] = {
        "from": "-infinity" if tekst != "-infinity" else tekst,
        "to": tekst if tekst != "-infinity" else "infinity",
    }
    assert (validering.valider(besked) == []) is gyldig


def test_times_without_offset_are_danish_time():
    tid = validering.parse_tidspunkt("2024-07-01 12:00")
    assert tid.utcoffset() == datetime.timedelta(hours=2)
    assert validering.parse_tidspunkt("2024-01-01 12:00").utcoffset() == datetime.timedelta(hours=1)


def test_paths_sort_naturally():
    beskeder = [konvolut() for _ in range(12)]
    for b in beskeder:
        b["objekttype"] = "x"
    felter = [f["felt"] for f in validering.valider({"beskeder": beskeder})]
    assert felter == [f"beskeder[{i}].objekttype" for i in range(12)]


def test_the_error_list_is_capped():
    beskeder = [konvolut() for _ in range(300)]
    for b in beskeder:
        b["objekttype"] = "x"
    fejl = validering.valider({"beskeder": beskeder})
    assert len(fejl) == validering.MAKS_FEJL + 1
    assert fejl[-1] == {"felt": "", "fejl": "… og 200 fejl mere."}


# --- the fast validator and the detailed one agree -------------------------------------------

json_vaerdier = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(
        ["", "infinity", "2024-01-01", "Klasse", "urn:x:y", f"urn:dk:cpr:person:{CPR}", "1"]
    )
    | st.uuids().map(str),
    lambda under: (
        st.lists(under, max_size=4) | st.dictionaries(st.text(max_size=12), under, max_size=4)
    ),
    max_leaves=12,
)


def stier(vaerdi, sti=()):
    """Every path into a JSON value (to a dict value or a list item)."""
    yield sti
    if isinstance(vaerdi, dict):
        for k, v in vaerdi.items():
            yield from stier(v, (*sti, k))
    elif isinstance(vaerdi, list):
        for i, v in enumerate(vaerdi):
            yield from stier(v, (*sti, i))


@st.composite
def muterede_konvolutter(draw):
    """A valid envelope with one change somewhere: a value replaced, a key removed or added."""
    besked = copy.deepcopy(draw(st.sampled_from(list(eksempler.ALLE.values()))))
    sti = draw(st.sampled_from(list(stier(besked))))
    if not sti:
        return draw(json_vaerdier)
    forælder = besked
    for del_ in sti[:-1]:
        forælder = forælder[del_]
    handling = draw(st.sampled_from(["erstat", "slet", "tilfoej"]))
    if handling == "erstat":
        forælder[sti[-1]] = draw(json_vaerdier)
    elif handling == "slet":
        del forælder[sti[-1]]
    elif isinstance(forælder[sti[-1]], dict):
        forælder[sti[-1]][draw(st.text(max_size=12))] = draw(json_vaerdier)
    elif isinstance(forælder[sti[-1]], list):
        forælder[sti[-1]].append(draw(json_vaerdier))
    return besked


@settings(max_examples=hypotese.eksempler(400), deadline=None)
@given(vaerdi=st.one_of(muterede_konvolutter(), json_vaerdier))
def test_fast_and_detailed_validation_agree(vaerdi):
    detaljeret = list(validering._schema_fejl(vaerdi))
    assert validering._hurtigt_gyldig(vaerdi) == (detaljeret == []), detaljeret
    fejl = validering.valider(vaerdi)
    assert all(set(f) == {"felt", "fejl"} and f["fejl"] for f in fejl)
    assert CPR not in json.dumps(fejl)
