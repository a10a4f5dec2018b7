"""The caseworker's citizen screens: the list of citizens, finding one by CPR number, and
one citizen's overview of conditions and interventions, with what is hidden and why.

A CPR number travels only in the body of a POST and is never written back into a page,
a URL or a log line. Any member of staff with a current unit can find any citizen by
their full CPR number (that is how a case starts); the lookup is written in the citizen's
access log, and the citizen's page then shows only what the policy allows. A citizen whose
page the person may not open gives the same 404 as a uuid that does not exist. Every
response that shows a citizen's data writes an access-log entry in the transaction that
reads the data, so the read fails if the log cannot be written.
"""

from __future__ import annotations

import functools
import re
import uuid
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from organisation.models import Borger
from organisation.selectors import Aktoer
from overblik.forms import CprFindForm
from overblik.forms.samtykke_personale import formularer
from overblik.selectors import berigtigelse as berigtigelse_selectors
from overblik.selectors import borger as selectors
from overblik.selectors import dialog as dialog_selectors
from overblik.selectors import sag as sag_selectors
from overblik.selectors import samtykke_personale
from overblik.views import aktoer_for
from samtykke import policy
from samtykke.adgangslog import Grundlag, adgangslog_visning, adgangslog_write

MAKS_SOEGELAENGDE = 100
CIFRE = re.compile(r"\d")
CPR_I_NAVNESOEGNING = _lazy("Søg på navn her. Et CPR-nummer skrives i „Find borger ud fra CPR“.")


def medarbejder_for(request: HttpRequest) -> Aktoer:
    """Return the logged-in member of staff; anybody else gets a 404 on these screens."""
    aktoer = aktoer_for(request)
    if not aktoer.er_medarbejder:
        raise Http404(_("Siden findes ikke."))
    return aktoer


def borger_eller_404(aktoer: Aktoer, pk: uuid.UUID, *, resume: bool = False) -> Borger:
    """Return the citizen (with `blokeret`, `hjemmel_til`, and with `resume` what the
    summary page reads with them: selectors.borger_til_side) if the person may open their
    page; else the same 404 as for a uuid that does not exist."""
    try:
        return selectors.borger_til_side(aktoer, pk, resume=resume)
    except Borger.DoesNotExist:
        raise Http404(_("Borgeren findes ikke.")) from None


def borgerside(parameter: str = "pk", *, resume: bool = False):
    """Make a view citizen-scoped: the URL's citizen uuid (`parameter`) is replaced by the
    Borger, read through the citizen page's own check (samtykke.policy.borgere_aabne), and
    anybody who may not open that citizen's page gets the 404 of a citizen that does not
    exist — before the view reads, logs or writes anything. Every route of overblik that
    takes a citizen uses it (tests/overblik/test_borgerside.py walks the URLconf).
    `resume`: read with the citizen what the summary page needs of them (the visible
    set, whether there are conversations) in the same query."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            kwargs[parameter] = borger_eller_404(
                medarbejder_for(request), kwargs[parameter], resume=resume
            )
            return view(request, *args, **kwargs)

        wrapper.borger_parameter = parameter  # type: ignore[attr-defined]
        return wrapper

    return decorator


def log_visning(
    request, aktoer: Aktoer, borger: Borger, *, hvad: str, objekter=(), kategorier=(), sager=(),
    samtaler=(),
):  # fmt: skip
    """Write the access-log entry for a response that shows the citizen's data: one entry
    per page view, the cases elsewhere (`sager`) and the conversations listed (`samtaler`,
    rows from overblik.selectors.dialog.log_objekter), each with the basis it was seen on,
    in it beside the conditions and interventions."""
    kategorier = list(kategorier)
    if sager:
        kategorier.append(sag_selectors.KATEGORI)
    if samtaler:
        kategorier.append("dialog")
    adgangslog_visning(
        aktoer=aktoer,
        user=request.user,
        borger=borger,
        hvad=hvad,
        objekter=list(objekter),
        kategorier=kategorier,
        formaal=_("Sagsbehandling"),
        med_grundlag=[*(sag_selectors.logpost(sager).objekter if sager else ()), *samtaler],
    )


def efter_post(request: HttpRequest, url: str) -> HttpResponse:
    """Answer a successful POST: htmx is told where to go, a plain form gets a 302."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _liste_filtre(aktoer: Aktoer, data) -> dict:
    """Return the citizen list's filters from the request (a value that does not parse is
    dropped): freshness, one of the person's units, followed."""
    try:
        enhed = uuid.UUID(data.get("enhed", ""))
    except ValueError:
        enhed = None
    return {
        "friskhed": data.get("friskhed") == "1",
        "enhed": enhed if enhed in aktoer.enhed_ids else None,
        "fulgt": data.get("fulgt") == "1" and selectors.fulgte_q(aktoer) is not None,
    }


