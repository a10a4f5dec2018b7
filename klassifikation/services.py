"""Writes to local code systems and their classes, outside the importer.

KL's code systems (FSIII, FFB, CareSocialCodes) and Datadeling's own are imported from
files (`klassifikation.importer`), and the files are authoritative: their classes change
only by importing a new version. These services therefore refuse every change to a class
of an imported code system, and serve local code systems only — a municipality's own
classes, or those a fagsystem delivers by MOX (`klasse` messages).

A class's place in its tree is kept as the importer keeps it: `overordnet` is the parent
in the same code system, `sti` the ancestors from the root down and `niveau` their number.
Moving a class moves its whole subtree (every descendant's `sti` is rewritten).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from datadeling.core.historik import Samling, kopi, kopier_ind, opdater_alle
from klassifikation import kendte
from klassifikation.models import Betegnelse, Klasse, Klassifikation, Status

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

KL_URIER = frozenset({kendte.FSIII_URI, kendte.FFB_URI, kendte.CSC_URI})
# what a planned change of a class never names (it is written at once): a move rewrites the
# subtree's paths, and new terms are matched against the terms in the database
IKKE_PLANLAGTE_FELTER = frozenset({"overordnet", "betegnelser"})
KLASSE_FELTER = frozenset(
    {
        "kode",
        "titel",
        "definition",
        "overordnet",
        "status",
        "egenskaber",
        "gyldig_fra",
        "gyldig_til",
        "betegnelser",
    }
)


def er_importeret(klassifikation: Klassifikation) -> bool:
    """Return whether the code system comes from files (KL's or Datadeling's own)."""
    return klassifikation.importeret is not None or klassifikation.uri in KL_URIER


def _afvis_importeret(klassifikation: Klassifikation) -> None:
    if er_importeret(klassifikation):
        raise ValidationError(
            {
                "klassifikation": _(
                    "%(titel)s importeres fra filer; dens klasser ændres kun ved at importere "
                    "en ny version."
                )
                % {"titel": klassifikation.titel}
            },
            code="importeret",
        )


def klassifikation_lokal(
    *,
    actor: User | None,
    uri: str,
    navn: str,
    titel: str,
    ejer: str = "",
    beskrivelse: str = "",
    klassifikation_id: uuid.UUID | None = None,
    samling: Samling | None = None,
) -> Klassifikation:
    """Return the local code system with `uri`, creating it on first use.

    Refuse when the URI belongs to an imported code system, or the id to a code system with
    another URI. Two transactions creating the same one at once both get it. With
    `samling`, a new code system is planned into the unit of work (`KlasseArbejde`), not
    written.
    """
    arbejde = klasse_arbejde(samling) if samling is not None else None

    def tjek(fundet: Klassifikation) -> Klassifikation:
        _afvis_importeret(fundet)
        if klassifikation_id is not None and fundet.pk != klassifikation_id:
            raise ValidationError(
                {"uri": _("Kodesystemet findes allerede med et andet id.")}, code="uri_optaget"
            )
        return fundet

    fundet = (
        arbejde.klassifikation(uri=uri)
        if arbejde is not None
        else Klassifikation.objects.filter(uri=uri).first()
    )
    if fundet is not None:
        return tjek(fundet)
    if klassifikation_id is not None:
        andet = (
            arbejde.klassifikation(pk=klassifikation_id)
            if arbejde is not None
            else Klassifikation.objects.filter(pk=klassifikation_id).first()
        )
        if andet is not None:
            raise ValidationError(
                {"id": _("Id'et bruges allerede af kodesystemet %(titel)s.")
                 % {"titel": andet.titel}},
                code="id_optaget",
            )  # fmt: skip
    klassifikation = Klassifikation(
        id=klassifikation_id or uuid.uuid4(),
        uri=uri,
        navn=navn[:128],
        titel=titel[:255],
        ejer=ejer[:255],
        beskrivelse=beskrivelse,
    )
    if arbejde is not None:
        # the URI is known to be free (asked above) and not blank (the field says so):
        # no query for the constraints
        klassifikation.full_clean(exclude={"id"}, validate_unique=False, validate_constraints=False)
        return arbejde.planlaeg_klassifikation(klassifikation, aktoer=_aktoer(actor))
    klassifikation.full_clean(exclude={"id"})
    try:
        with transaction.atomic():
            klassifikation.save(force_insert=True)
    except IntegrityError:
        # Another transaction created it first (it waited for that one to commit).
        fundet = Klassifikation.objects.filter(uri=uri).first()
        if fundet is None:
            raise
        return tjek(fundet)
    logger.info(
        "Lokal klassifikation %s oprettet af %s", uri, getattr(actor, "pk", None) or "system"
    )
    return klassifikation


def _stier_for(overordnet: Klasse | None) -> list[uuid.UUID]:
    return [*overordnet.sti, overordnet.pk] if overordnet is not None else []


def _aktoer(actor: User | None) -> str:
    return str(getattr(actor, "pk", None) or "system")


def _valider_klasse(
    klasse: Klasse,
    *,
    ny: bool,
    fejl: dict[str, list[str]],
    arbejde: KlasseArbejde | None = None,
) -> None:
    if ny and (
        arbejde.klasse(klasse.pk) is not None
        if arbejde is not None
        else Klasse.objects.filter(pk=klasse.pk).exists()
    ):
        fejl.setdefault("id", []).append(_("Der findes allerede en klasse med dette id."))
    if arbejde is not None:
        andet = arbejde.kode_brugt_af(klasse.klassifikation_id, klasse.kode)
        optaget = andet is not None and andet != klasse.pk
    else:
        samme_kode = Klasse.objects.filter(
            klassifikation_id=klasse.klassifikation_id, kode=klasse.kode
        )
        if not ny:
            samme_kode = samme_kode.exclude(pk=klasse.pk)
        optaget = samme_kode.exists()
    if klasse.kode and optaget:
        fejl.setdefault("kode", []).append(_("Koden findes allerede i kodesystemet."))
    overordnet = klasse.overordnet
    if overordnet is not None:
        if overordnet.pk == klasse.pk or klasse.pk in overordnet.sti:
            fejl.setdefault("overordnet", []).append(
                _("En klasse kan ikke placeres under sig selv eller en af sine underklasser.")
            )
        elif overordnet.klassifikation_id != klasse.klassifikation_id:
            fejl.setdefault("overordnet", []).append(
                _("Den overordnede klasse skal høre til samme kodesystem.")
            )
    if klasse.gyldig_fra and klasse.gyldig_til and klasse.gyldig_til <= klasse.gyldig_fra:
        fejl.setdefault("gyldig_til", []).append(_("Slutdatoen skal ligge efter startdatoen."))
    try:
        # Planned, nothing is asked of the database (a query each): the code system and
        # the parent are objects the unit of work holds (maybe planned, not yet written),
        # the checks above are every constraint (the code's uniqueness, not under itself,
        # the order of the dates), and the fields' own validation the rest (a blank code,
        # an unknown status).
        klasse.full_clean(
            exclude={"id", *fejl, *(("klassifikation", "overordnet") if arbejde else ())},
            validate_unique=arbejde is None,
            validate_constraints=arbejde is None,
        )
    except ValidationError as e:
        for felt, beskeder in e.message_dict.items():
            if felt == NON_FIELD_ERRORS and fejl:
                continue  # a constraint on a field we already named
            fejl.setdefault(felt, []).extend(beskeder)
    if fejl:
        raise ValidationError(fejl)


def _oenskede(betegnelser: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return the terms to keep, word → use: trimmed, without blanks, the first of a word."""
    oenskede: dict[str, str] = {}
    for tekst, brug in betegnelser:
        tekst = (tekst or "").strip()[:500]
        if tekst:
            oenskede.setdefault(tekst, (brug or "").strip()[:128])
    return oenskede


