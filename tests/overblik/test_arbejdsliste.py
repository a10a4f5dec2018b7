"""The caseworker's worklist on the front page, the citizen's "what is new", and the citizen
list's filters: read through the policy (revoked consents, blocks and units that lost
access drop off at once), logged, paged, filtered, and with a pinned query count that is
the same for 10 and 1,000 items."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organisation.models import Borger, Rolle
from organisation.selectors import aktoer_for
from overblik.selectors import arbejdsliste as al
from samtykke import services as samtykke_services
from samtykke.models import Adgangslog, Beslutning
from tests.admin import factories as f
from tilstand.models import Tilstand

pytestmark = pytest.mark.django_db


@pytest.fixture
def verden(db):
    """Unit A (caseworker `anna`, leader `lone`), unit B (caseworker `bo`), a citizen with
    an overdue condition in A, and a consent to B that ends in 10 days."""
    kommune = f.MyndighedFactory(navn="Testrup Kommune")
    a = f.EnhedFactory(myndighed=kommune, navn="Enhed A Hjemmepleje")
    b = f.EnhedFactory(myndighed=kommune, navn="Enhed B Socialpsykiatri")
    anna = f.FunktionFactory(enhed=a, medarbejder=f.MedarbejderFactory(myndighed=kommune))
    bo = f.FunktionFactory(enhed=b, medarbejder=f.MedarbejderFactory(myndighed=kommune))
    lone = f.FunktionFactory(
        enhed=a, rolle=Rolle.LEDER, medarbejder=f.MedarbejderFactory(myndighed=kommune)
    )
    borger = f.BorgerFactory(fornavn="Karla", efternavn="Kristensen")
    idag = timezone.localdate()
    t = f.TilstandFactory(
        borger=borger, ansvarlig_enhed=a, opfoelgning=idag - datetime.timedelta(days=3)
    )
    nu = timezone.now()
    samtykke = samtykke_services.samtykke_give(
        actor=None, borger=borger, modtager=b, kategorier=[t.type], kilder=[a],
        formaal="Koordinering", gyldig_fra=nu - datetime.timedelta(days=355),
        gyldig_til=nu + datetime.timedelta(days=10),
    )  # fmt: skip
    return {
        "a": a, "b": b, "anna": anna, "bo": bo, "lone": lone, "borger": borger,
        "tilstand": t, "samtykke": samtykke,
    }  # fmt: skip


def liste(funktion, **filtre):
    return al.arbejdsliste(aktoer_for(funktion.medarbejder.user), al.Filtre(**filtre))


def test_overdue_follow_up_is_on_its_units_worklist_only(verden):
    a = liste(verden["anna"])
    assert [r["pk"] for r in a.opfoelgninger.object_list] == [verden["tilstand"].pk]
    assert a.opfoelgninger.object_list[0]["frist"] < timezone.localdate()
    assert liste(verden["bo"]).opfoelgninger.paginator.count == 0


def test_consent_expiring_in_10_days_is_on_the_worklist_of_the_unit_it_names(verden):
    assert [s.pk for s in liste(verden["bo"]).samtykker.object_list] == [verden["samtykke"].pk]
    assert liste(verden["anna"]).samtykker.paginator.count == 0


def test_revoked_consent_leaves_the_worklist_at_once(verden):
    samtykke_services.samtykke_revoke(actor=None, samtykke=verden["samtykke"])
    assert liste(verden["bo"]).samtykker.paginator.count == 0


def test_a_block_beats_the_expiring_consent(verden):
    samtykke_services.samtykke_give(
        actor=None, borger=verden["borger"], modtager=verden["b"], beslutning=Beslutning.AFVIS
    )
    assert liste(verden["bo"]).samtykker.paginator.count == 0


def test_requests_waiting_and_answers_received(verden):
    anna, borger = verden["anna"], verden["borger"]
    afventer = f.AnmodningFactory(
        borger=borger, anmoder=anna.medarbejder, enhed=anna.enhed,
        kategori=verden["tilstand"].type, kilde=verden["b"],
    )  # fmt: skip
    assert [r.pk for r in liste(anna).anmodninger.object_list] == [afventer.pk]
    assert liste(anna).svar.paginator.count == 0
    samtykke_services.anmodning_answer(
        actor=None, anmodning=afventer, givet_af=borger, accepter=True
    )
    assert liste(anna).anmodninger.paginator.count == 0
    assert [r.pk for r in liste(anna).svar.object_list] == [afventer.pk]
    # another unit's caseworker sees neither
    assert liste(verden["bo"]).svar.paginator.count == 0


def test_answers_marked_seen_leave_the_list(client, verden):
    anna = verden["anna"]
    r = f.AnmodningFactory(
        borger=verden["borger"], anmoder=anna.medarbejder, enhed=anna.enhed,
        kategori=verden["tilstand"].type, kilde=verden["b"],
    )  # fmt: skip
    samtykke_services.anmodning_answer(
        actor=None, anmodning=r, givet_af=verden["borger"], accepter=False
    )
    assert liste(anna).svar.paginator.count == 1
    client.force_login(anna.medarbejder.user)
    assert client.post(reverse("overblik:arbejdsliste_svar_set")).status_code == 302
    assert liste(anna).svar.paginator.count == 0


def test_a_citizen_the_unit_may_no_longer_open_drops_off(verden):
    """A request opens the citizen's page only while young; an old one names nobody."""
    bo = verden["bo"]
    andre = f.BorgerFactory()
    r = f.AnmodningFactory(
        borger=andre, anmoder=bo.medarbejder, enhed=bo.enhed, kategori=verden["tilstand"].type,
        kilde=verden["a"],
    )  # fmt: skip
    assert liste(bo).anmodninger.paginator.count == 1
    type(r).objects.filter(pk=r.pk).update(oprettet=timezone.now() - datetime.timedelta(days=90))
    assert liste(bo).anmodninger.paginator.count == 0


