"""Correction requests (GDPR art. 16) and the citizen's own words on goals.

The citizen (or whoever speaks for them: samtykke.policy.er_part) asks for a correction of
a datum on Mine data, follows it, and adds a statement to a datum that was not corrected;
on an intervention they write what the goal means to them and how it is going. Staff of the
datum's responsible unit see their units' requests, correct the datum (through its own
service: the history names the request) or decline with a justification. Anybody else gets
404. Every response that shows citizen data writes the access log in its transaction.
"""

from __future__ import annotations

import dataclasses
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from datadeling.core import clock
from indsats.models import Indsats
from indsats.services import borgerens_stemme_add
from overblik.forms import tilfoej_fejl
from overblik.forms.berigtigelse import AfvisForm, AnmodForm, BemaerkningForm, StemmeForm
from overblik.forms.indsats import RetForm
from overblik.forms.tilstand import TilstandRetForm
from overblik.selectors import berigtigelse as selectors
from overblik.selectors import indsats as indsats_selectors
from overblik.selectors import tilstand as tilstand_selectors
from overblik.views.borger import efter_post, log_visning, medarbejder_for
from overblik.views.samtykke_borger import hvem_for
from overblik.views.samtykke_borger import log_visning as log_borger
from samtykke import policy
from samtykke.adgangslog import Grundlag, adgangslog_write_many
from samtykke.berigtigelse import services
from samtykke.models import Berigtigelse, Handling
from tilstand.models import Tilstand

T = "overblik/berigtigelse/"


def _ikke_fundet() -> Http404:
    return Http404(_("Siden findes ikke."))


def _part(request: HttpRequest):
    """Return (aktoer, hvem) for the party; 404 for anybody who does not speak for the
    citizen about their data (staff, a relative whose scope does not cover the data)."""
    aktoer, hvem = hvem_for(request)
    if not policy.er_part(hvem.person, hvem.borger, hvem.relation, clock.now()):
        raise _ikke_fundet()
    return aktoer, hvem


# --- the citizen -----------------------------------------------------------------------------


