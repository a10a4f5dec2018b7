"""Every write to the case index (sagsindeks): register, correct and passivate a Sag.

Shared by MOX (mox/behandling/sag.py), the demo and the admin (which only reads). Each
service runs in one transaction, locks the Sag it changes, and appends a SagRegistrering
with the metadata after the change, so the index keeps its history; in the same
transaction it sends `data_aendret` (sender Sag) with that registration, which writes the
outbound notifications to the systems that subscribe to cases (mox.udgaaende).

A reference to a unit, an authority or a caseworker is given as a model instance, as a
uuid, or as None. A uuid Datadeling knows becomes the foreign key as well; an unknown one
is kept as the uuid the other system uses (with a name, if the message had one).
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from datadeling.core import clock
from datadeling.core.bitemporal import Livscykluskode
from datadeling.core.historik import Aendring
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


def _registrer(
    sag: Sag,
    *,
    livscykluskode: str,
    actor: User | None,
    aktoer_tekst: str,
    begrundelse: str,
    now: datetime.datetime,
) -> SagRegistrering:
    senest = sag.registreringer.aggregate(n=Max("nummer"))["n"] or 0
    return SagRegistrering.objects.create(
        sag=sag,
        nummer=senest + 1,
        tidspunkt=now,
        livscykluskode=livscykluskode,
        aktoer=actor,
        aktoer_tekst=aktoer_tekst[:255],
        begrundelse=begrundelse,
        data=_oejebliksbillede(sag),
    )


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
    with transaction.atomic():
        if Sag.objects.filter(pk=sag_id).exists():
            raise ValidationError(_("Der findes allerede en sag med dette id."), code="findes")
        sag = Sag.objects.create(
            id=sag_id, borger=borger, livscykluskode=kode, aktiv=True, oprettet=now,
            opdateret=now, **felter,
        )  # fmt: skip
        reg = _registrer(
            sag, livscykluskode=kode, actor=actor, aktoer_tekst=aktoer_tekst,
            begrundelse=begrundelse, now=now,
        )  # fmt: skip
        data_aendret(
            sender=Sag, aendringer=[Aendring(objekt=sag, registrering=reg, livscykluskode=kode)]
        )
    return sag


def _laas(sag: Sag) -> Sag:
    laast = Sag.objects.select_for_update(of=("self",)).get(pk=sag.pk)
    if not laast.aktiv:
        raise ValidationError(
            _("Sagen er passiveret i sagsindekset og kan ikke ændres."), code="passiveret"
        )
    return laast


def sag_update(
    *,
    actor: User | None,
    sag: Sag,
    aendringer: Mapping[str, Any],
    aktoer_tekst: str = "",
    begrundelse: str = "",
) -> Sag:
    """Correct a case's metadata with the fields in `aendringer` (the others stay).

    The citizen cannot change. A case that is closed (fremdrift Afsluttet) gets today as
    its end date unless it has or is given one; a case reopened loses its end date unless
    one is given.
    """
    if not aendringer:
        raise ValidationError(_("Der er ingen ændringer."), code="tom")
    with transaction.atomic():
        laast = _laas(sag)
        felter = {f: getattr(laast, f) for f in FELTER}
        felter.update(_forbered(aendringer))
        genaabnet = laast.afsluttet and felter["fremdrift"] != SagFremdrift.AFSLUTTET
        if genaabnet and "slutdato" not in aendringer:
            felter["slutdato"] = None
        _afslut_dato(felter)
        _valider(felter)
        now = clock.now()
        for felt, vaerdi in felter.items():
            setattr(laast, felt, vaerdi)
        laast.livscykluskode = Livscykluskode.RETTET
        laast.opdateret = now
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
) -> Sag:
    """Passivate (or mark deleted) a case: it leaves the index, its history stays."""
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
