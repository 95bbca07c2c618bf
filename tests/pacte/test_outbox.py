"""The notification outbox: queued in the transaction, sent once, retried with backoff, flushed by beat."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from pacte.models import Notification, StatutNotification
from pacte.notifications import attachment, notification_queue, notification_send, outbox_flush

pytestmark = pytest.mark.django_db


def test_email_is_sent_on_commit_with_attachment(django_capture_on_commit_callbacks):
    """A queued email is sent after commit, with its attachment, and marked sent."""
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_queue(
            canal="email",
            destinataire="a@example.org",
            sujet="Sujet",
            corps="Bonjour",
            pieces_jointes=[attachment("rdv.ics", "text/calendar", b"BEGIN:VCALENDAR")],
        )
    notification.refresh_from_db()
    assert notification.statut == StatutNotification.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][0] == "rdv.ics"


def test_sms_goes_through_the_backend(django_capture_on_commit_callbacks, sms_outbox):
    """An SMS is handed to the configured backend."""
    with django_capture_on_commit_callbacks(execute=True):
        notification_queue(canal="sms", destinataire="+33612345678", corps="Votre rendez-vous")
    assert sms_outbox == [{"to": "+33612345678", "body": "Votre rendez-vous"}]


def test_idempotency_key_queues_once():
    """The same key queues one message."""
    first = notification_queue(canal="email", destinataire="a@example.org", corps="x", cle="k1")
    second = notification_queue(canal="email", destinataire="a@example.org", corps="x", cle="k1")
    assert first.pk == second.pk
    assert Notification.objects.count() == 1


def test_failure_is_recorded_and_retried_later(settings):
    """A delivery failure keeps the row pending with the error and a later attempt time."""
    settings.SMS_BACKEND = "pacte.sms.HttpBackend"
    settings.SMS_HTTP_URL = ""
    notification = notification_queue(canal="sms", destinataire="+33612345678", corps="x")
    assert notification_send(notification_id=notification.pk) == StatutNotification.PENDING
    notification.refresh_from_db()
    assert notification.tentatives == 1
    assert "SMS_HTTP_URL" in notification.derniere_erreur
    assert notification.next_attempt_at > timezone.now()
    # Not due yet: the flush leaves it alone.
    assert outbox_flush() == 0
    settings.SMS_BACKEND = "pacte.sms.LocmemBackend"
    Notification.objects.filter(pk=notification.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_flush() == 1
    notification.refresh_from_db()
    assert notification.statut == StatutNotification.SENT and notification.derniere_erreur == ""


def test_gives_up_after_max_attempts(settings):
    """After OUTBOX_MAX_ATTEMPTS failures the message is marked failed, visibly."""
    settings.MAILERS = {"default": {"BACKEND": "tests.pacte.broken_mail.Backend"}}
    settings.OUTBOX_MAX_ATTEMPTS = 2
    notification = notification_queue(canal="email", destinataire="a@example.org", corps="x")
    notification_send(notification_id=notification.pk)
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    assert notification_send(notification_id=notification.pk) == StatutNotification.FAILED


def test_sent_message_is_never_sent_twice():
    """Sending an already sent row does nothing."""
    notification = notification_queue(canal="email", destinataire="a@example.org", corps="x")
    assert notification_send(notification_id=notification.pk) == StatutNotification.SENT
    assert notification_send(notification_id=notification.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_delayed_message_waits_for_its_time():
    """A reminder queued for later is not sent before its time."""
    later = timezone.now() + timedelta(hours=3)
    notification = notification_queue(canal="email", destinataire="a@example.org", corps="x", send_at=later)
    assert outbox_flush() == 0
    assert notification_send(notification_id=notification.pk) == "not-due"
    assert mail.outbox == []
