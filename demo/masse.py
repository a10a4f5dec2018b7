"""Many citizens fast, for load tests: `demo_data --scale 1000` (100,000 citizens).

The first 100 generated citizens of the demo (`byg`, scale 1) are built by the services,
so their rows satisfy every rule of the app. Citizen number i beyond them is a copy of
template i % 100: a person of their own (name, address, CPR number, a login) with the
template's conditions, interventions, their registrations and versions, consents and the
object permissions the consents granted, cases and legal-basis accesses, each row with
new ids and the same values otherwise. Which tables are copied is found from the models:
the ones with a foreign key to a citizen, and every table that points at a copied one
(so a table added later is copied too), less those that are no one's data to copy (the
access log with its hash chain, notifications, conversations, relatives).

A row is copied only when every citizen or relation it names is the template itself; a
consent given by a relative, say, is left out. Rows are written with PostgreSQL's COPY in
batches of `BATCH` citizens, one transaction each (the deferred foreign keys are checked at
each commit), and only one batch is held in memory, so memory stays flat as N grows.
Citizens that already exist (by id) are skipped: running again adds only what is missing.

Staff for the load test: one caseworker per `BORGERE_PR_MEDARBEJDER` copied citizens, in
the units that hold the templates' data, named `masse-<unit>-<n>` with the demo password.
"""

from __future__ import annotations

import datetime
import random
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from demo import personer
from demo.organisation import DEMO_ADGANGSKODE, EMAIL_DOMAENE, ENHEDER, demo_uuid
from organisation.models import Borger, Enhed, Funktion, Medarbejder, Rolle

SKABELONER = 100  # the citizens the demo builds at scale 1
BATCH = 1000  # citizens per transaction
BORGERE_PR_MEDARBEJDER = 100
BRUGERNAVN_BORGER = "masse-borger-{:07d}"

# Tables that point at a citizen but are not data to copy: the access log (a hash chain
# per citizen, written by reads), the outbox and notifications, who saw and follows what,
# conversations, corrections and the citizen's own words, and relatives.
IKKE_KOPIERET = {
    "samtykke.Adgangslog",
    "samtykke.Haendelse",
    "samtykke.Berigtigelse",
    "samtykke.BerigtigelseSvar",
    "samtykke.BorgerensBemaerkning",
    "indsats.BorgerensStemme",
    "overblik.SidstSet",
    "overblik.Foelg",
    "overblik.Notifikation",
    "mox.Notifikation",
    "organisation.Relation",
    # the demo staff's own work: requests they sent, their legal-basis accesses
    "samtykke.Anmodning",
    "samtykke.Hjemmel",
}
IKKE_KOPIERET_APPS = {"dialog"}  # conversations: messages, participants, readings
# Identifiers that are no foreign key but must be new in a copy (unique with another column).
EGNE_IDER = {"samtykke.Samtykke": ["kaede"]}


@dataclass
class MasseResultat:
    borgere: int = 0
    sprunget_over: int = 0
    medarbejdere: int = 0
    raekker: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class _Tabel:
    model: type[models.Model]
    kolonner: list[str]
    # column index → what a value there is: "pk", "borger", "ny" (a copied row's id),
    # "forbudt" (a relation: never copied)
    roller: dict[int, str]
    kildesystem_id: int | None
    maal: dict[int, type[models.Model]]  # column index → the copied table a "ny" points at

    @property
    def pk(self) -> int:
        return self.kolonner.index(self.model._meta.pk.column)

    @property
    def heltal(self) -> bool:
        """Whether the table's ids are integers from a sequence (else UUIDs)."""
        return isinstance(self.model._meta.pk, models.AutoField)


def _borgernes(*, alle: bool) -> list[type[models.Model]]:
    """Return the models that point at a citizen, or at such a model, and so on (with
    `alle` False: only those that are copied)."""
    valgt: list[type[models.Model]] = []
    kandidater = [Borger]
    while kandidater:
        nye = []
        for model in apps.get_models():
            if model in valgt or model is Borger:
                continue
            if not alle and (
                model._meta.label in IKKE_KOPIERET or model._meta.app_label in IKKE_KOPIERET_APPS
            ):
                continue
            if any(
                f.is_relation and f.related_model in kandidater for f in model._meta.concrete_fields
            ):
                nye.append(model)
        valgt += nye
        kandidater = nye
    return valgt


