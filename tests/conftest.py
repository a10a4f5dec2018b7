"""Shared fixtures. Tests run on real PostgreSQL (embedded when DATABASE_URL is unset)."""

import pytest


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The test client speaks plain HTTP; HTTPS redirects belong to deployment."""
    settings.SECURE_SSL_REDIRECT = False


KODESYSTEMER = ("CodeSystem-FSIII.json", "CodeSystem-FFB.json", "CodeSystem-CareSocialCodes.json")


@pytest.fixture
def kodesystemer(db):
    """KL's code systems that the Tilstand and Indsats rules speak about, imported for real."""
    from django.conf import settings

    from klassifikation.importer import klassifikation_import

    data = settings.BASE_DIR / "klassifikation" / "data"
    return klassifikation_import(stier=[data / navn for navn in KODESYSTEMER])
