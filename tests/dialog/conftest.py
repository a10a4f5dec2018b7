"""Shared fixtures for the dialogue: a citizen, a home-care unit with data about her, a
psychiatry unit in a region without, and a member of staff in each."""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from organisation.models import Enhed, Funktion, Medarbejder, Myndighed
from tilstand.services import tilstand_register


@pytest.fixture
def verden(grundlag):
    g = grundlag
    region = Myndighed.objects.create(navn="Region Test", type="region", cvr="29190925")
    psykiatri = Enhed.objects.create(myndighed=region, navn="Psykiatrien")
    user2 = get_user_model().objects.create_user("psyk")
    psyk = Medarbejder.objects.create(user=user2, myndighed=region, navn="Pia Psyk")
    Funktion.objects.create(medarbejder=psyk, enhed=psykiatri, rolle="sagsbehandler")
    borger_user = get_user_model().objects.create_user("else")
    g.borger.user = borger_user
    g.borger.save()
    t = tilstand_register(
        actor=g.user, borger=g.borger, data={"type": g.type, "ansvarlig_enhed": g.enhed}
    )
    return SimpleNamespace(
        g=g, region=region, psykiatri=psykiatri, psyk_user=user2, psyk=psyk,
        borger_user=borger_user, tilstand=t,
    )  # fmt: skip
