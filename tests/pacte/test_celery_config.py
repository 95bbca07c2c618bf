"""Celery is configured for reliability and every periodic task exists and can run twice."""

import pytest

from pacte.celery import app


def test_reliability_settings():
    """Late acks, requeue on worker loss, prefetch 1, time limits, endless broker reconnection."""
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] >= conf.task_time_limit
    assert conf.broker_connection_retry is True
    assert conf.broker_connection_max_retries is None  # workers and beat wait for Redis forever


def test_every_periodic_task_is_registered():
    """Each beat entry names a registered task."""
    app.loader.import_default_modules()
    app.finalize(auto=True)
    schedule = app.conf.beat_schedule
    assert "outbox-flush" in schedule and "kernel-purge" in schedule
    missing = [entry["task"] for entry in schedule.values() if entry["task"] not in app.tasks]
    assert missing == []


@pytest.mark.django_db
def test_every_periodic_task_is_idempotent():
    """Running every periodic task twice in a row succeeds and the second run changes nothing new."""
    app.loader.import_default_modules()
    app.finalize(auto=True)
    for name, entry in app.conf.beat_schedule.items():
        task = app.tasks[entry["task"]]
        task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {})).get()
        second = task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {})).get()
        assert second in (None, 0, {}, [], "skipped") or (
            isinstance(second, dict) and not any(second.values())
        ), f"{name} did work again on its second run: {second!r}"
