"""Apply inbox messages through the domain services: a chunk in one transaction, each
message in a savepoint of its own.

`anvend_mange(ids)` locks the message rows (SKIP LOCKED: a duplicate task for messages
another worker holds does nothing to them), skips messages already finished (idempotent: a
redelivered task does nothing), takes the locks of the messages' objects (one message per
object at a time; see `koe`), and then, message by message in order of arrival, waits
behind earlier open messages for the same object or maps the OIO object and calls the
services in a savepoint. The messages' new statuses are written in the same transaction.
So for each message either the object changes and the message is behandlet, or nothing
changes and the message is fejlet (or still open): never half. Lookups of citizens,
classes and units are asked once per chunk (`datadeling.core.memo`).

Tilstand, indsats and sag messages (the bulk of the traffic) are planned, not written, one
by one: the chunk's unit of work (`datadeling.core.historik.Samling`) is passed to the
services (`samling=`), which validate and compute each new timeline in Python; a message
that fails has its plans undone (`Samling.delvis`, no savepoint needed), and the chunk's
registrations, versions, objects, grants and outbox rows are written together at the end
in a few statements. Units and staff are planned too, as far as the services can plan
them (`organisation.kan_planlaegges`); since the other kinds read them from the database,
their plans are written before a message that needs them (`organisation.skal_skrives_foer`)
and first at the end. Local classes are planned likewise (`klasse.kan_planlaegges`); the
other kinds read classes (and cache them and their rules), so the planned classes are
written before any message of another kind (`klasse.skal_skrives_foer`), and first of all
at the end. Should a joint write fail on
something the planning did not foresee (a database error), the chunk is rolled back and
applied again message by message, each in its savepoint, so the error stays with its
message.

Operations:
- create / import: register the object with the sender's objektID (`importeret`); later
  periods of the same field become corrections in the same transaction. An object that
  already exists with that id is an error (a message that already created it is
  behandlet and never gets here).
- update: every entry is a correction over its own period [from, to) (`*_correct`, with
  the message's note, or "Rettet i <system>", as the reason). An object not (yet) known
  makes the message wait for its create, up to MOX_MAKS_VENTETID, then it fails.
- passivate / delete: the object is passivated (delete: marked Slettet); history stays.
- update, passivate and delete change only objects the same system delivered (the
  object's kildesystem is the system's name): another system's object is, to the sender,
  as unknown as one that does not exist (it waits, then fails, with the same text).
- a system writes only for the units it is registered for (samtykke.policy.system): a
  system with none is refused before anything else, and so is data for another unit, or a
  change to an object whose responsible unit the system no longer writes for.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction

from datadeling.core import clock, historik, memo
from indsats import services as indsats_services
from indsats.models import Indsats
from mox import indstillinger
from mox.behandling import klasse as klasse_mox
from mox.behandling import koe, oio
from mox.behandling import organisation as organisation_mox
from mox.behandling import sag as sag_mox
from mox.behandling.faelles import (
    BORGER_SKIFTES,
    FINDES_ALLEREDE,
    FINDES_IKKE,
    IKKE_EGEN_ENHED,
    Afvist,
    Venter,
    fejl,
    fra_validation_error,
    kald,
    skrivbare,
    systemets_enhed,
)
from mox.models import Besked
from mox.protokol import Beskedtype, Operation, Status
from tilstand import services as tilstand_services
from tilstand.models import Tilstand

logger = logging.getLogger(__name__)

TRANSIENTE = (OperationalError, InterfaceError)
# Never a reason to fail a message: the transaction rolls back and the message stays open.
IKKE_BESKEDENS_SKYLD = (*TRANSIENTE, SoftTimeLimitExceeded)


class _Omstart(Exception):
    """The chunk's joint write failed: apply it again message by message."""


