"""`make stack`: the real topology on this machine — gunicorn, a Celery worker and beat (honcho),
on PostgreSQL and Redis. A citizen books and gets the confirmation email through the worker; the
médiateur generates the annual report PDF through the worker; Ctrl-C stops everything cleanly."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis as redis_lib

from bench._harness import Browser, drop_database, fresh_database
from pacte.sante import HEARTBEAT_PREFIX, READINESS_PATH
from tests.services import PrivateRedis, free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.worker


class Stack:
    """`make stack` in its own process group, with its own database, Redis, port and mail folder."""

    def __init__(self, tmp: Path, database_url: str, redis_url: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mails = tmp / "mails"
        self.log = tmp / "stack.log"
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
        env.update(
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.mails),
            MEDIA_ROOT=str(tmp / "media"),
            BEAT_SCHEDULE=str(tmp / "beat-schedule"),
        )
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [
                    "make",
                    "stack",
                    f"PORT={self.port}",
                    f"STACK_DATABASE_URL={database_url}",
                    f"STACK_REDIS_URL={redis_url}",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, seconds: float) -> None:
        """Until /sante/pret/ says database, broker, migrations and a worker are all ok."""
        browser = Browser(self.url, {}, {})
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"make stack exited ({self.process.returncode}):\n{self.output()[-4000:]}")
            try:
                status, body = browser.request("health", READINESS_PATH)
            except OSError:
                status, body = 0, ""
            if status == 200:
                return
            time.sleep(1)
        pytest.fail(f"the stack was not ready within {seconds} s ({body}):\n{self.output()[-4000:]}")

    def stop(self) -> int:
        """Ctrl-C, as a developer stops it: SIGINT to the whole process group."""
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        finally:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    os.killpg(self.process.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.5)
            else:
                os.killpg(self.process.pid, signal.SIGKILL)
                pytest.fail("processes of the stack survived Ctrl-C:\n" + self.output()[-3000:])


def _wait_for(predicate, seconds: float, what: str, stack: Stack):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if stack.process.poll() is not None:
            pytest.fail(f"make stack exited while waiting for {what}:\n{stack.output()[-4000:]}")
        time.sleep(1)
    pytest.fail(f"{what} not within {seconds} s:\n{stack.output()[-4000:]}")


def _book(browser: Browser) -> tuple[str, str]:
    """Book the first free slot of the first demo agenda: returns (reference, email)."""
    _, demarche = browser.request("page", "/demarches/titres-identite/")
    agenda = re.search(r'href="(/reservation/[0-9a-f-]{36}/)"', demarche).group(1)
    _, page = browser.request("page", agenda)
    for day in re.findall(r"jour=(\d{4}-\d{2}-\d{2})", page):
        _, day_page = browser.request("page", f"{agenda}?jour={day}")
        slots = re.findall(rf"{agenda}(\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}})/", day_page)
        if slots:
            break
    else:
        pytest.fail("no free slot in the demo agenda")
    _, form = browser.request("page", f"{agenda}{slots[0]}/")
    email = f"stack-{secrets.token_hex(4)}@example.org"
    status, confirmation = browser.request(
        "booking",
        f"{agenda}{slots[0]}/",
        {
            "csrfmiddlewaretoken": browser.csrf(form),
            "nom": "Lefèvre",
            "prenom": "Zoé",
            "email": email,
            "cle_idempotence": re.search(r'name="cle_idempotence" value="([^"]*)"', form).group(1),
        },
    )
    assert status == 200, confirmation[:800]
    return re.search(r"RDV-[A-Z0-9]+", confirmation).group(0), email


def _mail_to(stack: Stack, email: str) -> str | None:
    if not stack.mails.exists():
        return None
    for path in stack.mails.iterdir():
        text = path.read_text(errors="replace")
        if f"To: {email}" in text:
            return text
    return None


def _generate_report(browser: Browser, stack: Stack) -> bytes:
    """Sign in as the médiateur, ask for last year's report, wait for the worker's PDF."""
    _, login = browser.request("page", "/espace/connexion/")
    status, _ = browser.request(
        "login",
        "/espace/connexion/",
        {
            "csrfmiddlewaretoken": browser.csrf(login),
            "username": "mediateur",
            "password": "demo-mediateur-2026",
        },
    )
    assert status == 200
    annee = dt.date.today().year - 1
    _, page = browser.request("page", f"/mediateur/rapports/{annee}/")
    cle = re.search(r'name="cle" value="([0-9a-f]{32})"', page).group(1)
    status, page = browser.request(
        "generate",
        f"/mediateur/rapports/{annee}/generer/",
        {"csrfmiddlewaretoken": browser.csrf(page), "cle": cle},
    )
    assert status == 200 and "est lancée" in page, page[:800]

    def pdf_link():
        _, page = browser.request("page", f"/mediateur/rapports/{annee}/")
        assert "échec" not in page.lower() or "Réessayer" not in page, page[:2000]
        match = re.search(r'href="(/mediateur/rapports/versions/[0-9a-f-]{36}/pdf/)"', page)
        return match.group(1) if match else None

    link = _wait_for(pdf_link, 300, "the report PDF from the worker", stack)
    with browser.opener.open(stack.url + link, timeout=60) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "application/pdf"
        return response.read()


@pytest.mark.lent(32)
def test_make_stack_books_reports_notifies_and_stops_cleanly(tmp_path):
    """One command runs gunicorn + worker + beat on PostgreSQL and Redis; booking, notification and
    report go through the real worker; Ctrl-C stops every process and the worker says goodbye."""
    name = f"pacte_stack_{secrets.token_hex(4)}"
    database_url = fresh_database(name)
    redis = PrivateRedis(tmp_path)
    redis.start()
    stack = Stack(tmp_path, database_url, redis.url)
    try:
        stack.wait_ready(900)  # a fresh database: migrations and the whole demo data set first
        output = stack.output()
        for process in ("web.1", "worker.1", "beat.1"):
            assert f"{process} started" in output or f"{process} |" in output, process
        assert "Booting worker" in output  # gunicorn, not runserver

        browser = Browser(stack.url, {}, {})
        reference, email = _book(browser)
        mail = _wait_for(lambda: _mail_to(stack, email), 120, "the booking confirmation email", stack)
        assert reference in mail

        pdf = _generate_report(Browser(stack.url, {}, {}), stack)
        assert pdf.startswith(b"%PDF")

        health = json.loads(Browser(stack.url, {}, {}).request("health", READINESS_PATH)[1])
        assert health == {
            "status": "ok",
            "database": "ok",
            "broker": "ok",
            "migrations": "ok",
            "worker": "ok",
        }
    finally:
        stack.stop()
        redis_client = redis_lib.Redis.from_url(redis.url)
        leftover = list(redis_client.scan_iter(match=HEARTBEAT_PREFIX + "*"))
        redis.stop()
        drop_database(name)
    output = stack.output()
    assert "Traceback" not in output, output[-4000:]
    assert "SIGKILL" not in output, output[-4000:]  # every process stopped on its own
    assert leftover == []  # the worker ran its shutdown steps
