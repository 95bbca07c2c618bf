"""Waiting-list retention: « fin de la permanence + 30 jours » (registre des traitements, line 3)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ecrivains.enums import StatutInscription
from pacte.booking.attente import inscriptions_attente_purge
from pacte.booking.models import InscriptionAttente, OffreCreneau
from pacte.journal import journal_record
from pacte.models import JournalEntry, Notification

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
JOUR = dt.timedelta(days=1)


def _inscription(permanence, nom, **fields):
    inscription = InscriptionAttente.objects.create(
        agenda=permanence.agenda, nom=nom, telephone="+33612345678", canal="en_ligne", **fields
    )
    journal_record(action="ecrivains.inscription_create", obj=inscription, message=f"Inscription de {nom}")
    Notification.objects.create(
        canal="sms",
        destinataire="+33612345678",
        corps=f"Bonjour {nom}, un créneau est libre : https://exemple.test/o/secret",
        object_type="booking.inscriptionattente",
        object_id=str(inscription.pk),
    )
    return inscription


@pytest.fixture
def liste(make_permanence):
    """Entries in every situation, created at NOW."""
    with time_machine.travel(NOW, tick=False):
        permanence = make_permanence(jour=1)
        fermee = make_permanence(jour=2, lieu="mairie-du-3e-arrondissement")
        fermee.is_active = False
        fermee.save()
        rows = {
            "date_passee": _inscription(permanence, "Aïcha", date_souhaitee=NOW.date() - 2 * JOUR),
            "date_future": _inscription(permanence, "Bruno", date_souhaitee=NOW.date() + 20 * JOUR),
            "sans_date": _inscription(permanence, "Chloé"),
            "retiree": _inscription(permanence, "Dmitri", statut=StatutInscription.RETIREE),
            "servie": _inscription(permanence, "Élodie", statut=StatutInscription.SERVIE),
            "permanence_fermee": _inscription(fermee, "Fatou"),
        }
        OffreCreneau.objects.create(
            inscription=rows["retiree"],
            agenda=permanence.agenda,
            debut=NOW + 2 * JOUR,
            expire_at=NOW + JOUR,
            statut="refusee",
        )
    return rows


def _restants():
    return set(InscriptionAttente.objects.values_list("nom", flat=True))


def test_entries_are_deleted_thirty_days_after_what_they_waited_for(liste):
    """29 days on, everything stays; 31 days on, only the entries still useful remain."""
    assert inscriptions_attente_purge(now=NOW + 27 * JOUR) == 0  # the wanted date is 29 days past
    assert len(_restants()) == 6
    assert inscriptions_attente_purge(now=NOW + 31 * JOUR) == 4
    assert _restants() == {"Bruno", "Chloé"}
    assert inscriptions_attente_purge(now=NOW + 31 * JOUR) == 0  # idempotent
    # Bruno waited for a date 20 days after NOW: deleted 30 days after that date, not before.
    assert inscriptions_attente_purge(now=NOW + 49 * JOUR) == 0
    assert inscriptions_attente_purge(now=NOW + 51 * JOUR) == 1
    assert inscriptions_attente_purge(now=NOW + 400 * JOUR) == 0
    assert _restants() == {"Chloé"}  # still waiting for any date of a running permanence


def test_purge_takes_offers_messages_and_journal_text_with_it(liste):
    """Nothing about a deleted entry stays: its offers, its messages' text, its journal text."""
    gone = [liste[k].pk for k in ("date_passee", "retiree", "servie", "permanence_fermee")]
    inscriptions_attente_purge(now=NOW + 61 * JOUR)
    assert not OffreCreneau.objects.exists()
    messages = Notification.objects.filter(object_id__in=[str(pk) for pk in gone])
    assert messages.count() == 4 and not messages.exclude(corps="").exists()
    assert not messages.exclude(destinataire="(anonymisé)").exists()
    entries = JournalEntry.objects.filter(action="ecrivains.inscription_create")
    assert {e.message for e in entries if e.object_id in {str(pk) for pk in gone}} == {""}
    assert entries.get(object_id=str(liste["sans_date"].pk)).message == "Inscription de Chloé"
    assert JournalEntry.objects.filter(action="booking.attente_purge").exists()


def test_the_purge_is_scheduled_in_beat():
    """The écrivains app declares the daily purge in its beat schedule (discovered by the kernel)."""
    from pacte.celery import app

    app.loader.import_default_modules()
    app.finalize(auto=True)
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "pacte.booking.tasks.inscriptions_attente_purge_task" in tasks