@dataclass(frozen=True)
class Haandtering:
    """How messages about one objekttype are applied.

    `findes(objekt_id)` says whether the object exists; `anvend(besked, objekt_findes)`
    applies the message through the services (inside the caller's transaction) and raises
    Afvist (permanent), Venter (not yet) or ValidationError (a service refused).
    Another object type (sag, klasse …) joins by adding an entry to HAANDTERINGER.
    """

    findes: Callable[[uuid.UUID], bool]
    anvend: Callable[[Besked, bool], None]
    # optional: which of many ids exist, in one query (a chunk asks once, not per message)
    findes_mange: Callable[[set[uuid.UUID]], set[uuid.UUID]] | None = None
    # optional, for the types whose services can plan their writes into a unit of work
    # and write nothing at once: lock and load, in one go, the objects a chunk's messages
    # change, and apply a message as plans into the chunk's unit of work
    forbered: Callable[[set[uuid.UUID], historik.Samling], None] | None = None
    planlaeg: Callable[[Besked, bool, historik.Samling], None] | None = None
    # optional, for types that plan some messages and write others at once: which are
    # planned, and the loading of what the chunk's messages of the type read, in one go
    kan_planlaegges: Callable[[Besked], bool] | None = None
    forbered_beskeder: Callable[[Sequence[Besked], historik.Samling], None] | None = None

    def planlaegger(self, besked: Besked, samling: historik.Samling | None) -> bool:
        """Return whether `besked` is planned into `samling` (else written at once)."""
        return (
            samling is not None
            and self.planlaeg is not None
            and (self.kan_planlaegges is None or self.kan_planlaegges(besked))
        )


@dataclass(frozen=True)
class Tjenester:
    """The services of a bitemporal object type (Tilstand, Indsats), by their MOX role."""

    model: Any
    register: Any
    correct: Any
    passivate: Any
    navn: str  # the keyword the services take the object by
    historik: historik.Historik

    def findes(self, objekt_id: uuid.UUID) -> bool:
        return self.model.objects.filter(pk=objekt_id).exists()

    def findes_mange(self, objekt_ids: set[uuid.UUID]) -> set[uuid.UUID]:
        return set(self.model.objects.filter(pk__in=objekt_ids).values_list("pk", flat=True))

    def anvend(self, besked: Besked, objekt_findes: bool) -> None:
        _anvend_historisk(besked, self, objekt_findes=objekt_findes, samling=None)

    def planlaeg(self, besked: Besked, objekt_findes: bool, samling: historik.Samling) -> None:
        _anvend_historisk(besked, self, objekt_findes=objekt_findes, samling=samling)

    def forbered(self, objekt_ids: set[uuid.UUID], samling: historik.Samling) -> None:
        self.historik.forbered(objekt_ids, samling=samling)

    def haandtering(self) -> Haandtering:
        return Haandtering(
            self.findes, self.anvend, self.findes_mange, self.forbered, self.planlaeg
        )


TILSTAND = Tjenester(
    Tilstand,
    tilstand_services.tilstand_register,
    tilstand_services.tilstand_correct,
    tilstand_services.tilstand_passivate,
    "tilstand",
    tilstand_services.historik,
)
INDSATS = Tjenester(
    Indsats,
    indsats_services.indsats_register,
    indsats_services.indsats_correct,
    indsats_services.indsats_passivate,
    "indsats",
    indsats_services.historik,
)
HAANDTERINGER: dict[str, Haandtering] = {
    "tilstand": TILSTAND.haandtering(),
    "indsats": INDSATS.haandtering(),
    "klasse": Haandtering(
        klasse_mox.findes,
        klasse_mox.anvend,
        klasse_mox.findes_mange,
        planlaeg=klasse_mox.planlaeg,
        kan_planlaegges=klasse_mox.kan_planlaegges,
        forbered_beskeder=klasse_mox.forbered,
    ),
    "organisationenhed": Haandtering(
        organisation_mox.enhed_findes,
        organisation_mox.enhed_anvend,
        organisation_mox.enhed_findes_mange,
        planlaeg=organisation_mox.enhed_planlaeg,
        kan_planlaegges=organisation_mox.kan_planlaegges,
        forbered_beskeder=organisation_mox.forbered,
    ),
    "bruger": Haandtering(
        organisation_mox.bruger_findes,
        organisation_mox.bruger_anvend,
        organisation_mox.bruger_findes_mange,
        planlaeg=organisation_mox.bruger_planlaeg,
        kan_planlaegges=organisation_mox.kan_planlaegges,
        forbered_beskeder=organisation_mox.forbered,
    ),
    "sag": Haandtering(
        sag_mox.findes, sag_mox.anvend, sag_mox.findes_mange, sag_mox.forbered, sag_mox.planlaeg
    ),
}


