"""Every write to the case index (sagsindeks): register, correct and passivate a Sag.

Shared by MOX (mox/behandling/sag.py), the demo and the admin (which only reads). Each
service runs in one transaction, locks the Sag it changes, and appends a SagRegistrering
with the metadata after the change, so the index keeps its history; in the same
transaction it sends `data_aendret` (sender Sag) with that registration, which writes the
outbound notifications to the systems that subscribe to cases (mox.udgaaende).

A reference to a unit, an authority or a caseworker is given as a model instance, as a
uuid, or as None. A uuid Datadeling knows becomes the foreign key as well; an unknown one
is kept as the uuid the other system uses (with a name, if the message had one).

Given `samling=` (a `datadeling.core.historik.Samling`, as a MOX chunk passes), a service
validates and computes exactly as above but writes nothing: the change is planned into
the unit of work's part for cases (`SagArbejde`), the next call about the same case
builds on it, and the owner writes every planned case and registration together
(`SagArbejde.skriv`: a few statements whatever their number, then one `data_aendret`).
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from datadeling.core import clock
from datadeling.core.bitemporal import Livscykluskode
from datadeling.core.historik import Aendring, Samling, kopi, kopier_ind, opdater_alle
from datadeling.core.hooks import data_aendret
from organisation.models import Borger, Enhed, Medarbejder, Myndighed
from sagsindeks.models import KLE_MOENSTER, Sag, SagFremdrift, SagRegistrering

if TYPE_CHECKING:
    from django.contrib.auth.models import User

KLE = re.compile(KLE_MOENSTER)
# field → (the model it may point at, the uuid field, the name field)
HENVISNINGER: dict[str, tuple[type[Enhed] | type[Myndighed] | type[Medarbejder], str, str]] = {
    "ansvarlig_enhed": (Enhed, "ansvarlig_enhed_uuid", "ansvarlig_enhed_navn"),
    "myndighed": (Myndighed, "myndighed_uuid", "myndighed_navn"),
    "primaerbehandler": (Medarbejder, "primaerbehandler_uuid", "primaerbehandler_navn"),
}
TEKSTER = {
    "kildesystem": 128,
    "kildesystem_id": 255,
    "sagsnummer": 255,
    "titel": 500,
    "ansvarlig_enhed_navn": 255,
    "myndighed_navn": 255,
    "primaerbehandler_navn": 255,
}
FELTER = frozenset(
    {*TEKSTER, *HENVISNINGER, "kle_nummer", "kle_klasse_uuid", "fremdrift", "startdato",
     "slutdato"}
)  # fmt: skip
STANDARD: dict[str, Any] = {
    "sagsnummer": "",
    "kle_nummer": "",
    "kle_klasse_uuid": None,
    "ansvarlig_enhed": None,
    "ansvarlig_enhed_navn": "",
    "myndighed": None,
    "myndighed_navn": "",
    "primaerbehandler": None,
    "primaerbehandler_navn": "",
    "slutdato": None,
}


def _idag() -> datetime.date:
    return timezone.localtime(clock.now()).date()


def _som_uuid(vaerdi: Any, felt: str, fejl: dict[str, list[str]]) -> uuid.UUID | None:
    if vaerdi is None or vaerdi == "":
        return None
    if isinstance(vaerdi, uuid.UUID):
        return vaerdi
    try:
        return uuid.UUID(str(vaerdi))
    except ValueError:
        fejl.setdefault(felt, []).append(_("Skal være en UUID."))
        return None


def _valider(felter: dict[str, Any]) -> None:
    """Check the metadata of a case as a whole; raise ValidationError naming each field."""
    fejl: dict[str, list[str]] = {}

    def problem(felt: str, tekst: str) -> None:
        fejl.setdefault(felt, []).append(tekst)

    for felt, laengde in TEKSTER.items():
        vaerdi = felter.get(felt, "")
        if not isinstance(vaerdi, str):
            problem(felt, _("Skal være en tekst."))
        elif len(vaerdi) > laengde:
            problem(felt, _("Højst %(n)d tegn.") % {"n": laengde})
    if not felter.get("titel"):
        problem("titel", _("Sagen skal have en titel."))
    if not felter.get("kildesystem"):
        problem("kildesystem", _("Sagen skal have sit kildesystem."))
    if not felter.get("kildesystem_id"):
        problem("kildesystem_id", _("Sagen skal have sit id i kildesystemet."))
    kle = felter.get("kle_nummer", "")
    if kle and not (isinstance(kle, str) and KLE.match(kle)):
        problem("kle_nummer", _("Et KLE-nummer har formen 27, 27.24 eller 27.24.00."))
    if felter.get("fremdrift") not in SagFremdrift.values:
        problem(
            "fremdrift",
            _("Ukendt fremdrift; brug en af: %(v)s.") % {"v": ", ".join(SagFremdrift.values)},
        )
    start, slut = felter.get("startdato"), felter.get("slutdato")
    if not isinstance(start, datetime.date) or isinstance(start, datetime.datetime):
        problem("startdato", _("Sagen skal have en startdato."))
        start = None
    elif start > _idag():
        problem("startdato", _("Startdatoen kan ikke ligge i fremtiden."))
    if slut is not None:
        if not isinstance(slut, datetime.date) or isinstance(slut, datetime.datetime):
            problem("slutdato", _("Slutdatoen skal være en dato."))
        elif start is not None and slut < start:
            problem("slutdato", _("Slutdatoen kan ikke ligge før startdatoen."))
    if fejl:
        raise ValidationError(fejl, code="ugyldig")


def _forbered(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the model's field values for `data`: references resolved, text trimmed."""
    ukendte = set(data) - FELTER
    if ukendte:
        raise TypeError(f"Ukendte felter for en sag: {sorted(ukendte)}")
    fejl: dict[str, list[str]] = {}
    felter: dict[str, Any] = {}
    for felt, vaerdi in data.items():
        if felt in HENVISNINGER:
            model, uuid_felt, _navn = HENVISNINGER[felt]
            if isinstance(vaerdi, model):
                felter[felt], felter[uuid_felt] = vaerdi, vaerdi.pk
            else:
                noegle = _som_uuid(vaerdi, felt, fejl)
                felter[uuid_felt] = noegle
                felter[felt] = model.objects.filter(pk=noegle).first() if noegle else None
        elif felt == "kle_klasse_uuid":
            felter[felt] = _som_uuid(vaerdi, felt, fejl)
        elif isinstance(vaerdi, str):
            felter[felt] = vaerdi.strip()
        else:
            felter[felt] = vaerdi
    if fejl:
        raise ValidationError(fejl, code="ugyldig")
    return felter


