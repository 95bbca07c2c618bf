# Pacte usagers — `make help` lists the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The tests run on the real stack: the build machine's PostgreSQL and Redis unless told otherwise.
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/pacte)
TEST_REDIS_URL ?= $(or $(REDIS_URL),redis://127.0.0.1:6379/0)
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format bench worker beat clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock pyproject.toml .python-version
	@command -v python3 >/dev/null || { echo "python3 is required"; exit 1; }
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -c 'import sys; assert sys.version_info[:2] == (3, 13), f"Python 3.13 required (.python-version), got {sys.version}"'
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

install: $(VENV)/.installed ## Create the virtualenv (Python from .python-version) and install the locked dependencies

run: install ## Migrate, load reference and demo data, serve http://$(HOST):$(PORT) (SQLite and eager Celery by default)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install node_modules/.installed ## Run the whole suite on PostgreSQL, Redis, a Celery worker and Chromium
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(PYTEST_ARGS)

test-fast: install ## The suite without the browser and worker tests
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest -m "not browser and not worker" $(PYTEST_ARGS)

lint: install ## ruff check and format check
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: install ## Format the code with ruff
	$(VENV)/bin/ruff check --fix . ; $(VENV)/bin/ruff format .

worker: install ## A Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A pacte worker --loglevel INFO

beat: install ## Celery beat (needs REDIS_URL)
	$(VENV)/bin/celery -A pacte beat --loglevel INFO

bench: install ## Run every benchmark under bench/ and print the figures
	@for script in bench/*.py; do echo "== $$script"; DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) $$script || exit 1; done

clean: ## Remove the virtualenv, node_modules and local data
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles var
