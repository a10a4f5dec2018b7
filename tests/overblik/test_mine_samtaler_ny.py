"""Mine samtaler: the citizen (and a relative acting for them in the dialogue) starts a
conversation with a unit the policy lets them write to, and corrects or withdraws their own
messages — CSRF, Danish errors, 404 for what is not theirs, the access log, pinned query
counts, and a property: the units offered are exactly those the service accepts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datadeling.core import clock
from dialog import services as ds
from dialog.models import Besked, Deltager, Samtale, SamtaleType
from organisation.models import Enhed
from organisation.selectors import aktoer_for
from overblik.selectors import dialog as dialog_selectors
from samtykke import services as samtykke_services
from samtykke.models import Adgangslog, Beslutning
from samtykke.policy import dialog as dialogregel
from tests import hypotese
from tests.overblik.test_dialog_screens import else_, frede, g, g_grund, klient_for, samtale, tina
from tests.overblik.test_tilstand_screens import ADGANGSLOG, TRANSAKTION

__all__ = ["else_", "frede", "g", "g_grund", "tina"]  # the fixtures, used by name

pytestmark = pytest.mark.django_db

NY = reverse("overblik:min_samtale_ny")


def til(g, enhed) -> str:
    return f"{g.borger.pk}:{enhed.pk}"


def min_url(navn: str, s, b) -> str:
    return reverse(f"overblik:{navn}", kwargs={"pk": s.pk, "min_besked": b.kaede})


# --- starting a conversation ------------------------------------------------------------------


def test_the_citizen_starts_a_conversation_with_a_unit_that_may_see_the_dialogue(else_, g):
    html = else_.get(NY).content.decode()
    # Hjemmepleje holds her data, Jobcenter has her consent that includes the dialogue
    assert g.enhed.navn in html and g.anden_enhed.navn in html
    log = Adgangslog.objects.filter(borger=g.borger).order_by("-nummer").first()
    assert log.grundlag == "borger" and "start en samtale" in log.hvad

    r = else_.post(
        NY, {"til": til(g, g.anden_enhed), "emne": "Mit CV", "tekst": "Kan I hjælpe mig?"}
    )
    s = Samtale.objects.get(emne="Mit CV")
    assert r.status_code == 302 and r["Location"] == reverse(
        "overblik:min_samtale", kwargs={"pk": s.pk}
    )
    assert s.type == SamtaleType.MED_BORGEREN and s.borger == g.borger
    assert set(Deltager.objects.gaeldende().filter(samtale=s).values_list("enhed", "person")) == {
        (g.anden_enhed.pk, None),
        (None, g.borger.pk),
    }
    # the unit reads it, and so its caseworker Frede
    assert (
        klient_for(g.fremmed_user)
        .get(reverse("overblik:samtale", kwargs={"pk": g.borger.pk, "samtale": s.pk}))
        .status_code
        == 200
    )


def test_a_unit_the_citizen_has_blocked_is_neither_offered_nor_accepted(else_, g):
    samtykke_services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.anden_enhed, beslutning=Beslutning.AFVIS
    )
    html = else_.get(NY).content.decode()
    assert g.enhed.navn in html and g.anden_enhed.navn not in html
    r = else_.post(NY, {"til": til(g, g.anden_enhed), "emne": "Mit CV", "tekst": "Hej"})
    assert r.status_code == 200
    assert "Vælg en af enhederne på listen." in r.content.decode()
    assert not Samtale.objects.exists()


def test_missing_fields_are_danish_errors_and_keep_what_was_typed(else_, g):
    r = else_.post(NY, {"til": til(g, g.enhed), "emne": "", "tekst": "Min lange besked"})
    html = r.content.decode()
    assert r.status_code == 200 and "Skriv et emne." in html and "Min lange besked" in html
    r = else_.post(NY, {"til": "", "emne": "Emne", "tekst": ""})
    html = r.content.decode()
    assert "Vælg hvem du vil skrive til." in html and "Skriv en besked." in html
    assert not Samtale.objects.exists()


def test_the_form_needs_its_csrf_token(g):
    c = Client(enforce_csrf_checks=True)
    c.force_login(g.borger_user)
    r = c.post(NY, {"til": til(g, g.enhed), "emne": "Emne", "tekst": "Hej"})
    assert r.status_code == 403 and not Samtale.objects.exists()


def test_a_relative_is_offered_only_units_already_in_a_conversation_they_read(g):
    jonas = klient_for(g.jonas_user)
    html = jonas.get(NY).content.decode()
    assert g.enhed.navn not in html  # which units hold his mother's data is not his to see
    samtale(g)  # Hjemmepleje and Jobcenter talk with Else; Jonas reads it by his fuldmagt
    html = jonas.get(NY).content.decode()
    assert g.enhed.navn in html and g.borger.navn in html
    r = jonas.post(NY, {"til": til(g, g.enhed), "emne": "Om mor", "tekst": "Hvordan går det?"})
    assert r.status_code == 302
    s = Samtale.objects.get(emne="Om mor")
    assert s.borger == g.borger and Besked.objects.get(samtale=s).person == g.jonas
    log = Adgangslog.objects.filter(borger=g.borger, grundlag="relation").exists()
    assert log


def test_staff_get_404_on_the_citizens_routes(tina, g):
    s = samtale(g)
    b = Besked.objects.get(samtale=s)
    for adresse in (NY, min_url("min_besked_ret", s, b), min_url("min_besked_tilbagetraek", s, b)):
        assert tina.get(adresse).status_code == 404


# The new-conversation page for a citizen: the session and the login, the person (a citizen
# has no roles to load), the transaction, the person's dialogue relations, the candidate
# units, what lets each see the dialogue (deltagere_grundlag: involvement, consents and
# blocks, legal bases) and the access log; the same for any number of units. (A relative
# acting for several citizens pays the units' queries once per citizen.)
NY_SIDE = 3 + TRANSAKTION + 1 + 1 + 3 + ADGANGSLOG


def test_the_new_conversation_page_has_a_pinned_query_count(else_, g, django_assert_num_queries):
    with django_assert_num_queries(NY_SIDE):
        assert else_.get(NY).status_code == 200


# --- one's own messages -------------------------------------------------------------------------


def test_the_citizen_corrects_and_withdraws_their_own_message_only(else_, g):
    s = samtale(g)
    ds.besked_write(samtale=s, actor=g.borger_user, tekst="Jeg sover dårligt")
    egen = Besked.objects.get(samtale=s, nummer=2)
    tinas = Besked.objects.get(samtale=s, nummer=1)
    side = reverse("overblik:min_samtale", kwargs={"pk": s.pk})
    html = else_.get(side).content.decode()
    assert min_url("min_besked_ret", s, egen) in html
    assert min_url("min_besked_ret", s, tinas) not in html
    assert else_.get(min_url("min_besked_ret", s, tinas)).status_code == 404
    assert else_.get(min_url("min_besked_tilbagetraek", s, tinas)).status_code == 404

    foer = Adgangslog.objects.filter(borger=g.borger).count()
    assert else_.get(min_url("min_besked_ret", s, egen)).status_code == 200
    assert Adgangslog.objects.filter(borger=g.borger).count() == foer + 1
    r = else_.post(min_url("min_besked_ret", s, egen), {"tekst": ""})
    assert "Skriv en besked." in r.content.decode()
    r = else_.post(min_url("min_besked_ret", s, egen), {"tekst": "Jeg sover bedre"})
    assert r.status_code == 302 and r["Location"].endswith("#besked-2")
    html = (
        klient_for(g.user)
        .get(reverse("overblik:samtale", kwargs={"pk": g.borger.pk, "samtale": s.pk}))
        .content.decode()
    )
    assert "Jeg sover bedre" in html and "Rettet" in html and "Se den tidligere version" in html

    r = else_.post(min_url("min_besked_tilbagetraek", s, egen))
    assert r.status_code == 302
    html = (
        klient_for(g.user)
        .get(reverse("overblik:samtale", kwargs={"pk": g.borger.pk, "samtale": s.pk}))
        .content.decode()
    )
    assert "Beskeden er trukket tilbage af afsenderen." in html
    assert "Jeg sover bedre" not in html
    # withdrawn: nothing more to correct or withdraw
    assert else_.get(min_url("min_besked_ret", s, egen)).status_code == 404


def test_another_citizen_gets_404_for_the_conversation_and_its_messages(g):
    from django.contrib.auth import get_user_model

    from organisation.models import Borger

    user = get_user_model().objects.create_user("fremmed_borger")
    Borger.objects.create(cpr="0505501234", fornavn="Anna", efternavn="And", user=user)
    s = samtale(g)
    ds.besked_write(samtale=s, actor=g.borger_user, tekst="Mit svar")
    egen = Besked.objects.get(samtale=s, nummer=2)
    anden = klient_for(user)
    for navn in ("min_besked_ret", "min_besked_tilbagetraek"):
        assert anden.get(min_url(navn, s, egen)).status_code == 404
        assert anden.post(min_url(navn, s, egen), {"tekst": "Hacket"}).status_code == 404
    assert Besked.objects.get(pk=egen.pk).tekst == "Mit svar"


# --- the property: what is offered is what is accepted --------------------------------------

step = st.one_of(
    st.tuples(st.just("consent"), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("revoke"), st.integers(0, 5)),
    st.tuples(st.just("block"), st.integers(0, 2)),
)


@settings(
    max_examples=hypotese.eksempler(15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, max_size=6))
def test_the_units_offered_are_exactly_those_the_service_accepts(g, steps):
    """After random consents (with and without the dialogue), revocations and blocks, the
    units the form offers the citizen are exactly the units in force the service lets
    them start a conversation with."""
    from django.db import transaction

    with transaction.atomic():
        enheder = list(Enhed.objects.select_related("myndighed").order_by("navn"))
        givne = []
        blokeringer: dict = {}
        for s in steps:
            if s[0] == "consent":
                givne.append(
                    samtykke_services.samtykke_give(
                        actor=None,
                        borger=g.borger,
                        modtager=enheder[s[1] % len(enheder)],
                        kilder=[g.enhed],
                        dialog=s[2],
                        sagsindeks=not s[2],
                        formaal="Dialog",
                    )  # fmt: skip
                )
            elif s[0] == "revoke" and givne:
                c = givne.pop(s[1] % len(givne))
                samtykke_services.samtykke_revoke(actor=None, samtykke=c)
            elif s[0] == "block":
                e = enheder[s[1] % len(enheder)]
                if e.pk in blokeringer:
                    samtykke_services.samtykke_revoke(actor=None, samtykke=blokeringer.pop(e.pk))
                else:
                    blokeringer[e.pk] = samtykke_services.samtykke_give(
                        actor=None, borger=g.borger, modtager=e, beslutning=Beslutning.AFVIS
                    )
        aktoer = aktoer_for(g.borger_user)
        (valg,) = dialog_selectors.ny_samtale_valg(aktoer) or [None]
        tilbudt = {e.pk for e in valg.enheder} if valg else set()
        assert tilbudt == {
            e.pk
            for e in dialogregel.enheder_at_skrive_til(
                aktoer, g.borger.pk, clock.now(), ds.samtalekilde()
            )
        }
        accepteret = set()
        for e in enheder:
            try:
                with transaction.atomic():
                    ds.samtale_create(
                        borger=g.borger, type=SamtaleType.MED_BORGEREN, emne="Prøve",
                        actor=g.borger_user, deltagere=[e], tekst="Hej",
                    )  # fmt: skip
                    transaction.set_rollback(True)
            except ValidationError:
                continue
            accepteret.add(e.pk)
        assert tilbudt == accepteret, steps
        transaction.set_rollback(True)
