"""Reads for the citizen's download (Mine data → "Hent dine data"): everything Datadeling
holds about one citizen, with the whole history of each datum and what its codes, units
and people are called.

A fixed number of queries whatever the amount of data: every part is one query filtered by
the policy (`policy.eksport_q`), the histories are prefetched, and the classes, units and
staff that the data names are fetched once each at the end, by id. The builders in
`overblik.eksport` only turn this into JSON or FHIR; they never query.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Prefetch

from dialog import selectors as dialog_selectors
from dialog.models import Samtale
from indsats.models import Indsats, IndsatsRegistrering, IndsatsVersion
from klassifikation.models import Klasse
from organisation.models import Borger, Enhed, Medarbejder, Myndighed, Relation
from sagsindeks.models import Sag, SagRegistrering
from samtykke import policy
from samtykke.models import Adgangslog, Anmodning, Hjemmel, Samtykke
from tilstand.models import Tilstand, TilstandRegistrering, TilstandVersion

# The foreign keys to a class, a unit or a member of staff on the versioned objects; their
# ids are collected and fetched once.
KLASSE_FELTER = (
    "type", "niveau", "stoettebehov", "udfoerelse", "betydning", "forventet_niveau",
    "maaltype", "kilde", "metode", "lovgrundlag", "ophoersgrund", "maalgruppe",
    "opfoelgningsresultat",
)  # fmt: skip
ENHED_FELTER = ("ansvarlig_enhed", "bevilgende_enhed", "leverende_enhed")


@dataclass
class EksportData:
    """What one download holds, with the names of what it refers to."""

    borger: Borger
    dannet: datetime.datetime
    tilstande: list[Tilstand]
    indsatser: list[Indsats]
    sager: list[Sag]
    samtykker: list[Samtykke]
    anmodninger: list[Anmodning]
    hjemler: list[Hjemmel]
    relationer: list[Relation]
    adgangslog: list[Adgangslog]
    samtaler: list[Samtale] = field(default_factory=list)
    klasser: dict[uuid.UUID, Klasse] = field(default_factory=dict)
    enheder: dict[uuid.UUID, Enhed] = field(default_factory=dict)
    myndigheder: dict[uuid.UUID, Myndighed] = field(default_factory=dict)
    medarbejdere: dict[uuid.UUID, Medarbejder] = field(default_factory=dict)
    medarbejder_for_bruger: dict[int, Medarbejder] = field(default_factory=dict)

    def objekter(self) -> list[tuple[str, uuid.UUID]]:
        """Return the objects of the download, for its access-log entry."""
        return [
            *(("tilstand", t.pk) for t in self.tilstande),
            *(("indsats", i.pk) for i in self.indsatser),
            *(("sag", s.pk) for s in self.sager),
            *(("samtale", s.pk) for s in self.samtaler),
        ]


def _versioner(
    registrering: type[TilstandRegistrering] | type[IndsatsRegistrering],
    version: type[TilstandVersion] | type[IndsatsVersion],
) -> Prefetch:
    return Prefetch(
        "registreringer",
        queryset=registrering.objects.order_by("nummer").prefetch_related(
            Prefetch("versioner", queryset=version.objects.order_by("virkning_fra", "pk"))
        ),
    )


def _ids(objekter: Iterable[Model], felter: Iterable[str]) -> set[uuid.UUID]:
    ids = set()
    for o in objekter:
        for f in felter:
            v = getattr(o, f"{f}_id", None)
            if v is not None:
                ids.add(v)
    return ids


def eksport_data(
    borger: Borger, now: datetime.datetime, *, person: Borger | None = None
) -> EksportData:
    """Return everything Datadeling holds about `borger` (the policy's `eksport_q`), with
    every registration and version, and the conversations about them that `person` (the
    one downloading: the citizen, the default, or someone acting for them) may open
    (`dialog.selectors.eksport_samtaler`). The caller has asked `policy.maa_eksportere`."""
    q = policy.eksport_q(borger.pk)
    tilstande = list(
        Tilstand.objects.filter(q)
        .prefetch_related(_versioner(TilstandRegistrering, TilstandVersion))
        .order_by("oprettet", "pk")
    )
    indsatser = list(
        Indsats.objects.filter(q)
        .prefetch_related(_versioner(IndsatsRegistrering, IndsatsVersion))
        .order_by("oprettet", "pk")
    )
    sager = list(
        Sag.objects.filter(q)
        .prefetch_related(
            Prefetch("registreringer", queryset=SagRegistrering.objects.order_by("nummer"))
        )
        .order_by("startdato", "pk")
    )
    samtykker = list(Samtykke.objects.filter(q).order_by("kaede", "version"))
    anmodninger = list(Anmodning.objects.filter(q).order_by("oprettet", "pk"))
    hjemler = list(
        Hjemmel.objects.filter(q).select_related("gennemgang__leder").order_by("oprettet", "pk")
    )
    relationer = list(Relation.objects.filter(q).select_related("person").order_by("pk"))
    adgangslog = list(Adgangslog.objects.filter(q).order_by("nummer"))
    samtaler = dialog_selectors.eksport_samtaler(person=person or borger, borger=borger, now=now)
    beskeder: list[Any] = [b for s in samtaler for b in s.eksport_beskeder]  # type: ignore[attr-defined]
    deltagere: list[Any] = [d for s in samtaler for d in s.alle_deltagere]  # type: ignore[attr-defined]

    historiske: list[Any] = [*tilstande, *indsatser]  # both have registreringer
    versioner: list[Model] = [
        v for o in historiske for r in o.registreringer.all() for v in r.versioner.all()
    ]
    objekter: list[Model] = [*tilstande, *indsatser, *versioner]
    klasse_ids = _ids(objekter, KLASSE_FELTER) | _ids(samtykker, ["faglighed"])
    klasse_ids |= _ids(hjemler, ["lovgrundlag"])
    valg: list[Any] = [*samtykker, *anmodninger]  # both name categories and sources
    for s in valg:
        klasse_ids.update(s.kategorier)
    enhed_ids = _ids(objekter, ENHED_FELTER) | _ids(hjemler, ["enhed"])
    enhed_ids |= _ids(samtykker, ["modtager_enhed"]) | _ids(anmodninger, ["modtager_enhed"])
    enhed_ids |= _ids(sager, ["ansvarlig_enhed"]) | _ids([*beskeder, *deltagere], ["enhed"])
    for s in valg:
        enhed_ids.update(s.kilder)
    medarbejder_ids = _ids(objekter, ["ansvarlig"]) | _ids(samtykker, ["modtager_medarbejder"])
    medarbejder_ids |= _ids(anmodninger, ["anmoder"]) | _ids(hjemler, ["medarbejder"])
    medarbejder_ids |= _ids([*beskeder, *deltagere], ["medarbejder"])
    bruger_ids = {
        r.aktoer_id
        for o in (*historiske, *sager)
        for r in o.registreringer.all()
        if r.aktoer_id is not None
    }
    medarbejdere = list(
        Medarbejder.objects.filter(pk__in=medarbejder_ids) | Medarbejder.objects.filter(
            user_id__in=bruger_ids
        )
    ) if medarbejder_ids or bruger_ids else []  # fmt: skip
    myndighed_ids = _ids(samtykker, ["modtager_myndighed"])
    return EksportData(
        borger=borger,
        dannet=now,
        tilstande=tilstande,
        indsatser=indsatser,
        sager=sager,
        samtykker=samtykker,
        anmodninger=anmodninger,
        hjemler=hjemler,
        relationer=relationer,
        adgangslog=adgangslog,
        samtaler=samtaler,
        klasser={
            k.pk: k
            for k in Klasse.objects.filter(pk__in=klasse_ids).select_related("klassifikation")
        },
        enheder={
            e.pk: e for e in Enhed.objects.filter(pk__in=enhed_ids).select_related("myndighed")
        },
        myndigheder={m.pk: m for m in Myndighed.objects.filter(pk__in=myndighed_ids)},
        medarbejdere={m.pk: m for m in medarbejdere},
        medarbejder_for_bruger={m.user_id: m for m in medarbejdere if m.user_id is not None},
    )
