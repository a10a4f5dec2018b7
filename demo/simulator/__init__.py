"""A simulator of fagsystemer: realistic MOX traffic for the demo and for load tests.

`simuler()` writes one export folder per system under `mappe` — the folder a municipality's
MOX agent (`python -m mox.agent send --mappe …`) reads:

  omsorg/     care system (FSIII tilstande with levels, § 83 help)    monthly *.json
                                                                       ({"beskeder": […]})
  social/     social system (FFB tilstande, § 85 støtte, tilbud)      monthly *.csv (;)
  jobcenter/  jobcenter (sager by KLE number, a few indsatser)        monthly *.json (a list)
  psykiatri/  regional psychiatry (sager and mental conditions)       monthly *.jsonl

The classes are the imported FSIII/FFB classes (`katalog`); the units and citizens exist in
the database or are created by the simulator (`grundlag` explains when and why). Files are
named by month, so the agent's name order is time order; within a file rows are in time
order, and an object's update or passivation always comes after its create. The same
seed on the same database gives byte-identical files. The CSV files use the agent's column
mapping (`mox.agent.eksport`); the JSON files hold the envelopes the agent would make of
the same rows, with a beskedID derived from the row (uuid5).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from demo.simulator import grundlag, katalog
from demo.simulator.systemer import ALDER, SYSTEMER, VAEGT, Forloeb, Raekke
from mox.agent.eksport import raekke_til_besked

STANDARD_SLUTDATO = datetime.date(2026, 6, 30)
"""The simulated traffic ends here (fixed, so a seed always gives the same files)."""

NAVNERUM = uuid.UUID("3a7c9e1b-5d2f-5a4c-b6e8-0d1f3a5c7e9b")
CSV_KOLONNER = [
    "objekttype", "operation", "objektID", "noegle", "cpr", "fra", "til", "enhed_uuid",
    "medarbejder_uuid", "type_uuid", "niveau_uuid", "stoettebehov_uuid", "status", "start",
    "slut", "fremdrift", "sagsnummer", "titel", "kassationskode", "beskrivelse", "note",
]  # fmt: skip
FORMAT = {"omsorg": "json-batch", "social": "csv", "jobcenter": "json-liste", "psykiatri": "jsonl"}


@dataclass
class SystemResultat:
    system: str
    mappe: Path
    filer: list[Path] = field(default_factory=list)
    beskeder: int = 0
    pr_type: dict[str, int] = field(default_factory=dict)  # "tilstand create": n
    enheder: list[str] = field(default_factory=list)
    # the units its messages name: the system is registered for them to send its folder
    # (mox_system_opret NAVN --enhed … ; a system writes only for its units)
    enhed_ider: list[str] = field(default_factory=list)

    def registrering(self, navn: str) -> list[str]:
        """Return the arguments of mox_system_opret that register the system as `navn`."""
        return [navn, *(a for e in self.enhed_ider for a in ("--enhed", e))]


@dataclass
class Resultat:
    systemer: list[SystemResultat]
    borgere: int
    borgere_oprettet: int
    enheder_oprettet: int

    @property
    def beskeder(self) -> int:
        return sum(s.beskeder for s in self.systemer)


def simuler(
    *,
    mappe: Path,
    borgere: int = 100,
    beskeder: int = 5000,
    seed: int = 1,
    systemer: list[str] | None = None,
    slutdato: datetime.date = STANDARD_SLUTDATO,
    log: Callable[[str], None] = lambda tekst: None,
) -> Resultat:
    """Write the export folders; return what was written. Creates units and citizens in
    the database where needed (see `grundlag`)."""
    systemer = systemer or list(SYSTEMER)
    ukendte = set(systemer) - set(SYSTEMER)
    if ukendte:
        raise ValueError("Ukendt system: " + ", ".join(sorted(ukendte)))
    kat = katalog.hent()
    folk, borgere_oprettet = grundlag.borgere(borgere, seed=seed, slutdato=slutdato)
    vaegt = sum(VAEGT[s] for s in systemer)
    fordeling = _fordel(beskeder, [VAEGT[s] / vaegt for s in systemer])
    resultater, enheder_oprettet = [], 0
    for system, antal in zip(systemer, fordeling, strict=True):
        enheder, oprettet = grundlag.enheder(system)
        enheder_oprettet += oprettet
        raekker = _raekker(system, kat, folk, enheder, antal, seed, slutdato)
        r = _skriv(system, Path(mappe) / system, raekker)
        r.enheder = [e.navn for e in enheder]
        r.enhed_ider = [e.uuid for e in enheder]
        resultater.append(r)
        log(f"{system}: {r.beskeder} beskeder i {len(r.filer)} filer → {r.mappe}")
    return Resultat(resultater, len(folk), borgere_oprettet, enheder_oprettet)


def _fordel(ialt: int, andele: list[float]) -> list[int]:
    antal = [int(ialt * a) for a in andele]
    for i in range(ialt - sum(antal)):
        antal[i % len(antal)] += 1
    return antal


def _raekker(system, kat, folk, enheder, antal, seed, slutdato) -> list[Raekke]:
    """Return the system's first `antal` rows in time order."""
    if antal <= 0:
        return []
    f = Forloeb(system, seed, slutdato)
    fra, til = ALDER[system]
    egnede = [b for b in folk if fra <= _alder(b.foedt, slutdato) <= til] or list(folk)
    if not egnede:
        return []
    f.rng.shuffle(egnede)
    laver = SYSTEMER[system]
    i = 0
    # Courses are generated until there is a little more than asked for, so that cutting
    # at `antal` leaves out only the latest rows (never a create whose update is kept).
    nok = antal * 1.1 + 10
    while sum(r.dato <= slutdato for r in f.raekker) < nok and i < 100 * (antal + 10):
        laver(f, kat, egnede[i % len(egnede)], enheder)
        i += 1
    raekker = sorted((r for r in f.raekker if r.dato <= slutdato), key=lambda r: (r.dato, r.seq))
    return raekker[:antal]


