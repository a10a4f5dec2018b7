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
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from klassifikation import kendte
from klassifikation.models import Betegnelse, Klasse, Klassifikation, Status

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

KL_URIER = frozenset({kendte.FSIII_URI, kendte.FFB_URI, kendte.CSC_URI})
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
) -> Klassifikation:
    """Return the local code system with `uri`, creating it on first use.

    Refuse when the URI belongs to an imported code system, or the id to a code system with
    another URI. Two transactions creating the same one at once both get it.
    """

    def tjek(fundet: Klassifikation) -> Klassifikation:
        _afvis_importeret(fundet)
        if klassifikation_id is not None and fundet.pk != klassifikation_id:
            raise ValidationError(
                {"uri": _("Kodesystemet findes allerede med et andet id.")}, code="uri_optaget"
            )
        return fundet

    fundet = Klassifikation.objects.filter(uri=uri).first()
    if fundet is not None:
        return tjek(fundet)
    if klassifikation_id is not None:
        andet = Klassifikation.objects.filter(pk=klassifikation_id).first()
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


def _valider_klasse(klasse: Klasse, *, ny: bool, fejl: dict[str, list[str]]) -> None:
    if ny and Klasse.objects.filter(pk=klasse.pk).exists():
        fejl.setdefault("id", []).append(_("Der findes allerede en klasse med dette id."))
    samme_kode = Klasse.objects.filter(klassifikation_id=klasse.klassifikation_id, kode=klasse.kode)
    if not ny:
        samme_kode = samme_kode.exclude(pk=klasse.pk)
    if klasse.kode and samme_kode.exists():
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
        klasse.full_clean(exclude={"id", *fejl})
    except ValidationError as e:
        for felt, beskeder in e.message_dict.items():
            if felt == NON_FIELD_ERRORS and fejl:
                continue  # a constraint on a field we already named
            fejl.setdefault(felt, []).extend(beskeder)
    if fejl:
        raise ValidationError(fejl)


def _skriv_betegnelser(klasse: Klasse, betegnelser: Iterable[tuple[str, str]]) -> None:
    """Replace the class's terms that came from its own code system with `betegnelser`.

    Terms entered by hand or imported from elsewhere stay; a word that is already there
    (from another source) is not added twice.
    """
    kilde = klasse.klassifikation.uri
    oenskede: dict[str, str] = {}
    for tekst, brug in betegnelser:
        tekst = (tekst or "").strip()[:500]
        if tekst:
            oenskede.setdefault(tekst, (brug or "").strip()[:128])
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
) -> Klasse:
    """Create a class in a local code system, below `overordnet` (a root without).

    `betegnelser` are (word, use) pairs, kept as the class's terms from its own code system.
    `klasse_id` keeps an identifier given by another system. Refuse an imported code system.
    """
    with transaction.atomic():
        _afvis_importeret(klassifikation)
        sti = _stier_for(overordnet)
        naeste = (
            Klasse.objects.filter(klassifikation=klassifikation).aggregate(m=Max("raekkefoelge"))[
                "m"
            ]
            or 0
        ) + 1
        klasse = Klasse(
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
        _valider_klasse(klasse, ny=True, fejl={})
        klasse.save(force_insert=True)
        _skriv_betegnelser(klasse, betegnelser)
    logger.info("Klasse %s oprettet af %s", klasse.pk, getattr(actor, "pk", None) or "system")
    return klasse


def klasse_update(*, actor: User | None, klasse: Klasse, aendringer: Mapping[str, Any]) -> Klasse:
    """Change a class of a local code system; only the fields in `aendringer` change.

    Fields: kode, titel, definition, overordnet, status, egenskaber (replaced whole),
    gyldig_fra, gyldig_til, betegnelser (the terms from its own code system, replaced).
    A new parent moves the class with its subtree. Refuse an imported code system.
    """
    ukendte = set(aendringer) - KLASSE_FELTER
    if ukendte:
        raise TypeError(f"Ukendte felter: {sorted(ukendte)}")
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
