"""Mine samtaler: the conversations of a citizen, and of a relative taking part for a citizen
through a relation that covers dialogue with the authorities (Omfang.DIALOG).

Only citizens (logins with a person and no staff profile) get these pages; anybody else,
and any conversation the person may not read now, gets the same 404 as one that does not
exist. Which conversations a person may read is the policy's decision (dialog.selectors);
the pages are the staff's conversation page in plain words (overblik.views.dialog), and
every response that shows a conversation writes the citizen's access log.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from organisation.selectors import Aktoer
from overblik.selectors import dialog as selectors
from overblik.views import aktoer_for
from overblik.views.dialog import Visning, fil_svar, samtale_nye, samtale_side, skriv


def person_for(request: HttpRequest) -> Aktoer:
    """Return the logged-in citizen or relative; anybody else gets a 404."""
    aktoer = aktoer_for(request)
    if not aktoer.er_borger:
        raise Http404(_("Siden findes ikke."))
    return aktoer


def visning(samtale_id: uuid.UUID) -> Visning:
    kw = {"pk": samtale_id}
    return Visning(
        side=reverse("overblik:min_samtale", kwargs=kw),
        skriv=reverse("overblik:min_samtale_skriv", kwargs=kw),
        nye=reverse("overblik:min_samtale_nye", kwargs=kw),
        fil_rute="overblik:min_samtale_fil",
        kwargs=kw,
        personale=False,
    )


def _side(request: HttpRequest, pk: uuid.UUID, **kw) -> selectors.Side:
    return selectors.samtale_side(
        bruger=request.user, borger=None, samtale_id=pk, fil_url=visning(pk).fil,
        aktoer=person_for(request), **kw,
    )  # fmt: skip


@never_cache
@require_GET
@login_required
def mine_samtaler(request: HttpRequest) -> HttpResponse:
    """List the person's conversations (their own, and those about a citizen they take part
    in for), newest first, with what is unread and what waits for their answer."""
    aktoer = person_for(request)
    with transaction.atomic():
        data = selectors.mine_samtaler(bruger=request.user, person=aktoer.borger)
        selectors.log_liste(request, aktoer, data)
        return render(request, "overblik/dialog/mine_samtaler.html", {"data": data})


@never_cache
@require_GET
@login_required
def min_samtale(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Show one conversation with the box to answer in."""
    aktoer = person_for(request)
    with transaction.atomic():
        side = _side(request, pk, foer=request.GET.get("foer"))
        return samtale_side(request, aktoer, side, visning(pk))


@never_cache
@require_GET
@login_required
def min_samtale_nye(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The messages written since the page was shown (htmx polls this)."""
    aktoer = person_for(request)
    return samtale_nye(request, aktoer, lambda efter: _side(request, pk, efter=efter), visning(pk))


@never_cache
@require_POST
@login_required
def min_samtale_skriv(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Write in the conversation, or see the message first (`handling=vis`)."""
    aktoer = person_for(request)
    with transaction.atomic():
        side = _side(request, pk)
    return skriv(request, aktoer, side, visning(pk))


@never_cache
@require_GET
@login_required
def min_samtale_fil(request: HttpRequest, pk: uuid.UUID, fil: uuid.UUID) -> HttpResponse:
    """Download an attachment of the conversation."""
    aktoer = person_for(request)
    with transaction.atomic():
        side = _side(request, pk, beskeder=False)
        return fil_svar(request, aktoer, side, fil)


urlpatterns = [
    path("mine-samtaler/", mine_samtaler, name="mine_samtaler"),
    path("mine-samtaler/<uuid:pk>/", min_samtale, name="min_samtale"),
    path("mine-samtaler/<uuid:pk>/nye/", min_samtale_nye, name="min_samtale_nye"),
    path("mine-samtaler/<uuid:pk>/skriv/", min_samtale_skriv, name="min_samtale_skriv"),
    path("mine-samtaler/<uuid:pk>/fil/<uuid:fil>/", min_samtale_fil, name="min_samtale_fil"),
]
