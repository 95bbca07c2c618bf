"""Background work of the écrivains publics module: expiry of waiting-list offers."""

from celery import shared_task
from celery.schedules import crontab

from .services import offres_expire


@shared_task(acks_late=True)
def offres_expire_task() -> int:
    """Expire the offers past their deadline and pass each slot to the next person (idempotent)."""
    return offres_expire()


BEAT_SCHEDULE = {
    "ecrivains-offres-expire": {
        "task": "ecrivains.tasks.offres_expire_task",
        "schedule": crontab(minute="*/5"),
    },
}
