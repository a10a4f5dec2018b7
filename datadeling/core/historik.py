"""Store and read bitemporal history for a model: registrations holding whole timelines.

An app declares three models: the object (its current state, for cheap reads), its
registrations (`RegistreringBase`) and their versions (`VersionBase` plus the versioned
fields, declared once in an abstract "felter" model). `Historik` is the write machinery the
app's services call: it validates every version of a new timeline with the app's rules,
appends a registration, keeps the object's current state in step and calls the
after-change hooks (`datadeling.core.hooks.data_aendret`). It never updates or deletes a
registration or a version (the database refuses that too: see
datadeling.core.db.append_only).

Every write is planned in Python first (`Arbejde`: the object is locked and loaded, the
new timeline computed and validated) and then written: the registrations, their versions
and the objects' new state in a few statements, whatever the number of changes. A single
service call plans one change and writes it at once, in its own transaction. A call given
a unit of work (`samling=`, a `Samling`: MOX applies a chunk of messages this way) plans
into it and writes nothing until its owner calls `Samling.skriv()`; `Samling.delvis()`
undoes the plans of one message that failed, as a savepoint undoes its writes. The unit
of work is always passed, never ambient: a call without one writes. So the
screens and MOX share one validation path, and a chunk costs a handful of statements.
"""

from __future__ import annotations

import datetime
import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.base import ModelState
from django.utils.translation import gettext as _

from datadeling.core import clock, tekst
from datadeling.core.bitemporal import Livscykluskode, Version, apply_changes, version_at
from datadeling.core.hooks import data_aendret

SLUKKET = {Livscykluskode.PASSIVERET, Livscykluskode.SLETTET}

# validate(versions, borger) raises ValidationError for data that breaks the app's rules
Validator = Callable[[Sequence[Version], Any], None]


@dataclass(frozen=True)
class Aendring:
    """One new registration, as the after-change hooks get it: the object as it stands
    after it."""

    objekt: Any
    registrering: Any
    livscykluskode: str


