"""The caseworker's side of consent: ask a citizen for consent, register consent given on
paper or in a meeting (assisted, with a witness), take access on a legal basis — all from
the citizen's page — and a leader's review of the legal-basis accesses of their units.

Each form lives on the citizen's page (htmx posts it and gets the form back with its
errors) and has a page of its own for a browser without JavaScript. A citizen whose page
the person may not open gives the same 404 as a uuid that does not exist; so does the
review page for anybody who leads no unit today. The rules are samtykke.services'; the
policy decides at query time what becomes visible.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialog import services as dialog_services
from dialog.models import SamtaleType
from organisation.models import Borger
from organisation.selectors import Aktoer
from overblik.forms import tilfoej_fejl
from overblik.forms.samtykke_personale import (
    ANMOD,
    HJEMMEL,
    PAPIR,
    AnmodningForm,
    AssisteretForm,
    GennemgangForm,
    HjemmelForm,
    mulige,
)
from overblik.selectors import samtykke_personale as selectors
from overblik.views.borger import borgerside, efter_post, medarbejder_for
from samtykke import policy, services
from samtykke.adgangslog import adgangslog_write
from samtykke.models import Gennemgang, Grundlag, Hjemmel, HjemmelGennemgang

T = "overblik/samtykke_personale/"
SKABELON = {
    ANMOD: T + "_anmod_form.html",
    PAPIR: T + "_papir_form.html",
    HJEMMEL: T + "_hjemmel_form.html",
}
TITEL = {
    ANMOD: _lazy("Bed om samtykke"),
    PAPIR: _lazy("Registrér samtykke givet på papir eller i et møde"),
    HJEMMEL: _lazy("Adgang på lovhjemmel"),
}


# --- the three forms of the citizen's page ---------------------------------------------------


def _formular(
    request: HttpRequest,
    borger: Borger,
    navn: str,
    lav: Callable,
    udfoer: Callable[..., str],
) -> HttpResponse:
    """Serve one of the citizen page's forms: GET shows it on a page of its own; POST runs
    `udfoer` (which returns the success message or raises ValidationError). Errors come
    back as the form (htmx) or the form's page."""
    aktoer = medarbejder_for(request)
    with transaction.atomic():
        adgang = selectors.adgang(aktoer, borger)
        post = request.method == "POST"
        form = lav(request.POST if post else None, adgang=adgang, prefix=navn)
        if post and form.is_valid():
            try:
                with transaction.atomic():  # all of it or nothing (request and message)
                    besked = udfoer(form, aktoer, borger, adgang)
            except ValidationError as fejl:
                tilfoej_fejl(form, fejl)
            else:
                messages.success(request, besked)
                adresse = reverse("overblik:borger", kwargs={"pk": borger.pk})
                return efter_post(request, adresse)
        context = {"borger": borger, "adgang": adgang, "form": form, "navn": navn}
        if post and request.htmx:
            return render(request, SKABELON[navn], context)
        adgangslog_write(
            aktoer=aktoer, user=request.user, borger=borger, hvad=str(TITEL[navn]),
            grundlag=Grundlag.EGEN_ENHED, formaal=_("Sagsbehandling"),
        )  # fmt: skip
        context |= {
            "titel": TITEL[navn],
            "skabelon": SKABELON[navn],
            "mulig": navn in mulige(adgang),
        }
        response = render(request, T + "formular.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _ingen_blokering(adgang: selectors.Adgang) -> None:
    if adgang.blokeret:
        raise ValidationError(
            _("Borgeren har frabedt sig deling med din enhed. Du kan ikke bede om samtykke."),
            code="blokeret",
        )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@borgerside()
def samtykke_anmod(request: HttpRequest, pk: Borger) -> HttpResponse:
    """Ask the citizen for consent to see what another unit holds."""

    def udfoer(form: AnmodningForm, aktoer: Aktoer, borger: Borger, adgang) -> str:
        _ingen_blokering(adgang)
        c, valgte = form.cleaned_data, form.valgte()
        if any(
            a.a.modtager_enhed_id == valgte["enhed"].pk
            and set(a.a.kategorier) == {x.pk for x in valgte["kategorier"]}
            and a.a.sagsindeks == valgte["sagsindeks"]
            and a.a.dialog == valgte["dialog"]
            and set(a.a.kilder) == {e.pk for e in valgte["kilder"]}
            for a in adgang.afventer
        ):
            raise ValidationError(
                _("Din enhed har allerede bedt om det samme. Anmodningen afventer borgerens svar."),
                code="samme",
            )
        anmodning = services.anmodning_create(
            actor=request.user, borger=borger, anmoder=aktoer.medarbejder, **valgte,
            formaal=c["formaal"], begrundelse=c["begrundelse"], varighed_dage=c["varighed_dage"],
        )  # fmt: skip
        if not c["besked"]:
            return _("Anmodningen er sendt til borgeren. Du ser svaret her på siden.")
        # One process: the request opens a conversation with the citizen in the same step.
        dialog_services.samtale_create(
            borger=borger, type=SamtaleType.MED_BORGEREN, actor=request.user,
            emne=_("Anmodning om samtykke: %(formaal)s") % {"formaal": c["formaal"]},
            enhed=valgte["enhed"], anmodning=anmodning, tekst=c["besked"],
        )  # fmt: skip
        return _(
            "Anmodningen og din besked er sendt til borgeren. Du ser svaret her på siden og "
            "under Dialog."
        )

    return _formular(request, pk, ANMOD, AnmodningForm, udfoer)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@borgerside()
def samtykke_papir(request: HttpRequest, pk: Borger) -> HttpResponse:
    """Register consent the citizen gave on paper or in a meeting (assisted, with a witness)."""

    def udfoer(form: AssisteretForm, aktoer: Aktoer, borger: Borger, adgang) -> str:
        _ingen_blokering(adgang)
        c = form.cleaned_data
        valgte = form.valgte()
        services.samtykke_give(
            actor=request.user, borger=borger, modtager=valgte["enhed"],
            kategorier=valgte["kategorier"], sagsindeks=valgte["sagsindeks"],
            dialog=valgte["dialog"],
            kilder=valgte["kilder"], formaal=c["formaal"],
            gyldig_fra=c["gyldig_fra"], gyldig_til=c["gyldig_til"], assisteret=True,
            vidne=c["vidne"],
        )  # fmt: skip
        return _("Samtykket er registreret som assisteret. Borgeren kan se det i Datadeling.")

    return _formular(request, pk, PAPIR, AssisteretForm, udfoer)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@borgerside()
def hjemmel_ny(request: HttpRequest, pk: Borger) -> HttpResponse:
    """Take access to the citizen on a legal basis, for a short time, with a justification."""

    def udfoer(form: HjemmelForm, aktoer: Aktoer, borger: Borger, adgang) -> str:
        if not adgang.hjemmel_mulig:
            raise ValidationError(_("Du kan allerede se alle borgerens oplysninger."))
        services.hjemmel_register(
            actor=request.user, borger=borger, medarbejder=aktoer.medarbejder, **form.valgte()
        )
        return _("Adgangen på lovhjemmel er registreret.")

    return _formular(request, pk, HJEMMEL, HjemmelForm, udfoer)


# --- a leader's review -----------------------------------------------------------------------


def leder_for(request: HttpRequest) -> Aktoer:
    """Return the logged-in leader; anybody who leads no unit today gets a 404."""
    aktoer = medarbejder_for(request)
    if not policy.leder_enhed_ids(aktoer):
        raise Http404(_("Siden findes ikke."))
    return aktoer


def _gennemgang_side(
    request, aktoer: Aktoer, *, fejl: tuple[uuid.UUID, GennemgangForm] | None = None
):
    data = selectors.hjemler_til_gennemgang(aktoer)
    raekker = [
        (h, fejl[1] if fejl and fejl[0] == h.pk else GennemgangForm(auto_id=f"id_%s_{h.pk}"))
        for h in data.ventende
    ]
    context = {"raekker": raekker, "gennemgaaede": data.gennemgaaede, "aktoer": aktoer}
    return render(request, T + "gennemgang.html", context)


@never_cache
@require_GET
@login_required
def hjemmel_gennemgang(request: HttpRequest) -> HttpResponse:
    """List the legal-basis accesses of the units the leader leads: to review, and reviewed."""
    return _gennemgang_side(request, leder_for(request))


@never_cache
@require_POST
@login_required
def hjemmel_gennemgaa(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Approve a legal-basis access, or mark it for follow-up with a comment."""
    aktoer = leder_for(request)
    side = reverse("overblik:hjemmel_gennemgang")
    with transaction.atomic():
        try:
            h = selectors.hjemmel_til_gennemgang(aktoer, pk)
        except Hjemmel.DoesNotExist:
            raise Http404(_("Adgangen findes ikke.")) from None
        if HjemmelGennemgang.objects.filter(hjemmel=h).exists():
            messages.info(request, _("Adgangen er allerede gennemgået."))
            return efter_post(request, side)
        if h.medarbejder_id == aktoer.medarbejder.pk:
            messages.error(
                request, _("Du kan ikke gennemgå din egen adgang. Det gør en anden leder.")
            )
            return efter_post(request, side)
        form = GennemgangForm(request.POST, auto_id=f"id_%s_{h.pk}")
        if form.is_valid():
            try:
                g = services.hjemmel_review(
                    actor=request.user, hjemmel=h, leder=aktoer.medarbejder,
                    resultat=form.cleaned_data["resultat"],
                    kommentar=form.cleaned_data["kommentar"],
                )  # fmt: skip
            except ValidationError as fejl:
                tilfoej_fejl(form, fejl)
            else:
                adgangslog_write(
                    aktoer=aktoer, user=request.user, borger=h.borger, enhed=h.enhed,
                    hvad=_("Leders gennemgang af adgang på lovhjemmel (%(lov)s)")
                    % {"lov": h.lovgrundlag.titel},
                    grundlag=Grundlag.EGEN_ENHED, formaal=_("Kontrol af adgang på lovhjemmel"),
                )  # fmt: skip
                if g.resultat == Gennemgang.GODKENDT:
                    messages.success(request, _("Adgangen er godkendt."))
                else:
                    messages.success(request, _("Adgangen er markeret til opfølgning."))
                return efter_post(request, side)
        if request.htmx:
            return render(
                request, T + "gennemgang.html#raekke", {"h": h, "form": form, "aktoer": aktoer}
            )
        return _gennemgang_side(request, aktoer, fejl=(h.pk, form))


urlpatterns = [
    path("borgere/<uuid:pk>/samtykke/anmod/", samtykke_anmod, name="samtykke_anmod"),
    path("borgere/<uuid:pk>/samtykke/papir/", samtykke_papir, name="samtykke_papir"),
    path("borgere/<uuid:pk>/lovhjemmel/", hjemmel_ny, name="hjemmel_ny"),
    path("ledelse/lovhjemmel/", hjemmel_gennemgang, name="hjemmel_gennemgang"),
    path("ledelse/lovhjemmel/<uuid:pk>/", hjemmel_gennemgaa, name="hjemmel_gennemgaa"),
]
