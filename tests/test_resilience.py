"""Resilience (G5): with Redis stopped, 100 bookings and saisines succeed; when Redis returns, every
pending notification is sent exactly once. Real processes: gunicorn, redis-server, a Celery worker."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from bench._harness import Browser, Gunicorn, collectstatic, server_env
from pacte.booking.models import Agenda, RegleOuverture, Reservation
from pacte.models import Lieu, Notification, StatutNotification

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A real redis-server of our own on a free port, so stopping it disturbs nobody else."""

    def __init__(self, tmp: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is required for the resilience test")
        self.binary, self.tmp, self.port = binary, tmp, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_outage_then_recovery_sends_each_notification_once(tmp_path):
    """Redis down: 60 bookings + 40 saisines answered normally; Redis back: each message sent once."""
    lieu = Lieu.objects.get(slug="hotel-de-ville")
    agenda = Agenda.objects.create(
        lieu=lieu,
        titre="Carte d'identité",
        kind="demarches",
        duree_creneau=15,
        capacite=10,
        places_agents=0,
        delai_min_heures=0,
        horizon_jours=30,
    )
    for jour in range(7):
        RegleOuverture.objects.create(
            agenda=agenda,
            type="hebdomadaire",
            jour_semaine=jour,
            heure_debut=dt.time(8, 0),
            heure_fin=dt.time(18, 0),
        )
    day = dt.date.today() + dt.timedelta(days=2)
    redis = PrivateRedis(tmp_path)
    redis.start()
    mails = tmp_path / "mails"
    env = server_env(_database_url())
    env.update(
        REDIS_URL=redis.url,
        CELERY_TASK_ALWAYS_EAGER="0",
        RATELIMIT_ENABLED="1",
        RATELIMIT_RESERVATION="1000/h",
        RATELIMIT_SAISINE="1000/h",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mails),
    )
    collectstatic(env, tmp_path / "static")
    server = Gunicorn(env, _free_port())
    worker = None
    try:
        redis.stop()  # the outage starts
        timings, statuses = {}, {}
        browser = Browser(server.url, timings, statuses)
        status, html = browser.request("page", f"/reservation/{agenda.uuid}/?jour={day.isoformat()}")
        slots = re.findall(rf"/reservation/{agenda.uuid}/(\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}})/", html)
        assert status == 200 and len(slots) >= 6
        for index in range(60):
            slot = slots[index // 10]
            _, form = browser.request("page", f"/reservation/{agenda.uuid}/{slot}/")
            key = re.search(r'name="cle_idempotence" value="([^"]*)"', form).group(1)
            status, page = browser.request(
                "booking",
                f"/reservation/{agenda.uuid}/{slot}/",
                {
                    "csrfmiddlewaretoken": browser.csrf(form),
                    "nom": f"Durand{index}",
                    "prenom": "Lou",
                    "email": f"lou{index}@example.org",
                    "cle_idempotence": key,
                },
            )
            assert status == 200 and "RDV-" in page, page[:500]
        for index in range(40):
            _, form = browser.request("page", "/mediateur/saisir/")
            status, page = browser.request(
                "saisine",
                "/mediateur/saisir/",
                {
                    "csrfmiddlewaretoken": browser.csrf(form),
                    "requerant_type": "particulier",
                    "prenom": "Sam",
                    "nom": f"Petit{index}",
                    "email": f"sam{index}@example.org",
                    "theme": "autre",
                    "recit": "Ma demande de remboursement de la cantine est restée sans réponse depuis trois mois.",
                    "demarche_prealable": "oui",
                    "demarche_prealable_detail": "Un courrier en mars.",
                    "decision_justice": "non",
                    "consentement": "on",
                },
            )
            assert status == 200 and "MED-" in page, page[:800]
        assert max(statuses) < 500
        assert Reservation.objects.filter(agenda=agenda, statut="confirmee").count() == 60
        pending = Notification.objects.filter(statut=StatutNotification.PENDING)
        expected = pending.count()
        assert expected >= 100  # one confirmation per booking and one acknowledgement per saisine
        assert not mails.exists() or not list(mails.iterdir())

        redis.start()  # the outage ends: a worker and the beat flush (twice, concurrently) catch up
        worker_env = {**env, "CONN_MAX_AGE": "0"}
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "pacte",
                "worker",
                "--concurrency",
                "2",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=worker_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2):
            subprocess.run(
                [sys.executable, "-m", "celery", "-A", "pacte", "call", "pacte.tasks.outbox_flush_task"],
                cwd=ROOT,
                env=worker_env,
                check=True,
                capture_output=True,
            )
        deadline = time.monotonic() + 120
        while (
            time.monotonic() < deadline
            and Notification.objects.filter(statut=StatutNotification.PENDING).exists()
        ):
            time.sleep(0.5)
        sent = Notification.objects.filter(statut=StatutNotification.SENT)
        assert sent.count() == expected
        assert set(sent.values_list("tentatives", flat=True)) == {1}
        # The file backend may append several messages to one file: count the messages themselves.
        delivered = sum(path.read_text().count("Message-ID:") for path in mails.iterdir())
        assert delivered == expected  # each message delivered once: nothing lost, nothing twice
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        server.stop()
        redis.stop()
