"""Business settings come from the environment, declared once in pacte/settings.py and listed in
.env.example; the apps read `settings.X` directly (no conf.py shims, no getattr with a default)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
APPS = ["pacte", "demarches", "ecrivains", "mediation", "arrondissements", "nonrecours"]
ENV_HELPERS = {"env", "env_bool", "env_int", "env_list"}


def _app_sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path == ROOT / "pacte" / "settings.py":
                continue
            yield path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8"))


def _env_names(node) -> set[str]:
    """Environment variable names read by `env*("NAME", …)` calls inside `node`."""
    return {
        call.args[0].value
        for call in ast.walk(node)
        if isinstance(call, ast.Call)
        and getattr(call.func, "id", None) in ENV_HELPERS
        and call.args
        and isinstance(call.args[0], ast.Constant)
    }


def _settings_module():
    """Each name assigned in pacte/settings.py → the environment variables its value reads."""
    tree = ast.parse((ROOT / "pacte" / "settings.py").read_text(encoding="utf-8"))
    assigned: dict[str, set[str]] = {}
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        for target in targets:
            if isinstance(target, ast.Name) and node.value is not None:
                assigned.setdefault(target.id, set()).update(_env_names(node.value))
    return tree, assigned


def _env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.M))


def test_every_setting_the_apps_use_exists_and_is_in_env_example():
    """Each `settings.X` read by the apps exists; when pacte/settings.py reads it from the
    environment, each variable it reads is listed in .env.example."""
    _tree, assigned = _settings_module()
    listed = _env_example()
    used: dict[str, str] = {}
    for rel, tree in _app_sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "settings"
                and node.attr.isupper()
            ):
                used.setdefault(node.attr, f"{rel}:{node.lineno}")
    missing = {name: where for name, where in used.items() if not hasattr(settings, name)}
    assert missing == {}
    unlisted = {name: sorted(assigned[name] - listed) for name in used if assigned.get(name, set()) - listed}
    assert unlisted == {}
    # The business settings the apps read are declared in pacte/settings.py, not left to defaults.
    business = [
        n
        for n in used
        if n.split("_")[0]
        in {
            "BOOKING",
            "TRACKER",
            "RAPPEL",
            "ECRIVAINS",
            "MEDIATION",
            "ARRONDISSEMENTS",
            "RETENTION",
            "DEMARCHES",
        }
    ]
    assert business and all(assigned.get(n) for n in business), [n for n in business if not assigned.get(n)]


def test_every_environment_variable_is_in_env_example():
    """Every variable pacte/settings.py reads is listed (set or commented with its default) in .env.example."""
    tree, _assigned = _settings_module()
    assert sorted(_env_names(tree) - _env_example()) == []


def test_no_settings_shims_in_the_apps():
    """No app reads a setting through getattr with a default or keeps a conf.py module of defaults."""
    shims = [str(p.relative_to(ROOT)) for app in APPS for p in (ROOT / app).rglob("conf.py")]
    assert shims == []
    offenders = [
        f"{rel}:{node.lineno}"
        for rel, tree in _app_sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "getattr"
        and node.args
        and getattr(node.args[0], "id", None) == "settings"
    ]
    assert offenders == []