def anvend(besked_id: int) -> str | None:
    """Apply the inbox message `besked_id`; return its status afterwards (None: unknown id,
    or another worker holds it right now). See `anvend_mange`."""
    return anvend_mange([besked_id]).get(besked_id)


def anvend_mange(besked_ids: Sequence[int]) -> dict[int, str]:
    """Apply inbox messages in one transaction, in order of arrival, each in a savepoint of
    its own; return {id: status afterwards} for the messages this call could claim.

    Messages another worker holds right now (a duplicate task) are skipped: that worker
    finishes them, or the sweep offers them again if it dies. Raises
    OperationalError/InterfaceError on transient trouble (an object's lock held past the
    lock timeout, the database gone): the whole chunk rolls back and the caller retries.
    Every other problem ends in the message's own status.
    """
    try:
        return _anvend_mange(besked_ids, samlet=True)
    except _Omstart as e:
        logger.warning(
            "MOX: samlet skrivning af %d beskeder fejlede (%s); de anvendes igen én ad gangen",
            len(besked_ids),
            type(e.__cause__).__name__,
        )
        return _anvend_mange(besked_ids, samlet=False)


def _anvend_mange(besked_ids: Sequence[int], *, samlet: bool) -> dict[int, str]:
    samling = historik.Samling() if samlet else None
    with transaction.atomic(), memo.aktiv():
        beskeder = list(
            Besked.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("system")
            .filter(pk__in=list(besked_ids))
            .order_by("modtaget", "pk")
        )
        resultat = {b.pk: b.status for b in beskeder}
        aabne = [b for b in beskeder if b.status in koe.AABNE]
        if not aabne:
            return resultat
        koe.laas_objekter(aabne)
        koeen = koe.Koe(aabne)
        findes = _findes(aabne)
        oio.forudhent(b.data for b in aabne)
        if samling is not None:
            _forbered(aabne, samling)
        for besked in aabne:
            besked.forsoeg += 1
            haandtering = HAANDTERINGER.get(besked.objekttype)
            noegle = (besked.objekttype, besked.objekt_id)
            if noegle not in findes:
                findes[noegle] = haandtering is not None and haandtering.findes(besked.objekt_id)
            if koeen.har_forgaenger(besked, objekt_findes=findes[noegle]):
                besked.status = Status.VENTER
                besked.fejl = [fejl("objektID", "Venter på en tidligere besked om samme objekt.")]
            else:
                if samling is not None and klasse_mox.skal_skrives_foer(besked, samling):
                    _skriv_samlet(klasse_mox.skriv, samling)
                if samling is not None and organisation_mox.skal_skrives_foer(besked, samling):
                    _skriv_samlet(organisation_mox.skriv, samling)
                _proev(
                    besked,
                    haandtering,
                    objekt_findes=findes[noegle],
                    samling=samling,
                )
                if (
                    samling is not None
                    and besked.objekttype in organisation_mox.OBJEKTTYPER
                    and haandtering is not None
                    and not haandtering.planlaegger(besked, samling)
                ):
                    organisation_mox.skrevet_uden_om(samling)
                if (
                    samling is not None
                    and besked.objekttype == "klasse"
                    and haandtering is not None
                    and not haandtering.planlaegger(besked, samling)
                ):
                    klasse_mox.skrevet_uden_om(samling)
                if besked.status == Status.BEHANDLET and besked.operation in koe.OPRETTER:
                    findes[noegle] = True
            koeen.proevet(besked)
            resultat[besked.pk] = besked.status
        if samling is not None:
            # classes, units and staff first: the other kinds' after-change hooks may read
            # them
            _skriv_samlet(_skriv_alt, samling)
        _gem_status(aabne)
        koe.saet_i_koe(koeen.naeste())
    return resultat


