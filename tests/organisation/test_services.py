"""The organisation services: units and staff written outside the admin (MOX, screens)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datadeling.core.models import idag
from organisation import services
from organisation.models import Enhed, Funktion, Medarbejder, Myndighed
from tests import hypotese

pytestmark = pytest.mark.django_db

DAG = datetime.timedelta(days=1)


@pytest.fixture
def kommune():
    return Myndighed.objects.create(navn="Testrup Kommune", type="kommune", kommunekode="998")


@pytest.fixture
def region():
    return Myndighed.objects.create(navn="Region Test", type="region", cvr="12345678")


def opret(kommune, navn="Enhed", **kwargs) -> Enhed:
    return services.enhed_create(actor=None, myndighed=kommune, navn=navn, **kwargs)


def fejl_i(e: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return e.value.message_dict


# --- units ----------------------------------------------------------------------------------


def test_enhed_opret_keeps_the_given_id_and_source_and_starts_today(kommune):
    enhed_id = uuid.uuid4()
    top = opret(kommune, "Social og Sundhed")
    enhed = opret(kommune, "Hjemmeplejen", overordnet=top, enhedstype="afdeling",
                  enhed_id=enhed_id, kildesystem="Omsorgssystem")  # fmt: skip
    enhed.refresh_from_db()
    assert enhed.pk == enhed_id
    assert (enhed.overordnet, enhed.enhedstype, enhed.kildesystem) == (
        top,
        "afdeling",
        "Omsorgssystem",
    )
    assert (enhed.gyldig_fra, enhed.gyldig_til) == (idag(), None)
    assert top.kildesystem == ""


def test_enhed_opret_refuses_a_taken_id_a_blank_name_and_a_backwards_period(kommune):
    enhed = opret(kommune)
    with pytest.raises(ValidationError) as e:
        opret(kommune, "", enhed_id=enhed.pk, gyldig_fra=datetime.date(2024, 5, 1),
              gyldig_til=datetime.date(2024, 5, 1))  # fmt: skip
    fejl = fejl_i(e)
    assert fejl["id"] == ["Der findes allerede en enhed med dette id."]
    assert "navn" in fejl
    # one message for the period, not a second one from the database constraint
    assert fejl["gyldig_til"] == ["Slutdatoen skal ligge efter startdatoen."]
    assert "__all__" not in fejl
    assert Enhed.objects.count() == 1


def test_a_unit_and_its_parent_belong_to_the_same_authority(kommune, region):
    top = opret(region, "Psykiatrien")
    with pytest.raises(ValidationError) as e:
        opret(kommune, "Hjemmeplejen", overordnet=top)
    assert fejl_i(e) == {"overordnet": ["Den overordnede enhed skal høre til samme myndighed."]}


def test_a_unit_cannot_be_moved_below_itself_or_its_descendants(kommune):
    a = opret(kommune, "A")
    b = opret(kommune, "B", overordnet=a)
    c = opret(kommune, "C", overordnet=b)
    for ny in (a, b, c):
        with pytest.raises(ValidationError) as e:
            services.enhed_update(actor=None, enhed=a, aendringer={"overordnet": ny})
        assert list(fejl_i(e)) == ["overordnet"]
    a.refresh_from_db()
    assert a.overordnet is None


def test_enhed_ret_changes_only_what_it_is_given(kommune):
    a, b = opret(kommune, "A"), opret(kommune, "B")
    enhed = opret(kommune, "Gammelt navn", overordnet=a, enhedstype="team")
    services.enhed_update(actor=None, enhed=enhed, aendringer={"navn": "Nyt navn", "overordnet": b})
    enhed.refresh_from_db()
    assert (enhed.navn, enhed.overordnet, enhed.enhedstype) == ("Nyt navn", b, "team")
    with pytest.raises(TypeError):
        services.enhed_update(actor=None, enhed=enhed, aendringer={"gruppe": None})


def test_a_unit_with_sub_units_cannot_change_authority(kommune, region):
    top = opret(kommune, "Top")
    opret(kommune, "Under", overordnet=top)
    with pytest.raises(ValidationError) as e:
        services.enhed_update(actor=None, enhed=top, aendringer={"myndighed": region})
    assert list(fejl_i(e)) == ["myndighed"]


def test_enhed_passiver_ends_the_unit_and_the_roles_in_it(kommune):
    enhed = opret(kommune, gyldig_fra=datetime.date(2020, 1, 1))
    user = get_user_model().objects.create_user("x")
    m = Medarbejder.objects.create(user=user, myndighed=kommune, navn="X")
    loebende = Funktion.objects.create(medarbejder=m, enhed=enhed, rolle="sagsbehandler",
                                       gyldig_fra=datetime.date(2020, 1, 1))  # fmt: skip
    senere = Funktion.objects.create(medarbejder=m, enhed=enhed, rolle="leder",
                                     gyldig_fra=idag() + 10 * DAG)  # fmt: skip
    afsluttet = Funktion.objects.create(
        medarbejder=m, enhed=enhed, rolle="udfoerer",
        gyldig_fra=datetime.date(2020, 1, 1), gyldig_til=datetime.date(2021, 1, 1),
    )  # fmt: skip

    services.enhed_passivate(actor=None, enhed=enhed)
    enhed.refresh_from_db()
    assert enhed.gyldig_til == idag()
    loebende.refresh_from_db()
    assert loebende.gyldig_til == idag()
    assert not Funktion.objects.filter(pk=senere.pk).exists()
    afsluttet.refresh_from_db()
    assert afsluttet.gyldig_til == datetime.date(2021, 1, 1)
    # again: nothing changes
    services.enhed_passivate(actor=None, enhed=enhed)
    enhed.refresh_from_db()
    assert enhed.gyldig_til == idag()


def test_enhed_passiver_refuses_while_sub_units_are_valid(kommune):
    top = opret(kommune, "Top", gyldig_fra=datetime.date(2020, 1, 1))
    under = opret(kommune, "Under", overordnet=top, gyldig_fra=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError) as e:
        services.enhed_passivate(actor=None, enhed=top)
    assert list(fejl_i(e)) == ["underenheder"]
    services.enhed_passivate(actor=None, enhed=under)
    services.enhed_passivate(actor=None, enhed=top)
    top.refresh_from_db()
    assert top.gyldig_til == idag()


def test_a_unit_not_yet_begun_is_deleted_unless_something_uses_it(kommune):
    fremtid = opret(kommune, "Kommende", gyldig_fra=idag() + 30 * DAG)
    assert services.enhed_passivate(actor=None, enhed=fremtid) is None
    assert not Enhed.objects.filter(pk=fremtid.pk).exists()

    brugt = opret(kommune, "Kommende 2", gyldig_fra=idag() + 30 * DAG)
    # an old sub-unit, long ended, still points at it
    opret(kommune, "Under", overordnet=brugt, gyldig_fra=idag() - 30 * DAG,
          gyldig_til=idag() - 20 * DAG)  # fmt: skip
    with pytest.raises(ValidationError) as e:
        services.enhed_passivate(actor=None, enhed=brugt)
    assert list(fejl_i(e)) == ["gyldig_fra"]
    assert Enhed.objects.filter(pk=brugt.pk).exists()


@settings(
    max_examples=hypotese.eksempler(30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    foraeldre=st.lists(st.integers(min_value=-1, max_value=5), min_size=6, max_size=6),
    flytninger=st.lists(st.tuples(st.integers(0, 5), st.integers(-1, 5)), min_size=1, max_size=12),
)
def test_the_unit_tree_never_gets_a_cycle(kommune, foraeldre, flytninger):
    """Whatever moves are asked for, every unit's chain of parents ends at a top unit."""
    with transaction.atomic():
        enheder: list[Enhed] = []
        for i, f in enumerate(foraeldre):
            overordnet = enheder[f] if 0 <= f < i else None
            enheder.append(opret(kommune, f"E{i}", overordnet=overordnet))
        for hvem, hvor in flytninger:
            ny = enheder[hvor] if hvor >= 0 else None
            try:
                services.enhed_update(
                    actor=None, enhed=enheder[hvem], aendringer={"overordnet": ny}
                )
            except ValidationError as e:
                assert list(e.message_dict) == ["overordnet"]
        foraelder = dict(Enhed.objects.filter(myndighed=kommune).values_list("pk", "overordnet_id"))
        for start in foraelder:
            set_, naeste = set(), start
            while naeste is not None:
                assert naeste not in set_, "cycle"
                set_.add(naeste)
                naeste = foraelder[naeste]
        transaction.set_rollback(True)


