"""Shared fixtures. Tests run on real PostgreSQL (embedded when DATABASE_URL is unset)."""

import pytest


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The test client speaks plain HTTP; HTTPS redirects belong to deployment."""
    settings.SECURE_SSL_REDIRECT = False
