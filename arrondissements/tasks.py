"""Beat tasks: reminders before the deadline and escalation when overdue (thin, idempotent)."""

from celery import shared_task
from celery.schedules import crontab

from .retention import demandes_appui_anonymise
from .services import escalades_envoyer, relances_envoyer


@shared_task(acks_late=True)
def relances_envoyer_task() -> int:
    """Queue the reminders due today (idempotent)."""
    return relances_envoyer()


@shared_task(acks_late=True)
def escalades_envoyer_task() -> int:
    """Queue the escalations of overdue requests (idempotent)."""
    return escalades_envoyer()


@shared_task(acks_late=True)
def demandes_appui_anonymise_task() -> int:
    """Daily: anonymise the requests past « mandat + 1 an » (idempotent)."""
    return demandes_appui_anonymise()


BEAT_SCHEDULE = {
    "arrondissements-relances": {
        "task": "arrondissements.tasks.relances_envoyer_task",
        "schedule": crontab(minute=0, hour="8", day_of_week="1-5"),
    },
    "arrondissements-escalades": {
        "task": "arrondissements.tasks.escalades_envoyer_task",
        "schedule": crontab(minute=30, hour="8", day_of_week="1-5"),
    },
    "arrondissements-retention": {
        "task": "arrondissements.tasks.demandes_appui_anonymise_task",
        "schedule": crontab(hour=3, minute=53),
    },
}
