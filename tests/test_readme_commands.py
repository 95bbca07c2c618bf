"""Every command the README shows in a fenced block is a Makefile target that exists and runs."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.services import newcomer_env

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[list[str]]:
    """The shell commands of the README's fenced `sh` blocks, without their comments."""
    blocks = re.findall(
        r"^```(?:sh|bash|shell|console)\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S
    )
    commands = []
    for block in blocks:
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line and not line.startswith("#"):
                commands.append(shlex.split(line))
    return commands


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _embedded_env(tmp_path: Path) -> dict:
    """A newcomer's shell: no DATABASE_URL / REDIS_URL (SQLite and eager Celery), a private SQLite file."""
    return newcomer_env({"DATABASE_URL", "REDIS_URL", "DEBUG"}, SQLITE_NAME=str(tmp_path / "readme.sqlite3"))


def run_make_run(args: list[str], tmp_path: Path) -> None:
    """`make run` migrates, seeds the demo and serves the home page; then it stops on SIGTERM."""
    port = _free_port()
    process = subprocess.Popen(
        ["make", *args, f"PORT={port}"],
        cwd=ROOT,
        env=_embedded_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # make, manage.py and runserver's reloader form one group
    )
    try:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(1)
        else:
            pytest.fail("make run did not serve the home page within 15 minutes")
        assert response.status == 200 and "Pacte" in page
    finally:
        with contextlib.suppress(ProcessLookupError):  # make already stopped (the assertion says why)
            os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=60)[0]
    assert "agent" in output  # the demo accounts are listed on the console


def run_make_test(args: list[str], tmp_path: Path) -> None:
    """`make test` installs, checks the system packages and runs pytest (here on one small file)."""
    result = subprocess.run(
        ["make", *args, "PYTEST_ARGS=-p no:randomly -q tests/test_repository.py"],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\d+ passed", result.stdout)


def run_make_help(args: list[str], tmp_path: Path) -> None:
    result = subprocess.run(["make", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    for command in readme_commands():
        assert f"make {command[1]} " in result.stdout


def run_make_stack(args: list[str], tmp_path: Path) -> None:
    """`make stack` runs in tests/test_stack.py (five minutes: it is not run twice); check that the
    test there runs this very command, with only a port, a database and a Redis of its own added."""
    from tests import test_stack

    assert callable(test_stack.test_make_stack_books_reports_notifies_and_stops_cleanly)
    source = Path(test_stack.__file__).read_text()
    assert '"make",\n                    "stack",' in source
    assert set(re.findall(r'f"([A-Z_]+)=\{', source)) == {"PORT", "STACK_DATABASE_URL", "STACK_REDIS_URL"}
    assert args == ["stack"]


# How the README's commands run here. A README command with no runner fails the test below.
RUNNERS = {"run": run_make_run, "test": run_make_test, "help": run_make_help, "stack": run_make_stack}


def test_readme_commands_are_make_targets():
    """Each fenced command is `make <target> [VAR=value…]`, the target exists, and a runner covers it."""
    commands = readme_commands()
    assert ["make", "run"] in commands and ["make", "test"] in commands
    for command in commands:
        assert command[0] == "make" and len(command) >= 2, command
        assert all("=" in arg for arg in command[2:]), command
        target = command[1]
        dry = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert dry.returncode == 0, f"make {target}: {dry.stderr}"
        assert target in RUNNERS, f"no test runs `make {target}` from the README"


@pytest.mark.lent(15)
@pytest.mark.parametrize("command", readme_commands(), ids=" ".join)
def test_readme_command_runs(command, tmp_path):
    """Each fenced command runs as shown (with a free port and a private database where it serves)."""
    RUNNERS[command[1]](command[1:], tmp_path)