def _oejebliksbillede(sag: Sag) -> dict[str, Any]:
    """Return the case's metadata as JSON for its registration."""
    data: dict[str, Any] = {"borger": str(sag.borger_id)}
    uuid_felter = {uuid_felt for _m, uuid_felt, _n in HENVISNINGER.values()}
    for felt in sorted(FELTER - set(HENVISNINGER) | uuid_felter):
        vaerdi = getattr(sag, felt)
        if isinstance(vaerdi, uuid.UUID | datetime.date):
            vaerdi = str(vaerdi) if isinstance(vaerdi, uuid.UUID) else vaerdi.isoformat()
        data[felt] = vaerdi
    data["aktiv"] = sag.aktiv
    return data


def _ny_registrering(
    sag: Sag,
    *,
    nummer: int,
    livscykluskode: str,
    actor: User | None,
    aktoer_tekst: str,
    begrundelse: str,
    now: datetime.datetime,
) -> SagRegistrering:
    return SagRegistrering(
        sag=sag,
        nummer=nummer,
        tidspunkt=now,
        livscykluskode=livscykluskode,
        aktoer=actor,
        aktoer_tekst=aktoer_tekst[:255],
        begrundelse=begrundelse,
        data=_oejebliksbillede(sag),
    )


def _registrer(sag: Sag, **kwargs: Any) -> SagRegistrering:
    senest = sag.registreringer.aggregate(n=Max("nummer"))["n"] or 0
    reg = _ny_registrering(sag, nummer=senest + 1, **kwargs)
    reg.save(force_insert=True)
    return reg


