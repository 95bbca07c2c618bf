"""Cancelling a session: closure on the agenda, booked people told, waiting list told."""

from __future__ import annotations

import pytest
from django.core import mail

from ecrivains import services
from ecrivains.models import SeanceAnnulee
from pacte.booking.models import Reservation, Statut
from pacte.booking.selectors import creneau_at
from pacte.booking.services import reservation_create

from .conftest import slot_of

pytestmark = pytest.mark.django_db


def test_cancelling_a_session_cancels_bookings_and_notifies(
    make_permanence, sms_outbox, django_capture_on_commit_callbacks
):
    """Every booked person of that day is cancelled through the engine and told; the slot closes."""
    permanence = make_permanence(slots=2, capacite=1)
    for i, email in enumerate(["un@example.org", "deux@example.org"]):
        reservation_create(
            agenda=permanence.agenda, debut=slot_of(permanence, i), nom=f"P{i}", prenom="", email=email
        )
    attente = services.inscription_create(
        permanence=permanence,
        nom="Attente",
        telephone="0611223344",
        date_souhaitee=slot_of(permanence).date(),
    )
    mail.outbox.clear()
    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seance = services.seance_cancel(
            permanence=permanence, date=slot_of(permanence).date(), motif="Écrivain malade"
        )
    assert seance.reservations_annulees == 2
    assert Reservation.objects.filter(statut=Statut.ANNULEE).count() == 2
    destinataires = {m.to[0] for m in mail.outbox}
    assert {"un@example.org", "deux@example.org"} <= destinataires
    assert creneau_at(permanence.agenda, debut=slot_of(permanence), pour_agent=True) is None
    attente.refresh_from_db()
    assert attente.date_souhaitee is None
    assert any("annulée" in str(m) and "+33611223344" in str(m) for m in sms_outbox)
    # No offer is made for a cancelled day.
    assert not permanence.agenda.offres_attente.exists()
    # Twice: one record.
    services.seance_cancel(permanence=permanence, date=slot_of(permanence).date(), motif="encore")
    assert SeanceAnnulee.objects.count() == 1
