"""Settings for Datadeling, all from the environment.

Production needs no edits to this file: set DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and a
broker (CELERY_BROKER_URL or REDIS_URL). Without DATABASE_URL an embedded PostgreSQL is
started in .pgdata/ (demo and tests); without a broker, Celery runs tasks eagerly.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# --- database -------------------------------------------------------------------------
EMBEDDED_DATABASE = not os.environ.get("DATABASE_URL")
if EMBEDDED_DATABASE:
    from datadeling.core.embedded_db import embedded_database

    PGDATA = Path(os.environ.get("DATADELING_PGDATA", BASE_DIR / ".pgdata"))
    DATABASES = {"default": embedded_database(PGDATA)}
else:
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_URL skal pege på PostgreSQL (postgres://…).")
# No JIT compilation of queries: this is an OLTP application of short queries, and a plan
# whose cost estimate passes jit_above_cost (large tables, OR-ed subqueries) spent ~0.5 s
# compiling for a query that runs in milliseconds (docs/ydelse.md). The embedded server
# has no JIT at all; this makes PostgreSQL servers behave the same.
_optioner = DATABASES["default"].setdefault("OPTIONS", {})
_optioner["options"] = f"{_optioner.get('options', '')} -c jit=off".strip()
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction mode a cursor held across transactions (Django's
# .iterator() outside atomic()) cannot work: DISABLE_SERVER_SIDE_CURSORS=1 turns them off.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
if os.environ.get("DB_POOL_MAX"):
    # A connection pool per process (psycopg_pool) instead of one persistent connection per
    # thread: DB_POOL_MAX connections at most, DB_POOL_MIN kept open. Django needs
    # CONN_MAX_AGE 0 with a pool. With PgBouncer in transaction mode use no pool here
    # (README, "Flere maskiner").
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN", "1")),
        "max_size": int(os.environ["DB_POOL_MAX"]),
        "timeout": int(os.environ.get("DB_POOL_TIMEOUT", "10")),
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if os.environ.get("TEST_DATABASE_NAME"):
    # Lets several test runs share one server without sharing a test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

# --- secret key -----------------------------------------------------------------------
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not EMBEDDED_DATABASE:
        raise ImproperlyConfigured("SECRET_KEY skal sættes i miljøet, når DATABASE_URL er sat.")
    # Local demo and tests: a random key kept beside the embedded database, never in git.
    from datadeling.core.embedded_db import local_secret_key

    SECRET_KEY = local_secret_key(PGDATA.parent / ".pgdata-secret-key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- applications ---------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "guardian",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "datadeling.core",
    "klassifikation",
    "organisation",
    "tilstand",
    "indsats",
    "sagsindeks",
    "samtykke",
    "dialog",
    "overblik",
    "mox",
    # development data and the fagsystem simulator; no product app imports it
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "datadeling.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the login page's answer
]

ROOT_URLCONF = "datadeling.urls"
WSGI_APPLICATION = "datadeling.wsgi.application"
ASGI_APPLICATION = "datadeling.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "overblik.views.aktoer",
                "overblik.views.samtykke_borger.handler_for_kontekst",
            ],
            "debug": DEBUG,
            # one date format for users, in every template without {% load %}
            "builtins": ["datadeling.core.templatetags.tekst"],
        },
    }
]

# --- authentication -------------------------------------------------------------------
# Django's own login for the demo, and OpenID Connect (below) for a municipality's identity
# provider and a MitID broker. Axes' backend comes first whatever the environment says: it
# refuses a locked-out login before any password is checked.
AXES_BACKEND = "axes.backends.AxesStandaloneBackend"
AUTHENTICATION_BACKENDS = [
    AXES_BACKEND,
    *(
        backend
        for backend in env_list(
            "AUTHENTICATION_BACKENDS",
            [
                "django.contrib.auth.backends.ModelBackend",
                "guardian.backends.ObjectPermissionBackend",
                "organisation.oidc.backend.OidcBackend",
            ],
        )
        if backend != AXES_BACKEND
    ),
]
LOGIN_URL = os.environ.get("LOGIN_URL", "login")
LOGIN_REDIRECT_URL = "forside"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user with permissions
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# Login throttling (django-axes): AXES_FAILURE_LIMIT wrong passwords for one username (from
# any address), or from one address (for any username), refuse every login for it — the
# right password too — until AXES_COOLOFF_MINUTES have passed without another failure, or an
# administrator deletes the lockout in the admin ("Access attempts"). A combination is
# written with "+", e.g. AXES_LOCKOUT_PARAMETERS=username+ip_address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [
    parameter.split("+") if "+" in parameter else parameter
    for parameter in env_list("AXES_LOCKOUT_PARAMETERS", ["username", "ip_address"])
]
AXES_LOCKOUT_CALLABLE = "datadeling.core.views.login_spaerret"
# A CPR number typed as the username is stored and logged only as a keyed hash.
AXES_USERNAME_CALLABLE = "datadeling.core.views.axes_brugernavn"
# Behind a proxy every request comes from the proxy's address: read the client's address
# from X-Forwarded-For, trusting as many proxies as are set here.
if os.environ.get("AXES_IPWARE_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["AXES_IPWARE_PROXY_COUNT"])
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))

# OpenID Connect, configured only by the environment: OIDC_PERSONALE_* for the authority's
# identity provider (staff), OIDC_BORGER_* for a MitID broker (citizens). A provider without
# a client id is off, and the login page then shows only the username/password form. The
# README lists the variables, the callback URLs to register and the claims used.
OIDC_ENDPUNKTER = ("AUTHORIZATION_ENDPOINT", "TOKEN_ENDPOINT", "JWKS_ENDPOINT")


def oidc_udbyder(prefix: str, *, claim: str, scopes: str, **ekstra: str) -> dict | None:
    """Return one OpenID provider's configuration from `<prefix>*` variables, or None."""
    if not os.environ.get(f"{prefix}CLIENT_ID"):
        return None
    mangler = [f"{prefix}{navn}" for navn in OIDC_ENDPUNKTER if not os.environ.get(prefix + navn)]
    if mangler:
        raise ImproperlyConfigured(f"OpenID Connect: {', '.join(mangler)} skal også sættes.")
    konfiguration = {
        "client_id": os.environ[f"{prefix}CLIENT_ID"],
        "client_secret": os.environ.get(f"{prefix}CLIENT_SECRET", ""),
        "issuer": os.environ.get(f"{prefix}ISSUER", ""),
        "userinfo_endpoint": os.environ.get(f"{prefix}USERINFO_ENDPOINT", ""),
        "end_session_endpoint": os.environ.get(f"{prefix}END_SESSION_ENDPOINT", ""),
        "scopes": os.environ.get(f"{prefix}SCOPES", scopes),
        "sign_algo": os.environ.get(f"{prefix}SIGN_ALGO", "RS256"),
        "claim": os.environ.get(f"{prefix}CLAIM", claim),
        "pkce": env_bool(f"{prefix}PKCE", True),
    }
    for navn in OIDC_ENDPUNKTER:
        konfiguration[navn.lower()] = os.environ[prefix + navn]
    for navn, standard in ekstra.items():
        konfiguration[navn] = os.environ.get(prefix + navn.upper(), standard)
    return konfiguration


