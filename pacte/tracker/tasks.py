"""Celery tasks of the tracker (thin: they call a service)."""

from celery import shared_task

from .services import abonnements_non_confirmes_purge


@shared_task
def abonnements_non_confirmes_purge_task() -> int:
    """Daily: forget the addresses of subscriptions never confirmed within 7 days."""
    return abonnements_non_confirmes_purge()


BEAT_SCHEDULE = {
    "tracker-abonnements-purge": {
        "task": "pacte.tracker.tasks.abonnements_non_confirmes_purge_task",
        "schedule": 24 * 3600,
    },
}
