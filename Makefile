# Datadeling — the commands a new user needs. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install demo test test-slow lint format migrate check clean worker

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data
	$(BIN)/python manage.py demo_logins
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# One pytest worker per core (pytest-xdist; tests/conftest.py schedules them). PYTEST_ARGS="-n 0"
# runs serially.
test: install
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# The long tests (needs REDIS_URL): real workers killed with kill -9, Redis restarted and
# PostgreSQL cut mid-batch, one at a time. CI runs them after `make test`.
test-slow: install
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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