def _liste_context(aktoer: Aktoer, q: str, side, filtre: dict | None = None) -> dict:
    filtre = filtre or {}
    return {
        "q": q,
        "side": selectors.borger_liste(aktoer, q=q, side=side, **filtre),
        "filtre": filtre,
        "kan_foelge": selectors.fulgte_q(aktoer) is not None,
        "filter_query": urlencode({k: ("1" if v is True else v) for k, v in filtre.items() if v}),
    }


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def borgere(request: HttpRequest) -> HttpResponse:
    """List the citizens the caseworker may see, searched by name; htmx gets the list only.

    The search arrives in the body of a POST (so do the pages of a search): whatever is
    typed into it, a CPR number by mistake too, never becomes part of a URL and so never
    reaches an access log, a proxy or the browser's history.
    """
    aktoer = medarbejder_for(request)
    if request.method == "GET" and "q" in request.GET:
        # An old bookmark or a typed address: not searched, and not left in the address bar.
        return redirect("overblik:borgere")
    data = request.POST if request.method == "POST" else request.GET
    q = data.get("q", "").strip()[:MAKS_SOEGELAENGDE]
    # Names have no digits; a number may be a CPR number, which is neither searched for
    # nor written back into the page.
    cifre = bool(CIFRE.search(q))
    q = CIFRE.sub("", q).strip()
    filtre = _liste_filtre(aktoer, data)
    context = {**_liste_context(aktoer, q, data.get("side"), filtre), "cifre": cifre}
    context["cpr_advarsel"] = CPR_I_NAVNESOEGNING
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "overblik/borgere.html#liste", context)
    else:
        response = render(request, "overblik/borgere.html", {**context, "form": CprFindForm()})
    patch_vary_headers(response, ["HX-Request"])
    return response


@never_cache
@require_POST
@login_required
def borger_find(request: HttpRequest) -> HttpResponse:
    """Find any citizen by the CPR number in the POST body, log the lookup, and go to their
    page by uuid."""
    aktoer = medarbejder_for(request)
    form = CprFindForm(request.POST)
    if form.is_valid() and not aktoer.enhed_ids:
        form.add_error("cpr", _("Du skal være tilknyttet en enhed for at slå en borger op."))
    elif form.is_valid():
        with transaction.atomic():
            fundet = selectors.borger_find_cpr(aktoer, form.cleaned_data["cpr"])
            if fundet is not None:
                # The lookup itself is a read of who the citizen is: the citizen sees it.
                adgangslog_write(
                    aktoer=aktoer, user=request.user, borger=fundet,
                    hvad=_("Opslag på CPR-nummer"), grundlag=Grundlag.EGEN_ENHED,
                    formaal=_("Start af sag / opslag"), kategorier=[policy.OPSLAG],
                )  # fmt: skip
                return efter_post(request, reverse("overblik:borger", kwargs={"pk": fundet.pk}))
        form.add_error("cpr", _("Der er ingen borger med det CPR-nummer i Datadeling."))
    if request.htmx:
        return render(request, "overblik/borgere.html#find", {"form": form})
    context = {**_liste_context(aktoer, "", 1), "form": form}
    return render(request, "overblik/borgere.html", context)


