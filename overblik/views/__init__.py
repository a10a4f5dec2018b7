"""What every page of the portals shares: who is logged in, for the page header."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

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
