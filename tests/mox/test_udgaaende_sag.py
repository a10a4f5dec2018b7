"""Outbound MOX notifications about the case index (sagsindeks): a subscribing system is
told about a case its unit may see by the case index's rule (its own unit's case, or a
consent to the overview of cases from the case's unit, not blocked) or that it delivered
itself; the envelope carries the case's metadata only; each delivery is checked again and
logged in the citizen's access log."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from datadeling.core import memo
from klassifikation import kendte
from klassifikation.models import Klasse
from mox import services as mox_services
from mox.models import Abonnement, Notifikation, NotifikationStatus
from mox.udgaaende import levering, services
from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed
from organisation.selectors import Aktoer
from overblik.selectors import sag as sag_selectors
from sagsindeks import services as sag_services
from samtykke import services as samtykke_services
from samtykke.models import Adgangslog, Beslutning, Handling
from tests import hypotese
from tests.fakeclock import FakeClock
from tests.mox import test_udgaaende as tu
from tests.mox.test_udgaaende import anden_kategori, kategori, modtagere, system

pytestmark = pytest.mark.django_db

# The outbound tests' fixtures: plain-http webhooks, eager tasks, a local webhook server.
_opsaetning = tu._opsaetning
webhook = tu.webhook

KLE_KLASSE = "4c8a2e6b-9d1f-4a3c-8e5b-7f0a1c2d3e4f"


def abonnent(navn, *, enhed, url, **kwargs):
    """A system for `enhed` subscribing to cases."""
    return system(navn, enhed=enhed, url=url, objekttype="sag", **kwargs)


def ny_sag(g, *, enhed=None, kildesystem="Omsorgssystem Testrup", aktoer_tekst="", **felter):
    return sag_services.sag_register(
        actor=None if aktoer_tekst else g.user,
        borger=g.borger,
        data={
            "titel": "Anbringelse uden for hjemmet",
            "kildesystem": kildesystem,
            "kildesystem_id": "SAG-118",
            "sagsnummer": "27.24.00-G01-118-24",
            "kle_nummer": "27.24.00",
            "kle_klasse_uuid": KLE_KLASSE,
            "fremdrift": "Oplyst",
            "startdato": datetime.date(2024, 4, 1),
            "ansvarlig_enhed": enhed or g.enhed,
            "myndighed": g.myndighed,
            "primaerbehandler": g.medarbejder,
            **felter,
        },
        aktoer_tekst=aktoer_tekst,
    )


def sagsindeks_samtykke(g, *, modtager, kilder=None, **kwargs):
    """A consent to the overview of the citizen's cases from `kilder` (default: g.enhed)."""
    return samtykke_services.samtykke_give(
        actor=None,
        borger=g.borger,
        modtager=modtager,
        kilder=kilder if kilder is not None else [g.enhed],
        sagsindeks=True,
        formaal="Koordinering af indsatsen",
        **kwargs,
    )


def integrationslog(g):
    return Adgangslog.objects.filter(borger=g.borger, handling=Handling.INTEGRATION)


# --- who is told --------------------------------------------------------------------------


