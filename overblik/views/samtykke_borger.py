"""The citizen's consent pages: Mine samtykker (answer requests, revoke, narrow, prolong,
block a unit), one consent's history, Hvem har set mine data, and choosing to act for a
citizen as their værge or fuldmægtig.

Only citizens get these pages; staff and logins without a person get 404. Whom the pages
are about is decided on every request: the citizen self, or the citizen chosen at
/handl-for/ when the logged-in person's værge or fuldmagt still covers consent today.
Another citizen's consent or request gives the same 404 as a uuid that does not exist.
Every response that shows the citizen's data writes an access-log entry in the
transaction that reads it: grundlag BORGER for the citizen, RELATION (with the relation)
for someone acting for them.
"""

from __future__ import annotations

import csv
import datetime
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as L
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from datadeling.core import clock
from datadeling.core.tekst import tidspunkt
from dialog import services as dialog_services
from organisation.models import Relation
from organisation.selectors import Aktoer
from overblik.forms import tilfoej_fejl
from overblik.forms.samtykke_borger import (
    JA,
    NEJ,
    SKRIV,
    VIS,
    BlokerForm,
    ForlaengForm,
    HandlForForm,
    IndskraenkForm,
    LogFilterForm,
    SvarForm,
)
from overblik.selectors import dialog as dialog_selectors
from overblik.selectors import samtykke_borger as selectors
from overblik.selectors.samtykke_borger import Hvem
from overblik.tiltale import Tiltale
from overblik.views import aktoer_for, mine_samtaler
from samtykke import services
from samtykke.adgangslog import Grundlag, adgangslog_write
from samtykke.models import Adgangslog, Anmodning, AnmodningStatus, Beslutning, Handling, Samtykke

SESSION_KEY = "datadeling_handler_for"
T = "overblik/samtykke_borger/"


# --- who the pages are about ---------------------------------------------------------------


def handler_for(request: HttpRequest) -> Relation | None:
    """Return the relation by which the logged-in person acts for a citizen now, or None.

    Checked against the database on every request (once per request): a fuldmagt that ran
    out, lost "samtykke" or was removed ends the acting at once.
    """
    if hasattr(request, "_datadeling_handler_for"):
        return request._datadeling_handler_for
    relation = None
    valgt = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if valgt:
        aktoer = aktoer_for(request)
        if aktoer.er_borger:
            relation = selectors.relation_til_handling(aktoer.borger, valgt, clock.now())
        if relation is None:
            del request.session[SESSION_KEY]
            messages.warning(
                request,
                _(
                    "Du kan ikke længere handle for den borger, du havde valgt: værgemålet "
                    "eller fuldmagten gælder ikke i dag. Du ser nu dine egne oplysninger."
                ),
            )
    request._datadeling_handler_for = relation
    return relation


def _tiltale(request: HttpRequest) -> Tiltale:
    relation = handler_for(request)
    return Tiltale(relation.borger.navn if relation is not None else None)


def handler_for_kontekst(request: HttpRequest) -> dict[str, object]:
    """Context processor: `handler_for` for the banner in base.html, and `tiltale`, the
    words for the person whose data the citizen's pages show (a query only while acting
    for someone)."""
    return {
        "handler_for_i_base": True,
        "handler_for": SimpleLazyObject(lambda: handler_for(request)),
        "tiltale": SimpleLazyObject(lambda: _tiltale(request)),
    }


def hvem_for(request: HttpRequest) -> tuple[Aktoer, Hvem]:
    """Return who is logged in and whose pages these are; anybody but a citizen gets 404."""
    aktoer = aktoer_for(request)
    if not aktoer.er_borger:
        raise Http404(_("Siden findes ikke."))
    relation = handler_for(request)
    if relation is not None:
        return aktoer, Hvem(person=aktoer.borger, borger=relation.borger, relation=relation)
    return aktoer, Hvem(person=aktoer.borger, borger=aktoer.borger)


