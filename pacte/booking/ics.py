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
import hashlib
import json

import icalendar
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pacte import cache_reference
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
    # In the active language: the person's, when it goes with their message (`pacte.langues`).
    description = [_("Référence : {reference}").format(reference=reservation.reference)]
    if agenda.a_apporter_liste:
        description.append(_("À apporter : {liste}").format(liste=" ; ".join(agenda.a_apporter_liste)))
    if lieu.telephone:
        description.append(_("Contact : {telephone}").format(telephone=lieu.telephone))
    titre = _("Rendez-vous : {titre}").format(titre=agenda.titre)
    event = _event(
        reservation,
        summary=titre,
        description="\n".join(description),
        stamp=timezone.now(),
    )
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", titre)
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
_UUID_MODELE = "00000000-0000-4000-8000-000000000000"


def _flux_event(reservation: Reservation, libelles: dict) -> tuple[str, dict]:
    """The feed's event of `reservation` as plain values, and a key naming exactly that content
    (`libelles`: the status and channel labels and the page address, worked out once per feed)."""
    qui = personne_courte(reservation)
    titre = (
        f"{reservation.agenda.titre} — {qui} ({reservation.reference})"
        if qui
        else f"{reservation.agenda.titre} ({reservation.reference})"
    )
    if reservation.statut == Statut.ANNULEE:
        titre = f"Annulé : {titre}"
    page = libelles["page"].replace(_UUID_MODELE, str(reservation.uuid))
    lieu = reservation.agenda.lieu
    valeurs = {
        "uuid": str(reservation.uuid),
        "debut": timezone.localtime(reservation.debut).isoformat(),
        "fin": timezone.localtime(reservation.fin).isoformat(),
        "titre": titre,
        "lieu": ", ".join(p for p in [lieu.nom, lieu.adresse_complete] if p),
        "description": "\n".join(
            [
                f"Référence : {reservation.reference}",
                f"Statut : {libelles['statut'][reservation.statut]}",
                f"Canal : {libelles['canal'][reservation.canal]}",
                f"Fiche du rendez-vous (connexion requise) : {page}",
            ]
        ),
        "statut": "CANCELLED" if reservation.statut == Statut.ANNULEE else "CONFIRMED",
        "page": page,
        "modifie": reservation.updated_at.isoformat(),
    }
    cle = hashlib.sha256(json.dumps(valeurs, sort_keys=True).encode()).hexdigest()
    return cle, valeurs


def _flux_event_bytes(valeurs: dict) -> bytes:
    """One serialised VEVENT (`icalendar` escapes and folds it)."""
    event = icalendar.Event()
    modifie = dt.datetime.fromisoformat(valeurs["modifie"])
    event.add("uid", f"{valeurs['uuid']}@{UID_DOMAIN}")
    event.add("dtstamp", modifie)
    event.add(
        "dtstart", dt.datetime.fromisoformat(valeurs["debut"]).astimezone(timezone.get_current_timezone())
    )
    event.add("dtend", dt.datetime.fromisoformat(valeurs["fin"]).astimezone(timezone.get_current_timezone()))
    event.add("summary", valeurs["titre"])
    event.add("location", valeurs["lieu"])
    event.add("description", valeurs["description"])
    event.add("status", valeurs["statut"])
    event.add("url", valeurs["page"])
    event.add("last-modified", modifie)
    return event.to_ical()


def flux_bytes(reservations) -> bytes:
    """The staff feed: one VEVENT per appointment of `reservations` (agenda and lieu loaded with
    them): SUMMARY « démarche or permanence — Prénom I. (reference) », DESCRIPTION the reference,
    the channel and the status, URL the appointment's page in the staff space (sign-in needed).
    No query beyond the iteration of `reservations`.

    `icalendar` costs about a millisecond per event, which a mairie's feed (thousands of events,
    polled every hour by every agent's calendar app) would pay again on each poll. Each event is
    therefore serialised once per content: its bytes are kept in the shared cache under a hash of
    what it says (`pacte.cache_reference.cached_many`), so a poll rebuilds only the appointments
    made or changed since; an edit is never hidden, since a changed event has a new key."""
    cal = _calendar(
        name=FLUX_NOM,
        x_wr_calname=FLUX_NOM,
        x_wr_timezone=str(timezone.get_current_timezone()),
        refresh_interval=FLUX_RAFRAICHIR,
    )
    cal["refresh-interval"].params["VALUE"] = "DURATION"
    cal["x-published-ttl"] = cal["refresh-interval"].to_ical().decode()  # PT1H (Outlook reads this one)
    libelles = {
        "statut": {k: str(v) for k, v in Statut.choices},
        "canal": {k: str(v) for k, v in Reservation._meta.get_field("canal").choices},
        "page": absolute_url(reverse("booking:agent_reservation", args=[_UUID_MODELE])),
    }
    evenements = [_flux_event(r, libelles) for r in reservations]
    if not evenements:
        return cal.to_ical()
    par_cle = dict(evenements)
    corps = cache_reference.cached_many(
        "flux_evenement", par_cle, lambda cles: {c: _flux_event_bytes(par_cle[c]) for c in cles}
    )
    marge = dt.timedelta(days=366)
    debuts = [dt.date.fromisoformat(v["debut"][:10]) for v in par_cle.values()]
    fins = [dt.date.fromisoformat(v["fin"][:10]) for v in par_cle.values()]
    cal.add_component(
        icalendar.Timezone.from_tzid(
            str(timezone.get_current_timezone()), first_date=min(debuts) - marge, last_date=max(fins) + marge
        )
    )
    enveloppe = cal.to_ical()
    fin = b"END:VCALENDAR\r\n"
    assert enveloppe.endswith(fin)
    return enveloppe[: -len(fin)] + b"".join(corps[cle] for cle, _ in evenements) + fin
