"""Build the published JSON Schema (draft 2020-12) of the citizen's download.

The file `eksport.schema.json` beside this module is what `/mine-data/eksport.schema.json`
serves and what the tests validate every download against. It is generated from the
description below; after a change, write the file anew with

    .venv/bin/python -m overblik.eksport.schema

(a test fails while the file and this module disagree). Every object is closed
(`additionalProperties: false`), so a field added to the download without a word here fails
the tests. The versioning rule (docs/eksport.md): a new optional field or a new value of a
list is a MINOR version; a removed or renamed field, or a changed meaning, is a MAJOR one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datadeling.core import schemafil
from overblik.eksport.dokument import (
    FORMAT,
    INDSATS_FELTER,
    SAG_FELTER,
    SCHEMA_ID,
    SCHEMA_VERSION,
    TILSTAND_FELTER,
)

STI = Path(__file__).with_name("eksport.schema.json")

UUID = {"type": "string", "format": "uuid"}
TEKST = {"type": "string"}
SANDHED = {"type": "boolean"}
HELTAL = {"type": "integer"}
TID = {"type": "string", "format": "date-time"}
DATO = {"type": "string", "format": "date"}


def ref(navn: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{navn}"}


def kan_mangle(skema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [skema, {"type": "null"}]}


def liste(skema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": skema}


def objekt(egenskaber: dict[str, dict[str, Any]], beskrivelse: str = "") -> dict[str, Any]:
    """Return a closed object whose every property is required (absent values are null)."""
    o: dict[str, Any] = {
        "type": "object",
        "properties": egenskaber,
        "required": list(egenskaber),
        "additionalProperties": False,
    }
    if beskrivelse:
        o["description"] = beskrivelse
    return o


def d(skema: dict[str, Any], beskrivelse: str) -> dict[str, Any]:
    return {**skema, "description": beskrivelse}


KODE = kan_mangle(ref("kode"))
ENHED = kan_mangle(ref("enhed"))
PERSON = kan_mangle(ref("medarbejder"))

PROVENIENS = {
    "kilde": d(KODE, "Hvem oplysningen stammer fra (CareSocialCodes: Kilde)."),
    "metode": d(KODE, "Oplysningsaktivitet, fx socialfaglig udredning (VUM/FFB)."),
    "ansvarlig_enhed": d(ENHED, "Den enhed, der er ansvarlig for oplysningen."),
    "ansvarlig": d(PERSON, "Den ansvarlige medarbejder."),
    "kildesystem": d(TEKST, "Det fagsystem, oplysningen kom fra (tom: registreret i Datadeling)."),
    "kildesystem_id": d(TEKST, "Oplysningens id i kildesystemet."),
    "vurderet": d(TID, "Hvornår oplysningen sidst blev vurderet."),
}
TILSTAND = {
    "type": d(ref("kode"), "Tilstanden (FSIII eller FFB)."),
    "niveau": d(
        KODE, "Funktionsevneniveau: FSIII 0–4/9 eller FFB's niveau, i sit eget kodesystem."
    ),
    "stoettebehov": d(KODE, "FFB støttebehovsniveau."),
    "udfoerelse": d(KODE, "Borgerens egen vurdering af udførelsen (FSIII)."),
    "betydning": d(KODE, "Borgerens egen vurdering af betydningen (FSIII)."),
    "borgerens_vurdering": d(TEKST, "Borgerens egne ord."),
    "faglig_note": d(TEKST, "Den faglige vurdering."),
    "forventet_niveau": d(KODE, "Det niveau, der er målet."),
    "maaltype": d(KODE, "Måltype (FSIII: forsvinder/mindskes/uændret; FFB: udvikle/fastholde/…)."),
    "status": d({"enum": ["aktiv", "potentiel", "inaktiv", "afsluttet"]}, "Tilstandens status."),
    "opfoelgning": d(kan_mangle(DATO), "Planlagt opfølgning."),
    **PROVENIENS,
}
INDSATS = {
    "type": d(ref("kode"), "Ydelsen eller tilbuddet (FSIII eller FFB)."),
    "lovgrundlag": d(KODE, "Lovgrundlaget, fx SEL § 85."),
    "bevilgende_enhed": d(ENHED, "Den enhed, der bevilgede indsatsen."),
    "leverende_enhed": d(ENHED, "Den enhed, der leverer indsatsen."),
    "leverandoer": d(TEKST, "Leverandøren, når den ikke er en enhed i Datadeling."),
    "startdato": DATO,
    "slutdato": kan_mangle(DATO),
    "fremdrift": d(
        {"enum": ["Uoplyst", "Visiteret", "Disponeret", "Leveret", "Vurderet"]},
        "Hvor langt indsatsen er (LoRa's fremdrift).",
    ),
    "afsluttet": SANDHED,
    "ophoersgrund": d(KODE, "Begrundelse for ophør."),
    "formaal": d(TEKST, "Indsatsformål."),
    "maal": d(
        liste({"type": "object", "properties": {"tekst": TEKST, "tilstande": liste(TEKST)}}),
        "Indsatsens mål: tekst og de tilstande (id) målet handler om.",
    ),
    "tilstande": d(liste(UUID), "De tilstande (id), indsatsen retter sig mod."),
    "maalgruppe": d(KODE, "FFB målgruppe."),
    "opfoelgningsresultat": d(KODE, "Resultat af opfølgning (FSIII E1–E4 / FFB)."),
    "opfoelgning": d(kan_mangle(DATO), "Planlagt opfølgning."),
    **PROVENIENS,
}
SAG = {
    "kildesystem": d(TEKST, "Det system, der har sagen."),
    "kildesystem_id": d(TEKST, "Sagens nøgle i systemet."),
    "sagsnummer": TEKST,
    "titel": TEKST,
    "kle_nummer": d(TEKST, "KLE-nummer, fx 27.24.00."),
    "kle_klasse_uuid": kan_mangle(UUID),
    "ansvarlig_enhed_navn": d(TEKST, "Enheden, som systemet angav den."),
    "myndighed_navn": d(TEKST, "Myndigheden, som systemet angav den."),
    "fremdrift": d(TEKST, "Sagens fremdrift (LoRa)."),
    "primaerbehandler_navn": d(TEKST, "Sagsbehandleren, som systemet angav vedkommende."),
    "startdato": DATO,
    "slutdato": kan_mangle(DATO),
}
assert set(TILSTAND) == set(TILSTAND_FELTER) and set(INDSATS) == set(INDSATS_FELTER)
assert set(SAG) == set(SAG_FELTER)


def historisk(felter: dict[str, dict[str, Any]], hvad: str) -> dict[str, Any]:
    """Return a versioned object: its state now and every registration with its versions."""
    version = objekt(
        {"virkning_fra": TID, "virkning_til": kan_mangle(TID), **felter},
        "Én periode af virkningstid (hvornår det gjaldt) i en registrering.",
    )
    return objekt(
        {
            "id": UUID,
            "aktiv": d(SANDHED, "Falsk når oplysningen er passiveret eller slettet."),
            "livscykluskode": d(TEKST, "Opstaaet, Importeret, Rettet, Passiveret, Slettet."),
            "oprettet": TID,
            "virkning_fra": TID,
            "virkning_til": kan_mangle(TID),
            "nu": d(objekt(felter), f"{hvad} som den står nu."),
            "registreringer": d(
                liste(registrering({"versioner": liste(version)})),
                "Hele historikken: hver registrering (hvornår Datadeling fik det at vide, af "
                "hvem og hvorfor) med sine versioner.",
            ),
        },
        hvad,
    )


def registrering(ekstra: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return one registration (transaction time) with the fields `ekstra` adds."""
    return objekt(
        {
            "nummer": HELTAL,
            "tidspunkt": d(TID, "Hvornår Datadeling registrerede det."),
            "livscykluskode": TEKST,
            "registreret_af": d(TEKST, "Medarbejderen, eller det system der sendte oplysningen."),
            "begrundelse": TEKST,
            **ekstra,
        },
        "Én registrering (transaktionstid).",
    )