def _skriv_betegnelser(klasse: Klasse, betegnelser: Iterable[tuple[str, str]]) -> None:
    """Replace the class's terms that came from its own code system with `betegnelser`.

    Terms entered by hand or imported from elsewhere stay; a word that is already there
    (from another source) is not added twice.
    """
    kilde = klasse.klassifikation.uri
    oenskede = _oenskede(betegnelser)
    gemte = {b.tekst: b for b in Betegnelse.objects.filter(klasse=klasse, kilde=kilde)}
    Betegnelse.objects.filter(pk__in=[b.pk for t, b in gemte.items() if t not in oenskede]).delete()
    for tekst, brug in oenskede.items():
        gemt = gemte.get(tekst)
        if gemt is not None:
            if gemt.brug != brug:
                gemt.brug = brug
                gemt.save(update_fields=["brug"])
            continue
        if not Betegnelse.objects.filter(klasse=klasse, tekst=tekst, faglighed=None).exists():
            Betegnelse.objects.create(klasse=klasse, tekst=tekst, brug=brug, kilde=kilde)


def klasse_create(
    *,
    actor: User | None,
    klassifikation: Klassifikation,
    kode: str,
    titel: str,
    definition: str = "",
    overordnet: Klasse | None = None,
    status: str = Status.AKTIV,
    egenskaber: Mapping[str, Any] | None = None,
    gyldig_fra: datetime.date | None = None,
    gyldig_til: datetime.date | None = None,
    betegnelser: Iterable[tuple[str, str]] = (),
    klasse_id: uuid.UUID | None = None,
    samling: Samling | None = None,
) -> Klasse:
    """Create a class in a local code system, below `overordnet` (a root without).

    `betegnelser` are (word, use) pairs, kept as the class's terms from its own code system.
    `klasse_id` keeps an identifier given by another system. Refuse an imported code system.
    With `samling`, the class is validated as here but planned into the unit of work
    (`KlasseArbejde`), not written.
    """
    arbejde = klasse_arbejde(samling) if samling is not None else None

    def ny(naeste: int) -> Klasse:
        sti = _stier_for(overordnet)
        return Klasse(
            id=klasse_id or uuid.uuid4(),
            klassifikation=klassifikation,
            kode=kode,
            titel=titel,
            definition=definition,
            overordnet=overordnet,
            sti=sti,
            niveau=len(sti),
            raekkefoelge=naeste,
            status=status,
            egenskaber=dict(egenskaber or {}),
            gyldig_fra=gyldig_fra,
            gyldig_til=gyldig_til,
        )

    if arbejde is not None:
        _afvis_importeret(klassifikation)
        klasse = ny(arbejde.sidste_raekkefoelge(klassifikation.pk) + 1)
        _valider_klasse(klasse, ny=True, fejl={}, arbejde=arbejde)
        return arbejde.planlaeg(
            None, klasse, aendrede=(), betegnelser=_oenskede(betegnelser), aktoer=_aktoer(actor)
        )
    with transaction.atomic():
        _afvis_importeret(klassifikation)
        klasse = ny(
            (
                Klasse.objects.filter(klassifikation=klassifikation).aggregate(
                    m=Max("raekkefoelge")
                )["m"]
                or 0
            )
            + 1
        )
        _valider_klasse(klasse, ny=True, fejl={})
        klasse.save(force_insert=True)
        _skriv_betegnelser(klasse, betegnelser)
    logger.info("Klasse %s oprettet af %s", klasse.pk, getattr(actor, "pk", None) or "system")
    return klasse


