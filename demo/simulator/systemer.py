"""What each simulated fagsystem reports, as export rows (the agent's CSV columns).

Every system follows its citizens through courses (forløb) of realistic shape:

- omsorg (care system, FSIII): a visitation (sag 27.24.00) assesses 1–4 pleje- og
  omsorgstilstande with a level 1–4 and grants § 83 help (personlig pleje, praktisk hjælp,
  madservice); the help is delivered, re-assessed after some months (levels change), now
  and then a note is corrected or a condition registered by mistake is passivated.
- social (social system, FFB): a § 85 case assesses conditions under "Aktivitet og
  deltagelse" with FFB level and støttebehov, grants socialpædagogisk støtte (§ 85) or a
  tilbud (bo- or dagtilbud), and follows up.
- jobcenter: cases by KLE number (sygedagpenge, kontanthjælp, revalidering …) that move
  from Oplyst to Afgjort to Afsluttet, and a few interventions (afklaring, beskyttet
  beskæftigelse).
- psykiatri (regional psychiatry): an admission case and mental conditions (FFB mentale
  funktioner, FSIII psykosociale forhold) that end at discharge.

A row's date orders it: the export sorts rows by (date, sequence), and every update or
passivation is dated after its object's create, so it always comes later in the files.
The KLE numbers and case titles are illustrative: KLE-shaped, chosen by the simulator.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from demo.simulator.grundlag import SimBorger, SimEnhed
from demo.simulator.katalog import Katalog

NAVNERUM = uuid.UUID("0f4d2b6a-8c1e-5d3f-a7b9-2c4e6f8a0b1d")
DAG = datetime.timedelta(days=1)

FSIII_NIVEAU_NOTE = {
    0: "Ingen begrænsninger.",
    1: "Lette begrænsninger; klarer aktiviteten selv med lidt ekstra tid.",
    2: "Moderate begrænsninger; har brug for hjælp til dele af aktiviteten.",
    3: "Svære begrænsninger; har brug for hjælp til det meste af aktiviteten.",
    4: "Totale begrænsninger; kan ikke selv udføre aktiviteten.",
}
FFB_NOTE = [
    "Klarer sig uden støtte.",
    "Har brug for påmindelser og lidt guidning.",
    "Har brug for støtte flere gange om ugen.",
    "Har brug for daglig støtte.",
    "Har brug for støtte i alle dele af aktiviteten.",
]
JOB_SAGER = [
    ("15.17.06", "Sygedagpenge, opfølgning", "Opfølgning på sygemelding."),
    ("15.17.12", "Revalidering", "Afklaring af og forløb med revalidering."),
    ("32.24.04", "Hjælp til forsørgelse (kontanthjælp mv.)", "Ansøgning om kontanthjælp."),
]
PSYK_NOTER = [
    "Indlagt med forværring af psykotiske symptomer.",
    "Svær depressiv episode; behandles ambulant.",
    "Angst og søvnbesvær; i samtaleforløb.",
    "Stabil i medicinsk behandling; følges ambulant.",
]


@dataclass
class Raekke:
    """One export row: its date, its order of creation and its cells (agent CSV columns)."""

    dato: datetime.date
    seq: int
    celler: dict[str, str]


class Forloeb:
    """Builds one system's rows with stable object ids and a running sequence."""

    def __init__(self, system: str, seed: int, slutdato: datetime.date):
        self.system = system
        self.seed = seed
        self.slutdato = slutdato
        self.startdato = slutdato - datetime.timedelta(days=730)
        self.rng = random.Random(f"{system}|{seed}")  # noqa: S311 (simulation, not security)
        self.raekker: list[Raekke] = []
        self._n = 0

    def objekt(self, borger: SimBorger, objekttype: str) -> tuple[str, str]:
        """Return a new object's (objektID, the fagsystem's own id)."""
        self._n += 1
        objekt_id = uuid.uuid5(
            NAVNERUM, f"{self.seed}|{self.system}|{borger.uuid}|{objekttype}|{self._n}"
        )
        forkort = {"tilstand": "T", "indsats": "I", "sag": "S"}[objekttype]
        return str(objekt_id), f"{self.system[:3].upper()}-{forkort}-{self._n:06d}"

    def raekke(self, dato: datetime.date, **celler: str | None) -> None:
        self.raekker.append(
            Raekke(dato, len(self.raekker), {k: v for k, v in celler.items() if v is not None})
        )

    def dato(self, fra: datetime.date, dage_min: int, dage_max: int) -> datetime.date:
        return fra + self.rng.randint(dage_min, dage_max) * DAG

    def medarbejder(self, enhed: SimEnhed) -> str | None:
        if enhed.medarbejdere and self.rng.random() < 0.7:
            return self.rng.choice(enhed.medarbejdere)
        return None

    def sag(
        self,
        borger: SimBorger,
        enhed: SimEnhed,
        dato: datetime.date,
        kle: str,
        titel: str,
        beskrivelse: str,
        *,
        afgjort: int | None,
        afsluttet: int | None,
    ) -> None:
        objekt_id, noegle = self.objekt(borger, "sag")
        self.raekke(
            dato,
            objekttype="sag",
            operation="create",
            objektid=objekt_id,
            noegle=noegle,
            cpr=borger.cpr,
            fra=dato.isoformat(),
            enhed_uuid=enhed.uuid,
            medarbejder_uuid=self.medarbejder(enhed),
            type_uuid=str(uuid.uuid5(NAVNERUM, f"KLE|{kle}")),
            sagsnummer=f"{kle}-G01-{self._n}-{dato:%y}",
            titel=titel,
            beskrivelse=beskrivelse,
            kassationskode="B",
            fremdrift="Oplyst",
        )
        for dage, fremdrift in ((afgjort, "Afgjort"), (afsluttet, "Afsluttet")):
            if dage is not None:
                d = dato + dage * DAG
                self.raekke(
                    d,
                    objekttype="sag",
                    operation="update",
                    objektid=objekt_id,
                    fra=d.isoformat(),
                    fremdrift=fremdrift,
                    note=f"Sagen er {fremdrift.lower()}",
                )

    def tilstand(
        self,
        borger: SimBorger,
        enhed: SimEnhed,
        dato: datetime.date,
        type_uuid: str,
        beskrivelse: str,
        *,
        niveauer: list[tuple[int, dict[str, str], str]] = (),  # (days, level columns, note)
        slut: int | None = None,
        fejl: bool = False,
        rettelse: bool = False,
        **kvalitet: str,
    ) -> None:
        objekt_id, noegle = self.objekt(borger, "tilstand")
        self.raekke(
            dato,
            objekttype="tilstand",
            operation="create",
            objektid=objekt_id,
            noegle=noegle,
            cpr=borger.cpr,
            fra=dato.isoformat(),
            enhed_uuid=enhed.uuid,
            medarbejder_uuid=self.medarbejder(enhed),
            type_uuid=type_uuid,
            beskrivelse=beskrivelse,
            status="Aktiv",
            note="Vurdering",
            **kvalitet,
        )
        if fejl:  # registered by mistake: passivated soon after, nothing more happens
            d = self.dato(dato, 1, 5)
            self.raekke(
                d,
                objekttype="tilstand",
                operation="passivate",
                objektid=objekt_id,
                note="Registreret ved en fejl",
            )
            return
        if rettelse:
            d = self.dato(dato, 1, 3)
            self.raekke(
                d,
                objekttype="tilstand",
                operation="update",
                objektid=objekt_id,
                fra=dato.isoformat(),
                beskrivelse=beskrivelse + " (rettet)",
                note="Rettelse af faglig note",
            )
        for dage, felter, note in niveauer:
            d = dato + dage * DAG
            self.raekke(
                d,
                objekttype="tilstand",
                operation="update",
                objektid=objekt_id,
                fra=d.isoformat(),
                beskrivelse=note,
                note="Revurdering",
                **felter,
            )
        if slut is not None:
            d = dato + slut * DAG
            self.raekke(
                d,
                objekttype="tilstand",
                operation="update",
                objektid=objekt_id,
                fra=d.isoformat(),
                status="Inaktiv",
                note="Afsluttet",
            )

    def indsats(
        self,
        borger: SimBorger,
        enhed: SimEnhed,
        dato: datetime.date,
        type_uuid: str,
        formaal: str,
        *,
        varighed: int | None,
        leveret: int | None,
        vurderet: int | None,
    ) -> None:
        objekt_id, noegle = self.objekt(borger, "indsats")
        slut = dato + varighed * DAG if varighed else None
        self.raekke(
            dato,
            objekttype="indsats",
            operation="create",
            objektid=objekt_id,
            noegle=noegle,
            cpr=borger.cpr,
            fra=dato.isoformat(),
            enhed_uuid=enhed.uuid,
            medarbejder_uuid=self.medarbejder(enhed),
            type_uuid=type_uuid,
            beskrivelse=formaal,
            start=dato.isoformat(),
            slut=slut.isoformat() if slut else None,
            fremdrift="Visiteret",
            note="Bevilget",
        )
        for dage, fremdrift in ((leveret, "Leveret"), (vurderet, "Vurderet")):
            if dage is not None:
                d = dato + dage * DAG
                self.raekke(
                    d,
                    objekttype="indsats",
                    operation="update",
                    objektid=objekt_id,
                    fra=d.isoformat(),
                    fremdrift=fremdrift,
                    note=f"Indsatsen er {fremdrift.lower()}",
                )