def byg_hvem_felter() -> dict[str, dict[str, Any]]:
    """Return the fields that name a participant (the `hvem` object's)."""
    return {
        "type": {"enum": ["medarbejder", "enhed", "person"]},
        "navn": TEKST,
        "enhed": kan_mangle(TEKST),
        "myndighed": kan_mangle(TEKST),
        "via_relation": d(kan_mangle(UUID), "Relationen, når en værge eller fuldmægtig deltager."),
    }


def byg_schema() -> dict[str, Any]:
    """Return the schema of the download as a dict."""
    defs = {
        "kode": objekt(
            {
                "id": d(UUID, "Klassens UUID i FK Klassifikation."),
                "system": d(
                    kan_mangle(TEKST), "Kodesystemets URI, fx urn:oid:1.2.208.176.2.21 (FSIII)."
                ),
                "version": kan_mangle(TEKST),
                "kode": kan_mangle(TEKST),
                "titel": kan_mangle(TEKST),
            },
            "En kodet værdi i sit eget kodesystem.",
        ),
        "enhed": objekt(
            {"id": UUID, "navn": kan_mangle(TEKST), "myndighed": kan_mangle(TEKST)},
            "En organisatorisk enhed og dens myndighed.",
        ),
        "medarbejder": objekt({"id": UUID, "navn": kan_mangle(TEKST)}, "En medarbejder."),
        "tilstand": historisk(TILSTAND, "En tilstand (FSIII/FFB)"),
        "indsats": historisk(INDSATS, "En indsats (ydelse eller tilbud)"),
        "sag": objekt(
            {
                "id": UUID,
                "aktiv": SANDHED,
                "livscykluskode": TEKST,
                **SAG,
                "ansvarlig_enhed": ENHED,
                "registreringer": liste(
                    registrering(
                        {"data": d({"type": "object"}, "Sagens metadata efter ændringen.")}
                    )
                ),
            },
            "En sag om borgeren i et andet system (sagsindekset): kun metadata.",
        ),
        "samtykke": objekt(
            {
                "id": d(UUID, "Denne versions id."),
                "samtykke_id": d(UUID, "Fælles for alle versioner af samtykket."),
                "version": HELTAL,
                "erstatter": d(kan_mangle(UUID), "Den version, denne afløser."),
                "beslutning": d(
                    {"enum": ["tillad", "afvis"]}, "tillad: samtykke; afvis: blokering."
                ),
                "status": {"enum": ["aktiv", "tilbagekaldt"]},
                "modtager": objekt(
                    {
                        "type": {"enum": ["enhed", "myndighed", "medarbejder"]},
                        "id": UUID,
                        "navn": kan_mangle(TEKST),
                        "myndighed": kan_mangle(TEKST),
                    }
                )
                | {"required": ["type", "id", "navn"]},  # a unit also names its authority
                "kun_faglighed": KODE,
                "kategorier": d(liste(ref("kode")), "De slags oplysninger, samtykket omfatter."),
                "kilder": d(liste(ref("enhed")), "De enheder, hvis oplysninger må deles."),
                "sagsindeks": d(SANDHED, "Omfatter oversigten over borgerens sager."),
                "dialog": SANDHED,
                "formaal": TEKST,
                "gyldig_fra": TID,
                "gyldig_til": TID,
                "tekst": d(TEKST, "Den tekst, borgeren sagde ja (eller nej) til."),
                "tekst_version": TEKST,
                "givet_af": d(kan_mangle(TEKST), "Borgeren, værgen eller fuldmægtigen."),
                "via_relation": kan_mangle(UUID),
                "assisteret": d(
                    SANDHED, "Givet på papir eller i et møde og registreret af en medarbejder."
                ),
                "vidne": TEKST,
                "anmodning": d(kan_mangle(UUID), "Den anmodning, samtykket svarer på."),
                "oprettet": TID,
            },
            "Én version af et samtykke eller en blokering. Versioner ændres aldrig.",
        ),
        "anmodning": objekt(
            {
                "id": UUID,
                "anmodet_af": PERSON,
                "til_enhed": ENHED,
                "kategorier": liste(ref("kode")),
                "kilder": liste(ref("enhed")),
                "sagsindeks": SANDHED,
                "dialog": SANDHED,
                "formaal": TEKST,
                "begrundelse": d(TEKST, "Hvorfor, i sagsbehandlerens ord til borgeren."),
                "varighed_dage": HELTAL,
                "status": {"enum": ["afventer", "besvaret", "afvist", "trukket"]},
                "oprettet": TID,
                "besvaret": kan_mangle(TID),
            },
            "En anmodning om samtykke.",
        ),
        "hjemmel": objekt(
            {
                "id": UUID,
                "medarbejder": PERSON,
                "enhed": ENHED,
                "lovgrundlag": KODE,
                "begrundelse": TEKST,
                "gyldig_fra": TID,
                "gyldig_til": TID,
                "oprettet": TID,
                "gennemgang": kan_mangle(
                    objekt(
                        {
                            "resultat": {"enum": ["godkendt", "flaget"]},
                            "leder": TEKST,
                            "kommentar": TEKST,
                            "tidspunkt": TID,
                        }
                    )
                ),  # fmt: skip
            },
            "En adgang på lovhjemmel (uden samtykke), med lederens gennemgang.",
        ),
        "relation": objekt(
            {
                "id": UUID,
                "type": {"enum": ["paaroerende", "vaerge", "fuldmagt"]},
                "person": TEKST,
                "beskrivelse": TEKST,
                "omfang": liste(TEKST),
                "gyldig_fra": DATO,
                "gyldig_til": kan_mangle(DATO),
            },
            "En person med en relation til borgeren: pårørende, værge eller fuldmægtig.",
        ),
        "hvem": objekt(
            byg_hvem_felter(),
            "En deltager i en samtale: en medarbejder, en hel enhed, borgeren eller en, der "
            "handler for borgeren.",
        ),
        "besked": objekt(
            {
                "id": d(UUID, "Denne versions id."),
                "besked_id": d(UUID, "Fælles for alle versioner af beskeden."),
                "nummer": d(HELTAL, "Beskedens plads i samtalen (1, 2, 3, …)."),
                "version": HELTAL,
                "erstatter": d(kan_mangle(UUID), "Den version, denne afløser (rettet besked)."),
                "skrevet": TID,
                "afsender": objekt(
                    {
                        "type": {"enum": ["medarbejder", "person"]},
                        "navn": TEKST,
                        "enhed": TEKST,
                        "myndighed": TEKST,
                        "rolle": TEKST,
                        "faglighed": TEKST,
                        "via_relation": kan_mangle(UUID),
                    },
                    "Afsenderen, som vedkommende var, da beskeden blev skrevet.",
                ),
                "trukket_tilbage": d(
                    SANDHED,
                    "Afsenderen trak beskeden tilbage: kun denne version er med, uden tekst, "
                    "tidligere versioner og filer.",
                ),
                "tekst": kan_mangle(TEKST),
                "henviser_til": objekt(
                    {"tilstande": liste(UUID), "indsatser": liste(UUID)},
                    "De tilstande og indsatser (id i denne fil), beskeden henviser til.",
                ),
                "vedhaeftninger": d(
                    liste(
                        objekt(
                            {
                                "id": UUID,
                                "filnavn": TEKST,
                                "content_type": d(TEKST, "Filtypen, fundet ved at læse filen."),
                                "stoerrelse": d(HELTAL, "Størrelse i bytes."),
                                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                            }
                        )
                    ),
                    "Vedhæftede filer: kun oplysninger om dem, ikke indholdet.",
                ),
                "svar_fra": d(kan_mangle(ref("hvem")), "Den, der bedes svare."),
                "svar_frist": kan_mangle(DATO),
            },
            "Én version af en besked. Versioner ændres aldrig; en rettelse er en ny version.",
        ),
        "samtale": objekt(
            {
                "id": UUID,
                "type": d(
                    {"enum": ["borger", "faglig"]},
                    "borger: med borgeren; faglig: mellem fagpersoner om borgeren.",
                ),
                "emne": TEKST,
                "om": kan_mangle(
                    objekt(
                        {
                            "type": {"enum": ["tilstand", "indsats", "sag", "anmodning"]},
                            "id": d(UUID, "Oplysningens id i denne fil."),
                            "maal_nummer": d(kan_mangle(HELTAL), "Indsatsmålets nummer (fra 0)."),
                        },
                        "Det, samtalen handler om.",
                    )
                ),
                "oprettet": TID,
                "seneste": TID,
                "beskeder_med": d(
                    SANDHED,
                    "Falsk for en samtale mellem fagpersoner: borgeren får at vide, at den "
                    "findes, hvem der deltager og hvem der skrev hvornår, aldrig hvad.",
                ),
                "deltagere": d(
                    liste(
                        objekt(
                            {
                                **byg_hvem_felter(),
                                "handling": {"enum": ["tilfoej", "afslut"]},
                                "tidspunkt": TID,
                            }
                        )
                    ),
                    "Hver gang en deltager kom med eller forlod samtalen.",
                ),
                "beskeder": d(
                    liste(ref("besked")), "Alle versioner af alle beskeder, ældste først."
                ),
                "historik": d(
                    liste(
                        objekt(
                            {
                                "tidspunkt": TID,
                                "haendelse": {
                                    "enum": [
                                        "oprettet",
                                        "deltager",
                                        "forladt",
                                        "skrevet",
                                        "rettet",
                                        "trukket",
                                        "vedhaeftet",
                                    ]
                                },  # fmt: skip
                                "hvem": TEKST,
                                "enhed": TEKST,
                            }
                        )
                    ),
                    "Samtalens historik: hvem gjorde hvad hvornår, uden tekst.",
                ),
            },
            "En samtale om borgeren (dialogen).",
        ),
        "logpost": objekt(
            {
                "nummer": d(HELTAL, "Nummer i borgerens log (1, 2, 3, …)."),
                "tidspunkt": TID,
                "hvem": TEKST,
                "enhed": TEKST,
                "myndighed": TEKST,
                "rolle": TEKST,
                "faglighed": TEKST,
                "paa_vegne_af_relation": d(
                    kan_mangle(UUID), "Relationen, når en værge eller fuldmægtig så det."
                ),
                "handling": d(
                    {"enum": ["visning", "eksport", "admin", "integration"]},
                    "visning: set; eksport: hentet som fil; admin: set i administrationen; "
                    "integration: leveret til et fagsystem.",
                ),
                "hvad": TEKST,
                "objekter": liste({"type": "object"}),
                "formaal": TEKST,
                "grundlag": {
                    "enum": [
                        "egen_enhed",
                        "samtykke",
                        "hjemmel",
                        "borger",
                        "relation",
                        "administration",
                    ]
                },  # fmt: skip
                "grundlag_id": kan_mangle(UUID),
                "hash": d(TEKST, "Postens SHA-256; kæden gør ændringer synlige."),
                "forrige_hash": TEKST,
            },
            "Ét opslag i borgerens oplysninger (adgangsloggen).",
        ),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Borgerens data fra Datadeling",
        "description": (
            "Alt, hvad Datadeling har om én borger, som borgeren (eller en værge eller "
            f"fuldmægtig) henter på /mine-data/eksport.json. Schemaversion {SCHEMA_VERSION}."
        ),
        **objekt(
            {
                "$schema": d(TEKST, "Adressen på dette schema."),
                "format": {"const": FORMAT},
                "schemaversion": d(
                    {"type": "string", "pattern": "^1\\.[0-9]+$"},
                    "MAJOR.MINOR. Læsere af version 1.x kan læse alle 1.y.",
                ),
                "dannet": d(TID, "Hvornår filen blev dannet."),
                "dannet_af": d(TEKST, "Hvem der hentede filen."),
                "borger": objekt(
                    {
                        "id": UUID,
                        "cpr": {"type": "string", "pattern": "^[0-9]{10}$"},
                        "fornavn": TEKST,
                        "efternavn": TEKST,
                        "adresse": TEKST,
                        "postnummer": TEKST,
                        "by": TEKST,
                    }
                ),  # fmt: skip
                "tilstande": liste(ref("tilstand")),
                "indsatser": liste(ref("indsats")),
                "sager": liste(ref("sag")),
                "samtykker": d(
                    liste(ref("samtykke")), "Alle versioner af alle samtykker og blokeringer."
                ),
                "anmodninger": liste(ref("anmodning")),
                "hjemler": liste(ref("hjemmel")),
                "relationer": liste(ref("relation")),
                "samtaler": d(
                    liste(ref("samtale")),
                    "Samtaler (dialogen) om borgeren, som den der henter filen kan åbne "
                    "(fra version 1.1; tom i 1.0).",
                ),
                "adgangslog": d(liste(ref("logpost")), "Hele borgerens adgangslog, ældste først."),
            },
        ),
        "$defs": defs,
    }


def som_tekst() -> str:
    return schemafil.som_tekst(byg_schema())


if __name__ == "__main__":
    schemafil.skriv(STI, byg_schema())
