"""The caseworker's Indsats screens: one intervention with its history, register, follow up,
end and correct. Every read of citizen data writes an access-log entry in its transaction."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from indsats import services
from indsats.models import Indsats
from organisation.models import Borger
from overblik.forms.indsats import (
    AfslutForm,
    IndsatsForm,
    OpfoelgForm,
    RetForm,
    maal_formset,
    vis_servicefejl,
)
from overblik.selectors import berigtigelse as berigtigelse_selectors
from overblik.selectors import indsats as selectors
from overblik.views.borger import borgerside, medarbejder_for
from samtykke import policy
from samtykke.adgangslog import adgangslog_visning

SIDE = "overblik/indsats/detalje.html"
NY = "overblik/indsats/ny.html"
FORMAAL = gettext_lazy("Sagsbehandling af borgerens indsats")


def _svar(request: HttpRequest, skabelon: str, partial: str | None, context: dict) -> HttpResponse:
    """Render the page, or for htmx the named partial; caches keep the two apart."""
    htmx = request.htmx and not request.htmx.history_restore_request
    response = render(request, f"{skabelon}#{partial}" if htmx and partial else skabelon, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _efter_post(request: HttpRequest, url: str, besked: str) -> HttpResponse:
    messages.success(request, besked)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _log_indsats(request, aktoer, side: selectors.IndsatsSide) -> None:
    adgangslog_visning(
        aktoer=aktoer, user=request.user, borger=side.indsats.borger,
        hvad=_("Indsats: %(titel)s") % {"titel": side.indsats.type.titel},
        objekter=side.objekter, formaal=str(FORMAAL),
    )  # fmt: skip


def _side(request, aktoer, pk, *, partial: str | None = "indhold", **formularer) -> HttpResponse:
    """Read, log and render the intervention page (with bound forms after a failed POST)."""
    try:
        side = selectors.indsats_detalje(aktoer, pk)
    except Indsats.DoesNotExist:
        raise Http404(_("Indsatsen findes ikke.")) from None
    valg = side.handlingsvalg
    context = {
        "side": side,
        "indsats": side.indsats,
        "bemaerkninger": berigtigelse_selectors.bemaerkninger([side.indsats]).get(side.indsats.pk),
        "stemmer": berigtigelse_selectors.stemmer([side.indsats.pk]).get(side.indsats.pk, []),
        "opfoelg_form": formularer.get("opfoelg_form") or (valg and OpfoelgForm(valg=valg)),
        "afslut_form": formularer.get("afslut_form") or (valg and AfslutForm(valg=valg)),
        "ret_form": formularer.get("ret_form")
        or RetForm(
            initial={"startdato": side.indsats.startdato, "slutdato": side.indsats.slutdato}
        ),
    }
    _log_indsats(request, aktoer, side)
    return _svar(request, SIDE, partial, context)


@require_http_methods(["GET"])
@login_required
def indsats(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Show one intervention with provenance and history; htmx gets the main content only."""
    with transaction.atomic():
        return _side(request, medarbejder_for(request), pk)


# --- register ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@borgerside("borger")
def indsats_ny(request: HttpRequest, borger: Borger) -> HttpResponse:
    """Register a new intervention for a citizen; htmx gets the form (or one field) back."""
    aktoer = medarbejder_for(request)
    person = borger
    if request.htmx and request.htmx.trigger_name == "type" and request.method == "GET":
        form = IndsatsForm(request.GET, valg=selectors.maalgruppe_felt_valg())
        return _svar(request, NY, "maalgruppe", {"form": form, "borger": person})
    with transaction.atomic():
        valg = selectors.ny_indsats_valg(aktoer, person.pk)
        data = request.POST if request.method == "POST" else None
        tilfoej = request.POST.get("handling") == "tilfoej_maal"
        form = IndsatsForm(data, valg=valg, url=request.path)
        maal = maal_formset(data, tilstande=valg.tilstande, tilfoej=tilfoej)
        if data is not None and not tilfoej and form.is_valid() and maal.is_valid():
            try:
                ny = _registrer(request, aktoer, person, form, maal)
            except ValidationError as fejl:
                vis_servicefejl(form, fejl, {"ansvarlig_enhed": "bevilgende_enhed"})
            else:
                url = reverse("overblik:indsats", kwargs={"pk": ny.pk})
                return _efter_post(request, url, _("Indsatsen er registreret."))
        adgangslog_visning(
            aktoer=aktoer, user=request.user, borger=person,
            hvad=_("Ny indsats: borgerens tilstande til indsatsens mål"),
            formaal=str(FORMAAL), objekter=list(valg.tilstande),
        )  # fmt: skip
        context = {"form": form, "maal": maal, "borger": person, "tilfoejet": tilfoej}
        return _svar(request, NY, "formular", context)


