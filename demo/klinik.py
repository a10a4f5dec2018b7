"""How the demo writes conditions (tilstande) and interventions (indsatser) with history.

`Klinik` writes one datum at a time through the tilstand and indsats services, so the
domain rules validate every datum. History lies in valid time: a condition is registered
from its first assessment and reassessed (or ended) at later dates, all in the past; an
intervention is registered from its start and followed up (or ended) later. The
registrations carry today's transaction time. Each datum is marked `kildesystem="demo"`
with a deterministic `kildesystem_id` and id. Times are counted in days before today.

What each kind of citizen gets is in `pleje` (FSIII), `socialt` (FFB, psychiatry) and
`karen` (the demo citizen).
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from demo import katalog as kat
from demo.organisation import demo_uuid
from indsats.models import Fremdrift, Indsats
from indsats.services import indsats_register, indsats_update
from klassifikation.kendte import LOVGRUNDLAG_URI
from klassifikation.models import Klasse
from organisation.models import Borger, Enhed, Funktion, Medarbejder, Rolle
from tilstand.models import Tilstand
from tilstand.services import tilstand_end, tilstand_reassess, tilstand_register

KILDESYSTEM = "demo"
HJEMMEPLEJE_ENHEDER = ["hjp", "hjp-nord", "hjp-syd"]
SOCIALE_ENHEDER = ["hp", "hp-myn", "hp-sp"]
FORMAAL = {
    "SEL § 83": "Borgeren kan blive boende i eget hjem med den hjælp, der er brug for.",
    "SUL § 138": "Behandle og forebygge forværring, så borgeren kan blive i eget hjem.",
    "SUL § 140": "Genvinde funktionsevnen efter indlæggelsen, så borgeren kan klare sig selv.",
    "SEL § 85": "Borgeren bliver bedre til at klare sin hverdag og bo i egen bolig.",
    "LAB § 78": "Borgeren kommer tættere på arbejde eller uddannelse.",
}
TILBUD_FORMAAL = "Et trygt og stabilt sted at bo og være, med støtte til en meningsfuld hverdag."


def klem(n: int, lav: int, hoej: int) -> int:
    """Return n, kept within [lav, hoej]."""
    return max(lav, min(hoej, n))


def besoeg_frem(
    rng: random.Random, start: int, mellemrum: tuple[int, int], vaegte: Sequence[int]
) -> list[int]:
    """Return the days ago (oldest first) of visits from `start` days ago onwards, the
    number of later visits drawn by `vaegte`, none later than two days ago."""
    dage = [start]
    for _ in range(rng.choices(range(len(vaegte)), weights=vaegte)[0]):
        naeste = dage[-1] - rng.randint(*mellemrum)
        if naeste < 2:
            break
        dage.append(naeste)
    return dage


def besoeg_tilbage(
    rng: random.Random, seneste: int, mellemrum: tuple[int, int], vaegte: Sequence[int]
) -> list[int]:
    """Return the days ago (oldest first) of visits that end `seneste` days ago, at most
    two years back: the latest visit is mostly recent, so most data is fresh."""
    dage = [seneste]
    for _ in range(rng.choices(range(len(vaegte)), weights=vaegte)[0]):
        tidligere = dage[0] + rng.randint(*mellemrum)
        if tidligere > 730:
            break
        dage.insert(0, tidligere)
    return dage


@dataclass
class Hovedperson:
    """A citizen the demo writes conditions for; `noegle` prefixes the data's ids."""

    noegle: str
    borger: Borger
    gruppe: str
    rng: random.Random
    n: int = 0

    def naeste(self) -> int:
        self.n += 1
        return self.n


@dataclass
class Vurdering:
    dage: int  # days ago
    felter: dict


@dataclass
class Opfoelgning:
    dage: int
    resultat: uuid.UUID


@dataclass
class Ophoer:
    dage: int
    resultat: uuid.UUID | None
    grund: uuid.UUID
    begrundelse: str


