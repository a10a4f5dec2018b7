"""Mine samtaler: the conversations of a citizen, and of a relative taking part for a citizen
through a relation that covers dialogue with the authorities (Omfang.DIALOG).

Only citizens (logins with a person and no staff profile) get these pages; anybody else,
and any conversation the person may not read now, gets the same 404 as one that does not
exist. Which conversations a person may read is the policy's decision (dialog.selectors);
the pages are the staff's conversation page in plain words (overblik.views.dialog), and
every response that shows a conversation writes the citizen's access log.

The person may also start a conversation with a unit the policy lets them write to
(`policy.dialog.enheder_at_skrive_til`), and correct or withdraw their own messages, as the
dialogue services allow; each of these pages is a read of the citizen's data, logged.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialog import services as dialog_services
from dialog.models import SamtaleType
from organisation.selectors import Aktoer
from overblik.forms import tilfoej_fejl
from overblik.forms.dialog import MinSamtaleForm
from overblik.selectors import dialog as selectors
from overblik.views import aktoer_for
from overblik.views.borger import efter_post
from overblik.views.dialog import (
    Visning,
    fil_svar,
    ret_side,
    samtale_nye,
    samtale_side,
    skriv,
    tilbagetraek_side,
)


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


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def min_samtale_ny(request: HttpRequest) -> HttpResponse:
    """Start a conversation with a unit, about oneself or a citizen one acts for in the
    dialogue; the form offers only the units the policy lets the person write to."""
    aktoer = person_for(request)
    with transaction.atomic():
        valg = selectors.ny_samtale_valg(aktoer)
        form = MinSamtaleForm(request.POST or None, valg=valg)
        if request.method == "POST" and valg and form.is_valid():
            borger, enhed = form.valgt()
            c = form.cleaned_data
            try:
                with transaction.atomic():
                    ny = dialog_services.samtale_create(
                        borger=borger, type=SamtaleType.MED_BORGEREN, emne=c["emne"],
                        actor=request.user, deltagere=[enhed], tekst=c["tekst"],
                    )  # fmt: skip
            except ValidationError as fejl:
                tilfoej_fejl(form, fejl)
            else:
                messages.success(request, _("Samtalen er startet."))
                return efter_post(request, reverse("overblik:min_samtale", kwargs={"pk": ny.pk}))
        selectors.log_ny_samtale(request, aktoer, valg)
        return render(request, "overblik/dialog/min_samtale_ny.html", {"form": form, "valg": valg})


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def min_besked_ret(request: HttpRequest, pk: uuid.UUID, min_besked: uuid.UUID) -> HttpResponse:
    """Correct one's own message: a new version, the earlier one kept and shown."""
    aktoer = person_for(request)
    adresse = reverse("overblik:min_besked_ret", kwargs={"pk": pk, "min_besked": min_besked})
    with transaction.atomic():
        side = _side(request, pk, beskeder=False)
        return ret_side(request, aktoer, side, visning(pk), min_besked, adresse)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def min_besked_tilbagetraek(
    request: HttpRequest, pk: uuid.UUID, min_besked: uuid.UUID
) -> HttpResponse:
    """Withdraw one's own message: GET asks "are you sure?", POST leaves a marked stub."""
    aktoer = person_for(request)
    adresse = reverse(
        "overblik:min_besked_tilbagetraek", kwargs={"pk": pk, "min_besked": min_besked}
    )
    with transaction.atomic():
        side = _side(request, pk, beskeder=False)
        return tilbagetraek_side(request, aktoer, side, visning(pk), min_besked, adresse)


urlpatterns = [
    path("mine-samtaler/", mine_samtaler, name="mine_samtaler"),
    path("mine-samtaler/ny/", min_samtale_ny, name="min_samtale_ny"),
    path("mine-samtaler/<uuid:pk>/", min_samtale, name="min_samtale"),
    path("mine-samtaler/<uuid:pk>/nye/", min_samtale_nye, name="min_samtale_nye"),
    path("mine-samtaler/<uuid:pk>/skriv/", min_samtale_skriv, name="min_samtale_skriv"),
    path("mine-samtaler/<uuid:pk>/fil/<uuid:fil>/", min_samtale_fil, name="min_samtale_fil"),
    path(
        "mine-samtaler/<uuid:pk>/besked/<uuid:min_besked>/ret/",
        min_besked_ret,
        name="min_besked_ret",
    ),
    path(
        "mine-samtaler/<uuid:pk>/besked/<uuid:min_besked>/tilbagetraek/",
        min_besked_tilbagetraek,
        name="min_besked_tilbagetraek",
    ),
]