def _afslut_dato(felter: dict[str, Any]) -> None:
    """A closed case has an end date: today, when the system did not give one."""
    if felter.get("fremdrift") == SagFremdrift.AFSLUTTET and felter.get("slutdato") is None:
        felter["slutdato"] = max(_idag(), felter.get("startdato") or _idag())


def sag_register(
    *,
    actor: User | None,
    borger: Borger,
    data: Mapping[str, Any],
    sag_id: uuid.UUID | None = None,
    importeret: bool = False,
    aktoer_tekst: str = "",
    begrundelse: str = "",
    samling: Samling | None = None,
) -> Sag:
    """Register a case about a citizen held in another system (metadata only).

    `data` holds the Sag's fields by name: titel, kildesystem, kildesystem_id (the
    sender's brugervendtnoegle; the sag's id when empty), fremdrift and startdato are
    required; sagsnummer, kle_nummer, kle_klasse_uuid, ansvarlig_enhed, myndighed,
    primaerbehandler (each an instance or a uuid), their *_navn and slutdato are optional.
    `sag_id` keeps the sender's objektID; `importeret` marks it as arrived from another
    system (livscykluskode Importeret).
    """
    sag_id = sag_id or uuid.uuid4()
    felter = {**STANDARD, **_forbered(data)}
    if not felter.get("kildesystem_id"):
        felter["kildesystem_id"] = str(sag_id)
    _afslut_dato(felter)
    _valider(felter)
    now = clock.now()
    kode = Livscykluskode.IMPORTERET if importeret else Livscykluskode.OPSTAAET
    ny = Sag(
        id=sag_id, borger=borger, livscykluskode=kode, aktiv=True, oprettet=now,
        opdateret=now, **felter,
    )  # fmt: skip
    if samling is not None:
        return _arbejde(samling).planlaeg(
            None, ny, livscykluskode=kode, actor=actor, aktoer_tekst=aktoer_tekst,
            begrundelse=begrundelse, now=now,
        )  # fmt: skip
    with transaction.atomic():
        if Sag.objects.filter(pk=sag_id).exists():
            raise ValidationError(_("Der findes allerede en sag med dette id."), code="findes")
        ny.save(force_insert=True)
        sag = ny
        reg = _registrer(
            sag, livscykluskode=kode, actor=actor, aktoer_tekst=aktoer_tekst,
            begrundelse=begrundelse, now=now,
        )  # fmt: skip
        data_aendret(
            sender=Sag, aendringer=[Aendring(objekt=sag, registrering=reg, livscykluskode=kode)]
        )
    return sag


def _aktiv(sag: Sag) -> Sag:
    if not sag.aktiv:
        raise ValidationError(
            _("Sagen er passiveret i sagsindekset og kan ikke ændres."), code="passiveret"
        )
    return sag


def _laas(sag: Sag) -> Sag:
    return _aktiv(Sag.objects.select_for_update(of=("self",)).get(pk=sag.pk))


def _ret(laast: Sag, aendringer: Mapping[str, Any], now: datetime.datetime) -> None:
    """Apply `aendringer` to the (locked) case, validated as a whole."""
    # the references as they are stay as they are (reading them would load each row)
    felter = {f: getattr(laast, f) for f in FELTER - HENVISNINGER.keys()}
    felter.update(_forbered(aendringer))
    genaabnet = laast.afsluttet and felter["fremdrift"] != SagFremdrift.AFSLUTTET
    if genaabnet and "slutdato" not in aendringer:
        felter["slutdato"] = None
    _afslut_dato(felter)
    _valider(felter)
    for felt, vaerdi in felter.items():
        setattr(laast, felt, vaerdi)
    laast.livscykluskode = Livscykluskode.RETTET
    laast.opdateret = now


