import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from organisation.models import (
    Borger,
    Enhed,
    Funktion,
    Medarbejder,
    Myndighed,
    MyndighedsType,
    Relation,
    RelationsType,
    Rolle,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kommune():
    return Myndighed.objects.create(navn="Testrup Kommune", type="kommune", kommunekode="999")


def borger(cpr="0101901234", **kwargs):
    return Borger.objects.create(cpr=cpr, fornavn="Anna", efternavn="Hansen", **kwargs)


def refused(**create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create["model"].objects.create(**create["fields"])


def test_kommune_needs_kommunekode_and_region_needs_cvr():
    refused(model=Myndighed, fields={"navn": "X", "type": MyndighedsType.KOMMUNE})
    refused(model=Myndighed, fields={"navn": "X", "type": MyndighedsType.REGION})
    refused(model=Myndighed, fields={"navn": "X", "type": "kommune", "kommunekode": "12"})
    refused(model=Myndighed, fields={"navn": "X", "type": "stat", "cvr": "1234"})
    Myndighed.objects.create(navn="Region", type=MyndighedsType.REGION, cvr="29190925")


def test_cpr_is_unique_and_ten_digits_in_the_database():
    borger()
    refused(model=Borger, fields={"cpr": "0101901234", "fornavn": "B", "efternavn": "C"})
    refused(model=Borger, fields={"cpr": "010190-123", "fornavn": "B", "efternavn": "C"})


def test_full_clean_refuses_impossible_cpr_date_in_danish():
    b = Borger(cpr="3102901234", fornavn="A", efternavn="B")
    with pytest.raises(ValidationError) as exc:
        b.full_clean()
    assert "gyldig fødselsdato" in " ".join(exc.value.message_dict["cpr"])


def test_death_before_birth_is_refused():
    b = Borger(cpr="0101901234", fornavn="A", efternavn="B", doedsdato=datetime.date(1980, 1, 1))
    with pytest.raises(ValidationError) as exc:
        b.full_clean()
    assert "doedsdato" in exc.value.message_dict


def test_citizen_str_never_shows_cpr():
    b = borger()
    assert "0101901234" not in str(b)
    assert "010190" not in str(b)
    assert b.cpr_maskeret == "010190-****"


def test_unit_period_must_end_after_start(kommune):
    refused(
        model=Enhed,
        fields={
            "myndighed": kommune,
            "navn": "X",
            "gyldig_fra": datetime.date(2025, 1, 1),
            "gyldig_til": datetime.date(2024, 1, 1),
        },
    )


def test_unit_tree_and_functions(kommune):
    top = Enhed.objects.create(myndighed=kommune, navn="Social og Beskæftigelse")
    child = Enhed.objects.create(myndighed=kommune, navn="Jobcenter", overordnet=top)
    user = get_user_model().objects.create_user("sb")
    m = Medarbejder.objects.create(user=user, myndighed=kommune, navn="Sara Bech")
    f = Funktion.objects.create(medarbejder=m, enhed=child, rolle=Rolle.SAGSBEHANDLER)
    assert list(top.underenheder.all()) == [child]
    assert f.gyldig_paa()
    assert not f.gyldig_paa(f.gyldig_fra - datetime.timedelta(days=1))


def test_relation_rules():
    a, b = borger(), borger("0202851234")
    # not to oneself
    refused(model=Relation, fields={"borger": a, "person": a, "type": RelationsType.PAAROERENDE})
    # værge and fuldmagt need a scope
    refused(model=Relation, fields={"borger": a, "person": b, "type": RelationsType.VAERGE})
    # fuldmagt needs an end date
    refused(
        model=Relation,
        fields={"borger": a, "person": b, "type": RelationsType.FULDMAGT, "omfang": ["helbred"]},
    )
    today = timezone.localdate()
    r = Relation.objects.create(
        borger=a,
        person=b,
        type=RelationsType.FULDMAGT,
        omfang=["helbred", "samtykke"],
        gyldig_fra=today,
        gyldig_til=today + datetime.timedelta(days=365),
    )
    assert r.daekker("samtykke")
    assert not r.daekker("oekonomi")
    assert not r.daekker("samtykke", today + datetime.timedelta(days=400))
    assert "0101901234" not in str(r)