@dataclass(frozen=True)
class Historik:
    objekt: type[models.Model]
    registrering: type[models.Model]
    version: type[models.Model]
    felter_model: type[models.Model]  # the abstract model holding the versioned fields
    objekt_fk: str  # the registration's foreign key to the object, e.g. "tilstand"
    valider: Validator
    defaults: Mapping[str, Any]
    # optional: look up at once what `valider` will need for these versions (a unit of
    # work that loads many objects asks once, e.g. for every class their timelines use)
    forudhent: Callable[[Sequence[Version]], None] | None = None

    @property
    def felter(self) -> tuple[str, ...]:
        return _felter(self.felter_model)

    # --- reading ------------------------------------------------------------------------

    def timeline(self, registrering) -> list[Version]:
        """Return a registration's timeline (uses prefetched `versioner` when present)."""
        if registrering is None:
            return []
        felter = self.felter
        return [
            Version(v.virkning_fra, v.virkning_til, {f: getattr(v, f) for f in felter})
            for v in sorted(registrering.versioner.all(), key=lambda v: v.virkning_fra)
        ]

    def registrering_kendt(self, objekt_id, kendt: datetime.datetime):
        """Return the registration in force at transaction time `kendt`, or None."""
        return (
            self.registrering.objects.filter(**{f"{self.objekt_fk}_id": objekt_id})
            .filter(tidspunkt__lte=kendt)
            .order_by("-nummer")
            .first()
        )

    def gyldig(
        self, objekt_id, *, gyldig: datetime.datetime, kendt: datetime.datetime | None = None
    ) -> dict[str, Any] | None:
        """Return the data valid at `gyldig` as known at `kendt` (now by default), or None.

        Two queries whatever the length of the history: the registration, then the one
        version covering `gyldig`.
        """
        reg = self.registrering_kendt(objekt_id, kendt or clock.now())
        if reg is None or reg.livscykluskode in SLUKKET:
            return None
        v = (
            self.version.objects.filter(registrering=reg, virkning_fra__lte=gyldig)
            .filter(Q(virkning_til__isnull=True) | Q(virkning_til__gt=gyldig))
            .first()
        )
        return None if v is None else {f: getattr(v, f) for f in self.felter}

    # --- writing ------------------------------------------------------------------------

    def attnames(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Return data keyed by attname: model instances become their primary keys."""
        out: dict[str, Any] = {}
        for navn, value in data.items():
            field = self.felter_model._meta.get_field(navn)
            if field.is_relation:
                out[field.attname] = value.pk if isinstance(value, models.Model) else value
            else:
                out[field.attname] = value
        return out

    @contextmanager
    def _arbejde(self, samling: Samling | None) -> Iterator[Arbejde]:
        """The unit of work to plan in: `samling`'s (written by its owner), else a new one
        written at once in its own transaction."""
        if samling is not None:
            yield samling.arbejde(self)
            return
        with transaction.atomic():
            arbejde = Arbejde(self)
            yield arbejde
            arbejde.skriv()

    def register(self, *, samling: Samling | None = None, **kwargs):
        """Create the object with one open-ended version from `virkning_fra` (see
        `Arbejde.register` for the arguments); planned into `samling` when given."""
        with self._arbejde(samling) as arbejde:
            return arbejde.register(**kwargs)

    def change(self, obj, *, samling: Samling | None = None, **kwargs):
        """Merge `aendringer` into the timeline over [fra, til) as a new registration."""
        with self._arbejde(samling) as arbejde:
            return arbejde.change(obj, **kwargs)

    def correct(self, obj, *, begrundelse: str, **kwargs):
        """Correct what was registered for [fra, til): an error, so a reason is required
        (otherwise as `change`)."""
        if not begrundelse.strip():
            raise ValidationError(
                {"begrundelse": _("Skriv hvorfor oplysningen rettes.")}, code="begrundelse"
            )
        return self.change(obj, begrundelse=begrundelse, **kwargs)

    def passivate(self, obj, *, samling: Samling | None = None, **kwargs):
        """Append a registration that passivates (or deletes) the object; history stays."""
        with self._arbejde(samling) as arbejde:
            return arbejde.passivate(obj, **kwargs)

    def find(self, objekt_id, *, samling: Samling | None = None):
        """Return the object as it stands in `samling` (locked), or as stored without
        one; None if it does not exist."""
        if samling is None:
            return self.objekt.objects.filter(pk=objekt_id).first()
        return samling.arbejde(self).find(objekt_id)

    def forbered(self, objekt_ids: Iterable, *, samling: Samling) -> None:
        """Lock and load these objects into `samling` in one go (a MOX chunk does so for
        the objects its messages change)."""
        samling.arbejde(self).hent(objekt_ids)

    @staticmethod
    def _valider_virkning(fra, til, *, borger, start=None) -> None:
        """Refuse a valid-time period in the future, backwards, before the start or after death."""
        if fra > clock.now():
            raise ValidationError(
                {"virkning_fra": _("Virkningen kan ikke begynde i fremtiden.")}, code="fremtid"
            )
        if til is not None and til <= fra:
            raise ValidationError(
                {"virkning_til": _("Slutningen skal ligge efter begyndelsen.")}, code="orden"
            )
        if start is not None and fra < start:
            raise ValidationError(
                {
                    "virkning_fra": _(
                        "Ændringen kan ikke gælde fra før oplysningen blev gyldig (%(start)s)."
                    )
                    % {"start": tekst.dato(start)}
                },
                code="foer_start",
            )
        if borger.doedsdato is not None and fra.date() > borger.doedsdato:
            raise ValidationError(
                {
                    "virkning_fra": _(
                        "Borgeren er død; oplysningen kan ikke gælde efter dødsdatoen."
                    )
                },
                code="efter_doed",
            )


_FELTER: dict[type, tuple[str, ...]] = {}


def _felter(felter_model) -> tuple[str, ...]:
    if felter_model not in _FELTER:
        _FELTER[felter_model] = tuple(
            f.attname for f in felter_model._meta.get_fields() if f.concrete
        )
    return _FELTER[felter_model]


def kopi(obj):
    """Return a shallow copy of a model instance with its own state and related cache, so
    a plan can change the copy and an undone plan leaves the earlier one as it was."""
    ny = object.__new__(type(obj))
    ny.__dict__.update(obj.__dict__)
    state = ModelState()
    state.adding, state.db = obj._state.adding, obj._state.db
    state.fields_cache = dict(obj._state.fields_cache)
    ny._state = state
    return ny


@dataclass(frozen=True)
class _Stand:
    """An object as it stands in a unit of work: never changed, replaced by the next plan."""

    obj: Any  # an instance holding the current fields (its own copy)
    versions: tuple[Version, ...]
    nummer: int  # of its newest registration (0: none yet)
    tidspunkt: datetime.datetime | None
    ny: bool  # not in the database yet


@dataclass(frozen=True)
class _Plan:
    """A registration to write: the object as it stands after it, and who made it why."""

    stand: _Stand
    livscykluskode: str
    actor: Any
    aktoer_tekst: str
    begrundelse: str


class Arbejde:
    """The planned writes of one `Historik` in a unit of work.

    Each call validates exactly as a single write would and plans one registration; the
    object's newest state is kept here, so the next call about the same object builds on
    it. `skriv()` writes every planned registration (with its whole timeline), inserts
    the new objects and updates the changed ones: four statements whatever their number,
    then the after-change hooks (`data_aendret`) with every change.
    """

    def __init__(self, historik: Historik):
        self.h = historik
        self.stande: dict[Any, _Stand] = {}
        self.planer: list[_Plan] = []

    # --- loading ---

    def hent(self, objekt_ids: Iterable) -> None:
        """Lock and load the objects not yet in the unit of work (two queries)."""
        mangler = {i for i in objekt_ids if i not in self.stande}
        if not mangler:
            return
        h = self.h
        # FOR NO KEY UPDATE: writers of the object wait for each other, while a grant row
        # written meanwhile (its foreign key takes KEY SHARE) does not wait for them
        objekter = list(
            h.objekt.objects.select_for_update(of=("self",), no_key=True)
            .select_related("registrering", "borger")
            .filter(pk__in=mangler)
        )
        felter = h.felter
        pr_registrering: dict[int, list[Version]] = {}
        raekker = (
            h.version.objects.filter(
                registrering_id__in=[o.registrering_id for o in objekter if o.registrering_id]
            )
            .order_by("virkning_fra")
            .values_list("registrering_id", "virkning_fra", "virkning_til", *felter)
        )
        for reg_id, fra, til, *data in raekker:
            version = Version(fra, til, dict(zip(felter, data, strict=True)))
            pr_registrering.setdefault(reg_id, []).append(version)
        if h.forudhent is not None and len(objekter) > 1:
            h.forudhent([v for vs in pr_registrering.values() for v in vs])
        for o in objekter:
            reg = o.registrering
            self.stande[o.pk] = _Stand(
                obj=o,
                versions=tuple(pr_registrering.get(o.registrering_id, ())),
                nummer=reg.nummer if reg else 0,
                tidspunkt=reg.tidspunkt if reg else None,
                ny=False,
            )

    def find(self, objekt_id):
        if objekt_id not in self.stande:
            self.hent([objekt_id])
        stand = self.stande.get(objekt_id)
        return None if stand is None else stand.obj

    def _aktiv_stand(self, obj) -> _Stand:
        pk = getattr(obj, "pk", obj)
        if pk not in self.stande:
            self.hent([pk])
        stand = self.stande.get(pk)
        if stand is None:
            raise self.h.objekt.DoesNotExist(f"{self.h.objekt.__name__} {pk} findes ikke")
        if not stand.obj.aktiv:
            raise ValidationError(
                _("Oplysningen er passiveret og kan ikke ændres."), code="passiveret"
            )
        return stand

    # --- planning ---

    def register(
        self,
        *,
        actor,
        borger,
        data: Mapping[str, Any],
        virkning_fra: datetime.datetime,
        objekt_id: uuid.UUID | None,
        livscykluskode: str,
        aktoer_tekst: str = "",
        begrundelse: str = "",
    ):
        h = self.h
        h._valider_virkning(virkning_fra, None, borger=borger)
        values = {**dict.fromkeys(h.felter), **h.defaults, **h.attnames(data)}
        versions = [Version(virkning_fra, None, values)]
        h.valider(versions, borger)
        pk = objekt_id or uuid.uuid4()
        if pk in self.stande:
            raise ValidationError(_("Oplysningen findes allerede."), code="findes")
        obj = h.objekt(id=pk, borger=borger, virkning_fra=virkning_fra, **values)
        return self._planlaeg(None, obj, versions, livscykluskode, actor, aktoer_tekst, begrundelse)

    def change(
        self,
        obj,
        *,
        actor,
        fra: datetime.datetime,
        til: datetime.datetime | None,
        aendringer: Mapping[str, Any],
        livscykluskode: str = Livscykluskode.RETTET,
        aktoer_tekst: str = "",
        begrundelse: str = "",
    ):
        h = self.h
        stand = self._aktiv_stand(obj)
        borger = stand.obj.borger
        h._valider_virkning(
            fra, til, borger=borger, start=stand.versions[0].fra if stand.versions else None
        )
        versions = apply_changes(stand.versions, fra=fra, til=til, changes=h.attnames(aendringer))
        h.valider(versions, borger)
        return self._planlaeg(
            stand, stand.obj, versions, livscykluskode, actor, aktoer_tekst, begrundelse
        )

    def passivate(self, obj, *, actor, slet: bool, aktoer_tekst: str = "", begrundelse: str = ""):
        stand = self._aktiv_stand(obj)
        return self._planlaeg(
            stand,
            stand.obj,
            stand.versions,
            Livscykluskode.SLETTET if slet else Livscykluskode.PASSIVERET,
            actor,
            aktoer_tekst,
            begrundelse,
        )

    def _planlaeg(self, forrige, obj, versions, livscykluskode, actor, aktoer_tekst, begrundelse):
        tidspunkt = clock.now()
        if forrige is not None and forrige.tidspunkt and tidspunkt <= forrige.tidspunkt:
            tidspunkt = forrige.tidspunkt + datetime.timedelta(microseconds=1)
        obj = kopi(obj)
        obj.livscykluskode = livscykluskode
        obj.aktiv = livscykluskode not in SLUKKET and bool(versions)
        if versions:
            current = version_at(versions, tidspunkt) or versions[-1]
            for f, value in current.data.items():
                setattr(obj, f, value)
            obj.virkning_fra, obj.virkning_til = current.fra, current.til
        stand = _Stand(
            obj=obj,
            versions=tuple(versions),
            nummer=(forrige.nummer + 1) if forrige else 1,
            tidspunkt=tidspunkt,
            ny=forrige is None or forrige.ny,
        )
        self.stande[obj.pk] = stand
        self.planer.append(_Plan(stand, livscykluskode, actor, aktoer_tekst, begrundelse))
        return obj

    # --- writing ---

    def skriv(self) -> list[Aendring]:
        """Write every planned registration and the objects' new state; run the
        after-change hooks; return the changes in the order they were planned."""
        planer, self.planer = self.planer, []
        if not planer:
            return []
        h = self.h
        fk = f"{h.objekt_fk}_id"
        registreringer = [
            h.registrering(
                **{fk: p.stand.obj.pk},
                nummer=p.stand.nummer,
                tidspunkt=p.stand.tidspunkt,
                livscykluskode=p.livscykluskode,
                aktoer=p.actor,
                aktoer_tekst=p.aktoer_tekst,
                begrundelse=p.begrundelse,
            )
            for p in planer
        ]
        kopier_ind(h.registrering, registreringer)
        _kopier_versioner(
            h.version,
            (
                (r.pk, v)
                for r, p in zip(registreringer, planer, strict=True)
                for v in p.stand.versions
            ),
        )
        for r, p in zip(registreringer, planer, strict=True):
            p.stand.obj.registrering = r
        sidste = {p.stand.obj.pk: p.stand for p in planer}
        nye = [s.obj for s in sidste.values() if s.ny]
        aendrede = [s.obj for s in sidste.values() if not s.ny]
        if nye:
            kopier_ind(h.objekt, nye, ny_noegle=False)
        if aendrede:
            # every object here exists and is locked by this transaction: an update
            h.objekt.objects.bulk_create(
                aendrede,
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=_opdaterbare(h.objekt),
            )
        for pk, s in sidste.items():
            if s.ny:
                self.stande[pk] = _Stand(s.obj, s.versions, s.nummer, s.tidspunkt, ny=False)
        aendringer = [
            Aendring(p.stand.obj, r, p.livscykluskode)
            for r, p in zip(registreringer, planer, strict=True)
        ]
        data_aendret(sender=h.objekt, aendringer=aendringer)
        return aendringer


def _kopier_versioner(model, versioner: Iterable[tuple[int, Version]]) -> None:
    """Insert versions with COPY: the bulk of a unit of work's rows (a registration holds
    its whole timeline), without building model instances or an INSERT with thousands of
    parameters. Values are prepared by the model's own fields, as an INSERT would."""
    felter = [f for f in model._meta.concrete_fields if not f.primary_key]
    kilde = {"registrering_id": 0, "virkning_fra": 1, "virkning_til": 2}
    prep = [_forbered_vaerdi(f) for f in felter]

    def raekke(reg_id, v: Version) -> list:
        faste = (reg_id, v.fra, v.til)
        return [
            p(
                faste[kilde[f.attname]]
                if f.attname in kilde
                else v.data.get(f.attname, f.get_default())
            )
            for f, p in zip(felter, prep, strict=True)
        ]

    tabel = connection.ops.quote_name(model._meta.db_table)
    kolonner = ", ".join(connection.ops.quote_name(f.column) for f in felter)
    sql = f"COPY {tabel} ({kolonner}) FROM STDIN"
    start = time.monotonic()
    antal = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for reg_id, v in versioner:
            copy.write_row(raekke(reg_id, v))
            antal += 1
    if connection.queries_logged:  # the debug log and query-count tests see it as one query
        connection.queries_log.append(
            {"sql": f"{sql} -- {antal} rækker", "time": f"{time.monotonic() - start:.3f}"}
        )


