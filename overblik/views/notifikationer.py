"""The inbox (Notifikationer) of every person — staff, citizen, someone acting for a
citizen — with its unread badge, and following (Følg) a citizen for staff.

The badge in the page header is a link to the inbox; with JavaScript htmx fetches the
unread count from a tiny endpoint when the page loads and every 15 seconds, without a
reload. Showing the list of notifications about citizens writes their access log (the
list names that something changed about them); opening one marks it read and goes to
the page where the change is.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisation.models import Borger
from organisation.selectors import Aktoer
from overblik.forms.notifikationer import FoelgForm, IndstillingerForm
from overblik.notifikation import selectors, services
from overblik.views import aktoer_for
from overblik.views.borger import borgerside, efter_post, medarbejder_for
from samtykke import policy
from samtykke.adgangslog import Handling, adgangslog_write_many
from samtykke.models import HaendelseArt


def _person(request: HttpRequest) -> Aktoer:
    """Return the logged-in staff member or citizen; anybody else gets a 404."""
    aktoer = aktoer_for(request)
    if not (aktoer.er_medarbejder or aktoer.er_borger):
        raise Http404(_("Siden findes ikke."))
    return aktoer


def _uuid(vaerdi: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(vaerdi) if vaerdi else None
    except ValueError:
        return None


def _side(vaerdi: str | None) -> int:
    return int(vaerdi) if vaerdi and vaerdi.isdigit() else 1


def _log_liste(request: HttpRequest, aktoer: Aktoer, raekker) -> None:
    """Write one access-log entry per citizen the page's notifications name."""
    poster: dict = {}
    for n in raekker:
        if n.borger_id is not None:
            objekter = poster.setdefault(n.borger_id, [])
            if n.art in policy.DATA_ARTER and n.objekt_id is not None:
                objekter.append((n.art, n.objekt_id))
    adgangslog_write_many(
        aktoer=aktoer, user=request.user, poster=poster, hvad=_("Notifikationer om ændringer"),
        grundlag=policy.grundlag(aktoer), handling=Handling.VISNING,
    )  # fmt: skip


@never_cache
@require_GET
@login_required
def notifikationer(request: HttpRequest) -> HttpResponse:
    """List the person's notifications, newest first, filtered by citizen, kind and unread;
    htmx gets the list only."""
    aktoer = _person(request)
    borger_id = _uuid(request.GET.get("borger"))
    art = request.GET.get("art") or ""
    art = art if art in HaendelseArt.values else ""
    ulaeste = request.GET.get("ulaeste") == "1"
    with transaction.atomic():
        side = selectors.notifikationer_side(
            aktoer, request.user.pk, borger_id=borger_id, art=art or None, ulaeste=ulaeste,
            side=_side(request.GET.get("side")),
        )  # fmt: skip
        _log_liste(request, aktoer, side.raekker)
        context = {
            "side": side, "borger_id": borger_id, "art": art, "ulaeste": ulaeste,
            "arter": HaendelseArt.choices,
            "borgere": selectors.borgere_i_indbakke(aktoer, request.user.pk),
            "antal": selectors.ulaeste_antal(aktoer, request.user.pk),
        }  # fmt: skip
        partial = request.htmx and not request.htmx.history_restore_request
        template = "overblik/notifikationer/liste.html" + ("#liste" if partial else "")
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@never_cache
@require_GET
@login_required
def notifikationer_antal(request: HttpRequest) -> HttpResponse:
    """Return the header's badge: the link to the inbox with the unread count."""
    aktoer = aktoer_for(request)
    antal = (
        selectors.ulaeste_antal(aktoer, request.user.pk)
        if aktoer.er_medarbejder or aktoer.er_borger
        else 0
    )
    return render(request, "overblik/notifikationer/_badge.html", {"antal": antal, "polling": True})


@never_cache
@require_GET
@login_required
def notifikation_aabn(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to the page where the change is (that page logs
    its own read); a notification the person may no longer see is a 404."""
    aktoer = _person(request)
    n = selectors.notifikation_synlig(aktoer, request.user.pk, pk)
    if n is None:
        raise Http404(_("Notifikationen findes ikke."))
    services.notifikationer_mark_read(actor=request.user, ids=[n.pk])
    return redirect(selectors.link(n, aktoer))


@never_cache
@require_POST
@login_required
def notifikationer_laest(request: HttpRequest) -> HttpResponse:
    """Mark the chosen notifications (`id`, repeated) read, or all of them."""
    _person(request)
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    if request.POST.get("alle") == "1":
        services.notifikationer_mark_read(actor=request.user)
    elif ids:
        services.notifikationer_mark_read(actor=request.user, ids=ids)
    return efter_post(request, reverse("overblik:notifikationer"))


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def notifikation_indstillinger(request: HttpRequest) -> HttpResponse:
    """Show and save the person's notification settings."""
    aktoer = _person(request)
    instance = selectors.indstillinger(request.user.pk)
    form = IndstillingerForm(request.POST or None, instance=instance, aktoer=aktoer)
    if request.method == "POST" and form.is_valid():
        services.indstillinger_update(actor=request.user, **form.cleaned_data)
        return efter_post(request, reverse("overblik:notifikation_indstillinger") + "?gemt=1")
    return render(
        request,
        "overblik/notifikationer/indstillinger.html",
        {"form": form, "gemt": request.GET.get("gemt") == "1"},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@borgerside()
def borger_foelg(request: HttpRequest, pk: Borger) -> HttpResponse:
    """Show and change what the member of staff follows about the citizen: everything, or
    the chosen information; or stop following."""
    medarbejder_for(request)
    foelger = selectors.foelger(request.user.pk, pk.pk)
    if request.method == "POST" and request.POST.get("stop") == "1":
        services.foelg_stop(actor=request.user, borger=pk)
        return efter_post(request, reverse("overblik:borger", kwargs={"pk": pk.pk}))
    initial = (
        {"alt": foelger.alt, "klasser": foelger.klasser, "lovgrundlag": foelger.lovgrundlag,
         "sager": foelger.sager, "dialog": foelger.dialog}
        if foelger else {"alt": True}
    )  # fmt: skip
    form = FoelgForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.foelg_create(actor=request.user, borger=pk, **form.cleaned_data)
        return efter_post(request, reverse("overblik:borger", kwargs={"pk": pk.pk}))
    context = {"form": form, "borger": pk, "foelger": foelger}
    return render(request, "overblik/notifikationer/foelg.html", context)


urlpatterns = [
    path("notifikationer/", notifikationer, name="notifikationer"),
    path("notifikationer/antal/", notifikationer_antal, name="notifikationer_antal"),
    path("notifikationer/laest/", notifikationer_laest, name="notifikationer_laest"),
    path(
        "notifikationer/indstillinger/",
        notifikation_indstillinger,
        name="notifikation_indstillinger",
    ),
    path("notifikationer/<int:pk>/", notifikation_aabn, name="notifikation_aabn"),
    path("borgere/<uuid:pk>/foelg/", borger_foelg, name="borger_foelg"),
]
