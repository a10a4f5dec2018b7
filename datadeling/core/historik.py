"""Store and read bitemporal history for a model: registrations holding whole timelines.

An app declares three models: the object (its current state, for cheap reads), its
registrations (`RegistreringBase`) and their versions (`VersionBase` plus the versioned
fields, declared once in an abstract "felter" model). `Historik` is the write machinery the
app's services call: it validates every version of a new timeline with the app's rules,
appends a registration, keeps the object's current state in step and sends
`data_aendret`. It never updates or deletes a registration or a version (the database
refuses that too: see datadeling.core.db.append_only).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from datadeling.core import clock
from datadeling.core.bitemporal import Livscykluskode, Version, apply_changes, version_at
from datadeling.core.signals import data_aendret

SLUKKET = {Livscykluskode.PASSIVERET, Livscykluskode.SLETTET}

# validate(versions, borger) raises ValidationError for data that breaks the app's rules
Validator = Callable[[Sequence[Version], Any], None]


@dataclass(frozen=True)
class Historik:
    objekt: type[models.Model]
    registrering: type[models.Model]
    version: type[models.Model]
    felter_model: type[models.Model]  # the abstract model holding the versioned fields
    objekt_fk: str  # the registration's foreign key to the object, e.g. "tilstand"
    valider: Validator
    defaults: Mapping[str, Any]

    @property
    def felter(self) -> tuple[str, ...]:
        return tuple(f.attname for f in self.felter_model._meta.get_fields() if f.concrete)

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
        """Create the object with one open-ended version from `virkning_fra`."""
        self._valider_virkning(virkning_fra, None, borger=borger)
        values = {**dict.fromkeys(self.felter), **self.defaults, **self.attnames(data)}
        versions = [Version(virkning_fra, None, values)]
        self.valider(versions, borger)
        with transaction.atomic():
            obj = self.objekt(
                id=objekt_id or uuid.uuid4(), borger=borger, virkning_fra=virkning_fra, **values
            )
            obj.save(force_insert=True)
            return self._append(
                obj,
                versions=versions,
                livscykluskode=livscykluskode,
                actor=actor,
                aktoer_tekst=aktoer_tekst,
                begrundelse=begrundelse,
            )

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
        """Merge `aendringer` into the timeline over [fra, til) as a new registration."""
        with transaction.atomic():
            locked = self._lock(obj)
            timeline = self.timeline(locked.registrering)
            self._valider_virkning(
                fra, til, borger=locked.borger, start=timeline[0].fra if timeline else None
            )
            versions = apply_changes(timeline, fra=fra, til=til, changes=self.attnames(aendringer))
            self.valider(versions, locked.borger)
            return self._append(
                locked,
                versions=versions,
                livscykluskode=livscykluskode,
                actor=actor,
                aktoer_tekst=aktoer_tekst,
                begrundelse=begrundelse,
            )

    def correct(
        self,
        obj,
        *,
        actor,
        fra: datetime.datetime,
        til: datetime.datetime | None,
        aendringer: Mapping[str, Any],
        begrundelse: str,
        aktoer_tekst: str = "",
    ):
        """Correct what was registered for [fra, til): an error, so a reason is required."""
        if not begrundelse.strip():
            raise ValidationError(
                {"begrundelse": _("Skriv hvorfor oplysningen rettes.")}, code="begrundelse"
            )
        return self.change(
            obj, actor=actor, fra=fra, til=til, aendringer=aendringer,
            aktoer_tekst=aktoer_tekst, begrundelse=begrundelse,
        )  # fmt: skip

    def passivate(self, obj, *, actor, slet: bool, aktoer_tekst: str = "", begrundelse: str = ""):
        """Append a registration that passivates (or deletes) the object; history stays."""
        with transaction.atomic():
            locked = self._lock(obj)
            return self._append(
                locked,
                versions=self.timeline(locked.registrering),
                livscykluskode=Livscykluskode.SLETTET if slet else Livscykluskode.PASSIVERET,
                actor=actor,
                aktoer_tekst=aktoer_tekst,
                begrundelse=begrundelse,
            )

    def _lock(self, obj):
        locked = (
            self.objekt.objects.select_for_update(of=("self",))
            .select_related("registrering", "borger")
            .get(pk=obj.pk)
        )
        if not locked.aktiv:
            raise ValidationError(
                _("Oplysningen er passiveret og kan ikke ændres."), code="passiveret"
            )
        return locked

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
                    % {"start": f"{start:%d.%m.%Y}"}
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

    def _append(
        self, obj, *, versions, livscykluskode, actor=None, aktoer_tekst="", begrundelse=""
    ):
        forrige = obj.registrering if obj.registrering_id else None
        tidspunkt = clock.now()
        if forrige is not None and tidspunkt <= forrige.tidspunkt:
            tidspunkt = forrige.tidspunkt + datetime.timedelta(microseconds=1)
        reg = self.registrering.objects.create(
            **{self.objekt_fk: obj},
            nummer=(forrige.nummer + 1) if forrige else 1,
            tidspunkt=tidspunkt,
            livscykluskode=livscykluskode,
            aktoer=actor,
            aktoer_tekst=aktoer_tekst,
            begrundelse=begrundelse,
        )
        self.version.objects.bulk_create(
            self.version(registrering=reg, virkning_fra=v.fra, virkning_til=v.til, **v.data)
            for v in versions
        )
        obj.registrering = reg
        obj.livscykluskode = livscykluskode
        obj.aktiv = livscykluskode not in SLUKKET and bool(versions)
        if versions:
            current = version_at(versions, tidspunkt) or versions[-1]
            for f, value in current.data.items():
                setattr(obj, f, value)
            obj.virkning_fra, obj.virkning_til = current.fra, current.til
        obj.save()
        data_aendret.send(
            sender=self.objekt, objekt=obj, registrering=reg, livscykluskode=livscykluskode
        )
        return obj
