"""A new message in a conversation and each step of a correction request reach the inboxes
of those who may read them (the outbox's DIALOG_BESKED and BERIGTIGELSE events), never the
writer, and lose a reader with their access; the item links to the conversation."""

from __future__ import annotations

import pytest

from dialog import services
from dialog.models import SamtaleType
from organisation.selectors import aktoer_for
from overblik.models import Notifikation
from overblik.notifikation import selectors as notifikation_selectors
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