def test_leader_sees_legal_basis_accesses_to_review(verden):
    h = f.HjemmelFactory(borger=verden["borger"], funktion=verden["anna"])
    assert [x.pk for x in liste(verden["lone"]).gennemgang.object_list] == [h.pk]
    assert liste(verden["anna"]).gennemgang is None  # not a leader
    f.HjemmelGennemgangFactory(hjemmel=h)
    assert liste(verden["lone"]).gennemgang.paginator.count == 0


def test_filters_by_unit_citizen_and_kind(verden):
    anna = verden["anna"]
    assert liste(anna, enhed=verden["b"].pk).opfoelgninger.paginator.count == 0  # not hers
    assert liste(anna, enhed=verden["a"].pk).opfoelgninger.paginator.count == 1
    assert liste(anna, borger=uuid.uuid4()).opfoelgninger.paginator.count == 0
    kun = liste(anna, art=al.SAMTYKKER)
    assert kun.opfoelgninger is None and kun.samtykker is not None


def test_front_page_shows_and_logs_the_worklist(client, verden):
    client.force_login(verden["bo"].medarbejder.user)
    foer = Adgangslog.objects.filter(borger=verden["borger"]).count()
    html = client.get(reverse("forside")).content.decode()
    assert "Samtykker der udløber" in html and "Kristensen, Karla" in html
    assert Adgangslog.objects.filter(borger=verden["borger"]).count() == foer + 1


