"""Example messages and signing code for the documentation page (the tests validate them)."""

from __future__ import annotations

import json

from mox.auth import signatur

BORGER = "urn:dk:cpr:person:0101701234"  # a made-up citizen
ENHED = "6f0e7b1a-3c52-4d8e-9a41-2b7c5d8e9f10"  # the sending unit (organisationenhed)
SAGSBEHANDLER = "a3d9c2e4-5b6f-4781-92a0-c1d2e3f4a5b6"  # a bruger in the fagsystem


def virkning(fra: str, til: str = "infinity", **ekstra: str) -> dict:
    return {"from": fra, "to": til, **ekstra}


TILSTAND = {
    "beskedID": "0d3c6a8e-2f41-4b7a-9c15-8e2d4f6a1b30",
    "beskedversion": "1",
    "beskedtype": "Manipulation",
    "objekttype": "tilstand",
    "operation": "create",
    "objektID": "5a1f7c2e-8b3d-4e60-a9f4-1c2d3e4f5a6b",
    "data": {
        "note": "Funktionsevnevurdering ved revisitation",
        "attributter": {
            "tilstandegenskaber": [
                {
                    "brugervendtnoegle": "OMS-2024-0412",
                    "beskrivelse": "Kan ikke selv tilberede varm mad; klarer kolde måltider.",
                    "virkning": virkning(
                        "2024-04-12",
                        aktoerref=SAGSBEHANDLER,
                        aktoertypekode="Bruger",
                        notetekst="FSIII funktionsevnevurdering",
                    ),
                }
            ]
        },
        "tilstande": {
            "tilstandstatus": [{"status": "Aktiv", "virkning": virkning("2024-04-12")}],
            "tilstandpubliceret": [{"publiceret": "Normal", "virkning": virkning("2024-04-12")}],
        },
        "relationer": {
            "tilstandsobjekt": [
                {"objekttype": "Person", "urn": BORGER, "virkning": virkning("2024-04-12")}
            ],
            "tilstandstype": [
                {
                    "objekttype": "Klasse",
                    "uuid": "75bfc8db-a220-4801-a8c7-5e968e94d44b",  # FSIII: Lave mad
                    "virkning": virkning("2024-04-12"),
                }
            ],
            "tilstandskvalitet": [
                {
                    "objekttype": "Klasse",
                    "uuid": "d984ad21-48fe-4619-845e-2aa0303048e7",  # FSIII-skala: 2
                    "indeks": 1,
                    "virkning": virkning("2024-04-12"),
                }
            ],
            "tilstandsaktoer": [
                {
                    "objekttype": "Organisationenhed",
                    "uuid": ENHED,
                    "virkning": virkning("2024-04-12"),
                }
            ],
        },
    },
}

INDSATS = {
    "beskedID": "7e4b2c19-6d3a-4f85-b0e2-9a1c3d5e7f82",
    "beskedversion": "1",
    "beskedtype": "Manipulation",
    "objekttype": "indsats",
    "operation": "create",
    "objektID": "c8e1a4d7-2b5f-4a93-8c06-d1e2f3a4b5c6",
    "data": {
        "note": "Bevilget madservice",
        "attributter": {
            "indsatsegenskaber": [
                {
                    "brugervendtnoegle": "MAD-2024-0415",
                    "beskrivelse": "Levering af varm mad fem dage om ugen.",
                    "starttidspunkt": "2024-04-15",
                    "sluttidspunkt": "2024-10-15",
                    "virkning": virkning("2024-04-15", "2024-10-15"),
                }
            ]
        },
        "tilstande": {
            "indsatsfremdrift": [{"fremdrift": "Visiteret", "virkning": virkning("2024-04-15")}],
            "indsatspubliceret": [{"publiceret": "Normal", "virkning": virkning("2024-04-15")}],
        },
        "relationer": {
            "indsatsmodtager": [
                {"objekttype": "Person", "urn": BORGER, "virkning": virkning("2024-04-15")}
            ],
            "indsatstype": [
                {
                    "objekttype": "Klasse",
                    "uuid": "5c8f6a03-bcd2-4c70-b427-14bb684aff5d",  # FSIII: Madservice
                    "virkning": virkning("2024-04-15"),
                }
            ],
            "indsatsaktoer": [
                {
                    "objekttype": "Organisationenhed",
                    "uuid": ENHED,
                    "virkning": virkning("2024-04-15"),
                }
            ],
        },
    },
}

