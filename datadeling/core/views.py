"""The project's own pages (the start page) and who is logged in, for every page's header.

Like urls.py this module sits above the apps: it reads organisation's profiles to greet
staff and citizens. Apps never import it; their pages get `aktoer` through the context
processor `aktoer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from datadeling.core.models import gyldig_q
from organisation.models import Borger, Funktion, Medarbejder


@dataclass(frozen=True)
class Aktoer:
    """The person behind a login: a member of staff, a citizen, or neither."""

    navn: str = ""
    logget_ind: bool = False
    medarbejder: Medarbejder | None = None
    borger: Borger | None = None
    # The staff member's current roles, each with its unit and that unit's authority.
    funktioner: list[Funktion] = field(default_factory=list)
    # May use the Django admin (User.is_staff), independent of being a Medarbejder.
    admin: bool = False

    @property
    def er_medarbejder(self) -> bool:
        return self.medarbejder is not None

    @property
    def er_borger(self) -> bool:
        return self.medarbejder is None and self.borger is not None


def aktoer_for(request: HttpRequest) -> Aktoer:
    """Return who is logged in, read once per request (one query, two for staff)."""
    cached = getattr(request, "_datadeling_aktoer", None)
    if cached is not None:
        return cached
    user = request.user
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
                    .select_related("enhed__myndighed")
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
    request._datadeling_aktoer = aktoer
    return aktoer


def aktoer(request: HttpRequest) -> dict[str, object]:
    """Context processor: `aktoer` for the page header, read only if a template uses it."""
    return {"aktoer": SimpleLazyObject(lambda: aktoer_for(request))}


@require_GET
@login_required
def forside(request: HttpRequest) -> HttpResponse:
    """Show the start page for the logged-in person: staff, citizen or neither."""
    return render(request, "forside.html", {"aktoer": aktoer_for(request)})
