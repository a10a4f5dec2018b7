"""The worklist's lists filled by following, the dialogue and correction requests: each
names only what the person may see now, and links to where it waits."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from dialog import services
from organisation.models import Funktion, Medarbejder
from organisation.selectors import aktoer_for
from overblik.notifikation import services as notifikation_services
from overblik.selectors import arbejdsliste as a
from overblik.selectors.borger import borger_liste
from samtykke import services as samtykke_services
from samtykke.berigtigelse.services import berigtigelse_create
from tests.dialog.test_dialog import _dialogsamtykke, _samtale
from tests.overblik.test_notifikationer import udfold
from tilstand.services import tilstand_register

pytestmark = pytest.mark.django_db


def liste(user, navn: str) -> list[a.Punkt]:
    arbejdsliste = a.arbejdsliste(aktoer_for(user), a.Filtre())
    return list(arbejdsliste.lister[navn].object_list)


def test_dialogue_waiting_for_me_until_read_and_gone_with_the_consent(verden):
    v = verden
    s = _samtale(v)
    samtykke = _dialogsamtykke(v)
    services.deltager_add(samtale=s, actor=v.g.user, enhed=v.psykiatri)
    svar_fra = s.deltagere.get(enhed=v.psykiatri)
    services.besked_write(
        samtale=s, actor=v.g.user, tekst="Kan I se på medicinen?", svar_fra=svar_fra,
        svar_frist=datetime.date(2030, 1, 6),
    )  # fmt: skip
    (p,) = liste(v.psyk_user, a.DIALOG)
    assert p.borger == v.g.borger and "Venter på dit svar, senest 6. januar 2030" in p.hvad
    assert p.url == reverse("overblik:samtale", args=[v.g.borger.pk, s.pk])
    # the caseworker has nothing waiting: they wrote everything
    assert liste(v.g.user, a.DIALOG) == []
    samtykke_services.samtykke_revoke(actor=None, samtykke=samtykke)
    assert liste(v.psyk_user, a.DIALOG) == []


def test_unread_messages_from_the_citizen_are_waiting_until_read(verden):
    v = verden
    s = _samtale(v)
    services.besked_write(samtale=s, actor=v.borger_user, tekst="Tak")
    (p,) = liste(v.g.user, a.DIALOG)
    assert "1 ulæst besked" in p.hvad
    services.laesning_write(samtale=s, actor=v.g.user, til_nummer=2)
    assert liste(v.g.user, a.DIALOG) == []


def test_correction_requests_for_my_unit_with_their_due_date(verden):
    v = verden
    b = berigtigelse_create(
        actor=v.borger_user, datum=v.tilstand, indsendt_af=v.g.borger, hvad_er_forkert="Forkert"
    )
    (p,) = liste(v.g.user, a.BERIGTIGELSER)
    assert p.url == reverse("overblik:berigtigelse", args=[b.pk])
    assert "svar senest" in p.hvad and p.objekter == (("tilstand", v.tilstand.pk),)
    assert liste(v.psyk_user, a.BERIGTIGELSER) == []


def test_followed_citizens_with_what_is_new_and_the_citizen_list_filter(verden):
    v = verden
    notifikation_services.foelg_create(actor=v.g.user, borger=v.g.borger)
    (p,) = liste(v.g.user, a.FULGTE)
    assert p.hvad == "Intet nyt siden du sidst så"
    kollega = type(v.g.user).objects.create_user("kollega_i_enheden")
    m = Medarbejder.objects.create(user=kollega, myndighed=v.g.enhed.myndighed, navn="Kollega")
    Funktion.objects.create(medarbejder=m, enhed=v.g.enhed, rolle="sagsbehandler")
    tilstand_register(
        actor=kollega, borger=v.g.borger, data={"type": v.g.type, "ansvarlig_enhed": v.g.enhed}
    )
    udfold()
    (p,) = liste(v.g.user, a.FULGTE)
    assert p.hvad == "1 ny ændring"
    fulgte = borger_liste(aktoer_for(v.g.user), fulgt=True)
    assert [b.pk for b in fulgte.object_list] == [v.g.borger.pk]
    assert list(borger_liste(aktoer_for(v.psyk_user), fulgt=True).object_list) == []
