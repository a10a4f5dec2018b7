"""The authorization matrix's scenario: one citizen and everybody around them, built once
per module inside a transaction that is rolled back at the end. Each test runs in a
savepoint of that transaction (`savepoint`), so what a request writes is gone before the
next one; this is much cheaper than pytest-django's per-test setup, which matters for
three thousand cells."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone

from organisation.models import Omfang, RelationsType, Rolle
from overblik.views.samtykke_borger import SESSION_KEY

# The people of the matrix, in the order its columns are shown.
ROLLER = (
    "anonym",
    "borger",
    "anden_borger",
    "paaroerende_i",  # acts for the citizen through a fuldmagt covering consent and health
    "paaroerende_uden",  # a relative whose relation covers neither: acts for nobody
    "ansat_a",  # staff of the unit responsible for the citizen's data
    "ansat_b",  # staff of a unit the citizen has given consent to
    "ansat_d",  # staff of a unit without consent (its request was declined 900 days ago)
    "blokeret_c",  # staff of a unit the citizen has blocked (after their own CPR lookup)
    "leder",  # leader of the unit whose legal-basis access is waiting for review
    "ansat_ophoert",  # staff of a unit that has ended, responsible for one of the conditions
    "is_staff",  # an admin user without any permission and without a unit
    "superbruger",
)


@dataclass
class Scenario:
    """Everything the matrix's routes take as parameters, and a logged-in client per role."""

    borger: object = None
    anden_borger: object = None
    enhed_a: object = None
    tilstand: object = None
    indsats: object = None
    samtykke: object = None
    blokering: object = None
    anmodning: object = None
    hjemmel: object = None
    berigtigelse: object = None
    klasse: object = None
    besked: object = None
    samtale: object = None
    dialog_besked: object = None
    borger_besked: object = None
    vedhaeftning: object = None
    admin_objekter: dict = field(default_factory=dict)
    brugere: dict = field(default_factory=dict)
    cookies: dict = field(default_factory=dict)

    def klient(self, rolle: str, *, csrf: bool = False) -> Client:
        """Return a client logged in as the role, with the session it was given at the start
        (a request before may have logged out, flushed or changed it)."""
        klient = Client(enforce_csrf_checks=csrf, raise_request_exception=False)
        klient.cookies = SimpleCookie(self.cookies[rolle].output(header="", sep=";"))
        return klient


def _bruger(navn: str, **kwargs):
    return get_user_model().objects.create_user(navn, **kwargs)