# --- staff ----------------------------------------------------------------------------------


def test_medarbejder_opret_without_a_user_makes_a_login_nobody_can_use(kommune, client):
    m_id = uuid.uuid4()
    m = services.medarbejder_create(actor=None, myndighed=kommune, navn="Karl Kok",
                                   medarbejder_id=m_id, kildesystem="HR")  # fmt: skip
    m.refresh_from_db()
    assert m.pk == m_id and m.kildesystem == "HR"
    assert m.user.username == f"mox-{m_id}"
    assert not m.user.is_active
    assert not m.user.has_usable_password()
    assert not client.login(request=HttpRequest(), username=m.user.username, password="")


def test_medarbejder_opret_on_an_existing_user(kommune):
    user = get_user_model().objects.create_user("karl")
    m = services.medarbejder_create(actor=None, myndighed=kommune, navn="Karl", user=user)
    assert m.user == user
    with pytest.raises(ValidationError) as e:
        services.medarbejder_create(actor=None, myndighed=kommune, navn="Karl 2", user=user)
    assert list(fejl_i(e)) == ["user"]


def test_medarbejder_opret_refuses_bad_values_and_leaves_no_login_behind(kommune):
    m_id = uuid.uuid4()
    with pytest.raises(ValidationError) as e:
        services.medarbejder_create(actor=None, myndighed=kommune, navn="", email="ikke en mail",
                                   medarbejder_id=m_id)  # fmt: skip
    assert set(fejl_i(e)) == {"navn", "email"}
    assert not get_user_model().objects.filter(username=f"mox-{m_id}").exists()
    m = services.medarbejder_create(actor=None, myndighed=kommune, navn="A", medarbejder_id=m_id)
    with pytest.raises(ValidationError) as e:
        services.medarbejder_create(actor=None, myndighed=kommune, navn="B", medarbejder_id=m.pk)
    assert list(fejl_i(e)) == ["id"]


