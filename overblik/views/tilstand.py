"""The caseworker's Tilstand screens: one condition with its history, registering a new
one, and reassessing, correcting, ending or removing it.

Only staff of the unit responsible for a condition may change it; anybody else gets the
same 404 as for a condition that does not exist. Every write goes through
tilstand.services, whose Danish messages are shown next to the fields; nothing is stored
when they refuse. Every response showing the citizen's data writes an access-log entry in
the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisation.models import Borger
from organisation.selectors import Aktoer
from overblik.forms import tidspunkt, tilfoej_fejl
from overblik.forms.tilstand import (
    TilstandAfslutForm,
    TilstandFjernForm,
    TilstandNyForm,
    TilstandRetForm,
    TilstandRevurderForm,
)
from overblik.selectors import berigtigelse as berigtigelse_selectors
from overblik.selectors import borger as borger_selectors
from overblik.selectors import tilstand as selectors
from overblik.views.borger import borgerside, efter_post, log_visning, medarbejder_for
from samtykke import policy
from tilstand import services
from tilstand.models import Tilstand, TilstandStatus

SIDE = "overblik/tilstand/detalje.html"
NY = "overblik/tilstand/ny.html"


def _detalje_eller_404(aktoer: Aktoer, pk: uuid.UUID) -> selectors.TilstandDetalje:
    try:
        return selectors.tilstand_detalje(aktoer, pk)
    except Tilstand.DoesNotExist:
        raise Http404(_("Tilstanden findes ikke.")) from None


def _til_skrivning_eller_404(aktoer: Aktoer, pk: uuid.UUID) -> Tilstand:
    try:
        return selectors.tilstand_til_skrivning(aktoer, pk)
    except Tilstand.DoesNotExist:
        raise Http404(_("Tilstanden findes ikke.")) from None


def _log(request, aktoer: Aktoer, detalje: selectors.TilstandDetalje) -> None:
    log_visning(
        request,
        aktoer,
        detalje.t.borger,
        hvad=_("Tilstand med historik: %(type)s") % {"type": detalje.t.type.titel},
        objekter=[detalje.t],
        kategorier=["tilstande"],
    )


def _formularer(aktoer: Aktoer, detalje: selectors.TilstandDetalje, **bundne) -> dict:
    """Return the change forms of the condition's page, if the person may change it."""
    t = detalje.t
    if not policy.kan_skrive(aktoer, t.ansvarlig_enhed_id):
        return {}
    valg = selectors.tilstand_klassevalg(typer=False)
    tomme = {
        "revurder": lambda: TilstandRevurderForm(valg=valg, tilstand=t),
        "ret": lambda: TilstandRetForm(valg=valg, tilstand=t, start=detalje.start),
        "afslut": TilstandAfslutForm,
        "fjern": TilstandFjernForm,
    }
    return {navn: bundne[navn] if navn in bundne else ny() for navn, ny in tomme.items()}


