"""Four real Celery worker processes on Redis apply a realistic mix — conditions,
interventions, cases, units and staff — sent through the HTTP ingress: every message
exactly once, in order per object, while an object's messages are in different tasks
that the four processes run at the same time.

Slow (it starts worker processes): run it with `-m slow` or by name. Needs REDIS_URL.
"""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings
from django.db.models import Count

from indsats.models import IndsatsRegistrering
from klassifikation import kendte
from klassifikation.models import Klasse
from mox.models import Besked
from mox.protokol import Status
from organisation.models import Enhed, Medarbejder
from sagsindeks.models import SagRegistrering
from tests.mox.test_behandling import indpak, tilstand_data, v
from tests.mox.test_organisation import bruger_data, enhed_data
from tests.mox.test_sag import sag_data
from tests.mox.test_worker_kill import kill_9, start_worker_proces
from tilstand.models import TilstandRegistrering

pytestmark = [
    pytest.mark.slow,
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL, reason="no broker configured (set REDIS_URL)"
    ),
]

PR_ART = 40  # objects of each kind: 200 objects, 1,000 messages
TRIN = 5  # a create and four updates per object
BATCH = 100  # messages per POST: an object's five messages are in five tasks
ARTER = ("tilstand", "indsats", "sag", "organisationenhed", "bruger")


def _indsats_data(grundlag, trin: int) -> dict:
    type_ = (
        Klasse.objects.filter(sti__contains=[kendte.FSIII_INDSATSER[0]], underordnede__isnull=True)
        .order_by("kode")
        .first()
    )
    return {
        "note": f"trin {trin}",
        "attributter": {"indsatsegenskaber": [
            {"brugervendtnoegle": "I-1", "beskrivelse": "trin 0", "starttidspunkt": "2024-01-01",
             "virkning": v("2024-01-01")}
        ]},
        "tilstande": {
            "indsatsfremdrift": [{"fremdrift": "Visiteret", "virkning": v("2024-01-01")}],
            "indsatspubliceret": [{"publiceret": "Normal", "virkning": v("2024-01-01")}],
        },
        "relationer": {
            "indsatsmodtager": [{"objekttype": "Person", "urn": "urn:dk:cpr:person:0101501234",
                                 "virkning": v("2024-01-01")}],
            "indsatstype": [{"objekttype": "Klasse", "uuid": str(type_.pk),
                             "virkning": v("2024-01-01")}],
            "indsatsaktoer": [{"objekttype": "Organisationenhed", "uuid": str(grundlag.enhed.pk),
                               "virkning": v("2024-01-01")}],
        },
    }  # fmt: skip


def _besked(art: str, objekt_id: str, trin: int, grundlag) -> dict:
    fra = f"2024-0{trin + 1}-01"
    navn = f"trin {trin}"
    if art == "tilstand":
        if trin == 0:
            data = tilstand_data(grundlag, fra="2024-01-01", beskrivelse=navn)
            data["note"] = navn
            return indpak(data, "tilstand", "create", objekt_id)
        data = {"note": navn, "attributter": {"tilstandegenskaber": [
            {"beskrivelse": navn, "virkning": v(fra)}]}}  # fmt: skip
        return indpak(data, "tilstand", "update", objekt_id)
    if art == "indsats":
        if trin == 0:
            return indpak(_indsats_data(grundlag, 0), "indsats", "create", objekt_id)
        data = {"note": navn, "attributter": {"indsatsegenskaber": [
            {"beskrivelse": navn, "virkning": v(fra)}]}}  # fmt: skip
        return indpak(data, "indsats", "update", objekt_id)
    if art == "sag":
        if trin == 0:
            data = sag_data(grundlag, fra="2024-01-01", titel=navn)
            data["note"] = navn
            return indpak(data, "sag", "create", objekt_id)
        data = {"note": navn, "attributter": {"sagegenskaber": [
            {"titel": navn, "virkning": v(fra)}]}}  # fmt: skip
        return indpak(data, "sag", "update", objekt_id)
    if art == "organisationenhed":
        if trin == 0:
            data = enhed_data(navn, tilhoerer=grundlag.myndighed.pk, overordnet=grundlag.enhed.pk)
            return indpak(data, "organisationenhed", "create", objekt_id)
        data = {"attributter": {"organisationenhedegenskaber": [
            {"enhedsnavn": navn, "virkning": v(fra)}]}}  # fmt: skip
        return indpak(data, "organisationenhed", "update", objekt_id)
    if trin == 0:
        return indpak(bruger_data(navn, tilhoerer=grundlag.myndighed.pk), "bruger", "create",
                      objekt_id)  # fmt: skip
    data = {"attributter": {"brugeregenskaber": [{"brugernavn": navn, "virkning": v(fra)}]}}
    return indpak(data, "bruger", "update", objekt_id)


@pytest.mark.django_db(transaction=True)
def test_four_worker_processes_apply_a_mix_once_and_in_order(afsender, grundlag, tmp_path):
    objekter = [(art, str(uuid.uuid4())) for _ in range(PR_ART) for art in ARTER]
    # in rounds: every object's create, then every object's first update, …
    alle = [_besked(art, i, trin, grundlag) for trin in range(TRIN) for art, i in objekter]
    log = tmp_path / "worker.log"
    # four worker processes, each one task at a time
    workere = [start_worker_proces(log, concurrency=1) for _ in range(4)]
    try:
        for start in range(0, len(alle), BATCH):
            svar = afsender.post({"beskeder": alle[start : start + BATCH]})
            assert svar.status_code == 202, svar.content[:500]
        frist = time.monotonic() + 300
        while Besked.objects.exclude(status=Status.BEHANDLET).exists():
            assert time.monotonic() < frist, (
                list(Besked.objects.exclude(status=Status.BEHANDLET).values("status", "fejl")[:5]),
                log.read_text()[-3000:],
            )
            assert all(w.poll() is None for w in workere), log.read_text()[-3000:]
            time.sleep(0.2)
    finally:
        for w in workere:
            if w.poll() is None:
                kill_9(w)

    assert Besked.objects.count() == len(alle)
    forventet = [f"trin {t}" for t in range(TRIN)]
    for art, model, fk in (
        ("tilstand", TilstandRegistrering, "tilstand_id"),
        ("indsats", IndsatsRegistrering, "indsats_id"),
        ("sag", SagRegistrering, "sag_id"),
    ):
        ids = [i for a, i in objekter if a == art]
        raekker = model.objects.filter(**{f"{fk}__in": ids}).order_by(fk, "nummer")
        pr_objekt: dict = {}
        for objekt_id, begrundelse in raekker.values_list(fk, "begrundelse"):
            pr_objekt.setdefault(str(objekt_id), []).append(begrundelse)
        assert set(pr_objekt) == set(ids), art
        # once each (no registration twice, none missing), in order of receipt
        assert all(b == forventet for b in pr_objekt.values()), art
        antal = model.objects.filter(**{f"{fk}__in": ids}).values(fk).annotate(n=Count("id"))
        assert {r["n"] for r in antal} == {TRIN}, art
    # units and staff keep no history: the last update is the state, as in receipt order
    for art, model in (("organisationenhed", Enhed), ("bruger", Medarbejder)):
        ids = [i for a, i in objekter if a == art]
        assert set(model.objects.filter(pk__in=ids).values_list("navn", flat=True)) == {
            f"trin {TRIN - 1}"
        }, art
