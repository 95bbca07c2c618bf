"""The W3C Nu HTML checker (vnu-jar from npm, run with the machine's Java).

One checker per test process, started on first use and kept for the whole run: the checker's own
HTTP service (`nu.validator.servlet.Main`) on a free local port. Starting a JVM for each check cost
≈ 2.4 s of CPU (≈ 60 checks in the suite); a page sent to the running checker costs 20–40 ms.
The checker dies with the test process (PR_SET_PDEATHSIG, and at exit).
"""

from __future__ import annotations

import atexit
import ctypes
import json
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
START_TIMEOUT = 90  # seconds: a JVM on a loaded 2-core machine
PR_SET_PDEATHSIG = 1

_checker: tuple[subprocess.Popen, str] | None = None


def _die_with_parent() -> None:  # runs in the child, between fork and exec
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _checker_url() -> str:
    """The running checker's URL, started on first use (or again if it died)."""
    global _checker
    if _checker is not None and _checker[0].poll() is None:
        return _checker[1]
    if not VNU_JAR.exists():
        raise RuntimeError(f"HTML checker missing: {VNU_JAR} (run `make install`).")
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("Java is required for the HTML checker (apt-get install default-jre-headless).")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            java,
            "-Xss1m",
            "-Xmx512m",
            "-Dnu.validator.servlet.bind-address=127.0.0.1",
            "-cp",
            str(VNU_JAR),
            "nu.validator.servlet.Main",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - the test process starts it before its threads matter
    )
    atexit.register(process.terminate)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the HTML checker stopped at start (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - local checker
                _checker = (process, url)
                return url
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"the HTML checker did not answer within {START_TIMEOUT} s")


def _messages(url: str, html: str) -> list[dict]:
    request = urllib.request.Request(  # noqa: S310 - local checker
        f"{url}?out=json&level=error",
        data=html.encode("utf-8"),
        headers={"Content-Type": "text/html; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - local checker
        return json.load(response).get("messages", [])


def validate_html(pages: dict[str, str]) -> list[str]:
    """Validate {name: html} and return the error messages ('name: line N: message'); [] when valid."""
    url = _checker_url()
    return [
        f"{name}: line {message.get('lastLine')}: {message.get('message')}"
        for name, html in pages.items()
        for message in _messages(url, html)
        if message.get("type") in ("error", "non-document-error")
    ]