def test_the_own_units_system_is_told_of_create_update_and_passivation(
    grundlag, webhook, django_capture_on_commit_callbacks
):
    g = grundlag
    omsorg = abonnent("Omsorg", enhed=g.enhed, url=webhook.url)
    abonnent("Job", enhed=g.anden_enhed, url=webhook.url)  # no basis: nothing
    system("Tilstande", enhed=g.enhed, url=webhook.url)  # subscribes to tilstand only
    with django_capture_on_commit_callbacks(execute=True):
        s = ny_sag(g)
    with django_capture_on_commit_callbacks(execute=True):
        sag_services.sag_update(actor=g.user, sag=s, aendringer={"fremdrift": "Afsluttet"})
    with django_capture_on_commit_callbacks(execute=True):
        sag_services.sag_passivate(actor=g.user, sag=s, begrundelse="Fejloprettet")

    assert modtagere() == {"Omsorg"}
    rows = list(Notifikation.objects.order_by("pk"))
    assert [(n.objekttype, n.operation, n.registrering_nummer) for n in rows] == [
        ("sag", "create", 1), ("sag", "update", 2), ("sag", "passivate", 3),
    ]  # fmt: skip
    assert {n.status for n in rows} == {NotifikationStatus.LEVERET}
    assert len(webhook.modtaget) == 3
    assert all(webhook.signatur_gyldig(m, omsorg.secret) for m in webhook.modtaget)

    oprettet, rettet, passiveret = (m.json for m in webhook.modtaget)
    assert (oprettet["objekttype"], oprettet["objektID"]) == ("sag", str(s.pk))
    assert oprettet["data"] == {
        "livscykluskode": "Opstaaet",
        "registrering": {
            "nummer": 1,
            "tidspunkt": oprettet["data"]["registrering"]["tidspunkt"],
            "aktoer": "Datadeling",  # a person's change: no staff name
        },
        "aktiv": True,
        "borger": "urn:dk:cpr:person:0101501234",
        "kildesystem": "Omsorgssystem Testrup",
        "brugervendtnoegle": "SAG-118",
        "sagsnummer": "27.24.00-G01-118-24",
        "kle": "27.24.00",
        "kleklasse": KLE_KLASSE,
        "fremdrift": "Oplyst",
        "startdato": "2024-04-01",
        "slutdato": None,
        "ansvarligenhed": str(g.enhed.pk),
        "ansvarligenhednavn": "",
        "myndighed": str(g.myndighed.pk),
        "myndighednavn": "",
        "primaerbehandler": str(g.medarbejder.pk),
    }
    # metadata only: neither the title (free text) nor the caseworker's name
    assert "Anbringelse" not in webhook.modtaget[0].krop.decode()
    assert "Tina Test" not in webhook.modtaget[0].krop.decode()
    assert rettet["data"]["fremdrift"] == "Afsluttet" and rettet["data"]["slutdato"]
    assert (passiveret["data"]["livscykluskode"], passiveret["data"]["aktiv"]) == (
        "Passiveret", False,
    )  # fmt: skip

    # each delivery is a disclosure, logged in the citizen's access log
    log = list(integrationslog(g).order_by("pk"))
    assert len(log) == 3
    assert all("Omsorg" in p.navn and p.grundlag == "egen_enhed" for p in log)
    assert all(p.objekter == [{"type": "sag", "id": str(s.pk)}] for p in log)


def test_a_system_whose_unit_has_no_basis_is_told_nothing(grundlag, webhook):
    g = grundlag
    abonnent("Omsorg", enhed=g.enhed, url=webhook.url)  # the case's own unit: told
    abonnent("Job", enhed=g.anden_enhed, url=webhook.url)
    abonnent("Ingen enhed", enhed=None, url=webhook.url)
    # a consent to conditions (not to the overview of cases) does not tell about cases
    samtykke_services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.anden_enhed, kategorier=[kategori(g)],
        kilder=[g.enhed], formaal="Koordinering",
    )  # fmt: skip
    # nor does one to the overview of cases from another unit, or one to a named person
    sagsindeks_samtykke(g, modtager=g.anden_enhed, kilder=[g.anden_enhed])
    sagsindeks_samtykke(g, modtager=g.medarbejder)
    s = ny_sag(g)
    sag_services.sag_update(actor=g.user, sag=s, aendringer={"fremdrift": "Afgjort"})
    assert modtagere() == {"Omsorg"}
    assert Notifikation.objects.count() == 2


def test_a_consent_to_the_overview_of_cases_tells_the_units_system(
    grundlag, webhook, django_capture_on_commit_callbacks
):
    g = grundlag
    abonnent("Job", enhed=g.anden_enhed, url=webhook.url)
    samtykke = sagsindeks_samtykke(g, modtager=g.anden_enhed)
    with django_capture_on_commit_callbacks(execute=True):
        s = ny_sag(g)
    with django_capture_on_commit_callbacks(execute=True):
        sag_services.sag_passivate(actor=g.user, sag=s, slet=True)
    assert modtagere() == {"Job"}
    assert list(Notifikation.objects.order_by("pk").values_list("operation", "status")) == [
        ("create", "leveret"), ("delete", "leveret"),
    ]  # fmt: skip
    log = integrationslog(g).first()
    assert (log.grundlag, log.grundlag_id) == ("samtykke", samtykke.pk)
    assert log.objekter == [{"type": "sag", "id": str(s.pk)}]


