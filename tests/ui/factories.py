"""Small builders for the UI tests: people with profiles, and a tree of concepts."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

from django.contrib.auth.models import User

from klassifikation.models import Betegnelse, Klasse, Klassifikation, Mapping, MappingRelation
from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed, Rolle

ADGANGSKODE = "korrekt-hest-batteri-47"

_loebenr = itertools.count(1)


def bruger(username: str, **kwargs) -> User:
    return User.objects.create_user(username=username, password=ADGANGSKODE, **kwargs)


def myndighed(navn: str = "Aarhus Kommune", kommunekode: str = "751") -> Myndighed:
    return Myndighed.objects.create(navn=navn, type="kommune", kommunekode=kommunekode)


def medarbejder(
    username: str = "anna",
    navn: str = "Anna Sagsbehandler",
    enheder: tuple[str, ...] = ("Visitation Syd",),
    rolle: str = Rolle.SAGSBEHANDLER,
    **user_kwargs,
) -> Medarbejder:
    user = bruger(username, **user_kwargs)
    kommune = myndighed(kommunekode=f"{next(_loebenr) % 1000:03d}")
    m = Medarbejder.objects.create(user=user, myndighed=kommune, navn=navn)
    for enhedsnavn in enheder:
        enhed = Enhed.objects.create(myndighed=kommune, navn=enhedsnavn)
        Funktion.objects.create(
            medarbejder=m, enhed=enhed, rolle=rolle, gyldig_fra=datetime.date(2020, 1, 1)
        )
    return m


def borger(username: str = "bo", fornavn: str = "Bo", efternavn: str = "Borgersen") -> Borger:
    user = bruger(username)
    return Borger.objects.create(user=user, cpr="0101801234", fornavn=fornavn, efternavn=efternavn)


def klassifikation(navn: str, titel: str, version: str = "1.0") -> Klassifikation:
    return Klassifikation.objects.create(
        uri=f"http://example.org/CodeSystem/{navn}", navn=navn, titel=titel, version=version
    )


def klasse(
    system: Klassifikation,
    kode: str,
    titel: str,
    *,
    overordnet: Klasse | None = None,
    definition: str = "",
) -> Klasse:
    sti = [*overordnet.sti, overordnet.pk] if overordnet else []
    return Klasse.objects.create(
        klassifikation=system,
        kode=kode,
        titel=titel,
        definition=definition,
        overordnet=overordnet,
        sti=sti,
        niveau=len(sti),
        raekkefoelge=next(_loebenr),
    )


@dataclass
class Begreber:
    """A concept ("Gå") with ancestors, children, terms and mappings; `n` scales each."""

    fsiii: Klassifikation
    ffb: Klassifikation
    fagligheder: list[Klasse]
    forfaedre: list[Klasse]
    gaa: Klasse
    boern: list[Klasse] = field(default_factory=list)
    mappet: list[Klasse] = field(default_factory=list)


def begreber(n: int = 1) -> Begreber:
    """Build the test concepts; every list on the concept grows with `n`."""
    fsiii = klassifikation("FSIII", "Fælles Sprog III", "2.1")
    ffb = klassifikation("FFB", "Fælles Faglige Begreber", "3.0")
    fag_system = klassifikation("Fagligheder", "Fagligheder")
    fagligheder = [
        klasse(fag_system, f"F{i}", titel)
        for i, titel in enumerate(
            ["Sygeplejerske", "Socialrådgiver", "Ergoterapeut"][: max(1, min(3, n))]
            + [f"Faggruppe {i}" for i in range(max(0, n - 3))],
        )
    ]

    forfaedre = [klasse(fsiii, "A", "Funktionsevnetilstande")]
    forfaedre.append(klasse(fsiii, "J", "Mobilitet", overordnet=forfaedre[-1]))
    for i in range(n - 1):
        forfaedre.append(klasse(fsiii, f"J.{i}", f"Mellemniveau {i}", overordnet=forfaedre[-1]))
    gaa = klasse(
        fsiii,
        "J1.1",
        "Gå",
        overordnet=forfaedre[-1],
        definition="At gå til fods over korte eller lange afstande.",
    )
    resultat = Begreber(fsiii, ffb, fagligheder, forfaedre, gaa)

    for i in range(2 * n):
        resultat.boern.append(klasse(fsiii, f"J1.1.{i}", f"Gå på trapper {i}", overordnet=gaa))
    for i, faglighed in enumerate(fagligheder):
        Betegnelse.objects.create(klasse=gaa, tekst=f"Gangfunktion {i}", faglighed=faglighed)
        Betegnelse.objects.create(klasse=gaa, tekst=f"Ambulation {i}", faglighed=faglighed)
    Betegnelse.objects.create(klasse=gaa, tekst="Gang", faglighed=None)

    relationer = list(MappingRelation)
    for i in range(n):
        fremad = klasse(ffb, f"FFB-{i}", f"Bevæge sig omkring {i}")
        bagud = klasse(ffb, f"FFB-B{i}", f"Mobilitet i hjemmet {i}")
        Mapping.objects.create(fra_klasse=gaa, til_klasse=fremad, relation=relationer[i % 5])
        Mapping.objects.create(fra_klasse=bagud, til_klasse=gaa, relation=MappingRelation.BROAD)
        resultat.mappet += [fremad, bagud]

    # Search fodder: classes that all match "søgeord", in both systems.
    for i in range(3 * n):
        system = fsiii if i % 2 else ffb
        k = klasse(system, f"S{i}", f"Søgeord {i}", definition="En klasse til søgetest.")
        Betegnelse.objects.create(
            klasse=k, tekst=f"Fagsøgeord {i}", faglighed=fagligheder[i % len(fagligheder)]
        )
    return resultat
