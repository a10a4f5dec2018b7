"""Outbound MOX notifications: a change produces one signed notification per subscribing
system whose unit may see it, through a transactional outbox, delivered to a real local
HTTP server, retried with backoff, given up after a limit, and replayable."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from datadeling.core import memo
from klassifikation import kendte
from klassifikation.models import Klasse
from mox import services as mox_services
from mox.models import Notifikation, NotifikationStatus
from mox.udgaaende import levering, services
from mox.udgaaende.tasks import lever_udestaaende
from samtykke import services as samtykke_services
from samtykke.models import Adgangslog, Beslutning, Handling
from tests.fakeclock import FakeClock
from tilstand import services as tilstand_services


@dataclass
class Modtaget:
    headers: object  # an email.message.Message: case-insensitive lookups
    krop: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.krop)


@dataclass
class Webhook:
    """A real HTTP server on 127.0.0.1 that records each POST and answers with the next
    status from `svar` (200 when the list is empty)."""

    server: ThreadingHTTPServer
    modtaget: list[Modtaget] = field(default_factory=list)
    svar: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/notifikationer"

    def signatur_gyldig(self, m: Modtaget, secret: str) -> bool:
        """Check a received request exactly as a fagsystem would (see the documentation)."""
        tidspunkt = m.headers["X-Mox-Tidspunkt"]
        forventet = hmac.new(
            secret.encode(), tidspunkt.encode() + b"." + m.krop, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(m.headers["X-Mox-Signatur"], "sha256=" + forventet)


def start_webhook() -> Webhook:
    webhook: Webhook

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            laengde = int(self.headers.get("Content-Length") or 0)
            krop = self.rfile.read(laengde)
            # header names are case-insensitive (urllib sends X-mox-tidspunkt)
            webhook.modtaget.append(Modtaget(self.headers, krop))
            status = webhook.svar.pop(0) if webhook.svar else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    webhook = Webhook(server=server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return webhook


@pytest.fixture(autouse=True)
def _opsaetning(settings):
    """Plain-http webhooks (a local test server), a short backoff, and eager tasks."""
    from datadeling.celery import app

    settings.MOX_TILLAD_HTTP_WEBHOOK = True
    settings.MOX_NOTIFIKATION_MAKS_FORSOEG = 3
    settings.MOX_NOTIFIKATION_BACKOFF = datetime.timedelta(seconds=30)
    settings.MOX_NOTIFIKATION_TIMEOUT = 5
    foer = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = foer


@pytest.fixture
def webhook():
    w = start_webhook()
    yield w
    w.server.shutdown()
    w.server.server_close()


@pytest.fixture
def ur(monkeypatch):
    # starts now (the units' validity begins today), then moves only by hand
    clock = FakeClock(datetime.datetime.now(datetime.UTC).replace(microsecond=0))
    monkeypatch.setattr("datadeling.core.clock.now", clock)
    return clock


def system(navn: str, *, enhed, url: str, objekttype: str = "tilstand", **kwargs):
    """Create a system for `enhed` with a webhook and a subscription; return it."""
    s, _token, _secret = mox_services.system_create(navn=navn)
    s.enhed, s.webhook_url = enhed, url
    s.full_clean()
    s.save()
    services.abonnement_create(system=s, objekttype=objekttype, **kwargs)
    return s


def kategori(g) -> Klasse:
    """The root class of the test condition's code system part (what a consent names)."""
    return Klasse.objects.get(pk=kendte.FSIII_FUNKTIONSEVNETILSTANDE[0])


def anden_kategori() -> Klasse:
    return Klasse.objects.get(pk=kendte.FFB_TILSTANDE)


def registrer(g, *, enhed=None, borger=None):
    return tilstand_services.tilstand_register(
        actor=g.user,
        borger=borger or g.borger,
        data={"type": g.type, "ansvarlig_enhed": enhed or g.enhed},
    )


def samtykke(g, *, modtager, kategorier=None, kilder=None, borger=None, **kwargs):
    return samtykke_services.samtykke_give(
        actor=None,
        borger=borger or g.borger,
        modtager=modtager,
        kategorier=kategorier if kategorier is not None else [kategori(g)],
        kilder=kilder if kilder is not None else [g.enhed],
        formaal="Koordinering af indsatsen",
        **kwargs,
    )