def kopierede_modeller() -> list[type[models.Model]]:
    """Return the models whose rows a copied citizen gets, parents before children."""
    valgt = _borgernes(alle=False)
    # parents first where the foreign keys allow it (a cycle, such as an object and its
    # newest registration, is fine: the foreign keys are checked at commit)
    orden: list[type[models.Model]] = []
    rest = list(valgt)
    while rest:
        for model in rest:
            foraeldre = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model in rest and f.related_model is not model
            }
            if not foraeldre or len(rest) == 1:
                orden.append(model)
                rest.remove(model)
                break
        else:  # only cycles left
            orden.append(rest.pop(0))
    return orden


def _tabel(model: type[models.Model], kopieret: set, forbudt: set) -> _Tabel:
    kolonner, roller, kildesystem_id, maal = [], {}, None, {}
    ekstra = EGNE_IDER.get(model._meta.label, [])
    for f in model._meta.concrete_fields:
        i = len(kolonner)
        kolonner.append(f.column)
        if f.primary_key or f.name in ekstra:
            roller[i] = "pk"
        elif f.is_relation and f.related_model is Borger:
            roller[i] = "borger"
        elif f.is_relation and f.related_model in forbudt:
            roller[i] = "forbudt"  # a citizen's row that is not copied: the row is left out
        elif f.is_relation and f.related_model in kopieret:
            roller[i] = "ny"
            maal[i] = f.related_model
        elif f.column == "kildesystem_id":
            kildesystem_id = i
    return _Tabel(model, kolonner, roller, kildesystem_id, maal)


@dataclass
class _Skabelon:
    borger: Borger
    gruppe: str
    # table → rows as COPY text fields (None for NULL)
    raekker: dict[type[models.Model], list[list[str | None]]] = field(default_factory=dict)
    # table → row number → the columns that name copied rows' ids inside a value (a JSON
    # document, an array of ids) and those ids
    indlejret: dict[type[models.Model], dict[int, list[tuple[int, list[str]]]]] = field(
        default_factory=dict
    )


def _gruppe(foedt: datetime.date) -> str:
    alder = personer.alder(foedt)
    return "barn" if alder < 18 else "voksen" if alder < 67 else "aeldre"


ALDRE = {"barn": (2, 17), "voksen": (18, 66), "aeldre": (67, 98)}


