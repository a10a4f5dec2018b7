"""The e-mail digest asks the access policy when it is sent, not when the notifications
were delivered: access withdrawn in between (a consent revoked, a block, a role ended)
takes the notification out of the digest, as it takes it out of the inbox. The e-mail
names no citizen and no CPR number: only how many unread notifications the inbox shows,
and a link."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from organisation.models import Funktion
from organisation.selectors import aktoer_for
from overblik.models import NotifikationIndstillinger
from overblik.notifikation import selectors, services
from samtykke import services as samtykke_services
from samtykke.models import Beslutning
from tests.overblik import test_tilstand_screens as skaerme
from tests.overblik.test_notifikationer import ansat, samtykke_til_hjemmepleje, udfold
from tests.overblik.test_tilstand_screens import tilstand

g = skaerme.g

pytestmark = pytest.mark.django_db


def _mailet(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def _tilbagetraek(g, hvordan: str, kollega, samtykke) -> None:
    if hvordan == "samtykke":
        samtykke_services.samtykke_revoke(actor=None, samtykke=samtykke)
    elif hvordan == "blokering":
        samtykke_services.samtykke_give(
            actor=None, borger=g.borger, modtager=g.enhed, beslutning=Beslutning.AFVIS
        )
    else:  # the role ended yesterday
        idag = timezone.localdate()
        Funktion.objects.filter(medarbejder__user=kollega).update(
            gyldig_fra=idag - datetime.timedelta(days=30), gyldig_til=idag
        )


@pytest.mark.parametrize(
    ("hvordan", "tilbage"),
    [("samtykke", 1), ("blokering", 1), ("rolle", 0)],
)
def test_access_withdrawn_before_the_digest_takes_the_notification_out_of_it(g, hvordan, tilbage):
    # kollega works in Hjemmepleje and sees Jobcenter's datum by the citizen's consent;
    # jobber works in Jobcenter and sees it as the own unit's, whatever happens to it
    kollega = ansat(g, "kollega")
    jobber = ansat(g, "jobber", enhed=g.anden_enhed)
    for u in (kollega, jobber):
        services.foelg_create(actor=u, borger=g.borger)
        services.indstillinger_update(actor=u, email=True, email_minutter=30)
    samtykke = samtykke_til_hjemmepleje(g)
    tilstand(g, enhed=g.enhed, dage_siden=1)  # Hjemmepleje's own: kollega keeps it but
    tilstand(g, enhed=g.anden_enhed, dage_siden=1)  # for a role that ended
    udfold()
    assert selectors.ulaeste_antal(aktoer_for(kollega), kollega.pk) == 2

    _tilbagetraek(g, hvordan, kollega, samtykke)  # before the digest, its events not told yet

    assert selectors.ulaeste_antal(aktoer_for(kollega), kollega.pk) == tilbage
    services.email_digest_send()
    (til_jobber,) = _mailet(jobber)  # the digest ran: the one who still sees it is told
    assert "Du har 1 ulæst notifikation" in til_jobber.body
    mails = _mailet(kollega)
    if tilbage:
        (til_kollega,) = mails
        assert "Du har 1 ulæst notifikation" in til_kollega.body  # not 2
    else:
        assert mails == []
        # not mailed, so the next notification they may see is mailed at once
        assert NotifikationIndstillinger.objects.get(bruger=kollega).sidst_mailet is None
    for m in mail.outbox:
        assert m.subject == "Der er nyt i Datadeling"
        for privat in (g.borger.fornavn, g.borger.efternavn, g.borger.cpr, str(g.borger.pk)):
            assert privat not in m.body


def test_the_digest_counts_what_the_inbox_shows_and_says_nothing_more(g):
    kollega = ansat(g, "kollega")
    services.foelg_create(actor=kollega, borger=g.borger)
    services.indstillinger_update(actor=kollega, email=True, email_minutter=30)
    tilstand(g, dage_siden=1)
    tilstand(g, borger=g.anden_borger, dage_siden=1)
    udfold()
    assert services.email_digest_send() == 1
    (besked,) = mail.outbox
    assert "Du har 2 ulæste notifikationer i Datadeling" in besked.body
    for b in (g.borger, g.anden_borger):
        assert b.fornavn not in besked.body and b.cpr not in besked.body