def modtagere(**filter) -> set[str]:
    return set(Notifikation.objects.filter(**filter).values_list("system__navn", flat=True))


# --- who is told ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_ui_change_is_delivered_signed_to_the_systems_whose_unit_may_see_it(
    grundlag, webhook, django_capture_on_commit_callbacks
):
    g = grundlag
    egen = system("Omsorg", enhed=g.enhed, url=webhook.url)
    system("Job", enhed=g.anden_enhed, url=webhook.url)  # other unit, no consent
    with django_capture_on_commit_callbacks(execute=True):
        t = registrer(g)

    assert modtagere() == {"Omsorg"}
    n = Notifikation.objects.get()
    assert n.status == NotifikationStatus.LEVERET and n.forsoeg == 1
    assert len(webhook.modtaget) == 1
    m = webhook.modtaget[0]
    assert webhook.signatur_gyldig(m, egen.secret)
    assert not webhook.signatur_gyldig(m, egen.secret + "x")
    assert m.headers["X-Mox-BeskedID"] == str(n.besked_id)
    body = m.json
    assert body["beskedtype"] == "Notification"
    assert (body["objekttype"], body["operation"], body["objektID"]) == (
        "tilstand", "create", str(t.pk),
    )  # fmt: skip
    assert body["data"]["borger"] == "urn:dk:cpr:person:0101501234"
    assert body["data"]["livscykluskode"] == "Opstaaet"
    assert body["data"]["registrering"]["nummer"] == 1
    assert body["data"]["registrering"]["aktoer"] == "Datadeling"  # no staff name
    assert body["data"]["type"] == str(g.type.pk)
    assert "faglig_note" not in body["data"] and "borgerens_vurdering" not in body["data"]
    # the delivery is a disclosure: it is in the citizen's access log
    log = Adgangslog.objects.get(borger=g.borger, handling=Handling.INTEGRATION)
    assert "Omsorg" in log.navn and log.objekter == [{"type": "tilstand", "id": str(t.pk)}]


@pytest.mark.django_db
def test_a_consent_to_the_unit_lets_its_system_be_told_and_a_block_stops_it(
    grundlag, webhook, django_capture_on_commit_callbacks
):
    g = grundlag
    system("Job", enhed=g.anden_enhed, url=webhook.url)
    samtykke(g, modtager=g.anden_enhed)
    with django_capture_on_commit_callbacks(execute=True):
        registrer(g)
    assert modtagere() == {"Job"}
    assert Notifikation.objects.get().status == NotifikationStatus.LEVERET
    log = Adgangslog.objects.get(borger=g.borger, handling=Handling.INTEGRATION)
    assert log.grundlag == "samtykke" and log.grundlag_id is not None

    samtykke(g, modtager=g.anden_enhed, beslutning=Beslutning.AFVIS)
    registrer(g)
    assert Notifikation.objects.count() == 1  # blocked: nothing new


@pytest.mark.django_db
def test_a_consent_to_the_authority_counts_for_its_units_systems(grundlag, webhook):
    g = grundlag
    system("Job", enhed=g.anden_enhed, url=webhook.url)
    samtykke(g, modtager=g.myndighed)
    registrer(g)
    assert modtagere() == {"Job"}


@pytest.mark.django_db
def test_no_notification_for_another_category_another_source_or_a_staff_consent(grundlag, webhook):
    g = grundlag
    system("Job", enhed=g.anden_enhed, url=webhook.url)
    samtykke(g, modtager=g.anden_enhed, kategorier=[anden_kategori()])
    samtykke(g, modtager=g.anden_enhed, kilder=[g.anden_enhed])
    samtykke(g, modtager=g.medarbejder)  # personal: not the unit's, not its systems'
    registrer(g)
    assert Notifikation.objects.count() == 0


