"""Settings come from the environment; production needs no file edits."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def run_check(env_extra, *args):
    skip = {"DEBUG", "HTTPS", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_database_is_postgresql():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_debug_is_off_unless_asked_for():
    result = run_check({}, "shell", "-c", "from django.conf import settings; print(settings.DEBUG)")
    assert result.stdout.strip().endswith("False"), result.stderr


PRODUKTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-key-" + "x7Qz" * 10,
    "ALLOWED_HOSTS": "datadeling.example.dk",
}
DEPLOY_CHECK = ["check", "--deploy", "--fail-level", "WARNING"]


def run_clean(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run manage.py with nothing in the environment but PATH and `env`."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_only_secret_key_and_allowed_hosts():
    """Finding 12: HTTPS, HSTS and secure cookies are the default when DEBUG is off. The
    database address is the only addition: without it the settings start an embedded
    PostgreSQL, which the next test covers."""
    database = os.environ.get("DATABASE_URL", "postgres://nobody@127.0.0.1:5432/unused")
    result = run_clean({**PRODUKTION, "DATABASE_URL": database}, "manage.py", *DEPLOY_CHECK)
    assert result.returncode == 0, result.stdout + result.stderr


# The settings as they are without DATABASE_URL, with the embedded server's start replaced
# by the address of the test server: the deploy check reads settings and connects nowhere.
UDEN_DATABASE_URL = """
import sys, dj_database_url
import datadeling.core.embedded_db as e
e.embedded_database = lambda pgdata: dj_database_url.parse(sys.argv[1])
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", *sys.argv[2:]])
"""


def test_deploy_check_passes_without_database_url_too():
    database = os.environ.get("DATABASE_URL", "postgres://nobody@127.0.0.1:5432/unused")
    result = run_clean(
        {**PRODUKTION, "DJANGO_SETTINGS_MODULE": "datadeling.settings"},
        "-c", UDEN_DATABASE_URL, database, *DEPLOY_CHECK,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_https_0_is_the_explicit_opt_out():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    database = os.environ.get("DATABASE_URL", "postgres://nobody@127.0.0.1:5432/unused")
    env = {**PRODUKTION, "DATABASE_URL": database}
    paa = run_clean(env, "manage.py", "shell", "-c", code)
    fra = run_clean({**env, "HTTPS": "0"}, "manage.py", "shell", "-c", code)
    assert paa.stdout.split()[-3:] == ["True", "True", "31536000"], paa.stderr
    assert fra.stdout.split()[-3:] == ["False", "False", "0"], fra.stderr


def test_production_without_secret_key_is_refused():
    env = {"DATABASE_URL": "postgres://nobody@127.0.0.1:5432/unused", "SECRET_KEY": ""}
    result = run_check(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_celery_is_eager_without_broker_and_real_with_one():
    code = "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)"
    no_broker = run_check({"CELERY_BROKER_URL": "", "REDIS_URL": ""}, "shell", "-c", code)
    assert no_broker.stdout.strip().endswith("True"), no_broker.stderr
    broker = run_check({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "shell", "-c", code)
    assert broker.stdout.strip().endswith("False"), broker.stderr
