"""Settings for Datadeling, all from the environment.

Production needs no edits to this file: set DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and a
broker (CELERY_BROKER_URL or REDIS_URL). Without DATABASE_URL an embedded PostgreSQL is
started in .pgdata/ (demo and tests); without a broker, Celery runs tasks eagerly.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
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
    "django_htmx",
    "template_partials",
    "datadeling.core",
    "klassifikation",
    "organisation",
    "tilstand",
    "indsats",
    "samtykke",
    "overblik",
    "mox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
        },
    }
]

# --- authentication -------------------------------------------------------------------
# Django's own login now; an OIDC/MitID broker can replace it by adding its backend here
# and pointing LOGIN_URL at its start page, without touching the portals.
AUTHENTICATION_BACKENDS = env_list(
    "AUTHENTICATION_BACKENDS",
    [
        "django.contrib.auth.backends.ModelBackend",
        "guardian.backends.ObjectPermissionBackend",
    ],
)
LOGIN_URL = os.environ.get("LOGIN_URL", "login")
LOGIN_REDIRECT_URL = "forside"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user with permissions
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))

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
HTTPS = env_bool("HTTPS", not DEBUG and not EMBEDDED_DATABASE)
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
CELERY_BEAT_SCHEDULE = {
    # MOX: re-enqueue inbox messages whose task was lost (broker restart, killed worker).
    "mox-fej-op": {"task": "mox.fej_op", "schedule": 60.0},
    # MOX: deliver due notifications (retries after backoff, and rows whose task was lost).
    "mox-lever-udestaaende": {"task": "mox.lever_udestaaende", "schedule": 30.0},
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
DATADELING_DEMO = env_bool("DATADELING_DEMO", False)
# An assessment older than this many months is shown as not fresh (U7).
DATADELING_FRISKHED_MAANEDER = int(os.environ.get("DATADELING_FRISKHED_MAANEDER", "12"))
# Consent: the default and the longest period a consent may run (days). No consent is
# without an end.
SAMTYKKE_STANDARD_DAGE = int(os.environ.get("SAMTYKKE_STANDARD_DAGE", "365"))
SAMTYKKE_MAKS_DAGE = int(os.environ.get("SAMTYKKE_MAKS_DAGE", "730"))
# Access on a legal basis other than consent: the longest period (days).
HJEMMEL_MAKS_DAGE = int(os.environ.get("HJEMMEL_MAKS_DAGE", "30"))
# MOX: how old an open inbox message must be before the sweep (beat, every minute) enqueues
# it again — its task was lost with a broker restart or a killed worker.
MOX_FEJ_OP_ALDER = datetime.timedelta(
    seconds=int(os.environ.get("MOX_FEJ_OP_ALDER_SEKUNDER", "60"))
)