def test_medarbejder_ret_changes_the_profile_not_the_login(kommune, region):
    m = services.medarbejder_create(actor=None, myndighed=kommune, navn="Karl")
    services.medarbejder_update(
        actor=None, medarbejder=m, aendringer={"navn": "Karl Kok", "email": "karl@example.org",
                                                "myndighed": region},
    )  # fmt: skip
    m.refresh_from_db()
    assert (m.navn, m.email, m.myndighed) == ("Karl Kok", "karl@example.org", region)
    assert not m.user.is_active
    with pytest.raises(ValidationError) as e:
        services.medarbejder_update(actor=None, medarbejder=m, aendringer={"email": "x"})
    assert list(fejl_i(e)) == ["email"]
    with pytest.raises(TypeError):
        services.medarbejder_update(actor=None, medarbejder=m, aendringer={"user": None})


def test_medarbejder_passiver_ends_roles_and_closes_the_login(kommune):
    enhed = opret(kommune, gyldig_fra=datetime.date(2020, 1, 1))
    user = get_user_model().objects.create_user("aktiv", password="hemmelig-kode-123")
    m = services.medarbejder_create(actor=None, myndighed=kommune, navn="Aktiv", user=user)
    f = Funktion.objects.create(medarbejder=m, enhed=enhed, rolle="sagsbehandler",
                                gyldig_fra=datetime.date(2020, 1, 1))  # fmt: skip
    services.medarbejder_passivate(actor=None, medarbejder=m)
    f.refresh_from_db()
    user.refresh_from_db()
    assert f.gyldig_til == idag()
    assert not user.is_active
    assert Medarbejder.objects.filter(pk=m.pk).exists()  # data still names the person
