"""Reads about people that every portal needs: who is behind a login."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils import timezone

from datadeling.core.models import gyldig_q, idag
from organisation.models import (
    Borger,
    Funktion,
    FunktionHaendelse,
    FunktionStatus,
    Medarbejder,
    Myndighed,
)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class Aktoer:
    """The person behind a login: a member of staff, a citizen, or neither."""

    navn: str = ""
    logget_ind: bool = False
    medarbejder: Medarbejder | None = None
    borger: Borger | None = None
    # The staff member's current roles, each with its unit and that unit's authority; a
    # role in a unit whose validity has ended (Enhed.gyldig_til) is not current: it grants
    # nothing (samtykke.policy, issue 11).
    funktioner: list[Funktion] = field(default_factory=list)
    # May use the Django admin (User.is_staff), independent of being a Medarbejder.
    admin: bool = False

    @property
    def er_medarbejder(self) -> bool:
        return self.medarbejder is not None

    @property
    def er_borger(self) -> bool:
        return self.medarbejder is None and self.borger is not None

    @property
    def enhed_ids(self) -> frozenset:
        """Return the ids of the units the staff member works in today."""
        return frozenset(f.enhed_id for f in self.funktioner)


def _gaeldende_funktioner() -> Any:
    # Approved and valid only, in a unit that has not ended: a pending or refused
    # function, or one in an ended unit, grants nothing.
    return (
        Funktion.objects.gaeldende()
        .exclude(enhed__gyldig_til__lte=idag())
        .select_related("enhed__myndighed", "faglighed")
        .order_by("enhed__navn", "rolle")
    )


def aktoerer_for_medarbejdere(medarbejdere: list[Medarbejder]) -> dict[uuid.UUID, Aktoer]:
    """Return {staff id: Aktoer} with each one's current roles, as `aktoer_for` builds it
    for a login (one query for them all); for judging other people, e.g. participants."""
    funktioner: dict[uuid.UUID, list[Funktion]] = {m.pk: [] for m in medarbejdere}
    for f in _gaeldende_funktioner().filter(medarbejder_id__in=list(funktioner)):
        funktioner[f.medarbejder_id].append(f)
    return {
        m.pk: Aktoer(navn=m.navn, logget_ind=True, medarbejder=m, funktioner=funktioner[m.pk])
        for m in medarbejdere
    }


def aktoer_for(user: AbstractBaseUser | AnonymousUser) -> Aktoer:
    """Return who is behind a login (one query, two for staff with their current roles)."""
    if not user.is_authenticated:
        aktoer = Aktoer()
    else:
        bruger = (
            get_user_model()
            .objects.select_related("medarbejder__myndighed", "borger")
            .prefetch_related(Prefetch("medarbejder__funktioner", queryset=_gaeldende_funktioner()))
            .get(pk=user.pk)
        )
        medarbejder = getattr(bruger, "medarbejder", None)
        borger = getattr(bruger, "borger", None)
        if medarbejder is not None:
            navn = medarbejder.navn
        elif borger is not None:
            navn = borger.navn
        else:
            navn = bruger.get_full_name() or bruger.get_username()
        aktoer = Aktoer(
            navn=navn,
            logget_ind=True,
            medarbejder=medarbejder,
            borger=borger,
            funktioner=list(medarbejder.funktioner.all()) if medarbejder else [],
            admin=bruger.is_staff and bruger.is_active,
        )
    return aktoer


# What a staff login's identifying claim is compared with (OIDC_PERSONALE_FELT).
MEDARBEJDER_LOGIN_FELTER = frozenset({"email", "id"})


def medarbejdere_for_login(*, felt: str, vaerdi: str) -> list[Medarbejder]:
    """Return the staff whose `felt` ("email", case-insensitive, or "id") equals `vaerdi`.

    More than one means the identity is ambiguous; the caller refuses the login then.
    """
    if felt not in MEDARBEJDER_LOGIN_FELTER:
        raise ValueError(f"Ukendt felt til medarbejderlogin: {felt}")
    if felt == "id":
        try:
            betingelse = Q(pk=uuid.UUID(vaerdi))
        except ValueError:
            return []
    else:
        if not vaerdi.strip():
            return []
        betingelse = Q(email__iexact=vaerdi.strip())
    return list(Medarbejder.objects.filter(betingelse).select_related("user")[:2])


# --- administrators of an authority -------------------------------------------------------


def administrerede_myndigheder(
    user: AbstractBaseUser | AnonymousUser | None,
) -> frozenset[uuid.UUID]:
    """Return the ids of the authorities the login administers today.

    An administrator of an authority holds an approved, valid `administrator` Funktion in
    one of its units. Being a Django superuser does not make anyone one.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return frozenset(
        Funktion.objects.administratorer()
        .filter(medarbejder__user=user)
        .values_list("enhed__myndighed_id", flat=True)
    )


def er_administrator(user: AbstractBaseUser | AnonymousUser, myndighed: Myndighed) -> bool:
    """Return whether the login administers the authority today."""
    return myndighed.pk in administrerede_myndigheder(user)


def funktioner_for_adgangslog(entry: Any) -> list[tuple[Funktion, list[FunktionHaendelse]]]:
    """Return the function(s) a logged read was made on, each with its role trail.

    An access log entry (samtykke.Adgangslog) copies the reader's user, unit and role name
    and the time; the approved function of that user in that unit with that role, valid on
    that day, is the one the read was made on. No new field on the log is needed.
    """
    if entry.bruger_id is None or entry.enhed_id is None:
        return []
    dag = timezone.localtime(entry.tidspunkt).date()
    # A role later replaced by an approved change (erstattet) granted until then.
    funktioner = [
        f
        for f in Funktion.objects.filter(
            gyldig_q(dag),
            status__in=[FunktionStatus.GODKENDT, FunktionStatus.ERSTATTET],
            medarbejder__user_id=entry.bruger_id,
            enhed_id=entry.enhed_id,
        ).select_related("enhed", "medarbejder", "faglighed")
        if (not entry.rolle or entry.rolle in (f.rolle, str(f.get_rolle_display())))
        and (not entry.faglighed or not f.faglighed_id or str(f.faglighed) == entry.faglighed)
    ]
    spor: dict[uuid.UUID, list[FunktionHaendelse]] = {f.pk: [] for f in funktioner}
    for haendelse in FunktionHaendelse.objects.filter(funktion_uuid__in=list(spor)).order_by(
        "tidspunkt"
    ):
        spor[haendelse.funktion_uuid].append(haendelse)
    return [(f, spor[f.pk]) for f in funktioner]
