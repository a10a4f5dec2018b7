"""A new message in a conversation and each step of a correction request reach the inboxes
of those who may read them (the outbox's DIALOG_BESKED and BERIGTIGELSE events), never the
writer, and lose a reader with their access; the item links to the conversation."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404

from datadeling.core import clock
from dialog import selectors as dialog_selectors
from dialog import services
from dialog.models import SamtaleType
from organisation.models import Borger, Relation
from organisation.selectors import aktoer_for
from overblik.models import Notifikation
from overblik.notifikation import selectors as notifikation_selectors
from overblik.notifikation import services as notifikation_services
from samtykke import policy
from samtykke import services as samtykke_services
from samtykke.berigtigelse.services import berigtigelse_create, berigtigelse_decline
from samtykke.models import Haendelse, HaendelseArt
from tests.dialog.test_dialog import _dialogsamtykke, _samtale
from tests.overblik.test_notifikationer import udfold

pytestmark = pytest.mark.django_db


def beskeder_til(user) -> int:
    return Notifikation.objects.filter(modtager=user, art=HaendelseArt.DIALOG_BESKED).count()


def test_a_new_message_reaches_the_readers_but_not_the_writer_nor_one_without_access(verden):
    v = verden
    s = _samtale(v)  # the caseworker writes the first message to the citizen
    udfold()
    assert beskeder_til(v.borger_user) == 1
    assert beskeder_til(v.g.user) == 0  # the writer

    samtykke = _dialogsamtykke(v)
    services.deltager_add(samtale=s, actor=v.g.user, enhed=v.psykiatri)
    services.besked_write(samtale=s, actor=v.psyk_user, tekst="Psykiatrien her")
    udfold()
    assert (beskeder_til(v.g.user), beskeder_til(v.borger_user), beskeder_til(v.psyk_user)) == (
        1, 2, 0,
    )  # fmt: skip

    samtykke_services.samtykke_revoke(actor=None, samtykke=samtykke)
    services.besked_write(samtale=s, actor=v.g.user, tekst="Psykiatrien kan ikke læse med nu")
    udfold()
    assert beskeder_til(v.psyk_user) == 0  # the unit takes part, but may not read any more
    assert beskeder_til(v.borger_user) == 3


def test_edits_are_not_announced_and_nothing_of_the_text_is_in_the_event(verden):
    v = verden
    s = _samtale(v, tekst="Hemmeligt indhold")
    besked = s.beskeder.get()
    services.besked_edit(besked=besked, actor=v.g.user, tekst="Rettet indhold")
    haendelser = list(Haendelse.objects.filter(art=HaendelseArt.DIALOG_BESKED).values())
    assert len(haendelser) == 1
    assert "indhold" not in str(haendelser)


def test_a_professionals_only_message_does_not_reach_the_citizen(verden):
    v = verden
    _samtale(v, type=SamtaleType.FAGLIG, tekst="Kun fagligt")
    udfold()
    assert beskeder_til(v.borger_user) == 0


def test_the_notification_links_to_the_conversation_for_each_reader(verden):
    v = verden
    s = _samtale(v)
    services.besked_write(samtale=s, actor=v.borger_user, tekst="Tak")
    udfold()
    for user, navn in ((v.borger_user, "min_samtale"), (v.g.user, "samtale")):
        n = Notifikation.objects.get(modtager=user, art=HaendelseArt.DIALOG_BESKED)
        link = notifikation_selectors.link(n, aktoer_for(user))
        assert str(s.pk) in link and ("mine-samtaler" in link) == (navn == "min_samtale")


def test_a_correction_request_reaches_the_owning_unit_and_its_answer_the_citizen(verden):
    v = verden
    b = berigtigelse_create(
        actor=v.borger_user, datum=v.tilstand, indsendt_af=v.g.borger, hvad_er_forkert="Forkert"
    )
    udfold()
    assert Notifikation.objects.filter(modtager=v.g.user, art=HaendelseArt.BERIGTIGELSE).exists()
    assert not Notifikation.objects.filter(modtager=v.psyk_user).exists()
    berigtigelse_decline(actor=v.g.user, berigtigelse=b, begrundelse="Vurderingen står ved magt")
    udfold()
    svar = Notifikation.objects.get(modtager=v.borger_user, art=HaendelseArt.BERIGTIGELSE)
    assert str(b.pk) in notifikation_selectors.link(svar, aktoer_for(v.borger_user))


def test_a_message_is_told_only_while_the_reader_may_open_its_conversation(verden):
    """The psychiatry's caseworker may still open the citizen's page (the consent is in
    force) after their unit left the conversation, but the conversation's page 404s for
    them now: its notification is neither listed, counted, opened nor e-mailed."""
    v = verden
    s = _samtale(v)
    udfold()  # the first message, before the psychiatry takes part
    _dialogsamtykke(v)
    services.deltager_add(samtale=s, actor=v.g.user, enhed=v.psykiatri)
    notifikation_services.indstillinger_update(actor=v.psyk_user, email=True)
    services.besked_write(samtale=s, actor=v.borger_user, tekst="Jeg har det bedre nu")
    udfold()
    psyk = aktoer_for(v.psyk_user)
    assert notifikation_selectors.ulaeste_antal(psyk, v.psyk_user.pk) == 1
    (n,) = notifikation_selectors.notifikationer_synlige(psyk, v.psyk_user.pk)

    services.deltager_end(samtale=s, actor=v.psyk_user, enhed=v.psykiatri)
    now = clock.now()
    assert policy.borgere_aabne(psyk, now).filter(pk=v.g.borger.pk).exists()
    with pytest.raises(Http404):
        dialog_selectors.samtale_for(bruger=v.psyk_user, samtale_id=s.pk)
    assert notifikation_selectors.ulaeste_antal(psyk, v.psyk_user.pk) == 0
    assert not notifikation_selectors.notifikationer_side(psyk, v.psyk_user.pk).raekker
    assert notifikation_selectors.notifikation_synlig(psyk, v.psyk_user.pk, n.pk) is None
    assert notifikation_services.email_digest_send() == 0

    # invited again, the same notification is theirs again
    services.deltager_add(samtale=s, actor=v.g.user, enhed=v.psykiatri)
    assert notifikation_selectors.ulaeste_antal(psyk, v.psyk_user.pk) == 1


def test_a_relative_is_told_of_messages_by_the_dialogue_scope_not_the_consent_scope(verden):
    """A power of attorney for consent only does not read the conversations, and so is not
    told of their messages; one whose scope includes the dialogue is."""
    v = verden
    samtykke_soen = _person(v, "samtykke_soen", "0303801234", ["samtykke"])
    dialog_soen = _person(v, "dialog_soen", "0404801234", ["dialog"])
    s = _samtale(v)
    services.besked_write(samtale=s, actor=v.g.user, tekst="Husk tiden på torsdag")
    udfold()
    assert beskeder_til(samtykke_soen) == 0
    assert beskeder_til(dialog_soen) == 2
    a = aktoer_for(dialog_soen)
    assert notifikation_selectors.ulaeste_antal(a, dialog_soen.pk) == 2

    # a notification delivered before the relation's scope changed is shown only while
    # the relation still lets them read the conversation
    Relation.objects.filter(person__user=dialog_soen).update(omfang=["samtykke"])
    assert notifikation_selectors.ulaeste_antal(aktoer_for(dialog_soen), dialog_soen.pk) == 0


def _person(v, navn: str, cpr: str, omfang: list[str]):
    user = get_user_model().objects.create_user(navn)
    person = Borger.objects.create(cpr=cpr, fornavn=navn.title(), efternavn="Jensen", user=user)
    Relation.objects.create(
        borger=v.g.borger, person=person, type="fuldmagt", omfang=omfang,
        gyldig_fra=datetime.date(2020, 1, 1), gyldig_til=datetime.date(2099, 1, 1),
    )  # fmt: skip
    return user
