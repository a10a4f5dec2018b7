"""Build the published JSON Schema (draft 2020-12) of MOX messages.

The schema file `besked.schema.json` beside this module is what the ingress enforces and
what the documentation page links to. It is generated from the object descriptions
below, so the six object types stay alike; after a change, write the file anew with

    .venv/bin/python -m mox.schema.byg

(a test fails while the file and this module disagree).

The object shapes are the OIO object format of the rammearkitektur as LoRa uses it:
`attributter` (the object's properties, `<type>egenskaber`), `tilstande` (its states,
`<type><tilstand>`) and `relationer` (references by uuid or urn), every entry with its
`virkning`. Where a message should say more than "invalid", a schema node carries an
`errorMessage` (the keyword of ajv-errors, so JavaScript senders get the same texts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datadeling.core import schemafil
from mox.protokol import (
    BESKEDVERSION,
    MAKS_BESKEDER_PR_KALD,
    OPERATIONER_MED_DATA,
    Beskedtype,
    Objekttype,
    Operation,
)

STI = Path(__file__).with_name("besked.schema.json")
SCHEMA_ID = "urn:datadeling:mox:besked:1"

UUID_MOENSTER = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# A date, optionally with a time, and the time optionally with an offset: 2024-05-01,
# 2024-05-01 12:00:00, 2024-05-01T12:00:00.123+02:00, 2015-04-10 00:00:00+00, ...Z
TIDSPUNKT = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?"
)
TIDSPUNKT_MOENSTER = f"^{TIDSPUNKT}$"
VIRKNINGSTIDSPUNKT_MOENSTER = f"^(-?infinity|{TIDSPUNKT})$"
URN_MOENSTER = r"^urn:[A-Za-z0-9][A-Za-z0-9.-]{0,31}:\S+$"
CPR_URN_MOENSTER = "^urn:dk:cpr:person:[0-9]{10}$"

TEKST = {"type": "string"}
SANDHED = {"type": "boolean"}
HELTAL = {"type": "integer"}


def ref(navn: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{navn}"}


@dataclass
class Objekt:
    """One OIO object type: its properties, states and relations."""

    egenskaber: dict[str, dict[str, Any]]
    paakraevede: list[str]
    tilstande: dict[str, list[str]]
    nul_til_en: list[str]
    nul_til_mange: list[str]
    klasserelationer: set[str] = field(default_factory=set)
    saerlige: dict[str, str] = field(default_factory=dict)  # relation -> entry definition


def egenskaber(*navne: str, **typer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return text properties by name, plus `integrationsdata`, with typed ones added."""
    return {**dict.fromkeys(navne, TEKST), **typer, "integrationsdata": TEKST}


