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


def test_deploy_check_passes_with_production_environment():
    result = run_check(
        {
            "DEBUG": "0",
            "SECRET_KEY": "a-long-random-production-key-" + "x7Qz" * 10,
            "ALLOWED_HOSTS": "datadeling.example.dk",
            "DATABASE_URL": os.environ.get(
                "DATABASE_URL", "postgres://nobody@127.0.0.1:5432/unused"
            ),
            "HTTPS": "1",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


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