@never_cache
@require_GET
@login_required
def tilstand(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Show one condition: its current state, provenance and full history."""
    aktoer = medarbejder_for(request)
    with transaction.atomic():
        detalje = _detalje_eller_404(aktoer, pk)
        _log(request, aktoer, detalje)
        partial = request.htmx and not request.htmx.history_restore_request
        context = {
            "d": detalje,
            "formularer": _formularer(aktoer, detalje),
            "bemaerkninger": berigtigelse_selectors.bemaerkninger([detalje.t]).get(detalje.t.pk),
        }
        response = render(request, SIDE + ("#indhold" if partial else ""), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _registrer(request, aktoer: Aktoer, borger, form: TilstandNyForm) -> Tilstand | None:
    """Register the form's condition, or put the reasons it cannot be on the form."""
    if not form.is_valid():
        return None
    if not policy.kan_skrive(aktoer, form.cleaned_data["ansvarlig_enhed"]):
        form.add_error("ansvarlig_enhed", _("Du kan kun registrere for dine egne enheder."))
        return None
    try:
        return services.tilstand_register(
            actor=request.user,
            borger=borger,
            data={**form.data_til_register(), "ansvarlig": aktoer.medarbejder},
            virkning_fra=form.virkning,
        )
    except ValidationError as fejl:
        tilfoej_fejl(form, fejl)
        return None


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@borgerside("borger")
def tilstand_ny(request: HttpRequest, borger: Borger) -> HttpResponse:
    """Register a condition for a citizen; htmx reloads the lists that fit the choice."""
    aktoer = medarbejder_for(request)
    url = reverse("overblik:tilstand_ny", kwargs={"borger": borger.pk})
    b = borger
    with transaction.atomic():
        opslag = {"valg": selectors.tilstand_klassevalg(), "aktoer": aktoer, "opslag_url": url}
        if request.method == "POST" and "opdater" not in request.POST:
            form = TilstandNyForm(request.POST, **opslag)
            t = _registrer(request, aktoer, b, form)
            if t is not None:
                messages.success(request, _("Tilstanden er registreret."))
                return efter_post(request, reverse("overblik:tilstand", kwargs={"pk": t.pk}))
        else:  # a blank form, or (htmx, or "Opdatér listerne") the lists for a choice
            form = TilstandNyForm(initial=(request.POST or request.GET).dict(), **opslag)
            trigger = request.htmx.trigger_name if request.htmx else None
            if request.method == "GET" and trigger in ("kodesystem", "type"):
                # Only lists of classes: nothing about the citizen, so nothing to log.
                partial = "typevalg" if trigger == "kodesystem" else "skalaer"
                return render(request, f"{NY}#{partial}", {"form": form})
        log_visning(request, aktoer, b, hvad=_("Registrering af en ny tilstand"))
        partial = request.method == "POST" and request.htmx
        response = render(
            request, NY + ("#formular" if partial else ""), {"form": form, "borger": b}
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _aendring(
    request: HttpRequest,
    pk: uuid.UUID,
    navn: str,
    lav_form: Callable[[Tilstand], Form],
    udfoer: Callable[[Form, Tilstand, Aktoer], str],
) -> HttpResponse:
    """Run one change form of the condition's page: on success go back to the page (or to
    `udfoer`'s answer), on error show the form again with the messages, 200."""
    aktoer = medarbejder_for(request)
    with transaction.atomic():
        t = _til_skrivning_eller_404(aktoer, pk)
        form = lav_form(t)
        if form.is_valid():
            try:
                url = udfoer(form, t, aktoer)
            except ValidationError as fejl:
                tilfoej_fejl(form, fejl)
            else:
                return efter_post(request, url)
        detalje = _detalje_eller_404(aktoer, pk)
        _log(request, aktoer, detalje)
        formularer = _formularer(aktoer, detalje, **{navn: form})
        context = {"d": detalje, "formularer": formularer, "aaben": navn}
        return render(request, SIDE + (f"#{navn}" if request.htmx else ""), context)


def _tilbage(t: Tilstand) -> str:
    return reverse("overblik:tilstand", kwargs={"pk": t.pk})


@never_cache
@require_POST
@login_required
def tilstand_revurder(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Record a new assessment (levels, the citizen's view, note) from a date."""

    def lav_form(t):
        valg = selectors.tilstand_klassevalg(typer=False)
        return TilstandRevurderForm(request.POST, valg=valg, tilstand=t)

    def udfoer(form, t, aktoer):
        start = selectors.tilstand_start(t)
        services.tilstand_reassess(
            actor=request.user,
            tilstand=t,
            aendringer={**form.aendringer(), "ansvarlig": aktoer.medarbejder},
            virkning_fra=tidspunkt(form.cleaned_data["virkning_fra"], tidligst=start),
            begrundelse=form.cleaned_data["begrundelse"] or _("Ny vurdering."),
        )
        messages.success(request, _("Den nye vurdering er registreret."))
        return _tilbage(t)

    return _aendring(request, pk, "revurder", lav_form, udfoer)


@never_cache
@require_POST
@login_required
def tilstand_ret(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Correct what was registered for a period, with a reason."""

    def lav_form(t):
        valg = selectors.tilstand_klassevalg(typer=False)
        return TilstandRetForm(request.POST, valg=valg, tilstand=t)

    def udfoer(form, t, aktoer):
        fra, til = form.periode(selectors.tilstand_start(t))
        services.tilstand_correct(
            actor=request.user,
            tilstand=t,
            aendringer=form.aendringer(),
            virkning_fra=fra,
            virkning_til=til,
            begrundelse=form.cleaned_data["begrundelse"],
        )
        messages.success(request, _("Rettelsen er registreret."))
        return _tilbage(t)

    return _aendring(request, pk, "ret", lav_form, udfoer)


@never_cache
@require_POST
@login_required
def tilstand_afslut(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """End the condition from a date."""

    def udfoer(form, t, aktoer):
        if t.status == TilstandStatus.AFSLUTTET:
            raise ValidationError(_("Tilstanden er allerede afsluttet."), code="afsluttet")
        start = selectors.tilstand_start(t)
        services.tilstand_end(
            actor=request.user,
            tilstand=t,
            virkning_fra=tidspunkt(form.cleaned_data["virkning_fra"], tidligst=start),
            begrundelse=form.cleaned_data["begrundelse"] or _("Tilstanden er afsluttet."),
        )
        messages.success(request, _("Tilstanden er afsluttet."))
        return _tilbage(t)

    return _aendring(request, pk, "afslut", lambda t: TilstandAfslutForm(request.POST), udfoer)


@never_cache
@require_POST
@login_required
def tilstand_fjern(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Remove a condition registered by mistake (passivate it; its history stays)."""

    def udfoer(form, t, aktoer):
        services.tilstand_passivate(
            actor=request.user, tilstand=t, begrundelse=form.cleaned_data["begrundelse"]
        )
        messages.success(request, _("Tilstanden er fjernet. Dens historik er bevaret."))
        if borger_selectors.borgere_synlige_for_medarbejder(aktoer).filter(pk=t.borger_id).exists():
            return reverse("overblik:borger", kwargs={"pk": t.borger_id})
        return reverse("overblik:borgere")

    return _aendring(request, pk, "fjern", lambda t: TilstandFjernForm(request.POST), udfoer)


urlpatterns = [
    path("borgere/<uuid:borger>/tilstande/ny/", tilstand_ny, name="tilstand_ny"),
    path("tilstande/<uuid:pk>/", tilstand, name="tilstand"),
    path("tilstande/<uuid:pk>/revurder/", tilstand_revurder, name="tilstand_revurder"),
    path("tilstande/<uuid:pk>/ret/", tilstand_ret, name="tilstand_ret"),
    path("tilstande/<uuid:pk>/afslut/", tilstand_afslut, name="tilstand_afslut"),
    path("tilstande/<uuid:pk>/fjern/", tilstand_fjern, name="tilstand_fjern"),
]