@dataclass
class Klinik:
    """Writes one citizen's conditions and interventions at a time, through the services."""

    enheder: dict[str, Enhed]
    log: Callable[[str], None]
    idag: datetime.date = field(default_factory=timezone.localdate)
    personale: dict[str, list[tuple[Medarbejder, str, str]]] = field(default_factory=dict)
    lov: dict[str, Klasse] = field(default_factory=dict)

    # --- set-up -------------------------------------------------------------------------

    def klar(self) -> bool:
        """Load staff and legal bases; return False (and say why) if classes are missing."""
        brugte = {
            *kat.FSIII_NIVEAU.values(),
            *kat.FFB_NIVEAU,
            *kat.FFB_STOETTEBEHOV,
            *(a.tilstand for a in kat.HJEMMEPLEJE + kat.SYGEPLEJE + kat.GENOPTRAENING),
            *kat.MENTALE,
            *kat.FORHOLD,
            kat.METODE_VUM,
            kat.KILDE_BORGER,
            kat.OPHOER_FAGPERSON,
        }
        fundet = Klasse.objects.filter(pk__in=brugte).count()
        self.lov = {
            k.titel: k
            for k in Klasse.objects.filter(
                klassifikation__uri=LOVGRUNDLAG_URI, titel__in=kat.LOVGRUNDLAG
            )
        }
        if fundet < len(brugte) or len(self.lov) < len(kat.LOVGRUNDLAG):
            self.log(
                "FSIII, FFB, CareSocialCodes eller lovgrundlagene er ikke importeret; "
                "demoen får ingen tilstande, indsatser eller samtykker."
            )
            return False
        funktioner = (
            Funktion.objects.gaeldende(self.idag)
            .filter(enhed__in=self.enheder.values())
            .select_related("medarbejder__user", "faglighed")
            .order_by("medarbejder_id")
        )
        navne = {e.pk: k for k, e in self.enheder.items()}
        for f in funktioner:
            fag = f.faglighed.titel.lower() if f.faglighed_id else ""
            self.personale.setdefault(navne[f.enhed_id], []).append((f.medarbejder, f.rolle, fag))
        return True

    def medarbejder(self, enhed: str, rng: random.Random, fag: str = "") -> Medarbejder:
        """Return a member of the unit's staff: of the profession if any, leaders last."""
        alle = self.personale[enhed]
        kandidater = [m for m, r, f in alle if r != Rolle.LEDER and fag in f] or [
            m for m, r, f in alle if r != Rolle.LEDER
        ]
        return rng.choice(kandidater or [m for m, _r, _f in alle])

    def tid(self, rng: random.Random, dage: int) -> datetime.datetime:
        """Return a working hour `dage` days ago (at least yesterday: never in the future)."""
        dato = self.idag - datetime.timedelta(days=max(1, dage))
        klokken = datetime.time(rng.randint(8, 15), rng.choice([0, 10, 20, 30, 40, 50]))
        return timezone.make_aware(datetime.datetime.combine(dato, klokken))

    def dato(self, dage: int) -> datetime.date:
        return self.idag - datetime.timedelta(days=dage)

    # --- writing through the services ---------------------------------------------------

    def tilstand(
        self,
        hp: Hovedperson,
        *,
        enhed: str,
        ansvarlig: Medarbejder,
        type_: uuid.UUID,
        forloeb: list[Vurdering],
        slut: Ophoer | None = None,
    ) -> Tilstand:
        """Register a condition at its first assessment, reassess it, and maybe end it."""
        n = hp.naeste()
        rng, actor = hp.rng, ansvarlig.user
        foerst = self.tid(rng, forloeb[0].dage)
        t = tilstand_register(
            actor=actor,
            borger=hp.borger,
            data={
                "type": type_,
                "ansvarlig_enhed": self.enheder[enhed],
                "ansvarlig": ansvarlig,
                "kildesystem": KILDESYSTEM,
                "kildesystem_id": f"{hp.noegle}/t{n}",
                "vurderet": foerst,
                **forloeb[0].felter,
            },
            virkning_fra=foerst,
            objekt_id=demo_uuid(hp.noegle, "tilstand", n),
        )
        for v in forloeb[1:]:
            tid = self.tid(rng, v.dage)
            t = tilstand_reassess(
                actor=actor,
                tilstand=t,
                aendringer={"vurderet": tid, **v.felter},
                virkning_fra=tid,
                begrundelse="Revurdering",
            )
        if slut is not None:
            t = tilstand_end(
                actor=actor,
                tilstand=t,
                virkning_fra=self.tid(rng, slut.dage),
                begrundelse=slut.begrundelse,
            )
        return t

    def indsats(
        self,
        hp: Hovedperson,
        *,
        enhed: str,
        ansvarlig: Medarbejder,
        type_: uuid.UUID,
        lov: str,
        start: int,
        interval: int,
        tilstande: Sequence[Tilstand],
        maal: Sequence[tuple[str, Sequence[Tilstand]]],
        felter: dict,
        opfoelgninger: Sequence[Opfoelgning] = (),
        slut: Ophoer | None = None,
    ) -> Indsats:
        """Register an intervention from `start`, record follow-ups, and maybe end it.

        `maal` holds each goal's text with the conditions it is about.
        """
        n = hp.naeste()
        rng, actor = hp.rng, ansvarlig.user
        foerst = self.tid(rng, start)
        maal_tilstande: dict[str, list[str]] = {}
        for tekst, om in maal:
            ids = maal_tilstande.setdefault(tekst, [])
            ids += [str(t.pk) for t in om if str(t.pk) not in ids]
        i = indsats_register(
            actor=actor,
            borger=hp.borger,
            data={
                "type": type_,
                "lovgrundlag": self.lov[lov],
                "ansvarlig_enhed": self.enheder[enhed],
                "ansvarlig": ansvarlig,
                "kildesystem": KILDESYSTEM,
                "kildesystem_id": f"{hp.noegle}/i{n}",
                "vurderet": foerst,
                "startdato": foerst.date(),
                "fremdrift": Fremdrift.LEVERET if start > 14 else Fremdrift.VISITERET,
                "formaal": FORMAAL.get(lov, TILBUD_FORMAAL),
                "maal": [{"tekst": m, "tilstande": ids} for m, ids in maal_tilstande.items()],
                "tilstande": [t.pk for t in tilstande],
                "opfoelgning": self.dato(start - interval),
                **felter,
            },
            virkning_fra=foerst,
            objekt_id=demo_uuid(hp.noegle, "indsats", n),
        )
        for o in opfoelgninger:
            tid = self.tid(rng, o.dage)
            i = indsats_update(
                actor=actor,
                indsats=i,
                virkning_fra=tid,
                aendringer={
                    "fremdrift": Fremdrift.VURDERET,
                    "opfoelgningsresultat": o.resultat,
                    "opfoelgning": self.dato(o.dage - interval),
                    "vurderet": tid,
                },
                begrundelse="Opfølgning",
            )
        if slut is not None:
            tid = self.tid(rng, slut.dage)
            i = indsats_update(
                actor=actor,
                indsats=i,
                virkning_fra=tid,
                aendringer={
                    "afsluttet": True,
                    "slutdato": tid.date(),
                    "ophoersgrund": slut.grund,
                    "opfoelgningsresultat": slut.resultat,
                    "opfoelgning": None,
                    "vurderet": tid,
                },
                begrundelse=slut.begrundelse,
            )
        return i

    def opfoelgninger(
        self,
        rng: random.Random,
        start: int,
        besoeg: Sequence[int],
        resultat: uuid.UUID,
        *,
        p_slut: float = 0.0,
        slut: tuple[uuid.UUID, uuid.UUID, str] | None = None,
    ) -> tuple[list[Opfoelgning], Ophoer | None]:
        """Return follow-ups at the visits after `start` (some missed) and perhaps an end."""
        opf = [Opfoelgning(d, resultat) for d in besoeg if d < start - 14 and rng.random() < 0.85]
        seneste = opf[-1].dage if opf else start
        if slut is not None and seneste > 3 and rng.random() < p_slut:
            return opf, Ophoer(rng.randint(2, seneste - 1), *slut)
        return opf, None

    @staticmethod
    def ved_besoeg(
        rng: random.Random, besoeg: Sequence[int], felter: Callable[[int, int], dict], foerste: dict
    ) -> list[Vurdering]:
        """Return assessments at the first visit and at most of the later ones."""
        forloeb = []
        for j, dage in enumerate(besoeg):
            if j and rng.random() < 0.3:
                continue  # not every condition is reassessed at every visit
            forloeb.append(Vurdering(dage, felter(j, dage)))
        forloeb[0].felter = {**foerste, **forloeb[0].felter}
        return forloeb

    # --- FSIII functional assessments ---------------------------------------------------

    def fsiii(self, rng: random.Random, art: kat.Art, niveau: int, opfoelgning: int) -> dict:
        """Return the fields of an FSIII functional assessment at `niveau` (0–4)."""
        if niveau <= 1:
            udfoerelse = kat.UDFOERER_SELV
        elif niveau <= 3:
            udfoerelse = kat.UDFOERER_DELE
        else:
            udfoerelse = kat.UDFOERER_IKKE
        begraenset = niveau >= 2 or rng.random() < 0.4
        return {
            "niveau": kat.FSIII_NIVEAU[niveau],
            "udfoerelse": udfoerelse,
            "betydning": (
                kat.OPLEVER_BEGRAENSNINGER if begraenset else kat.OPLEVER_IKKE_BEGRAENSNINGER
            ),
            "faglig_note": f"{kat.FSIII_NIVEAU_NOTE[niveau]} {art.note}",
            "opfoelgning": self.dato(opfoelgning),
        }

    def niveauer(
        self, rng: random.Random, art: kat.Art, start: int, trend: Sequence[int], interval: int
    ) -> Callable[[int, int], dict]:
        """Return the FSIII fields at each assessment, the level moving by `trend`."""
        niveau = [start]

        def felter(j: int, dage: int) -> dict:
            if j:
                niveau[0] = klem(niveau[0] + rng.choice(trend), 0, 4)
            return self.fsiii(rng, art, niveau[0], dage - interval)

        return felter
