"""Import contracts, checked on the source (module-level and function-level imports alike):

- the kernel (`pacte`) never imports a feature app;
- feature apps reach the booking engine only through its public modules, and never a private name;
- no feature app imports another feature app's models;
- no import cycle, except a service that enqueues its own Celery task and the task calling it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNEL = "pacte"
FEATURES = ("demarches", "ecrivains", "mediation", "arrondissements", "nonrecours")
# What a feature app may import from the engine: reads, writes, the model classes (foreign keys,
# typing, status enums), the place-freed hook, the waiting list (its services, its form, its offer
# page mounted under the app's own URL), and the demo helpers (demo data only).
BOOKING_PUBLIC = {
    "services",
    "selectors",
    "models",
    "hooks",
    "workflows",
    "attente",
    "forms",
    "views",
    "demo",
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in (KERNEL, *FEATURES):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    is_package = MODULES[module].name == "__init__.py"
    base = package if is_package else package[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(module: str):
    """(imported module, imported names, line) for every import statement of `module`, at any depth."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            names = [a.name for a in node.names]
            submodules = [n for n in names if f"{target}.{n}" in MODULES]
            for name in submodules:
                yield f"{target}.{name}", [], node.lineno
            rest = [n for n in names if n not in submodules]
            if rest or not submodules:
                yield target, rest, node.lineno


def _top(name: str) -> str:
    return name.split(".")[0]


def test_kernel_never_imports_a_feature_app():
    """pacte/… imports no feature app (it finds their modules through pacte.discovery)."""
    offenders = [
        f"{m}:{line} → {target}"
        for m in MODULES
        if _top(m) == KERNEL
        for target, _names, line in _imports(m)
        if _top(target) in FEATURES
    ]
    assert offenders == []


def test_feature_apps_use_the_booking_engine_through_its_public_modules():
    """Outside pacte/booking, only the engine's public modules are imported, and no private name."""
    offenders = []
    for m in MODULES:
        if _top(m) not in FEATURES:
            continue
        for target, names, line in _imports(m):
            if target == "pacte.booking" or target.startswith("pacte.booking."):
                sub = target.split(".")[2] if target.count(".") >= 2 else ""
                if sub not in BOOKING_PUBLIC or (sub == "demo" and not m.endswith(".demo")):
                    offenders.append(f"{m}:{line} → {target}")
                offenders += [f"{m}:{line} → {target}.{n}" for n in names if n.startswith("_")]
    assert offenders == []


def test_no_feature_app_imports_another_apps_models():
    """A feature app reads another app through its services, selectors or enums, never its models."""
    offenders = [
        f"{m}:{line} → {target}"
        for m in MODULES
        if _top(m) in FEATURES
        for target, _names, line in _imports(m)
        if _top(target) in FEATURES
        and _top(target) != _top(m)
        and ".models" in f"{target}."[len(_top(target)) :]
    ]
    assert offenders == []


def _allowed(source: str, target: str) -> bool:
    """The one accepted cycle: a service module enqueues its own Celery task, and the task (in the
    `tasks` module of the same package) calls the service: that back edge is not counted."""
    package, _dot, leaf = source.rpartition(".")
    return leaf == "tasks" and target.rpartition(".")[0] == package


def test_no_import_cycles_counting_function_level_imports():
    """The project's import graph (imports inside functions included) has no cycle."""
    graph: dict[str, set[str]] = defaultdict(set)
    for m in MODULES:
        for target, _names, _line in _imports(m):
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != m and not _allowed(m, target):
                graph[m].add(target)
    # Tarjan's strongly connected components.
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in list(MODULES):
        if v not in index:
            visit(v)
    assert cycles == []