def klasse_update(
    *,
    actor: User | None,
    klasse: Klasse,
    aendringer: Mapping[str, Any],
    samling: Samling | None = None,
) -> Klasse:
    """Change a class of a local code system; only the fields in `aendringer` change.

    Fields: kode, titel, definition, overordnet, status, egenskaber (replaced whole),
    gyldig_fra, gyldig_til, betegnelser (the terms from its own code system, replaced).
    A new parent moves the class with its subtree. Refuse an imported code system.
    With `samling`, a change that neither moves the class nor names its terms (see
    `KlasseArbejde`) is validated as here but planned into the unit of work, not written.
    """
    ukendte = set(aendringer) - KLASSE_FELTER
    if ukendte:
        raise TypeError(f"Ukendte felter: {sorted(ukendte)}")
    if samling is not None:
        if not set(aendringer).isdisjoint(IKKE_PLANLAGTE_FELTER):
            raise TypeError(
                "En planlagt ændring af en klasse flytter den ikke og har ingen betegnelser"
            )
        arbejde = klasse_arbejde(samling)
        gemt = arbejde.klasse(klasse.pk)
        if gemt is None:
            raise Klasse.DoesNotExist(f"Klasse {klasse.pk} findes ikke")
        _afvis_importeret(gemt.klassifikation)
        aendrede = [f for f, v in aendringer.items() if getattr(gemt, f) != v]
        ny = kopi(gemt)
        for felt in aendrede:
            setattr(ny, felt, aendringer[felt])
        if aendrede:
            _valider_klasse(ny, ny=False, fejl={}, arbejde=arbejde)
        return arbejde.planlaeg(
            gemt, ny, aendrede=tuple(aendrede), betegnelser=None, aktoer=_aktoer(actor)
        )
    with transaction.atomic():
        klasse = (
            Klasse.objects.select_for_update(of=("self",))
            .select_related("klassifikation")
            .get(pk=klasse.pk)
        )
        _afvis_importeret(klasse.klassifikation)
        felter = {f: v for f, v in aendringer.items() if f != "betegnelser"}
        aendrede = [f for f, v in felter.items() if getattr(klasse, f) != v]
        for felt in aendrede:
            setattr(klasse, felt, felter[felt])
        flyttet = "overordnet" in aendrede
        if flyttet:
            klasse.sti = _stier_for(klasse.overordnet)
            klasse.niveau = len(klasse.sti)
            aendrede += ["sti", "niveau"]
        if aendrede:
            _valider_klasse(klasse, ny=False, fejl={})
            klasse.save(update_fields=aendrede)
        if flyttet:
            _flyt_efterkommere(klasse)
        if "betegnelser" in aendringer:
            _skriv_betegnelser(klasse, aendringer["betegnelser"])
    logger.info("Klasse %s rettet af %s", klasse.pk, getattr(actor, "pk", None) or "system")
    return klasse


