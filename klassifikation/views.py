"""The concept lookup: find a concept by any profession's word and see what it means."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from klassifikation import selectors
from klassifikation.models import Klasse

GRAENSE = 50  # results shown at most; the page asks for a narrower search beyond this
MAKS_LAENGDE = 200  # longest search text used


def _uuid_eller_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@require_GET
@login_required
def soeg(request: HttpRequest) -> HttpResponse:
    """Search concepts; an htmx request gets only the result list."""
    q = request.GET.get("q", "").strip()[:MAKS_LAENGDE]
    system = _uuid_eller_none(request.GET.get("system"))
    fundne = selectors.klasse_soeg(tekst=q, klassifikation=system, limit=GRAENSE + 1)
    context = {
        "q": q,
        "system": system,
        "resultater": fundne[:GRAENSE],
        "flere": len(fundne) > GRAENSE,
        "graense": GRAENSE,
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "klassifikation/soeg.html#resultater", context)
    else:
        context["klassifikationer"] = selectors.klassifikation_liste()
        response = render(request, "klassifikation/soeg.html", context)
    # The same URL gives a page or a fragment; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@login_required
def klasse(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Show one concept: definition, place in the tree, other words, mappings."""
    try:
        detalje = selectors.klasse_detalje(pk=pk)
    except Klasse.DoesNotExist:
        raise Http404(_("Begrebet findes ikke.")) from None
    return render(
        request, "klassifikation/klasse.html", {"klasse": detalje.klasse, "detalje": detalje}
    )