OBJEKTER: dict[str, Objekt] = {
    Objekttype.TILSTAND: Objekt(
        egenskaber=egenskaber("brugervendtnoegle", "beskrivelse"),
        paakraevede=["brugervendtnoegle"],
        tilstande={
            "status": ["Inaktiv", "Aktiv"],
            "publiceret": ["Publiceret", "IkkePubliceret", "Normal"],
        },
        nul_til_en=["tilstandsobjekt", "tilstandstype"],
        nul_til_mange=[
            "tilstandsvaerdi", "begrundelse", "tilstandskvalitet", "tilstandsvurdering",
            "tilstandsaktoer", "tilstandsudstyr", "samtykke", "tilstandsdokument",
        ],
        klasserelationer={"tilstandstype", "tilstandskvalitet"},
        saerlige={"tilstandsvaerdi": "tilstandsvaerdi"},
    ),
    Objekttype.INDSATS: Objekt(
        egenskaber=egenskaber(
            "brugervendtnoegle", "beskrivelse",
            starttidspunkt=ref("tidspunkt"), sluttidspunkt=ref("tidspunkt"),
        ),
        paakraevede=["brugervendtnoegle"],
        tilstande={
            "publiceret": ["Publiceret", "IkkePubliceret", "Normal"],
            "fremdrift": ["Uoplyst", "Visiteret", "Disponeret", "Leveret", "Vurderet"],
        },
        nul_til_en=["indsatsmodtager", "indsatstype"],
        nul_til_mange=[
            "indsatskvalitet", "indsatsaktoer", "samtykke", "indsatssag", "indsatsdokument",
        ],
        klasserelationer={"indsatstype", "indsatskvalitet"},
    ),
    Objekttype.SAG: Objekt(
        egenskaber=egenskaber(
            "brugervendtnoegle", "beskrivelse", "hjemmel", "kassationskode", "sagsnummer",
            "titel",
            afleveret=SANDHED, principiel=SANDHED, offentlighedundtaget=ref("offentlighedundtaget"),
        ),
        paakraevede=["brugervendtnoegle", "beskrivelse", "kassationskode", "sagsnummer", "titel"],
        tilstande={
            "fremdrift": ["Opstaaet", "Oplyst", "Afgjort", "Bestilt", "Udfoert", "Afsluttet"],
        },
        nul_til_en=[
            "behandlingarkiv", "afleveringsarkiv", "primaerklasse", "opgaveklasse",
            "handlingsklasse", "kontoklasse", "sikkerhedsklasse", "foelsomhedsklasse",
            "indsatsklasse", "ydelsesklasse", "ejer", "ansvarlig", "primaerbehandler",
            "udlaanttil", "primaerpart", "ydelsesmodtager", "oversag", "praecedens",
            "afgiftsobjekt", "ejendomsskat",
        ],
        nul_til_mange=[
            "andetarkiv", "andrebehandlere", "sekundaerpart", "andresager", "byggeri",
            "fredning", "journalpost",
        ],
        klasserelationer={
            "primaerklasse", "opgaveklasse", "handlingsklasse", "kontoklasse",
            "sikkerhedsklasse", "foelsomhedsklasse", "indsatsklasse", "ydelsesklasse",
        },
        saerlige={"journalpost": "journalpost"},
    ),
    Objekttype.KLASSE: Objekt(
        egenskaber=egenskaber(
            "brugervendtnoegle", "beskrivelse", "eksempel", "omfang", "titel", "retskilde",
            "aendringsnotat",
            soegeord={"type": "array", "items": ref("soegeord")},
        ),
        paakraevede=["brugervendtnoegle", "titel"],
        tilstande={"publiceret": ["Publiceret", "IkkePubliceret"]},
        nul_til_en=["ejer", "ansvarlig", "overordnetklasse", "facet"],
        nul_til_mange=[
            "redaktoerer", "sideordnede", "mapninger", "tilfoejelser", "erstatter",
            "lovligekombinationer",
        ],
        klasserelationer={
            "overordnetklasse", "facet", "sideordnede", "mapninger", "tilfoejelser",
            "erstatter", "lovligekombinationer",
        },
    ),
    Objekttype.ORGANISATIONENHED: Objekt(
        egenskaber=egenskaber("brugervendtnoegle", "enhedsnavn"),
        paakraevede=["brugervendtnoegle"],
        tilstande={"gyldighed": ["Aktiv", "Inaktiv"]},
        nul_til_en=[
            "branche", "enhedstype", "overordnet", "produktionsenhed", "skatteenhed",
            "tilhoerer",
        ],
        nul_til_mange=[
            "adresser", "ansatte", "opgaver", "tilknyttedebrugere", "tilknyttedeenheder",
            "tilknyttedefunktioner", "tilknyttedeinteressefaellesskaber",
            "tilknyttedeorganisationer", "tilknyttedepersoner", "tilknyttedeitsystemer",
        ],
        klasserelationer={"enhedstype"},
    ),
    Objekttype.BRUGER: Objekt(
        egenskaber=egenskaber("brugervendtnoegle", "brugernavn", "brugertype"),
        paakraevede=["brugervendtnoegle"],
        tilstande={"gyldighed": ["Aktiv", "Inaktiv"]},
        nul_til_en=["tilhoerer"],
        nul_til_mange=[
            "adresser", "brugertyper", "opgaver", "tilknyttedeenheder",
            "tilknyttedefunktioner", "tilknyttedeinteressefaellesskaber",
            "tilknyttedeorganisationer", "tilknyttedepersoner", "tilknyttedeitsystemer",
        ],
        klasserelationer={"brugertyper"},
    ),
}  # fmt: skip


