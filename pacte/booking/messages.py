"""Messages of the booking engine, sent through `pacte.notifications.notify_person` (one policy).

Keys (`cle`) make each message idempotent: confirmation, cancellation and move once per
reservation (and slot), the reminder once per reservation and start time.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pacte.francais import date_texte, heure
from pacte.langues import dans_la_langue
from pacte.models import Canal
from pacte.notifications import Personne, attachment, notify_person
from pacte.site import absolute_url

from .ics import ics_bytes
from .models import Reservation


def _context(reservation: Reservation, **extra) -> dict:
    agenda = reservation.agenda
    debut = timezone.localtime(reservation.debut)
    return {
        "reservation": reservation,
        "agenda": agenda,
        "lieu": agenda.lieu,
        "debut": debut,
        "quand": _quand(debut),
        **extra,
    }


def _quand(debut: dt.datetime) -> str:
    """« mardi 1er décembre 2026 à 9 h » in the active language (the person's, `pacte.langues`)."""
    return _("{date} à {heure}").format(date=date_texte(debut, "l j F Y"), heure=heure(debut))


def _date(reservation: Reservation) -> str:
    return f"{timezone.localtime(reservation.debut):%d/%m/%Y}"


def personne(reservation: Reservation) -> Personne:
    """The person of a reservation, as the kernel's reaching policy reads them."""
    nom = " ".join(p for p in [reservation.prenom, reservation.nom] if p)
    return Personne(
        nom=nom,
        email=reservation.email,
        telephone=reservation.telephone,
        adresse=reservation.adresse_postale,
        langue=reservation.langue,
    )


def _repli_courrier(reservation: Reservation) -> str | None:
    """A letter when the person gave a postal address for it (an agent booked by phone)."""
    return Canal.COURRIER if reservation.adresse_postale else None


def _send(
    reservation: Reservation,
    *,
    kind: str,
    sujet: str,
    cle: str,
    context: dict,
    ics: bool = False,
    repli: str | None = None,
) -> list:
    pieces = [attachment("rendez-vous.ics", "text/calendar", ics_bytes(reservation))] if ics else None
    return notify_person(
        personne=personne(reservation),
        message=f"booking/{kind}",
        context=context,
        sujet=sujet,
        obj=reservation,
        cle=cle,
        repli=repli,
        pieces_jointes=pieces,
    )


def notify_confirmation(*, reservation: Reservation, token: str) -> None:
    """Confirmation with the secret link (email with ICS, SMS to a mobile).

    When neither reaches the person: a letter to post if the agent noted their postal address,
    otherwise no task (the confirmation page, or the agent on the phone, gave them the reference).
    """
    with dans_la_langue(reservation.langue):
        _send(
            reservation,
            kind="confirmation",
            sujet=_("Votre rendez-vous du {date} est confirmé").format(date=_date(reservation)),
            cle=f"booking:confirmation:{reservation.pk}:1",
            context=_context(reservation, lien=absolute_url(reverse("booking:gerer", args=[token]))),
            ics=True,
            repli=_repli_courrier(reservation),
        )


def cle_annulation(reservation: Reservation) -> str:
    """The key prefix of the messages of one cancellation (one per cancellation: an undone then
    repeated cancellation sends again)."""
    return f"booking:annulation:{reservation.pk}:{int(reservation.annulee_at.timestamp())}:"


def notify_cancellation(*, reservation: Reservation, send_at: dt.datetime | None = None) -> None:
    """The appointment is cancelled: email/SMS, or a call for the agents when neither reaches them.

    `send_at` delays the email/SMS (an agent's undo window); the call task shows at once.
    """
    with dans_la_langue(reservation.langue):
        notify_person(
            personne=personne(reservation),
            message="booking/annulation",
            context=_context(reservation),
            sujet=_("Votre rendez-vous est annulé"),
            obj=reservation,
            cle=cle_annulation(reservation).rstrip(":"),
            repli=Canal.APPEL,
            send_at=send_at,
        )


def notify_move(*, reservation: Reservation, ancien_debut: dt.datetime) -> None:
    """The appointment moved: email (with ICS)/SMS, or a call for the agents."""
    with dans_la_langue(reservation.langue):
        _send(
            reservation,
            kind="deplacement",
            sujet=_("Votre rendez-vous est déplacé au {date}").format(date=_date(reservation)),
            cle=f"booking:deplacement:{reservation.pk}:{reservation.debut.isoformat()}",
            context=_context(reservation, ancien=_quand(timezone.localtime(ancien_debut))),
            ics=True,
            repli=Canal.APPEL,
        )


def notify_reminder(*, reservation: Reservation) -> None:
    """The reminder before the appointment (email/SMS; a letter for a person reachable by post only)."""
    with dans_la_langue(reservation.langue):
        # The key starts with booking:rappel:<pk>: so a cancellation or a move can cancel it.
        _send(
            reservation,
            kind="rappel",
            sujet=_("Rappel : votre rendez-vous du {date}").format(date=_date(reservation)),
            cle=f"booking:rappel:{reservation.pk}:{reservation.debut.isoformat()}",
            context=_context(reservation),
            repli=_repli_courrier(reservation),
        )


__all__ = [
    "cle_annulation",
    "notify_cancellation",
    "notify_confirmation",
    "notify_move",
    "notify_reminder",
    "personne",
]
