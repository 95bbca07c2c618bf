"""The notification outbox (G5): a database row per email or SMS, sent by Celery and retried.

Writers call `notification_queue(...)` inside their transaction; the send is scheduled on commit.
If the broker is down the row simply waits: the beat task `outbox_flush_task` sends what is pending.
Sending locks the row (SELECT … FOR UPDATE SKIP LOCKED) so a message is sent exactly once.
"""

from __future__ import annotations

import base64
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Canal, Notification, StatutNotification
from .sms import send_sms

logger = logging.getLogger(__name__)


def _schedule_send(notification_id: int) -> None:
    from .tasks import notification_send_task

    try:
        notification_send_task.delay(notification_id)
    except Exception:  # broker down: the row stays pending and the beat flush sends it later
        logger.warning("Broker unavailable, notification %s left in the outbox", notification_id)


def notification_queue(
    *,
    canal: str,
    destinataire: str,
    corps: str,
    sujet: str = "",
    corps_html: str = "",
    pieces_jointes: list[dict] | None = None,
    obj=None,
    cle: str | None = None,
    send_at=None,
) -> Notification | None:
    """Queue one email or SMS in the outbox and schedule its sending after commit.

    `cle` makes the call idempotent: a second call with the same key queues nothing and returns
    the existing row. `send_at` delays the message (for instance a reminder). Returns None when
    `destinataire` is empty.
    """
    if not destinataire:
        return None
    if cle:
        existing = Notification.objects.filter(cle=cle).first()
        if existing:
            return existing
    fields = dict(
        canal=canal,
        destinataire=destinataire,
        sujet=sujet[:250],
        corps=corps,
        corps_html=corps_html,
        pieces_jointes=pieces_jointes or [],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        cle=cle,
        next_attempt_at=send_at or timezone.now(),
    )
    try:
        with transaction.atomic():
            notification = Notification.objects.create(**fields)
    except IntegrityError:
        return Notification.objects.get(cle=cle)
    if send_at is None or send_at <= timezone.now():
        transaction.on_commit(lambda: _schedule_send(notification.pk))
    return notification


def notification_queue_template(
    *, canal: str, destinataire: str, template: str, context: dict, sujet: str = "", **kwargs
) -> Notification | None:
    """Render `template` (a .txt template; `template` with .html for emails if it exists) and queue it."""
    context = {"site_url": settings.SITE_URL, "lyon_en_direct": settings.LYON_EN_DIRECT_PHONE, **context}
    corps = render_to_string(template, context).strip()
    return notification_queue(canal=canal, destinataire=destinataire, sujet=sujet, corps=corps, **kwargs)


def attachment(filename: str, mimetype: str, content: bytes) -> dict:
    """Build an attachment entry for `notification_queue(pieces_jointes=[...])`."""
    return {"filename": filename, "mimetype": mimetype, "content_b64": base64.b64encode(content).decode()}


def _deliver(notification: Notification) -> None:
    if notification.canal == Canal.SMS:
        send_sms(to=notification.destinataire, body=notification.corps)
        return
    message = EmailMultiAlternatives(
        subject=notification.sujet,
        body=notification.corps,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.destinataire],
    )
    if notification.corps_html:
        message.attach_alternative(notification.corps_html, "text/html")
    for item in notification.pieces_jointes:
        message.attach(item["filename"], base64.b64decode(item["content_b64"]), item["mimetype"])
    message.send(fail_silently=False)


def notification_send(*, notification_id: int) -> str:
    """Send one pending notification exactly once; on failure record the error and back off.

    Returns the resulting status. Safe to call twice concurrently: the row is locked and skipped
    by the second caller.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, statut=StatutNotification.PENDING)
            .first()
        )
        if notification is None:
            return "skipped"
        if notification.next_attempt_at > timezone.now():
            return "not-due"
        notification.tentatives += 1
        try:
            _deliver(notification)
        except Exception as exc:  # any delivery failure is recorded, never raised to the caller
            notification.derniere_erreur = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.tentatives >= settings.OUTBOX_MAX_ATTEMPTS:
                notification.statut = StatutNotification.FAILED
            else:
                backoff = min(2**notification.tentatives, 240)
                notification.next_attempt_at = timezone.now() + timedelta(minutes=backoff)
        else:
            notification.statut = StatutNotification.SENT
            notification.sent_at = timezone.now()
            notification.derniere_erreur = ""
        notification.save(
            update_fields=["tentatives", "derniere_erreur", "statut", "sent_at", "next_attempt_at"]
        )
        return notification.statut


def outbox_flush(*, limit: int = 500) -> int:
    """Send every due pending notification (the beat task). Returns how many were sent."""
    due = list(
        Notification.objects.filter(statut=StatutNotification.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if notification_send(notification_id=pk) == StatutNotification.SENT)


def notification_cancel(*, obj=None, cle_prefix: str | None = None) -> int:
    """Cancel pending notifications about `obj` (or whose key starts with `cle_prefix`)."""
    qs = Notification.objects.filter(statut=StatutNotification.PENDING)
    if obj is not None:
        qs = qs.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    if cle_prefix:
        qs = qs.filter(cle__startswith=cle_prefix)
    return qs.update(statut=StatutNotification.CANCELLED)
