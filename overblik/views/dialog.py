"""The caseworker's dialogue screens: the Dialog section of the citizen's page (the
conversations with unread counts, starting one), one conversation (messages, writing with a
preview and attachments, new messages by htmx polling, older ones by page), inviting a unit
or a member of staff, correcting and withdrawing one's own message, and an attachment.

Every route takes the citizen in its URL and goes through `borgerside`; the conversation
must be one the policy lets the person read now (dialog.selectors), else the same 404 as a
conversation that does not exist — so a revoked consent or a block takes effect on the very
next request, polling included. Every response that shows a conversation writes the
citizen's access log in the transaction that reads it, and marks what was shown as read.
The conversation page and its partials are shared with the citizen's Mine samtaler
(overblik.views.mine_samtaler) through `Visning`.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialog import services as dialog_services
from organisation.models import Borger
from organisation.selectors import Aktoer
from overblik.forms import tilfoej_fejl
from overblik.forms.dialog import SEND, VIS, BeskedForm, InviterForm, RetForm, SamtaleForm
from overblik.selectors import dialog as selectors
from overblik.views.borger import borgerside, efter_post, medarbejder_for
from samtykke.adgangslog import Grundlag, adgangslog_write

T = "overblik/dialog/"


@dataclass(frozen=True)
class Visning:
    """What the shared conversation templates need to know about the portal: the page's
    address and the addresses of its actions (the staff's carry the citizen's uuid)."""

    side: str
    skriv: str
    nye: str
    fil_rute: str  # URL name of an attachment, taking the kwargs of `kwargs` plus fil
    kwargs: dict
    personale: bool

    def fil(self, fil_id) -> str:
        return reverse(self.fil_rute, kwargs={**self.kwargs, "fil": fil_id})


def visning(borger: Borger, samtale_id: uuid.UUID) -> Visning:
    kw = {"pk": borger.pk, "samtale": samtale_id}
    return Visning(
        side=reverse("overblik:samtale", kwargs=kw),
        skriv=reverse("overblik:samtale_skriv", kwargs=kw),
        nye=reverse("overblik:samtale_nye", kwargs=kw),
        fil_rute="overblik:samtale_fil",
        kwargs=kw,
        personale=True,
    )


def _partial(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _vis(request: HttpRequest, template: str, context: dict, del_: str | None = None):
    response = render(request, template + (f"#{del_}" if del_ else ""), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the conversation page (shared with Mine samtaler) -----------------------------------------


def samtale_side(
    request: HttpRequest, aktoer: Aktoer, side: selectors.Side, v: Visning, *, form=None,
    forhaandsvisning: str | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    """Render a conversation page (or, for htmx asking for older messages, that window),
    log the read and mark what it shows as read."""
    selectors.log_laesning(request, aktoer, side)
    selectors.marker_laest(request.user, side, aktoer)
    context = {
        "s": side,
        "v": v,
        "form": form or BeskedForm(deltagere=side.svar_valg, henvisninger=side.henvisning_valg),
        "forhaandsvisning": forhaandsvisning,
        "skabelon": "base.html",
    }
    if _partial(request) and request.GET.get("foer"):
        return _vis(request, T + "samtale.html", context, "aeldre")
    response = _vis(request, T + "samtale.html", context)
    response.status_code = status
    return response


def samtale_nye(request: HttpRequest, aktoer: Aktoer, hent, v: Visning) -> HttpResponse:
    """Answer the polling of a conversation page: the messages after `efter`, or 204."""
    try:
        efter = max(int(request.GET.get("efter", "0")), 0)
    except ValueError:
        efter = 0
    with transaction.atomic():
        side = hent(efter=efter)
        if not side.beskeder:
            return HttpResponse(status=204)
        selectors.log_laesning(request, aktoer, side)
        selectors.marker_laest(request.user, side, aktoer)
        return _vis(request, T + "samtale.html", {"s": side, "v": v}, "nye")


def skriv(request: HttpRequest, aktoer: Aktoer, side: selectors.Side, v: Visning, *, person=None):
    """Write a message (or show its preview); errors come back with everything typed."""
    form = BeskedForm(
        request.POST, request.FILES, deltagere=side.svar_valg, henvisninger=side.henvisning_valg
    )
    handling = request.POST.get("handling", SEND)
    if form.is_valid() and handling == VIS:
        if _partial(request):
            return _vis(
                request, T + "_forhaandsvisning.html", {"tekst": form.cleaned_data["tekst"]}
            )
        return samtale_side(
            request, aktoer, side, v, form=form, forhaandsvisning=form.cleaned_data["tekst"]
        )
    if form.is_valid():
        c = form.cleaned_data
        tilstande, indsatser = side.henviste(c.get("henvisninger") or [])
        try:
            with transaction.atomic():
                besked = dialog_services.besked_write(
                    samtale=side.samtale, actor=request.user, aktoer=aktoer, tekst=c["tekst"],
                    enhed=side.min_enhed, svar_fra=side.deltager(c.get("svar_fra")),
                    svar_frist=c.get("svar_frist"), filer=c["filer"],
                    tilstande=tilstande, indsatser=indsatser,
                )  # fmt: skip
        except ValidationError as fejl:
            tilfoej_fejl(form, fejl)
        else:
            messages.success(request, _("Din besked er sendt."))
            return efter_post(request, f"{v.side}#besked-{besked.nummer}")
    if _partial(request):
        return _vis(request, T + "samtale.html", {"s": side, "v": v, "form": form}, "skriv")
    return samtale_side(request, aktoer, side, v, form=form, status=200)


# --- staff routes ---------------------------------------------------------------------------


def _side(request: HttpRequest, borger: Borger, samtale: uuid.UUID, **kw) -> selectors.Side:
    return selectors.samtale_side(
        bruger=request.user, borger=borger, samtale_id=samtale,
        fil_url=visning(borger, samtale).fil, aktoer=medarbejder_for(request), **kw,
    )  # fmt: skip


@never_cache
@require_GET
@login_required
@borgerside()
def samtale(request: HttpRequest, pk: Borger, samtale: uuid.UUID) -> HttpResponse:
    """Show one conversation: the newest messages (older ones by `?foer=`), the
    participants and on what basis, and the box to write in."""
    aktoer = medarbejder_for(request)
    with transaction.atomic():
        side = _side(request, pk, samtale, foer=request.GET.get("foer"))
        return samtale_side(request, aktoer, side, visning(pk, samtale))


@never_cache
@require_GET
@login_required
@borgerside()
def samtale_nye_view(request: HttpRequest, pk: Borger, samtale: uuid.UUID) -> HttpResponse:
    """The messages written since the page was shown (htmx polls this every few seconds)."""
    aktoer = medarbejder_for(request)
    return samtale_nye(
        request,
        aktoer,
        lambda efter: _side(request, pk, samtale, efter=efter),
        visning(pk, samtale),
    )


@never_cache
@require_POST
@login_required
@borgerside()
def samtale_skriv(request: HttpRequest, pk: Borger, samtale: uuid.UUID) -> HttpResponse:
    """Write a message in the conversation, or show how it will look (`handling=vis`)."""
    aktoer = medarbejder_for(request)
    with transaction.atomic():
        side = _side(request, pk, samtale)
    return skriv(request, aktoer, side, visning(pk, samtale))


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@borgerside()
def samtale_ny(request: HttpRequest, pk: Borger) -> HttpResponse:
    """Start a conversation about the citizen, with them or among professionals only."""
    aktoer = medarbejder_for(request)
    enheder = [f.enhed for f in aktoer.funktioner]
    form = SamtaleForm(request.POST or None, enheder={e.pk: e for e in enheder}.values())
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            with transaction.atomic():
                ny = dialog_services.samtale_create(
                    borger=pk, type=c["type"], emne=c["emne"], actor=request.user,
                    enhed=form.enheder[c["enhed"]], tekst=c["tekst"],
                )  # fmt: skip
        except ValidationError as fejl:
            tilfoej_fejl(form, fejl)
        else:
            messages.success(request, _("Samtalen er startet."))
            return efter_post(
                request, reverse("overblik:samtale", kwargs={"pk": pk.pk, "samtale": ny.pk})
            )
    context = {"borger": pk, "form": form}
    if request.method == "POST" and _partial(request):
        return _vis(request, T + "ny.html", context, "formular")
    with transaction.atomic():
        adgangslog_write(
            aktoer=aktoer, user=request.user, borger=pk, hvad=_("Start en samtale"),
            grundlag=Grundlag.EGEN_ENHED, formaal=_("Sagsbehandling"),
        )  # fmt: skip
        return _vis(request, T + "ny.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@borgerside()
def samtale_inviter(request: HttpRequest, pk: Borger, samtale: uuid.UUID) -> HttpResponse:
    """Invite a unit or a member of staff who may see the citizen's dialogue."""
    aktoer = medarbejder_for(request)
    with transaction.atomic():
        side = _side(request, pk, samtale, beskeder=False)
        valg = selectors.inviter_valg(bruger=request.user, side=side)
        form = InviterForm(
            request.POST or None, enheder=valg.enheder, medarbejdere=valg.medarbejdere,
            personer=valg.personer,
        )  # fmt: skip
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    dialog_services.deltager_add(
                        samtale=side.samtale, actor=request.user, **form.valgt()
                    )
            except ValidationError as fejl:
                tilfoej_fejl(form, fejl)
            else:
                messages.success(request, _("Deltageren er inviteret."))
                return efter_post(request, visning(pk, samtale).side)
        selectors.log_laesning(request, aktoer, side)
        context = {"s": side, "v": visning(pk, samtale), "form": form}
        return _vis(
            request,
            T + "inviter.html",
            context,
            "formular" if request.method == "POST" and _partial(request) else None,
        )