def _flyt_efterkommere(klasse: Klasse) -> None:
    praefiks = [*klasse.sti, klasse.pk]
    efterkommere = list(
        Klasse.objects.select_for_update(of=("self",))
        .filter(sti__contains=[klasse.pk])
        .order_by("pk")
    )
    for e in efterkommere:
        e.sti = praefiks + e.sti[e.sti.index(klasse.pk) + 1 :]
        e.niveau = len(e.sti)
    Klasse.objects.bulk_update(efterkommere, ["sti", "niveau"], batch_size=500)


def klasse_passivate(*, actor: User | None, klasse: Klasse) -> Klasse:
    """Retire a class of a local code system (status udgået); data that uses it keeps it.

    Retiring again changes nothing. Refuse an imported code system.
    """
    with transaction.atomic():
        klasse = (
            Klasse.objects.select_for_update(of=("self",))
            .select_related("klassifikation")
            .get(pk=klasse.pk)
        )
        _afvis_importeret(klasse.klassifikation)
        if klasse.status != Status.UDGAAET:
            klasse.status = Status.UDGAAET
            klasse.save(update_fields=["status"])
    logger.info("Klasse %s udgået ved %s", klasse.pk, getattr(actor, "pk", None) or "system")
    return klasse


# --- a unit of work's classes ------------------------------------------------------------------


@dataclass(frozen=True)
class _KlassePlan:
    objekt: Klasse | Klassifikation
    oprettet: bool
    aendrede: tuple[str, ...]
    betegnelser: dict[str, str] | None  # a new class's terms, word → use
    aktoer: str


@dataclass(frozen=True)
class _KlasseStand:
    klasse: Klasse
    ny: bool  # planned as new and not yet written


