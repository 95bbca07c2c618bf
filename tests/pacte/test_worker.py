"""A real Celery worker against the real Redis runs the outbox task and sends the email."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from pacte.celery import app
from pacte.models import Notification, StatutNotification
from pacte.notifications import notification_queue

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    """Start `celery worker` on a private queue, pointed at the test database and a file mail backend."""
    if not settings.REDIS_URL:
        raise RuntimeError("REDIS_URL must point to the real Redis for this test")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "SECRET_KEY": "worker-test-" + uuid.uuid4().hex,
        # The worker decrypts what this process encrypted: same outbox keys, production-style.
        "NOTIFICATION_ENCRYPTION_KEYS": ",".join(settings.NOTIFICATION_ENCRYPTION_KEYS),
        "SITE_URL": "https://pacte.example",
        "ALLOWED_HOSTS": "localhost",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mails"),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CONN_MAX_AGE": "0",
    }
    env.pop("DEBUG", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "pacte",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield {"process": process, "mails": tmp_path / "mails", "queue": queue}
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()


def test_worker_sends_outbox_email(worker):
    """notification_queue → Redis → a real worker → the email lands in the file backend, row marked
    sent; the worker decrypts the body stored encrypted, and blanks it once delivered."""
    notification = notification_queue(
        canal="email",
        destinataire="usager@example.org",
        sujet="Confirmation",
        corps="Votre rendez-vous est confirmé. Lien : https://pacte.example/r/jeton-secret/",
    )
    assert "jeton-secret" not in Notification.objects.get(pk=notification.pk).corps
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.statut == StatutNotification.SENT:
            break
        if worker["process"].poll() is not None:
            pytest.fail("worker exited:\n" + worker["process"].stdout.read())
        time.sleep(0.3)
    else:
        worker["process"].send_signal(signal.SIGTERM)
        output = worker["process"].stdout.read()
        pytest.fail("task not run within 60 s:\n" + output)
    files = list(worker["mails"].glob("*.log"))
    assert len(files) == 1
    assert "Votre rendez-vous est confirm" in files[0].read_text()
    assert "jeton-secret" in files[0].read_text()
    sent = Notification.objects.get(pk=notification.pk)
    assert sent.tentatives == 1 and sent.corps == ""


def test_a_running_worker_makes_readiness_ok_and_its_stop_takes_it_back(worker, client):
    """The real worker's heartbeat reaches /sante/pret/; a clean stop removes it at once."""
    from pacte import sante

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = client.get(sante.READINESS_PATH)
        if response.json()["worker"] == "ok":
            break
        if worker["process"].poll() is not None:
            pytest.fail("worker exited:\n" + worker["process"].stdout.read())
        time.sleep(0.5)
    else:
        pytest.fail(f"no heartbeat within 60 s: {response.json()}")
    assert response.status_code == 200, response.json()
    worker["process"].send_signal(signal.SIGTERM)
    worker["process"].wait(timeout=30)
    assert client.get(sante.READINESS_PATH).json()["worker"] == "down"