def _udvalg(rng: random.Random, liste: list, fra: int, til: int) -> list:
    return rng.sample(liste, min(len(liste), rng.randint(fra, til)))


# --- the systems --------------------------------------------------------------------------


def omsorg(f: Forloeb, kat: Katalog, borger: SimBorger, enheder: list[SimEnhed]) -> None:
    rng = f.rng
    visitation, udfoerere = enheder[0], enheder[1:] or enheder
    d0 = f.dato(f.startdato, 0, 700)
    if rng.random() < 0.5:
        f.sag(
            borger, visitation, d0, "27.24.00", "Hjemmehjælp",
            "Sag om personlig og praktisk hjælp.", afgjort=rng.randint(5, 14),
            afsluttet=rng.choice([None, None, rng.randint(200, 400)]),
        )  # fmt: skip
    revurdering = rng.randint(90, 240)
    for type_uuid, titel, gruppe in _udvalg(rng, kat.omsorg_tilstande, 1, 4):
        niveau = rng.choice([1, 2, 2, 3, 3, 4])
        nyt = max(0, min(4, niveau + rng.choice([-1, -1, 0, 1])))
        f.tilstand(
            borger, visitation, d0, type_uuid, f"{titel}: {FSIII_NIVEAU_NOTE[niveau]}",
            niveau_uuid=kat.fsiii_niveau[niveau],
            niveauer=[(revurdering, {"niveau_uuid": kat.fsiii_niveau[nyt]},
                       f"{titel}: {FSIII_NIVEAU_NOTE[nyt]}")] if rng.random() < 0.6 else [],
            fejl=rng.random() < 0.03, rettelse=rng.random() < 0.06,
        )  # fmt: skip
        if niveau >= 2 and rng.random() < 0.7:
            noegle = "praktisk" if gruppe.startswith("Praktisk") else "personlig"
            if titel.startswith("Lave mad") and "mad" in kat.omsorg_indsatser:
                noegle = "mad"
            valg = kat.omsorg_indsatser.get(noegle) or next(iter(kat.omsorg_indsatser.values()))
            type_, navn = rng.choice(valg)
            f.indsats(
                borger, rng.choice(udfoerere), d0 + rng.randint(2, 10) * DAG, type_,
                f"{navn}: hjælp til det borgeren ikke selv kan.",
                varighed=rng.choice([None, 180, 365]), leveret=rng.randint(7, 21),
                vurderet=revurdering if rng.random() < 0.5 else None,
            )  # fmt: skip