def _skabeloner(seed: int, tabeller: list[_Tabel]) -> list[_Skabelon]:
    """Read the templates' rows (as text, the way COPY writes them back)."""
    ider = [demo_uuid(seed, "borger", i) for i in range(SKABELONER)]
    borgere = {b.pk: b for b in Borger.objects.filter(pk__in=ider)}
    if len(borgere) < SKABELONER:
        raise RuntimeError("Demoens første 100 borgere mangler: byg demoen med --scale 1 først.")
    skabeloner = {str(pk): _Skabelon(borgere[pk], _gruppe(borgere[pk].foedselsdato)) for pk in ider}
    ejer: dict[tuple, str] = {}  # (table, a copied row's id) → its template citizen
    behandlet: set = set()
    ider_af: dict[type[models.Model], list[str]] = defaultdict(list)
    with connection.cursor() as c:
        for t in tabeller:
            valg = ", ".join(f"{connection.ops.quote_name(k)}::text" for k in t.kolonner)
            betingelser, parametre = [], []
            for i, rolle in t.roller.items():
                if rolle == "borger":
                    maal, ider_her = Borger, list(skabeloner)
                elif rolle == "ny":
                    maal, ider_her = t.maal[i], ider_af[t.maal[i]]
                else:
                    continue
                if not ider_her:
                    continue
                type_ = "bigint" if isinstance(maal._meta.pk, models.AutoField) else "uuid"
                betingelser.append(
                    f"{connection.ops.quote_name(t.kolonner[i])} = ANY(%s::{type_}[])"
                )
                parametre.append(ider_her)
            behandlet.add(t.model)
            if not betingelser:
                continue
            c.execute(
                f"SELECT {valg} FROM {connection.ops.quote_name(t.model._meta.db_table)}"  # noqa: S608 (names from the models)
                f" WHERE {' OR '.join(betingelser)}",
                parametre,
            )
            for raekke in c.fetchall():
                ejere = set()
                for i, rolle in t.roller.items():
                    v = raekke[i]
                    if v is None or rolle == "pk":
                        continue
                    if rolle == "forbudt":
                        ejere.add(None)
                    elif rolle == "borger":
                        ejere.add(v if v in skabeloner else None)
                    elif rolle == "ny":
                        tilbage = t.maal[i] not in behandlet or t.maal[i] is t.model
                        senere = "senere" if tilbage else None
                        ejere.add(ejer.get((t.maal[i], v), senere))
                ejere.discard("senere")  # a pointer back into a cycle: checked below
                if len(ejere) != 1 or None in ejere:
                    continue
                hvem = ejere.pop()
                for i, rolle in t.roller.items():
                    if rolle == "pk":
                        ejer.setdefault((t.model, raekke[i]), hvem)
                skabeloner[hvem].raekker.setdefault(t.model, []).append(list(raekke))
                ider_af[t.model].append(raekke[t.pk])
    # every pointer to a copied table must point at a row that is copied too
    for s in skabeloner.values():
        for t in tabeller:
            for raekke in s.raekker.get(t.model, []):
                for i, rolle in t.roller.items():
                    if (
                        rolle == "ny"
                        and raekke[i] is not None
                        and ejer.get((t.maal[i], raekke[i])) != str(s.borger.pk)
                    ):
                        raise RuntimeError(
                            f"{t.model._meta.label} peger på en række, der ikke kopieres."
                        )
        # ids of copied rows inside other values (an intervention's goals and the conditions
        # it addresses): replaced by the copies' ids too
        egne = {v for (model, v), hvem in ejer.items() if hvem == str(s.borger.pk)}
        for t in tabeller:
            for n, raekke in enumerate(s.raekker.get(t.model, [])):
                for j, v in enumerate(raekke):
                    if j in t.roller or v is None:
                        continue
                    ider = [u for u in UUID_RE.findall(v) if u in egne]
                    if ider:
                        s.indlejret.setdefault(t.model, {}).setdefault(n, []).append((j, ider))
    return list(skabeloner.values())


UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _tekst(v: str | None) -> str:
    """A value in COPY's text format."""
    if v is None:
        return r"\N"
    return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Cpr:
    """Distinct valid CPR numbers in the same order on every run (by birth date and sex)."""

    def __init__(self, optaget: set[str]):
        self.optaget = optaget
        self.taeller: dict[tuple[datetime.date, bool], int] = defaultdict(int)

    def ny(self, rng: random.Random, foedt: datetime.date, kvinde: bool) -> str:
        while True:
            n = self.taeller[foedt, kvinde]
            self.taeller[foedt, kvinde] += 1
            if n >= 500:
                foedt -= datetime.timedelta(days=1)
                continue
            syvende = personer.syvende_ciffer(random.Random(f"{foedt}|{n}"), foedt.year)
            cpr = f"{foedt:%d%m%y}{syvende}{n // 5:02d}{(n % 5) * 2 + (0 if kvinde else 1)}"
            if cpr not in self.optaget:
                return cpr


def _kopi_id(gammel: str, i: int) -> str:
    return str(uuid.uuid5(uuid.UUID(gammel), str(i)))


def _medarbejdere(seed: int, enhed_ider: list[str], antal: int, kodeord: str) -> int:
    """Create the load test's caseworkers (those missing), spread over the units."""
    User = get_user_model()
    noegler = {str(demo_uuid("enhed", s.noegle)): s.noegle for s in ENHEDER}
    enheder = {str(e.pk): e for e in Enhed.objects.filter(pk__in=enhed_ider)}
    specs = []
    for n in range(antal):
        enhed = enheder[enhed_ider[n % len(enhed_ider)]]
        noegle = noegler.get(str(enhed.pk), str(enhed.pk)[:8])
        specs.append((f"masse-{noegle}-{n // len(enhed_ider):03d}", enhed))
    findes = set(
        User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", flat=True)
    )
    nye = [(navn, enhed) for navn, enhed in specs if navn not in findes]
    brugere = User.objects.bulk_create(
        User(username=navn, password=kodeord, first_name="Belastning", last_name=navn,
             email=f"{navn}@{EMAIL_DOMAENE}")
        for navn, _e in nye
    )  # fmt: skip
    Medarbejder.objects.bulk_create(
        Medarbejder(id=demo_uuid(seed, "masse", "medarbejder", navn), user=bruger,
                    myndighed_id=enhed.myndighed_id, navn=f"Belastning {navn}",
                    titel="Sagsbehandler", email=bruger.email)
        for (navn, enhed), bruger in zip(nye, brugere, strict=True)
    )  # fmt: skip
    Funktion.objects.bulk_create(
        Funktion(id=demo_uuid(seed, "masse", "funktion", navn),
                 medarbejder_id=demo_uuid(seed, "masse", "medarbejder", navn), enhed=enhed,
                 rolle=Rolle.SAGSBEHANDLER, gyldig_fra=datetime.date(2020, 1, 1))
        for navn, enhed in nye
    )  # fmt: skip
    return len(nye)