SAG = {
    "beskedID": "3b9d5f71-8a2c-4e64-9d07-f1e2d3c4b5a6",
    "beskedversion": "1",
    "beskedtype": "Manipulation",
    "objekttype": "sag",
    "operation": "create",
    "objektID": "e2f4a6c8-1b3d-4f5a-8c7e-9d0b1a2c3e4f",
    "data": {
        "attributter": {
            "sagegenskaber": [
                {
                    "brugervendtnoegle": "SAG-2024-118",
                    "sagsnummer": "27.24.00-G01-118-24",
                    "titel": "Hjemmehjælp",
                    "beskrivelse": "Sag om personlig og praktisk hjælp.",
                    "kassationskode": "B",
                    "virkning": virkning("2024-04-01"),
                }
            ]
        },
        "tilstande": {
            "sagfremdrift": [{"fremdrift": "Oplyst", "virkning": virkning("2024-04-01")}]
        },
        "relationer": {
            "primaerpart": [
                {"objekttype": "Person", "urn": BORGER, "virkning": virkning("2024-04-01")}
            ],
            "primaerklasse": [
                {
                    "objekttype": "Klasse",
                    "uuid": "4c8a2e6b-9d1f-4a3c-8e5b-7f0a1c2d3e4f",  # the case's KLE subject
                    "virkning": virkning("2024-04-01"),
                }
            ],
            "ansvarlig": [
                {
                    "objekttype": "Organisationenhed",
                    "uuid": ENHED,
                    "virkning": virkning("2024-04-01"),
                }
            ],
            "primaerbehandler": [
                {"objekttype": "Bruger", "uuid": SAGSBEHANDLER, "virkning": virkning("2024-04-01")}
            ],
        },
    },
}

RETTELSE = {
    "beskedID": "9f1e3d5c-7b2a-4c86-a0e4-2d6f8b1c3a57",
    "beskedversion": "1",
    "beskedtype": "Manipulation",
    "objekttype": "indsats",
    "operation": "update",
    "objektID": INDSATS["objektID"],
    "data": {
        "tilstande": {
            "indsatsfremdrift": [{"fremdrift": "Leveret", "virkning": virkning("2024-04-22")}]
        }
    },
}

PASSIVERING = {
    "beskedID": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "beskedversion": "1",
    "beskedtype": "Manipulation",
    "objekttype": "tilstand",
    "operation": "passivate",
    "objektID": TILSTAND["objektID"],
    "data": {"note": "Registreret ved en fejl", "livscyklus": "Passiv"},
}

ALLE = {
    "tilstand": TILSTAND,
    "indsats": INDSATS,
    "sag": SAG,
    "rettelse": RETTELSE,
    "passivering": PASSIVERING,
}

# A worked signature an integrator can reproduce before sending anything.
REGNE_SECRET = "eksempel-hemmelighed"  # noqa: S105 (a documented example)
REGNE_TIDSPUNKT = "1714557600"
REGNE_KROP = b'{"beskeder":[]}'
REGNE_SIGNATUR = signatur(REGNE_SECRET, REGNE_TIDSPUNKT, REGNE_KROP)

SIGNERING_PYTHON = """import hashlib, hmac, json, time, urllib.request

TOKEN = "mox_…"    # fra manage.py mox_system_opret
SECRET = "…"
URL = "{url}"

def send(body: bytes, url: str = URL, method: str = "POST") -> dict:
    tidspunkt = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), tidspunkt.encode() + b"." + body, hashlib.sha256)
    request = urllib.request.Request(url, data=body or None, method=method, headers={
        "Authorization": f"Bearer {TOKEN}",
        "X-Mox-Tidspunkt": tidspunkt,
        "X-Mox-Signatur": "sha256=" + mac.hexdigest(),
        "Content-Type": "application/json",
    })
    with urllib.request.urlopen(request) as svar:   # 4xx/5xx rejser HTTPError
        return json.load(svar)

besked = {...}                      # en konvolut som eksemplerne nedenfor
body = json.dumps(besked).encode()    # signér præcis de bytes der sendes
print(send(body))                     # {"beskedID": "…", "status": "modtaget"}
print(send(b"", URL + besked["beskedID"] + "/", method="GET"))
"""

SIGNERING_CURL = """TOKEN='mox_…'; SECRET='…'
T=$(date +%s)
SIG=$( { printf '%s.' "$T"; cat besked.json; } \\
      | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1 )
curl -sS -X POST '{url}' \\
  -H "Authorization: Bearer $TOKEN" \\
  -H "X-Mox-Tidspunkt: $T" \\
  -H "X-Mox-Signatur: sha256=$SIG" \\
  -H 'Content-Type: application/json' \\
  --data-binary @besked.json

# status for en besked: signér tidspunktet og en tom krop
T=$(date +%s)
SIG=$(printf '%s.' "$T" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)
curl -sS '{url}<beskedID>/' -H "Authorization: Bearer $TOKEN" \\
  -H "X-Mox-Tidspunkt: $T" -H "X-Mox-Signatur: sha256=$SIG"
"""


def med_url(skabelon: str, url: str) -> str:
    """Return a code sample with the ingress URL filled in."""
    return skabelon.replace("{url}", url)


def som_json() -> dict[str, str]:
    """Return the examples as indented JSON text, by name."""
    return {navn: json.dumps(b, indent=2, ensure_ascii=False) for navn, b in ALLE.items()}
