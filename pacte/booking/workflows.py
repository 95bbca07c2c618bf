"""The reservation workflow: the transition table of a reservation's status.

    confirmée → annulée (frees the place) | honorée (arrivé) | absent
    honorée ⇄ absent (correction of a mistaken mark)
    annulée: final

Moves of time (`reservation_move`) keep the status. The mechanism (row lock, journal) is
`pacte.workflows.transition`; the services in `pacte.booking.services` call it with this table.
"""

from __future__ import annotations

from pacte.workflows import Table

from .models import Statut

TRANSITIONS: dict[str, set[str]] = {
    Statut.CONFIRMEE: {Statut.ANNULEE, Statut.HONOREE, Statut.ABSENT},
    Statut.HONOREE: {Statut.ABSENT},
    Statut.ABSENT: {Statut.HONOREE},
    Statut.ANNULEE: set(),
}

TABLE = Table(moves=TRANSITIONS, labels=Statut, journal="booking.reservation_mark")