def _anmod(request: HttpRequest, pk: uuid.UUID, model) -> HttpResponse:
    aktoer, hvem = _part(request)
    laeser = dataclasses.replace(aktoer, borger=hvem.borger)
    with transaction.atomic():
        try:
            datum = selectors.datum_for_part(laeser, model, pk)
        except model.DoesNotExist:
            raise _ikke_fundet() from None
        form = AnmodForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    b = services.berigtigelse_create(
                        actor=request.user, datum=datum, indsendt_af=hvem.person,
                        via_relation=hvem.relation, **form.cleaned_data,
                    )  # fmt: skip
            except ValidationError as fejl:
                tilfoej_fejl(form, fejl)
            else:
                messages.success(
                    request,
                    _("Tak. Din anmodning er sendt til %(enhed)s. De skal svare senest %(frist)s.")
                    % {"enhed": datum.ansvarlig_enhed.navn, "frist": f"{b.frist:%d.%m.%Y}"},
                )
                return efter_post(
                    request, reverse("overblik:min_berigtigelse", kwargs={"pk": b.pk})
                )
        log_borger(
            request, aktoer, hvem, hvad=_("Anmodning om rettelse: %(t)s") % {"t": datum.type.titel},
            objekter=[(model._meta.model_name, datum.pk)],
        )  # fmt: skip
        context = {"hvem": hvem, "handler_for": hvem.relation, "datum": datum, "form": form}
        return render(request, T + "anmod.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def min_tilstand_berigtigelse(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Ask the unit that owns a condition to correct it: what is wrong, what is right."""
    return _anmod(request, pk, Tilstand)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def min_indsats_berigtigelse(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Ask the unit that owns an intervention to correct it."""
    return _anmod(request, pk, Indsats)


@never_cache
@require_http_methods(["GET"])
@login_required
def mine_berigtigelser(request: HttpRequest) -> HttpResponse:
    """List the citizen's correction requests with their status and due date."""
    aktoer, hvem = _part(request)
    with transaction.atomic():
        anmodninger = selectors.mine_berigtigelser(hvem.borger.pk)
        log_borger(
            request, aktoer, hvem, hvad=_("Mine anmodninger om rettelse"),
            objekter=[("berigtigelse", a.b.pk) for a in anmodninger],
        )  # fmt: skip
        context = {"hvem": hvem, "handler_for": hvem.relation, "anmodninger": anmodninger}
        return render(request, T + "mine.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def min_berigtigelse(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Show one request: status, due date, the answer; after a decline, add a statement."""
    aktoer, hvem = _part(request)
    with transaction.atomic():
        try:
            a = selectors.min_berigtigelse(hvem.borger.pk, pk)
        except Berigtigelse.DoesNotExist:
            raise _ikke_fundet() from None
        form = BemaerkningForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    services.bemaerkning_add(
                        actor=request.user, berigtigelse=a.b, skrevet_af=hvem.person,
                        via_relation=hvem.relation, tekst=form.cleaned_data["tekst"],
                    )  # fmt: skip
            except ValidationError as fejl:
                tilfoej_fejl(form, fejl)
            else:
                messages.success(request, _("Din bemærkning er gemt og vises ved oplysningen."))
                return efter_post(request, request.path)
        log_borger(
            request, aktoer, hvem, hvad=_("En anmodning om rettelse"),
            objekter=[("berigtigelse", a.b.pk), (a.art, a.datum.pk)],
        )  # fmt: skip
        context = {"hvem": hvem, "handler_for": hvem.relation, "a": a, "form": form}
        return render(request, T + "min.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def mine_ord(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The citizen's own words on an intervention's goals: what it means, how it goes."""
    aktoer, hvem = _part(request)
    laeser = dataclasses.replace(aktoer, borger=hvem.borger)
    with transaction.atomic():
        try:
            indsats = selectors.datum_for_part(laeser, Indsats, pk)
        except Indsats.DoesNotExist:
            raise _ikke_fundet() from None
        form = StemmeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    borgerens_stemme_add(
                        actor=request.user, indsats=indsats, skrevet_af=hvem.person,
                        via_relation=hvem.relation, **form.cleaned_data,
                    )  # fmt: skip
            except ValidationError as fejl:
                tilfoej_fejl(form, fejl)
            else:
                messages.success(request, _("Dine ord er gemt. De vises ved indsatsens mål."))
                return efter_post(request, request.path)
        historik = selectors.stemmer([indsats.pk]).get(indsats.pk, [])
        log_borger(
            request, aktoer, hvem, hvad=_("Mine ord om målet: %(t)s") % {"t": indsats.type.titel},
            objekter=[("indsats", indsats.pk)],
        )  # fmt: skip
        context = {
            "hvem": hvem, "handler_for": hvem.relation, "indsats": indsats, "form": form,
            "historik": historik,
        }  # fmt: skip
        return render(request, T + "mine_ord.html", context)


# --- the owning unit -------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET"])
@login_required
def berigtigelser(request: HttpRequest) -> HttpResponse:
    """List the requests for the member of staff's units: open ones by due date, then the
    newest answered. Each citizen shown gets one entry in their log."""
    aktoer = medarbejder_for(request)
    with transaction.atomic():
        data = selectors.enhedens_berigtigelser(aktoer)
        pr_borger: dict = {}
        for a in (*data.aabne, *data.besvarede):
            pr_borger.setdefault(a.b.borger_id, (a.b.borger, []))[1].append(
                ("berigtigelse", a.b.pk)
            )
        if pr_borger:
            adgangslog_write_many(
                aktoer=aktoer, user=request.user,
                poster={b_id: objekter for b_id, (_b, objekter) in pr_borger.items()},
                hvad=_("Anmodninger om rettelse til enheden"), grundlag=Grundlag.EGEN_ENHED,
                handling=Handling.VISNING,
            )  # fmt: skip
        return render(request, T + "enhedens.html", {"data": data})


def _ret_form(a: selectors.Anmodning, data=None):
    if isinstance(a.datum, Tilstand):
        start = tilstand_selectors.tilstand_start(a.datum)
        valg = tilstand_selectors.tilstand_klassevalg(typer=False)
        return TilstandRetForm(data, valg=valg, tilstand=a.datum, start=start), start
    start = indsats_selectors.foerste_virkning(a.datum)
    initial = {"startdato": a.datum.startdato, "slutdato": a.datum.slutdato}
    return RetForm(data, initial=initial), start


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def berigtigelse(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """One request to the unit: the datum now, what the citizen says; correct it (through
    the datum's own service) or decline with a justification the citizen reads."""
    aktoer = medarbejder_for(request)
    with transaction.atomic():
        try:
            a = selectors.berigtigelse_til_svar(aktoer, pk)
        except Berigtigelse.DoesNotExist:
            raise _ikke_fundet() from None
        handling = request.POST.get("handling") if request.method == "POST" else None
        ret_form, start = _ret_form(a, request.POST if handling == "ret" else None)
        afvis_form = AfvisForm(request.POST if handling == "afvis" else None)
        try:
            with transaction.atomic():
                if handling == "ret" and ret_form.is_valid():
                    _ret(request, a, ret_form, start)
                    messages.success(
                        request, _("Oplysningen er rettet, og borgeren kan se svaret.")
                    )
                    return efter_post(request, request.path)
                if handling == "afvis" and afvis_form.is_valid():
                    services.berigtigelse_decline(
                        actor=request.user, berigtigelse=a.b,
                        begrundelse=afvis_form.cleaned_data["begrundelse"],
                    )  # fmt: skip
                    messages.success(request, _("Svaret er sendt til borgeren."))
                    return efter_post(request, request.path)
        except ValidationError as fejl:
            tilfoej_fejl(ret_form if handling == "ret" else afvis_form, fejl)
        except PermissionDenied:
            raise _ikke_fundet() from None
        log_visning(
            request, aktoer, a.b.borger, hvad=_("Anmodning om rettelse"),
            objekter=[a.datum], kategorier=["berigtigelse"],
        )  # fmt: skip
        context = {
            "a": a, "ret_form": ret_form, "afvis_form": afvis_form, "aaben": handling,
            "kan_svare": a.aaben and policy.kan_besvare(aktoer, a.datum),
        }  # fmt: skip
        return render(request, T + "besvar.html", context)


def _ret(request: HttpRequest, a: selectors.Anmodning, form, start) -> None:
    if isinstance(form, TilstandRetForm):
        fra, til = form.periode(start)
        aendringer = form.aendringer()
    else:
        fra, til = start, None
        aendringer = {
            "startdato": form.cleaned_data["startdato"],
            "slutdato": form.cleaned_data["slutdato"],
        }
    services.berigtigelse_correct(
        actor=request.user, berigtigelse=a.b, aendringer=aendringer, virkning_fra=fra,
        virkning_til=til, begrundelse=form.cleaned_data["begrundelse"],
    )  # fmt: skip


urlpatterns = [
    path("mine-data/rettelser/", mine_berigtigelser, name="mine_berigtigelser"),
    path("mine-data/rettelser/<uuid:pk>/", min_berigtigelse, name="min_berigtigelse"),
    path(
        "mine-data/tilstande/<uuid:pk>/ret/",
        min_tilstand_berigtigelse,
        name="min_tilstand_berigtigelse",
    ),
    path(
        "mine-data/indsatser/<uuid:pk>/ret/",
        min_indsats_berigtigelse,
        name="min_indsats_berigtigelse",
    ),  # fmt: skip
    path("mine-data/indsatser/<uuid:pk>/mine-ord/", mine_ord, name="mine_ord"),
    path("berigtigelser/", berigtigelser, name="berigtigelser"),
    path("berigtigelser/<uuid:pk>/", berigtigelse, name="berigtigelse"),
]
