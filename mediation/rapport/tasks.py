"""Thin Celery tasks of the annual report: ids in, a service call."""

from celery import shared_task
from celery.schedules import crontab

from .services import version_generate, versions_relaunch_stale


@shared_task(acks_late=True, max_retries=0)
def version_generate_task(version_id: int) -> str:
    """Generate one PDF version (idempotent: a finished or running version is left alone)."""
    version = version_generate(version_id=version_id)
    return version.statut if version else "absente"


@shared_task(acks_late=True)
def versions_relaunch_stale_task() -> int:
    """Re-enqueue generations left waiting (broker down) or lost (worker killed)."""
    return versions_relaunch_stale()


BEAT_SCHEDULE = {
    "rapport-versions-relance": {
        "task": "mediation.rapport.tasks.versions_relaunch_stale_task",
        "schedule": crontab(minute="*/5"),
    },
}
