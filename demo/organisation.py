"""The demo's organisation, staff, citizens and relations (see demo.byg).

Every row has an id derived from the seed (uuid5), so running again updates the same rows
and creates nothing new. The organisation and the fixed demo logins do not depend on the
seed; the generated staff and citizens do. A citizen's data depends only on the seed and
the citizen's number, so a larger `scale` adds people without changing the first ones.
Names, addresses and CPR numbers come from `personer`.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, is_password_usable, make_password
from django.utils import timezone

from demo import personer
from klassifikation.kendte import FAGLIGHED_URI
from klassifikation.models import Klasse
from organisation.cpr import validate_cpr
from organisation.models import (
    Borger,
    Enhed,
    Funktion,
    Medarbejder,
    Myndighed,
    MyndighedsType,
    Omfang,
    Relation,
    RelationsType,
    Rolle,
)

DEMO_ADGANGSKODE = "demo1234"  # noqa: S105 — the published password of the demo logins
DEMO_NAMESPACE = uuid.UUID("2d6b7f0e-4c1a-5e8b-9f3d-7a1c0b5e9d42")
# The periods of relations count from today, so they stay current.
EMAIL_DOMAENE = "demo.example"  # RFC 2606: never a real mailbox


def demo_uuid(*dele: object) -> uuid.UUID:
    """Return the stable id of a demo row named by its parts."""
    return uuid.uuid5(DEMO_NAMESPACE, "|".join(str(d) for d in dele))


# --- the organisation -------------------------------------------------------------------

# key, name, type, kommunekode, CVR. Aarhus Kommune's and Region Midtjylland's CVR numbers
# are their real, public ones; Familieretshuset's is a demo number that fails the CVR
# modulus-11 check, so it belongs to nobody.
MYNDIGHEDER = [
    ("aarhus", "Aarhus Kommune", MyndighedsType.KOMMUNE, "751", "55133018"),
    ("midt", "Region Midtjylland", MyndighedsType.REGION, None, "29190925"),
    ("frh", "Familieretshuset", MyndighedsType.STAT, None, "40000001"),
]

# key | authority | name | parent | unit type | staff at scale 1 (role profession count;
# L leder, S sagsbehandler, U udfører, A administrator). Leaders are not scaled.
ENHEDER_TABEL = """
job      | aarhus | Jobcenter Aarhus                   | -   | område   | L socialraadgiver 1
job-unge | aarhus | Ungeindsatsen                      | job | afdeling | S socialraadgiver 2, S jobkonsulent 1
job-syg  | aarhus | Sygedagpenge og Jobafklaring       | job | afdeling | S jobkonsulent 2, S ergoterapeut 1
hp       | aarhus | Handicap og Psykiatri              | -   | område   | S socialraadgiver 2
hp-myn   | aarhus | Myndighed Voksenhandicap           | hp  | afdeling | L socialraadgiver 1, S socialraadgiver 3
hp-sp    | aarhus | Socialpsykiatri og Udsatte Voksne  | hp  | afdeling | L paedagog 1, U paedagog 3, U sosu_assistent 1
hjp      | aarhus | Hjemmepleje                        | -   | område   | L sygeplejerske 1
hjp-nord | aarhus | Hjemmepleje Nord                   | hjp | distrikt | U sosu_hjaelper 3, U sosu_assistent 2
hjp-syd  | aarhus | Hjemmepleje Syd                    | hjp | distrikt | U sosu_hjaelper 3, U sosu_assistent 2
hjp-spl  | aarhus | Hjemmesygeplejen                   | hjp | distrikt | U sygeplejerske 3
sot      | aarhus | Sundhed og Træning                 | -   | område   | L fysioterapeut 1
sot-vis  | aarhus | Visitationen                       | sot | afdeling | S sygeplejerske 1, S ergoterapeut 2
sot-trae | aarhus | Træning og Rehabilitering          | sot | afdeling | U fysioterapeut 2, U ergoterapeut 2
bof      | aarhus | Børn og Familie                    | -   | område   | L socialraadgiver 1
bof-raad | aarhus | Familierådgivningen                | bof | afdeling | S socialraadgiver 3
bof-ppr  | aarhus | Pædagogisk Psykologisk Rådgivning  | bof | afdeling | U psykolog 2
dit      | aarhus | Digitalisering og IT               | -   | område   | A administrativ 1
pc       | midt   | Psykiatrisk Center Aarhus          | -   | sygehus  | L laege 1
pc-psy   | midt   | Afdeling for Psykoser              | pc  | sengeafsnit | U laege 1, U sygeplejerske 2, U psykolog 1, S socialraadgiver 1
pc-dep   | midt   | Afdeling for Depression og Angst   | pc  | ambulatorium | U psykolog 1, U sygeplejerske 1
frh-aar  | frh    | Familieretshuset, Aarhus           | -   | afdeling | L socialraadgiver 1, S socialraadgiver 2, A administrativ 1
"""  # noqa: E501

ROLLER = {"L": Rolle.LEDER, "S": Rolle.SAGSBEHANDLER, "U": Rolle.UDFOERER, "A": Rolle.ADMINISTRATOR}


@dataclass(frozen=True)
class EnhedSpec:
    noegle: str
    myndighed: str
    navn: str
    overordnet: str | None
    enhedstype: str
    bemanding: tuple[tuple[str, str, int], ...]


def _enheder() -> list[EnhedSpec]:
    specs = []
    for linje in ENHEDER_TABEL.strip().splitlines():
        noegle, myndighed, navn, overordnet, enhedstype, bemanding = (
            del_.strip() for del_ in linje.split("|")
        )
        personale = tuple(
            (ROLLER[r], fag, int(n)) for r, fag, n in (b.split() for b in bemanding.split(","))
        )
        specs.append(
            EnhedSpec(
                noegle,
                myndighed,
                navn,
                None if overordnet == "-" else overordnet,
                enhedstype,
                personale,
            )
        )
    return specs


ENHEDER = _enheder()

# Profession key → job title, and the titles to find it by in the profession code system.
FAGLIGHEDER = {
    "socialraadgiver": ("Socialrådgiver", ["socialrådgiver"]),
    "sygeplejerske": ("Sygeplejerske", ["sygeplejerske"]),
    "ergoterapeut": ("Ergoterapeut", ["ergoterapeut"]),
    "fysioterapeut": ("Fysioterapeut", ["fysioterapeut"]),
    "sosu_assistent": ("Social- og sundhedsassistent", ["social- og sundhedsassistent"]),
    "sosu_hjaelper": ("Social- og sundhedshjælper", ["social- og sundhedshjælper"]),
    "paedagog": ("Pædagog", ["pædagog", "socialpædagog"]),
    "psykolog": ("Psykolog", ["psykolog"]),
    "laege": ("Læge", ["læge"]),
    "jobkonsulent": ("Jobkonsulent", ["jobkonsulent"]),
    "administrativ": ("Administrativ medarbejder", ["administrativ medarbejder"]),
}
# What a værge or a fuldmagt covers, typically.
VAERGEMAAL = [
    [Omfang.PERSONLIGE, Omfang.HELBRED, Omfang.SOCIALE, Omfang.SAMTYKKE, Omfang.DIALOG],
    [Omfang.OEKONOMI],
    [Omfang.PERSONLIGE, Omfang.OEKONOMI, Omfang.SOCIALE, Omfang.SAMTYKKE, Omfang.DIALOG],
]
FULDMAGTER = [
    [Omfang.SAMTYKKE, Omfang.DIALOG],
    [Omfang.HELBRED, Omfang.SOCIALE, Omfang.DIALOG],
    [Omfang.SAMTYKKE, Omfang.DIALOG, Omfang.HELBRED, Omfang.SOCIALE],
]
LEDERTITLER = {"område": "Områdechef", "sygehus": "Centerchef"}

# --- the fixed demo logins --------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    brugernavn: str
    navn: str
    beskrivelse: str


DEMO_LOGINS = [
    DemoLogin(
        "sagsbehandler",
        "Mette Lund Sørensen",
        "Sagsbehandler (socialrådgiver), Handicap og Psykiatri, Aarhus Kommune; arbejdsliste "
        "med opfølgninger, et samtykke der udløber om 10 dage og en besvaret anmodning; egne "
        "borgere, en adgang på lovhjemmel, venter på svar fra Karen Holm",
    ),
    DemoLogin(
        "sygeplejerske",
        "Hanne Kjær Poulsen",
        "Sagsbehandler (sygeplejerske), Hjemmepleje, Aarhus Kommune; arbejdsliste med "
        "opfølgninger og et samtykke der udløber om 10 dage; ser Karen Holms pleje og, med "
        "samtykke, psykiatriens vurderinger",
    ),
    DemoLogin(
        "leder",
        "Peter Vestergaard",
        "Leder, Handicap og Psykiatri, Aarhus Kommune; en adgang på lovhjemmel til "
        "gennemgang på arbejdslisten",
    ),
    DemoLogin(
        "borger",
        "Karen Holm",
        "Borger, modtager hjemmepleje, Viby J; samtykker, en anmodning at svare på og "
        "Mine samtaler (en venter på hendes svar)",
    ),
    DemoLogin(
        "paaroerende",
        "Jonas Holm",
        "Pårørende: søn af Karen Holm, med gyldig fuldmagt (også til dialog: Mine samtaler)",
    ),
    DemoLogin(
        "admin",
        "Birgitte Holst",
        "Administrator for Aarhus Kommune og superbruger (/admin/): giver roller i kommunens "
        "enheder; sine egne roller skal en anden administrator godkende",
    ),
    DemoLogin(
        "admin2",
        "Lars Mikkelsen",
        "Administrator for Aarhus Kommune og superbruger (/admin/): godkender eller afviser "
        "de andre administratorers egne roller",
    ),
]

# The logins that administer an authority (give roles in its units) and may use /admin/.
ADMIN_LOGINS = ("admin", "admin2")

# username, name, job title, unit, role, profession
MEDARBEJDER_PERSONAER = [
    ("sagsbehandler", "Mette Lund Sørensen", "Socialrådgiver", "hp", "S", "socialraadgiver"),
    ("sygeplejerske", "Hanne Kjær Poulsen", "Sygeplejerske", "hjp", "S", "sygeplejerske"),
    ("leder", "Peter Vestergaard", "Afdelingsleder", "hp", "L", "socialraadgiver"),
    ("admin", "Birgitte Holst", "Systemadministrator", "dit", "A", "administrativ"),
    ("admin2", "Lars Mikkelsen", "Systemadministrator", "dit", "A", "administrativ"),
]

# key, CPR, first name, surname, address, postcode, town
KAREN = ("karen", "1203484562", "Karen", "Holm", "Rosenhøj 14, st. tv.", "8260", "Viby J")
JONAS = ("jonas", "2208751573", "Jonas", "Holm", "Trøjborgvej 31, 3. th.", "8200", "Aarhus N")
PERSONA_LOGINS = {"karen": "borger", "jonas": "paaroerende"}

# --- building ---------------------------------------------------------------------------


@dataclass
class DemoResultat:
    """What the demo consists of after a run (all of it, not only what was new)."""

    myndigheder: int = 0
    enheder: int = 0
    medarbejdere: int = 0
    funktioner: int = 0
    borgere: int = 0
    paaroerende: int = 0
    relationer: int = 0
    manglende_fagligheder: list[str] = field(default_factory=list)
    tilstande: int = 0
    indsatser: int = 0
    registreringer: int = 0
    samtykker: int = 0
    anmodninger: int = 0
    hjemler: int = 0


def _fagligheder() -> tuple[dict[str, Klasse], list[str]]:
    klasser = list(Klasse.objects.filter(klassifikation__uri=FAGLIGHED_URI))
    efter_kode = {personer.ascii_navn(k.kode): k for k in klasser}
    efter_titel = {k.titel.strip().lower(): k for k in klasser}
    fundet, mangler = {}, []
    for noegle, (_titel, titler) in FAGLIGHEDER.items():
        klasse = efter_kode.get(personer.ascii_navn(noegle)) or next(
            (efter_titel[t] for t in titler if t in efter_titel), None
        )
        if klasse is None:
            mangler.append(noegle)
        else:
            fundet[noegle] = klasse
    return fundet, mangler


class _Bygger:
    def __init__(self, *, scale: float, seed: int, log: Callable[[str], None]):
        self.scale, self.seed, self.log = scale, seed, log
        self.idag = timezone.localdate()
        self.resultat = DemoResultat()
        self.User = get_user_model()
        self.brugte_cpr = {KAREN[1], JONAS[1]}
        self.borgere: list[Borger] = []
        self.relationer: list[Relation] = []
        # the generated citizens (not their relatives): number, citizen, age group
        self.hovedpersoner: list[tuple[int, Borger, str]] = []
        self.personaer_borger: dict[str, Borger] = {}
        self.alle_enheder: dict[str, Enhed] = {}

    def antal(self, n: int) -> int:
        return max(1, round(n * self.scale))

    def dage_siden(self, rng: random.Random, fra: int, til: int) -> datetime.date:
        return self.idag - datetime.timedelta(days=rng.randint(fra, til))

    # organisation --------------------------------------------------------------------

    def myndigheder(self) -> dict[str, Myndighed]:
        myndigheder = {}
        for noegle, navn, type_, kommunekode, cvr in MYNDIGHEDER:
            # By kommunekode or CVR: they are unique, and an administrator may have
            # created the authority by hand.
            unik = {"kommunekode": kommunekode} if kommunekode else {"cvr": cvr}
            felter = {"navn": navn, "type": type_, "cvr": cvr, "kommunekode": kommunekode}
            myndigheder[noegle], _ = Myndighed.objects.update_or_create(
                **unik,
                defaults=felter,
                create_defaults={"id": demo_uuid("myndighed", noegle), **felter},
            )
        self.resultat.myndigheder = len(myndigheder)
        return myndigheder

    def enheder(self, myndigheder: dict[str, Myndighed]) -> dict[str, Enhed]:
        enheder = {
            spec.noegle: Enhed(
                id=demo_uuid("enhed", spec.noegle),
                myndighed=myndigheder[spec.myndighed],
                navn=spec.navn,
                overordnet_id=demo_uuid("enhed", spec.overordnet) if spec.overordnet else None,
                enhedstype=spec.enhedstype,
                gyldig_fra=datetime.date(2019, 1, 1),
            )
            for spec in ENHEDER
        }
        Enhed.objects.bulk_create(
            enheder.values(),
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["myndighed", "navn", "overordnet", "enhedstype"],
        )
        self.resultat.enheder = len(enheder)
        return enheder

    # staff ---------------------------------------------------------------------------

    def brugere(self, specs: list[dict]) -> dict:
        """Create the users that are missing (by username); return all of them by username."""
        navne = [s["username"] for s in specs]
        findes = set(
            self.User.objects.filter(username__in=navne).values_list("username", flat=True)
        )
        nye = [self.User(**s) for s in specs if s["username"] not in findes]
        for bruger in nye:
            bruger.set_unusable_password()
        self.User.objects.bulk_create(nye, ignore_conflicts=True)
        return {u.username: u for u in self.User.objects.filter(username__in=navne)}

    def logins(self) -> dict:
        specs = [
            {
                "username": brugernavn,
                "first_name": navn.rpartition(" ")[0],
                "last_name": navn.rpartition(" ")[2],
                "email": f"{brugernavn}@{EMAIL_DOMAENE}",
            }
            for brugernavn, navn, *_ in MEDARBEJDER_PERSONAER
        ] + [
            {"username": PERSONA_LOGINS[b[0]], "first_name": b[2], "last_name": b[3]}
            for b in (KAREN, JONAS)
        ]
        brugere = self.brugere(specs)
        for brugernavn in ADMIN_LOGINS:
            admin = brugere[brugernavn]
            if not (admin.is_staff and admin.is_superuser):
                admin.is_staff = admin.is_superuser = True
                admin.save(update_fields=["is_staff", "is_superuser"])
        # Hashing costs ~0.4 s, so the demo users share one hash of the demo password,
        # checked once per run. Unusable passwords are skipped: checking one hashes too.
        logins = [brugere[login.brugernavn] for login in DEMO_LOGINS]
        kandidater = {u.password for u in logins if is_password_usable(u.password)}
        gode = {k for k in kandidater if check_password(DEMO_ADGANGSKODE, k)}
        hash_ = next(iter(gode), None) or make_password(DEMO_ADGANGSKODE)
        for bruger in logins:
            if bruger.password not in gode or not bruger.is_active:
                bruger.password, bruger.is_active = hash_, True
                bruger.save(update_fields=["password", "is_active"])
        return brugere

    def personaer(self, brugere: dict, enheder: dict[str, Enhed], fag: dict) -> list[Funktion]:
        funktioner = []
        for brugernavn, navn, titel, enhed, rolle, faglighed in MEDARBEJDER_PERSONAER:
            felter = {
                "myndighed": enheder[enhed].myndighed,
                "navn": navn,
                "titel": titel,
                "email": f"{brugernavn}@{EMAIL_DOMAENE}",
                "telefon": "87 13 00 00",
            }
            # By user, not by id: an administrator may have given a demo user a profile.
            medarbejder, _ = Medarbejder.objects.update_or_create(
                user=brugere[brugernavn],
                defaults=felter,
                create_defaults={"id": demo_uuid("medarbejder", brugernavn), **felter},
            )
            funktioner.append(
                Funktion(
                    id=demo_uuid("funktion", brugernavn),
                    medarbejder=medarbejder,
                    enhed=enheder[enhed],
                    rolle=ROLLER[rolle],
                    faglighed=fag.get(faglighed),
                    gyldig_fra=datetime.date(2020, 8, 1),
                )
            )
        self.resultat.medarbejdere += len(MEDARBEJDER_PERSONAER)
        return funktioner

    def medarbejdere(self, enheder: dict[str, Enhed], fag: dict) -> list[Funktion]:
        ansatte = []
        for spec in ENHEDER:
            for rolle, fagnoegle, antal in spec.bemanding:
                n = antal if rolle == Rolle.LEDER else self.antal(antal)
                for i in range(n):
                    navn = f"{self.seed}|medarbejder|{spec.noegle}|{rolle}|{fagnoegle}|{i}"
                    rng = random.Random(navn)
                    kvinde = rng.random() < 0.75
                    fornavn, efternavn = personer.navn(rng, kvinde, personer.foedt(rng, 25, 64))
                    mid = demo_uuid(navn)
                    initialer = (
                        personer.ascii_navn(fornavn)[:2] + personer.ascii_navn(efternavn)[:2]
                    )
                    brugernavn = f"{initialer}{mid.hex[:4]}"
                    titel = FAGLIGHEDER[fagnoegle][0]
                    if rolle == Rolle.LEDER:
                        titel = LEDERTITLER.get(spec.enhedstype, "Afdelingsleder")
                    ansatte.append(
                        (spec, rolle, fagnoegle, mid, fornavn, efternavn, brugernavn, titel)
                    )
        brugere = self.brugere(
            [
                {
                    "username": p[6],
                    "first_name": p[4],
                    "last_name": p[5],
                    "email": f"{p[6]}@{EMAIL_DOMAENE}",
                }
                for p in ansatte
            ]
        )
        medarbejdere, funktioner = [], []
        for spec, rolle, fagnoegle, mid, fornavn, efternavn, brugernavn, titel in ansatte:
            enhed = enheder[spec.noegle]
            medarbejdere.append(
                Medarbejder(
                    id=mid,
                    user=brugere[brugernavn],
                    myndighed=enhed.myndighed,
                    navn=f"{fornavn} {efternavn}",
                    titel=titel,
                    email=f"{brugernavn}@{EMAIL_DOMAENE}",
                )
            )
            funktioner.append(
                Funktion(
                    id=demo_uuid(mid, "funktion"),
                    medarbejder_id=mid,
                    enhed=enhed,
                    rolle=rolle,
                    faglighed=fag.get(fagnoegle),
                    gyldig_fra=datetime.date(2012 + mid.int % 12, 1 + mid.int % 12, 1),
                )
            )
        Medarbejder.objects.bulk_create(
            medarbejdere,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["myndighed", "navn", "titel", "email"],
        )
        self.resultat.medarbejdere += len(medarbejdere)
        return funktioner

    # citizens ------------------------------------------------------------------------

    def person(
        self,
        rng: random.Random,
        navn: str,
        kvinde: bool,
        foedt: datetime.date,
        efternavn: str | None = None,
        adresse: tuple[str, str, str] | None = None,
    ) -> Borger:
        fornavn, eget_efternavn = personer.navn(rng, kvinde, foedt)
        cpr = personer.lav_cpr(rng, foedt, kvinde)
        while cpr in self.brugte_cpr:
            cpr = personer.lav_cpr(rng, foedt, kvinde)
        self.brugte_cpr.add(cpr)
        adr, postnummer, by = adresse or personer.adresse(rng)
        borger = Borger(
            id=demo_uuid(self.seed, navn),
            cpr=cpr,
            fornavn=fornavn,
            efternavn=efternavn or eget_efternavn,
            adresse=adr,
            postnummer=postnummer,
            by=by,
        )
        self.borgere.append(borger)
        return borger

    def relation(self, borger: Borger, person: Borger, type_: str, beskrivelse: str, **kw):
        self.relationer.append(
            Relation(
                id=demo_uuid(self.seed, "relation", borger.id, person.id, type_),
                borger=borger,
                person=person,
                type=type_,
                beskrivelse=beskrivelse,
                **kw,
            )
        )

    def borger(self, i: int) -> None:
        """Make citizen number i with relatives and, for some, a værge or a fuldmagt."""
        rng = random.Random(f"{self.seed}|borger|{i}")
        gruppe = rng.choices(["barn", "voksen", "aeldre"], weights=[15, 50, 35])[0]
        aldre = {"barn": (2, 17), "voksen": (18, 66), "aeldre": (67, 98)}[gruppe]
        kvinde = rng.random() < 0.5
        b = self.person(rng, f"borger|{i}", kvinde, personer.foedt(rng, *aldre))
        self.hovedpersoner.append((i, b, gruppe))
        alder = personer.alder(b.foedselsdato)
        hjemme = (b.adresse, b.postnummer, b.by)

        def paaroerende(n: int, kvinde: bool, fra: int, til: int, **kw) -> Borger:
            self.resultat.paaroerende += 1
            return self.person(
                rng, f"paaroerende|{i}|{n}", kvinde, personer.foedt(rng, fra, til), **kw
            )

        if gruppe == "barn":
            navn = b.efternavn
            mor = paaroerende(0, True, alder + 20, alder + 40, efternavn=navn, adresse=hjemme)
            self.relation(b, mor, RelationsType.PAAROERENDE, "mor", gyldig_fra=b.foedselsdato)
            if rng.random() < 0.7:
                far = paaroerende(
                    1,
                    False,
                    alder + 20,
                    alder + 45,
                    efternavn=b.efternavn,
                    adresse=hjemme if rng.random() < 0.6 else None,
                )
                self.relation(b, far, RelationsType.PAAROERENDE, "far", gyldig_fra=b.foedselsdato)
            return

        naermeste = None
        if rng.random() < (0.55 if gruppe == "aeldre" else 0.45):
            samme_navn = b.efternavn if rng.random() < 0.6 else None
            partner = paaroerende(
                0, not kvinde, max(18, alder - 4), alder + 4, efternavn=samme_navn, adresse=hjemme
            )
            self.relation(
                b,
                partner,
                RelationsType.PAAROERENDE,
                "ægtefælle" if rng.random() < 0.7 else "samlever",
                gyldig_fra=self.dage_siden(rng, 400, 9000),
            )
            naermeste = partner
        if gruppe == "aeldre" or rng.random() < 0.3:
            k = rng.random() < 0.55
            if gruppe == "aeldre":
                fra, til, ord_ = max(30, alder - 40), max(35, alder - 22), ("datter", "søn")
            else:
                fra, til, ord_ = min(alder + 20, 95), min(alder + 35, 98), ("mor", "far")
            samme_navn = b.efternavn if rng.random() < 0.7 else None
            slaegt = paaroerende(1, k, fra, til, efternavn=samme_navn)
            self.relation(
                b,
                slaegt,
                RelationsType.PAAROERENDE,
                ord_[0] if k else ord_[1],
                gyldig_fra=self.dage_siden(rng, 400, 4000),
            )
            if gruppe == "aeldre":
                naermeste = slaegt

        if rng.random() < 0.1:
            # A værge appointed by Familieretshuset: a relative or a professional.
            if naermeste is not None and rng.random() < 0.5:
                vaerge, beskrivelse = naermeste, "værge (pårørende)"
            else:
                vaerge, beskrivelse = paaroerende(2, rng.random() < 0.5, 35, 65), "beskikket værge"
            omfang = rng.choice(VAERGEMAAL)
            self.relation(
                b,
                vaerge,
                RelationsType.VAERGE,
                beskrivelse,
                omfang=omfang,
                gyldig_fra=self.dage_siden(rng, 60, 3000),
            )
        elif naermeste is not None and rng.random() < 0.3:
            # Some fuldmagter have run out: the demo shows expired ones too.
            fra = self.dage_siden(rng, 10, 900)
            omfang = rng.choice(FULDMAGTER)
            self.relation(
                b,
                naermeste,
                RelationsType.FULDMAGT,
                "fuldmagt til pårørende",
                omfang=omfang,
                gyldig_fra=fra,
                gyldig_til=fra + datetime.timedelta(days=rng.choice([365, 730, 1095])),
            )

    def borger_personaer(self, brugere: dict) -> None:
        fundet = {}
        for noegle, cpr, fornavn, efternavn, adresse, postnummer, by in (KAREN, JONAS):
            felter = {
                "fornavn": fornavn,
                "efternavn": efternavn,
                "adresse": adresse,
                "postnummer": postnummer,
                "by": by,
                "user": brugere[PERSONA_LOGINS[noegle]],
            }
            # By CPR number: a re-run finds them even if someone recreated them by hand.
            fundet[noegle], _ = Borger.objects.update_or_create(
                cpr=cpr,
                defaults=felter,
                create_defaults={"id": demo_uuid("borger", noegle), "cpr": cpr, **felter},
            )
        karen, jonas = fundet["karen"], fundet["jonas"]
        self.personaer_borger = fundet
        self.relationer += [
            Relation(
                id=demo_uuid("relation", "karen-jonas", "paaroerende"),
                borger=karen,
                person=jonas,
                type=RelationsType.PAAROERENDE,
                beskrivelse="søn",
                gyldig_fra=jonas.foedselsdato,
            ),
            Relation(
                id=demo_uuid("relation", "karen-jonas", "fuldmagt"),
                borger=karen,
                person=jonas,
                type=RelationsType.FULDMAGT,
                beskrivelse="fuldmagt til søn",
                omfang=[Omfang.SAMTYKKE, Omfang.DIALOG, Omfang.HELBRED, Omfang.SOCIALE],
                gyldig_fra=self.idag - datetime.timedelta(days=60),
                gyldig_til=self.idag + datetime.timedelta(days=670),
            ),
        ]

    def byg(self) -> DemoResultat:
        fag, self.resultat.manglende_fagligheder = _fagligheder()
        if self.resultat.manglende_fagligheder:
            self.log(
                "Fagligheder, der ikke findes i kodesystemet (funktionerne får ingen): "
                + ", ".join(self.resultat.manglende_fagligheder)
            )
        enheder = self.enheder(self.myndigheder())
        self.alle_enheder = enheder
        brugere = self.logins()
        funktioner = self.personaer(brugere, enheder, fag) + self.medarbejdere(enheder, fag)
        Funktion.objects.bulk_create(
            funktioner,
            update_conflicts=True,
            unique_fields=["id"],
            # Demo roles are approved: made here, not asked for by their holder in the admin.
            update_fields=["enhed", "rolle", "faglighed", "gyldig_fra", "gyldig_til", "status"],
        )
        self.resultat.funktioner = len(funktioner)

        self.borger_personaer(brugere)
        antal = self.antal(100)
        for i in range(antal):
            self.borger(i)
        for borger in self.borgere:
            validate_cpr(borger.cpr)
        if (
            Borger.objects.filter(cpr__in=[b.cpr for b in self.borgere])
            .exclude(id__in=[b.id for b in self.borgere])
            .exists()
        ):
            raise RuntimeError("Et demo-CPR-nummer findes allerede på en anden borger.")
        Borger.objects.bulk_create(
            self.borgere,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["cpr", "fornavn", "efternavn", "adresse", "postnummer", "by"],
        )
        Relation.objects.bulk_create(
            self.relationer,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["type", "beskrivelse", "omfang", "gyldig_fra", "gyldig_til"],
        )
        self.resultat.borgere = antal + 1  # and Karen Holm
        self.resultat.paaroerende += 1  # and Jonas Holm
        self.resultat.relationer = len(self.relationer)
        return self.resultat
