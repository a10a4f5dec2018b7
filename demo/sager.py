"""Karen Holm's cases in other systems, for the case index (sagsindeks).

Four cases, as the systems that hold them would report them by MOX: the home care's case
in the care system (Hjemmepleje, the demo nurse's unit), the social case in Handicap og
Psykiatri that the demo caseworker has opened (the one her request for consent is about),
the region's outpatient treatment for depression, and a sickness-benefit case the
Jobcenter closed years ago. Written through sagsindeks.services with fixed ids
(demo_uuid), so running the demo again adds nothing.
"""

from __future__ import annotations

import datetime
import random

from demo.klinik import Klinik
from demo.organisation import demo_uuid
from organisation.models import Borger, Medarbejder
from sagsindeks.models import Sag
from sagsindeks.services import sag_register


def byg_sager(klinik: Klinik, *, karen: Borger, personaer: dict[str, Medarbejder]) -> None:
    """Register Karen's cases elsewhere that the demo does not have yet."""
    e = klinik.enheder
    idag = klinik.idag
    rng = random.Random("karen|sager")

    def dage(n: int) -> datetime.date:
        return idag - datetime.timedelta(days=n)

    sager = {
        "hjemmehjaelp": (
            "Omsorgssystem Aarhus",
            {
                "titel": "Personlig og praktisk hjælp (SEL § 83)",
                "kildesystem_id": "OMS-2025-04417",
                "sagsnummer": "27.24.00-G01-4417-25",
                "kle_nummer": "27.24.00",
                "fremdrift": "Udfoert",
                "startdato": dage(430),
                "ansvarlig_enhed": e["hjp"],
                "primaerbehandler": personaer["sygeplejerske"],
            },
        ),
        "socialpaedagogisk": (
            "Socialsystem Aarhus",
            {
                "titel": "Afklaring af behov for socialpædagogisk støtte (SEL § 85)",
                "kildesystem_id": "SOC-2026-1187",
                "sagsnummer": "SOC-2026-1187",
                "fremdrift": "Opstaaet",
                "startdato": dage(12),
                "ansvarlig_enhed": e["hp"],
                "primaerbehandler": personaer["sagsbehandler"],
            },
        ),
        "depression": (
            "Region Midtjylland EPJ",
            {
                "titel": "Ambulant behandling for depression",
                "kildesystem_id": "PC-AMB-55120",
                "fremdrift": "Udfoert",
                "startdato": dage(150),
                "ansvarlig_enhed": e["pc-dep"],
                "primaerbehandler": klinik.medarbejder("pc-dep", rng, "psykolog"),
            },
        ),
        "sygedagpenge": (
            "Jobcentersystem Aarhus",
            {
                "titel": "Sygedagpenge – opfølgning",
                "kildesystem_id": "JC-2012-30981",
                "sagsnummer": "15.17.00-G01-30981-12",
                "kle_nummer": "15.17.00",
                "fremdrift": "Afsluttet",
                "startdato": dage(365 * 13 + 40),
                "slutdato": dage(365 * 13 - 120),
                "ansvarlig_enhed": e["job-syg"],
                "primaerbehandler_navn": "Jobkonsulent (fratrådt)",
            },
        ),
    }
    ids = {noegle: demo_uuid("sag", "karen", noegle) for noegle in sager}
    findes = set(Sag.objects.filter(pk__in=ids.values()).values_list("pk", flat=True))
    for noegle, (system, data) in sager.items():
        if ids[noegle] in findes:
            continue
        sag_register(
            actor=None, borger=karen, data={"kildesystem": system, **data}, sag_id=ids[noegle],
            importeret=True, aktoer_tekst=system,
        )  # fmt: skip
    if len(findes) < len(sager):
        klinik.log(f"Sagsindeks: {len(sager) - len(findes)} sager for Karen Holm.")