def byg_masse(
    *, antal: int, seed: int = 1, log: Callable[[str], None] = lambda _t: None
) -> MasseResultat:
    """Add citizens number 100 … antal-1 as copies of the demo's first 100 (see above)."""
    resultat = MasseResultat()
    if antal <= SKABELONER:
        return resultat
    modeller = kopierede_modeller()
    kopieret = set(modeller) | {Borger}
    forbudt = set(_borgernes(alle=True)) - kopieret
    tabeller = [_tabel(m, kopieret, forbudt) for m in modeller]
    skabeloner = _skabeloner(seed, tabeller)
    kodeord = make_password(DEMO_ADGANGSKODE)  # one hash for all: hashing is slow by design
    enhed_ider = sorted(
        {
            r[t.kolonner.index("ansvarlig_enhed_id")]
            for s in skabeloner
            for t in tabeller
            if "ansvarlig_enhed_id" in t.kolonner
            for r in s.raekker.get(t.model, [])
        }
    )
    with transaction.atomic():
        resultat.medarbejdere = _medarbejdere(
            seed,
            enhed_ider,
            max(len(enhed_ider), (antal - SKABELONER) // BORGERE_PR_MEDARBEJDER),
            kodeord,
        )
    cpr = _Cpr(set(Borger.objects.values_list("cpr", flat=True).exclude(
        user__username__startswith="masse-borger-")))  # fmt: skip
    nu = timezone.now().isoformat()
    for start in range(SKABELONER, antal, BATCH):
        numre = range(start, min(start + BATCH, antal))
        personer_ = [_person(seed, i, skabeloner[i % SKABELONER], cpr) for i in numre]
        with transaction.atomic():
            # already there (a run before this one), or a CPR number or login taken by
            # someone else (the copies of another seed): left out
            findes = set(
                Borger.objects.filter(pk__in=[p[1] for p in personer_]).values_list("pk", flat=True)
            )
            optaget = set(
                Borger.objects.filter(cpr__in=[p[2] for p in personer_]).values_list(
                    "cpr", flat=True
                )
            ) | set(
                get_user_model()
                .objects.filter(username__in=[BRUGERNAVN_BORGER.format(p[0]) for p in personer_])
                .values_list("username", flat=True)
            )
            nye = [
                p
                for p in personer_
                if p[1] not in findes
                and p[2] not in optaget
                and BRUGERNAVN_BORGER.format(p[0]) not in optaget
            ]
            resultat.sprunget_over += len(personer_) - len(nye)
            if nye:
                _skriv(nye, skabeloner, tabeller, kodeord, nu, resultat)
        if (start - SKABELONER) // BATCH % 10 == 9:
            log(f"  {start + BATCH - SKABELONER} kopierede borgere …")
    with connection.cursor() as c:
        for t in [Borger, get_user_model(), *modeller]:
            c.execute(f"ANALYZE {connection.ops.quote_name(t._meta.db_table)}")
    return resultat


def _person(seed: int, i: int, skabelon: _Skabelon, cpr: _Cpr):
    rng = random.Random(f"{seed}|masse|{i}")
    kvinde = rng.random() < 0.5
    foedt = personer.foedt(rng, *ALDRE[skabelon.gruppe])
    fornavn, efternavn = personer.navn(rng, kvinde, foedt)
    adresse, postnummer, by = personer.adresse(rng)
    nummer = cpr.ny(rng, foedt, kvinde)
    return (i, demo_uuid(seed, "borger", i), nummer, fornavn, efternavn, adresse, postnummer, by)


def _copy(c, tabel: str, kolonner: list[str], linjer: Iterator[str]) -> int:
    navne = ", ".join(connection.ops.quote_name(k) for k in kolonner)
    n = 0
    with c.copy(f"COPY {connection.ops.quote_name(tabel)} ({navne}) FROM STDIN") as cp:
        for linje in linjer:
            cp.write(linje)
            n += 1
    return n


BRUGER_KOLONNER = [
    "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
    "email", "is_staff", "is_active", "date_joined",
]  # fmt: skip
BORGER_KOLONNER = [
    "id", "cpr", "fornavn", "efternavn", "adresse", "postnummer", "by", "doedsdato", "user_id",
]  # fmt: skip


def _skriv(nye, skabeloner, tabeller, kodeord, nu, resultat: MasseResultat) -> None:
    """Write one batch of citizens, their logins and their copied rows."""
    User = get_user_model()
    with connection.cursor() as c:
        c.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [User._meta.db_table, len(nye)],
        )
        bruger_ider = [r[0] for r in c.fetchall()]
    raa = connection.connection.cursor()  # psycopg's own cursor, for COPY
    brugere = (
        "\t".join(
            _tekst(v)
            for v in (str(uid), kodeord, None, "f", BRUGERNAVN_BORGER.format(p[0]), p[3], p[4],
                      "", "f", "t", nu)
        ) + "\n"
        for p, uid in zip(nye, bruger_ider, strict=True)
    )  # fmt: skip
    _copy(raa, User._meta.db_table, BRUGER_KOLONNER, brugere)
    borgere = (
        "\t".join(_tekst(v) for v in (str(p[1]), *p[2:], None, str(uid))) + "\n"
        for p, uid in zip(nye, bruger_ider, strict=True)
    )
    resultat.borgere += _copy(raa, Borger._meta.db_table, BORGER_KOLONNER, borgere)
    # integer ids: taken from each table's sequence for the whole batch first, since a
    # table may point at one written after it (an object and its newest registration)
    heltal: dict[type[models.Model], dict[tuple[int, str], str]] = {}
    with connection.cursor() as c:
        for t in tabeller:
            if not t.heltal:
                continue
            gamle = [
                (p[0], r[t.pk])
                for p in nye
                for r in skabeloner[p[0] % SKABELONER].raekker.get(t.model, [])
            ]
            c.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [t.model._meta.db_table, t.model._meta.pk.column, len(gamle)],
            )
            heltal[t.model] = {g: str(r[0]) for g, r in zip(gamle, c.fetchall(), strict=True)}
    for t in tabeller:
        n = _copy(raa, t.model._meta.db_table, t.kolonner, _linjer(t, nye, skabeloner, heltal))
        resultat.raekker[t.model._meta.label] += n


