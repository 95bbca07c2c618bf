"""deploy/system-deps: the Debian packages `make run` / `make test` need, installed or named in one line.

The script runs here on a clean, stubbed PATH: fake `ldconfig`, `fc-list`, commands and `apt-get`
stand for a fresh Debian machine where nothing was installed by hand, so each way through the script
(missing as root, missing as a normal user, apt-get failing) is exercised without touching the
machine. One test also runs it for real on this machine.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "deploy" / "system-deps"
BASH = shutil.which("bash")
SETPRIV = shutil.which("setpriv")
UNSHARE = shutil.which("unshare")

RUN_PACKAGES = ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core", "gettext"]
TEST_PACKAGES = [*RUN_PACKAGES, "chromium", "default-jre-headless", "poppler-utils", "redis-server"]
LIBRARIES = {
    "libpango-1.0-0": "libpango-1.0.so.0",
    "libpangoft2-1.0-0": "libpangoft2-1.0.so.0",
    "libharfbuzz-subset0": "libharfbuzz-subset.so.0",
}
COMMANDS = {
    "gettext": "msgfmt",
    "chromium": "chromium",
    "default-jre-headless": "java",
    "poppler-utils": "pdftoppm",
    "redis-server": "redis-server",
}

# A fake apt-get: logs its arguments; `install` makes the packages "present" for the probes
# (listed for ldconfig and fc-list, and their commands created on the PATH).
FAKE_APT = """#!{python}
import os, sys
from pathlib import Path
state = Path(os.environ["FAKE_STATE"])
with open(state / "apt.log", "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
if os.environ.get("FAKE_APT_FAILS"):
    sys.exit(100)
if "install" in sys.argv:
    new = [a for a in sys.argv[1:] if not a.startswith("-") and a != "install"]
    with open(state / "installed", "a") as installed:
        installed.write("".join(package + "\\n" for package in new))
    for package in new:
        if package in {commands!r}:
            command = Path(__file__).parent / {commands!r}[package]
            command.write_text("#!/bin/sh\\nexit 0\\n")
            command.chmod(0o755)
"""
# The probes read the same state. They are bash scripts made of builtins, so that they also run as
# `nobody` (who cannot reach the virtualenv's Python under /root).
FAKE_LDCONFIG = """#!{bash}
echo "libs found in cache /etc/ld.so.cache"
while read -r package; do
  case "$package" in
{cases}
  esac
done < "$FAKE_STATE/installed"
"""
FAKE_FC_LIST = """#!{bash}
while read -r package; do
  [ "$package" = fonts-dejavu-core ] && echo "DejaVu Sans"
done < "$FAKE_STATE/installed"
exit 0
"""


class FreshMachine:
    """A stubbed PATH standing for a Debian machine with `installed` packages and nothing else."""

    def __init__(self, installed: list[str], *, apt: bool = True):
        # World-readable, so the script can also run as `nobody`.
        self.dir = Path(tempfile.mkdtemp(prefix="system-deps-"))
        self.dir.chmod(0o777)
        self.bin = self.dir / "bin"
        self.bin.mkdir()
        self.state = self.dir / "state"
        self.state.mkdir()
        self.state.chmod(0o777)
        (self.state / "installed").write_text("".join(f"{package}\n" for package in installed))
        (self.state / "installed").chmod(0o666)
        cases = "\n".join(
            f'    {package}) printf "\\t%s (libc6,x86-64) => /lib/%s\\n" {soname} {soname} ;;'
            for package, soname in LIBRARIES.items()
        )
        self._stub("ldconfig", FAKE_LDCONFIG.format(bash=BASH, cases=cases))
        self._stub("fc-list", FAKE_FC_LIST.format(bash=BASH))
        if apt:
            self._stub("apt-get", FAKE_APT.format(python=sys.executable, commands=COMMANDS))
        # A command exists once its package is installed (the fake apt-get creates it then).
        for package in installed:
            if package in COMMANDS:
                self._stub(COMMANDS[package], "#!/bin/sh\nexit 0\n")
        shutil.copy(SCRIPT, self.dir / "system-deps")
        (self.dir / "system-deps").chmod(0o755)

    def _stub(self, name: str, text: str) -> None:
        path = self.bin / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH | 0o444)

    def run(self, mode: str, *, as_root: bool, **env: str) -> subprocess.CompletedProcess:
        command = [BASH, str(self.dir / "system-deps"), mode]
        if as_root and os.geteuid() != 0:
            command = [UNSHARE, "--user", "--map-root-user", *command]
        if not as_root and os.geteuid() == 0:
            command = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        return subprocess.run(
            command,
            env={"PATH": str(self.bin), "FAKE_STATE": str(self.state), **env},
            capture_output=True,
            text=True,
            timeout=60,
            cwd=self.dir,
        )

    def apt_calls(self) -> list[str]:
        log = self.state / "apt.log"
        return log.read_text().splitlines() if log.exists() else []

    def cleanup(self) -> None:
        shutil.rmtree(self.dir)


@pytest.fixture
def machine():
    machines = []

    def make(installed: list[str], **kwargs) -> FreshMachine:
        machines.append(FreshMachine(installed, **kwargs))
        return machines[-1]

    yield make
    for m in machines:
        m.cleanup()


def test_real_machine_has_every_package():
    """On this machine (prepared once by the script or by hand) the check passes silently."""
    result = subprocess.run([str(SCRIPT), "test"], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_fresh_machine_as_user_stops_with_one_line_naming_every_package(machine):
    """Nothing installed, not root: one line on stderr naming each package and the apt-get command."""
    fresh = machine([])
    result = fresh.run("test", as_root=False)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Missing system package(s): " + " ".join(TEST_PACKAGES))
    assert "sudo apt-get update && apt-get install -y --no-install-recommends " in lines[0]
    assert fresh.apt_calls() == []


def test_only_the_missing_package_is_named(machine):
    """The HarfBuzz-Subset case: everything else present, only libharfbuzz-subset0 is named."""
    fresh = machine([p for p in TEST_PACKAGES if p != "libharfbuzz-subset0"])
    result = fresh.run("test", as_root=False)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Missing system package(s): libharfbuzz-subset0 — install with: "
        "sudo apt-get update && apt-get install -y --no-install-recommends libharfbuzz-subset0"
    ]


def test_run_needs_only_the_pdf_libraries(machine):
    """`make run` does not ask for Chromium, Java, poppler or redis-server."""
    fresh = machine(RUN_PACKAGES)
    result = fresh.run("run", as_root=False)
    assert (result.returncode, result.stderr) == (0, "")


def test_fresh_machine_as_root_installs_the_missing_packages(machine):
    """Root with apt-get: update, then one install of exactly the missing packages; then all present."""
    fresh = machine(["chromium", "poppler-utils"])
    result = fresh.run("test", as_root=True)
    assert result.returncode == 0, result.stderr
    missing = [p for p in TEST_PACKAGES if p not in {"chromium", "poppler-utils"}]
    assert result.stdout.splitlines() == ["Installing missing system package(s): " + " ".join(missing)]
    assert fresh.apt_calls() == ["update -qq", "install -y -qq --no-install-recommends " + " ".join(missing)]
    again = fresh.run("test", as_root=True)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert len(fresh.apt_calls()) == 2  # nothing more to install


def test_apt_failure_stops_with_one_line(machine):
    """apt-get failing (no network, unknown package) stops the run with the command to retry."""
    fresh = machine(TEST_PACKAGES[:-1])
    result = fresh.run("test", as_root=True, FAKE_APT_FAILS="1")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "apt-get could not install: redis-server — run: "
        "apt-get update && apt-get install -y --no-install-recommends redis-server"
    ]


def test_root_without_apt_get_names_the_package(machine):
    """Root on a machine without apt-get: no attempt, one line."""
    fresh = machine(RUN_PACKAGES[1:], apt=False)
    result = fresh.run("run", as_root=True)
    assert result.returncode == 1
    assert result.stderr.startswith("Missing system package(s): libpango-1.0-0 — install with:")
    assert len(result.stderr.splitlines()) == 1


def test_usage_error():
    """An unknown mode is a usage error, not a silent pass."""
    result = subprocess.run([str(SCRIPT), "deploy"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "usage" in result.stderr