@pytest.mark.django_db
def test_a_legal_basis_access_is_personal_and_tells_no_system(grundlag, webhook):
    from organisation.models import Funktion

    g = grundlag
    Funktion.objects.create(medarbejder=g.medarbejder, enhed=g.anden_enhed, rolle="sagsbehandler")
    samtykke_services.hjemmel_register(
        actor=g.user, borger=g.borger, medarbejder=g.medarbejder, enhed=g.anden_enhed,
        lovgrundlag=Klasse.objects.filter(klassifikation__uri=kendte.ADGANGSHJEMMEL_URI).first(),
        begrundelse="Akut situation", dage=3,
    )  # fmt: skip
    system("Job", enhed=g.anden_enhed, url=webhook.url)
    registrer(g)
    assert Notifikation.objects.count() == 0


@pytest.mark.django_db
def test_no_notification_when_not_subscribed_or_limited_to_other_citizens(grundlag, webhook):
    g = grundlag
    s, _, _ = mox_services.system_create(navn="Uden abonnement")
    s.enhed, s.webhook_url = g.enhed, webhook.url
    s.save()
    system("Kun Ole", enhed=g.enhed, url=webhook.url, borgere=[g.anden_borger])
    system("Indsatser", enhed=g.enhed, url=webhook.url, objekttype="indsats")
    registrer(g)
    assert Notifikation.objects.count() == 0
    registrer(g, borger=g.anden_borger)
    assert modtagere() == {"Kun Ole"}


@pytest.mark.django_db
def test_a_system_without_a_unit_is_told_only_about_what_it_delivered(grundlag, webhook):
    g = grundlag
    system("Ingen enhed", enhed=None, url=webhook.url)
    registrer(g)
    assert Notifikation.objects.count() == 0
    # an object the system delivered itself, changed in Datadeling by a caseworker
    t = tilstand_services.tilstand_register(
        actor=g.user,
        borger=g.borger,
        data={"type": g.type, "ansvarlig_enhed": g.enhed, "kildesystem": "Ingen enhed"},
    )
    tilstand_services.tilstand_passivate(actor=g.user, tilstand=t, slet=False, begrundelse="Fejl")
    assert modtagere() == {"Ingen enhed"}
    assert [n.operation for n in Notifikation.objects.order_by("pk")] == ["create", "passivate"]


@pytest.mark.django_db
def test_a_passivation_is_told_to_a_unit_that_sees_the_object_by_consent(grundlag, webhook):
    g = grundlag
    system("Job", enhed=g.anden_enhed, url=webhook.url)
    samtykke(g, modtager=g.anden_enhed)
    t = registrer(g)
    tilstand_services.tilstand_passivate(actor=g.user, tilstand=t, slet=True, begrundelse="Fejl")
    assert [n.operation for n in Notifikation.objects.order_by("pk")] == ["create", "delete"]


# --- MOX messages from another system ---------------------------------------------------


@pytest.mark.django_db
def test_a_mox_message_from_system_a_is_told_to_b_but_not_to_a(
    grundlag, webhook, django_capture_on_commit_callbacks
):
    from tests.mox.conftest import ny_afsender
    from tests.mox.test_behandling import indpak, tilstand_data

    g = grundlag
    a = ny_afsender("System A")
    a.system.enhed, a.system.webhook_url = g.enhed, webhook.url
    a.system.save()
    services.abonnement_create(system=a.system, objekttype="tilstand")
    b = system("System B", enhed=g.enhed, url=webhook.url)
    besked = indpak(tilstand_data(g))
    with django_capture_on_commit_callbacks(execute=True):
        svar = a.post({"beskeder": [besked]})
    assert svar.status_code == 202, svar.content
    assert modtagere() == {"System B"}
    n = Notifikation.objects.get()
    assert n.status == NotifikationStatus.LEVERET
    assert n.konvolut["operation"] == "import"
    assert n.konvolut["objektID"] == besked["objektID"]
    assert n.konvolut["data"]["registrering"]["aktoer"] == "System A"
    assert webhook.signatur_gyldig(webhook.modtaget[0], b.secret)

    # without udelad_egne, A hears about its own change too
    services.abonnement_create(system=a.system, objekttype="tilstand", udelad_egne=False)
    with django_capture_on_commit_callbacks(execute=True):
        svar = a.post({"beskeder": [indpak(tilstand_data(g))]})
    assert svar.status_code == 202
    assert modtagere(pk__gt=n.pk) == {"System A", "System B"}


# --- the outbox is transactional --------------------------------------------------------