def kopier_ind(model, objekter: Sequence[models.Model], *, ny_noegle: bool = True) -> list:
    """Insert model instances with COPY; return their primary keys. With `ny_noegle` the
    keys are taken from the table's sequence first (one query) and given to the instances
    in their order; without it the instances carry their own (a UUID).

    For a batch of rows that need nothing else an INSERT does (no signals, no auto_now, no
    defaults computed by the database): far cheaper than a multi-row INSERT, whose
    thousands of parameters are each quoted into the statement."""
    if not objekter:
        return []
    pk = model._meta.pk
    if ny_noegle:
        pks = _nye_noegler(model, len(objekter))
        for obj, n in zip(objekter, pks, strict=True):
            setattr(obj, pk.attname, n)
    else:
        pks = [obj.pk for obj in objekter]
    for obj in objekter:
        obj._state.adding = False
    felter = list(model._meta.concrete_fields)
    prep = [_forbered_vaerdi(f) for f in felter]
    _kopier(
        model,
        felter,
        (
            [p(getattr(obj, f.attname)) for f, p in zip(felter, prep, strict=True)]
            for obj in objekter
        ),
    )
    return pks


def kopier_raekker(model, raekker: Sequence[Sequence[Any]]) -> list[int]:
    """Insert rows given as tuples with COPY; return their new primary keys, taken from the
    table's sequence in the rows' order (one query) and put first in each row.

    A row holds every concrete field but the primary key, in the model's field order
    (`kolonner_uden_noegle`), each value already as the column takes it: JSON as its text,
    a foreign key as the key. For a hot path that has the values at hand and should not
    pay for model instances (the MOX inbox); `kopier_ind` is the general form."""
    if not raekker:
        return []
    pks = _nye_noegler(model, len(raekker))
    _kopier(
        model,
        list(model._meta.concrete_fields),
        ((n, *r) for n, r in zip(pks, raekker, strict=True)),
    )
    return pks


