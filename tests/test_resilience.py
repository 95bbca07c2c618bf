"""Resilience (G5): with Redis stopped, 100 bookings and saisines succeed; when Redis returns, every
pending notification is sent exactly once. Real processes: gunicorn, redis-server, a Celery worker."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from bench._harness import Browser, Gunicorn, collectstatic, server_env
from pacte.booking.models import Agenda, RegleOuverture, Reservation
from pacte.models import Lieu, Notification, StatutNotification
from tests.services import PrivateRedis, free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.lent(30)
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
    server = Gunicorn(env, free_port())
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


def _heartbeat_present(redis_url: str) -> bool:
    import redis as redis_lib

    from pacte.sante import HEARTBEAT_PREFIX

    try:
        client = redis_lib.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1)
        return any(True for _ in client.scan_iter(match=HEARTBEAT_PREFIX + "*"))
    except redis_lib.RedisError:
        return False


def _wait(predicate, seconds: float, what: str, processes: dict) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        for name, (process, log) in processes.items():
            if process.poll() is not None:
                pytest.fail(f"{name} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    pytest.fail(f"{what} not within {seconds} s")


@pytest.mark.lent(80)
def test_worker_and_beat_survive_a_60_second_redis_outage(tmp_path):
    """Redis away 60 s under a running worker and beat: both wait, reconnect, and the notifications
    queued during the outage are delivered afterwards, by the same processes (no restart)."""
    redis = PrivateRedis(tmp_path)
    redis.start()
    mails = tmp_path / "mails"
    env = server_env(_database_url())
    env.update(
        REDIS_URL=redis.url,
        CELERY_TASK_ALWAYS_EAGER="0",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mails),
        CONN_MAX_AGE="0",
        LOG_LEVEL="INFO",
    )
    celery = [sys.executable, "-m", "celery", "-A", "pacte"]
    commands = {
        "worker": [*celery, "worker", "--concurrency", "1", "--loglevel", "INFO", "--without-mingle"],
        "beat": [*celery, "beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "beat-schedule")],
    }
    processes = {}
    try:
        for name, command in commands.items():
            log = tmp_path / f"{name}.log"
            with log.open("w") as out:  # the child keeps its own copy of the descriptor
                process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            processes[name] = (process, log)
        _wait(lambda: _heartbeat_present(redis.url), 120, "the worker's first heartbeat", processes)

        redis.stop()  # the outage starts, longer than any retry budget the old settings allowed
        pending = [
            Notification.objects.create(
                canal="email",
                destinataire=f"usager{index}@example.org",
                sujet="Votre rendez-vous",
                corps=f"Message numéro {index} pendant la panne.",
            )
            for index in range(5)
        ]
        time.sleep(60)
        for name, (process, log) in processes.items():
            assert process.poll() is None, f"{name} died during the outage:\n{log.read_text()[-3000:]}"
        assert not mails.exists() or not list(mails.iterdir())

        redis.start()  # same port: the processes find it again by themselves
        _wait(
            lambda: (
                not Notification.objects.filter(
                    pk__in=[n.pk for n in pending], statut=StatutNotification.PENDING
                ).exists()
            ),
            240,
            "delivery of the notifications queued during the outage",
            processes,
        )
        sent = Notification.objects.filter(pk__in=[n.pk for n in pending], statut=StatutNotification.SENT)
        assert sent.count() == 5
        delivered = "".join(path.read_text() for path in mails.iterdir())
        assert all(f"Message numéro {index} pendant la panne." in delivered for index in range(5))
        _wait(lambda: _heartbeat_present(redis.url), 60, "the worker's heartbeat after the outage", processes)
        for name, (process, log) in processes.items():
            assert process.poll() is None, name  # the very processes started before the outage
            assert "Unrecoverable" not in log.read_text(), name
    finally:
        for process, _ in processes.values():
            process.terminate()
        for process, _ in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        redis.stop()
