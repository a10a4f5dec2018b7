"""Shared fixtures. Tests run on real PostgreSQL (embedded when DATABASE_URL is unset)."""

import pytest


@pytest.fixture(autouse=True)
def _test_http(settings):
    """The test client speaks plain HTTP and serves static files without collectstatic;
    HTTPS redirects and the hashed-file manifest belong to deployment."""
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


KODESYSTEMER = (
    "CodeSystem-FSIII.json",
    "CodeSystem-FFB.json",
    "CodeSystem-CareSocialCodes.json",
    "CodeSystem-Datadeling-Lovgrundlag.json",
    "CodeSystem-Datadeling-Adgangshjemmel.json",
)


@pytest.fixture
def kodesystemer(db):
    """KL's code systems that the Tilstand and Indsats rules speak about, imported for real."""
    from django.conf import settings

    from klassifikation.importer import klassifikation_import

    data = settings.BASE_DIR / "klassifikation" / "data"
    return klassifikation_import(stier=[data / navn for navn in KODESYSTEMER])


class Grundlag:
    """A small municipality with two units, a caseworker and two citizens, plus class lookup."""

    def klasse(self, titel: str, under):
        """Return the class titled `titel` below the root `under` (a UUID from kendte)."""
        from klassifikation.models import Klasse

        found = (
            Klasse.objects.filter(titel=titel, sti__contains=[under])
            .order_by("niveau", "kode")
            .first()
        )
        assert found is not None, f"no class {titel!r} below {under}"
        return found


@pytest.fixture
def grundlag(kodesystemer):
    from django.contrib.auth import get_user_model

    from klassifikation import kendte
    from klassifikation.models import Klasse
    from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed

    g = Grundlag()
    g.myndighed = Myndighed.objects.create(
        navn="Testrup Kommune", type="kommune", kommunekode="998"
    )
    g.enhed = Enhed.objects.create(myndighed=g.myndighed, navn="Hjemmepleje")
    g.anden_enhed = Enhed.objects.create(myndighed=g.myndighed, navn="Jobcenter")
    g.user = get_user_model().objects.create_user("tester")
    g.medarbejder = Medarbejder.objects.create(user=g.user, myndighed=g.myndighed, navn="Tina Test")
    Funktion.objects.create(medarbejder=g.medarbejder, enhed=g.enhed, rolle="sagsbehandler")
    g.borger = Borger.objects.create(cpr="0101501234", fornavn="Else", efternavn="Jensen")
    g.anden_borger = Borger.objects.create(cpr="0202601234", fornavn="Ole", efternavn="Berg")
    # a leaf condition among FSIII's pleje- og omsorgstilstande (has a 0–4 level)
    g.type = (
        Klasse.objects.filter(
            sti__contains=[kendte.FSIII_FUNKTIONSEVNETILSTANDE[0]], underordnede__isnull=True
        )
        .order_by("kode")
        .first()
    )
    return g


try:  # browser tests: a loaded 2-core machine may answer an htmx request slowly
    from playwright.sync_api import expect as _playwright_expect

    _playwright_expect.set_options(timeout=20_000)
except ImportError:  # pragma: no cover - without Playwright the browser tests skip
    pass