def kolonner_uden_noegle(model) -> list[str]:
    """Return the attnames of a row for `kopier_raekker`: the model's concrete fields in
    order, without the primary key (which must come first)."""
    felter = list(model._meta.concrete_fields)
    if felter[0] is not model._meta.pk:
        raise ValueError(f"{model.__name__}: primærnøglen er ikke det første felt")
    return [f.attname for f in felter[1:]]


def _nye_noegler(model, antal: int) -> list[int]:
    pk = model._meta.pk
    with connection.cursor() as cursor:
        # The sequence is looked up once, in a sub-select: as the argument of nextval,
        # pg_get_serial_sequence ran once per row (a catalog lookup each), which made
        # 1,000 keys cost ~4 ms instead of ~0.7.
        cursor.execute(
            "SELECT nextval((SELECT pg_get_serial_sequence(%s, %s))::regclass)"
            " FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, antal],
        )
        return sorted(r[0] for r in cursor.fetchall())


def _kopier(model, felter, raekker: Iterable[Sequence[Any]]) -> None:
    tabel = connection.ops.quote_name(model._meta.db_table)
    kolonner = ", ".join(connection.ops.quote_name(f.column) for f in felter)
    sql = f"COPY {tabel} ({kolonner}) FROM STDIN"
    start = time.monotonic()
    antal = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for raekke in raekker:
            copy.write_row(raekke)
            antal += 1
    if connection.queries_logged:  # the debug log and query-count tests see it as one query
        connection.queries_log.append(
            {"sql": f"{sql} -- {antal} rækker", "time": f"{time.monotonic() - start:.3f}"}
        )


