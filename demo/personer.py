"""Names, addresses and CPR numbers for made-up people: the one place that makes them,
for the demo (`byg`), the fagsystem simulator (`simulator.grundlag`) and the tests'
factories.

Names follow the generations' fashions in Denmark, with some Danes whose families came
from elsewhere; addresses are real street names in Aarhus postcodes (house numbers are
made up). CPR numbers come from plausible birth dates and obey the century rule of the
seventh digit (`organisation.cpr`); they may coincide with real persons' numbers and
exist only in the demo or test database.
"""

from __future__ import annotations

import datetime
import random
import unicodedata

from organisation.cpr import cpr_birth_date

# Birth dates count back from a fixed day, so a seed gives the same CPR numbers whenever
# it runs.
FOEDSELSANKER = datetime.date(2025, 1, 1)


def _ord(tekst: str) -> list[str]:
    return tekst.split()


KVINDENAVNE = {
    "aeldre": _ord(
        "Karen Inger Kirsten Else Ruth Grethe Jytte Birthe Bodil Ellen Gerda Ingrid Lis Hanne "
        "Annelise Edith Gudrun Vera"
    ),
    "voksen": _ord(
        "Anne Mette Susanne Lene Helle Maria Marianne Lone Pia Charlotte Louise Tina Gitte "
        "Camilla Heidi Dorte Trine Sanne"
    ),
    "ung": _ord(
        "Emma Ida Sofie Freja Clara Laura Alma Ella Anna Astrid Julie Mathilde Nanna Sara Maja "
        "Frida Agnes Karla"
    ),
}
MANDSNAVNE = {
    "aeldre": _ord(
        "Hans Jens Poul Knud Arne Bent Svend Erik Jørgen Kaj Leif Ove Preben Niels Aage Egon "
        "Henning Verner"
    ),
    "voksen": _ord(
        "Peter Michael Lars Henrik Thomas Søren Jan Christian Martin Anders Rasmus Jesper Morten "
        "Kim Brian Allan Kenneth Jacob"
    ),
    "ung": _ord(
        "William Noah Oscar Lucas Carl Victor Magnus Emil Frederik Mikkel Mads Oliver Alfred "
        "Aksel Malthe Elias Valdemar Arthur"
    ),
}
MELLEMNAVNE = {
    True: _ord("Marie Sofie Louise Kathrine Margrethe Elisabeth"),
    False: _ord("Peter Christian Emil Frederik Johan Valdemar"),
}
EFTERNAVNE = _ord(
    "Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen "
    "Petersen Madsen Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen "
    "Knudsen Jakobsen Mikkelsen Olesen Frederiksen Laursen Henriksen Lund Holm Schmidt Kjær "
    "Østergaard Vestergaard Nørgaard Dahl Bak Iversen Eriksen Andreasen Damgaard Bech Skov "
    "Lauridsen Mølgaard"
)
# Danes whose families came from elsewhere: woman, man, surname.
ANDRE_NAVNE = [
    ("Fatima", "Mohammed", "Ali"),
    ("Aisha", "Ahmad", "Hassan"),
    ("Ayşe", "Mehmet", "Yılmaz"),
    ("Linh", "Minh", "Nguyen"),
    ("Agnieszka", "Piotr", "Kowalski"),
    ("Hodan", "Abdi", "Farah"),
    ("Zainab", "Omar", "Hussein"),
]

POSTNUMRE = [
    ("8000", "Aarhus C", "Mejlgade|Nørre Allé|Vestergade|Jægergårdsgade|Ryesgade"),
    ("8200", "Aarhus N", "Randersvej|Trøjborgvej|Tordenskjoldsgade|Katrinebjergvej"),
    ("8210", "Aarhus V", "Silkeborgvej|Vestre Ringgade|Hasle Ringvej|Rymarksvej"),
    ("8220", "Brabrand", "Gudrunsvej|Sønderalle|Bytoften|Hasselengen"),
    ("8230", "Åbyhøj", "Ågade|Åby Bjergvej|Bakkegårdsvej"),
    ("8240", "Risskov", "Vestre Strandallé|Nordre Strandvej|Fortevej"),
    ("8250", "Egå", "Egå Havvej|Mejlbyvej|Kalkærvej"),
    ("8260", "Viby J", "Rosenhøj|Skanderborgvej|Viby Ringvej|Holmevej"),
    ("8270", "Højbjerg", "Oddervej|Holme Byvej|Grøfthøjparken|Rundhøj Allé"),
    ("8310", "Tranbjerg J", "Tranbjerg Hovedgade|Kirketorvet|Grønløkke Allé"),
    ("8320", "Mårslet", "Obstrupvej|Mårslet Byvej|Hørretvej"),
    ("8361", "Hasselager", "Hasselager Allé|Kolt Østervej|Ravnsøvej"),
    ("8381", "Tilst", "Tilst Skolevej|Bautavej|Sønderskovvej"),
    ("8520", "Lystrup", "Lystrup Centervej|Elsted Bygade|Hedevej"),
]
BYPOSTNUMRE = {"8000", "8200", "8210", "8220"}