class KlasseArbejde:
    """The planned writes to local code systems and their classes in a unit of work
    (`Samling`), as a MOX chunk makes them: new code systems, new classes with their terms,
    and changes of a class's fields that neither move it nor name its terms. Each is
    validated as the single services validate it; `skriv()` writes the new code systems
    with one INSERT, the new classes with COPY, their terms with one INSERT and the changed
    classes with one upsert. Classes keep no history and send no signals.

    What the unit of work cannot answer from what it holds (does a class or a code system
    exist, which class has a code, the last place in a code system) it asks the database
    once and remembers; its owner loads what a chunk will read in one go first (`hent`,
    `kend`). The owner must write the plans (`skriv`) before anything else reads the
    tables (the other kinds read classes, and cache them), and call `glem` after writing
    to them any other way.

    `stande` holds what the plans made (a plan replaces an entry and never changes it, so
    `Samling.delvis` undoes a failed message's plans): ("klasse", id) → _KlasseStand,
    ("uri", uri) and ("kodesystem", id) → Klassifikation, ("kode", code system id, code) →
    the class with that code or None, ("sidste", code system id) → its last place.
    """

    def __init__(self) -> None:
        self.stande: dict[Any, Any] = {}
        self.planer: list[_KlassePlan] = []
        self._db: dict[Any, Any] = {}  # the same keys, as the database answered

    def _slaa_op(self, noegle: tuple, spoerg: Callable[[], Any]) -> Any:
        if noegle in self.stande:
            return self.stande[noegle]
        if noegle not in self._db:
            self._db[noegle] = spoerg()
        return self._db[noegle]

    def hent(self, ids: Iterable[uuid.UUID], *, laas: bool) -> None:
        """Load (locked with `laas`: classes the chunk changes) the classes not yet known,
        with their code systems, in one query; remember the absent ones."""
        mangler = {
            i for i in ids if ("klasse", i) not in self.stande and ("klasse", i) not in self._db
        }
        if not mangler:
            return
        qs = Klasse.objects.select_related("klassifikation").filter(pk__in=mangler)
        if laas:
            qs = qs.select_for_update(of=("self",))
        fundne = {k.pk: k for k in qs}
        for i in mangler:
            k = fundne.get(i)
            self._db[("klasse", i)] = _KlasseStand(k, ny=False) if k is not None else None

    def kend(
        self,
        *,
        uris: Iterable[str] = (),
        kodesystemer: Iterable[uuid.UUID] = (),
        koder: Iterable[tuple[uuid.UUID, str]] = (),
    ) -> None:
        """Ask, in one query each, for the code systems with these URIs or ids, the last
        places of the code systems, and which classes have these codes."""
        uris = {u for u in uris if ("uri", u) not in self._db}
        ids = {i for i in kodesystemer if ("kodesystem", i) not in self._db}
        if uris or ids:
            fundne = list(Klassifikation.objects.filter(Q(uri__in=uris) | Q(pk__in=ids)))
            for u in uris:
                self._db[("uri", u)] = next((k for k in fundne if k.uri == u), None)
            for i in ids:
                self._db[("kodesystem", i)] = next((k for k in fundne if k.pk == i), None)
        sidste = {i for i in kodesystemer if ("sidste", i) not in self._db}
        if sidste:
            svar = dict(
                Klasse.objects.filter(klassifikation_id__in=sidste)
                .values("klassifikation_id")
                .annotate(m=Max("raekkefoelge"))
                .values_list("klassifikation_id", "m")
            )
            for i in sidste:
                self._db[("sidste", i)] = svar.get(i) or 0
        ukendte = {(k, c) for k, c in koder if ("kode", k, c) not in self._db}
        if ukendte:
            betingelse = Q(pk__in=[])
            for k, c in ukendte:
                betingelse |= Q(klassifikation_id=k, kode=c)
            brugt = {
                (k, c): pk
                for k, c, pk in Klasse.objects.filter(betingelse).values_list(
                    "klassifikation_id", "kode", "pk"
                )
            }
            for k, c in ukendte:
                self._db[("kode", k, c)] = brugt.get((k, c))

    def klasse(self, pk: uuid.UUID) -> Klasse | None:
        """Return the class as it stands here (planned, or from the database), or None."""
        stand = self._slaa_op(
            ("klasse", pk),
            lambda: (
                _KlasseStand(k, ny=False)
                if (
                    k := Klasse.objects.select_for_update(of=("self",))
                    .select_related("klassifikation")
                    .filter(pk=pk)
                    .first()
                )
                is not None
                else None
            ),
        )
        return stand.klasse if stand is not None else None

    def klassifikation(
        self, *, uri: str | None = None, pk: uuid.UUID | None = None
    ) -> Klassifikation | None:
        """Return the code system with this URI (or id), planned or in the database."""
        if uri is not None or pk is None:
            return self._slaa_op(
                ("uri", uri), lambda: Klassifikation.objects.filter(uri=uri).first()
            )
        return self._slaa_op(
            ("kodesystem", pk), lambda: Klassifikation.objects.filter(pk=pk).first()
        )

    def kode_brugt_af(self, klassifikation_id: uuid.UUID, kode: str) -> uuid.UUID | None:
        """Return the class that has `kode` in the code system, planned or in the database."""
        return self._slaa_op(
            ("kode", klassifikation_id, kode),
            lambda: (
                Klasse.objects.filter(klassifikation_id=klassifikation_id, kode=kode)
                .values_list("pk", flat=True)
                .first()
            ),
        )

    def sidste_raekkefoelge(self, klassifikation_id: uuid.UUID) -> int:
        return self._slaa_op(
            ("sidste", klassifikation_id),
            lambda: (
                Klasse.objects.filter(klassifikation_id=klassifikation_id).aggregate(
                    m=Max("raekkefoelge")
                )["m"]
                or 0
            ),
        )

    def planlaeg_klassifikation(
        self, klassifikation: Klassifikation, *, aktoer: str
    ) -> Klassifikation:
        self.stande[("uri", klassifikation.uri)] = klassifikation
        self.stande[("kodesystem", klassifikation.pk)] = klassifikation
        self.stande[("sidste", klassifikation.pk)] = 0
        self.planer.append(_KlassePlan(klassifikation, True, (), None, aktoer))
        return klassifikation

    def planlaeg(
        self,
        forrige: Klasse | None,
        klasse: Klasse,
        *,
        aendrede: tuple[str, ...],
        betegnelser: dict[str, str] | None,
        aktoer: str,
    ) -> Klasse:
        kid = klasse.klassifikation_id
        if forrige is None:
            self.stande[("sidste", kid)] = klasse.raekkefoelge
            ny = True
        else:
            ny = self.stande.get(("klasse", klasse.pk), _KlasseStand(forrige, False)).ny
            if forrige.kode != klasse.kode:
                self.stande[("kode", kid, forrige.kode)] = None
        self.stande[("kode", kid, klasse.kode)] = klasse.pk
        self.stande[("klasse", klasse.pk)] = _KlasseStand(klasse, ny=ny)
        self.planer.append(_KlassePlan(klasse, forrige is None, aendrede, betegnelser, aktoer))
        return klasse

    def nye_klasser(self) -> list[uuid.UUID]:
        """Return the ids of the classes planned as new and not yet written."""
        return [p.objekt.pk for p in self.planer if p.oprettet and isinstance(p.objekt, Klasse)]

    def skriv(self) -> list:
        planer, self.planer = self.planer, []
        if not planer:
            return []
        nye_kodesystemer = [p.objekt for p in planer if isinstance(p.objekt, Klassifikation)]
        if nye_kodesystemer:
            Klassifikation.objects.bulk_create(nye_kodesystemer)
        sidste: dict[uuid.UUID, Klasse] = {
            p.objekt.pk: p.objekt for p in planer if isinstance(p.objekt, Klasse)
        }
        nye = {p.objekt.pk for p in planer if p.oprettet and isinstance(p.objekt, Klasse)}
        kopier_ind(Klasse, [k for pk, k in sidste.items() if pk in nye], ny_noegle=False)
        opdater_alle(Klasse, [k for pk, k in sidste.items() if pk not in nye])
        betegnelser = [
            Betegnelse(klasse_id=p.objekt.pk, tekst=tekst, brug=brug,
                       kilde=p.objekt.klassifikation.uri)
            for p in planer
            if p.betegnelser and isinstance(p.objekt, Klasse)
            for tekst, brug in p.betegnelser.items()
        ]  # fmt: skip
        if betegnelser:
            Betegnelse.objects.bulk_create(betegnelser)
        # the foreign keys (a class under a class or in a code system planned in the same
        # go) are checked now, not at commit: a broken one fails here, where the owner can
        # still start over
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for pk, klasse in sidste.items():
            self.stande[("klasse", pk)] = _KlasseStand(klasse, ny=False)
        for p in planer:
            if isinstance(p.objekt, Klassifikation):
                logger.info("Lokal klassifikation %s oprettet af %s", p.objekt.uri, p.aktoer)
            elif p.oprettet:
                logger.info("Klasse %s oprettet af %s", p.objekt.pk, p.aktoer)
            else:
                logger.info("Klasse %s rettet af %s", p.objekt.pk, p.aktoer)
        return []

    def glem(self) -> None:
        """Forget what was read: the tables were written outside the plans (which were
        written first)."""
        assert not self.planer, "skriv planerne før der skrives uden om dem"
        self.stande.clear()
        self._db.clear()


def klasse_arbejde(samling: Samling) -> KlasseArbejde:
    """Return the unit of work's part for code systems and classes (made on first use)."""
    return samling.del_(KlasseArbejde, KlasseArbejde)  # type: ignore[return-value]
