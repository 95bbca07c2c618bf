"""The suite runs in parallel (pytest-xdist): each worker has its own databases."""

from __future__ import annotations

import os

import pytest

from pacte.celery import app
from tests.conftest import _own_redis_database


@pytest.fixture
def restored_broker(settings, monkeypatch):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/4"
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/4")
    previous = app.conf.broker_url
    yield
    app.conf.broker_url = previous


@pytest.mark.parametrize(("worker", "database"), [("gw0", 5), ("gw1", 6), ("gw11", 0)])
def test_each_worker_has_its_own_redis_database(restored_broker, settings, worker, database):
    """Worker gwN uses Redis database base+1+N: its tests, its Celery broker and the processes it starts."""
    _own_redis_database(worker)
    expected = f"redis://127.0.0.1:6379/{database}"
    assert settings.REDIS_URL == settings.CELERY_BROKER_URL == os.environ["REDIS_URL"] == expected
    assert app.conf.broker_url == expected
