"""The front page: the caseworker's worklist, the citizen's "what is new", or a note for a
login that is neither.

The worklist's filter and pages travel in the address (GET, uuids and fixed words only);
htmx asks for one list (`liste=<name>`) and gets that list's partial, a browser without
JavaScript the whole page. Every list that names a citizen's data writes the access log
in the transaction that reads it, one entry per citizen shown (the leader's reviews name
an access, not data, like the review page). The citizen's front page is logged like Mine
data: by the citizen, or by the relative through their relation.
"""

from __future__ import annotations

import dataclasses

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from datadeling.core import clock
from organisation.selectors import Aktoer
from overblik import services
from overblik.forms.arbejdsliste import ArbejdslisteFilterForm, sider
from overblik.models import Side
from overblik.selectors import arbejdsliste as selectors
from overblik.selectors.borger_forside import nyt_for_borger
from overblik.views import aktoer_for
from overblik.views.borger import efter_post, medarbejder_for
from overblik.views.mine_data import SE_DATA
from overblik.views.samtykke_borger import hvem_for, log_visning
from samtykke.adgangslog import adgangslog_write_many
from samtykke.models import Grundlag, Handling

# What each list's access-log entry says, and on what basis it was read.
LOG = {
    selectors.OPFOELGNINGER: (_lazy("Arbejdsliste: opfølgninger"), Grundlag.EGEN_ENHED),
    selectors.SAMTYKKER: (_lazy("Arbejdsliste: samtykker der udløber"), Grundlag.SAMTYKKE),
    selectors.ANMODNINGER: (_lazy("Arbejdsliste: anmodninger om samtykke"), Grundlag.EGEN_ENHED),
    selectors.SVAR: (_lazy("Arbejdsliste: svar på anmodninger"), Grundlag.EGEN_ENHED),
}
ANDEN_LOG = (_lazy("Arbejdsliste"), Grundlag.EGEN_ENHED)


@never_cache
@require_GET
@login_required
def forside(request: HttpRequest) -> HttpResponse:
    """Show the start page: the worklist for staff with a unit, what is new for a citizen."""
    aktoer = aktoer_for(request)
    if aktoer.er_medarbejder and aktoer.funktioner:
        return _arbejdsliste(request, aktoer)
    if aktoer.er_borger:
        return _borger(request, aktoer)
    return render(request, "forside.html", {"aktoer": aktoer})


def _arbejdsliste(request: HttpRequest, aktoer: Aktoer) -> HttpResponse:
    leder = any(f.rolle == "leder" for f in aktoer.funktioner)
    skjul = selectors.tomme_slots() | (frozenset() if leder else {selectors.GENNEMGANG})
    form = ArbejdslisteFilterForm(request.GET, aktoer=aktoer, skjul=skjul)
    filtre = form.filtre()
    liste = request.GET.get("liste")
    partial = (
        request.htmx and not request.htmx.history_restore_request and liste in selectors.LISTER
    )
    with transaction.atomic():
        data = selectors.arbejdsliste(
            aktoer, filtre, sider(request.GET), kun=liste if partial else None
        )
        for navn, poster in data.logposter().items():
            hvad, grundlag = LOG.get(navn, ANDEN_LOG)
            adgangslog_write_many(
                aktoer=aktoer, user=request.user, poster=poster, hvad=str(hvad),
                grundlag=grundlag, handling=Handling.VISNING,
            )  # fmt: skip
        context = {
            "aktoer": aktoer,
            "a": data,
            "form": form,
            "idag": timezone.localdate(clock.now()),
            "filter_query": _filter_query(request),
        }
        if partial:
            response = render(request, f"overblik/arbejdsliste.html#{liste}", context)
        else:
            response = render(request, "forside.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _filter_query(request: HttpRequest) -> str:
    """Return the address's filter without the pages, for the links of each list's pages."""
    q = request.GET.copy()
    for noegle in list(q):
        if noegle.startswith("side_") or noegle == "liste":
            del q[noegle]
    return q.urlencode()


def _borger(request: HttpRequest, aktoer: Aktoer) -> HttpResponse:
    aktoer, hvem = hvem_for(request)
    data = not hvem.for_andre or bool(SE_DATA.intersection(hvem.relation.omfang))
    laeser = dataclasses.replace(aktoer, borger=hvem.borger)
    with transaction.atomic():
        siden = services.sidst_set_update(
            actor=request.user, side=Side.BORGER_FORSIDE, borger=hvem.borger, besoeg=True
        )
        nyt = nyt_for_borger(laeser, siden, data=data)
        if not nyt.tom:
            log_visning(
                request, aktoer, hvem,
                hvad=_("Forside: nyt siden sidste besøg"),
                objekter=nyt.objekter,
                formaal=_("Værge eller fuldmægtig ser borgerens oplysninger")
                if hvem.for_andre
                else _("Borgerens indsigt i egne oplysninger"),
            )  # fmt: skip
        return render(request, "forside.html", {"aktoer": aktoer, "hvem": hvem, "nyt": nyt})


@never_cache
@require_POST
@login_required
def svar_set(request: HttpRequest) -> HttpResponse:
    """Mark the answers to my units' requests seen: the worklist then shows newer ones only."""
    aktoer = medarbejder_for(request)
    if not aktoer.funktioner:
        raise Http404(_("Siden findes ikke."))
    services.sidst_set_update(actor=request.user, side=Side.ARBEJDSLISTE_SVAR)
    return efter_post(request, reverse("forside") + "#svar")


urlpatterns = [
    path("arbejdsliste/svar-set/", svar_set, name="arbejdsliste_svar_set"),
]