def sag_update(
    *,
    actor: User | None,
    sag: Sag,
    aendringer: Mapping[str, Any],
    aktoer_tekst: str = "",
    begrundelse: str = "",
    samling: Samling | None = None,
) -> Sag:
    """Correct a case's metadata with the fields in `aendringer` (the others stay).

    The citizen cannot change. A case that is closed (fremdrift Afsluttet) gets today as
    its end date unless it has or is given one; a case reopened loses its end date unless
    one is given.
    """
    if not aendringer:
        raise ValidationError(_("Der er ingen ændringer."), code="tom")
    if samling is not None:
        arbejde = _arbejde(samling)
        stand = arbejde.stand(sag.pk)
        ny = kopi(_aktiv(stand.sag))
        now = clock.now()
        _ret(ny, aendringer, now)
        return arbejde.planlaeg(
            stand, ny, livscykluskode=Livscykluskode.RETTET, actor=actor,
            aktoer_tekst=aktoer_tekst, begrundelse=begrundelse, now=now,
        )  # fmt: skip
    with transaction.atomic():
        laast = _laas(sag)
        now = clock.now()
        _ret(laast, aendringer, now)
        laast.save()
        reg = _registrer(
            laast, livscykluskode=Livscykluskode.RETTET, actor=actor,
            aktoer_tekst=aktoer_tekst, begrundelse=begrundelse, now=now,
        )  # fmt: skip
        data_aendret(
            sender=Sag,
            aendringer=[
                Aendring(objekt=laast, registrering=reg, livscykluskode=Livscykluskode.RETTET)
            ],
        )
    return laast


def sag_passivate(
    *,
    actor: User | None,
    sag: Sag,
    begrundelse: str = "",
    slet: bool = False,
    aktoer_tekst: str = "",
    samling: Samling | None = None,
) -> Sag:
    """Passivate (or mark deleted) a case: it leaves the index, its history stays."""
    if samling is not None:
        arbejde = _arbejde(samling)
        stand = arbejde.stand(sag.pk)
        ny = kopi(_aktiv(stand.sag))
        now = clock.now()
        kode = Livscykluskode.SLETTET if slet else Livscykluskode.PASSIVERET
        ny.aktiv, ny.livscykluskode, ny.opdateret = False, kode, now
        return arbejde.planlaeg(
            stand, ny, livscykluskode=kode, actor=actor, aktoer_tekst=aktoer_tekst,
            begrundelse=begrundelse, now=now,
        )  # fmt: skip
    with transaction.atomic():
        laast = _laas(sag)
        now = clock.now()
        kode = Livscykluskode.SLETTET if slet else Livscykluskode.PASSIVERET
        laast.aktiv = False
        laast.livscykluskode = kode
        laast.opdateret = now
        laast.save(update_fields=["aktiv", "livscykluskode", "opdateret"])
        reg = _registrer(
            laast, livscykluskode=kode, actor=actor, aktoer_tekst=aktoer_tekst,
            begrundelse=begrundelse, now=now,
        )  # fmt: skip
        data_aendret(
            sender=Sag, aendringer=[Aendring(objekt=laast, registrering=reg, livscykluskode=kode)]
        )
    return laast


# --- planned writes (a MOX chunk) -----------------------------------------------------------


@dataclass(frozen=True)
class _SagStand:
    sag: Sag  # the case as planned so far (a copy of its own)
    nummer: int  # of its newest registration (0: none yet)
    ny: bool  # not in the database yet


@dataclass(frozen=True)
class _SagPlan:
    stand: _SagStand
    registrering: SagRegistrering