def _byg() -> Scenario:  # noqa: PLR0915 - one scenario, told from top to bottom
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib import admin
    from django.contrib.auth.models import Group

    from klassifikation import kendte
    from klassifikation.models import Klasse
    from organisation.selectors import aktoer_for
    from samtykke import services as samtykke_services
    from samtykke.adgangslog import adgangslog_write
    from samtykke.models import Adgangslog, Anmodning, Beslutning, Grundlag
    from samtykke.policy import OPSLAG
    from tests.admin import factories as f

    s = Scenario()
    nu = timezone.now()
    idag = timezone.localdate()
    kommune = f.MyndighedFactory(navn="Matrixrup Kommune")
    a = f.EnhedFactory(myndighed=kommune, navn="Enhed A Hjemmepleje")
    b = f.EnhedFactory(myndighed=kommune, navn="Enhed B Jobcenter")
    c = f.EnhedFactory(myndighed=kommune, navn="Enhed C Blokeret")
    d = f.EnhedFactory(myndighed=kommune, navn="Enhed D Uden samtykke")
    leder_enhed = f.EnhedFactory(myndighed=kommune, navn="Enhed L Akutteam")
    s.enhed_a = a

    def ansat(navn, enhed, rolle=Rolle.SAGSBEHANDLER):
        funktion = f.FunktionFactory(
            medarbejder=f.MedarbejderFactory(
                user=_bruger(navn), myndighed=kommune, navn=navn.title()
            ),
            enhed=enhed,
            rolle=rolle,
        )
        s.brugere[navn] = funktion.medarbejder.user
        return funktion

    fa = ansat("ansat_a", a)
    ansat("ansat_b", b)
    fd = ansat("ansat_d", d)
    fc = ansat("blokeret_c", c)
    ansat("leder", leder_enhed, Rolle.LEDER)
    akut = ansat("akut", leder_enhed)  # holds the legal-basis access (not a column)
    ophoert = f.EnhedFactory(myndighed=kommune, navn="Enhed E Nedlagt")
    ansat("ansat_ophoert", ophoert)

    s.borger = f.BorgerFactory(fornavn="Matrix", efternavn="Borgersen")
    s.borger.user = s.brugere["borger"] = _bruger("borger")
    s.borger.save(update_fields=["user"])
    s.anden_borger = f.BorgerFactory(fornavn="Anden", efternavn="Borgersen")
    s.anden_borger.user = s.brugere["anden_borger"] = _bruger("anden_borger")
    s.anden_borger.save(update_fields=["user"])
    for navn, omfang in (
        ("paaroerende_i", [Omfang.SAMTYKKE, Omfang.HELBRED, Omfang.SOCIALE]),
        ("paaroerende_uden", [Omfang.OEKONOMI]),
    ):
        person = f.BorgerFactory(fornavn=navn.title(), efternavn="Paaroerende")
        person.user = s.brugere[navn] = _bruger(navn)
        person.save(update_fields=["user"])
        f.RelationFactory(
            borger=s.borger, person=person, type=RelationsType.FULDMAGT, omfang=omfang,
            gyldig_fra=idag - datetime.timedelta(days=30),
            gyldig_til=idag + datetime.timedelta(days=335),
        )  # fmt: skip

    # The two types with their roots in the code system, as the forms' choices expect.
    typer = []
    for rod, fabrik in (
        (kendte.FSIII_FUNKTIONSEVNETILSTANDE[0], f.TilstandTypeFactory),
        (kendte.FSIII_INDSATSER[0], f.IndsatsTypeFactory),
    ):
        # the code systems are imported once per test database (tests/conftest.py)
        rodklasse = Klasse.objects.filter(pk=rod).first() or f.KlasseFactory(
            id=rod, titel=f"Rod {len(typer)}", niveau=0, sti=[]
        )
        typer.append(fabrik(klassifikation=rodklasse.klassifikation, overordnet=rodklasse))
    s.tilstand = f.TilstandFactory(borger=s.borger, ansvarlig_enhed=a, type=typer[0])
    s.indsats = f.IndsatsFactory(borger=s.borger, ansvarlig_enhed=a, type=typer[1])
    f.TilstandFactory(borger=s.anden_borger, ansvarlig_enhed=a, type=typer[0])
    # Unit E registered a condition, then ended yesterday; its staff's functions did not.
    f.TilstandFactory(borger=s.borger, ansvarlig_enhed=ophoert, type=typer[0])
    type(ophoert).objects.filter(pk=ophoert.pk).update(gyldig_til=idag - datetime.timedelta(days=1))
    s.samtykke = samtykke_services.samtykke_give(
        actor=None, borger=s.borger, modtager=b,
        kategorier=[s.tilstand.type, s.indsats.type], kilder=[a], formaal="Koordinering",
        dialog=True,  # unit B also takes part in the dialogue about the citizen
    )  # fmt: skip
    s.blokering = samtykke_services.samtykke_give(
        actor=None, borger=s.borger, modtager=c, beslutning=Beslutning.AFVIS,
        gyldig_fra=nu, gyldig_til=nu + datetime.timedelta(days=365),
    )  # fmt: skip
    # Blocked staff looked the citizen up by CPR number today: their page opens.
    adgangslog_write(
        aktoer=aktoer_for(fc.medarbejder.user), user=fc.medarbejder.user, borger=s.borger,
        hvad="Opslag på CPR-nummer", grundlag=Grundlag.EGEN_ENHED, kategorier=[OPSLAG],
    )  # fmt: skip
    # Unit D asked long ago and was told no.
    gammel = f.AnmodningFactory(
        borger=s.borger, anmoder=fd.medarbejder, enhed=d, kategori=s.tilstand.type, kilde=a
    )
    samtykke_services.anmodning_answer(
        actor=None, anmodning=gammel, givet_af=s.borger, accepter=False
    )
    lang_tid = nu - datetime.timedelta(days=900)
    Anmodning.objects.filter(pk=gammel.pk).update(oprettet=lang_tid, besvaret=lang_tid)
    # Unit A asks for what unit L holds: the citizen has a request to answer.
    s.anmodning = f.AnmodningFactory(
        borger=s.borger, anmoder=fa.medarbejder, enhed=a, kategori=s.tilstand.type,
        kilde=leder_enhed,
    )  # fmt: skip
    s.hjemmel = f.HjemmelFactory(borger=s.borger, funktion=akut)
    # The citizen asked unit A to correct its condition (not answered yet).
    from samtykke.berigtigelse.services import berigtigelse_create

    s.berigtigelse = berigtigelse_create(
        actor=None, datum=s.tilstand, indsendt_af=s.borger, hvad_er_forkert="Forkert niveau"
    )
    # A conversation with the citizen, started by unit A with unit B taking part, and a
    # message of ansat_a's with an attachment.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dialog import services as dialog_services
    from dialog.models import Besked, SamtaleType

    s.samtale = dialog_services.samtale_create(
        borger=s.borger, type=SamtaleType.MED_BORGEREN, emne="Matrixsamtale",
        actor=s.brugere["ansat_a"], enhed=a, deltagere=[b],
    )  # fmt: skip
    s.dialog_besked = dialog_services.besked_write(
        samtale=s.samtale, actor=s.brugere["ansat_a"], tekst="Hej fra enhed A",
        filer=[SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")],
    )  # fmt: skip
    s.vedhaeftning = Besked.objects.get(pk=s.dialog_besked.pk).vedhaeftninger.get()
    # and the citizen's answer (for the citizen's routes to correct or withdraw their own)
    s.borger_besked = dialog_services.besked_write(
        samtale=s.samtale, actor=s.borger.user, tekst="Tak, det passer fint"
    )
    s.klasse = s.tilstand.type
    # Unit A's caseworker has a notification about the condition in their inbox.
    from overblik.models import Notifikation
    from samtykke.models import Haendelse, HaendelseArt

    h = Haendelse.objects.create(
        art=HaendelseArt.TILSTAND, borger=s.borger, objekt_id=s.tilstand.pk, enhed=a, tidspunkt=nu
    )
    s.notifikation = Notifikation.objects.create(
        haendelse=h, modtager=s.brugere["ansat_a"], art=h.art, borger=s.borger,
        objekt_id=s.tilstand.pk, oprettet=nu,
    )  # fmt: skip
    # the inbox message names a citizen Datadeling knows, so its admin page shows citizen data
    from mox.eksempler import BORGER

    f.BorgerFactory(cpr=BORGER.rsplit(":", 1)[1])
    s.besked = f.MoxBeskedFactory()
    s.brugere["is_staff"] = _bruger("is_staff", is_staff=True)
    s.brugere["superbruger"] = get_user_model().objects.create_superuser("superbruger")

    # One object of every model the admin shows: the scenario's where it has one.
    egne = {
        type(o): o
        for o in (
            s.borger, s.tilstand, s.indsats, s.samtykke, s.anmodning, s.hjemmel, s.besked,
            s.berigtigelse,
            s.brugere["ansat_a"], a, kommune, fa, fa.medarbejder, s.klasse,
        )
    }  # fmt: skip
    egne[Group] = f.GroupFactory()
    egne[AccessAttempt] = AccessAttempt.objects.create(
        username="x", ip_address="127.0.0.1", user_agent="t", failures_since_start=1
    )
    egne[AccessLog] = AccessLog.objects.create(username="x", ip_address="127.0.0.1")
    egne[AccessFailureLog] = AccessFailureLog.objects.create(
        username="x", ip_address="127.0.0.1", user_agent="t"
    )
    egne[Adgangslog] = Adgangslog.objects.filter(borger=s.borger).first()
    for model in admin.site._registry:
        if model not in egne:
            egne[model] = f.FACTORIES[model]()
    s.admin_objekter = egne

    for rolle in ROLLER:
        klient = Client()
        if rolle != "anonym":
            klient.force_login(s.brugere[rolle])
        if rolle.startswith("paaroerende"):  # both have chosen to act for the citizen
            session = klient.session
            session[SESSION_KEY] = str(s.borger.pk)
            session.save()
        s.cookies[rolle] = klient.cookies
    return s


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected
def pytest_collection_modifyitems(items):
    """Mark one test of this folder `django_db`, so that pytest-django sets the test
    database up even when only the matrix's cells (which use `savepoint`) are selected."""
    for item in items:
        if "savepoint" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.django_db)
            return


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker):
    """Build the scenario once for the module, and roll it all back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _byg()
        transaction.set_rollback(True)


@pytest.fixture
def savepoint(scenario, django_db_blocker):
    """Return the scenario for one test run in a savepoint that is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield scenario
        transaction.set_rollback(True)
