"""Thin Celery tasks of the démarches app."""

from celery import shared_task
from celery.schedules import crontab

from .retention import rappels_anonymise


@shared_task(acks_late=True)
def rappels_anonymise_task() -> int:
    """Daily: apply the retention period of callback requests (idempotent)."""
    return rappels_anonymise()


BEAT_SCHEDULE = {
    "demarches-rappels-retention": {
        "task": "demarches.tasks.rappels_anonymise_task",
        "schedule": crontab(hour=3, minute=41),
    },
}
