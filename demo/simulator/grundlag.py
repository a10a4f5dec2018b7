"""The units and citizens the simulated traffic is about.

Units: each simulated fagsystem reports for the units its authority has (the demo's,
found by name: `manage.py demo_data`). Where none of a system's units exist, the
simulator creates them in the database (through the ORM, with stable uuid5 ids, so a
second run reuses them) under "Simulatorkommune" (kommunekode 996) or "Simulatorregion":
Datadeling only accepts messages about units it knows, and in a real installation the
organisation comes from the municipality's own organisation data (MOX organisationenhed).

Citizens: the existing citizens (ordered by CPR) first, then new ones with made-up names
and CPR numbers from `demo.personer` (they may coincide with real persons' numbers and
exist only in this database). In a real installation citizens come from CPR; the
simulator creates them so that its messages can be applied.
"""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from demo import personer
from organisation.cpr import cpr_birth_date
from organisation.models import Borger, Enhed, Funktion, Myndighed, MyndighedsType

NAVNERUM = uuid.UUID("5e0b7c1d-2a4f-5b6e-8c9d-0f1a2b3c4d5e")

SIMULATORKOMMUNE = ("Simulatorkommune", MyndighedsType.KOMMUNE, "996", None)
SIMULATORREGION = ("Simulatorregion", MyndighedsType.REGION, None, "40000096")

# system: (authority to create under, [(unit name in the demo, unit name when created)])
ENHEDER = {
    "omsorg": (
        SIMULATORKOMMUNE,
        [
            ("Visitationen", "Visitation (simulator)"),
            ("Hjemmepleje Nord", "Hjemmepleje Nord (simulator)"),
            ("Hjemmepleje Syd", "Hjemmepleje Syd (simulator)"),
        ],
    ),
    "social": (
        SIMULATORKOMMUNE,
        [
            ("Myndighed Voksenhandicap", "Myndighed Voksenhandicap (simulator)"),
            ("Socialpsykiatri og Udsatte Voksne", "Socialpsykiatri (simulator)"),
        ],
    ),
    "jobcenter": (
        SIMULATORKOMMUNE,
        [
            ("Sygedagpenge og Jobafklaring", "Sygedagpenge og Jobafklaring (simulator)"),
            ("Ungeindsatsen", "Ungeindsatsen (simulator)"),
        ],
    ),
    "psykiatri": (
        SIMULATORREGION,
        [
            ("Afdeling for Psykoser", "Afdeling for Psykoser (simulator)"),
            ("Afdeling for Depression og Angst", "Afdeling for Depression og Angst (simulator)"),
        ],
    ),
}


@dataclass(frozen=True)
class SimEnhed:
    uuid: str
    navn: str
    medarbejdere: tuple[str, ...]  # staff with a valid function in the unit (uuids)


@dataclass(frozen=True)
class SimBorger:
    uuid: str
    cpr: str
    foedt: datetime.date


def _myndighed(navn: str, type_: str, kommunekode: str | None, cvr: str | None) -> Myndighed:
    myndighed, _ = Myndighed.objects.get_or_create(
        id=uuid.uuid5(NAVNERUM, f"myndighed|{navn}"),
        defaults={"navn": navn, "type": type_, "kommunekode": kommunekode, "cvr": cvr},
    )
    return myndighed


@transaction.atomic
def enheder(system: str) -> tuple[list[SimEnhed], int]:
    """Return the system's units (existing demo units, else created ones) and how many
    were created now."""
    myndighed_spec, navne = ENHEDER[system]
    fundne = []
    for demo_navn, _ in navne:
        enhed = Enhed.objects.filter(navn=demo_navn).order_by("pk").first()
        if enhed is not None:
            fundne.append(enhed)
    oprettet = 0
    if not fundne:
        myndighed = _myndighed(*myndighed_spec)
        for _, sim_navn in navne:
            enhed, ny = Enhed.objects.get_or_create(
                id=uuid.uuid5(NAVNERUM, f"enhed|{system}|{sim_navn}"),
                defaults={"myndighed": myndighed, "navn": sim_navn, "enhedstype": "afdeling"},
            )
            oprettet += ny
            fundne.append(enhed)
    idag = timezone.localdate()
    resultat = []
    for enhed in fundne:
        staff = sorted(
            {str(f.medarbejder_id) for f in Funktion.objects.gaeldende(idag).filter(enhed=enhed)}
        )
        resultat.append(SimEnhed(str(enhed.pk), enhed.navn, tuple(staff)))
    return resultat, oprettet


@transaction.atomic
def borgere(antal: int, *, seed: int, slutdato: datetime.date) -> tuple[list[SimBorger], int]:
    """Return `antal` living citizens (existing first, by CPR; then created ones) and how
    many were created now."""
    valgte = list(
        Borger.objects.filter(doedsdato__isnull=True)
        .order_by("cpr")
        .values_list("pk", "cpr")[:antal]
    )
    brugte = {cpr for _, cpr in valgte}
    rng = random.Random(f"borgere|{seed}")  # noqa: S311 (simulated data, not security)
    oprettet = 0
    while len(valgte) < antal:
        alder = rng.choice([rng.randint(18, 66), rng.randint(18, 66), rng.randint(67, 98)])
        foedt = slutdato - datetime.timedelta(days=alder * 365 + rng.randint(0, 364))
        cpr = personer.lav_cpr(rng, foedt)
        if cpr in brugte:
            continue
        brugte.add(cpr)
        fornavn, efternavn = personer.navn(rng, personer.er_kvinde(cpr), foedt)
        borger, ny = Borger.objects.get_or_create(
            cpr=cpr,
            defaults={
                "id": uuid.uuid5(NAVNERUM, f"borger|{cpr}"),
                "fornavn": fornavn,
                "efternavn": efternavn,
            },
        )
        oprettet += ny
        valgte.append((borger.pk, borger.cpr))
    valgte.sort(key=lambda par: par[1])
    return [SimBorger(str(pk), cpr, cpr_birth_date(cpr)) for pk, cpr in valgte], oprettet
