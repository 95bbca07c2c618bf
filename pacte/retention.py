"""Retention of the kernel's own personal data and logs (see docs/registre-traitements.md)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from .models import CompteurLimite, Notification, StatutNotification


def kernel_purge(*, now=None) -> dict[str, int]:
    """Delete delivered/failed outbox rows, old sign-in logs, expired sessions and stale counters."""
    now = now or timezone.now()
    days = settings.RETENTION_OUTBOX_DAYS
    done = {}
    done["notifications"] = Notification.objects.filter(
        created_at__lt=now - timedelta(days=days),
        statut__in=[StatutNotification.SENT, StatutNotification.FAILED, StatutNotification.CANCELLED],
    ).delete()[0]
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    log_days = settings.RETENTION_LOGIN_LOG_DAYS
    cutoff = now - timedelta(days=log_days)
    done["access_logs"] = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    done["access_failures"] = AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    done["access_attempts"] = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0]
    done["sessions"] = Session.objects.filter(expire_date__lt=now).delete()[0]
    stale_window = int((now - timedelta(days=2)).timestamp())
    done["rate_counters"] = CompteurLimite.objects.filter(fenetre__lt=stale_window).delete()[0]
    return done