@never_cache
@require_GET
@login_required
@borgerside(resume=True)
def borger(request: HttpRequest, pk: Borger) -> HttpResponse:
    """Show the summary of one citizen's data the caseworker may see (the current conditions
    per area, the newest active interventions, the latest change, the cases elsewhere), what
    is hidden and why, and the consents, requests and legal-basis access. The rest of the
    conditions and interventions are on pages of their own (borger_tilstande,
    borger_indsatser), which htmx loads into this page."""
    aktoer = medarbejder_for(request)
    b = pk
    with transaction.atomic():
        overblik = selectors.borger_overblik(aktoer, b)
        adgang = samtykke_personale.adgang(aktoer, b)
        dialog = dialog_selectors.sektion(bruger=request.user, aktoer=aktoer, borger=b)
        log_visning(
            request,
            aktoer,
            overblik.borger,
            hvad=_("Borgerens side: tilstande, indsatser, sager i andre systemer og samtaler"),
            objekter=overblik.objekter,
            kategorier=["tilstande", "indsatser"],
            sager=overblik.sager,
            samtaler=dialog_selectors.log_objekter(dialog),
        )
        context = {
            "dialog": dialog,
            "o": overblik,
            "kan_registrere": bool(aktoer.enhed_ids),
            "adgang": adgang,
            "formularer": formularer(adgang),
            "bemaerkninger": berigtigelse_selectors.bemaerkninger(overblik.objekter),
        }
        partial = request.htmx and not request.htmx.history_restore_request
        template = "overblik/borger.html" + ("#indhold" if partial else "")
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _uuid_eller_none(vaerdi: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(vaerdi or "")
    except ValueError:
        return None


def _adresse(navn: str, borger: Borger, query: dict) -> str:
    """Return a list's address with its query, ready for "side=N" to be appended."""
    adresse = reverse(navn, kwargs={"pk": borger.pk}) + "?"
    return adresse + (urlencode(query) + "&" if query else "")


def _listeside(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """Render a page of a citizen's list: htmx gets the list only (swapped into the citizen's
    page), a plain request the whole page with its own headline and links between pages."""
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, template + ("#liste" if partial else ""), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@never_cache
@require_GET
@login_required
@borgerside()
def borger_tilstande(request: HttpRequest, pk: Borger) -> HttpResponse:
    """Show one page of the citizen's conditions the caseworker may see: the current ones
    of one area (`omraade`), all current ones, or the ended ones (`afsluttede=1`); logged."""
    aktoer = medarbejder_for(request)
    omraade = _uuid_eller_none(request.GET.get("omraade"))
    afsluttede = request.GET.get("afsluttede") == "1"
    with transaction.atomic():
        side = selectors.borger_tilstande_side(
            aktoer, pk.pk, omraade=omraade, afsluttede=afsluttede, side=request.GET.get("side", 1)
        )
        tilstande = [v.t for v in side.object_list]
        log_visning(
            request, aktoer, pk, hvad=_("Borgerens tilstande"), objekter=tilstande,
            kategorier=["tilstande"],
        )  # fmt: skip
        if afsluttede:
            overskrift, query = _("Afsluttede tilstande"), {"afsluttede": "1"}
        elif omraade is not None:
            titel = selectors.omraade_titel_for(side.object_list)
            overskrift = _("Tilstande: %(titel)s") % {"titel": titel} if titel else _("Tilstande")
            query = {"omraade": str(omraade)}
        else:
            overskrift, query = _("Aktuelle tilstande"), {}
        context = {
            "b": pk,
            "side": side,
            "overskrift": overskrift,
            "adresse": _adresse("overblik:borger_tilstande", pk, query),
            "bemaerkninger": berigtigelse_selectors.bemaerkninger(tilstande),
        }
        return _listeside(request, "overblik/borger_tilstande.html", context)


@never_cache
@require_GET
@login_required
@borgerside()
def borger_indsatser(request: HttpRequest, pk: Borger) -> HttpResponse:
    """Show one page of the citizen's active interventions the caseworker may see, or of the
    ended ones (`afsluttede=1`); logged."""
    aktoer = medarbejder_for(request)
    afsluttede = request.GET.get("afsluttede") == "1"
    with transaction.atomic():
        side = selectors.borger_indsatser_side(
            aktoer, pk.pk, afsluttede=afsluttede, side=request.GET.get("side", 1)
        )
        indsatser = [v.i for v in side.object_list]
        log_visning(
            request, aktoer, pk, hvad=_("Borgerens indsatser"), objekter=indsatser,
            kategorier=["indsatser"],
        )  # fmt: skip
        context = {
            "b": pk,
            "side": side,
            "overskrift": _("Afsluttede indsatser") if afsluttede else _("Aktive indsatser"),
            "adresse": _adresse(
                "overblik:borger_indsatser", pk, {"afsluttede": "1"} if afsluttede else {}
            ),
            "bemaerkninger": berigtigelse_selectors.bemaerkninger(indsatser),
        }
        return _listeside(request, "overblik/borger_indsatser.html", context)


urlpatterns = [
    path("borgere/", borgere, name="borgere"),
    path("borgere/find/", borger_find, name="borger_find"),
    path("borgere/<uuid:pk>/", borger, name="borger"),
    path("borgere/<uuid:pk>/tilstande/", borger_tilstande, name="borger_tilstande"),
    path("borgere/<uuid:pk>/indsatser/", borger_indsatser, name="borger_indsatser"),
]
