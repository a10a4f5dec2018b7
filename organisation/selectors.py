"""Reads about people that every portal needs: who is behind a login."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q

from datadeling.core.models import gyldig_q, idag
from organisation.models import Borger, Funktion, Medarbejder


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


def aktoer_for(user) -> Aktoer:
    """Return who is behind a login (one query, two for staff with their current roles)."""
    if not user.is_authenticated:
        aktoer = Aktoer()
    else:
        bruger = (
            get_user_model()
            .objects.select_related("medarbejder__myndighed", "borger")
            .prefetch_related(
                Prefetch(
                    "medarbejder__funktioner",
                    queryset=Funktion.objects.filter(gyldig_q())
                    .exclude(enhed__gyldig_til__lte=idag())
                    .select_related("enhed__myndighed", "faglighed")
                    .order_by("enhed__navn", "rolle"),
                )
            )
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
