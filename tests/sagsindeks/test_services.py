"""The case index's services: register, correct and passivate a Sag, with its history."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from datadeling.core import clock
from datadeling.core.models import idag
from sagsindeks.models import Sag, SagRegistrering
from sagsindeks.services import sag_register, sag_update

pytestmark = pytest.mark.django_db

DAG = datetime.timedelta(days=1)


@pytest.fixture
def g(grundlag):
    return grundlag


EGEN = object()


def sag(g, *, enhed=EGEN, borger=None, dage_siden=30, **data) -> Sag:
    """Register a case from another system, `dage_siden` days ago."""
    return sag_register(
        actor=None,
        borger=borger or g.borger,
        data={
            "titel": "Sygedagpenge",
            "kildesystem": "Jobcentersystem",
            "kildesystem_id": f"JC-{uuid.uuid4().hex[:8]}",
            "sagsnummer": "15.00.00-G01-3-24",
            "kle_nummer": "15.00.00",
            "fremdrift": "Oplyst",
            "startdato": (clock.now() - dage_siden * DAG).date(),
            "ansvarlig_enhed": g.enhed if enhed is EGEN else enhed,
            **data,
        },
        importeret=True,
        aktoer_tekst="Jobcentersystem",
    )


def test_register_keeps_metadata_and_appends_a_registration(g):
    s = sag(g, primaerbehandler=g.medarbejder, myndighed_navn="Testrup")

    assert s.livscykluskode == "Importeret" and s.aktiv
    assert s.ansvarlig_enhed_uuid == g.enhed.pk and s.primaerbehandler_uuid == g.medarbejder.pk
    (reg,) = SagRegistrering.objects.filter(sag=s)
    assert reg.nummer == 1 and reg.aktoer_tekst == "Jobcentersystem"
    assert reg.data["titel"] == "Sygedagpenge" and reg.data["ansvarlig_enhed_uuid"] == str(
        g.enhed.pk
    )


@pytest.mark.parametrize(
    ("data", "felt", "tekst"),
    [
        ({"titel": "  "}, "titel", "Sagen skal have en titel."),
        ({"kle_nummer": "27.2"}, "kle_nummer", "Et KLE-nummer har formen"),
        ({"fremdrift": "Igang"}, "fremdrift", "Ukendt fremdrift"),
        ({"startdato": None}, "startdato", "Sagen skal have en startdato."),
        ({"dage_siden": -2}, "startdato", "Startdatoen kan ikke ligge i fremtiden."),
        (
            {"slutdato": datetime.date(2000, 1, 1)},
            "slutdato",
            "Slutdatoen kan ikke ligge før startdatoen.",
        ),
        ({"ansvarlig_enhed": "ikke-en-uuid"}, "ansvarlig_enhed", "Skal være en UUID."),
    ],
)
def test_register_refuses_bad_metadata_in_danish(g, data, felt, tekst):
    with pytest.raises(ValidationError) as fejl:
        sag(g, **data)
    assert fejl.value.message_dict[felt][0].startswith(tekst)
    assert not Sag.objects.exists() and not SagRegistrering.objects.exists()


def test_the_database_holds_the_invariants_too(g):
    s = sag(g)
    for felter in ({"kle_nummer": "27-24"}, {"titel": ""}, {"aktiv": False}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Sag.objects.filter(pk=s.pk).update(**felter)
    with pytest.raises(IntegrityError), transaction.atomic():  # FK and uuid disagree
        Sag.objects.filter(pk=s.pk).update(ansvarlig_enhed_uuid=uuid.uuid4())
    with pytest.raises(DatabaseError), transaction.atomic():  # history is append-only
        SagRegistrering.objects.filter(sag=s).update(begrundelse="skjult")


def test_correct_closes_reopens_and_keeps_history(g):
    s = sag(g)
    s = sag_update(actor=g.user, sag=s, aendringer={"fremdrift": "Afsluttet"}, begrundelse="Slut")
    assert s.slutdato == idag() and s.livscykluskode == "Rettet"
    s = sag_update(actor=g.user, sag=s, aendringer={"fremdrift": "Oplyst"})
    assert s.slutdato is None
    s = sag_update(actor=g.user, sag=s, aendringer={"ansvarlig_enhed": g.anden_enhed.pk})
    assert s.ansvarlig_enhed == g.anden_enhed and s.borger == g.borger
    assert [r.data["fremdrift"] for r in s.registreringer.order_by("nummer")] == [
        "Oplyst", "Afsluttet", "Oplyst", "Oplyst",
    ]  # fmt: skip
    with pytest.raises(ValidationError) as fejl:
        sag_update(actor=g.user, sag=s, aendringer={"kle_nummer": "x"})
    assert "kle_nummer" in fejl.value.message_dict
    assert Sag.objects.get(pk=s.pk).kle_nummer == "15.00.00"
