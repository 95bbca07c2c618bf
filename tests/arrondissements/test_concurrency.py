"""Demandes d'appui under concurrency: a transition never works on a stale row (two real connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from arrondissements import services
from arrondissements.models import DemandeAppui
from arrondissements.services import demande_act, relances_envoyer
from pacte.models import JournalEntry
from pacte.workflows import TransitionInterdite

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(target, errors):
    def run():
        try:
            target()
        except Exception as exc:  # reported to the test's thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_taking_charge_does_not_undo_the_reminder_the_beat_just_sent(people, make_demande, monkeypatch):
    """The beat's reminder, committed while a référent acts on a page loaded before it, is kept:
    the request is not reminded twice."""
    demande = make_demande(echeance=timezone.localdate())  # due today: a reminder is due
    stale = DemandeAppui.objects.get(pk=demande.pk)  # the référent's page loaded the request
    inside, go = threading.Event(), threading.Event()
    notify = services._notify_direction

    def slow_notify(*args, **kwargs):
        notify(*args, **kwargs)
        inside.set()  # the beat holds the row (FOR UPDATE) and has queued the reminder
        go.wait(5)

    monkeypatch.setattr(services, "_notify_direction", slow_notify)
    errors = []
    beat = _in_thread(relances_envoyer, errors)
    assert inside.wait(10)
    timer = threading.Timer(0.3, go.set)
    timer.start()
    demande_act(stale, action="prendre_en_charge", actor=people["ref_dev"])
    beat.join(10)
    timer.join()
    assert errors == []
    demande.refresh_from_db()
    assert demande.statut == "prise_en_charge" and demande.relance_envoyee_at is not None
    monkeypatch.setattr(services, "_notify_direction", notify)
    assert relances_envoyer() == 0  # no second reminder
    assert JournalEntry.objects.filter(action="arrondissements.demande.relance").count() == 1


def test_two_sides_acting_at_once_leave_a_coherent_history(people, make_demande):
    """The élu completes while the référent closes, both from pages showing « en attente »: the
    moves are serialised, each checked against the status the other left, and the journal chains."""
    demande = make_demande(statut="en_attente_elu", attente_depuis=timezone.now())
    elu_page = DemandeAppui.objects.get(pk=demande.pk)
    referent_page = DemandeAppui.objects.get(pk=demande.pk)
    start = threading.Barrier(2)
    errors = []

    def elu():
        start.wait(5)
        demande_act(elu_page, action="completer", actor=people["elu6"], texte="Voici l'adresse")

    def referent():
        start.wait(5)
        demande_act(referent_page, action="cloturer", actor=people["ref_dev"], texte="Classé")

    threads = [_in_thread(elu, errors), _in_thread(referent, errors)]
    for thread in threads:
        thread.join(10)
    assert all(isinstance(exc, TransitionInterdite) for exc in errors) and len(errors) <= 1
    entries = JournalEntry.objects.for_object(demande).filter(data__has_key="vers").order_by("at", "id")
    chain = [(e.data["de"], e.data["vers"]) for e in entries]
    assert chain[0][0] == "en_attente_elu"
    assert all(prev[1] == nxt[0] for prev, nxt in zip(chain, chain[1:], strict=False)), chain
    demande.refresh_from_db()
    assert demande.statut == chain[-1][1] == "cloturee"
