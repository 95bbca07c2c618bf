"""Background work of the écrivains publics module: expiry of waiting-list offers, retention."""

from celery import shared_task
from celery.schedules import crontab

from .retention import inscriptions_attente_purge
from .services import offres_expire


@shared_task(acks_late=True)
def offres_expire_task() -> int:
    """Expire the offers past their deadline and pass each slot to the next person (idempotent)."""
    return offres_expire()


@shared_task(acks_late=True)
def inscriptions_attente_purge_task() -> int:
    """Daily: delete waiting-list entries past their retention period (idempotent)."""
    return inscriptions_attente_purge()


BEAT_SCHEDULE = {
    "ecrivains-offres-expire": {
        "task": "ecrivains.tasks.offres_expire_task",
        "schedule": crontab(minute="*/5"),
    },
    "ecrivains-attente-retention": {
        "task": "ecrivains.tasks.inscriptions_attente_purge_task",
        "schedule": crontab(hour=3, minute=47),
    },
}