def objekt(egenskaber: dict[str, Any], paakraevede: list[str] | None = None, **ekstra) -> dict:
    """Return a closed JSON object schema (no properties other than those named)."""
    schema: dict[str, Any] = {"type": "object", "properties": egenskaber}
    if paakraevede:
        schema["required"] = paakraevede
    schema["additionalProperties"] = False
    schema.update(ekstra)
    return schema


def liste(punkt: dict[str, Any], **ekstra) -> dict[str, Any]:
    return {"type": "array", "items": punkt, **ekstra}


def maal(ekstra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the properties every relation entry has: its target, index and virkning."""
    return {
        "uuid": ref("uuid"),
        "urn": ref("urn"),
        "objekttype": TEKST,
        "indeks": HELTAL,
        **(ekstra or {}),
        "virkning": ref("virkning"),
    }


PRAECIS_ET_MAAL = {
    "oneOf": [{"required": ["uuid"]}, {"required": ["urn"]}],
    "errorMessage": "Relationen peger på sit mål med enten uuid eller urn – præcis én af dem.",
}
KLASSE_MED_UUID = (
    "En klasse angives med sin uuid (fx klassens uuid i FSIII, FFB eller CareSocialCodes), "
    "ikke med en urn."
)


def faelles_defs() -> dict[str, Any]:
    """Return the definitions shared by all object types."""
    return {
        "uuid": {
            "type": "string",
            "pattern": UUID_MOENSTER,
            "description": "En UUID i den sædvanlige form 8-4-4-4-12.",
            "errorMessage": (
                "Skal være en UUID (8-4-4-4-12 hexadecimale tegn, "
                "fx 3f2b8a4e-0c1d-4e5f-9a6b-7c8d9e0f1a2b)."
            ),
        },
        "tidspunkt": {
            "type": "string",
            "pattern": TIDSPUNKT_MOENSTER,
            "description": "Dato eller dato og tid (ISO 8601); uden forskydning gælder dansk tid.",
            "errorMessage": (
                'Skal være en dato eller et tidspunkt, fx "2024-05-01", '
                '"2024-05-01 12:00:00" eller "2024-05-01T12:00:00+02:00".'
            ),
        },
        "virkningstidspunkt": {
            "type": "string",
            "pattern": VIRKNINGSTIDSPUNKT_MOENSTER,
            "description": 'Et tidspunkt, eller "infinity" / "-infinity" for en åben ende.',
            "errorMessage": (
                'Skal være et tidspunkt, fx "2024-05-01" eller "2024-05-01 12:00:00+02:00", '
                'eller "infinity" / "-infinity".'
            ),
        },
        "virkning": objekt(
            {
                "from": ref("virkningstidspunkt"),
                "to": ref("virkningstidspunkt"),
                "from_included": SANDHED,
                "to_included": SANDHED,
                "aktoerref": ref("uuid"),
                "aktoertypekode": TEKST,
                "notetekst": TEKST,
            },
            ["from", "to"],
            description=(
                "Hvornår oplysningen gælder i verden (virkningstid), og hvem der sagde det."
            ),
        ),
        "urn": {
            "type": "string",
            "pattern": URN_MOENSTER,
            "description": "En URN; en borger angives som urn:dk:cpr:person:<10 cifre>.",
            "errorMessage": "Skal være en URN, fx urn:dk:cpr:person: efterfulgt af 10 cifre.",
            "if": {"pattern": "^urn:dk:cpr:person:"},
            "then": {
                "pattern": CPR_URN_MOENSTER,
                "errorMessage": (
                    "En CPR-urn er urn:dk:cpr:person: efterfulgt af præcis 10 cifre uden "
                    "bindestreg."
                ),
            },
        },
        "relation": objekt(
            maal(),
            ["virkning"],
            allOf=[
                PRAECIS_ET_MAAL,
                {
                    "if": {
                        "properties": {"objekttype": {"const": "Klasse"}},
                        "required": ["objekttype"],
                    },
                    "then": {"required": ["uuid"], "errorMessage": KLASSE_MED_UUID},
                },
            ],
        ),
        "klasserelation": objekt(
            maal(),
            ["virkning"],
            description="En relation til en klasse: altid med klassens uuid.",
            allOf=[PRAECIS_ET_MAAL, {"required": ["uuid"], "errorMessage": KLASSE_MED_UUID}],
        ),
        "tilstandsvaerdi": objekt(
            {
                "objekttype": TEKST,
                "indeks": HELTAL,
                "tilstandsvaerdiattr": objekt(
                    {"forventet": SANDHED, "nominelvaerdi": TEKST}, ["forventet", "nominelvaerdi"]
                ),
                "virkning": ref("virkning"),
            },
            ["tilstandsvaerdiattr", "virkning"],
        ),
        "journalpost": objekt(
            maal(
                {
                    "journalpostkode": {"enum": ["journalnotat", "vedlagtdokument"]},
                    "journalnotat": objekt(
                        {"titel": TEKST, "notat": TEKST, "format": TEKST},
                        ["titel", "notat", "format"],
                    ),
                    "journaldokument": objekt(
                        {
                            "dokumenttitel": TEKST,
                            "offentlighedundtaget": ref("offentlighedundtaget"),
                        },
                        ["dokumenttitel", "offentlighedundtaget"],
                    ),
                }
            ),
            ["journalpostkode", "virkning"],
            allOf=[PRAECIS_ET_MAAL],
        ),
        "offentlighedundtaget": objekt(
            {"alternativtitel": TEKST, "hjemmel": TEKST}, ["alternativtitel", "hjemmel"]
        ),
        "soegeord": {
            "type": "array",
            "items": TEKST,
            "minItems": 3,
            "maxItems": 3,
            "description": "[identifikation, beskrivelse, kategori]",
            "errorMessage": (
                "Et søgeord er en liste med tre tekster: identifikation, beskrivelse og kategori."
            ),
        },
        "passivering": objekt(
            {"note": TEKST, "livscyklus": {"const": "Passiv"}},
            description="Data for operation passivate (valgfri).",
        ),
        "sletning": objekt({"note": TEKST}, description="Data for operation delete (valgfri)."),
    }


def objekt_defs(navn: str, o: Objekt) -> dict[str, Any]:
    """Return the definitions of one object type: whole (create/import) and partial (update)."""
    relationer = {}
    for rel in [*o.nul_til_en, *o.nul_til_mange]:
        punkt = o.saerlige.get(rel) or (
            "klasserelation" if rel in o.klasserelationer else "relation"
        )
        relationer[rel] = liste(ref(punkt), **({"maxItems": 1} if rel in o.nul_til_en else {}))
    relationer_schema = ref(f"{navn}_relationer")

    def attributter(hel: bool) -> dict[str, Any]:
        felter = {**o.egenskaber, "virkning": ref("virkning")}
        punkt = objekt(felter, [*o.paakraevede, "virkning"] if hel else ["virkning"])
        navn_e = f"{navn}egenskaber"
        return objekt(
            {navn_e: liste(punkt, **({"minItems": 1} if hel else {}))}, [navn_e] if hel else None
        )

    def tilstande(hel: bool) -> dict[str, Any]:
        egne = {
            f"{navn}{t}": liste(
                objekt({t: {"enum": vaerdier}, "virkning": ref("virkning")}, [t, "virkning"]),
                **({"minItems": 1} if hel else {}),
            )
            for t, vaerdier in o.tilstande.items()
        }
        return objekt(egne, list(egne) if hel else None)

    return {
        f"{navn}_relationer": objekt(relationer),
        f"{navn}_hel": objekt(
            {
                "note": TEKST,
                "attributter": attributter(True),
                "tilstande": tilstande(True),
                "relationer": relationer_schema,
            },
            ["attributter", "tilstande"],
            description=f"Et helt {navn}-objekt (operation create og import).",
        ),
        f"{navn}_rettelse": objekt(
            {
                "note": TEKST,
                "attributter": attributter(False),
                "tilstande": tilstande(False),
                "relationer": relationer_schema,
            },
            description=(
                f"Ændringer til et {navn}-objekt (operation update): kun det der ændres. "
                "En tom relationsliste fjerner relationen."
            ),
            allOf=[
                {
                    "anyOf": [
                        {"required": ["attributter"]},
                        {"required": ["tilstande"]},
                        {"required": ["relationer"]},
                    ],
                    "errorMessage": (
                        "En rettelse (update) skal indeholde mindst én af attributter, "
                        "tilstande og relationer."
                    ),
                }
            ],
        ),
    }


def hvis(betingelser: dict[str, Any], saa: dict[str, Any]) -> dict[str, Any]:
    return {"if": {"properties": betingelser, "required": list(betingelser)}, "then": saa}


def besked_schema() -> dict[str, Any]:
    """Return the envelope's schema: the MOX headers and `data` by objekttype and operation."""
    regler: list[dict[str, Any]] = [
        hvis(
            {
                "beskedtype": {"const": Beskedtype.MANIPULATION.value},
                "operation": {"enum": [op.value for op in OPERATIONER_MED_DATA]},
            },
            {
                "required": ["data"],
                "errorMessage": (
                    "Feltet mangler: en Manipulation med operation create, update eller import "
                    "bærer objektet i data."
                ),
            },
        )
    ]
    for navn in OBJEKTER:
        regler.append(
            hvis(
                {
                    "objekttype": {"const": navn},
                    "operation": {"enum": [Operation.CREATE.value, Operation.IMPORT.value]},
                },
                {"properties": {"data": ref(f"{navn}_hel")}},
            )
        )
        regler.append(
            hvis(
                {"objekttype": {"const": navn}, "operation": {"const": Operation.UPDATE.value}},
                {"properties": {"data": ref(f"{navn}_rettelse")}},
            )
        )
    regler.append(
        hvis(
            {"operation": {"const": Operation.PASSIVATE.value}},
            {"properties": {"data": ref("passivering")}},
        )
    )
    regler.append(
        hvis(
            {"operation": {"const": Operation.DELETE.value}},
            {"properties": {"data": ref("sletning")}},
        )
    )
    return objekt(
        {
            "beskedID": {
                **ref("uuid"),
                "description": "Afsenderens id for beskeden; gentages den, gemmes den ikke igen.",
            },
            "beskedversion": {
                "const": BESKEDVERSION,
                "errorMessage": f'Ukendt beskedversion; denne udgave forstår "{BESKEDVERSION}".',
            },
            "beskedtype": {"enum": Beskedtype.values},
            "objekttype": {"enum": Objekttype.values},
            "operation": {"enum": Operation.values},
            "objektID": {
                **ref("uuid"),
                "description": "Objektets uuid, valgt af afsenderen og bevaret i Datadeling.",
            },
            "data": {
                "type": "object",
                "description": "Objektet i OIO-format: attributter, tilstande og relationer.",
                "errorMessage": "data skal være et JSON-objekt (objektet i OIO-format).",
            },
        },
        ["beskedID", "beskedversion", "beskedtype", "objekttype", "operation", "objektID"],
        description="Én MOX-besked: konvolutten med MOX-headerne og objektet i data.",
        allOf=regler,
    )


def byg_schema() -> dict[str, Any]:
    """Return the whole published schema."""
    defs: dict[str, Any] = {"besked": besked_schema()}
    defs["batch"] = objekt(
        {
            "beskeder": liste(
                ref("besked"),
                minItems=1,
                maxItems=MAKS_BESKEDER_PR_KALD,
                errorMessage=(
                    f"beskeder skal være en liste med 1 til {MAKS_BESKEDER_PR_KALD} beskeder; "
                    "send større mængder i flere kald."
                ),
            )
        },
        ["beskeder"],
        description="Flere beskeder i ét kald; svaret har en liste i samme rækkefølge.",
    )
    defs.update(faelles_defs())
    for navn, o in OBJEKTER.items():
        defs.update(objekt_defs(str(navn), o))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "MOX-besked til Datadeling",
        "description": (
            'Kroppen i POST /mox/beskeder/: én besked, eller {"beskeder": [...]} med flere.'
        ),
        "if": {"type": "object", "required": ["beskeder"]},
        "then": ref("batch"),
        "else": ref("besked"),
        "$defs": defs,
    }


def som_tekst() -> str:
    return schemafil.som_tekst(byg_schema())


if __name__ == "__main__":
    schemafil.skriv(STI, byg_schema())
