"""Celery tasks of the tracker (thin: they call a service)."""

from celery import shared_task

from .services import abonnements_non_confirmes_purge


@shared_task
def abonnements_non_confirmes_purge_task() -> int:
    """Daily: forget the addresses of subscriptions never confirmed within 7 days."""
    return abonnements_non_confirmes_purge()