OIDC_UDBYDERE = {
    navn: konfiguration
    for navn, konfiguration in (
        # Staff are found by this claim in Medarbejder.email ("email") or Medarbejder.id ("id").
        (
            "personale",
            oidc_udbyder(
                "OIDC_PERSONALE_", claim="email", scopes="openid email profile", felt="email"
            ),
        ),
        # Citizens are found by the CPR number in this claim (the broker names it).
        ("borger", oidc_udbyder("OIDC_BORGER_", claim="cpr", scopes="openid")),
    )
    if konfiguration
}
if OIDC_UDBYDERE.get("personale", {}).get("felt", "email") not in {"email", "id"}:
    raise ImproperlyConfigured("OIDC_PERSONALE_FELT skal være email eller id.")
OIDC_TIMEOUT = int(os.environ.get("OIDC_TIMEOUT", "10"))  # seconds per call to a provider
OIDC_VERIFY_SSL = True

# --- language, time -------------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

# --- static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "datadeling" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG and not EMBEDDED_DATABASE)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or EMBEDDED_DATABASE
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- security -------------------------------------------------------------------------
# On whenever DEBUG is off; HTTPS=0 is the explicit opt-out for a local demo over http.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp): everything from our own origin, no inline script or
# style anywhere (htmx's indicator style is off through <meta name="htmx-config"> and lives
# in the stylesheet). The admin runs under the same policy: Django's admin templates have no
# inline script, and their one <style> (a change list without actions) appears in none of
# ours — tests/overblik/test_security_headers.py keeps it so.
# Logging out at an identity provider is a redirect after our logout form's POST, which
# form-action governs: the providers' end-session origins are allowed there.
IDP_LOG_UD = sorted(
    {
        "{0.scheme}://{0.netloc}".format(urlsplit(u["end_session_endpoint"]))
        for u in OIDC_UDBYDERE.values()
        if u.get("end_session_endpoint")
    }
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *IDP_LOG_UD],
    }
}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# One queue per kind of work, so each kind can have workers of its own on machines of its
# own (README, "Flere maskiner"): MOX (the inbox and deliveries to systems), notifikation
# (fan-out, expiring consents, e-mail) and default (anything else). A worker started
# without -Q consumes every queue listed here, as the tests, benchmarks and `make worker`
# do; `-Q mox` makes one that does MOX only.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue("default"), Queue("mox"), Queue("notifikation")]
CELERY_TASK_ROUTES = {"mox.*": {"queue": "mox"}, "overblik.*": {"queue": "notifikation"}}
CELERY_BEAT_SCHEDULE = {
    # MOX: re-enqueue inbox messages whose task was lost (broker restart, killed worker).
    "mox-fej-op": {"task": "mox.fej_op", "schedule": 60.0},
    # MOX: deliver due notifications (retries after backoff, and rows whose task was lost).
    "mox-lever-udestaaende": {"task": "mox.lever_udestaaende", "schedule": 30.0},
    # Notifications: fan out events whose task was lost; expiring consents; e-mail digests.
    "overblik-udfold-udestaaende": {"task": "overblik.udfold_udestaaende", "schedule": 60.0},
    "overblik-samtykker-udloeber": {"task": "overblik.samtykker_udloeber", "schedule": 3600.0},
    "overblik-email": {"task": "overblik.email_digest", "schedule": 300.0},
    # Access log: next months' partitions, and retention (ADGANGSLOG_OPBEVARING_MAANEDER).
    "samtykke-adgangslog-vedligehold": {
        "task": "samtykke.adgangslog_vedligehold",
        "schedule": 6 * 3600.0,
    },
}

