"""Health for orchestrators: liveness, readiness (database, broker, migrations, worker heartbeat),
and the summary at /sante/. Outage of the database under load is in tests/test_pool.py."""

import pytest
import redis
from django.db import connection

from pacte import sante

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_checks(settings):
    """No cached migration answer, and no heartbeat left by another test's worker."""
    sante._migrations_ok_at = None
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match=sante.HEARTBEAT_PREFIX + "*"):
        client.delete(key)
    yield client
    for key in client.scan_iter(match=sante.HEARTBEAT_PREFIX + "*"):
        client.delete(key)
    sante._migrations_ok_at = None


@pytest.fixture
def heartbeat(_fresh_checks):
    """A worker's heartbeat, as the WorkerHeartbeat bootstep writes it."""
    _fresh_checks.set(sante.HEARTBEAT_PREFIX + "celery@test", "1", ex=sante.HEARTBEAT_TTL)


def test_health_reports_database_and_broker(client, settings):
    """With the real PostgreSQL and Redis, both are ok."""
    assert settings.REDIS_URL, "tests run against the real Redis"
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "ok"


def test_health_is_degraded_when_the_broker_is_down(client, settings):
    """An unreachable broker gives 503 and says which part is down."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "down",
        "worker": "not-checked",
    }


def test_liveness_touches_nothing(client, settings, django_assert_num_queries):
    """/sante/vivant/ answers 200 without a query, even with the broker gone."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with django_assert_num_queries(0):
        response = client.get(sante.LIVENESS_PATH)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readiness_with_everything_up(client, heartbeat):
    """Database, broker, migrations and a worker heartbeat: 200."""
    response = client.get(sante.READINESS_PATH)
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "migrations": "ok",
        "worker": "ok",
    }


def test_readiness_without_a_worker(client):
    """No worker heartbeat in Redis: 503, the worker is named."""
    response = client.get(sante.READINESS_PATH)
    assert response.status_code == 503
    assert response.json()["worker"] == "down"
    assert response.json()["database"] == "ok"


def test_readiness_with_the_broker_down(client, settings, heartbeat):
    """Broker unreachable: 503, broker down, worker unknown."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(sante.READINESS_PATH)
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["worker"] == "unknown"


def test_readiness_with_a_migration_not_applied(client, heartbeat):
    """A migration on disk but not in the database: 503, migrations pending."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations WHERE app = 'pacte')"
        )
    response = client.get(sante.READINESS_PATH)
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"


def test_eager_mode_is_ready_without_broker(client, settings):
    """`make run` (no REDIS_URL, eager Celery) is ready: nothing to wait for."""
    settings.REDIS_URL = None
    response = client.get(sante.READINESS_PATH)
    assert response.status_code == 200
    assert response.json()["broker"] == response.json()["worker"] == "eager"


@pytest.mark.parametrize("path", [sante.LIVENESS_PATH, sante.READINESS_PATH, sante.SUMMARY_PATH])
def test_probes_pass_host_check_and_https_redirect(client, settings, heartbeat, path):
    """A probe from inside the network (any Host, plain HTTP) is answered, in production settings."""
    settings.ALLOWED_HOSTS = ["pacte.lyon.fr"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400  # the rest of the site refuses
    response = client.get(path, HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ok"
