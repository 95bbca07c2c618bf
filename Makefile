# Pacte usagers — `make help` lists the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
PIP_INSTALL_UV := install --quiet --disable-pip-version-check uv==$(UV_VERSION)
HOST ?= 127.0.0.1
PORT ?= 8000
# The tests run on the real stack: the build machine's PostgreSQL and Redis unless told otherwise.
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/pacte)
TEST_REDIS_URL ?= $(or $(REDIS_URL),redis://127.0.0.1:6379/0)
PYTEST_ARGS ?=
# Tests run in parallel (pytest-xdist): one PostgreSQL test database, one Redis database, one live
# server and one Chromium per worker. One worker more than the cores: many tests wait on real
# processes (servers, workers, Chromium); the long ones (`lent`) start first (tests/conftest.py).
# `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
PYTEST_PARALLEL := $(if $(filter 0,$(TEST_WORKERS)),-p no:xdist,-n $(TEST_WORKERS) --dist worksteal)
# Every target lets Python keep the bytecode it compiles (__pycache__, ignored by git), even where
# the environment sets PYTHONDONTWRITEBYTECODE: otherwise each process (the test workers, every
# server, worker and command the tests start, runserver's two) compiles Django and the project
# again from source — a Django start 4.2 s instead of 1.8 s, measured. Empty, Python ignores it.
export PYTHONDONTWRITEBYTECODE :=
# `make stack` runs on the same services by default.
STACK_DATABASE_URL ?= $(TEST_DATABASE_URL)
STACK_REDIS_URL ?= $(TEST_REDIS_URL)
# The one development environment of run, worker, beat and stack (the tests have their own profile).
DEV_ENV := env DEBUG=1 PYTHONUNBUFFERED=1
# The translations (locale/*/LC_MESSAGES/django.po) are compiled to .mo files, never committed:
# by GNU msgfmt, as `manage.py compilemessages` does, without starting Django (1.5 s saved per target).
COMPILE_TRANSLATIONS = for po in locale/*/LC_MESSAGES/*.po; do msgfmt --check-format -o "$${po%.po}.mo" "$$po" || exit 1; done
# Where `make lock` writes (a test compiles into a temporary folder and compares).
LOCK_DIR ?= .
LOCK_COMPILE := $(UV) pip compile pyproject.toml --universal --python-version 3.13 --generate-hashes \
	--quiet --custom-compile-command "make lock"

.DEFAULT_GOAL := help
.PHONY: help install install-prod lock run test test-fast lint format bench worker beat stack clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(UV): .python-version
	@command -v python3 >/dev/null || { echo "python3 is required"; exit 1; }
	@test -x $(PY) || python3 -m venv --without-pip $(VENV)
	@$(PY) -c 'import sys; assert sys.version_info[:2] == (3, 13), f"Python 3.13 required (.python-version), got {sys.version}"'
	@# uv is the only package pip installs: by python3's own pip when it has one (3 s less than
	@# seeding pip into the venv), else by a pip bootstrapped into the venv.
	if python3 -m pip --python $(PY) --version >/dev/null 2>&1; then python3 -m pip --python $(PY) $(PIP_INSTALL_UV); \
	else $(PY) -m ensurepip --default-pip >/dev/null && $(PY) -m pip $(PIP_INSTALL_UV); fi
	@touch $@

# Production lock only: what `make run` and the Docker image install.
$(VENV)/.installed-prod: requirements.lock $(UV)
	$(UV) pip install --quiet --python $(PY) --require-hashes -r requirements.lock
	@touch $@

# Development lock (production + test tools + honcho): what the tests and `make stack` need.
$(VENV)/.installed: requirements-dev.lock $(UV)
	$(UV) pip install --quiet --python $(PY) --require-hashes -r requirements-dev.lock
	@touch $@ $(VENV)/.installed-prod

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

install: $(VENV)/.installed ## Create the virtualenv (Python from .python-version) with the development lock

install-prod: $(VENV)/.installed-prod ## Same, with the production lock only

lock: $(UV) ## Compile both hashed locks from pyproject.toml (requirements.lock, requirements-dev.lock)
	$(LOCK_COMPILE) --extra dev -o $(LOCK_DIR)/requirements-dev.lock
	$(LOCK_COMPILE) -c $(LOCK_DIR)/requirements-dev.lock -o $(LOCK_DIR)/requirements.lock

run: install-prod ## Migrate, load reference and demo data, serve http://$(HOST):$(PORT) (SQLite and eager Celery by default)
	@deploy/system-deps run
	@$(COMPILE_TRANSLATIONS)
	$(DEV_ENV) $(PY) manage.py seed_demo --migrate
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: install node_modules/.installed ## Run the whole suite on PostgreSQL, Redis, a Celery worker and Chromium
	@deploy/system-deps test
	@$(COMPILE_TRANSLATIONS)
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-fast: install ## The suite without the browser, worker and long (lent) tests: the inner loop
	@deploy/system-deps run
	@$(COMPILE_TRANSLATIONS)
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(PYTEST_PARALLEL) -m "not browser and not worker and not lent" $(PYTEST_ARGS)

lint: install ## ruff check and format check, and the import contracts (tests/test_architecture.py)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(PY) -m pytest -q -p no:randomly tests/test_architecture.py

format: install ## Format the code with ruff
	$(VENV)/bin/ruff check --fix . ; $(VENV)/bin/ruff format .

worker: install-prod ## A Celery worker beside `make run` (needs REDIS_URL)
	@test -n "$$REDIS_URL" || { echo "make worker needs REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0 make worker" >&2; exit 1; }
	$(DEV_ENV) $(VENV)/bin/celery -A pacte worker --loglevel INFO

beat: install-prod ## Celery beat beside `make run` (needs REDIS_URL)
	@test -n "$$REDIS_URL" || { echo "make beat needs REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0 make beat" >&2; exit 1; }
	@mkdir -p var
	$(DEV_ENV) $(VENV)/bin/celery -A pacte beat --loglevel INFO --schedule var/celerybeat-schedule

# The stack's processes get the development environment, the stack's services and the venv's tools.
STACK_ENV = $(DEV_ENV) DATABASE_URL=$(STACK_DATABASE_URL) REDIS_URL=$(STACK_REDIS_URL) HOST=$(HOST) \
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH
stack: install ## The real topology here: gunicorn, a Celery worker and beat on PostgreSQL and Redis (Ctrl-C stops it)
	@deploy/system-deps run
	@mkdir -p var
	$(PY) deploy/ensure-database $(STACK_DATABASE_URL)
	@$(COMPILE_TRANSLATIONS)
	$(STACK_ENV) $(PY) manage.py seed_demo --migrate
	$(STACK_ENV) honcho --procfile deploy/Procfile --app-root . --env /dev/null start --port $(PORT)

bench: install ## Run every benchmark under bench/ and print the figures
	@for script in bench/*.py; do echo "== $$script"; DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) $$script || exit 1; done

clean: ## Remove the virtualenv, node_modules and local data
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles var
