"""The parts of KL's code systems that the domain rules speak about, by FK Klassifikation UUID.

A class belongs to a part when the part's root is the class itself or among its ancestors
(`Klasse.sti`). The UUIDs are KL's own codes, stable across versions of FSIII, FFB and
CareSocialCodes.
"""

from __future__ import annotations

import uuid

U = uuid.UUID

FSIII_URI = "urn:oid:1.2.208.176.2.21"
FFB_URI = "urn:oid:1.2.208.176.2.22"
CSC_URI = "http://fhir.kl.dk/term/CodeSystem/CareSocialCodes"

# --- FSIII ------------------------------------------------------------------------------
FSIII_SYGEPLEJETILSTANDE = U("4db72d65-7ec1-45b4-89c3-5017c35d085e")
FSIII_FUNKTIONSEVNETILSTANDE = (
    U("d49d6b0c-c067-4469-b92d-3842822c4971"),  # pleje- og omsorgstilstande
    U("94db6c71-859d-43e6-9a62-4e7fa7daf767"),  # genoptræning efter sygehusophold
    U("9faf9d59-f308-498a-96d1-aa1d9124d514"),  # hjælpemiddelområdet
)
FSIII_SUNDHEDSFREMME_TILSTANDE = U("0fa991ef-adf5-4202-8cfe-a31454ed6e9d")
FSIII_TILSTANDE = (
    FSIII_SYGEPLEJETILSTANDE,
    FSIII_SUNDHEDSFREMME_TILSTANDE,
    *FSIII_FUNKTIONSEVNETILSTANDE,
)
FSIII_INDSATSER = (
    U("b07bbb6d-16b2-4cee-b5a5-771ca5beb67c"),  # pleje- og omsorgsindsatser
    U("cac857f7-2957-4fc7-a814-9e7fc450270a"),  # sygeplejeindsatser
    U("7deb81de-12c0-4a49-bd5b-72ea6fe89d83"),  # genoptræning efter sygehusophold
    U("102ea764-d2cf-4a24-979d-68c2e8d638cf"),  # sundhedsfremme og forebyggelse
    U("f5e2461b-2737-4b52-846c-2ff8f2d88db5"),  # hjælpemiddelområdet
)
FSIII_FUNKTIONSEVNE_SKALA = U("2c02a704-deee-4878-9378-1167613b3da6")  # 0–4 og 9
FSIII_UDFOERELSE = U("d6d48a71-b96f-4b88-86f9-b13bd3c03560")
FSIII_BETYDNING = U("687159ad-a61c-47c0-a878-53aa54bae2d5")
FSIII_MAALTYPE = U("59c107b1-afc2-400e-a129-f9676a0aa9bf")
FSIII_OPFOELGNINGSRESULTAT = U("ad78224f-b339-462c-9f2c-90b3120605cb")  # E1–E4

# --- FFB --------------------------------------------------------------------------------
FFB_TILSTANDE = U("b3ddc7d7-f6c1-4d47-8280-456992cbe0a6")
FFB_AKTIVITET_OG_DELTAGELSE = U("93433530-b85c-4d04-a4fb-5ae26cf16f1c")
FFB_SOCIAL_INDSATS = U("67b4ac73-dedf-4337-ad56-476b0a55ab03")
FFB_YDELSE = U("af7624f8-affd-4a7e-8754-b1b1dd9d8def")
FFB_TILBUD = U("f708aea3-66bd-46c6-af11-7bf28942fa47")
FFB_MAALGRUPPE = U("cda90d67-f65a-4a34-b8d8-168ee9ff0949")
FFB_FUNKTIONSEVNENIVEAU = U("e89d317c-4657-4970-b614-ada2ed220595")
FFB_STOETTEBEHOVSNIVEAU = U("7ac451dc-773b-4877-baaf-1e6b1d5c8e28")
FFB_MAALTYPE = U("b5257b2d-0fbf-4d00-bf38-d298c8568116")
FFB_STATUS_PAA_INDSATS = U("90479ffa-bf46-4b3a-a172-91f2798e2a43")

# --- CareSocialCodes (provenance) --------------------------------------------------------
CSC_KILDE = U("b5731132-f6b9-4a47-995d-681d2b755d4f")
CSC_OPLYSNINGSAKTIVITET = U("940f37e6-8a3d-483b-adac-be8af3268a5b")
CSC_BEGRUNDELSE_OPHOER = U("2c059407-fed5-4852-92d8-6bb5ad63d7bb")

TILSTAND_ROEDDER = (*FSIII_TILSTANDE, FFB_TILSTANDE)
INDSATS_ROEDDER = (*FSIII_INDSATSER, FFB_YDELSE, FFB_TILBUD)


def under(klasse, *roedder: uuid.UUID) -> bool:
    """Return whether the class is one of the roots or lies below one of them."""
    return klasse.pk in roedder or any(r in roedder for r in klasse.sti)


def strictly_under(klasse, *roedder: uuid.UUID) -> bool:
    """Return whether the class lies below one of the roots (not a root itself)."""
    return any(r in roedder for r in klasse.sti)


# --- Datadeling's own code systems (klassifikation/data/CodeSystem-Datadeling-*.json) ----
LOVGRUNDLAG_URI = "urn:datadeling:codesystem:lovgrundlag"
FAGLIGHED_URI = "urn:datadeling:codesystem:faglighed"
ADGANGSHJEMMEL_URI = "urn:datadeling:codesystem:adgangshjemmel"