def opdater_alle(model, objekter: Sequence[models.Model]) -> None:
    """Write model instances whose rows exist (and this transaction has locked) over
    those rows, every field but the key, in one statement (an upsert that always
    updates)."""
    if objekter:
        model.objects.bulk_create(
            objekter,
            update_conflicts=True,
            unique_fields=[model._meta.pk.name],
            update_fields=[f.name for f in model._meta.concrete_fields if not f.primary_key],
        )


def _forbered_vaerdi(felt) -> Callable[[Any], Any]:
    """Return how to prepare a value of `felt` for the database: as the field itself does
    (`get_db_prep_save`), skipped for the values that need nothing (a plain str, an aware
    datetime, a UUID, a date, a bool, None), which are most of them."""

    def fuld(v):
        return felt.get_db_prep_save(v, connection)

    intern = felt.get_internal_type()
    if felt.is_relation:
        intern = felt.target_field.get_internal_type()
    if intern in (
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "AutoField",
        "BigAutoField",
        "SmallIntegerField",
        "PositiveSmallIntegerField",
    ):
        return lambda v: v if v is None or type(v) is int else fuld(v)
    if intern == "JSONField":
        # JSON text: the column reads it as a jsonb input (None is SQL NULL, as the field
        # stores it for a nullable column)
        return lambda v: None if v is None else json.dumps(v, cls=felt.encoder)
    if intern in ("CharField", "TextField"):
        return lambda v: v if v is None or type(v) is str else fuld(v)
    if intern == "DateTimeField":
        return lambda v: v if v is None or v.tzinfo is not None else fuld(v)
    if intern in ("UUIDField", "DateField", "BooleanField"):
        return lambda v: v if v is None or type(v) in (uuid.UUID, datetime.date, bool) else fuld(v)
    return fuld


