"""Kernel tasks: the outbox sender, its periodic flush, and the kernel's retention purge."""

from celery import shared_task
from celery.schedules import crontab

from .notifications import notification_send, outbox_flush
from .retention import envois_temporaires_purge, kernel_purge


@shared_task(acks_late=True, max_retries=0)
def notification_send_task(notification_id: int) -> str:
    """Send one outbox row (idempotent: a sent row is skipped)."""
    return notification_send(notification_id=notification_id)


@shared_task(acks_late=True)
def outbox_flush_task() -> int:
    """Send every due pending outbox row (idempotent)."""
    return outbox_flush()


@shared_task(acks_late=True)
def kernel_purge_task() -> dict:
    """Apply the kernel's retention periods (idempotent)."""
    return kernel_purge()


@shared_task(acks_late=True)
def envois_temporaires_purge_task() -> int:
    """Delete the attachments kept for forms never sent, after a day (idempotent)."""
    return envois_temporaires_purge()


BEAT_SCHEDULE = {
    "outbox-flush": {"task": "pacte.tasks.outbox_flush_task", "schedule": crontab(minute="*")},
    "kernel-purge": {"task": "pacte.tasks.kernel_purge_task", "schedule": crontab(hour=3, minute=17)},
    "envois-temporaires-purge": {
        "task": "pacte.tasks.envois_temporaires_purge_task",
        "schedule": crontab(minute=41),
    },
}