def log_visning(
    request, aktoer: Aktoer, hvem: Hvem, *, hvad: str, objekter=(), formaal: str | None = None,
    kategorier=(), handling: str = Handling.VISNING,
) -> Adgangslog:  # fmt: skip
    """Write the access-log entry for a response that shows (or hands over, `handling`
    EKSPORT) the citizen's data; return it."""
    return adgangslog_write(
        aktoer=aktoer,
        user=request.user,
        borger=hvem.borger,
        hvad=hvad,
        grundlag=Grundlag.RELATION if hvem.for_andre else Grundlag.BORGER,
        grundlag_id=hvem.relation.pk if hvem.for_andre else None,
        objekter=list(objekter),
        kategorier=list(kategorier),
        formaal=formaal
        or (
            _("Værge eller fuldmægtig varetager borgerens samtykker")
            if hvem.for_andre
            else _("Borgerens indsigt i egne oplysninger")
        ),
        handler_for=hvem.relation,
        handling=handling,
    )


def efter_post(request: HttpRequest, url: str) -> HttpResponse:
    """Answer a successful POST: htmx is told where to go, a plain form gets a 302."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _partial(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _vis(request, template: str, del_: str, context: dict) -> HttpResponse:
    """Render the full page, or for htmx the named partial."""
    response = render(request, template + (f"#{del_}" if _partial(request) else ""), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _ikke_fundet():
    return Http404(_("Siden findes ikke."))


def _samtykke_kort(hvem: Hvem, pk: uuid.UUID) -> selectors.SamtykkeKort:
    try:
        return selectors.samtykke_til_handling(hvem, pk, clock.now())
    except Samtykke.DoesNotExist:
        raise _ikke_fundet() from None


MINE = "overblik:mine_samtykker"


# --- Mine samtykker ------------------------------------------------------------------------


def _mine_samtykker_side(request, aktoer, hvem, *, bloker_form=None) -> HttpResponse:
    now = clock.now()
    data = selectors.mine_samtykker(hvem, now)
    log_visning(
        request, aktoer, hvem,
        hvad=_("Mine samtykker: anmodninger, samtykker og blokeringer"), objekter=data.objekter,
    )  # fmt: skip
    context = {
        "data": data,
        "hvem": hvem,
        "handler_for": hvem.relation,
        "bloker_form": bloker_form or BlokerForm(enheder=data.blok_valg),
    }
    return render(request, T + "mine_samtykker.html", context)


@never_cache
@require_http_methods(["GET"])
@login_required
def mine_samtykker(request: HttpRequest) -> HttpResponse:
    """Show the citizen's pending requests, consents in force, expired, withdrawn, blocks."""
    aktoer, hvem = hvem_for(request)
    with transaction.atomic():
        return _mine_samtykker_side(request, aktoer, hvem)