# --- logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"cpr_mask": {"()": "datadeling.core.logging.CprMaskFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["cpr_mask"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO", "propagate": True},
        "pgserver": {"level": "WARNING", "propagate": True},
    },
}

# --- Datadeling -----------------------------------------------------------------------
# An assessment older than this many months is shown as not fresh (U7).
DATADELING_FRISKHED_MAANEDER = int(os.environ.get("DATADELING_FRISKHED_MAANEDER", "12"))
# Consent: the default and the longest period a consent may run (days). No consent is
# without an end.
SAMTYKKE_STANDARD_DAGE = int(os.environ.get("SAMTYKKE_STANDARD_DAGE", "365"))
SAMTYKKE_MAKS_DAGE = int(os.environ.get("SAMTYKKE_MAKS_DAGE", "730"))
# The access log (docs/adgang.md): kept for this many whole months, older months are
# deleted by the daily maintenance task (0, the default: kept for ever), and the monthly
# partitions are created this many months ahead.
ADGANGSLOG_OPBEVARING_MAANEDER = int(os.environ.get("ADGANGSLOG_OPBEVARING_MAANEDER", "0"))
ADGANGSLOG_PARTITIONER_FORUD = int(os.environ.get("ADGANGSLOG_PARTITIONER_FORUD", "3"))
# Access on a legal basis other than consent: the longest period (days).
HJEMMEL_MAKS_DAGE = int(os.environ.get("HJEMMEL_MAKS_DAGE", "30"))
# A consent request opens the citizen's page to its unit only while it is open (sent, not
# answered) and at most this many days old (samtykke.policy.kontakt_q).
ANMODNING_AABNER_DAGE = int(os.environ.get("ANMODNING_AABNER_DAGE", "30"))
# Dialogue: the largest attachment a message may carry (bytes; 10 MiB by default).
DIALOG_VEDHAEFTNING_MAKS_BYTES = int(
    os.environ.get("DIALOG_VEDHAEFTNING_MAKS_BYTES", str(10 * 1024 * 1024))
)
# Notifications (overblik/notifikation): recipients per fan-out task, how many days before
# its end a consent's recipients are told it expires, and the address e-mails link to.
NOTIFIKATION_BATCH = int(os.environ.get("NOTIFIKATION_BATCH", "500"))
SAMTYKKE_UDLOEBER_DAGE = int(os.environ.get("SAMTYKKE_UDLOEBER_DAGE", "30"))
DATADELING_URL = os.environ.get("DATADELING_URL", "http://127.0.0.1:8000")
# E-mail ("Der er nyt i Datadeling", never citizen data): the console in the demo, SMTP
# when EMAIL_HOST is set.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ikke-svar@datadeling.local")
# MOX: how old an open inbox message must be before the sweep (beat, every minute) enqueues
# it again — its task was lost with a broker restart or a killed worker. The defaults of
# every MOX setting are in mox/indstillinger.py.
if os.environ.get("MOX_FEJ_OP_ALDER_SEKUNDER"):
    MOX_FEJ_OP_ALDER = datetime.timedelta(seconds=int(os.environ["MOX_FEJ_OP_ALDER_SEKUNDER"]))
