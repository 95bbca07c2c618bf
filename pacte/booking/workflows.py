"""The reservation workflow: the transition table of a reservation's status.

    confirmée → annulée (frees the place, or holds it for the undo window when an agent cancels
                on someone's behalf) | honorée (arrivé) | absent — attendance from the
                appointment's day on, never before
    honorée ⇄ absent (correction of a mistaken mark)
    honorée, absent → confirmée (a mark undone), the appointment's day only
    annulée → confirmée (an agent undoes a cancellation), within the undo window only

Moves of time (`reservation_move`) keep the status. The mechanism (row lock, journal) is
`pacte.workflows.transition`; the services in `pacte.booking.services` call it with this table.
The guards read the clock (`timezone.now()`), which tests pin.

The waiting list (`pacte.booking.attente`):

Offer (a freed slot proposed through a secret link):
    ouverte → acceptée (booked) | refusée | expirée (no answer in time) | caduque (slot taken,
    session cancelled); the four outcomes are final.
Registration on the list:
    en attente → offre en cours | retirée
    offre en cours → en attente (declined, or the slot went) | servie (booked)
                   | sans réponse (offer expired) | retirée
    sans réponse → retirée;  servie, retirée: final (a person registers again if needed)
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from pacte.workflows import Table

from .models import Reservation, Statut, StatutInscription, StatutOffre


def jour_du_rendez_vous(reservation: Reservation) -> dt.date:
    """The local date of the appointment."""
    return timezone.localtime(reservation.debut).date()


def presence_ouverte(reservation: Reservation, actor=None) -> bool:
    """Attendance can be marked from the appointment's day on (not two days early)."""
    return timezone.localdate() >= jour_du_rendez_vous(reservation)


def correction_ouverte(reservation: Reservation, actor=None) -> bool:
    """A mark goes back to « Confirmé » on the appointment's day only."""
    return timezone.localdate() == jour_du_rendez_vous(reservation)


def annulation_reversible_jusqua(reservation: Reservation) -> dt.datetime | None:
    """Until when a cancellation can be undone (None when it is not cancelled)."""
    if reservation.statut != Statut.ANNULEE or reservation.annulee_at is None:
        return None
    return reservation.annulee_at + dt.timedelta(seconds=settings.BOOKING_ANNULATION_DELAI_SECONDES)


def annulation_reversible(reservation: Reservation, actor=None) -> bool:
    """Within the undo window of its cancellation (the service also needs the place still held)."""
    jusqua = annulation_reversible_jusqua(reservation)
    return jusqua is not None and timezone.now() < jusqua


TRANSITIONS = {
    Statut.CONFIRMEE: {
        Statut.ANNULEE: None,
        Statut.HONOREE: presence_ouverte,
        Statut.ABSENT: presence_ouverte,
    },
    Statut.HONOREE: {Statut.ABSENT: None, Statut.CONFIRMEE: correction_ouverte},
    Statut.ABSENT: {Statut.HONOREE: None, Statut.CONFIRMEE: correction_ouverte},
    Statut.ANNULEE: {Statut.CONFIRMEE: annulation_reversible},
}

TABLE = Table(moves=TRANSITIONS, labels=Statut, journal="booking.reservation_mark")


OF, INS = StatutOffre, StatutInscription

OFFRE_TRANSITIONS: dict[str, set[str]] = {
    OF.OUVERTE: {OF.ACCEPTEE, OF.REFUSEE, OF.EXPIREE, OF.CADUQUE},
    OF.ACCEPTEE: set(),
    OF.REFUSEE: set(),
    OF.EXPIREE: set(),
    OF.CADUQUE: set(),
}

INSCRIPTION_TRANSITIONS: dict[str, set[str]] = {
    INS.EN_ATTENTE: {INS.OFFRE_EN_COURS, INS.RETIREE},
    INS.OFFRE_EN_COURS: {INS.EN_ATTENTE, INS.SERVIE, INS.SANS_REPONSE, INS.RETIREE},
    INS.SANS_REPONSE: {INS.RETIREE},
    INS.SERVIE: set(),
    INS.RETIREE: set(),
}

OFFRE_TABLE = Table(moves=OFFRE_TRANSITIONS, labels=StatutOffre, journal="booking.offre")
INSCRIPTION_TABLE = Table(
    moves=INSCRIPTION_TRANSITIONS, labels=StatutInscription, journal="booking.inscription"
)