class SagArbejde:
    """The planned writes to the case index in a unit of work (`Samling`): each planned
    change is a case as it stands after it and its registration; `skriv()` inserts the
    new cases, updates the changed ones, inserts the registrations, and sends one
    `data_aendret` with every change in the order they were planned."""

    def __init__(self) -> None:
        self.stande: dict[uuid.UUID, _SagStand] = {}
        self.planer: list[_SagPlan] = []

    def hent(self, sag_ids: Iterable[uuid.UUID]) -> None:
        """Lock and load the cases not yet in the unit of work, with the number of their
        newest registration (one query)."""
        mangler = {i for i in sag_ids if i not in self.stande}
        if not mangler:
            return
        senest = SagRegistrering.objects.filter(sag=OuterRef("pk")).order_by("-nummer")
        for sag in (
            Sag.objects.select_for_update(of=("self",), no_key=True)
            .annotate(senest_nummer=Subquery(senest.values("nummer")[:1]))
            .filter(pk__in=mangler)
        ):
            nummer = sag.__dict__.pop("senest_nummer") or 0
            self.stande[sag.pk] = _SagStand(sag, nummer, ny=False)

    def find(self, sag_id: uuid.UUID) -> Sag | None:
        """Return the case as it stands in the unit of work (locked), None if unknown."""
        if sag_id not in self.stande:
            self.hent([sag_id])
        stand = self.stande.get(sag_id)
        return None if stand is None else stand.sag

    def stand(self, sag_id: uuid.UUID) -> _SagStand:
        if sag_id not in self.stande:
            self.hent([sag_id])
        if sag_id not in self.stande:
            raise Sag.DoesNotExist(f"Sag {sag_id} findes ikke")
        return self.stande[sag_id]

    def planlaeg(
        self,
        forrige: _SagStand | None,
        sag: Sag,
        *,
        livscykluskode: str,
        actor: User | None,
        aktoer_tekst: str,
        begrundelse: str,
        now: datetime.datetime,
    ) -> Sag:
        if forrige is None and sag.pk in self.stande:
            raise ValidationError(_("Der findes allerede en sag med dette id."), code="findes")
        nummer = (forrige.nummer if forrige else 0) + 1
        reg = _ny_registrering(
            sag, nummer=nummer, livscykluskode=livscykluskode, actor=actor,
            aktoer_tekst=aktoer_tekst, begrundelse=begrundelse, now=now,
        )  # fmt: skip
        stand = _SagStand(sag, nummer, ny=forrige is None or forrige.ny)
        self.stande[sag.pk] = stand
        self.planer.append(_SagPlan(stand, reg))
        return sag

    def skriv(self) -> list[Aendring]:
        planer, self.planer = self.planer, []
        if not planer:
            return []
        sidste = {p.stand.sag.pk: p.stand for p in planer}
        nye = [s.sag for s in sidste.values() if s.ny]
        aendrede = [s.sag for s in sidste.values() if not s.ny]
        if nye:
            kopier_ind(Sag, nye, ny_noegle=False)
        # every case here exists and is locked by this transaction: an update
        opdater_alle(Sag, aendrede)
        for pk, s in sidste.items():
            if s.ny:
                self.stande[pk] = _SagStand(s.sag, s.nummer, ny=False)
        registreringer = [p.registrering for p in planer]
        for r, p in zip(registreringer, planer, strict=True):
            r.sag = p.stand.sag
        kopier_ind(SagRegistrering, registreringer)
        aendringer = [
            Aendring(objekt=p.stand.sag, registrering=p.registrering,
                     livscykluskode=p.registrering.livscykluskode)
            for p in planer
        ]  # fmt: skip
        data_aendret(sender=Sag, aendringer=aendringer)
        return aendringer


def sag_find(sag_id: uuid.UUID, *, samling: Samling) -> Sag | None:
    """Return the case as it stands in `samling` (locked), None if it does not exist."""
    return _arbejde(samling).find(sag_id)


def sag_forbered(sag_ids: Iterable[uuid.UUID], *, samling: Samling) -> None:
    """Lock and load these cases into `samling` in one query (a MOX chunk does so for
    the cases its messages change)."""
    _arbejde(samling).hent(sag_ids)


def _arbejde(samling: Samling) -> SagArbejde:
    return samling.del_(Sag, SagArbejde)  # type: ignore[return-value]