class Fortryd(Exception):
    pass


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_outbox_row_and_sends_nothing(
    grundlag, webhook, django_capture_on_commit_callbacks
):
    g = grundlag
    system("Omsorg", enhed=g.enhed, url=webhook.url)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Fortryd),
        transaction.atomic(),
    ):
        registrer(g)
        assert Notifikation.objects.count() == 1  # written in the same transaction
        raise Fortryd
    assert Notifikation.objects.count() == 0
    assert webhook.modtaget == []


# --- delivery: retries, giving up, replay, order, revocation ----------------------------


@pytest.mark.django_db
def test_a_500_retries_with_exponential_backoff_then_gives_up_and_replay_delivers(
    grundlag, webhook, ur
):
    g = grundlag
    system("Omsorg", enhed=g.enhed, url=webhook.url)
    webhook.svar = [500, 503, 500]
    registrer(g)
    n = Notifikation.objects.get()
    start = ur()

    assert levering.lever(n.pk) == NotifikationStatus.AFVENTER
    n.refresh_from_db()
    assert (n.forsoeg, n.naeste_forsoeg, n.sidste_fejl) == (
        1, start + datetime.timedelta(seconds=30), "HTTP 500 Internal Server Error"
    )  # fmt: skip
    # not due yet: neither the task nor the sweep tries again
    assert levering.lever(n.pk) == NotifikationStatus.AFVENTER
    assert lever_udestaaende() == 0
    assert len(webhook.modtaget) == 1

    ur.advance(seconds=30)
    assert lever_udestaaende() == 1  # the sweep delivers the due row (eager task)
    n.refresh_from_db()
    assert (n.forsoeg, n.naeste_forsoeg) == (2, start + datetime.timedelta(seconds=90))
    assert n.sidste_fejl.startswith("HTTP 503")

    ur.advance(seconds=60)
    assert levering.lever(n.pk) == NotifikationStatus.FEJLET  # third attempt: the limit
    n.refresh_from_db()
    assert n.forsoeg == 3 and n.sidste_fejl.startswith("HTTP 500")
    assert len(webhook.modtaget) == 3
    assert not Adgangslog.objects.filter(handling=Handling.INTEGRATION).exists()

    assert services.notifikation_redeliver(notifikation_ids=[n.pk]) == 1
    n.refresh_from_db()
    assert (n.status, n.forsoeg) == (NotifikationStatus.AFVENTER, 0)
    assert lever_udestaaende() == 1
    n.refresh_from_db()
    assert n.status == NotifikationStatus.LEVERET and n.leveret == start + datetime.timedelta(
        seconds=90
    )
    assert len(webhook.modtaget) == 4
    # every attempt sent the same envelope
    assert len({m.krop for m in webhook.modtaget}) == 1
    assert Adgangslog.objects.filter(handling=Handling.INTEGRATION).count() == 1


def _lukket_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.django_db
def test_a_refused_connection_retries_and_gives_up(grundlag, ur):
    g = grundlag
    system("Nede", enhed=g.enhed, url=f"http://127.0.0.1:{_lukket_port()}/hook")
    registrer(g)
    n = Notifikation.objects.get()
    for forventet in (30, 60):
        assert levering.lever(n.pk) == NotifikationStatus.AFVENTER
        n.refresh_from_db()
        assert n.sidste_fejl.startswith("Forbindelsesfejl: ConnectionRefusedError")
        assert n.naeste_forsoeg == ur() + datetime.timedelta(seconds=forventet)
        ur.advance(seconds=forventet)
    assert levering.lever(n.pk) == NotifikationStatus.FEJLET


def test_backoff_doubles_and_is_capped(settings):
    settings.MOX_NOTIFIKATION_BACKOFF = datetime.timedelta(seconds=30)
    settings.MOX_NOTIFIKATION_BACKOFF_MAKS = datetime.timedelta(minutes=10)
    assert [levering.backoff(i).total_seconds() for i in range(1, 7)] == [
        30, 60, 120, 240, 480, 600,
    ]  # fmt: skip


