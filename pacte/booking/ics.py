"""iCalendar (.ics) of the booking engine, made with `icalendar`: one mechanism for every calendar
the portal hands out.

- `ics_bytes(reservation)`: the citizen's own appointment (attached to the confirmation and move
  emails, downloadable behind the secret link): full details of their appointment, a reminder.
- `flux_bytes(reservations)`: a staff member's subscribed feed of the agendas they work (the
  calendar app polls it through a secret link, `pacte.booking.views.flux_agenda`). The person is
  only « Prénom I. » and the booking reference: never a phone number, an email, a full surname, a
  need or a note, because a calendar app copies what it reads to servers and phones the City does
  not control. The details stay behind the sign-in, on the appointment's page (the event's URL).

Both share the calendar envelope (PRODID, VTIMEZONE of Europe/Paris) and the event core (UID
stable across versions of the appointment, DTSTART/DTEND in local time, LOCATION = the lieu,
STATUS:CANCELLED for a cancelled appointment).
"""

from __future__ import annotations

import datetime as dt

import icalendar
from django.urls import reverse
from django.utils import timezone

from pacte.site import absolute_url

from .models import Reservation, Statut

PRODID = "-//Ville de Lyon//Pacte usagers//FR"
UID_DOMAIN = "pacte.lyon.fr"


def _calendar(**properties) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    for name, value in properties.items():
        cal.add(name.replace("_", "-"), value)
    return cal


def _to_bytes(cal: icalendar.Calendar) -> bytes:
    """The calendar with the VTIMEZONE of every TZID it uses (RFC 5545 §3.6.5), its transitions
    limited to a year around the events (not 1970–2038), serialised (UTF-8, lines folded at
    75 octets, text escaped by `icalendar`)."""
    events = cal.walk("VEVENT")
    if events:
        marge = dt.timedelta(days=366)
        cal.add_missing_timezones(
            first_date=min(e.decoded("dtstart") for e in events).date() - marge,
            last_date=max(e.decoded("dtend") for e in events).date() + marge,
        )
    return cal.to_ical()


def _event(
    reservation: Reservation, *, summary: str, description: str, stamp: dt.datetime
) -> icalendar.Event:
    """The event core shared by every calendar: same UID for the same appointment everywhere."""
    agenda = reservation.agenda
    lieu = agenda.lieu
    event = icalendar.Event()
    event.add("uid", f"{reservation.uuid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", timezone.localtime(reservation.debut))
    event.add("dtend", timezone.localtime(reservation.fin))
    event.add("summary", summary)
    event.add("location", ", ".join(p for p in [lieu.nom, lieu.adresse_complete] if p))
    event.add("description", description)
    event.add("status", "CANCELLED" if reservation.statut == Statut.ANNULEE else "CONFIRMED")
    return event


# --- the citizen's appointment --------------------------------------------------------------------


def ics_bytes(reservation: Reservation) -> bytes:
    """An iCalendar file (one VEVENT, a reminder 2 hours before) for the citizen's appointment."""
    agenda = reservation.agenda
    lieu = agenda.lieu
    description = [f"Référence : {reservation.reference}"]
    if agenda.a_apporter_liste:
        description.append("À apporter : " + " ; ".join(agenda.a_apporter_liste))
    if lieu.telephone:
        description.append(f"Contact : {lieu.telephone}")
    event = _event(
        reservation,
        summary=f"Rendez-vous : {agenda.titre}",
        description="\n".join(description),
        stamp=timezone.now(),
    )
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Rendez-vous : {agenda.titre}")
    alarm.add("trigger", dt.timedelta(hours=-2))
    event.add_component(alarm)
    cal = _calendar()
    cal.add_component(event)
    return _to_bytes(cal)


# --- a staff member's feed ------------------------------------------------------------------------


def personne_courte(reservation: Reservation) -> str:
    """The person as the feed names them: first name and the surname's initial (« Zoë D. »), the
    initial alone without a first name, "" for an anonymised or nameless appointment."""
    prenom = " ".join(reservation.prenom.split())
    nom = reservation.nom.strip()
    initiale = next((c for c in nom if c.isalnum()), "")
    return " ".join(p for p in [prenom, f"{initiale.upper()}." if initiale else ""] if p)


FLUX_NOM = "Mes rendez-vous — Pacte usagers (Ville de Lyon)"
FLUX_RAFRAICHIR = dt.timedelta(hours=1)


def flux_bytes(reservations) -> bytes:
    """The staff feed: one VEVENT per appointment of `reservations` (agenda and lieu loaded with
    them): SUMMARY « démarche or permanence — Prénom I. (reference) », DESCRIPTION the reference,
    the channel and the status, URL the appointment's page in the staff space (sign-in needed).
    No query beyond the iteration of `reservations`."""
    cal = _calendar(
        name=FLUX_NOM,
        x_wr_calname=FLUX_NOM,
        x_wr_timezone=str(timezone.get_current_timezone()),
        refresh_interval=FLUX_RAFRAICHIR,
    )
    cal["refresh-interval"].params["VALUE"] = "DURATION"
    cal["x-published-ttl"] = cal["refresh-interval"].to_ical().decode()  # PT1H (Outlook reads this one)
    for reservation in reservations:
        qui = personne_courte(reservation)
        titre = (
            f"{reservation.agenda.titre} — {qui} ({reservation.reference})"
            if qui
            else (f"{reservation.agenda.titre} ({reservation.reference})")
        )
        if reservation.statut == Statut.ANNULEE:
            titre = f"Annulé : {titre}"
        page = absolute_url(reverse("booking:agent_reservation", args=[reservation.uuid]))
        event = _event(
            reservation,
            summary=titre,
            description="\n".join(
                [
                    f"Référence : {reservation.reference}",
                    f"Statut : {reservation.get_statut_display()}",
                    f"Canal : {reservation.get_canal_display()}",
                    f"Fiche du rendez-vous (connexion requise) : {page}",
                ]
            ),
            stamp=reservation.updated_at,
        )
        event.add("url", page)
        event.add("last-modified", reservation.updated_at)
        cal.add_component(event)
    return _to_bytes(cal)