def _skriv_alt(samling: historik.Samling) -> None:
    klasse_mox.skriv(samling)
    organisation_mox.skriv(samling)
    samling.skriv()


def _skriv_samlet(skriv: Callable[[historik.Samling], object], samling: historik.Samling) -> None:
    """Write planned changes in a savepoint; a failure (not transient) restarts the chunk
    message by message."""
    try:
        with transaction.atomic():
            skriv(samling)
    except IKKE_BESKEDENS_SKYLD:
        raise
    except Exception as e:
        raise _Omstart from e


def _gem_status(beskeder: Sequence[Besked]) -> None:
    """Write the messages' new status, errors, attempts and time in one statement."""
    tabel = connection.ops.quote_name(Besked._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {tabel} AS b SET status = v.status, fejl = v.fejl::jsonb,"  # noqa: S608 (our table name)
            " forsoeg = v.forsoeg, behandlet = v.behandlet"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::int[], %s::timestamptz[])"
            " AS v(id, status, fejl, forsoeg, behandlet) WHERE b.id = v.id",
            [
                [b.pk for b in beskeder],
                [str(b.status) for b in beskeder],
                [json.dumps(b.fejl, ensure_ascii=False) for b in beskeder],
                [b.forsoeg for b in beskeder],
                [b.behandlet for b in beskeder],
            ],
        )


def _forbered(beskeder: Sequence[Besked], samling: historik.Samling) -> None:
    """Lock and load the objects the chunk's messages change, one go per object type."""
    pr_type: dict[str, set[uuid.UUID]] = {}
    for b in beskeder:
        if b.operation not in koe.OPRETTER:
            pr_type.setdefault(b.objekttype, set()).add(b.objekt_id)
    for objekttype, ids in pr_type.items():
        haandtering = HAANDTERINGER.get(objekttype)
        if haandtering is not None and haandtering.forbered is not None:
            haandtering.forbered(ids, samling)
    # one call per loader, with the messages of every kind it serves
    pr_loader: dict[Callable[..., None], list[Besked]] = {}
    for b in beskeder:
        haandtering = HAANDTERINGER.get(b.objekttype)
        if haandtering is not None and haandtering.forbered_beskeder is not None:
            pr_loader.setdefault(haandtering.forbered_beskeder, []).append(b)
    for loader, af_typerne in pr_loader.items():
        loader(af_typerne, samling)


def _findes(beskeder: Sequence[Besked]) -> dict[tuple[str, uuid.UUID], bool]:
    """Return which of the messages' objects exist, one query per object type that can
    answer for many ids at once (the others are asked one by one as they come)."""
    pr_type: dict[str, set[uuid.UUID]] = {}
    for b in beskeder:
        pr_type.setdefault(b.objekttype, set()).add(b.objekt_id)
    svar: dict[tuple[str, uuid.UUID], bool] = {}
    for objekttype, ids in pr_type.items():
        haandtering = HAANDTERINGER.get(objekttype)
        if haandtering is None:
            svar.update(((objekttype, i), False) for i in ids)
        elif haandtering.findes_mange is not None:
            fundne = haandtering.findes_mange(ids)
            svar.update(((objekttype, i), i in fundne) for i in ids)
    return svar


