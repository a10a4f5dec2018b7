"""Fixtures for the page tests: logged-in staff, citizens and users with no profile."""

from __future__ import annotations

import pytest

from tests.ui import factories

AKTOER_PROCESSOR = "overblik.views.aktoer"


@pytest.fixture(autouse=True)
def _aktoer_i_sidehovedet(settings):
    """Make sure the header's context processor is on, whether or not settings has it yet."""
    templates = settings.TEMPLATES
    processors = templates[0]["OPTIONS"]["context_processors"]
    if AKTOER_PROCESSOR not in processors:
        settings.TEMPLATES = [
            {
                **templates[0],
                "OPTIONS": {
                    **templates[0]["OPTIONS"],
                    "context_processors": [*processors, AKTOER_PROCESSOR],
                },
            },
            *templates[1:],
        ]


@pytest.fixture
def medarbejder(db):
    return factories.medarbejder(enheder=("Visitation Syd", "Hjemmeplejen Nord"))


@pytest.fixture
def borger(db):
    return factories.borger()


@pytest.fixture
def uden_profil(db):
    return factories.bruger("uden-profil", first_name="Ulla", last_name="Uden")


@pytest.fixture
def staff_client(client, medarbejder):
    client.force_login(medarbejder.user)
    return client


@pytest.fixture
def borger_client(client, borger):
    client.force_login(borger.user)
    return client
