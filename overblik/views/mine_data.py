"""The citizen's own page: what the authorities have registered about them, and which cases
they have in other systems (the case index), in plain Danish.

A relative acting for the citizen (værge or fuldmagt, chosen at "Handl for en anden") sees
the citizen's page, cases included, when the relation covers health and care or social
matters; the read is logged in the citizen's log as done by the relative through that
relation. One read, one entry: the conditions, interventions and cases shown are its objects.
"""

from __future__ import annotations

import dataclasses

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from datadeling.core import clock
from organisation.models import Omfang
from overblik.selectors import berigtigelse as berigtigelse_selectors
from overblik.selectors.mine_data import mine_data as mine_data_selector
from overblik.selectors.sag import KATEGORI as SAGSINDEKS
from overblik.views.samtykke_borger import hvem_for, log_visning
from samtykke import policy

# What a relation must cover for the relative to read the citizen's tilstande and indsatser.
SE_DATA = {Omfang.HELBRED, Omfang.SOCIALE, Omfang.PERSONLIGE}


@require_http_methods(["GET"])
@login_required
def mine_data(request: HttpRequest) -> HttpResponse:
    """Show a citizen their own tilstande, indsatser and cases in other systems (or, for a
    relative acting for them within the relation's scope, the citizen's); staff and others
    get 404."""
    aktoer, hvem = hvem_for(request)
    if hvem.for_andre and not SE_DATA.intersection(hvem.relation.omfang):
        context = {"data": None, "hvem": hvem}
        return render(request, "overblik/mine_data.html", context)
    laeser = dataclasses.replace(aktoer, borger=hvem.borger)  # whose data the policy shows
    with transaction.atomic():
        data = mine_data_selector(laeser, hvem.tiltale)
        log_visning(
            request,
            aktoer,
            hvem,
            hvad=_("Mine data: tilstande, indsatser og sager i andre systemer"),
            objekter=data.objekter,
            kategorier=[SAGSINDEKS] if data.sager or data.lukkede_sager else [],
            formaal=_("Værge eller fuldmægtig ser borgerens oplysninger")
            if hvem.for_andre
            else _("Borgerens indsigt i egne oplysninger"),
        )
        datum = [m.tilstand for o in data.omraader for m in o.tilstande]
        indsatser = [m.indsats for m in (*data.indsatser, *data.afsluttede)]
        context = {
            "data": data,
            "hvem": hvem,
            "kan_rette": policy.er_part(hvem.person, hvem.borger, hvem.relation, clock.now()),
            "bemaerkninger": berigtigelse_selectors.bemaerkninger([*datum, *indsatser]),
            "stemmer": berigtigelse_selectors.stemmer(i.pk for i in indsatser),
            "anmodninger": berigtigelse_selectors.seneste_pr_datum(hvem.borger.pk),
        }
        return render(request, "overblik/mine_data.html", context)


urlpatterns = [
    path("mine-data/", mine_data, name="mine_data"),
]
