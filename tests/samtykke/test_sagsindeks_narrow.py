"""Dropping only the overview of the citizen's cases (sagsindeks) from a consent, through
the services: narrowing a consent, and answering a request with less than was asked.

The overview can only be taken away, never added; a consent left with neither kinds of
information nor the overview is refused, as when it is given; the consent's text follows;
and the caseworker stops seeing the cases on the next query while the kinds stay shared.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from organisation.models import Enhed
from organisation.selectors import aktoer_for
from overblik.selectors.sag import sager_synlige
from sagsindeks.services import sag_register
from samtykke import policy, services
from samtykke.models import Anmodning, AnmodningStatus, Samtykke
from tilstand.services import tilstand_register

pytestmark = pytest.mark.django_db

OVERSIGT = "oversigten over mine sager"
UDVID = "Et samtykke kan kun indskrænkes, ikke udvides."
INTET = "Vælg hvilke slags oplysninger samtykket omfatter."
MERE = "Du kan kun give samtykke til det, der blev spurgt om, eller mindre."


@pytest.fixture
def g(grundlag):
    """Jobcenter holds a condition and a case about Else; Hjemmepleje (Tina) wants both."""
    g = grundlag
    g.kat = g.type.overordnet
    g.tilstand = tilstand_register(
        actor=None, borger=g.borger, data={"type": g.type, "ansvarlig_enhed": g.anden_enhed}
    )
    g.sag = sag_register(
        actor=None,
        borger=g.borger,
        data={
            "titel": "Sygedagpenge – opfølgning", "kildesystem": "Jobcentersystem",
            "kildesystem_id": f"JC-{uuid.uuid4().hex[:8]}", "kle_nummer": "15.17.00",
            "fremdrift": "Oplyst",
            "startdato": timezone.localdate() - datetime.timedelta(days=30),
            "ansvarlig_enhed": g.anden_enhed,
        },
        importeret=True,
        aktoer_tekst="Jobcentersystem",
    )  # fmt: skip
    return g


def give(g, **kw) -> Samtykke:
    data = {
        "modtager": g.enhed,
        "kategorier": [g.kat],
        "kilder": [g.anden_enhed],
        "formaal": "Koordinering af hjælpen",
        "sagsindeks": True,
        **kw,
    }
    return services.samtykke_give(actor=g.user, borger=g.borger, **data)


def anmod(g, **kw) -> Anmodning:
    data = {
        "kategorier": [g.kat],
        "kilder": [g.anden_enhed],
        "formaal": "Planlægning af hjemmehjælp",
        "begrundelse": "Så du ikke skal fortælle det igen.",
        "varighed_dage": 180,
        "sagsindeks": True,
        **kw,
    }
    return services.anmodning_create(
        actor=g.user, borger=g.borger, anmoder=g.medarbejder, enhed=g.enhed, **data
    )


def tina_ser(g) -> tuple[set, set]:
    """Return the cases and conditions of Else that Tina sees now."""
    aktoer = aktoer_for(g.user)
    sager = set(sager_synlige(aktoer, g.borger.pk).values_list("pk", flat=True))
    tilstande = set(policy.tilstande_synlige(aktoer, g.borger.pk).values_list("pk", flat=True))
    return sager, tilstande


def fejl(exc: pytest.ExceptionInfo) -> list[str]:
    return exc.value.messages


# --- narrowing ---------------------------------------------------------------------------


def test_narrowing_away_only_the_case_overview_keeps_the_kinds(g):
    s = give(g)
    assert tina_ser(g) == ({g.sag.pk}, {g.tilstand.pk})
    assert OVERSIGT in s.tekst

    ny = services.samtykke_narrow(actor=g.user, samtykke=s, sagsindeks=False)

    assert ny.erstatter == s and ny.version == 2 and not ny.sagsindeks
    assert ny.kategorier == [g.kat.pk] and ny.kilder == [g.anden_enhed.pk]
    assert ny.gyldig_til == s.gyldig_til
    assert OVERSIGT not in ny.tekst and g.kat.titel in ny.tekst
    # on the very next query: the case is gone from Tina's view, the condition is not
    assert tina_ser(g) == (set(), {g.tilstand.pk})


def test_the_case_overview_cannot_be_added_by_narrowing(g):
    s = give(g, sagsindeks=False)

    with pytest.raises(ValidationError) as e:
        services.samtykke_narrow(actor=g.user, samtykke=s, sagsindeks=True)

    assert e.value.message_dict == {"sagsindeks": [UDVID]}
    assert not Samtykke.objects.filter(erstatter=s).exists()
    assert tina_ser(g) == (set(), {g.tilstand.pk})


def test_keeping_the_case_overview_while_narrowing_something_else(g):
    bostoette = Enhed.objects.create(myndighed=g.myndighed, navn="Bostøtte")
    s = give(g, kilder=[g.anden_enhed, bostoette])

    ny = services.samtykke_narrow(actor=g.user, samtykke=s, sagsindeks=True, kilder=[g.anden_enhed])

    assert ny.sagsindeks and ny.kilder == [g.anden_enhed.pk]
    assert OVERSIGT in ny.tekst and "Bostøtte" not in ny.tekst


@pytest.mark.parametrize("kategorier", [None, []], ids=["only-overview", "kinds-unticked"])
def test_a_consent_left_with_nothing_is_refused(g, kategorier):
    """A consent of the case overview alone, or one whose kinds are all unticked too."""
    s = give(g, kategorier=[]) if kategorier is None else give(g)

    with pytest.raises(ValidationError) as e:
        services.samtykke_narrow(actor=g.user, samtykke=s, sagsindeks=False, kategorier=kategorier)

    assert e.value.message_dict == {"kategorier": [INTET]}
    assert not Samtykke.objects.filter(erstatter=s).exists()
    assert tina_ser(g)[0] == {g.sag.pk}


def test_narrowing_an_old_version_is_refused(g):
    s = give(g)
    services.samtykke_narrow(actor=g.user, samtykke=s, sagsindeks=False)

    with pytest.raises(ValidationError) as e:
        services.samtykke_narrow(actor=g.user, samtykke=s, sagsindeks=False)

    assert e.value.code == "forældet"
    assert Samtykke.objects.filter(kaede=s.kaede).count() == 2


# --- answering a request -----------------------------------------------------------------


def test_a_request_with_the_case_overview_can_be_answered_without_it(g):
    a = anmod(g)

    s = services.anmodning_answer(
        actor=g.user, anmodning=a, givet_af=g.borger, accepter=True, sagsindeks=False
    )

    assert not s.sagsindeks and s.kategorier == [g.kat.pk] and s.anmodning == a
    assert OVERSIGT not in s.tekst and g.kat.titel in s.tekst
    a.refresh_from_db()
    assert a.status == AnmodningStatus.BESVARET
    assert tina_ser(g) == (set(), {g.tilstand.pk})


def test_a_request_answered_as_asked_keeps_the_case_overview(g):
    s = services.anmodning_answer(
        actor=g.user, anmodning=anmod(g), givet_af=g.borger, accepter=True
    )

    assert s.sagsindeks and OVERSIGT in s.tekst
    assert tina_ser(g) == ({g.sag.pk}, {g.tilstand.pk})


def test_the_answer_cannot_add_the_case_overview(g):
    a = anmod(g, sagsindeks=False)

    with pytest.raises(ValidationError) as e:
        services.anmodning_answer(
            actor=g.user, anmodning=a, givet_af=g.borger, accepter=True, sagsindeks=True
        )

    assert fejl(e) == [MERE]
    a.refresh_from_db()
    assert a.status == AnmodningStatus.AFVENTER and not Samtykke.objects.exists()


def test_an_answer_to_only_the_case_overview_without_it_is_refused(g):
    a = anmod(g, kategorier=[])

    with pytest.raises(ValidationError) as e:
        services.anmodning_answer(
            actor=g.user, anmodning=a, givet_af=g.borger, accepter=True, sagsindeks=False
        )

    assert e.value.message_dict == {"kategorier": [INTET]}
    a.refresh_from_db()
    assert a.status == AnmodningStatus.AFVENTER and not Samtykke.objects.exists()
