"""Beat tasks of the booking engine: reminders, retention, expired holds, ended undo windows. Thin: they call services."""

from celery import shared_task
from celery.schedules import crontab

from .services import annulations_finalise, reminders_send, reservations_anonymise, retenues_purge


@shared_task(acks_late=True)
def reminders_send_task() -> int:
    """Queue due reminders (idempotent: one per reservation and start time)."""
    return reminders_send()


@shared_task(acks_late=True)
def reservations_anonymise_task() -> int:
    """Erase personal data of reservations past the retention period (idempotent)."""
    return reservations_anonymise()


@shared_task(acks_late=True)
def retenues_purge_task() -> int:
    """Reclaim expired holds (hygiene only: reads already count them as free; idempotent)."""
    return retenues_purge()


@shared_task(acks_late=True)
def annulations_finalise_task() -> int:
    """Free the places of cancellations whose undo window is over (idempotent)."""
    return annulations_finalise()


BEAT_SCHEDULE = {
    "booking-annulations": {
        "task": "pacte.booking.tasks.annulations_finalise_task",
        "schedule": crontab(minute="*"),
    },
    "booking-reminders": {
        "task": "pacte.booking.tasks.reminders_send_task",
        "schedule": crontab(minute="*/15"),
    },
    "booking-retention": {
        "task": "pacte.booking.tasks.reservations_anonymise_task",
        "schedule": crontab(hour=3, minute=30),
    },
    "booking-retenues": {
        "task": "pacte.booking.tasks.retenues_purge_task",
        "schedule": crontab(minute="*/30"),
    },
}