def social(f: Forloeb, kat: Katalog, borger: SimBorger, enheder: list[SimEnhed]) -> None:
    rng = f.rng
    myndighed, udfoerer = enheder[0], enheder[-1]
    d0 = f.dato(f.startdato, 0, 700)
    f.sag(
        borger, myndighed, d0, "27.12.04", "Socialpædagogisk støtte (SEL § 85)",
        "Sag om støtte i eget hjem efter § 85.", afgjort=rng.randint(14, 40), afsluttet=None,
    )  # fmt: skip
    opfoelgning = rng.randint(120, 300)
    for type_uuid, titel in _udvalg(rng, kat.ffb_tilstande, 1, 3):
        niveau = rng.randint(1, 4)
        stoette = max(0, min(4, niveau + rng.choice([-1, 0, 0, 1])))
        nyt = max(0, min(4, niveau + rng.choice([-1, 0])))
        f.tilstand(
            borger, myndighed, d0, type_uuid, f"{titel}: {FFB_NOTE[stoette]}",
            niveau_uuid=kat.ffb_niveau[niveau], stoettebehov_uuid=kat.ffb_stoettebehov[stoette],
            niveauer=[(opfoelgning, {"niveau_uuid": kat.ffb_niveau[nyt],
                                     "stoettebehov_uuid": kat.ffb_stoettebehov[nyt]},
                       f"{titel}: {FFB_NOTE[nyt]}")] if rng.random() < 0.5 else [],
            fejl=rng.random() < 0.03, rettelse=rng.random() < 0.05,
        )  # fmt: skip
    valg = kat.ffb_stoette if rng.random() < 0.75 else kat.ffb_tilbud
    type_, navn = rng.choice(valg)
    f.indsats(
        borger, udfoerer, d0 + rng.randint(14, 45) * DAG, type_,
        f"{navn}: støtte til at mestre hverdagen i eget hjem.",
        varighed=rng.choice([365, 365, None]), leveret=rng.randint(20, 60),
        vurderet=opfoelgning if rng.random() < 0.6 else None,
    )  # fmt: skip


