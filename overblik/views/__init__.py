"""The portals' shared pages: the start page, and who is logged in for every page header."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from organisation import selectors as org_selectors
from organisation.selectors import Aktoer


def aktoer_for(request: HttpRequest) -> Aktoer:
    """Return who is logged in, read once per request."""
    cached = getattr(request, "_datadeling_aktoer", None)
    if cached is None:
        cached = org_selectors.aktoer_for(request.user)
        request._datadeling_aktoer = cached
    return cached


def aktoer(request: HttpRequest) -> dict[str, object]:
    """Context processor: `aktoer` for the page header, read only if a template uses it."""
    return {"aktoer": SimpleLazyObject(lambda: aktoer_for(request))}


@require_GET
@login_required
def forside(request: HttpRequest) -> HttpResponse:
    """Show the start page for the logged-in person: staff, citizen or neither."""
    return render(request, "forside.html", {"aktoer": aktoer_for(request)})
