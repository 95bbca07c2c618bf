"""Two hashed locks from pyproject.toml: production (requirements.lock) and development
(requirements-dev.lock); the production one carries no test tool, and `make lock` reproduces both."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# Test tools that must never reach a server, whatever pulls them in.
TEST_TOOLS = {"pytest", "pytest-django", "playwright", "ruff", "hypothesis", "faker", "factory-boy"}
TEST_TOOLS |= {"axe-playwright-python", "time-machine", "honcho", "greenlet", "pluggy", "iniconfig"}


def parse_lock(path: Path) -> dict[str, dict]:
    """name → {"version", "marker", "hashes"} for each requirement of a `uv pip compile` lock."""
    entries: dict[str, dict] = {}
    current = None
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$", line)
        if match:
            name, version, marker = match.groups()
            current = entries[canonicalize_name(name)] = {"version": version, "marker": marker, "hashes": []}
        elif current is not None and (hash_match := re.search(r"--hash=(sha256:[0-9a-f]{64})", line)):
            current["hashes"].append(hash_match.group(1))
    return entries


PROD = parse_lock(ROOT / "requirements.lock")
DEV = parse_lock(ROOT / "requirements-dev.lock")


def _closure(requirements: list[str]) -> set[str]:
    """The installed distributions `requirements` need on this platform (markers evaluated)."""
    environment = default_environment()
    seen: set[str] = set()
    todo = [(Requirement(r), "") for r in requirements]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({**environment, "extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        extras = sorted(requirement.extras)
        key = f"{name}[{','.join(extras)}]"
        if key in seen:
            continue
        seen.add(key)
        for child in metadata.requires(name) or []:
            for wanted in extras or [""]:
                todo.append((Requirement(child), wanted))
    return {key.split("[")[0] for key in seen}


def test_production_lock_holds_no_dev_package():
    """Neither a dev extra nor a test tool (nor what only they pull in) is in requirements.lock."""
    dev_extra = {
        canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]
    }
    assert dev_extra <= set(DEV)
    assert dev_extra & set(PROD) == set()
    assert TEST_TOOLS & set(PROD) == set()
    # Exactly what the production dependencies need; platform-conditional extras are allowed.
    needed = _closure(PYPROJECT["project"]["dependencies"])
    assert needed <= set(PROD), needed - set(PROD)
    unneeded = {name for name in set(PROD) - needed if not PROD[name]["marker"]}
    assert unneeded == set()


def test_every_locked_requirement_is_hashed():
    """Both locks pin every package with sha256 hashes (pip/uv install them with --require-hashes)."""
    for lock in (PROD, DEV):
        assert lock
        assert [name for name, entry in lock.items() if not entry["hashes"]] == []


def test_both_locks_agree():
    """The development lock is the production lock plus the dev tools, at the same versions."""
    assert {name: e["version"] for name, e in PROD.items()} == {name: DEV[name]["version"] for name in PROD}
    assert "django" in PROD and PROD["django"]["version"].startswith("6.1.")


def test_make_lock_reproduces_both_locks(tmp_path):
    """`make lock` compiles both locks from pyproject.toml: the committed ones are up to date."""
    for name in ("requirements.lock", "requirements-dev.lock"):
        shutil.copy(ROOT / name, tmp_path / name)  # the committed pins are the resolver's preferences
    result = subprocess.run(
        ["make", "lock", f"LOCK_DIR={tmp_path}"],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("requirements.lock", "requirements-dev.lock"):
        # The `# via` comments name the constraint file's path; pins, markers and hashes must match.
        fresh, committed = (_pins(folder / name) for folder in (tmp_path, ROOT))
        assert fresh == committed, f"{name} is stale: run make lock"


def _pins(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")]


def _dry_run(target: str) -> str:
    result = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout


def test_make_run_installs_the_production_lock_only():
    """From scratch, `make run` installs requirements.lock (hashes required) and never the dev lock."""
    commands = _dry_run("run")
    assert "--require-hashes -r requirements.lock" in commands
    assert "requirements-dev.lock" not in commands
    assert "--require-hashes -r requirements-dev.lock" in _dry_run("test")