def _egen_besked(request: HttpRequest, side: selectors.Side, besked: uuid.UUID):
    return selectors.egen_besked(bruger=request.user, side=side, kaede=besked)


def ret_side(
    request: HttpRequest, aktoer: Aktoer, side: selectors.Side, v: Visning, besked: uuid.UUID,
    adresse: str,
) -> HttpResponse:  # fmt: skip
    """Correct one's own message (shared with Mine samtaler): GET shows the form with the
    text, POST saves a new version; the page is a read of the conversation, logged."""
    b = _egen_besked(request, side, besked)
    form = RetForm(request.POST or None, initial={"tekst": b.tekst})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                dialog_services.besked_edit(
                    besked=b, actor=request.user, tekst=form.cleaned_data["tekst"],
                    aktoer=aktoer,
                )  # fmt: skip
        except ValidationError as fejl:
            tilfoej_fejl(form, fejl)
        else:
            messages.success(request, _("Beskeden er rettet. Den tidligere tekst kan stadig ses."))
            return efter_post(request, f"{v.side}#besked-{b.nummer}")
    selectors.log_laesning(request, aktoer, side)
    context = {"s": side, "v": v, "b": b, "form": form, "adresse": adresse}
    return _vis(request, T + "ret.html", context)


def tilbagetraek_side(
    request: HttpRequest, aktoer: Aktoer, side: selectors.Side, v: Visning, besked: uuid.UUID,
    adresse: str,
) -> HttpResponse:  # fmt: skip
    """Withdraw one's own message (shared with Mine samtaler): GET asks "are you sure?",
    POST leaves a marked stub; the page is a read of the conversation, logged."""
    b = _egen_besked(request, side, besked)
    fejl = None
    if request.method == "POST":
        try:
            with transaction.atomic():
                dialog_services.besked_withdraw(besked=b, actor=request.user, aktoer=aktoer)
        except ValidationError as e:
            fejl = " ".join(e.messages)
        else:
            messages.success(
                request, _("Beskeden er trukket tilbage. De andre kan se, at der stod en besked.")
            )
            return efter_post(request, f"{v.side}#besked-{b.nummer}")
    selectors.log_laesning(request, aktoer, side)
    context = {"s": side, "v": v, "b": b, "fejl": fejl, "adresse": adresse}
    return _vis(request, T + "tilbagetraek.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@borgerside()
def besked_ret(
    request: HttpRequest, pk: Borger, samtale: uuid.UUID, besked: uuid.UUID
) -> HttpResponse:
    """Correct one's own message: a new version, the earlier one kept and shown."""
    aktoer = medarbejder_for(request)
    kw = {"pk": pk.pk, "samtale": samtale, "besked": besked}
    with transaction.atomic():
        side = _side(request, pk, samtale, beskeder=False)
        return ret_side(
            request, aktoer, side, visning(pk, samtale), besked,
            reverse("overblik:samtale_besked_ret", kwargs=kw),
        )  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@borgerside()
def besked_tilbagetraek(
    request: HttpRequest, pk: Borger, samtale: uuid.UUID, besked: uuid.UUID
) -> HttpResponse:
    """Withdraw one's own message: GET asks "are you sure?", POST leaves a marked stub."""
    aktoer = medarbejder_for(request)
    kw = {"pk": pk.pk, "samtale": samtale, "besked": besked}
    with transaction.atomic():
        side = _side(request, pk, samtale, beskeder=False)
        return tilbagetraek_side(
            request, aktoer, side, visning(pk, samtale), besked,
            reverse("overblik:samtale_besked_tilbagetraek", kwargs=kw),
        )  # fmt: skip


def fil_svar(
    request: HttpRequest, aktoer: Aktoer, side: selectors.Side, fil: uuid.UUID
) -> HttpResponse:
    """Send an attachment of a conversation the person may read, logged, as a download."""
    v = selectors.vedhaeftning(bruger=request.user, side=side, vedhaeftning_id=fil, aktoer=aktoer)
    selectors.log_fil(request, aktoer, side, v)
    response = FileResponse(
        io.BytesIO(bytes(v.indhold)),
        as_attachment=True,
        filename=v.filnavn,
        content_type=v.content_type,
    )
    response["Content-Length"] = str(v.stoerrelse)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@never_cache
@require_GET
@login_required
@borgerside()
def samtale_fil(
    request: HttpRequest, pk: Borger, samtale: uuid.UUID, fil: uuid.UUID
) -> HttpResponse:
    """Download an attachment (only through here: the policy and the access log)."""
    aktoer = medarbejder_for(request)
    with transaction.atomic():
        side = _side(request, pk, samtale, beskeder=False)
        return fil_svar(request, aktoer, side, fil)


P = "borgere/<uuid:pk>/dialog/"
S = P + "<uuid:samtale>/"
urlpatterns = [
    path(P + "ny/", samtale_ny, name="samtale_ny"),
    path(S, samtale, name="samtale"),
    path(S + "nye/", samtale_nye_view, name="samtale_nye"),
    path(S + "skriv/", samtale_skriv, name="samtale_skriv"),
    path(S + "inviter/", samtale_inviter, name="samtale_inviter"),
    path(S + "besked/<uuid:besked>/ret/", besked_ret, name="samtale_besked_ret"),
    path(
        S + "besked/<uuid:besked>/tilbagetraek/",
        besked_tilbagetraek,
        name="samtale_besked_tilbagetraek",
    ),
    path(S + "fil/<uuid:fil>/", samtale_fil, name="samtale_fil"),
]