_OPDATERBARE: dict[type, list[str]] = {}


def _opdaterbare(model) -> list[str]:
    if model not in _OPDATERBARE:
        _OPDATERBARE[model] = [f.name for f in model._meta.concrete_fields if not f.primary_key]
    return _OPDATERBARE[model]


class Arbejdsdel(Protocol):
    """What a unit of work holds for one object type: the objects' planned state by id
    (`stande`, whose values a plan replaces and never changes, so `Samling.delvis` can
    undo it with a shallow copy), the plans in order (`planer`), and their write."""

    stande: dict[Any, Any]
    planer: list[Any]

    def skriv(self) -> list[Aendring]: ...


class Samling:
    """A unit of work across the object types: plans now, writes at `skriv()`.

    Its owner passes it to every service call that should plan into it (`samling=`) and
    writes it inside its transaction, or drops it. The versioned types (tilstand, indsats)
    plan through `Historik`; any other type brings its own part (`del_`), e.g. the case
    index's (sagsindeks.services)."""

    def __init__(self):
        self._arbejder: dict[type, Arbejdsdel] = {}

    def arbejde(self, historik: Historik) -> Arbejde:
        return self.del_(historik.objekt, lambda: Arbejde(historik))  # type: ignore[return-value]

    def del_(self, model: type, ny: Callable[[], Arbejdsdel]) -> Arbejdsdel:
        """Return the part of the unit of work for `model`, made by `ny()` on first use."""
        arbejde = self._arbejder.get(model)
        if arbejde is None:
            arbejde = self._arbejder[model] = ny()
        return arbejde

    def har(self, model: type) -> Arbejdsdel | None:
        """Return the part of the unit of work for `model` if it has one (never makes it)."""
        return self._arbejder.get(model)

    @contextmanager
    def delvis(self) -> Iterator[None]:
        """Undo the plans made in the block if it raises (a savepoint for plans)."""
        gemt = {model: (dict(a.stande), len(a.planer)) for model, a in self._arbejder.items()}
        try:
            yield
        except BaseException:
            for model in list(self._arbejder):
                if model not in gemt:
                    del self._arbejder[model]
                    continue
                stande, antal = gemt[model]
                a = self._arbejder[model]
                a.stande = stande
                del a.planer[antal:]
            raise

    def skriv(self) -> list[Aendring]:
        """Write every plan, object type by object type. The foreign keys are checked at
        once, not at commit: a broken reference fails here, where the caller can still
        undo the unit of work alone."""
        aendringer = [aendring for a in self._arbejder.values() for aendring in a.skriv()]
        if aendringer:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return aendringer