def _registrer(request, aktoer, borger, form: IndsatsForm, maal) -> Indsats:
    if not policy.kan_skrive(aktoer, form.cleaned_data["bevilgende_enhed"]):
        raise ValidationError({"bevilgende_enhed": _("Vælg en af de enheder, du arbejder i.")})
    goals = [m for m in (f.som_data() for f in maal.forms) if m is not None]
    return services.indsats_register(
        actor=request.user,
        borger=borger,
        data=form.service_data(ansvarlig=aktoer.medarbejder, maal=goals),
    )


# --- follow up, end, correct ----------------------------------------------------------------


def _til_aendring(aktoer, pk) -> Indsats:
    try:
        return selectors.indsats_til_aendring(aktoer, pk)
    except Indsats.DoesNotExist:
        raise Http404(_("Indsatsen findes ikke.")) from None


def _aendring(request, pk, navn: str, form_class, handling) -> HttpResponse:
    """Run one change form: parse → access check → service → redirect, or show the errors."""
    aktoer = medarbejder_for(request)
    with transaction.atomic():
        indsats = _til_aendring(aktoer, pk)
        valg = selectors.handlingsvalg(indsats) if form_class is not RetForm else None
        form = form_class(request.POST, **({"valg": valg} if valg else {}))
        if form.is_valid():
            try:
                besked = handling(request, indsats, form.cleaned_data)
            except ValidationError as fejl:
                vis_servicefejl(form, fejl, {"virkning_fra": "startdato"})
            else:
                url = reverse("overblik:indsats", kwargs={"pk": indsats.pk})
                return _efter_post(request, url, besked)
        if request.htmx:
            context = {"indsats": indsats, f"{navn}_form": form}
            return render(request, f"{SIDE}#{navn}_form", context)
        return _side(request, aktoer, pk, partial=None, **{f"{navn}_form": form})


def _aaben(indsats: Indsats) -> None:
    if indsats.afsluttet:
        raise ValidationError(_("Indsatsen er afsluttet."), code="afsluttet")


def _opfoelg(request, indsats, d) -> str:
    _aaben(indsats)
    services.indsats_follow_up(
        actor=request.user, indsats=indsats, resultat=d["resultat"],
        naeste_opfoelgning=d["naeste_opfoelgning"], begrundelse=d["begrundelse"].strip(),
        aendringer={"fremdrift": d["fremdrift"]} if d["fremdrift"] else None,
    )  # fmt: skip
    return _("Opfølgningen er registreret.")


def _afslut(request, indsats, d) -> str:
    _aaben(indsats)
    services.indsats_end(
        actor=request.user, indsats=indsats, slutdato=d["slutdato"],
        ophoersgrund=d["ophoersgrund"], begrundelse=d["begrundelse"].strip(),
    )  # fmt: skip
    return _("Indsatsen er afsluttet.")


def _ret(request, indsats, d) -> str:
    services.indsats_correct(
        actor=request.user, indsats=indsats,
        aendringer={"startdato": d["startdato"], "slutdato": d["slutdato"]},
        virkning_fra=selectors.foerste_virkning(indsats), begrundelse=d["begrundelse"],
    )  # fmt: skip
    return _("Perioden er rettet.")


@require_http_methods(["POST"])
@login_required
def indsats_opfoelg(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Record a follow-up: result, next follow-up date, and optionally a new progress."""
    return _aendring(request, pk, "opfoelg", OpfoelgForm, _opfoelg)


@require_http_methods(["POST"])
@login_required
def indsats_afslut(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """End the intervention on a date, with a reason from KL's list."""
    return _aendring(request, pk, "afslut", AfslutForm, _afslut)


@require_http_methods(["POST"])
@login_required
def indsats_ret(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Correct the intervention's period from its start, with a required reason."""
    return _aendring(request, pk, "ret", RetForm, _ret)


urlpatterns = [
    path("indsatser/<uuid:pk>/", indsats, name="indsats"),
    path("indsatser/<uuid:pk>/opfoelg/", indsats_opfoelg, name="indsats_opfoelg"),
    path("indsatser/<uuid:pk>/afslut/", indsats_afslut, name="indsats_afslut"),
    path("indsatser/<uuid:pk>/ret/", indsats_ret, name="indsats_ret"),
    path("borgere/<uuid:borger>/indsatser/ny/", indsats_ny, name="indsats_ny"),
]
