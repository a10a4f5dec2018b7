"""The citizen's own page: what the authorities have registered about them, in plain Danish."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from overblik.selectors.mine_data import mine_data as mine_data_selector
from overblik.views import aktoer_for
from samtykke.adgangslog import Grundlag, adgangslog_skriv


@require_http_methods(["GET"])
@login_required
def mine_data(request: HttpRequest) -> HttpResponse:
    """Show a citizen their own tilstande and indsatser; staff and others get 404."""
    aktoer = aktoer_for(request)
    if not aktoer.er_borger:
        raise Http404(_("Siden findes kun for borgere."))
    with transaction.atomic():
        data = mine_data_selector(aktoer)
        adgangslog_skriv(
            aktoer=aktoer,
            user=request.user,
            borger=aktoer.borger,
            hvad=_("Mine data: dine tilstande og indsatser"),
            grundlag=Grundlag.BORGER,
            objekter=data.objekter,
            formaal=_("Borgerens indsigt i egne oplysninger"),
        )
        return render(request, "overblik/mine_data.html", {"data": data})


urlpatterns = [
    path("mine-data/", mine_data, name="mine_data"),
]
