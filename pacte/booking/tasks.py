"""Beat tasks of the booking engine: reminders, retention, expired holds, ended undo windows,
waiting-list offers. Thin: they call services."""

from celery import shared_task
from celery.schedules import crontab

from .attente import inscriptions_attente_purge, offres_expire
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


@shared_task(acks_late=True)
def offres_expire_task() -> int:
    """Expire the waiting-list offers past their deadline and pass each slot to the next person
    (idempotent)."""
    return offres_expire()


@shared_task(acks_late=True)
def inscriptions_attente_purge_task() -> int:
    """Daily: delete waiting-list entries past their retention period (idempotent)."""
    return inscriptions_attente_purge()


BEAT_SCHEDULE = {
    "booking-attente-offres-expire": {
        "task": "pacte.booking.tasks.offres_expire_task",
        "schedule": crontab(minute="*/5"),
    },
    "booking-attente-retention": {
        "task": "pacte.booking.tasks.inscriptions_attente_purge_task",
        "schedule": crontab(hour=3, minute=47),
    },
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