def test_htmx_gets_one_list(client, verden):
    client.force_login(verden["anna"].medarbejder.user)
    response = client.get(reverse("forside"), {"liste": "opfoelgninger"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="liste-opfoelgninger"' in html and "<html" not in html


def _mange(verden, n: int, start: int = 0) -> None:
    """Give unit A n overdue conditions of n citizens, and unit B n expiring consents."""
    t = verden["tilstand"]
    borgere = Borger.objects.bulk_create(
        Borger(cpr=f"{i:010d}", fornavn="Mange", efternavn=f"B{i:04d}")
        for i in range(start, start + n)
    )
    felter = {
        fld.attname: getattr(t, fld.attname)
        for fld in Tilstand._meta.concrete_fields
        if fld.attname not in ("id", "borger_id")
    }
    Tilstand.objects.bulk_create(Tilstand(borger=b, **felter) for b in borgere)
    s = verden["samtykke"]
    kopier = []
    for b in borgere:
        kopi = type(s).objects.get(pk=s.pk)
        kopi.pk, kopi.kaede, kopi.borger, kopi.givet_af = uuid.uuid4(), uuid.uuid4(), b, b
        kopier.append(kopi)
    type(s).objects.bulk_create(kopier)


@pytest.mark.parametrize("rolle", ["anna", "bo"])  # follow-ups; expiring consents
def test_front_page_query_count_is_the_same_for_10_and_1000(client, verden, rolle):
    client.force_login(verden[rolle].medarbejder.user)
    _mange(verden, 9)
    with CaptureQueriesContext(connection) as lille:
        assert client.get(reverse("forside")).status_code == 200
    _mange(verden, 990, start=9)
    with CaptureQueriesContext(connection) as stor:
        html = client.get(reverse("forside")).content.decode()
    assert len(stor) == len(lille)
    assert "Side 1 af" in html
    # session, user with profile, roles; the savepoint; 2 a list (4 lists), when the
    # answers were last seen; the access log of the list with items (one statement; it was
    # five: savepoint, lock, chain, insert, release);
    # the lists of followed citizens, dialogue and correction requests (a count each, empty
    # here, and the dialogue rule's reader: user and roles)
    assert len(stor) == 13 + 3 + 2


def test_citizen_front_page_tells_what_is_new_and_logs(client, verden):
    borger = verden["borger"]
    borger.user = get_user_model().objects.create_user("karla")
    borger.save(update_fields=["user"])
    f.HjemmelFactory(borger=borger, funktion=verden["bo"])
    client.force_login(borger.user)
    foer = Adgangslog.objects.filter(borger=borger).count()
    html = client.get(reverse("forside")).content.decode()
    assert "har fået adgang uden samtykke" in html
    assert "Ny vurdering" in html
    assert Adgangslog.objects.filter(borger=borger).count() == foer + 1


def test_citizen_list_filters(client, verden):
    anna = verden["anna"]
    client.force_login(anna.medarbejder.user)
    anden = f.BorgerFactory(fornavn="Frisk", efternavn="Frederiksen")
    f.TilstandFactory(borger=anden, ansvarlig_enhed=verden["a"])
    html = client.get(reverse("overblik:borgere")).content.decode()
    assert "Frederiksen" in html and "Kristensen" in html
    html = client.get(reverse("overblik:borgere"), {"friskhed": "1"}).content.decode()
    assert "Frederiksen" not in html and "Kristensen" in html
    html = client.get(reverse("overblik:borgere"), {"enhed": str(verden["b"].pk)}).content.decode()
    assert "Kristensen" in html  # B is not hers: the filter falls back to all her units


def test_citizen_front_page_query_count_is_the_same_for_few_and_many(client, verden):
    borger = verden["borger"]
    borger.user = get_user_model().objects.create_user("karla")
    borger.save(update_fields=["user"])
    client.force_login(borger.user)
    t = verden["tilstand"]
    felter = {
        fld.attname: getattr(t, fld.attname)
        for fld in Tilstand._meta.concrete_fields
        if fld.attname != "id"
    }

    def flere(n: int) -> None:
        Tilstand.objects.bulk_create(Tilstand(**felter) for _ in range(n))
        for _ in range(n // 10 or 1):
            f.HjemmelFactory(borger=borger, funktion=verden["bo"])

    flere(9)
    client.get(reverse("forside"))  # the first visit creates the "last looked" row
    with CaptureQueriesContext(connection) as faa:
        assert client.get(reverse("forside")).status_code == 200
    flere(200)
    with CaptureQueriesContext(connection) as mange:
        html = client.get(reverse("forside")).content.decode()
    assert html.count('class="nyt-punkt"') == 5 + 5  # capped: 5 new data, 5 accesses
    assert len(mange) == len(faa)


def test_relative_acting_for_the_citizen_sees_their_news(client, verden):
    from organisation.models import Omfang, RelationsType
    from overblik.views.samtykke_borger import SESSION_KEY

    borger = verden["borger"]
    soen = f.BorgerFactory(fornavn="Søren", efternavn="Kristensen")
    soen.user = get_user_model().objects.create_user("soeren")
    soen.save(update_fields=["user"])
    idag = timezone.localdate()
    relation = f.RelationFactory(
        borger=borger, person=soen, type=RelationsType.FULDMAGT,
        omfang=[Omfang.SAMTYKKE, Omfang.HELBRED], gyldig_fra=idag - datetime.timedelta(1),
        gyldig_til=idag + datetime.timedelta(300),
    )  # fmt: skip
    f.HjemmelFactory(borger=borger, funktion=verden["bo"])
    client.force_login(soen.user)
    session = client.session
    session[SESSION_KEY] = str(borger.pk)
    session.save()
    html = client.get(reverse("forside")).content.decode()
    assert "Du handler for Karla Kristensen" in html and "uden samtykke" in html
    entry = Adgangslog.objects.filter(borger=borger).order_by("-nummer").first()
    assert entry.grundlag == "relation" and str(entry.grundlag_id) == str(relation.pk)
    # when the power of attorney ends, the page is the relative's own again
    type(relation).objects.filter(pk=relation.pk).update(gyldig_til=idag)
    html = client.get(reverse("forside")).content.decode()
    assert "Du handler for" not in html


def test_what_was_new_stays_new_while_the_visit_lasts(monkeypatch, verden):
    from overblik.models import Side
    from overblik.services import sidst_set_update
    from tests.fakeclock import FakeClock

    clock = FakeClock(timezone.now())
    monkeypatch.setattr("datadeling.core.clock.now", clock)
    user = get_user_model().objects.create_user("karla")
    kwargs = {"actor": user, "side": Side.BORGER_FORSIDE, "borger": verden["borger"]}
    start = clock()
    assert sidst_set_update(**kwargs, besoeg=True) is None  # never visited
    clock.advance(minutes=10)
    assert sidst_set_update(**kwargs, besoeg=True) is None  # the same visit
    clock.advance(hours=2)
    besoeget = clock()
    assert sidst_set_update(**kwargs, besoeg=True) == start + datetime.timedelta(minutes=10)
    clock.advance(minutes=5)
    assert sidst_set_update(**kwargs, besoeg=True) == start + datetime.timedelta(minutes=10)
    clock.advance(hours=1)
    assert sidst_set_update(**kwargs, besoeg=True) == besoeget + datetime.timedelta(minutes=5)


def _foelg_mange(verden, n: int, start: int = 0) -> None:
    """Make unit A's caseworker follow n more citizens with data of unit A, each with an
    unread notification about it (the list of followed citizens shows them)."""
    from overblik.models import Foelg, Notifikation
    from samtykke.models import Haendelse, HaendelseArt

    _mange(verden, n, start)
    user = verden["anna"].medarbejder.user
    nye = list(
        Borger.objects.filter(efternavn__startswith="B").exclude(
            pk__in=Foelg.objects.filter(bruger=user).values("borger_id")
        )
    )
    Foelg.objects.bulk_create(Foelg(bruger=user, borger=b) for b in nye)
    now = timezone.now()
    tilstande = Tilstand.objects.filter(borger__in=nye)
    haendelser = Haendelse.objects.bulk_create(
        Haendelse(
            art=HaendelseArt.TILSTAND, borger_id=t.borger_id, objekt_id=t.pk,
            enhed_id=t.ansvarlig_enhed_id, tidspunkt=now, udfoldet=now,
        )
        for t in tilstande
    )  # fmt: skip
    Notifikation.objects.bulk_create(
        Notifikation(
            haendelse=h, modtager=user, art=h.art, borger_id=h.borger_id, objekt_id=h.objekt_id,
            oprettet=now,
        )
        for h in haendelser
    )  # fmt: skip


def test_front_page_query_count_is_the_same_following_10_and_1000_citizens(client, verden):
    client.force_login(verden["anna"].medarbejder.user)
    _foelg_mange(verden, 10)
    with CaptureQueriesContext(connection) as lille:
        html = client.get(reverse("forside")).content.decode()
    assert 'id="liste-fulgte"' in html and "1 ny ændring" in html
    _foelg_mange(verden, 990, start=10)
    with CaptureQueriesContext(connection) as stor:
        html = client.get(reverse("forside")).content.decode()
    assert len(stor) == len(lille)
    assert "1 ny ændring" in html and "Side 1 af" in html
