"""App discovery: one function finds the apps' modules; the menu order comes from each app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from pacte import espace
from pacte.discovery import app_modules

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def clear_espace_cache():
    espace._modules.cache_clear()
    yield
    espace._modules.cache_clear()


def test_app_modules_in_installed_apps_order():
    """Every app with a `reference` module is found, in INSTALLED_APPS order; apps without are skipped."""
    found = [m.__name__ for m in app_modules("reference")]
    assert found[0] == "pacte.reference"
    assert {"demarches.reference", "nonrecours.reference", "ecrivains.reference"} <= set(found)
    order = [app for app in settings.INSTALLED_APPS if f"{app}.reference" in found]
    assert found == [f"{app}.reference" for app in order]
    assert "mediation.reference" not in found  # médiation has no reference data


def test_a_broken_module_is_not_mistaken_for_a_missing_one():
    """An app whose module fails to import makes discovery fail loudly instead of skipping the app."""
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.pacte.appli_cassee"]):
        with pytest.raises(ModuleNotFoundError, match="module_absent_de_la_plateforme"):
            app_modules("reference")
        assert "tests.pacte.appli_cassee" not in [m.__name__ for m in app_modules("demo")]


def test_menu_order_comes_from_each_app(clear_espace_cache):
    """The main menu follows each app's NAV_RANG: an app ranked 15 sits between démarches and
    écrivains publics whatever its place in INSTALLED_APPS (the kernel holds no list of apps)."""
    labels = [label for label, _url in espace.nav_items()]
    assert labels == ["Démarches", "Écrivains publics", "Médiateur", "Le Pacte"]
    espace._modules.cache_clear()
    with override_settings(INSTALLED_APPS=["tests.pacte.appli_exemple", *settings.INSTALLED_APPS]):
        labels = [label for label, _url in espace.nav_items()]
    assert labels == ["Démarches", "Exemple", "Écrivains publics", "Médiateur", "Le Pacte"]


def test_no_other_discovery_loop():
    """Only pacte/discovery.py walks the app configs to import their modules."""
    offenders = []
    for path in ROOT.glob("**/*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "node_modules", "tests"} or rel.as_posix() == "pacte/discovery.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "get_app_configs":
                offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []
