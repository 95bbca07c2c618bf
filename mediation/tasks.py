"""Thin Celery tasks of the médiation app (beat): reminders and retention."""

from celery import shared_task
from celery.schedules import crontab

from . import services


@shared_task(acks_late=True)
def demandes_position_remind_task() -> int:
    """Remind référents of overdue requests for position (idempotent per day)."""
    return services.demandes_position_remind()


@shared_task(acks_late=True)
def saisines_anonymise_expired_task() -> int:
    """Anonymise closed cases older than the retention period (idempotent)."""
    return services.saisines_anonymise_expired()


BEAT_SCHEDULE = {
    "mediation-relances": {
        "task": "mediation.tasks.demandes_position_remind_task",
        "schedule": crontab(hour=8, minute=15, day_of_week="1-5"),
    },
    "mediation-anonymisation": {
        "task": "mediation.tasks.saisines_anonymise_expired_task",
        "schedule": crontab(hour=3, minute=30),
    },
}
