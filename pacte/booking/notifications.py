"""Messages of the booking engine, queued in the kernel outbox (sent after commit, retried).

Keys (`cle`) make each message idempotent: confirmation, cancellation and move once per
reservation (and slot), the reminder once per reservation and start time.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pacte.notifications import attachment, notification_queue_template
from pacte.phones import phone_display, phone_is_mobile

from .models import Reservation


def ics_bytes(reservation: Reservation) -> bytes:
    """An iCalendar file (one VEVENT) for the appointment, made with `icalendar`."""
    import icalendar

    agenda = reservation.agenda
    lieu = agenda.lieu
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Ville de Lyon//Pacte usagers//FR")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"{reservation.uuid}@pacte.lyon.fr")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", reservation.debut)
    event.add("dtend", reservation.fin)
    event.add("summary", f"Rendez-vous : {agenda.titre}")
    event.add("location", ", ".join(p for p in [lieu.nom, lieu.adresse_complete] if p))
    description = [f"Référence : {reservation.reference}"]
    if agenda.a_apporter_liste:
        description.append("À apporter : " + " ; ".join(agenda.a_apporter_liste))
    if lieu.telephone:
        description.append(f"Contact : {lieu.telephone}")
    event.add("description", "\n".join(description))
    if reservation.statut == "annulee":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Rendez-vous : {agenda.titre}")
    alarm.add("trigger", dt.timedelta(hours=-2))
    event.add_component(alarm)
    cal.add_component(event)
    return cal.to_ical()


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
    from django.utils.formats import date_format

    heure = f"{debut.hour} h" + (f" {debut.minute:02d}" if debut.minute else "")
    return f"{date_format(debut, 'l j F Y')} à {heure}"


def _sms_ok(reservation: Reservation) -> bool:
    return bool(reservation.telephone) and phone_is_mobile(reservation.telephone)


def _send(
    reservation: Reservation, *, kind: str, sujet: str, cle_suffix: str, context: dict, ics=False
) -> None:
    if reservation.email:
        pieces = [attachment("rendez-vous.ics", "text/calendar", ics_bytes(reservation))] if ics else None
        notification_queue_template(
            canal="email",
            destinataire=reservation.email,
            template=f"booking/emails/{kind}.txt",
            context=context,
            sujet=sujet,
            pieces_jointes=pieces,
            obj=reservation,
            cle=f"booking:{kind}:{reservation.pk}:{cle_suffix}:email",
        )
    if _sms_ok(reservation):
        notification_queue_template(
            canal="sms",
            destinataire=reservation.telephone,
            template=f"booking/sms/{kind}.txt",
            context=context,
            obj=reservation,
            cle=f"booking:{kind}:{reservation.pk}:{cle_suffix}:sms",
        )


def notify_confirmation(*, reservation: Reservation, token: str) -> None:
    """Confirmation with the secret link (email with ICS, and SMS to a mobile)."""
    lien = settings.SITE_URL + reverse("booking:gerer", args=[token])
    _send(
        reservation,
        kind="confirmation",
        sujet=f"Votre rendez-vous du {timezone.localtime(reservation.debut):%d/%m/%Y} est confirmé",
        cle_suffix="1",
        context=_context(reservation, lien=lien),
        ics=True,
    )


def notify_cancellation(*, reservation: Reservation) -> None:
    _send(
        reservation,
        kind="annulation",
        sujet="Votre rendez-vous est annulé",
        cle_suffix="1",
        context=_context(reservation),
    )


def notify_move(*, reservation: Reservation, ancien_debut: dt.datetime) -> None:
    _send(
        reservation,
        kind="deplacement",
        sujet=f"Votre rendez-vous est déplacé au {timezone.localtime(reservation.debut):%d/%m/%Y}",
        cle_suffix=reservation.debut.isoformat(),
        context=_context(reservation, ancien=_quand(timezone.localtime(ancien_debut))),
        ics=True,
    )


def notify_reminder(*, reservation: Reservation) -> None:
    # The key starts with booking:rappel:<pk>: so a cancellation or a move can cancel it.
    context = _context(reservation)
    cle = f"booking:rappel:{reservation.pk}:{reservation.debut.isoformat()}"
    if reservation.email:
        notification_queue_template(
            canal="email",
            destinataire=reservation.email,
            template="booking/emails/rappel.txt",
            context=context,
            sujet=f"Rappel : votre rendez-vous du {timezone.localtime(reservation.debut):%d/%m/%Y}",
            obj=reservation,
            cle=cle + ":email",
        )
    if _sms_ok(reservation):
        notification_queue_template(
            canal="sms",
            destinataire=reservation.telephone,
            template="booking/sms/rappel.txt",
            context=context,
            obj=reservation,
            cle=cle + ":sms",
        )


__all__ = [
    "ics_bytes",
    "notify_cancellation",
    "notify_confirmation",
    "notify_move",
    "notify_reminder",
    "phone_display",
]
