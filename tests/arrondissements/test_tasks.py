"""Reminders before the deadline and escalation when overdue: outbox emails, idempotent, journaled."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from arrondissements.tasks import BEAT_SCHEDULE, escalades_envoyer_task, relances_envoyer_task
from pacte.models import JournalEntry, Notification

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def _at(day, hour=7):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def test_beat_schedule_declares_every_task():
    """Celery beat runs the reminders and the escalations every business day, and the retention purge."""
    assert {v["task"] for v in BEAT_SCHEDULE.values()} == {
        "arrondissements.tasks.relances_envoyer_task",
        "arrondissements.tasks.escalades_envoyer_task",
        "arrondissements.tasks.demandes_appui_anonymise_task",
    }


def test_reminder_goes_to_the_referents_two_business_days_before(
    people, make_demande, django_capture_on_commit_callbacks
):
    """Two business days before the deadline, each référent of the direction gets one reminder."""
    with time_machine.travel(MONDAY, tick=False):
        demande = make_demande(created_at=MONDAY)  # due Mon 16 March
    with time_machine.travel(_at(dt.date(2026, 3, 11)), tick=False):  # Wed: 3 business days left
        assert relances_envoyer_task() == 0
    with time_machine.travel(_at(dt.date(2026, 3, 12)), tick=False):  # Thu: 16 March is 2 business days away
        with django_capture_on_commit_callbacks(execute=True):
            assert relances_envoyer_task() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert relances_envoyer_task() == 0  # idempotent
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([people["ref_dev"].email, people["ref_dev2"].email, people["manager"].email])
    assert all("Rappel" in m.subject and demande.reference in m.subject for m in mail.outbox)
    assert JournalEntry.objects.filter(action="arrondissements.demande.relance").count() == 1


def test_reminder_goes_only_to_the_assignee_when_assigned(
    people, make_demande, django_capture_on_commit_callbacks
):
    """Once assigned, only the référent in charge is reminded."""
    with time_machine.travel(MONDAY, tick=False):
        make_demande(
            created_at=MONDAY, urgence="urgente", statut="prise_en_charge", assignee=people["ref_dev2"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert relances_envoyer_task() == 1
    assert [m.to for m in mail.outbox] == [[people["ref_dev2"].email]]


def test_escalation_to_the_manager_when_overdue_once(
    people, make_demande, django_capture_on_commit_callbacks
):
    """The day after the deadline the direction's manager gets one escalation email, never twice."""
    with time_machine.travel(MONDAY, tick=False):
        demande = make_demande(created_at=MONDAY, urgence="urgente", statut="prise_en_charge")  # due Wed 4
    with time_machine.travel(_at(dt.date(2026, 3, 4)), tick=False):
        assert escalades_envoyer_task() == 0  # due today: not late yet
    with (
        time_machine.travel(_at(dt.date(2026, 3, 5)), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert escalades_envoyer_task() == 1
    with (
        time_machine.travel(_at(dt.date(2026, 3, 6)), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert escalades_envoyer_task() == 0
    assert [m.to for m in mail.outbox] == [[people["manager"].email]]
    assert "en retard" in mail.outbox[0].subject and demande.reference in mail.outbox[0].body
    demande.refresh_from_db()
    assert demande.escalade_at is not None
    entry = JournalEntry.objects.get(action="arrondissements.demande.escalade")
    assert entry.data["destinataire"] == people["manager"].email
    assert Notification.objects.filter(cle__startswith="arrondissements:escalade:").count() == 1


def test_escalation_falls_back_to_the_direction_address(
    lieux, make_demande, django_capture_on_commit_callbacks
):
    """Without a manager, the escalation goes to the direction's contact address."""
    lieux["de"].email = "education@example.org"
    lieux["de"].save()
    with time_machine.travel(MONDAY, tick=False):
        make_demande(created_at=MONDAY - dt.timedelta(days=30), direction="de")
        with django_capture_on_commit_callbacks(execute=True):
            assert escalades_envoyer_task() == 1
    assert mail.outbox[0].to == ["education@example.org"]


def test_waiting_answered_and_closed_requests_are_neither_reminded_nor_escalated(people, make_demande):
    """The clock is paused while waiting for the élu; answered requests are done."""
    with time_machine.travel(MONDAY, tick=False):
        for statut in ("en_attente_elu", "repondue", "cloturee"):
            make_demande(created_at=MONDAY - dt.timedelta(days=40), statut=statut)
        assert relances_envoyer_task() == 0
        assert escalades_envoyer_task() == 0
