"""The classes the simulated fagsystemer code their data with, read from the database.

Everything is found below the roots in `klassifikation.kendte` (KL's FK Klassifikation
UUIDs), so the simulated messages carry the real class UUIDs of the imported FSIII and FFB.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from klassifikation import kendte as k
from klassifikation.models import Klasse, Status

FFB_SOCIALPAEDAGOGISK_STOETTE = uuid.UUID("1f0ff82b-3243-422f-9651-1d00fd2dcd61")  # SEL § 85
FFB_AFKLARING = uuid.UUID("72a2a2d4-5a83-4093-ba1c-7f759c132801")
FFB_BESKYTTET_BESKAEFTIGELSE = uuid.UUID("d8505298-6ea5-4ca8-923d-6e4451cc9a48")
FFB_MENTALE_FUNKTIONER = uuid.UUID("25c5c614-305f-46cd-9891-55d564fc30cf")
FSIII_PSYKOSOCIALE_FORHOLD = uuid.UUID("5bfe4bda-2358-41da-946e-1fdaa33d5fe8")

# FFB's level scales from none to complete (KL's UUIDs; "Ikke vurderet" is left out).
FFB_NIVEAU = [
    "b508ff66-6326-4862-a6d7-7bbf184c9823",
    "8328ce4a-6238-4f73-bf1a-74aadb68eff8",
    "5bdde847-2837-416b-ab63-bbff8b7aa531",
    "cae545f5-2813-4d79-98fc-0a7d770af3cd",
    "832ae90b-23b5-4063-80aa-0b81bdce680e",
]
FFB_STOETTEBEHOV = [
    "ae9f388a-91c3-46cf-af55-f81952f2977c",
    "dd628e73-d6c9-4837-a2b8-aa62d73bd6ae",
    "401a397b-b3aa-4ca3-8b23-bd8f99dd3f76",
    "b99a0790-4d70-4152-b149-3fe58b745583",
    "e99763d6-6c43-4969-ad52-2b1a7055f9dc",
]


class KatalogMangler(Exception):
    """The code systems the simulator needs are not imported."""


@dataclass
class Katalog:
    """Classes by role: (uuid as text, title) pairs, in a stable order."""

    omsorg_tilstande: list[tuple[str, str, str]] = field(default_factory=list)  # + parent title
    omsorg_indsatser: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    fsiii_niveau: dict[int, str] = field(default_factory=dict)
    ffb_tilstande: list[tuple[str, str]] = field(default_factory=list)
    ffb_niveau: list[str] = field(default_factory=list)
    ffb_stoettebehov: list[str] = field(default_factory=list)
    ffb_stoette: list[tuple[str, str]] = field(default_factory=list)  # § 85
    ffb_tilbud: list[tuple[str, str]] = field(default_factory=list)
    job_indsatser: list[tuple[str, str]] = field(default_factory=list)
    psyk_tilstande: list[tuple[str, str]] = field(default_factory=list)


def blade(*roedder: uuid.UUID) -> list[Klasse]:
    """Return the active leaf classes below any of the roots, in code order."""
    boern = Klasse.objects.filter(overordnet=OuterRef("pk"))
    qs = Klasse.objects.none()
    for rod in roedder:
        qs = qs | Klasse.objects.filter(sti__contains=[rod])
    return list(
        qs.exclude(status=Status.UDGAAET)
        .filter(~Exists(boern))
        .select_related("overordnet")
        .order_by("kode", "pk")
        .distinct()
    )


def _par(klasser: list[Klasse]) -> list[tuple[str, str]]:
    return [(str(kl.pk), kl.titel) for kl in klasser]


def hent() -> Katalog:
    """Return the catalogue from the database; raise KatalogMangler when a part is missing."""
    kat = Katalog()
    kat.omsorg_tilstande = [
        (str(kl.pk), kl.titel, kl.overordnet.titel if kl.overordnet else "")
        for kl in blade(k.FSIII_FUNKTIONSEVNETILSTANDE[0])
    ]
    for kl in blade(k.FSIII_INDSATSER[0]):
        gruppe = kl.overordnet.titel if kl.overordnet else ""
        if gruppe.startswith("§ 83 stk. 1, nr. 1"):
            noegle = "personlig"
        elif gruppe.startswith("§ 83 stk. 1, nr. 2"):
            noegle = "praktisk"
        elif gruppe.startswith("§ 83 stk. 1, nr. 3"):
            noegle = "mad"
        else:
            noegle = "andet"
        kat.omsorg_indsatser.setdefault(noegle, []).append((str(kl.pk), kl.titel))
    skala = Klasse.objects.filter(sti__contains=[k.FSIII_FUNKTIONSEVNE_SKALA])
    kat.fsiii_niveau = {
        int(kl.titel): str(kl.pk) for kl in skala if kl.titel in {"0", "1", "2", "3", "4"}
    }
    kat.ffb_tilstande = _par(blade(k.FFB_AKTIVITET_OG_DELTAGELSE))
    kendte = {str(pk) for pk in Klasse.objects.values_list("pk", flat=True).filter(
        pk__in=FFB_NIVEAU + FFB_STOETTEBEHOV
    )}  # fmt: skip
    kat.ffb_niveau = [u for u in FFB_NIVEAU if u in kendte]
    kat.ffb_stoettebehov = [u for u in FFB_STOETTEBEHOV if u in kendte]
    kat.ffb_stoette = _par(blade(FFB_SOCIALPAEDAGOGISK_STOETTE))
    kat.ffb_tilbud = _par(blade(k.FFB_TILBUD))
    kat.job_indsatser = _par(blade(FFB_AFKLARING, FFB_BESKYTTET_BESKAEFTIGELSE))
    kat.psyk_tilstande = _par(blade(FFB_MENTALE_FUNKTIONER, FSIII_PSYKOSOCIALE_FORHOLD))
    mangler = [
        navn
        for navn, vaerdi in (
            ("FSIII pleje- og omsorgstilstande", kat.omsorg_tilstande),
            ("FSIII pleje- og omsorgsindsatser", kat.omsorg_indsatser),
            ("FSIII's funktionsevneskala", len(kat.fsiii_niveau) == 5),
            ("FFB aktivitet og deltagelse", kat.ffb_tilstande),
            ("FFB funktionsevneniveau", len(kat.ffb_niveau) == 5),
            ("FFB støttebehov", len(kat.ffb_stoettebehov) == 5),
            ("FFB socialpædagogisk støtte", kat.ffb_stoette),
            ("FFB tilbud", kat.ffb_tilbud),
            ("FFB afklaring og beskyttet beskæftigelse", kat.job_indsatser),
            ("FFB mentale funktioner", kat.psyk_tilstande),
        )
        if not vaerdi
    ]
    if mangler:
        raise KatalogMangler(
            "Kodesystemerne mangler (" + ", ".join(mangler) + "); kør først "
            "manage.py importer_klassifikation --standard."
        )
    return kat
