"""The health endpoint reports the database, the broker and, on demand, the worker."""

import pytest

pytestmark = pytest.mark.django_db


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