def _linjer(t: _Tabel, nye, skabeloner, heltal) -> Iterator[str]:
    for p in nye:
        i, borger_id = p[0], str(p[1])
        skabelon = skabeloner[i % SKABELONER]
        skabelon_id = str(skabelon.borger.pk)
        indlejret = skabelon.indlejret.get(t.model, {})
        for n, raekke in enumerate(skabelon.raekker.get(t.model, [])):
            ud = list(raekke)
            for j, ider in indlejret.get(n, ()):
                for gammel in ider:
                    ud[j] = ud[j].replace(gammel, _kopi_id(gammel, i))
            for j, rolle in t.roller.items():
                v = ud[j]
                if v is None:
                    continue
                if rolle == "borger":
                    ud[j] = borger_id if v == skabelon_id else v
                elif rolle == "pk" and t.heltal and j == t.pk:
                    ud[j] = heltal[t.model][i, v]
                elif rolle == "ny" and t.maal[j] in heltal:
                    ud[j] = heltal[t.maal[j]][i, v]
                elif rolle in ("pk", "ny"):
                    ud[j] = _kopi_id(v, i)
            if t.kildesystem_id is not None and ud[t.kildesystem_id]:
                ud[t.kildesystem_id] = f"{ud[t.kildesystem_id]}/m{i}"
            yield "\t".join(_tekst(v) for v in ud) + "\n"