@never_cache
@require_http_methods(["GET"])
@login_required
def mit_samtykke(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Show one consent (or block) with every version of it: the text, who gave it, when."""
    aktoer, hvem = hvem_for(request)
    with transaction.atomic():
        try:
            versioner = selectors.samtykke_historik(hvem, pk, clock.now())
        except Samtykke.DoesNotExist:
            raise _ikke_fundet() from None
        log_visning(
            request, aktoer, hvem, hvad=_("Et samtykke og dets versioner"),
            objekter=[("samtykke", v.samtykke.pk) for v in versioner],
        )  # fmt: skip
        context = {"hvem": hvem, "handler_for": hvem.relation, "versioner": versioner}
        return render(request, T + "samtykke.html", context)


# --- answering a request -------------------------------------------------------------------


def _svar_context(hvem: Hvem, kort, form: SvarForm) -> dict:
    sagsindeks = None  # as asked
    if form.is_bound:
        form.is_valid()  # the text follows the ticks as sent, also after an error
        kategorier, kilder = form.valgte_kategorier(), form.valgte_kilder()
        sagsindeks = form.valgt_sagsindeks()
    else:
        kategorier, kilder = kort.kategorier, kort.kilder
    tekst = selectors.svar_tekst(kort, kategorier, kilder, clock.now(), sagsindeks=sagsindeks)
    return {"hvem": hvem, "handler_for": hvem.relation, "a": kort, "form": form, "tekst": tekst}


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def min_anmodning_svar(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Answer a request: yes as asked, yes to less (ticks removed, the overview of the
    citizen's cases among them), or no.

    GET shows the request and the exact text of the consent; with ticks in the query it
    shows the text for those (htmx: `del=tekst` for the text only).
    """
    aktoer, hvem = hvem_for(request)
    with transaction.atomic():
        if request.method == "POST":
            # one answer per request, even when the button is pressed twice
            laast = Anmodning.objects.select_for_update(of=("self",)).filter(
                pk=pk, borger=hvem.borger
            )
            if not laast.values_list("pk", flat=True):
                raise _ikke_fundet()
        try:
            kort = selectors.anmodning_til_svar(hvem, pk)
        except Anmodning.DoesNotExist:
            raise _ikke_fundet() from None
        if kort.anmodning.status != AnmodningStatus.AFVENTER:
            messages.info(request, _("Anmodningen er allerede besvaret."))
            return efter_post(request, reverse(MINE))
        # The conversation the request opened (if the person may read it): shown above the
        # answer, with a box to write back in the same form (one process).
        samtale = dialog_selectors.anmodning_samtale(
            bruger=request.user,
            anmodning=kort.anmodning,
            fil_url_for=lambda pk: mine_samtaler.visning(pk).fil,
        )
        data = request.POST if request.method == "POST" else (request.GET or None)
        form = SvarForm(data, kort=kort)
        if request.method == "POST" and form.is_valid():
            svar = _svar(request, hvem, kort, form, samtale)
            if svar is not None:
                return svar
        log_visning(
            request, aktoer, hvem, hvad=_("En anmodning om samtykke"),
            objekter=[("anmodning", kort.anmodning.pk)],
        )  # fmt: skip
        context = _svar_context(hvem, kort, form)
        if samtale is not None:
            dialog_selectors.log_laesning(request, aktoer, samtale)
            dialog_selectors.marker_laest(request.user, samtale)
            context |= {
                "samtale": samtale,
                "v": mine_samtaler.visning(samtale.samtale.pk),
                "besked": request.POST.get("besked", "") if request.method == "POST" else "",
            }
        del_ = "tekst" if request.GET.get("del") == "tekst" else "formular"
        if request.method == "POST" and _partial(request):
            del_ = "formular"
        return _vis(request, T + "svar.html", del_, context)


def _svar(request, hvem: Hvem, kort, form: SvarForm, samtale=None) -> HttpResponse | None:
    """Carry out a valid answer, and write the person's message in the request's
    conversation with it (both or neither); return the response, or None after errors."""
    svar = form.cleaned_data["svar"]
    if svar == VIS:  # "show the text for my ticks" without JavaScript: nothing is saved
        return None
    tekst = request.POST.get("besked", "").strip() if samtale is not None else ""
    if svar == SKRIV:
        if not tekst:
            form.add_error(None, _("Skriv en besked, før du sender den."))
            return None
    elif svar not in (JA, NEJ):
        form.add_error(None, _("Vælg ja eller nej."))
        return None
    enhed = kort.enhed
    try:
        with transaction.atomic():
            if svar != SKRIV:
                services.anmodning_answer(
                    actor=request.user, anmodning=kort.anmodning, givet_af=hvem.person,
                    accepter=svar == JA, kategorier=form.valgte_kategorier(),
                    kilder=form.valgte_kilder(), sagsindeks=form.valgt_sagsindeks(),
                )  # fmt: skip
            if tekst:
                dialog_services.besked_write(
                    samtale=samtale.samtale, actor=request.user, tekst=tekst
                )
    except ValidationError as fejl:
        tilfoej_fejl(form, fejl)
        return None
    if svar == SKRIV:
        messages.success(request, _("Din besked er sendt."))
        return efter_post(request, reverse("overblik:min_anmodning_svar", args=[kort.anmodning.pk]))
    if svar == JA:
        messages.success(
            request,
            _("Tak. Du har givet samtykke til %(enhed)s. Du kan trække det tilbage når som helst.")
            % {"enhed": enhed},
        )
    else:
        messages.success(
            request,
            _("Du har sagt nej til anmodningen fra %(enhed)s. De får ikke adgang.")
            % {"enhed": enhed},
        )
    return efter_post(request, reverse(MINE))


# --- revoke, narrow, prolong ---------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def mit_samtykke_tilbagekald(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Revoke a consent or lift a block: GET asks "are you sure?", POST does it."""
    aktoer, hvem = hvem_for(request)
    with transaction.atomic():
        kort = _samtykke_kort(hvem, pk)
        fejl = None
        if request.method == "POST":
            try:
                with transaction.atomic():
                    services.samtykke_revoke(
                        actor=request.user, samtykke=kort.samtykke, givet_af=hvem.person
                    )
            except ValidationError as e:
                fejl = " ".join(e.messages)
            else:
                if kort.blokering:
                    besked = _("Blokeringen af %(m)s er ophævet.")
                else:
                    besked = _(
                        "Samtykket til %(m)s er trukket tilbage. De kan ikke længere se "
                        "oplysningerne på grund af samtykket."
                    )
                messages.success(request, besked % {"m": kort.modtager})
                return efter_post(request, reverse(MINE))
        log_visning(
            request, aktoer, hvem, hvad=_("Et samtykke, der skal trækkes tilbage"),
            objekter=[("samtykke", kort.samtykke.pk)],
        )  # fmt: skip
        context = {"hvem": hvem, "handler_for": hvem.relation, "k": kort, "fejl": fejl}
        return _vis(request, T + "tilbagekald.html", "bekraeft", context)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def mit_samtykke_indskraenk(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Narrow a consent: untick kinds of information, the overview of the citizen's cases
    or sources, or end it earlier."""
    aktoer, hvem = hvem_for(request)
    with transaction.atomic():
        kort = _samtykke_kort(hvem, pk)
        if kort.blokering:
            raise _ikke_fundet()
        data = request.POST if request.method == "POST" else None
        form = IndskraenkForm(data, kort=kort, kategorier=kort.kategorier, kilder=kort.kilder)
        if kort.kan_aendres and request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    services.samtykke_narrow(
                        actor=request.user, samtykke=kort.samtykke, givet_af=hvem.person,
                        **form.aendringer,
                    )  # fmt: skip
            except ValidationError as fejl:
                tilfoej_fejl(form, fejl)
            else:
                messages.success(
                    request, _("Samtykket til %(m)s er ændret.") % {"m": kort.modtager}
                )
                return efter_post(request, reverse(MINE))
        log_visning(
            request, aktoer, hvem, hvad=_("Et samtykke, der skal indskrænkes"),
            objekter=[("samtykke", kort.samtykke.pk)],
        )  # fmt: skip
        context = {"hvem": hvem, "handler_for": hvem.relation, "k": kort, "form": form}
        return _vis(request, T + "indskraenk.html", "formular", context)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def mit_samtykke_forlaeng(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Prolong a consent or a block, at most to the longest period allowed from today."""
    aktoer, hvem = hvem_for(request)
    with transaction.atomic():
        kort = _samtykke_kort(hvem, pk)
        data = request.POST if request.method == "POST" else None
        form = ForlaengForm(data, kort=kort, now=clock.now())
        if kort.kan_aendres and request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    services.samtykke_prolong(
                        actor=request.user, samtykke=kort.samtykke, givet_af=hvem.person,
                        gyldig_til=form.gyldig_til(),
                    )  # fmt: skip
            except ValidationError as fejl:
                tilfoej_fejl(form, fejl)
            else:
                messages.success(
                    request, _("%(hvad)s til %(m)s er forlænget.") % {
                        "hvad": _("Blokeringen") if kort.blokering else _("Samtykket"),
                        "m": kort.modtager,
                    }
                )  # fmt: skip
                return efter_post(request, reverse(MINE))
        log_visning(
            request, aktoer, hvem, hvad=_("Et samtykke, der skal forlænges"),
            objekter=[("samtykke", kort.samtykke.pk)],
        )  # fmt: skip
        context = {"hvem": hvem, "handler_for": hvem.relation, "k": kort, "form": form}
        return _vis(request, T + "forlaeng.html", "formular", context)


@never_cache
@require_http_methods(["POST"])
@login_required
def min_blokering_ny(request: HttpRequest) -> HttpResponse:
    """Block a unit that has asked for, or been given, access: no consent reaches it."""
    aktoer, hvem = hvem_for(request)
    now = clock.now()
    with transaction.atomic():
        form = BlokerForm(request.POST, enheder=selectors.blok_enheder(hvem, now))
        if form.is_valid():
            enhed = form.valgt_enhed()
            try:
                with transaction.atomic():
                    services.samtykke_give(
                        actor=request.user, borger=hvem.borger, givet_af=hvem.person,
                        modtager=enhed, beslutning=Beslutning.AFVIS, gyldig_fra=now,
                        gyldig_til=now + datetime.timedelta(days=form.cleaned_data["varighed"]),
                    )  # fmt: skip
            except ValidationError as fejl:
                tilfoej_fejl(form, fejl)
            else:
                messages.success(
                    request,
                    _(
                        "%(enhed)s er blokeret. De kan ikke se dine oplysninger på grund af "
                        "samtykke, så længe blokeringen gælder."
                    )
                    % {"enhed": selectors.enhed_navn(enhed)},
                )
                return efter_post(request, reverse(MINE))
        if _partial(request):
            context = {"bloker_form": form, "hvem": hvem}
            return render(request, T + "mine_samtykker.html#bloker", context)
        return _mine_samtykker_side(request, aktoer, hvem, bloker_form=form)


# --- Hvem har set mine data ----------------------------------------------------------------


@never_cache
@require_http_methods(["GET"])
@login_required
def hvem_har_set(request: HttpRequest) -> HttpResponse:
    """Show the citizen's access log, newest first, 25 a page: others' reads unless asked for
    all, filtered by whom, unit and period, what each read showed and its basis in words."""
    aktoer, hvem = hvem_for(request)
    with transaction.atomic():
        form = _log_filter(request, hvem)
        side, linjer = selectors.hvem_har_set(
            hvem, side=request.GET.get("side"), filter_=form.filter()
        )
        log_visning(request, aktoer, hvem, hvad=_("Hvem har set mine data: adgangsloggen"))
        context = {
            "hvem": hvem,
            "handler_for": hvem.relation,
            "side": side,
            "linjer": linjer,
            "form": form,
            "filter_query": _filter_query(request),
        }
        return _vis(request, T + "hvem_har_set.html", "liste", context)


def _log_filter(request: HttpRequest, hvem: Hvem) -> LogFilterForm:
    navne, enheder = selectors.log_valg(hvem)
    felter = {"vis", "hvem", "enhed", "fra", "til"}
    data = None
    if felter.intersection(request.GET):
        data = request.GET.copy()
        data.setdefault("vis", LogFilterForm.ANDRE)
    form = LogFilterForm(data, navne=navne, enheder=enheder)
    form.is_valid()
    return form


def _filter_query(request: HttpRequest) -> str:
    """Return the filter's part of the address, for the pages and the download."""
    q = request.GET.copy()
    q.pop("side", None)
    return q.urlencode()


CSV_KOLONNER = [
    L("Tidspunkt"), L("Hvem"), L("Rolle"), L("Faglighed"), L("Enhed"), L("Hvad"), L("Formål"),
    L("Grundlag"),
]  # fmt: skip


@never_cache
@require_http_methods(["GET"])
@login_required
def hvem_har_set_csv(request: HttpRequest) -> HttpResponse:
    """Download the access log as a CSV file (semicolons, UTF-8 with BOM, as Excel opens it
    in Denmark) with the page's filter; the download is itself a logged read (eksport)."""
    aktoer, hvem = hvem_for(request)
    with transaction.atomic():
        linjer = selectors.hvem_har_set_alle(hvem, _log_filter(request, hvem).filter())
        log_visning(
            request, aktoer, hvem, hvad=_("Hvem har set mine data: adgangsloggen hentet som fil"),
            handling=Handling.EKSPORT,
        )  # fmt: skip
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="adgangslog.csv"'
    response.write("\ufeff")
    skriver = csv.writer(response, delimiter=";")
    skriver.writerow([str(k) for k in CSV_KOLONNER])
    for linje in linjer:
        e = linje.entry
        skriver.writerow([
            tidspunkt(e.tidspunkt), e.navn, e.rolle, e.faglighed,
            ", ".join(d for d in (e.enhed_navn, e.myndighed_navn) if d), linje.hvad, e.formaal,
            linje.grundlag,
        ])  # fmt: skip
    return response


# --- acting for someone --------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def handl_for(request: HttpRequest) -> HttpResponse:
    """Choose whom to act for: oneself, or a citizen one is værge or fuldmægtig for."""
    aktoer, hvem = hvem_for(request)
    relationer = selectors.relationer_til_handling(aktoer.borger, clock.now())
    valgt = str(hvem.borger.pk) if hvem.for_andre else ""
    form = HandlForForm(
        request.POST if request.method == "POST" else None,
        navn=aktoer.borger.navn, relationer=relationer, valgt=valgt,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        borger_id = form.cleaned_data["borger"]
        relation = next((r for r in relationer if str(r.borger_id) == borger_id), None)
        if relation is None:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, _("Du ser nu dine egne oplysninger."))
        else:
            request.session[SESSION_KEY] = str(relation.borger_id)
            messages.success(
                request, _("Du handler nu på vegne af %(navn)s.") % {"navn": relation.borger.navn}
            )
        return efter_post(request, reverse(MINE))
    context = {
        "form": form,
        "relationer": relationer,
        "hvem": hvem,
        "handler_for": hvem.relation,
    }
    return render(request, T + "handl_for.html", context)


urlpatterns = [
    path("mine-samtykker/", mine_samtykker, name="mine_samtykker"),
    path("mine-samtykker/bloker/", min_blokering_ny, name="min_blokering_ny"),
    path("mine-samtykker/<uuid:pk>/", mit_samtykke, name="mit_samtykke"),
    path(
        "mine-samtykker/<uuid:pk>/tilbagekald/",
        mit_samtykke_tilbagekald,
        name="mit_samtykke_tilbagekald",
    ),
    path(
        "mine-samtykker/<uuid:pk>/indskraenk/",
        mit_samtykke_indskraenk,
        name="mit_samtykke_indskraenk",
    ),
    path("mine-samtykker/<uuid:pk>/forlaeng/", mit_samtykke_forlaeng, name="mit_samtykke_forlaeng"),
    path(
        "mine-samtykker/anmodninger/<uuid:pk>/svar/",
        min_anmodning_svar,
        name="min_anmodning_svar",
    ),
    path("mine-data/adgang/", hvem_har_set, name="hvem_har_set"),
    path("mine-data/adgang.csv", hvem_har_set_csv, name="hvem_har_set_csv"),
    path("handl-for/", handl_for, name="handl_for"),
]
