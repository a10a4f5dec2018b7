"""The citizen's own page: what the authorities have registered about them, and which cases
they have in other systems (the case index), in plain Danish.

The page is a summary (the current conditions per area, the newest of each; the newest
help; the latest change; how many there are of each), and the rest comes on demand, page
by page (`mine_data_tilstande`, `mine_data_indsatser`): htmx swaps a page into the summary,
and without JavaScript the same links open it as a page of its own. So the page does not
grow with the citizen's history.

A relative acting for the citizen (værge or fuldmagt, chosen at "Handl for en anden") sees
the citizen's page, cases included, when the relation covers health and care or social
matters; the read is logged in the citizen's log as done by the relative through that
relation. One read, one entry: the conditions, interventions and cases shown are its
objects (each page loaded on demand writes its own).
"""

from __future__ import annotations

import dataclasses
import uuid
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from datadeling.core import clock
from organisation.models import Omfang
from overblik.selectors import berigtigelse as berigtigelse_selectors
from overblik.selectors import mine_data as selectors
from overblik.selectors.sag import KATEGORI as SAGSINDEKS
from overblik.views.samtykke_borger import hvem_for, log_visning
from samtykke import policy

# What a relation must cover for the relative to read the citizen's tilstande and indsatser.
SE_DATA = {Omfang.HELBRED, Omfang.SOCIALE, Omfang.PERSONLIGE}


def _formaal(hvem) -> str:
    if hvem.for_andre:
        return _("Værge eller fuldmægtig ser borgerens oplysninger")
    return _("Borgerens indsigt i egne oplysninger")


def _laeser(request: HttpRequest):
    """Return who reads (aktoer, hvem) and whose data the policy shows them (`laeser`), or
    None for `laeser` when the relative's relation does not cover the data."""
    aktoer, hvem = hvem_for(request)
    if hvem.for_andre and not SE_DATA.intersection(hvem.relation.omfang):
        return aktoer, hvem, None
    return aktoer, hvem, dataclasses.replace(aktoer, borger=hvem.borger)


def _kontekst(hvem, datum: list, indsatser: list) -> dict:
    """Return what the cards show beside each datum: statements, own words, requests."""
    return {
        "hvem": hvem,
        "kan_rette": policy.er_part(hvem.person, hvem.borger, hvem.relation, clock.now()),
        "bemaerkninger": berigtigelse_selectors.bemaerkninger([*datum, *indsatser]),
        "stemmer": berigtigelse_selectors.stemmer(i.pk for i in indsatser),
        "anmodninger": berigtigelse_selectors.seneste_pr_datum(hvem.borger.pk),
    }


@require_http_methods(["GET"])
@login_required
def mine_data(request: HttpRequest) -> HttpResponse:
    """Show a citizen the summary of their own tilstande, indsatser and cases in other
    systems (or, for a relative acting for them within the relation's scope, the
    citizen's); staff and others get 404."""
    aktoer, hvem, laeser = _laeser(request)
    if laeser is None:
        return render(request, "overblik/mine_data.html", {"data": None, "hvem": hvem})
    with transaction.atomic():
        data = selectors.mine_data_resume(laeser, hvem.tiltale)
        log_visning(
            request,
            aktoer,
            hvem,
            hvad=_("Mine data: tilstande, indsatser og sager i andre systemer"),
            objekter=data.objekter,
            kategorier=[SAGSINDEKS] if data.sager or data.lukkede_sager else [],
            formaal=_formaal(hvem),
        )
        datum = [m.tilstand for o in data.omraader for m in o.tilstande]
        indsatser = [m.indsats for m in data.indsatser]
        context = {"data": data, **_kontekst(hvem, datum, indsatser)}
        return render(request, "overblik/mine_data.html", context)


def _vis_side(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, template + ("#liste" if partial else ""), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _adresse(navn: str, query: dict) -> str:
    return reverse(navn) + "?" + (urlencode(query) + "&" if query else "")


@require_http_methods(["GET"])
@login_required
def mine_data_tilstande(request: HttpRequest) -> HttpResponse:
    """Show one page of the citizen's own conditions: the current ones of one area
    (`omraade`), all current ones, or those no longer current (`tidligere=1`); logged."""
    aktoer, hvem, laeser = _laeser(request)
    if laeser is None:
        return render(request, "overblik/mine_data.html", {"data": None, "hvem": hvem})
    try:
        omraade: uuid.UUID | None = uuid.UUID(request.GET.get("omraade", ""))
    except ValueError:
        omraade = None
    tidligere = request.GET.get("tidligere") == "1"
    with transaction.atomic():
        side = selectors.mine_tilstande_side(
            laeser, hvem.tiltale, omraade=omraade, ikke_aktuelle=tidligere,
            side=request.GET.get("side", 1),
        )  # fmt: skip
        datum = [m.tilstand for m in side.object_list]
        log_visning(
            request, aktoer, hvem, hvad=_("Mine data: tilstande"),
            objekter=[("tilstand", t.pk) for t in datum], formaal=_formaal(hvem),
        )  # fmt: skip
        if tidligere:
            overskrift, query = _("Det, der ikke længere er aktuelt"), {"tidligere": "1"}
        elif omraade is not None and datum:
            overskrift = selectors.omraade_titel(datum[0])
            query = {"omraade": str(omraade)}
        else:
            overskrift = _("Sådan har vi beskrevet %(din)s situation") % {"din": hvem.tiltale.din}
            query = {"omraade": str(omraade)} if omraade else {}
        context = {
            "side": side,
            "overskrift": overskrift,
            "adresse": _adresse("overblik:mine_data_tilstande", query),
            "kort": "overblik/mine_data_tilstand.html",
            **_kontekst(hvem, datum, []),
        }
        return _vis_side(request, "overblik/mine_data_side.html", context)


@require_http_methods(["GET"])
@login_required
def mine_data_indsatser(request: HttpRequest) -> HttpResponse:
    """Show one page of the citizen's own help: what they get now, or what has stopped
    (`stoppet=1`); logged."""
    aktoer, hvem, laeser = _laeser(request)
    if laeser is None:
        return render(request, "overblik/mine_data.html", {"data": None, "hvem": hvem})
    stoppet = request.GET.get("stoppet") == "1"
    with transaction.atomic():
        side = selectors.mine_indsatser_side(
            laeser, hvem.tiltale, stoppede=stoppet, side=request.GET.get("side", 1)
        )
        indsatser = [m.indsats for m in side.object_list]
        log_visning(
            request, aktoer, hvem, hvad=_("Mine data: hjælp"),
            objekter=[("indsats", i.pk) for i in indsatser], formaal=_formaal(hvem),
        )  # fmt: skip
        if stoppet:
            overskrift = _("Hjælp, der er stoppet")
        else:
            overskrift = _("Den hjælp %(du)s får") % {"du": hvem.tiltale.du}
        context = {
            "side": side,
            "overskrift": overskrift,
            "adresse": _adresse(
                "overblik:mine_data_indsatser", {"stoppet": "1"} if stoppet else {}
            ),
            "kort": "overblik/mine_data_indsats.html",
            "bred": True,
            **_kontekst(hvem, [], indsatser),
        }
        return _vis_side(request, "overblik/mine_data_side.html", context)


urlpatterns = [
    path("mine-data/", mine_data, name="mine_data"),
    path("mine-data/tilstande/", mine_data_tilstande, name="mine_data_tilstande"),
    path("mine-data/hjaelp/", mine_data_indsatser, name="mine_data_indsatser"),
]
