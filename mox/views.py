"""The MOX ingress (JSON API for fagsystemer) and its documentation page.

The API views are CSRF-exempt: no browser session authenticates them, every request is
signed with the system's secret instead. They never log a body and never answer with a
value from one (a body may hold CPR numbers).
"""

from __future__ import annotations

import contextlib
import gc
import json
import uuid
from collections.abc import Iterator

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET

from datadeling.core.logging import mask_cpr
from mox import (
    auth,
    eksempler,
    eksempler_organisation,
    indstillinger,
    selectors,
    services,
    validering,
)
from mox.protokol import MAKS_BESKEDER_PR_KALD, TIDSVINDUE_SEKUNDER
from mox.schema.byg import STI as SCHEMA_STI


def fejlsvar(status: int, fejl: list[dict[str, str]], **headers: str) -> JsonResponse:
    svar = JsonResponse({"fejl": fejl}, status=status, json_dumps_params={"ensure_ascii": False})
    for navn, vaerdi in headers.items():
        svar[navn] = vaerdi
    return svar


def afvist_svar(afvist: auth.IkkeGodkendt) -> JsonResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="mox"'} if afvist.status == 401 else {}
    return fejlsvar(afvist.status, [{"felt": afvist.felt, "fejl": afvist.tekst}], **headers)


def forkert_metode(tilladt: str) -> JsonResponse:
    return fejlsvar(
        405, [{"felt": "", "fejl": f"Metoden er ikke tilladt her; brug {tilladt}."}], Allow=tilladt
    )


@csrf_exempt
@never_cache
@sensitive_variables("krop", "indhold")
def beskeder(request: HttpRequest) -> JsonResponse:
    """Receive one message or a batch: authenticate, validate, store, answer 202."""
    if request.method != "POST":
        return forkert_metode("POST")
    try:
        system, krop = auth.godkend(request)
    except auth.IkkeGodkendt as afvist:
        return afvist_svar(afvist)
    with uden_cyklisk_gc():
        try:
            indhold = validering.laes_krop(krop)
        except validering.UgyldigKrop as ugyldig:
            return fejlsvar(400, ugyldig.fejl)
        svar = services.beskeder_receive(system=system, beskeder=indhold.beskeder)
        return JsonResponse(svar_for(svar, batch=indhold.batch), status=202)


@contextlib.contextmanager
def uden_cyklisk_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a body is parsed, validated and stored.

    A batch of 1,000 messages is some 50,000 dicts and lists, alive until the answer is
    written: each of them counts towards a collection, and the collections it sets off
    walk every object in the process (the whole Django app), only to find that a parsed
    body holds no cycle: ~9 of ~46 µs of CPU per message in benchmarks/mox_profil.py
    --ingress --http --uden-profil. Reference counting frees the body as before; a cycle
    made meanwhile waits for the next collection. Only a collector that was running is
    started again, so nested or concurrent use leaves it as it was.
    """
    var_aktiv = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if var_aktiv:
            gc.enable()


def svar_for(svar: list[dict[str, str]], *, batch: bool) -> dict:
    return {"beskeder": svar} if batch else svar[0]


@csrf_exempt
@never_cache
def besked(request: HttpRequest, besked_id: str) -> JsonResponse:
    """Answer a message's status to the system that sent it (signed like a POST, empty body)."""
    if request.method != "GET":
        return forkert_metode("GET")
    try:
        system, _ = auth.godkend(request)
    except auth.IkkeGodkendt as afvist:
        return afvist_svar(afvist)
    try:
        noegle = uuid.UUID(besked_id)
    except ValueError:
        noegle = None
    fundet = noegle and selectors.besked_for_system(system=system, besked_id=noegle)
    if not fundet:
        return fejlsvar(
            404, [{"felt": "beskedID", "fejl": "Systemet har ingen besked med dette beskedID."}]
        )
    return JsonResponse(
        {
            "beskedID": str(fundet.besked_id),
            "status": fundet.status,
            "fejl": json.loads(mask_cpr(json.dumps(fundet.fejl))),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def dokumentation(request: HttpRequest) -> HttpResponse:
    """Show the contract for fagsystemer: headers, signing, answers and examples."""
    beskeder_url = request.build_absolute_uri(reverse("mox:beskeder"))
    return render(
        request,
        "mox/dokumentation.html",
        {
            "beskeder_url": beskeder_url,
            "schema_url": reverse("mox:schema"),
            "eksempler": eksempler.som_json(),
            "eksempler_organisation": eksempler_organisation.som_json(),
            "signering_python": eksempler.med_url(eksempler.SIGNERING_PYTHON, beskeder_url),
            "signering_curl": eksempler.med_url(eksempler.SIGNERING_CURL, beskeder_url),
            "regne": {
                "secret": eksempler.REGNE_SECRET,
                "tidspunkt": eksempler.REGNE_TIDSPUNKT,
                "krop": eksempler.REGNE_KROP.decode(),
                "signatur": eksempler.REGNE_SIGNATUR,
            },
            "maks_beskeder": MAKS_BESKEDER_PR_KALD,
            "tidsvindue_minutter": TIDSVINDUE_SEKUNDER // 60,
            "maks_krop_mb": indstillinger.maks_krop_bytes() // (1024 * 1024),
        },
    )


@require_GET
def schema(request: HttpRequest) -> FileResponse:
    """Serve the JSON Schema of MOX messages."""
    return FileResponse(
        SCHEMA_STI.open("rb"), content_type="application/schema+json; charset=utf-8"
    )
