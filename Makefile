# Datadeling — the commands a new user needs. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install demo demo-reset test test-slow lint typecheck format migrate check clean worker belastning

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# The demo runs with DEBUG off as in production (Danish error pages, static files served by
# WhiteNoise from the git-ignored staticfiles/); HTTPS=0 because runserver speaks plain http.
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data
	$(BIN)/python manage.py demo_logins --port $(PORT)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=0 HTTPS=0 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Back to the demo's starting point: everything but the code systems is emptied (citizens,
# staff, data, consents, the access log, sessions) and the demo is built again.
demo-reset: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data --nulstil --noinput
	$(BIN)/python manage.py demo_logins --port $(PORT)

# The load test of the whole portal (benchmarks/belastning.py; needs DATABASE_URL and
# REDIS_URL): Locust into the venv, then a headless run, e.g.
# BELASTNING_ARGS="--borgere 100000 --genbrug --varighed 60".
belastning: install
	$(BIN)/pip install --quiet -e ".[test,bench]"
	$(BIN)/python benchmarks/belastning.py $(BELASTNING_ARGS)

# One pytest worker per core (pytest-xdist; tests/conftest.py schedules them). PYTEST_ARGS="-n 0"
# runs serially. HTTPS=0: the test client and the browser tests' live server speak plain http.
test: install
	HTTPS=0 $(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# The long tests (needs REDIS_URL): real workers killed with kill -9, Redis restarted and
# PostgreSQL cut mid-batch, one at a time. CI runs them after `make test`.
test-slow: install
	HTTPS=0 $(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Every service and selector and the access policy, fully annotated (files in pyproject.toml).
typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: install
	$(BIN)/python manage.py migrate --noinput

worker: install
	$(BIN)/celery -A datadeling worker --loglevel=INFO

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
