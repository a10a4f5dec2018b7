"""The case index (sagsindeks, U1) as people see it: passivation, who sees which case, the
citizen page's "Sager andre steder", its access log and the admin."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datadeling.core import clock
from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed
from organisation.selectors import aktoer_for
from overblik.selectors.sag import sager_synlige, sager_til_visning
from sagsindeks.models import Sag, SagRegistrering
from sagsindeks.services import sag_passivate, sag_register, sag_update
from samtykke import services as samtykke_services
from samtykke.models import Adgangslog, Beslutning
from tests import hypotese
from tests.fakeclock import FakeClock
from tests.overblik import test_tilstand_screens as skaerme
from tests.overblik.test_borger_screens import BORGER_SIDE, SAGSINDEKS_LOG
from tests.overblik.test_tilstand_screens import DAG, log_for, tilstand, url
from tests.sagsindeks.test_services import sag

g = skaerme.g
klient = skaerme.klient
fremmed_klient = skaerme.fremmed_klient

pytestmark = pytest.mark.django_db


def samtykke(g, *, modtager, sagsindeks=True, kilder=None, beslutning=Beslutning.TILLAD, **kw):
    felter = {
        "actor": None,
        "borger": g.borger,
        "modtager": modtager,
        "beslutning": beslutning,
        "gyldig_til": clock.now() + 30 * DAG,
    }
    if beslutning == Beslutning.TILLAD:
        felter |= {
            "kilder": kilder if kilder is not None else [g.enhed],
            "formaal": "Koordinering af indsatsen",
            "sagsindeks": sagsindeks,
        }
    return samtykke_services.samtykke_give(**felter | kw)


def ser(user, **kw) -> set:
    return set(sager_synlige(aktoer_for(user), **kw).values_list("pk", flat=True))


def fremmed(g) -> Medarbejder:
    return Medarbejder.objects.get(user=g.fremmed_user)


# --- services (the rest are in tests/sagsindeks/test_services.py) ---------------------------


def test_passivate_takes_it_out_and_then_it_cannot_change(g):
    s = sag(g)
    sag_passivate(actor=g.user, sag=s, begrundelse="Fejl", slet=True)
    s.refresh_from_db()
    assert (s.aktiv, s.livscykluskode) == (False, "Slettet")
    assert ser(g.user) == set()
    with pytest.raises(ValidationError, match="passiveret"):
        sag_update(actor=g.user, sag=s, aendringer={"titel": "Ny"})
    with pytest.raises(ValidationError, match="passiveret"):
        sag_passivate(actor=g.user, sag=s)
    assert s.registreringer.count() == 2


# --- who sees which case ----------------------------------------------------------------------


def test_the_own_unit_sees_its_cases_another_unit_does_not(g):
    egen, anden = sag(g), sag(g, enhed=g.anden_enhed)
    assert ser(g.user) == {egen.pk}
    assert ser(g.fremmed_user) == {anden.pk}


def test_own_data_about_the_citizen_does_not_show_other_units_cases(g):
    tilstand(g, enhed=g.anden_enhed)  # the Jobcenter knows the citizen
    sag(g)
    assert ser(g.fremmed_user) == set()


def test_a_consent_that_includes_the_case_overview_shows_the_cases_of_its_sources(g):
    s = sag(g)
    sag(g, enhed=None, ansvarlig_enhed_navn="Region, psykiatri")
    samtykke(g, modtager=g.anden_enhed)
    assert ser(g.fremmed_user) == {s.pk}  # a case of an unknown unit is no source


@pytest.mark.parametrize(
    "hvordan",
    ["uden sagsindeks", "anden kilde", "til en anden", "udloebet", "tilbagekaldt", "fag"],
)
def test_a_consent_shows_nothing_when_it_does_not_cover_the_cases(g, hvordan):
    sag(g)
    if hvordan == "uden sagsindeks":
        kat = Klasse.objects.get(pk=k.FFB_TILSTANDE)
        samtykke(g, modtager=g.anden_enhed, sagsindeks=False, kategorier=[kat])
    elif hvordan == "anden kilde":
        samtykke(g, modtager=g.anden_enhed, kilder=[g.anden_enhed])
    elif hvordan == "til en anden":
        tredje = Enhed.objects.create(myndighed=g.myndighed, navn="Tredje")
        samtykke(g, modtager=tredje)
    elif hvordan == "udloebet":
        samtykke(
            g, modtager=g.anden_enhed, gyldig_fra=clock.now() - 10 * DAG,
            gyldig_til=clock.now() - DAG,
        )  # fmt: skip
    elif hvordan == "tilbagekaldt":
        s = samtykke(g, modtager=g.anden_enhed)
        assert ser(g.fremmed_user) != set()
        samtykke_services.samtykke_revoke(actor=None, samtykke=s)
    else:  # the consent is for one profession only; Frede has none
        samtykke(g, modtager=g.anden_enhed, faglighed=g.kilde)
    assert ser(g.fremmed_user) == set()


def test_a_block_beats_a_consent_but_not_the_own_unit(g):
    s = sag(g)
    samtykke(g, modtager=g.anden_enhed)
    samtykke(g, modtager=g.anden_enhed, beslutning=Beslutning.AFVIS)
    assert ser(g.fremmed_user) == set()
    samtykke(g, modtager=g.enhed, beslutning=Beslutning.AFVIS)
    assert ser(g.user) == {s.pk}


def test_a_legal_basis_shows_all_the_citizens_cases(g):
    s = sag(g)
    ukendt = sag(g, enhed=None)
    andens = sag(g, borger=g.anden_borger)
    lov = Klasse.objects.filter(klassifikation__uri=k.ADGANGSHJEMMEL_URI).first()
    samtykke_services.hjemmel_register(
        actor=g.fremmed_user, borger=g.borger, medarbejder=fremmed(g), enhed=g.anden_enhed,
        lovgrundlag=lov, begrundelse="Akut bekymring", dage=3,
    )  # fmt: skip
    assert ser(g.fremmed_user) == {s.pk, ukendt.pk}
    assert andens.pk not in ser(g.fremmed_user)


def test_nobody_else_sees_anything(g):
    s = sag(g)
    uden_enhed = get_user_model().objects.create_user("uden")
    Medarbejder.objects.create(user=uden_enhed, myndighed=g.myndighed, navn="Uden Enhed")
    admin = get_user_model().objects.create_superuser("root")
    borger_login = get_user_model().objects.create_user("else")
    Borger.objects.filter(pk=g.borger.pk).update(user=borger_login)
    anden_login = get_user_model().objects.create_user("ole")
    Borger.objects.filter(pk=g.anden_borger.pk).update(user=anden_login)

    assert ser(uden_enhed) == ser(admin) == ser(anden_login) == set()
    assert ser(borger_login) == {s.pk}  # a citizen sees their own cases


# --- property: the selector equals a plain reference function --------------------------------

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
UNITS, USERS, CITIZENS = 2, 3, 2

skridt = st.one_of(
    st.tuples(st.just("sag"), st.integers(0, UNITS), st.integers(0, CITIZENS - 1)),
    st.tuples(st.just("giv"), st.integers(0, CITIZENS - 1), st.integers(0, UNITS),
              st.sets(st.integers(0, UNITS - 1), min_size=1), st.booleans(), st.integers(1, 5)),
    st.tuples(st.just("tilbagekald"), st.integers(0, 5)),
    st.tuples(st.just("bloker"), st.integers(0, CITIZENS - 1), st.integers(0, UNITS - 1),
              st.integers(1, 5)),
    st.tuples(st.just("hjemmel"), st.integers(0, USERS - 1), st.integers(0, CITIZENS - 1),
              st.integers(1, 5)),
    st.tuples(st.just("passiver"), st.integers(0, 9)),
    st.tuples(st.just("flyt"), st.integers(0, USERS - 1), st.integers(0, UNITS - 1)),
    st.tuples(st.just("ur"), st.integers(1, 3)),
)  # fmt: skip


@dataclass
class Verden:
    """The reference: plain records and one plain function, `ser`."""

    arbejder: dict = field(default_factory=dict)  # user -> unit or None
    sager: list = field(default_factory=list)  # [id, unit or None, citizen, aktiv]
    samtykker: list = field(default_factory=list)  # [db, citizen, unit|None, kilder, idx, til,
    #                                                 tillad, tilbagekaldt]
    hjemler: list = field(default_factory=list)  # (user, citizen, unit, til)

    def ser(self, user: int, nu) -> set:
        enhed = self.arbejder[user]
        if enhed is None:
            return set()

        def til_mig(c):
            i_kraft = not c[7] and nu < c[5]
            return i_kraft and (c[2] == enhed if c[2] is not None else user == 0)

        synlige = set()
        for sid, unit, borger, aktiv in self.sager:
            blokeret = any(not c[6] and til_mig(c) and c[1] == borger for c in self.samtykker)
            samtykke = any(
                c[6] and til_mig(c) and c[1] == borger and c[4] and unit in c[3]
                for c in self.samtykker
            )
            lov = any(
                u == user and b == borger and hu == enhed and nu < til
                for u, b, hu, til in self.hjemler
            )
            if aktiv and (unit == enhed or (samtykke and not blokeret) or lov):
                synlige.add(sid)
        return synlige


@settings(
    max_examples=hypotese.eksempler(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(skridt, min_size=3, max_size=16))
def test_who_sees_which_case_equals_the_reference(kodesystemer, monkeypatch, steps):
    ur = FakeClock(START)
    monkeypatch.setattr("datadeling.core.clock.now", ur)
    with transaction.atomic():
        kommune = Myndighed.objects.create(navn="K", type="kommune", kommunekode="996")
        enheder = [Enhed.objects.create(myndighed=kommune, navn=f"E{i}") for i in range(UNITS)]
        users, staff = [], []
        for i in range(USERS):
            users.append(get_user_model().objects.create_user(f"s{i}"))
            staff.append(Medarbejder.objects.create(user=users[i], myndighed=kommune, navn="M"))
            Funktion.objects.create(
                medarbejder=staff[i], enhed=enheder[i % UNITS], rolle="sagsbehandler",
                gyldig_fra=START.date() - datetime.timedelta(days=1),
            )  # fmt: skip
        borgere = [
            Borger.objects.create(cpr=f"020280{1000 + i}", fornavn="B", efternavn=str(i))
            for i in range(CITIZENS)
        ]
        lov = Klasse.objects.filter(klassifikation__uri=k.ADGANGSHJEMMEL_URI).first()
        verden = Verden(arbejder={i: i % UNITS for i in range(USERS)})

        def ny_sag(unit, borger):
            s = sag_register(
                actor=None, borger=borgere[borger],
                data={"titel": "S", "kildesystem": "X", "fremdrift": "Oplyst",
                      "startdato": START.date(),
                      "ansvarlig_enhed": enheder[unit] if unit < UNITS else uuid.uuid4()},
            )  # fmt: skip
            verden.sager.append([s.pk, unit if unit < UNITS else None, borger, True])

        for unit in range(UNITS + 1):
            for borger in range(CITIZENS):
                ny_sag(unit, borger)

        for s in steps:
            art = s[0]
            if art == "sag":
                ny_sag(s[1], s[2])
            elif art == "giv":
                _, borger, unit, kilder, indeks, dage = s
                til = ur() + datetime.timedelta(days=dage)
                kat = [] if indeks else [Klasse.objects.get(pk=k.FFB_TILSTANDE)]
                db = samtykke_services.samtykke_give(
                    actor=None, borger=borgere[borger],
                    modtager=enheder[unit] if unit < UNITS else staff[0],
                    kategorier=kat, kilder=[enheder[u] for u in sorted(kilder)],
                    formaal="Koordinering", gyldig_til=til, sagsindeks=indeks,
                )  # fmt: skip
                verden.samtykker.append(
                    [db, borger, unit if unit < UNITS else None, kilder, indeks, til, True, False]
                )
            elif art == "tilbagekald" and verden.samtykker:
                c = verden.samtykker[s[1] % len(verden.samtykker)]
                if not c[7]:
                    samtykke_services.samtykke_revoke(actor=None, samtykke=c[0])
                    c[7] = True
            elif art == "bloker":
                _, borger, unit, dage = s
                til = ur() + datetime.timedelta(days=dage)
                db = samtykke_services.samtykke_give(
                    actor=None, borger=borgere[borger], modtager=enheder[unit],
                    beslutning=Beslutning.AFVIS, gyldig_til=til,
                )  # fmt: skip
                verden.samtykker.append([db, borger, unit, set(), False, til, False, False])
            elif art == "hjemmel":
                _, user, borger, dage = s
                unit = verden.arbejder[user]
                if unit is None:
                    continue
                samtykke_services.hjemmel_register(
                    actor=users[user], borger=borgere[borger], medarbejder=staff[user],
                    enhed=enheder[unit], lovgrundlag=lov, begrundelse="Akut", dage=dage,
                )  # fmt: skip
                verden.hjemler.append((user, borger, unit, ur() + datetime.timedelta(days=dage)))
            elif art == "passiver":
                post = verden.sager[s[1] % len(verden.sager)]
                if post[3]:
                    sag_passivate(actor=None, sag=Sag.objects.get(pk=post[0]))
                    post[3] = False
            elif art == "flyt":
                # the person leaves their unit today and, from tomorrow, works in another
                _, user, unit = s
                idag = ur().date()
                aabne = Funktion.objects.filter(medarbejder=staff[user], gyldig_til__isnull=True)
                aabne.filter(gyldig_fra__gte=idag).delete()  # began today: never mind
                aabne.update(gyldig_til=idag)
                Funktion.objects.create(
                    medarbejder=staff[user], enhed=enheder[unit], rolle="sagsbehandler",
                    gyldig_fra=idag + datetime.timedelta(days=1),
                )  # fmt: skip
                verden.arbejder[user] = None
                ur.advance(days=1)
                verden.arbejder[user] = unit
            elif art == "ur":
                ur.advance(days=s[1])

            for u, user in enumerate(users):
                assert ser(user) == verden.ser(u, ur()), (u, s)
        transaction.set_rollback(True)


# --- the citizen page ----------------------------------------------------------------------


def sager_at_vise(g, n: int) -> list[Sag]:
    """n cases the caseworker sees (own unit), plus cases they must not see."""
    vist = []
    for i in range(n):
        vist.append(sag(g, dage_siden=10 + i, primaerbehandler=g.medarbejder))
        sag(g, enhed=g.anden_enhed)
        sag(g, borger=g.anden_borger)
    return vist


@pytest.mark.parametrize("n", [1, 10])
def test_the_page_shows_the_cases_with_a_pinned_query_count(
    klient, g, n, django_assert_num_queries
):
    tilstand(g)
    vist = sager_at_vise(g, n)

    # no interventions: the summary has none to fetch (-1)
    with django_assert_num_queries(BORGER_SIDE - 1 + SAGSINDEKS_LOG):
        response = klient.get(url("borger", pk=g.borger.pk))

    assert response.status_code == 200
    assert [s.pk for s in response.context["o"].sager] == [s.pk for s in vist]
    html = response.content.decode()
    assert html.count("Sygedagpenge") == n and "Sager andre steder" in html
    assert "15.00.00-G01-3-24" in html and "Jobcentersystem" in html and "Tina Test" in html
    assert "Testrup Kommune, Hjemmepleje" in html


def test_open_cases_come_first_then_newest(klient, g):
    gammel = sag(g, dage_siden=400, titel="Gammel")
    lukket = sag(g, dage_siden=5, titel="Lukket", fremdrift="Afsluttet")
    ny = sag(g, dage_siden=2, titel="Ny")

    o = klient.get(url("borger", pk=g.borger.pk)).context["o"]

    assert [s.titel for s in o.sager] == ["Ny", "Gammel", "Lukket"]
    assert [s.pk for s in o.sager] == [ny.pk, gammel.pk, lukket.pk]


def test_the_page_says_so_when_there_are_no_cases_and_logs_no_case_read(
    klient, g, django_assert_num_queries
):
    tilstand(g)
    sag(g, enhed=g.anden_enhed)  # exists, but not for this caseworker

    with django_assert_num_queries(BORGER_SIDE - 1):  # no interventions to fetch
        html = klient.get(url("borger", pk=g.borger.pk)).content.decode()

    assert "Der er ingen sager i andre systemer, som du har adgang til." in html
    assert "Sygedagpenge" not in html
    (entry,) = log_for(g.borger)
    assert "sagsindeks" not in entry.kategorier


def test_the_case_read_is_logged_with_the_basis_of_each_case(klient, fremmed_klient, g):
    egen = sag(g, enhed=g.anden_enhed)
    via_samtykke = sag(g)
    c = samtykke(g, modtager=g.anden_enhed)

    html = fremmed_klient.get(url("borger", pk=g.borger.pk)).content.decode()

    assert html.count("Sygedagpenge") == 2
    entry = Adgangslog.objects.get(borger=g.borger, kategorier__contains=["sagsindeks"])
    assert entry.navn == "Frede Fremmed" and "sagsindeks" in entry.kategorier
    assert (entry.grundlag, entry.grundlag_id) == ("samtykke", c.pk)
    assert {(o["id"], o["grundlag"]) for o in entry.objekter} == {
        (str(egen.pk), "egen_enhed"),
        (str(via_samtykke.pk), "samtykke"),
    }


def test_one_page_view_is_one_line_in_the_citizens_log(klient, g):
    """A new user found two entries for one view of the citizen page ("Overblik over
    borgerens …" and "Sagsindeks"): one view is one read, and one entry, listing the
    conditions and the cases with the basis each was seen on."""
    t = tilstand(g)
    s = sag(g)
    antal = Adgangslog.objects.filter(borger=g.borger).count()

    klient.get(url("borger", pk=g.borger.pk))

    (entry,) = Adgangslog.objects.filter(borger=g.borger, nummer__gt=antal)
    assert {(o["type"], o["id"]) for o in entry.objekter} == {
        ("tilstand", str(t.pk)),
        ("sag", str(s.pk)),
    }
    assert set(entry.kategorier) >= {"tilstande", "sagsindeks"}
    assert "Sagsindeks" not in entry.hvad and "Overblik over borgerens" not in entry.hvad


def test_a_unit_with_only_a_case_may_open_the_citizen_page(fremmed_klient, g):
    tilstand(g)
    assert fremmed_klient.get(url("borger", pk=g.borger.pk)).status_code == 404
    sag(g, enhed=g.anden_enhed)
    response = fremmed_klient.get(url("borger", pk=g.borger.pk))
    assert response.status_code == 200 and "Sygedagpenge" in response.content.decode()


def test_the_page_fails_when_the_case_read_cannot_be_logged(klient, g, monkeypatch):
    sag(g)

    def fejler(**kwargs):
        raise DatabaseError("adgangsloggen kan ikke skrives")

    monkeypatch.setattr("overblik.views.borger.adgangslog_visning", fejler)
    with pytest.raises(DatabaseError):
        klient.get(url("borger", pk=g.borger.pk))


def test_the_selector_gives_each_case_its_basis(g):
    s = sag(g)
    (vist,) = sager_til_visning(aktoer_for(g.user), g.borger.pk)
    assert vist.pk == s.pk and (vist.grundlag, vist.grundlag_id) == ("egen_enhed", None)


# --- admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_klient(g):
    admin = get_user_model().objects.create_superuser("birgitte")
    c = Client()
    c.force_login(admin)
    return c


def test_the_admin_shows_cases_read_only_and_logs_it(admin_klient, g):
    s = sag(g)

    liste = admin_klient.get(reverse("admin:sagsindeks_sag_changelist"))
    side = admin_klient.get(reverse("admin:sagsindeks_sag_change", args=[s.pk]))

    assert liste.status_code == side.status_code == 200
    assert "Sygedagpenge" in side.content.decode() and g.borger.cpr not in side.content.decode()
    assert not side.context["has_change_permission"]
    assert admin_klient.get(reverse("admin:sagsindeks_sag_add")).status_code == 403
    poster = Adgangslog.objects.filter(borger=g.borger)
    assert poster.count() == 2 and {e.grundlag for e in poster} == {"administration"}
    assert admin_klient.post(reverse("admin:sagsindeks_sag_delete", args=[s.pk]), {"post": "yes"})
    assert Sag.objects.filter(pk=s.pk, aktiv=True).exists()


# --- demo ----------------------------------------------------------------------------------


def test_the_demo_gives_karen_cases_elsewhere_once(django_user_model):
    import io

    from django.core.management import call_command

    call_command("importer_klassifikation", "--standard", stdout=io.StringIO())
    for _ in range(2):  # idempotent
        call_command("demo_data", "--scale", "0.1", stdout=io.StringIO(), stderr=io.StringIO())

    karen = Borger.objects.get(fornavn="Karen", efternavn="Holm")
    assert Sag.objects.filter(borger=karen).count() == 4
    assert SagRegistrering.objects.filter(sag__borger=karen).count() == 4
    hanne = django_user_model.objects.get(username="sygeplejerske")
    mette = django_user_model.objects.get(username="sagsbehandler")
    titler = {
        navn: set(sager_synlige(aktoer_for(u), karen.pk).values_list("titel", flat=True))
        for navn, u in (("hanne", hanne), ("mette", mette))
    }
    assert titler == {
        "hanne": {"Personlig og praktisk hjælp (SEL § 83)", "Ambulant behandling for depression"},
        "mette": {"Afklaring af behov for socialpædagogisk støtte (SEL § 85)"},
    }
