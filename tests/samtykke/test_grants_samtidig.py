"""A consent and new data about the same citizen, written at the same time in two
transactions: the data gets its grant row whichever commits first.

Without the citizen's grant lock, each transaction misses the other's uncommitted row:
the consent's grants do not see the new data, the data's grants do not see the consent,
and the data stays hidden from the recipient the citizen consented to.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Enhed
from samtykke import services
from samtykke.models import TilstandGruppeTilladelse
from tilstand.services import tilstand_register

pytestmark = pytest.mark.django_db(transaction=True)

HOLD = 1.0  # seconds the first transaction stays open after its write


def _give(g, modtager):
    return services.samtykke_give(
        actor=None, borger=g.borger, modtager=modtager,
        kategorier=[Klasse.objects.get(pk=k.FSIII_FUNKTIONSEVNETILSTANDE[0])],
        kilder=[g.enhed], formaal="Koordinere behandling og hjemmepleje",
    )  # fmt: skip


def _registrer(g):
    return tilstand_register(
        actor=g.user, borger=g.borger, data={"type": g.type, "ansvarlig_enhed": g.enhed}
    )


def _i_traad(funktion, resultat: dict, skrevet: threading.Event) -> threading.Thread:
    """Run `funktion` in a transaction of its own that stays open HOLD s after it wrote."""

    def koer():
        try:
            with transaction.atomic():
                resultat["vaerdi"] = funktion()
                skrevet.set()
                time.sleep(HOLD)
        except BaseException as e:  # the test thread reports it
            resultat["fejl"] = e
            skrevet.set()
        finally:
            connection.close()

    traad = threading.Thread(target=koer)
    traad.start()
    return traad


@pytest.mark.parametrize("foerst", ["data", "samtykke"])
def test_data_and_consent_written_at_once_end_with_the_grant(grundlag, foerst):
    g = grundlag
    psyk = Enhed.objects.create(myndighed=g.myndighed, navn="Psykiatri")
    resultat: dict = {}
    skrevet = threading.Event()
    if foerst == "data":
        traad = _i_traad(lambda: _registrer(g), resultat, skrevet)
        assert skrevet.wait(10)
        t0 = time.monotonic()
        samtykke = _give(g, psyk)  # waits for the data's commit, then grants it
        tilstand = None
    else:
        traad = _i_traad(lambda: _give(g, psyk), resultat, skrevet)
        assert skrevet.wait(10)
        t0 = time.monotonic()
        tilstand = _registrer(g)  # waits for the consent's commit, then is granted by it
        samtykke = None
    ventet = time.monotonic() - t0
    traad.join(10)
    assert "fejl" not in resultat, resultat.get("fejl")
    tilstand = tilstand or resultat["vaerdi"]
    samtykke = samtykke or resultat["vaerdi"]
    assert TilstandGruppeTilladelse.objects.filter(
        content_object=tilstand, samtykke=samtykke
    ).exists()
    assert ventet > HOLD / 2, "the second writer waited for the first to commit"
