"""The citizen takes their data with them (GDPR art. 15 and 20): two downloads of everything
Datadeling holds about them — Datadeling's own JSON document and a FHIR R4 Bundle — and a
printable summary to bring to a meeting.

For the citizen, and for a person acting for them (værge or fuldmagt chosen at "Handl for
en anden") whose relation covers their health, care, social or personal matters; the
policy (`policy.maa_eksportere`) decides. Anybody else gets 404, as on Mine data. Each
download writes one access-log entry with the action EKSPORT in the transaction that reads
the data; the summary page is a read like Mine data (VISNING).
"""

from __future__ import annotations

import dataclasses
import json

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from datadeling.core import clock
from overblik.eksport.dokument import eksport_dokument
from overblik.eksport.fhir import eksport_bundle
from overblik.eksport.schema import STI as SCHEMA_STI
from overblik.selectors import samtykke_borger as samtykke_selectors
from overblik.selectors.eksport import eksport_data
from overblik.selectors.mine_data import mine_data as mine_data_selector
from overblik.selectors.sag import KATEGORI as SAGSINDEKS
from overblik.views.samtykke_borger import hvem_for, log_visning
from samtykke import policy
from samtykke.models import Handling

# content type, the format's name in the log, the file name's ending
FORMAAT = {
    "json": ("application/json", "JSON", "json"),
    "fhir": ("application/fhir+json", "FHIR", "fhir.json"),
}


def _hvem_maa(request: HttpRequest):
    """Return who is logged in and whose data they may download; 404 for anybody else."""
    aktoer, hvem = hvem_for(request)
    if not policy.maa_eksportere(hvem.person, hvem.borger, clock.now()):
        raise Http404(_("Siden findes ikke."))
    return aktoer, hvem


def _hent(request: HttpRequest, formaat: str) -> HttpResponse:
    aktoer, hvem = _hvem_maa(request)
    content_type, navn, endelse = FORMAAT[formaat]
    now = clock.now()
    with transaction.atomic():
        data = eksport_data(hvem.borger, now, person=hvem.person)
        entry = log_visning(
            request, aktoer, hvem,
            hvad=_("Hentede alle oplysninger som fil (%(format)s)") % {"format": navn},
            objekter=data.objekter(),
            kategorier=[SAGSINDEKS] * bool(data.sager) + ["dialog"] * bool(data.samtaler),
            formaal=_("Værge eller fuldmægtig henter borgerens oplysninger")
            if hvem.for_andre else _("Borgeren henter sine egne oplysninger"),
            handling=Handling.EKSPORT,
        )  # fmt: skip
        data.adgangslog.append(entry)  # the download holds its own entry
        if formaat == "fhir":
            indhold = eksport_bundle(data)
        else:
            indhold = eksport_dokument(
                data,
                dannet_af=aktoer.navn,
                schema_url=request.build_absolute_uri(reverse("overblik:eksport_schema")),
            )
    response = HttpResponse(
        # No indent: json's C encoder serves only unindented output, several times faster
        # for a large file; any JSON viewer lays it out.
        json.dumps(indhold, ensure_ascii=False, separators=(",", ":")),
        content_type=f"{content_type}; charset=utf-8",
    )
    # No CPR number in the file name: it ends up in download folders and browser history.
    response["Content-Disposition"] = (
        f'attachment; filename="datadeling-{now.date().isoformat()}.{endelse}"'
    )
    return response


@never_cache
@require_http_methods(["GET"])
@login_required
def eksport_json(request: HttpRequest) -> HttpResponse:
    """Hand the citizen everything Datadeling holds about them as Datadeling's JSON."""
    return _hent(request, "json")


@never_cache
@require_http_methods(["GET"])
@login_required
def eksport_fhir(request: HttpRequest) -> HttpResponse:
    """Hand the citizen everything Datadeling holds about them as a FHIR R4 Bundle."""
    return _hent(request, "fhir")


@require_http_methods(["GET"])
def eksport_schema(request: HttpRequest) -> FileResponse:
    """Serve the JSON Schema of the download (public: it holds no personal data)."""
    return FileResponse(
        SCHEMA_STI.open("rb"), content_type="application/schema+json; charset=utf-8"
    )


@never_cache
@require_http_methods(["GET"])
@login_required
def udskrift(request: HttpRequest) -> HttpResponse:
    """Show a summary to print and bring to a meeting: the current tilstande, the help
    given now with its goals, and the consents in force."""
    aktoer, hvem = _hvem_maa(request)
    laeser = dataclasses.replace(aktoer, borger=hvem.borger)  # whose data the policy shows
    now = clock.now()
    with transaction.atomic():
        data = mine_data_selector(laeser)
        samtykker = samtykke_selectors.mine_samtykker(hvem, now)
        log_visning(
            request, aktoer, hvem,
            hvad=_("Oversigt til udskrift: tilstande, hjælp og samtykker"),
            objekter=[*data.objekter, *samtykker.objekter],
        )  # fmt: skip
        context = {
            "hvem": hvem,
            "handler_for": hvem.relation,
            "data": data,
            "samtykker": samtykker,
            "dato": now,
        }
        return render(request, "overblik/udskrift.html", context)


urlpatterns = [
    path("mine-data/eksport.json", eksport_json, name="eksport_json"),
    path("mine-data/eksport.fhir.json", eksport_fhir, name="eksport_fhir"),
    path("mine-data/eksport.schema.json", eksport_schema, name="eksport_schema"),
    path("mine-data/udskrift/", udskrift, name="mine_data_udskrift"),
]