def _proev(
    besked: Besked,
    haandtering: Haandtering | None,
    *,
    objekt_findes: bool,
    samling: historik.Samling | None,
) -> None:
    """Apply one message in a savepoint (or, for a type that only plans into `samling`,
    with its plans undone if it fails) and set its status (not saved: the caller saves
    the chunk's messages together). Transient errors propagate (the chunk rolls back);
    without a savepoint, so does any database error (the chunk is applied again with
    savepoints)."""
    planlaegger = haandtering is not None and haandtering.planlaegger(besked, samling)
    savepoint = not planlaegger

    def glem() -> None:
        # rows the savepoint created are gone again: forget what lookups found of them
        # (plans write nothing, so without a savepoint there is nothing to forget)
        if savepoint:
            memo.glem()

    try:
        # (atomic(savepoint=False) would mark the whole chunk for rollback on any error)
        with (
            transaction.atomic() if savepoint else nullcontext(),
            samling.delvis() if samling is not None else nullcontext(),
        ):
            _anvend(besked, haandtering, objekt_findes=objekt_findes, samling=samling)
    except Venter as v:
        glem()
        if clock.now() - besked.modtaget > indstillinger.maks_ventetid():
            _afslut(besked, Status.FEJLET, [v.grund])
        else:
            besked.status = Status.VENTER
            besked.fejl = [v.grund]
    except Afvist as a:
        glem()
        _afslut(besked, Status.FEJLET, a.fejl)
    except ValidationError as e:
        glem()
        _afslut(besked, Status.FEJLET, fra_validation_error(e, {}))
    except IKKE_BESKEDENS_SKYLD:
        raise
    except DatabaseError as e:
        if not savepoint:
            raise _Omstart from e
        glem()
        _intern_fejl(besked)
    except Exception:
        glem()
        _intern_fejl(besked)
    else:
        _afslut(besked, Status.BEHANDLET, [])


def _intern_fejl(besked: Besked) -> None:
    logger.exception("MOX: uventet fejl i besked %s", besked.besked_id)
    _afslut(
        besked,
        Status.FEJLET,
        [
            fejl(
                "data",
                "Intern fejl under behandlingen; en administrator kan se loggen "
                "og behandle beskeden igen.",
            )
        ],
    )


def _afslut(besked: Besked, status: str, fundne: list[dict[str, str]]) -> None:
    besked.status = status
    besked.fejl = fundne
    besked.behandlet = clock.now()


def _anvend(
    besked: Besked,
    haandtering: Haandtering | None,
    *,
    objekt_findes: bool,
    samling: historik.Samling | None,
) -> None:
    if besked.beskedtype != Beskedtype.MANIPULATION:
        raise Afvist([fejl("beskedtype", "Datadeling anvender kun Manipulation-beskeder.")])
    if haandtering is None:
        raise Afvist(
            [fejl("objekttype", "Datadeling kan endnu ikke anvende beskeder om denne objekttype.")]
        )
    if (
        samling is not None
        and haandtering.planlaeg is not None
        and haandtering.planlaegger(besked, samling)
    ):
        haandtering.planlaeg(besked, objekt_findes, samling)
    else:
        haandtering.anvend(besked, objekt_findes)


def _anvend_historisk(
    besked: Besked,
    tjenester: Tjenester,
    *,
    objekt_findes: bool,
    samling: historik.Samling | None,
) -> None:
    """Apply a tilstand or indsats message: written at once, or planned into `samling`."""
    system = besked.system.navn
    form = oio.FORMER[besked.objekttype]
    enheder = skrivbare(besked.system, f"data.relationer.{form.aktoer}")
    note = str((besked.data or {}).get("note") or "").strip()
    if besked.operation in (Operation.CREATE, Operation.IMPORT):
        if objekt_findes:
            raise Afvist([fejl("objektID", FINDES_ALLEREDE)])
        _opret(besked, tjenester, system=system, note=note, samling=samling, enheder=enheder)
        return
    objekt = tjenester.historik.find(besked.objekt_id, samling=samling)
    if objekt is None or objekt.kildesystem != system:
        raise Venter(fejl("objektID", FINDES_IKKE))
    if objekt.ansvarlig_enhed_id not in enheder:
        raise Afvist([fejl("objektID", IKKE_EGEN_ENHED)])
    if besked.operation == Operation.UPDATE:
        _ret(
            besked, tjenester, objekt, system=system, note=note, samling=samling,
            enheder=enheder,
        )  # fmt: skip
    else:
        tjenester.passivate(
            actor=None,
            **{tjenester.navn: objekt},
            begrundelse=note or f"Passiveret i {system}",
            slet=besked.operation == Operation.DELETE,
            aktoer_tekst=system,
            samling=samling,
        )