def ascii_navn(tekst: str) -> str:
    tekst = tekst.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    tekst = unicodedata.normalize("NFKD", tekst).encode("ascii", "ignore").decode()
    return "".join(c for c in tekst if c.isalnum())


def adresse(rng: random.Random) -> tuple[str, str, str]:
    nr, by, gader = rng.choice(POSTNUMRE)
    adresse = f"{rng.choice(gader.split('|'))} {rng.randint(1, 120)}"
    if nr in BYPOSTNUMRE and rng.random() < 0.7:
        adresse += f", {rng.choice(['st.', '1.', '2.', '3.', '4.'])} {rng.choice(['th.', 'tv.'])}"
    return adresse, nr, by


def navn(rng: random.Random, kvinde: bool, foedt: datetime.date) -> tuple[str, str]:
    if rng.random() < 0.07:
        k, m, efternavn = rng.choice(ANDRE_NAVNE)
        return (k if kvinde else m), efternavn
    generation = "aeldre" if foedt.year < 1955 else "voksen" if foedt.year < 1990 else "ung"
    fornavn = rng.choice((KVINDENAVNE if kvinde else MANDSNAVNE)[generation])
    if rng.random() < 0.2:
        fornavn += " " + rng.choice(MELLEMNAVNE[kvinde])
    return fornavn, rng.choice(EFTERNAVNE)


def syvende_ciffer(rng: random.Random, aar: int) -> int:
    """Return a seventh CPR digit that gives the birth year's century (CPR-kontoret)."""
    yy = aar % 100
    if aar < 2000:
        return rng.choice([0, 1, 2, 3] + ([4, 9] if yy >= 37 else []))
    return rng.choice(([4, 9] if yy <= 36 else []) + ([5, 6, 7, 8] if yy <= 57 else []))


def lav_cpr(rng: random.Random, foedt: datetime.date, kvinde: bool | None = None) -> str:
    """Return a valid CPR number for a birth date and, if given, a sex (even last digit:
    woman); without a sex the last digit is drawn like the rest."""
    if kvinde is None:
        syvende = syvende_ciffer(rng, foedt.year)
        loebenummer = f"{rng.randint(0, 999):03d}"
    else:
        # The draws in this order keep the demo's numbers for a seed as they were.
        sidste = rng.choice([0, 2, 4, 6, 8] if kvinde else [1, 3, 5, 7, 9])
        syvende = syvende_ciffer(rng, foedt.year)
        loebenummer = f"{rng.randint(0, 99):02d}{sidste}"
    cpr = f"{foedt:%d%m%y}{syvende}{loebenummer}"
    assert cpr_birth_date(cpr) == foedt, "the century rule must give the birth year back"
    return cpr


def er_kvinde(cpr: str) -> bool:
    """Return whether a CPR number is a woman's (an even last digit)."""
    return int(cpr[-1]) % 2 == 0


def gyldigt_cpr(n: int) -> str:
    """Return the n-th of 112,000 valid CPR numbers born in 1980 (7th digit 0–3), for
    factories that need many distinct numbers without a random generator."""
    dag = datetime.date(1980, 1, 1) + datetime.timedelta(days=(n // 4000) % 366)
    return f"{dag:%d%m%y}{n % 4000:04d}"


def foedt(rng: random.Random, alder_fra: int, alder_til: int) -> datetime.date:
    dage = rng.randint(alder_fra * 365, alder_til * 365 + 364)
    return FOEDSELSANKER - datetime.timedelta(days=dage)


def alder(foedt: datetime.date) -> int:
    return FOEDSELSANKER.year - foedt.year
