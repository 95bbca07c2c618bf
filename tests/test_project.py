"""Project-wide guarantees: protected URLs, deploy checks, migrations, lint, compose file, settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _walk(pattern.url_patterns, ":".join(filter(None, [namespace, ns])))
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}", pattern.callback


def public_allow_list() -> set[str]:
    """Each urls module lists its deliberately public views in `PUBLIC` (names, without namespace)."""
    allowed = set(import_module("pacte.public").PUBLIC)
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.urls")
        except ModuleNotFoundError:
            continue
        namespace = getattr(module, "app_name", "")
        allowed |= {f"{namespace}:{name}" for name in getattr(module, "PUBLIC", [])}
    return allowed


def test_every_view_is_protected_or_explicitly_public():
    """A view without login protection must be on an explicit public allow-list."""
    allowed = public_allow_list()
    public = {
        name
        for name, view in _walk(get_resolver().url_patterns)
        if not getattr(view, "login_required", True) and not name.startswith("admin:")
    }
    assert public - allowed == set(), f"Public views not on the allow-list: {sorted(public - allowed)}"
    assert allowed - public == set(), f"Allow-listed views that are not public: {sorted(allowed - public)}"


def _production_env(**extra):
    # The browser layer sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; production never has it.
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="pacte.lyon.fr",
        SITE_URL="https://pacte.lyon.fr",
        NOTIFICATION_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_production_settings():
    """`manage.py check --deploy` reports nothing with production values, and silences nothing
    (the portal's own deploy checks — request limits, middleware order — run with Django's)."""
    result = subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    """Outside debug, a missing SECRET_KEY stops the process."""
    env = _production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [PYTHON, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("NOTIFICATION_ENCRYPTION_KEYS", "NOTIFICATION_ENCRYPTION_KEYS must be set"),
        ("SITE_URL", "SITE_URL must be set"),
    ],
)
def test_production_refuses_to_start_without_outbox_key_or_site_url(missing, message):
    """Outside debug, the outbox's encryption key and the public address are required."""
    env = _production_env()
    env.pop(missing)
    result = subprocess.run(
        [PYTHON, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_a_malformed_outbox_key():
    """A key that is not a Fernet key stops the process with a clear message."""
    result = subprocess.run(
        [PYTHON, "manage.py", "check"],
        cwd=ROOT,
        env=_production_env(NOTIFICATION_ENCRYPTION_KEYS="trop-court"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "not a Fernet key" in result.stderr


def _site_url_settings(env: dict) -> list[str]:
    code = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','pacte.settings');django.setup();"
        "from django.conf import settings as s;print(s.SITE_URL, s.SITE_URL_FROM_REQUEST)"
    )
    result = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    return result.stdout.split()


def test_site_url_is_explicit_in_production_and_follows_the_server_in_debug():
    """Production: SITE_URL as configured, never from a request. DEBUG without it: from the request."""
    assert _site_url_settings(_production_env()) == ["https://pacte.lyon.fr", "False"]
    debug = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "DJANGO_ENV"}}
    debug["DEBUG"] = "1"
    assert _site_url_settings(debug) == ["http://127.0.0.1:8000", "True"]
    assert _site_url_settings({**debug, "SITE_URL": "http://localhost:9000/"}) == [
        "http://localhost:9000",
        "False",
    ]


def test_embedded_default_is_sqlite_and_eager_celery():
    """With DEBUG and no DATABASE_URL / REDIS_URL: SQLite, eager Celery, console mail."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DEBUG"] = "1"
    code = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','pacte.settings');django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.MAILERS['default']['BACKEND'])"
    )
    result = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ], result.stderr


def test_production_settings_are_strict():
    """Production: HSTS, secure cookies, SSL redirect, enforced CSP with nonce and no unsafe-inline."""
    code = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','pacte.settings');django.setup();"
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS>=31536000, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        "'unsafe-inline' not in str(s.SECURE_CSP), bool(s.SECURE_CSP), s.DEBUG,"
        "'django.contrib.auth.middleware.LoginRequiredMiddleware' in s.MIDDLEWARE)"
    )
    result = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=_production_env(), capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "True", "False", "True"], (
        result.stderr
    )


@pytest.mark.lent(12)
@pytest.mark.django_db
def test_no_missing_migrations():
    """`makemigrations --check` finds nothing to do."""
    result = subprocess.run(
        [PYTHON, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean():
    """ruff check and ruff format --check pass."""
    ruff = str(Path(PYTHON).parent / "ruff")
    lint = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run(
        [ruff, "format", "--check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert fmt.returncode == 0, fmt.stdout


def test_docker_compose_describes_the_topology():
    """docker-compose.yml parses and has web, worker, beat, postgres and redis with the same settings."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert "DATABASE_URL" in env and "REDIS_URL" in env, name
    assert "gunicorn" in " ".join(services["web"]["command"])


def test_python_version_is_pinned():
    """.python-version names 3.13 and the lock file pins Django 6.1."""
    assert (ROOT / ".python-version").read_text().strip() == "3.13"
    assert "django==6.1." in (ROOT / "requirements.lock").read_text().lower()


def test_make_targets_keep_compiled_bytecode_even_where_the_environment_forbids_it():
    """Where the environment sets PYTHONDONTWRITEBYTECODE (as on these machines), every process a
    make target starts would compile Django and the project from source again; the Makefile turns it
    off (empty) for its recipes. A probe target read after the Makefile prints what recipes see."""
    probe = 'bytecode-probe: ; @printf "[%s]" "$$PYTHONDONTWRITEBYTECODE"\n'
    result = subprocess.run(
        ["make", "--no-print-directory", "-s", "-f", "Makefile", "-f", "-", "bytecode-probe"],
        cwd=ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        input=probe,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout == "[]"