def _stier(p: oio.Plan, objekttype: str) -> dict[str, str]:
    form = oio.FORMER[objekttype]
    stier = {
        "type": f"data.relationer.{form.type_relationer[0]}",
        "ansvarlig_enhed": f"data.relationer.{form.aktoer}",
        "ansvarlig": f"data.relationer.{form.aktoer}",
        "startdato": f"data.attributter.{form.egenskaber}",
        "slutdato": f"data.attributter.{form.egenskaber}",
        "status": f"data.tilstande.{form.tilstand}",
        "fremdrift": f"data.tilstande.{form.tilstand}",
        **p.stier,
    }
    foerste = min(p.poster, key=lambda x: x.fra, default=None)
    if foerste is not None:
        stier["virkning_fra"] = stier["virkning_til"] = f"{foerste.sti}.virkning"
    return stier


def _opret(
    besked: Besked,
    tjenester: Tjenester,
    *,
    system: str,
    note: str,
    samling: historik.Samling | None,
    enheder: frozenset[uuid.UUID],
) -> None:
    p = oio.plan(
        objekttype=besked.objekttype,
        data=besked.data,
        system_navn=system,
        objekt_id=besked.objekt_id,
        opret=True,
        enheder=enheder,
        standard_enhed=systemets_enhed(besked.system, enheder),
    )
    stier = _stier(p, besked.objekttype)
    foerst, senere = oio.begyndelse(p)
    objekt = kald(
        stier,
        tjenester.register,
        actor=None,
        borger=p.borger,
        data=foerst,
        virkning_fra=p.start,
        objekt_id=uuid.UUID(str(besked.objekt_id)),
        importeret=True,
        aktoer_tekst=system,
        begrundelse=note,
        samling=samling,
    )
    for fra, til, aendringer in senere:
        objekt = kald(
            stier,
            tjenester.correct,
            actor=None,
            **{tjenester.navn: objekt},
            aendringer=aendringer,
            virkning_fra=max(fra, p.start),
            virkning_til=til,
            begrundelse=note or f"Senere periode fra {system}",
            aktoer_tekst=system,
            samling=samling,
        )


def _ret(
    besked: Besked,
    tjenester: Tjenester,
    objekt,
    *,
    system: str,
    note: str,
    samling: historik.Samling | None,
    enheder: frozenset[uuid.UUID],
) -> None:
    p = oio.plan(
        objekttype=besked.objekttype,
        data=besked.data,
        system_navn=system,
        objekt_id=besked.objekt_id,
        opret=False,
        enheder=enheder,
    )
    if p.borger is not None and p.borger.pk != objekt.borger_id:
        form = oio.FORMER[besked.objekttype]
        raise Afvist([fejl(f"data.relationer.{form.borger}", BORGER_SKIFTES)])
    stier = _stier(p, besked.objekttype)
    for fra, til, aendringer in oio.perioder(p):
        objekt = kald(
            stier,
            tjenester.correct,
            actor=None,
            **{tjenester.navn: objekt},
            aendringer=aendringer,
            virkning_fra=fra,
            virkning_til=til,
            begrundelse=note or f"Rettet i {system}",
            aktoer_tekst=system,
            samling=samling,
        )
