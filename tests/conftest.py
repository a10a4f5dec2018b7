"""Shared fixtures. Tests run on real PostgreSQL (embedded when DATABASE_URL is unset).

KL's code systems are imported once per test database, when it is set up: every test's
rollback keeps them, and the few tests that commit (transactional tests, the live server,
real workers) flush every table, after which they are imported again (see
`pytest_runtest_teardown`).
"""

import functools
import logging
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# --- hypothesis -------------------------------------------------------------------------
# CI runs the example counts the tests name (tests/hypotese.eksempler(n) returns n) and
# hypothesis' own default of 100 elsewhere; a local run takes a quarter, enough to catch a
# broken rule while working. HYPOTHESIS_PROFILE=ci locally runs what CI runs.
hypothesis_settings.register_profile(
    "ci",
    max_examples=100,
    # Two test workers share two cores with the database: a slow example is not a failure.
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile(
    "lokal", hypothesis_settings.get_profile("ci"), max_examples=25
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "lokal"))


# --- order and xdist ----------------------------------------------------------------------


def koe_navn(navn: str) -> str:
    """The name this test process gives a Celery queue of the settings (the same name
    without xdist)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{navn}-test-{worker}" if worker else navn


def pytest_configure(config):
    """Give each xdist worker its own Celery queues on the shared broker: a test's real worker
    (tests/mox/test_worker.py) must not take the tasks of a test running on the other."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        from django.conf import settings
        from kombu import Queue

        from datadeling.celery import app

        app.conf.task_default_queue = koe_navn(settings.CELERY_TASK_DEFAULT_QUEUE)
        app.conf.task_queues = [Queue(koe_navn(q.name)) for q in settings.CELERY_TASK_QUEUES]
        app.conf.task_routes = {
            moenster: {**rute, "queue": koe_navn(rute["queue"])}
            for moenster, rute in settings.CELERY_TASK_ROUTES.items()
        }


def _module_fixtures(item: pytest.Item) -> list:
    """Return the module-scoped fixtures a test uses."""
    info = getattr(item, "_fixtureinfo", None)
    navne = info.name2fixturedefs.values() if info else ()
    return [defs[-1] for defs in navne if defs and defs[-1].scope == "module"]


def pytest_collection_modifyitems(config, items):
    """Run the tests that share data in the database (built once per module, rolled back
    after it) after their module's other tests, which must not see it."""
    moduler: dict[str, int] = {}
    for item in items:
        moduler.setdefault(item.nodeid.split("::")[0], len(moduler))

    def deler_data(item: pytest.Item) -> bool:
        return any("django_db_setup" in f.argnames for f in _module_fixtures(item))

    items.sort(key=lambda i: (moduler[i.nodeid.split("::")[0]], deler_data(i)))


@functools.cache
def _module_fixture_in(modul: Path) -> bool:
    """Tell whether a test module defines a module-scoped fixture (read from its source: the
    xdist controller schedules by node id and has not imported the tests)."""
    try:
        return 'scope="module"' in modul.read_text(encoding="utf-8")
    except OSError:
        return False


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Hand the tests to the workers one at a time (as `--dist load`), except a module that
    defines a module-scoped fixture, which goes to one worker whole so the fixture is made
    once (the demo, a browser). xdist's own `--dist loadgroup` would do this with marks, but
    it renames node ids in a way pytest 9 no longer sees."""
    if config.getvalue("dist") != "load":
        return None  # an explicit --dist loadfile etc. is xdist's own
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            modul = nodeid.split("::")[0]
            return modul if _module_fixture_in(config.rootpath / modul) else nodeid

    return Scheduling(config, log)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """Hash the tests' passwords with MD5: production's PBKDF2 costs a noticeable fraction of
    a second per user on purpose, and the tests create hundreds of users."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _live_server_http():
    """The browser tests' live server speaks plain HTTP too. Its SecurityMiddleware reads
    SECURE_SSL_REDIRECT once, when the session's server starts, so the per-test override
    below is too late for it: turn HTTPS off for the session before that (`make test`
    does it with HTTPS=0; a bare `pytest` needs this)."""
    from django.conf import settings

    gemt = {navn: getattr(settings, navn) for navn in _HTTPS_INDSTILLINGER}
    for navn in _HTTPS_INDSTILLINGER:
        setattr(settings, navn, False)
    yield
    for navn, vaerdi in gemt.items():
        setattr(settings, navn, vaerdi)


_HTTPS_INDSTILLINGER = ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")


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


_kodesystemer: dict = {}  # the import's result and pytest-django's database blocker


def _kodesystemer_import() -> None:
    """Import the code systems into the test database (again: an unchanged file changes nothing)."""
    from django.conf import settings

    from klassifikation.importer import klassifikation_import

    data = settings.BASE_DIR / "klassifikation" / "data"
    # Its summary line is for operators; here it would land in the middle of pytest's output.
    importer_log = logging.getLogger("klassifikation.importer")
    niveau = importer_log.level
    importer_log.setLevel(logging.WARNING)
    try:
        _kodesystemer["resultat"] = klassifikation_import(stier=[data / n for n in KODESYSTEMER])
    finally:
        importer_log.setLevel(niveau)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Set up the test database (pytest-django) with the code systems imported and committed."""
    with django_db_blocker.unblock():
        _kodesystemer_import()
    _kodesystemer["blokering"] = django_db_blocker


def _flushes(item: pytest.Item) -> bool:
    """Tell whether a test commits and leaves every table emptied (as pytest-django decides)."""
    navne = set(getattr(item, "fixturenames", ()))
    if navne & {"transactional_db", "live_server", "django_db_reset_sequences"}:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Import the code systems again after a test whose teardown flushed the tables."""
    yield
    blokering = _kodesystemer.get("blokering")
    if blokering is None or not _flushes(item):
        return None
    from klassifikation.models import Klassifikation

    with blokering.unblock():
        if not Klassifikation.objects.exists():
            _kodesystemer_import()
    return None


@pytest.fixture
def kodesystemer(db):
    """KL's code systems that the Tilstand and Indsats rules speak about, imported for real
    (once, when the test database was set up); return that import's result."""
    return _kodesystemer["resultat"]


@pytest.fixture
def uden_kodesystemer(request):
    """Empty the classification tables for a test that builds its own code systems or tests
    the import itself: in its transaction, which rolls back (a transactional test's flush
    empties them anyway, and they are imported again after it)."""
    from django.apps import apps
    from django.db import connection

    request.getfixturevalue("transactional_db" if _flushes(request.node) else "db")
    tabeller = {m._meta.db_table for m in apps.get_app_config("klassifikation").get_models()}
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(sorted(tabeller))} CASCADE")  # noqa: S608 (our tables)


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
