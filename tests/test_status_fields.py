"""Status fields change only through `pacte.workflows.transition` (one mechanism, G6).

The source is read as Python syntax trees: no code outside `pacte/workflows.py` assigns a status
field (`obj.statut = …`, `setattr(obj, "statut", …)`), bulk-updates one (`.update(statut=…)`,
`update_or_create(defaults={"statut": …})`, `bulk_update(…, ["statut"])`) or saves one by name
(`save(update_fields=["statut", …])`). Creating a row with its initial status is allowed. The
admin never offers a status field as a free input.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["pacte", "demarches", "ecrivains", "mediation", "arrondissements", "nonrecours"]
KERNEL = "pacte/workflows.py"

# Files allowed to write a status directly, and why. Each must still need it (checked below).
EXEMPT = {
    # The outbox's delivery state (pending / sent / failed / cancelled) is a technical queue, not
    # a business status: the sender already holds the row lock, and journaling every delivery
    # would drown the business journal. Not in the #14.4 list.
    "pacte/notifications.py": "outbox delivery state",
    # Demo data writes a fictional past (backdated statuses with their backdated journal entries
    # and history) into rows it has just created; it runs only in development (`seed_demo`).
    "demarches/demo.py": "demo data with a backdated history",
    "arrondissements/demo.py": "demo data with a backdated history",
    "mediation/demo.py": "demo data built in memory before its first save",
}


def status_fields() -> set[str]:
    """The names of the status fields of the project's models."""
    names = set()
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in PACKAGES:
            continue
        names |= {f.name for f in model._meta.concrete_fields if f.name in ("statut", "status")}
    return names


def _strings(node) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return {s for elt in node.elts for s in _strings(elt)}
    return set()


def _targets(node) -> list:
    if isinstance(node, (ast.Tuple, ast.List)):
        return [t for elt in node.elts for t in _targets(elt)]
    if isinstance(node, ast.Starred):
        return _targets(node.value)
    return [node]


def direct_writes(source: str, names: set[str]) -> list[tuple[int, str]]:
    """(line, what) for every direct write of a status field `names` in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets for t in _targets(target)]
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = _targets(node.target)
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in names:
                found.append((node.lineno, f"assignment to .{target.attr}"))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        method = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if method == "setattr" and len(node.args) >= 2 and _strings(node.args[1]) & names:
            found.append((node.lineno, "setattr of a status"))
        if method == "update" and set(keywords) & names:
            found.append((node.lineno, "update() of a status"))
        defaults = keywords.get("defaults")
        keys = (
            {s for k in defaults.keys if k is not None for s in _strings(k)}
            if isinstance(defaults, ast.Dict)
            else set()
        )
        if method == "update_or_create" and keys & names:
            found.append((node.lineno, "update_or_create of a status"))
        if method == "bulk_update" and any(_strings(a) & names for a in node.args[1:]):
            found.append((node.lineno, "bulk_update of a status"))
        if method == "save" and "update_fields" in keywords and _strings(keywords["update_fields"]) & names:
            found.append((node.lineno, "save(update_fields=[status])"))
    return found


def _project_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative and relative != KERNEL:
                yield relative, path


def test_the_scanner_sees_every_kind_of_direct_write():
    """The scanner flags each shape of direct status write (so the next test can fail)."""
    source = """
obj.statut = "x"
a.statut, a.clos_at = "x", now
obj.statut += "y"
setattr(obj, "statut", "x")
Model.objects.filter(pk=1).update(statut="x", autre=1)
Model.objects.update_or_create(pk=1, defaults={"statut": "x"})
Model.objects.bulk_update(rows, ["statut"])
obj.save(update_fields=["statut", "updated_at"])
Model.objects.create(statut="x")
Model(statut="x")
obj.filter(statut="x")
obj.autre = obj.statut
"""
    lines = [line for line, _ in direct_writes(source, {"statut"})]
    assert lines == [2, 3, 4, 5, 6, 7, 8, 9]


def test_no_code_outside_the_kernel_writes_a_status_field():
    """Outside pacte/workflows.py, status fields change only through `transition()`."""
    names = status_fields()
    assert names == {"statut"}
    offenders, exempt_hits = [], set()
    for relative, path in _project_files():
        hits = direct_writes(path.read_text(encoding="utf-8"), names)
        if hits and relative in EXEMPT:
            exempt_hits.add(relative)
        elif hits:
            offenders += [f"{relative}:{line}: {what}" for line, what in hits]
    assert offenders == []
    assert exempt_hits == set(EXEMPT), "an exemption is no longer needed: remove it from EXEMPT"


@pytest.mark.parametrize(
    "model_admin",
    [
        ma
        for model, ma in admin.site._registry.items()
        if "statut" in {f.name for f in model._meta.concrete_fields}
        and model.__module__.split(".")[0] in PACKAGES
    ],
    ids=lambda ma: ma.model._meta.label,
)
def test_the_admin_never_edits_a_status_freely(model_admin):
    """In the admin a status is read-only, or its form refuses moves outside the workflow's table."""
    assert "statut" in model_admin.readonly_fields or hasattr(model_admin.form, "clean_statut")
