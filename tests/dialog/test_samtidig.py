"""Two people write in one conversation at the same time: the second waits for the
first's lock on the conversation, and the messages get consecutive numbers (without the
lock both would read the same `seneste_nummer` and the second would fail on the unique
number)."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from dialog import services
from dialog.models import Besked, Samtale, SamtaleType
from tilstand.services import tilstand_register

pytestmark = pytest.mark.django_db(transaction=True)

HOLD = 1.0


def test_two_writers_at_once_get_consecutive_numbers(grundlag):
    g = grundlag
    g.borger.user = get_user_model().objects.create_user("else")
    g.borger.save()
    tilstand_register(
        actor=g.user, borger=g.borger, data={"type": g.type, "ansvarlig_enhed": g.enhed}
    )
    s = services.samtale_create(
        borger=g.borger, type=SamtaleType.MED_BORGEREN, emne="Besøg", actor=g.user, tekst="Hej"
    )
    resultat: dict = {}
    skrevet = threading.Event()

    def koer():
        try:
            with transaction.atomic():
                resultat["b"] = services.besked_write(samtale=s, actor=g.user, tekst="Først")
                skrevet.set()
                time.sleep(HOLD)
        except BaseException as e:  # reported by the test thread
            resultat["fejl"] = e
            skrevet.set()
        finally:
            connection.close()

    traad = threading.Thread(target=koer)
    traad.start()
    assert skrevet.wait(10)
    t0 = time.monotonic()
    anden = services.besked_write(samtale=s, actor=g.borger.user, tekst="Samtidig")
    venteede = time.monotonic() - t0
    traad.join(10)
    assert "fejl" not in resultat, resultat.get("fejl")
    assert venteede > HOLD / 2  # it waited for the first writer's lock
    assert {resultat["b"].nummer, anden.nummer} == {2, 3}
    assert Samtale.objects.get(pk=s.pk).seneste_nummer == 3
    assert Besked.objects.filter(samtale=s).count() == 3