def jobcenter(f: Forloeb, kat: Katalog, borger: SimBorger, enheder: list[SimEnhed]) -> None:
    rng = f.rng
    for _ in range(rng.choice([1, 1, 2])):
        enhed = rng.choice(enheder)
        d0 = f.dato(f.startdato, 0, 700)
        kle, titel, beskrivelse = rng.choice(JOB_SAGER)
        f.sag(
            borger, enhed, d0, kle, titel, beskrivelse, afgjort=rng.randint(10, 30),
            afsluttet=rng.choice([None, rng.randint(60, 400)]),
        )  # fmt: skip
        if rng.random() < 0.25:
            type_, navn = rng.choice(kat.job_indsatser)
            f.indsats(
                borger, enhed, d0 + rng.randint(20, 60) * DAG, type_,
                f"{navn}: afklaring af arbejdsevne.", varighed=rng.choice([90, 180]),
                leveret=rng.randint(14, 40), vurderet=None,
            )  # fmt: skip


def psykiatri(f: Forloeb, kat: Katalog, borger: SimBorger, enheder: list[SimEnhed]) -> None:
    rng = f.rng
    enhed = rng.choice(enheder)
    d0 = f.dato(f.startdato, 0, 700)
    udskrevet = rng.choice([None, rng.randint(14, 120)])
    f.sag(
        borger, enhed, d0, "29.09.00", "Psykiatrisk behandlingsforløb",
        rng.choice(PSYK_NOTER), afgjort=None, afsluttet=udskrevet,
    )  # fmt: skip
    for type_uuid, titel in _udvalg(rng, kat.psyk_tilstande, 1, 3):
        f.tilstand(
            borger, enhed, d0 + rng.randint(0, 3) * DAG, type_uuid,
            f"{titel}: {rng.choice(PSYK_NOTER)}", slut=udskrevet,
            rettelse=rng.random() < 0.05, fejl=rng.random() < 0.02,
        )  # fmt: skip


SYSTEMER: dict[str, Callable[[Forloeb, Katalog, SimBorger, list[SimEnhed]], None]] = {
    "omsorg": omsorg,
    "social": social,
    "jobcenter": jobcenter,
    "psykiatri": psykiatri,
}
VAEGT = {"omsorg": 0.4, "social": 0.25, "jobcenter": 0.2, "psykiatri": 0.15}
ALDER = {"omsorg": (67, 120), "social": (18, 80), "jobcenter": (18, 66), "psykiatri": (18, 80)}