@pytest.mark.django_db
def test_notifications_about_one_object_are_delivered_in_order(grundlag, webhook, ur):
    g = grundlag
    system("Omsorg", enhed=g.enhed, url=webhook.url)
    webhook.svar = [500]
    t = registrer(g)
    tilstand_services.tilstand_passivate(actor=g.user, tilstand=t, slet=False, begrundelse="Fejl")
    anden = registrer(g)  # another object is not held back
    foerste, naeste, andet_objekt = Notifikation.objects.order_by("pk")

    assert levering.lever(foerste.pk) == NotifikationStatus.AFVENTER  # 500
    assert levering.lever(naeste.pk) == NotifikationStatus.AFVENTER  # waits, sends nothing
    assert levering.lever(andet_objekt.pk) == NotifikationStatus.LEVERET
    assert [m.json["objektID"] for m in webhook.modtaget] == [str(t.pk), str(anden.pk)]

    ur.advance(seconds=30)
    assert lever_udestaaende() == 2  # both due; the older goes first, then the next
    assert [m.json["operation"] for m in webhook.modtaget[2:]] == ["create", "passivate"]
    assert set(Notifikation.objects.values_list("status", flat=True)) == {"leveret"}


@pytest.mark.django_db
def test_a_consent_revoked_before_delivery_withholds_the_notification(grundlag, webhook):
    g = grundlag
    system("Job", enhed=g.anden_enhed, url=webhook.url)
    s = samtykke(g, modtager=g.anden_enhed)
    registrer(g)
    samtykke_services.samtykke_revoke(actor=None, samtykke=s)
    n = Notifikation.objects.get()
    assert levering.lever(n.pk) == NotifikationStatus.TILBAGEHOLDT
    assert webhook.modtaget == []
    assert not Adgangslog.objects.filter(handling=Handling.INTEGRATION).exists()


@pytest.mark.django_db
def test_a_lost_task_is_picked_up_by_the_sweep(grundlag, webhook):
    g = grundlag
    system("Omsorg", enhed=g.enhed, url=webhook.url)
    registrer(g)  # the test transaction never commits: the enqueue never happens
    assert webhook.modtaget == []
    assert lever_udestaaende() == 1
    assert Notifikation.objects.get().status == NotifikationStatus.LEVERET


@pytest.mark.django_db
def test_https_is_required_for_webhooks_unless_allowed(grundlag, settings):
    from django.core.exceptions import ValidationError

    settings.MOX_TILLAD_HTTP_WEBHOOK = False
    settings.DEBUG = False
    s, _, _ = mox_services.system_create(navn="Usikker")
    s.webhook_url = "http://fagsystem.example/hook"
    with pytest.raises(ValidationError):
        s.full_clean()
    s.webhook_url = "https://fagsystem.example/hook"
    s.full_clean()
    assert levering.post("http://fagsystem.example/hook", b"{}", secret="x", besked_id="1")


# --- cost in the processing path --------------------------------------------------------


@pytest.mark.django_db
def test_without_subscriptions_a_change_costs_no_query_inside_a_unit_of_work(
    grundlag, django_assert_num_queries
):
    g = grundlag
    t = registrer(g)
    reg = t.registrering
    with memo.aktiv():
        services.notifikationer_write(objekt=t, registrering=reg, livscykluskode="Rettet")
        with django_assert_num_queries(0):
            for _ in range(5):
                services.notifikationer_write(objekt=t, registrering=reg, livscykluskode="Rettet")


@pytest.mark.django_db
@pytest.mark.parametrize("antal", [1, 4])
def test_with_subscriptions_a_change_costs_the_same_few_queries_for_any_number_of_systems(
    grundlag, webhook, django_assert_num_queries, antal
):
    from organisation.models import Enhed

    g = grundlag
    samtykke(g, modtager=g.anden_enhed)
    for i in range(antal):
        enhed = Enhed.objects.create(myndighed=g.myndighed, navn=f"E{i}")
        samtykke(g, modtager=enhed)
        system(f"S{i}", enhed=enhed, url=webhook.url)
    t = registrer(g)
    reg = t.registrering
    with memo.aktiv():
        services.notifikationer_write(objekt=t, registrering=reg, livscykluskode="Rettet")
        # cached subscriptions; one visibility query; one insert
        with django_assert_num_queries(2):
            rows = services.notifikationer_write(
                objekt=t, registrering=reg, livscykluskode="Rettet"
            )
    assert len(rows) == antal