def _alder(foedt: datetime.date, paa: datetime.date) -> int:
    return paa.year - foedt.year - ((paa.month, paa.day) < (foedt.month, foedt.day))


def _skriv(system: str, mappe: Path, raekker: list[Raekke]) -> SystemResultat:
    if mappe.exists():
        shutil.rmtree(mappe)
    mappe.mkdir(parents=True)
    r = SystemResultat(system, mappe)
    maaneder: dict[str, list[Raekke]] = {}
    for raekke in raekker:
        maaneder.setdefault(f"{raekke.dato:%Y-%m}", []).append(raekke)
        noegle = f"{raekke.celler['objekttype']} {raekke.celler.get('operation', 'create')}"
        r.pr_type[noegle] = r.pr_type.get(noegle, 0) + 1
    format_ = FORMAT[system]
    for maaned, del_ in maaneder.items():
        if format_ == "csv":
            sti = mappe / f"{system}-{maaned}.csv"
            with sti.open("w", encoding="utf-8", newline="") as fil:
                skriver = csv.writer(fil, delimiter=";", lineterminator="\r\n")
                skriver.writerow(CSV_KOLONNER)
                for raekke in del_:
                    celler = _csv_celler(raekke.celler)
                    skriver.writerow([celler.get(k.lower(), "") for k in CSV_KOLONNER])
        else:
            endelse = "jsonl" if format_ == "jsonl" else "json"
            sti = mappe / f"{system}-{maaned}.{endelse}"
            beskeder = [_besked(system, raekke, sti.name, nr) for nr, raekke in enumerate(del_, 1)]
            if format_ == "jsonl":
                tekst = "".join(json.dumps(b, ensure_ascii=False) + "\n" for b in beskeder)
            else:
                indhold = {"beskeder": beskeder} if format_ == "json-batch" else beskeder
                tekst = json.dumps(indhold, ensure_ascii=False, indent=1) + "\n"
            sti.write_text(tekst, encoding="utf-8")
        r.filer.append(sti)
        r.beskeder += len(del_)
    return r


def _csv_celler(celler: dict[str, str]) -> dict[str, str]:
    """Return the row as a Danish fagsystem exports it: CPR with a dash, dates DD-MM-YYYY."""
    ud = dict(celler)
    if "cpr" in ud:
        ud["cpr"] = f"{ud['cpr'][:6]}-{ud['cpr'][6:]}"
    for k in ("fra", "til", "start", "slut"):
        if k in ud and len(ud[k]) == 10:
            aar, maaned, dag = ud[k].split("-")
            ud[k] = f"{dag}-{maaned}-{aar}"
    return ud


def _besked(system: str, raekke: Raekke, fil: str, nr: int) -> dict:
    kanonisk = json.dumps(raekke.celler, sort_keys=True, ensure_ascii=False)
    besked_id = uuid.uuid5(
        NAVNERUM, f"{system}|{raekke.seq}|{hashlib.sha256(kanonisk.encode()).hexdigest()}"
    )
    return raekke_til_besked({**raekke.celler, "beskedid": str(besked_id)}, fil=fil, linje=nr)