def test_a_consent_to_the_authority_counts_for_its_units_systems(grundlag, webhook):
    g = grundlag
    abonnent("Job", enhed=g.anden_enhed, url=webhook.url)
    sagsindeks_samtykke(g, modtager=g.myndighed)
    ny_sag(g)
    assert modtagere() == {"Job"}


def test_a_consent_for_one_profession_does_not_reach_a_system(grundlag, webhook):
    g = grundlag
    abonnent("Job", enhed=g.anden_enhed, url=webhook.url)
    # any class stands in for a profession here (the code systems loaded have none)
    sagsindeks_samtykke(g, modtager=g.anden_enhed, faglighed=anden_kategori())
    ny_sag(g)
    assert Notifikation.objects.count() == 0
    sagsindeks_samtykke(g, modtager=g.anden_enhed)  # for every profession: told
    ny_sag(g)
    assert modtagere() == {"Job"}


def test_a_block_beats_the_consent(grundlag, webhook):
    g = grundlag
    abonnent("Job", enhed=g.anden_enhed, url=webhook.url)
    abonnent("Omsorg", enhed=g.enhed, url=webhook.url)
    sagsindeks_samtykke(g, modtager=g.anden_enhed)
    samtykke_services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.myndighed, kategorier=[kategori(g)],
        kilder=[g.enhed], formaal="Blokering", beslutning=Beslutning.AFVIS,
    )  # fmt: skip
    ny_sag(g)
    # the block (to the authority) stops the consent, never the own unit
    assert modtagere() == {"Omsorg"}


def test_a_system_is_told_about_the_cases_it_delivered(grundlag, webhook):
    g = grundlag
    abonnent("Ingen enhed", enhed=None, url=webhook.url, udelad_egne=False)
    ny_sag(g, kildesystem="Anden")
    assert Notifikation.objects.count() == 0
    ny_sag(g, kildesystem="Ingen enhed", aktoer_tekst="Ingen enhed", enhed=g.anden_enhed)
    n = Notifikation.objects.get()
    assert n.system.navn == "Ingen enhed" and n.operation == "create"
    assert n.konvolut["data"]["registrering"]["aktoer"] == "Ingen enhed"
    assert levering.lever(n.pk) == NotifikationStatus.LEVERET


def test_a_mox_sag_message_from_system_a_is_told_to_b(
    grundlag, webhook, django_capture_on_commit_callbacks
):
    from tests.mox.conftest import ny_afsender
    from tests.mox.test_sag import sag_besked

    g = grundlag
    a = ny_afsender("System A")
    a.system.enhed, a.system.webhook_url = g.anden_enhed, webhook.url
    a.system.save()
    services.abonnement_create(system=a.system, objekttype="sag")  # leaves out its own
    b = abonnent("System B", enhed=g.anden_enhed, url=webhook.url)
    besked = sag_besked(g)  # responsible unit: g.anden_enhed
    with django_capture_on_commit_callbacks(execute=True):
        svar = a.post({"beskeder": [besked]})
    assert svar.status_code == 202, svar.content
    assert modtagere() == {"System B"}
    n = Notifikation.objects.get()
    assert n.status == NotifikationStatus.LEVERET
    assert (n.konvolut["operation"], n.konvolut["objektID"]) == ("import", besked["objektID"])
    assert n.konvolut["data"]["registrering"]["aktoer"] == "System A"
    assert n.konvolut["data"]["kildesystem"] == "System A"
    assert webhook.signatur_gyldig(webhook.modtaget[0], b.secret)


# --- the outbox is transactional, delivery checks again ----------------------------------


class Fortryd(Exception):
    pass


def test_a_rolled_back_case_change_leaves_no_outbox_row(grundlag, webhook):
    g = grundlag
    abonnent("Omsorg", enhed=g.enhed, url=webhook.url)
    with pytest.raises(Fortryd), transaction.atomic():
        ny_sag(g)
        assert Notifikation.objects.count() == 1
        raise Fortryd
    assert Notifikation.objects.count() == 0


