import pytest
from django.contrib.auth import get_user_model

from klassifikation.models import Klasse
from organisation.models import Borger, Enhed, Myndighed


class Grundlag:
    pass


@pytest.fixture
def tilstand_grundlag(kodesystemer):
    g = Grundlag()
    g.myndighed = Myndighed.objects.create(
        navn="Testrup Kommune", type="kommune", kommunekode="998"
    )
    g.enhed = Enhed.objects.create(myndighed=g.myndighed, navn="Hjemmepleje")
    g.anden_enhed = Enhed.objects.create(myndighed=g.myndighed, navn="Jobcenter")
    g.user = get_user_model().objects.create_user("tester")
    g.borger = Borger.objects.create(cpr="0101501234", fornavn="Else", efternavn="Jensen")
    g.anden_borger = Borger.objects.create(cpr="0202601234", fornavn="Ole", efternavn="Berg")
    # FSIII pleje- og omsorgstilstand "Mobilitet" > a leaf below it
    g.type = (
        Klasse.objects.filter(sti__contains=[g_root()], underordnede__isnull=True)
        .order_by("kode")
        .first()
    )
    return g


def g_root():
    from klassifikation import kendte

    return kendte.FSIII_FUNKTIONSEVNETILSTANDE[0]
