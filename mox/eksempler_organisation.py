"""Example messages about units, staff and local classes (organisationenhed, bruger, klasse).

The documentation page shows them (rendered from here into
templates/mox/dokumentation/_organisation.html); the tests check that the page shows
them, that they follow the schema and that they are applied.
"""

from __future__ import annotations

import json

from mox.eksempler import virkning

MYNDIGHED = "2b6f3c1e-9d4a-4e7b-8c25-0a1b2c3d4e5f"  # the municipality, known to Datadeling
FACET = "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f"  # the fagsystem's list of visit types

ENHED_TOP = {
    "beskedID": "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7",
    "beskedversion": "1",
    "beskedtype": "Manipulation",
    "objekttype": "organisationenhed",
    "operation": "create",
    "objektID": "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
    "data": {
        "note": "Organisationen fra omsorgssystemet",
        "attributter": {
            "organisationenhedegenskaber": [
                {
                    "brugervendtnoegle": "SUO",
                    "enhedsnavn": "Sundhed og Omsorg",
                    "virkning": virkning("2020-01-01"),
                }
            ]
        },
        "tilstande": {
            "organisationenhedgyldighed": [
                {"gyldighed": "Aktiv", "virkning": virkning("2020-01-01")}
            ]
        },
        "relationer": {
            "tilhoerer": [{"uuid": MYNDIGHED, "virkning": virkning("2020-01-01")}],
            "overordnet": [{"uuid": MYNDIGHED, "virkning": virkning("2020-01-01")}],
        },
    },
}

ENHED = {
    "beskedID": "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e",
    "beskedversion": "1",
    "beskedtype": "Manipulation",
    "objekttype": "organisationenhed",
    "operation": "create",
    "objektID": "6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f",
    "data": {
        "attributter": {
            "organisationenhedegenskaber": [
                {
                    "brugervendtnoegle": "HJP-NORD",
                    "enhedsnavn": "Hjemmeplejen Nord",
                    "virkning": virkning("2021-03-01"),
                }
            ]
        },
        "tilstande": {
            "organisationenhedgyldighed": [
                {"gyldighed": "Aktiv", "virkning": virkning("2021-03-01")}
            ]
        },
        "relationer": {
            "overordnet": [{"uuid": ENHED_TOP["objektID"], "virkning": virkning("2021-03-01")}]
        },
    },
}

BRUGER = {
    "beskedID": "7d8e9f0a-1b2c-4d3e-a4f5-6a7b8c9d0e1f",
    "beskedversion": "1",
    "beskedtype": "Manipulation",
    "objekttype": "bruger",
    "operation": "create",
    "objektID": "8e9f0a1b-2c3d-4e4f-b5a6-7b8c9d0e1f2a",
    "data": {
        "attributter": {
            "brugeregenskaber": [
                {
                    "brugervendtnoegle": "HANPOU",
                    "brugernavn": "Hanne Poulsen",
                    "virkning": virkning("2021-03-01"),
                }
            ]
        },
        "tilstande": {
            "brugergyldighed": [{"gyldighed": "Aktiv", "virkning": virkning("2021-03-01")}]
        },
        "relationer": {
            "tilhoerer": [{"uuid": MYNDIGHED, "virkning": virkning("2021-03-01")}],
            "adresser": [
                {
                    "urn": "urn:mailto:hanne.poulsen@kommune.example",
                    "virkning": virkning("2021-03-01"),
                },
                {"urn": "urn:tel:+4587130000", "virkning": virkning("2021-03-01")},
            ],
        },
    },
}

KLASSE = {
    "beskedID": "9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c",
    "beskedversion": "1",
    "beskedtype": "Manipulation",
    "objekttype": "klasse",
    "operation": "create",
    "objektID": "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d",
    "data": {
        "attributter": {
            "klasseegenskaber": [
                {
                    "brugervendtnoegle": "BESOEG-AFTEN",
                    "titel": "Aftenbesøg",
                    "beskrivelse": "Besøg mellem kl. 16 og 23.",
                    "soegeord": [["aftenvagt", "Ord fra vagtplanen", "fagord"]],
                    "virkning": virkning("2022-01-01"),
                }
            ]
        },
        "tilstande": {
            "klassepubliceret": [{"publiceret": "Publiceret", "virkning": virkning("2022-01-01")}]
        },
        "relationer": {"facet": [{"uuid": FACET, "virkning": virkning("2022-01-01")}]},
    },
}

ALLE = {"enhed_top": ENHED_TOP, "enhed": ENHED, "bruger": BRUGER, "klasse": KLASSE}


def som_json() -> dict[str, str]:
    """Return the examples as indented JSON text, by name (as the page shows them)."""
    return {navn: json.dumps(b, indent=2, ensure_ascii=False) for navn, b in ALLE.items()}