def test_a_consent_revoked_before_delivery_withholds_the_notification(grundlag, webhook):
    g = grundlag
    abonnent("Job", enhed=g.anden_enhed, url=webhook.url)
    samtykke = sagsindeks_samtykke(g, modtager=g.anden_enhed)
    ny_sag(g)  # the test transaction never commits: nothing is delivered yet
    n = Notifikation.objects.get()
    samtykke_services.samtykke_revoke(actor=None, samtykke=samtykke)
    assert levering.lever(n.pk) == NotifikationStatus.TILBAGEHOLDT
    assert webhook.modtaget == []
    assert not integrationslog(g).exists()


def test_a_block_given_before_delivery_withholds_the_notification(grundlag, webhook):
    g = grundlag
    abonnent("Job", enhed=g.anden_enhed, url=webhook.url)
    sagsindeks_samtykke(g, modtager=g.anden_enhed)
    ny_sag(g)
    n = Notifikation.objects.get()
    samtykke_services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.anden_enhed, kategorier=[kategori(g)],
        kilder=[g.enhed], formaal="Blokering", beslutning=Beslutning.AFVIS,
    )  # fmt: skip
    assert levering.lever(n.pk) == NotifikationStatus.TILBAGEHOLDT
    assert webhook.modtaget == []


# --- subscriptions --------------------------------------------------------------------------


def test_sag_is_subscribable_and_other_types_are_refused(grundlag, webhook):
    g = grundlag
    s, _token, _secret = mox_services.system_create(navn="Omsorg")
    s.enhed, s.webhook_url = g.enhed, webhook.url
    s.save()
    abonnement = services.abonnement_create(system=s, objekttype="sag")
    assert Abonnement.objects.get(pk=abonnement.pk).objekttype == "sag"
    with pytest.raises(ValidationError) as fejl:
        services.abonnement_create(system=s, objekttype="klasse")
    assert fejl.value.message_dict["objekttype"] == [
        "Der kan kun abonneres på tilstand, indsats, sag og dialog."
    ]


# --- cost in the processing path -----------------------------------------------------------


@pytest.mark.parametrize("antal", [1, 4])
def test_a_case_change_costs_the_same_few_queries_for_any_number_of_systems(
    grundlag, webhook, django_assert_num_queries, antal
):
    g = grundlag
    for i in range(antal):
        enhed = Enhed.objects.create(myndighed=g.myndighed, navn=f"E{i}")
        sagsindeks_samtykke(g, modtager=enhed)
        abonnent(f"S{i}", enhed=enhed, url=webhook.url)
    s = ny_sag(g)
    reg = s.registreringer.get()
    with memo.aktiv():
        services.notifikationer_write(objekt=s, registrering=reg, livscykluskode="Rettet")
        # cached subscriptions; one visibility query; one insert
        with django_assert_num_queries(2):
            rows = services.notifikationer_write(
                objekt=s, registrering=reg, livscykluskode="Rettet"
            )
    assert len(rows) == antal


# --- property: a unit's system is told what the unit's staff see in the case index --------

UNITS = 3
M = "myndighed"  # a consent or block addressed to the authority of all the units
modtager = st.one_of(st.integers(0, UNITS - 1), st.just(M))
oftest = st.sampled_from  # a value listed twice is twice as likely
samtykke_trin = st.one_of(
    # a consent: recipient, sources, to the overview of cases (else to conditions only),
    # days in force, revoked afterwards
    st.tuples(st.just("give"), modtager, st.sets(st.integers(0, UNITS - 1), min_size=1),
              oftest([True, True, False]), st.integers(1, 3), oftest([False, False, True])),
    st.tuples(st.just("block"), modtager, st.just(frozenset()), st.just(False),
              st.integers(1, 3), oftest([False, False, True])),
)  # fmt: skip


