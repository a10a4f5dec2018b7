"""Following and notifications on real PostgreSQL: who is told of a change (followers who
may see it, the unit's own staff automatically, never the one who made it), the fan-out in
batches and its idempotence, following chosen information, the consent kinds, the inbox
(badge, list, filters, mark read, open), the access log, the query-time filter when access
ends, and the e-mail digest."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Borger, Funktion, Medarbejder, Rolle
from organisation.selectors import aktoer_for
from overblik.models import Foelg, Notifikation
from overblik.notifikation import selectors, services
from samtykke import haendelser
from samtykke import services as samtykke_services
from samtykke.models import Adgangslog, Anmodning, Haendelse, HaendelseArt
from tests.fakeclock import FakeClock
from tests.overblik import test_tilstand_screens as skaerme
from tests.overblik.test_tilstand_screens import HTMX, LOGIN, indsats, tilstand

g = skaerme.g
klient = skaerme.klient

pytestmark = pytest.mark.django_db


def udfold(batch: int | None = None) -> None:
    """Fan out every event not yet delivered, as the workers would."""
    for pk in (
        Haendelse.objects.filter(udfoldet__isnull=True).order_by("pk").values_list("pk", flat=True)
    ):
        services.haendelse_udfold_alle(haendelse_id=pk, batch=batch)


def ansat(g, navn: str, enhed=None, rolle=Rolle.SAGSBEHANDLER):
    user = get_user_model().objects.create_user(navn, email=f"{navn}@example.org")
    m = Medarbejder.objects.create(user=user, myndighed=g.myndighed, navn=navn.title())
    Funktion.objects.create(medarbejder=m, enhed=enhed or g.enhed, rolle=rolle)
    return user


def har(user) -> list[str]:
    return sorted(Notifikation.objects.filter(modtager=user).values_list("art", flat=True))


def samtykke_til_hjemmepleje(g):
    return samtykke_services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.enhed, kategorier=[Klasse.objects.get(
            pk=k.FSIII_FUNKTIONSEVNETILSTANDE[0])], kilder=[g.anden_enhed], formaal="Pleje",
    )  # fmt: skip


# --- who is told ------------------------------------------------------------------------------


def test_a_follower_is_told_only_of_what_they_may_see_and_loses_it_with_access(g):
    kollega = ansat(g, "kollega")
    services.foelg_create(actor=kollega, borger=g.borger)
    tilstand(g, enhed=g.anden_enhed)  # Jobcenter's: Hjemmepleje may not see it
    udfold()
    assert har(kollega) == []

    s = samtykke_til_hjemmepleje(g)
    tilstand(g, enhed=g.anden_enhed)
    udfold()
    assert har(kollega) == [HaendelseArt.TILSTAND]
    aktoer = aktoer_for(kollega)
    assert selectors.ulaeste_antal(aktoer, kollega.pk) == 1

    samtykke_services.samtykke_revoke(actor=None, samtykke=s)
    # the row stays, the inbox no longer shows or counts it
    assert selectors.ulaeste_antal(aktoer, kollega.pk) == 0
    assert not selectors.notifikationer_synlige(aktoer, kollega.pk).exists()


def test_the_units_staff_follow_automatically_and_the_author_is_not_told(g):
    kollega = ansat(g, "kollega")
    slaaet_fra = ansat(g, "slaaet_fra")
    services.indstillinger_update(actor=slaaet_fra, auto_foelg=False)
    tilstand(g)  # registered by Tina for Hjemmepleje
    udfold()
    assert set(Foelg.objects.values_list("bruger__username", flat=True)) == {"tester", "kollega"}
    assert har(g.user) == []
    assert har(kollega) == [HaendelseArt.TILSTAND]
    assert har(slaaet_fra) == []


def test_following_chosen_information(g):
    kollega = ansat(g, "kollega")
    services.indstillinger_update(actor=kollega, auto_foelg=False)
    rod = Klasse.objects.get(pk=k.FSIII_FUNKTIONSEVNETILSTANDE[0])
    services.foelg_create(actor=kollega, borger=g.borger, alt=False, klasser=[rod])
    tilstand(g)
    indsats(g)
    udfold()
    assert har(kollega) == [HaendelseArt.TILSTAND]

    services.foelg_create(actor=kollega, borger=g.borger, alt=False, lovgrundlag=[g.sel85])
    tilstand(g)
    indsats(g)
    udfold()
    assert har(kollega) == [HaendelseArt.INDSATS, HaendelseArt.TILSTAND]


def test_the_fan_out_goes_in_batches_and_twice_is_once(g):
    kolleger = [ansat(g, f"k{i}") for i in range(5)]
    tilstand(g)
    h = Haendelse.objects.get()
    efter = services.haendelse_udfold(haendelse_id=h.pk, batch=2)
    assert efter is not None  # more to come: the next batch is a task of its own
    assert Notifikation.objects.count() <= 2
    while efter is not None:
        efter = services.haendelse_udfold(haendelse_id=h.pk, efter=efter, batch=2)
    assert Notifikation.objects.count() == 5
    # the same batch again (a redelivered task) writes nothing twice
    Haendelse.objects.filter(pk=h.pk).update(udfoldet=None)
    services.haendelse_udfold_alle(haendelse_id=h.pk, batch=2)
    assert Notifikation.objects.count() == 5
    assert all(har(u) == [HaendelseArt.TILSTAND] for u in kolleger)


def test_a_chunk_of_changes_writes_its_events_in_one_statement(g, django_assert_max_num_queries):
    from datadeling.core.historik import Aendring
    from tilstand.models import Tilstand

    objekter = [tilstand(g) for _ in range(3)]
    Haendelse.objects.all().delete()
    aendringer = [Aendring(o, o.registrering, "Opstaaet") for o in objekter]
    with django_assert_max_num_queries(1):
        haendelser.skriv_ved_aendring(sender=Tilstand, aendringer=aendringer)
    assert Haendelse.objects.count() == 3


# --- the consent kinds ------------------------------------------------------------------------


def test_an_answered_request_reaches_the_caseworker_who_asked(g, klient):
    a = samtykke_services.anmodning_create(
        actor=g.user, borger=g.borger, anmoder=g.medarbejder, enhed=g.enhed,
        kategorier=[Klasse.objects.get(pk=k.FSIII_FUNKTIONSEVNETILSTANDE[0])],
        kilder=[g.anden_enhed], formaal="Pleje", begrundelse="Koordinering", varighed_dage=30,
    )  # fmt: skip
    udfold()
    assert har(g.user) == []
    badge = klient.get(reverse("overblik:notifikationer_antal"), **HTMX)
    assert 'data-testid="ulaeste"' not in badge.content.decode()

    samtykke_services.anmodning_answer(actor=None, anmodning=a, givet_af=g.borger, accepter=False)
    udfold()
    assert har(g.user) == [HaendelseArt.ANMODNING_BESVARET]
    badge = klient.get(reverse("overblik:notifikationer_antal"), **HTMX).content.decode()
    assert 'data-testid="ulaeste">1<' in badge


def test_revoked_narrowed_and_expiring_consents_reach_the_unit_they_name(g, monkeypatch):
    kollega = ansat(g, "kollega")
    andet = ansat(g, "andet", enhed=g.anden_enhed)
    s = samtykke_til_hjemmepleje(g)
    clock = FakeClock(s.gyldig_til - datetime.timedelta(days=10))
    monkeypatch.setattr("datadeling.core.clock.now", clock)
    assert haendelser.udloebende_write(now=clock(), dage=30) == 1
    assert haendelser.udloebende_write(now=clock(), dage=30) == 0  # once per consent
    udfold()
    assert har(kollega) == [HaendelseArt.SAMTYKKE_UDLOEBER]
    assert har(andet) == []

    samtykke_services.samtykke_revoke(actor=None, samtykke=s)
    udfold()
    assert har(kollega) == [HaendelseArt.SAMTYKKE_TILBAGEKALDT, HaendelseArt.SAMTYKKE_UDLOEBER]


def test_the_citizen_is_told_of_requests_and_legal_basis_access_and_the_leader_reviews(g):
    borger_user = get_user_model().objects.create_user("borger")
    Borger.objects.filter(pk=g.borger.pk).update(user=borger_user)
    leder = ansat(g, "leder", rolle=Rolle.LEDER)
    samtykke_services.anmodning_create(
        actor=g.user, borger=g.borger, anmoder=g.medarbejder, enhed=g.enhed,
        kategorier=[Klasse.objects.get(pk=k.FSIII_FUNKTIONSEVNETILSTANDE[0])],
        kilder=[g.anden_enhed], formaal="Pleje", begrundelse="Koordinering", varighed_dage=30,
    )  # fmt: skip
    samtykke_services.hjemmel_register(
        actor=g.user, borger=g.borger, medarbejder=g.medarbejder, enhed=g.enhed,
        lovgrundlag=Klasse.objects.filter(klassifikation__uri=k.ADGANGSHJEMMEL_URI).first(),
        begrundelse="Akut", dage=3,
    )  # fmt: skip
    udfold()
    assert har(borger_user) == [HaendelseArt.ANMODNING_NY, HaendelseArt.HJEMMEL_REGISTRERET]
    assert har(leder) == [HaendelseArt.HJEMMEL_REGISTRERET]
    assert har(g.user) == []  # who registered it is not told


def test_an_extension_point_names_its_recipients(g):
    kollega = ansat(g, "kollega")
    tidligere = services._MODTAGERE.get(HaendelseArt.DIALOG_BESKED)
    services.modtagere_registrer(HaendelseArt.DIALOG_BESKED, lambda h, now: [kollega.pk])
    try:
        haendelser.haendelse_write(art=HaendelseArt.DIALOG_BESKED, borger_id=g.borger.pk)
        udfold()
    finally:  # the dialogue's own recipients back, for the tests that run after this one
        services._MODTAGERE.pop(HaendelseArt.DIALOG_BESKED)
        if tidligere is not None:
            services.modtagere_registrer(HaendelseArt.DIALOG_BESKED, tidligere)
    assert har(kollega) == [HaendelseArt.DIALOG_BESKED]


# --- the inbox --------------------------------------------------------------------------------


def test_the_list_filters_marks_read_and_logs_the_citizens_it_names(g, klient):
    kollega = ansat(g, "kollega")
    tilstand(g)
    tilstand(g, borger=g.anden_borger)
    indsats(g)
    udfold()
    klient.force_login(kollega)
    log_foer = Adgangslog.objects.count()
    r = klient.get(reverse("overblik:notifikationer"))
    assert r.status_code == 200
    assert len(r.context["side"].raekker) == 3
    assert Adgangslog.objects.count() == log_foer + 2  # one entry per citizen named
    r = klient.get(reverse("overblik:notifikationer"), {"borger": g.anden_borger.pk}, **HTMX)
    html = r.content.decode()
    assert html.count('<li class="notifikation') == 1
    assert "<h1>" not in html  # the partial
    r = klient.get(reverse("overblik:notifikationer"), {"art": HaendelseArt.INDSATS})
    assert [n.art for n in r.context["side"].raekker] == [HaendelseArt.INDSATS]

    en = Notifikation.objects.filter(modtager=kollega).first()
    klient.post(reverse("overblik:notifikationer_laest"), {"id": [en.pk]})
    assert Notifikation.objects.filter(modtager=kollega, laest__isnull=True).count() == 2
    r = klient.post(reverse("overblik:notifikationer_laest"), {"alle": "1"})
    assert r.status_code == 302
    assert not Notifikation.objects.filter(modtager=kollega, laest__isnull=True).exists()


def test_opening_a_notification_marks_it_read_and_goes_to_the_change(g, klient):
    kollega = ansat(g, "kollega")
    t = tilstand(g)
    udfold()
    klient.force_login(kollega)
    n = Notifikation.objects.get(modtager=kollega)
    r = klient.get(reverse("overblik:notifikation_aabn", kwargs={"pk": n.pk}))
    assert r.status_code == 302
    assert r["Location"] == reverse("overblik:tilstand", args=[t.pk])
    n.refresh_from_db()
    assert n.laest is not None
    # somebody else's notification is a 404
    klient.force_login(g.fremmed_user)
    assert klient.get(reverse("overblik:notifikation_aabn", kwargs={"pk": n.pk})).status_code == 404


def test_the_badge_is_a_plain_link_that_htmx_refreshes(g, klient):
    html = klient.get(reverse("forside")).content.decode()
    assert f'href="{reverse("overblik:notifikationer")}"' in html
    assert f'hx-get="{reverse("overblik:notifikationer_antal")}"' in html
    assert "every 15s" in html


# Session + user, who is logged in (2 + 2); the page's savepoint pair; the page of rows
# (citizens joined); the access log (one statement: locks, chains, inserts); the citizens
# of the filter; the unread count.
LISTE = LOGIN + 2 + 1 + 1 + 1 + 1


@pytest.mark.parametrize("n", [10, 1000])
def test_the_list_has_a_pinned_query_count(g, klient, n, django_assert_num_queries):
    """A caseworker following n citizens, each with an answered request in the inbox."""
    from django.utils import timezone

    borgere = Borger.objects.bulk_create(
        [Borger(cpr=f"{1000000000 + i}", fornavn="B", efternavn=str(i)) for i in range(n)]
    )
    Foelg.objects.bulk_create([Foelg(bruger=g.user, borger=b) for b in borgere])
    nu = timezone.now()
    anmodninger = Anmodning.objects.bulk_create(
        [
            Anmodning(
                borger=b, anmoder=g.medarbejder, modtager_enhed=g.enhed, kategorier=[],
                kilder=[g.anden_enhed.pk], formaal="x", begrundelse="y", varighed_dage=30,
                oprettet=nu, status="afvist",
            )
            for b in borgere
        ]
    )  # fmt: skip
    h = Haendelse.objects.bulk_create(
        [
            Haendelse(art=HaendelseArt.ANMODNING_BESVARET, borger=a.borger, objekt_id=a.pk,
                      tidspunkt=nu)
            for a in anmodninger
        ]
    )  # fmt: skip
    Notifikation.objects.bulk_create(
        [
            Notifikation(haendelse=x, modtager=g.user, art=x.art, borger=x.borger,
                         objekt_id=x.objekt_id, oprettet=nu)
            for x in h
        ]
    )  # fmt: skip
    with django_assert_num_queries(LISTE):
        r = klient.get(reverse("overblik:notifikationer"))
    assert len(r.context["side"].raekker) == min(n, 25)
    assert r.context["antal"] == n


# --- e-mail -----------------------------------------------------------------------------------


def test_the_email_digest_says_only_that_there_is_news_at_most_every_n_minutes(g, monkeypatch):
    # Started from the real time: the data below are dated from today's (local) date, so a
    # fixed start failed once the real date had passed it.
    clock = FakeClock(datetime.datetime.now(datetime.UTC))
    monkeypatch.setattr("datadeling.core.clock.now", clock)
    kollega = ansat(g, "kollega")
    services.indstillinger_update(actor=kollega, email=True, email_minutter=30)
    tilstand(g, dage_siden=1)
    udfold()
    assert services.email_digest_send() == 1
    besked = mail.outbox[-1]
    assert besked.subject == "Der er nyt i Datadeling"
    assert besked.to == ["kollega@example.org"]
    assert g.borger.fornavn not in besked.body and g.borger.cpr not in besked.body
    assert reverse("overblik:notifikationer") in besked.body

    clock.advance(minutes=10)
    tilstand(g, dage_siden=1)
    udfold()
    assert services.email_digest_send() == 0  # too soon
    clock.advance(minutes=25)
    assert services.email_digest_send() == 1
    assert services.email_digest_send() == 0  # nothing new since


def test_a_commits_events_are_settled_together(g, django_assert_max_num_queries):
    """A MOX chunk's changes: those about citizens nobody follows, by a unit without staff,
    are settled in a few queries; those with few followers are delivered together, in a
    fixed number of statements whatever their number; one task does it all."""
    from organisation.models import Enhed

    ubemandet = Enhed.objects.create(myndighed=g.myndighed, navn="Fagsystemets enhed")
    services.indstillinger_update(actor=g.user, auto_foelg=False)
    kollega = ansat(g, "kollega")
    for _ in range(5):
        tilstand(g, borger=g.anden_borger, enhed=ubemandet)
    for _ in range(5):
        tilstand(g)  # Hjemmepleje's: its staff follow and see it
    ids = list(Haendelse.objects.order_by("pk").values_list("pk", flat=True))
    with django_assert_max_num_queries(7):  # savepoint pair, events, 3 counts, update
        grupper = services.haendelser_udfold(haendelse_ids=ids)
    assert grupper == [ids[5:]]  # one group: few followers in all
    assert Haendelse.objects.filter(udfoldet__isnull=True).count() == 5
    # lock, auto-follow (2), followers, objects, classes, the policy (roles, blocks, legal
    # bases, 2 grant queries), the citizen's wish, the insert, the update, savepoints:
    # the same whatever the number of events
    with django_assert_max_num_queries(16):
        assert services.haendelser_udfold_sammen(haendelse_ids=grupper[0]) == []
    assert not Haendelse.objects.filter(udfoldet__isnull=True).exists()
    assert har(kollega) == [HaendelseArt.TILSTAND] * 5
    assert har(g.user) == []


def test_a_citizen_with_many_followers_gets_a_fan_out_of_its_own(g, settings):
    settings.NOTIFIKATION_BATCH = 3
    kolleger = [ansat(g, f"k{i}") for i in range(4)]
    tilstand(g)
    tilstand(g, borger=g.anden_borger, enhed=g.anden_enhed)
    ids = list(Haendelse.objects.order_by("pk").values_list("pk", flat=True))
    grupper = services.haendelser_udfold(haendelse_ids=ids)
    assert sorted(grupper) == [[ids[0]], [ids[1]]]
    for (pk,) in grupper:
        services.haendelse_udfold_alle(haendelse_id=pk)
    assert all(har(u) == [HaendelseArt.TILSTAND] for u in kolleger)