@settings(
    max_examples=hypotese.eksempler(30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# the cases that matter most, always tried: a block to the authority beats a consent to
# the unit, one to the unit beats one to the authority; an expired block blocks nothing
@example(samtykker=[("give", 1, {0}, True, 3, False), ("block", M, set(), False, 3, False)], dage=0)
@example(samtykker=[("give", M, {0}, True, 3, False), ("block", 2, set(), False, 3, False)], dage=0)
@example(samtykker=[("give", 1, {0}, True, 3, False), ("block", 1, set(), False, 1, False)], dage=2)
@given(samtykker=st.lists(samtykke_trin, max_size=5), dage=oftest([0, 0, 2]))
def test_the_systems_told_are_the_units_whose_staff_see_the_case(
    kodesystemer, monkeypatch, samtykker, dage
):
    """For any set of consents to the overview of cases (or to conditions only) and blocks,
    revoked or expired or not, a change of a case is told to exactly the systems of the
    units whose staff (no profession, no legal basis, no consent by name) see the case in
    the case index (overblik.selectors.sag); a passivation to those who saw it just before."""
    clock = FakeClock(datetime.datetime.now(datetime.UTC).replace(microsecond=0))
    monkeypatch.setattr("datadeling.core.clock.now", clock)
    with transaction.atomic():
        kommune = Myndighed.objects.create(navn="K", type="kommune", kommunekode="995")
        units = [Enhed.objects.create(myndighed=kommune, navn=f"Enhed {i}") for i in range(UNITS)]
        borger = Borger.objects.create(cpr="0303703000", fornavn="B", efternavn="S")
        staff = []
        for i, enhed in enumerate(units):
            user = get_user_model().objects.create_user(f"staff{i}")
            m = Medarbejder.objects.create(user=user, myndighed=kommune, navn=f"M{i}")
            f = Funktion.objects.create(medarbejder=m, enhed=enhed, rolle="sagsbehandler")
            staff.append(Aktoer(navn=m.navn, medarbejder=m, funktioner=[f]))
            s, _, _ = mox_services.system_create(navn=f"S{i}")
            s.enhed, s.webhook_url = enhed, "https://fagsystem.invalid/hook"
            s.save()
            services.abonnement_create(system=s, objekttype="sag")
        kategorirod = Klasse.objects.get(pk=kendte.FSIII_FUNKTIONSEVNETILSTANDE[0])
        for art, x, kilder, sagsindeks, gyldig, tilbagekaldt in samtykker:
            c = samtykke_services.samtykke_give(
                actor=None, borger=borger, modtager=kommune if x == M else units[x],
                kategorier=[] if sagsindeks or art == "block" else [kategorirod],
                kilder=[units[u] for u in sorted(kilder)], sagsindeks=sagsindeks,
                formaal="Koordinering" if art == "give" else "",
                beslutning=Beslutning.TILLAD if art == "give" else Beslutning.AFVIS,
                gyldig_til=clock() + datetime.timedelta(days=gyldig),
            )  # fmt: skip
            if tilbagekaldt:
                samtykke_services.samtykke_revoke(actor=None, samtykke=c)
        clock.advance(days=dage)  # some consents and blocks expire

        def seers(sag) -> set[str]:
            return {
                f"S{i}"
                for i, a in enumerate(staff)
                if sag_selectors.sager_synlige(a, borger.pk).filter(pk=sag.pk).exists()
            }

        def told(sag, operation) -> set[str]:
            return set(
                Notifikation.objects.filter(objekt_id=sag.pk, operation=operation).values_list(
                    "system__navn", flat=True
                )
            )

        for u in range(UNITS):
            sag = sag_services.sag_register(
                actor=None, borger=borger,
                data={"titel": "Sag", "kildesystem": "Andet system", "fremdrift": "Oplyst",
                      "startdato": datetime.date(2024, 4, 1), "ansvarlig_enhed": units[u]},
            )  # fmt: skip
            saa = seers(sag)
            assert told(sag, "create") == saa, u
            sag = sag_services.sag_update(actor=None, sag=sag, aendringer={"fremdrift": "Afgjort"})
            assert told(sag, "update") == saa, u
            sag_services.sag_passivate(actor=None, sag=sag, begrundelse="Fejl")
            assert told(sag, "passivate") == saa, u
        transaction.set_rollback(True)
