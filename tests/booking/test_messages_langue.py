"""Messages in the person's language (#17.3): a booking made in Arabic gets its confirmation and its
reminder in Arabic, an agent's booking for an English speaker in English, staff messages stay
French, and the agents see who speaks what (« parle arabe »)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from demarches import services as rappels
from pacte.booking.models import Reservation
from pacte.booking.selectors import prochain_creneau
from pacte.booking.services import flux_agenda_create, reminders_send, reservation_create
from pacte.models import Notification
from pacte.roles import Role

from .conftest import at

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 7, 5, 8, 0, tzinfo=dt.UTC)  # Monday 10:00 in Lyon
MARDI = dt.date(2027, 7, 6)


def test_a_booking_made_on_ar_gets_its_messages_and_reminder_in_arabic(
    client, make_agenda, sms_outbox, django_capture_on_commit_callbacks
):
    """Booked on /ar/…: confirmation email and SMS in Arabic with a link under /ar/; the reminder,
    queued later by the beat task (French active), in Arabic too."""
    agenda = make_agenda(horizon_jours=400, delai_min_heures=24)
    with time_machine.travel(NOW, tick=False):
        slot = prochain_creneau(agenda)  # Tuesday 6 July 2027, 10:00
        with translation.override("ar"):
            url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
        assert url.startswith("/ar/reservation/")
        page = client.get(url)
        data = {
            "nom": "Haddad",
            "prenom": "Amina",
            "telephone": "06 12 34 56 78",
            "email": "amina@example.org",
            "cle_idempotence": re.search(r'name="cle_idempotence" value="([^"]+)"', page.text).group(1),
        }
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, data).status_code == 302
    reservation = Reservation.objects.get(nom="Haddad")
    assert reservation.langue == "ar"
    confirmation = mail.outbox[0]
    assert confirmation.subject == "تم تأكيد موعدك يوم 06/07/2027"
    assert confirmation.extra_headers["Content-Language"] == "ar"
    [(html, mimetype)] = confirmation.alternatives  # the same text, right to left, links clickable
    assert mimetype == "text/html" and html.startswith('<div lang="ar" dir="rtl"><p>مرحبًا Amina Haddad،</p>')
    assert re.search(r'<a href="https?://[^/"]+/ar/reservation/gerer/[\w-]+/">', html)
    assert "تم تأكيد موعدك." in confirmation.body
    assert re.search(r"https?://[^/]+/ar/reservation/gerer/[\w-]+/", confirmation.body)  # the link in Arabic
    assert "الثلاثاء 6 يوليو 2027 الساعة 10:00" in confirmation.body  # dates and hours in Arabic
    assert "Bonjour" not in confirmation.body and "à relire" not in confirmation.body
    ics = confirmation.attachments[0][1]
    assert "SUMMARY:موعد: " in (ics.decode() if isinstance(ics, bytes) else ics)  # the calendar file too
    assert sms_outbox[0]["body"].startswith("بلدية ليون: تم تأكيد موعدك")
    assert set(Notification.objects.about(reservation).values_list("langue", flat=True)) == {"ar"}

    with (
        time_machine.travel(dt.datetime(2027, 7, 5, 9, 0, tzinfo=dt.UTC), tick=False),  # 23 h before
        translation.override("fr"),  # the worker's language
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reminders_send() == 1
    rappel = mail.outbox[-1]
    assert rappel.subject == "تذكير: موعدك يوم 06/07/2027" and "نذكّرك بموعدك." in rappel.body
    assert sms_outbox[-1]["body"].startswith("بلدية ليون: تذكير بموعدك")


def test_an_agent_books_for_an_english_speaker_and_staff_messages_stay_french(
    client, make_user, make_agenda, django_capture_on_commit_callbacks
):
    """« Langue de la personne : English » on the agent's form → the person's messages in English
    (with /en/ links); a message to an agent, even sent while Arabic is active, stays French; the
    planning says « parle anglais »."""
    agenda = make_agenda(capacite=2, places_agents=1)
    slot = prochain_creneau(agenda)
    agent = make_user(Role.AGENT, lieu=agenda.lieu)
    agent.email = "agent@example.org"
    agent.save(update_fields=["email"])
    client.force_login(agent)
    url = reverse("booking:agent_reserver", args=[agenda.uuid])
    page = client.get(url, {"creneau": slot.cle})
    assert "Langue de la personne" in page.text and '<option value="en"' in page.text
    data = {
        "canal": "telephone",
        "nom": "Smith",
        "prenom": "John",
        "telephone": "",
        "email": "john@example.org",
        "langue": "en",
        "cle_idempotence": re.search(r'name="cle_idempotence" value="([^"]+)"', page.text).group(1),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{url}?creneau={slot.cle}", data).status_code == 302
    booked = Reservation.objects.get(nom="Smith")
    assert booked.langue == "en"
    message = mail.outbox[-1]
    assert message.subject.startswith("Your appointment on ") and message.body.startswith("Hello John Smith,")
    assert "Your appointment is confirmed." in message.body and "Ville de Lyon (City of Lyon)" in message.body
    assert re.search(r"https?://[^/]+/en/reservation/gerer/[\w-]+/", message.body)  # from a French page
    assert not message.alternatives  # left to right: plain text only, as in French

    with translation.override("ar"), django_capture_on_commit_callbacks(execute=True):
        flux_agenda_create(user=agent)
    staff = mail.outbox[-1]
    assert staff.to == ["agent@example.org"] and staff.subject == "Un lien vers votre agenda a été créé"
    assert staff.body.startswith("Bonjour")

    jour = booked.debut.date().isoformat()
    planning = client.get(reverse("booking:planning"), {"agenda": str(agenda.uuid), "jour": jour})
    assert (
        booked.reference in planning.text and '<span class="etiquette">parle anglais</span>' in planning.text
    )


def test_planning_and_callback_queue_say_who_speaks_arabic(client, make_user, agenda):
    """The planning says « parle arabe » (nothing for French); the callback queue too, and filters
    by language."""
    with time_machine.travel(NOW, tick=False):
        arabe, _ = reservation_create(
            agenda=agenda,
            debut=at(MARDI, "09:00"),
            nom="Haddad",
            prenom="A",
            email="a@example.org",
            langue="ar",
        )
        francais, _ = reservation_create(
            agenda=agenda, debut=at(MARDI, "09:30"), nom="Martin", prenom="B", email="b@example.org"
        )
        client.force_login(make_user(Role.AGENT))
        planning = client.get(
            reverse("booking:planning"), {"agenda": str(agenda.uuid), "jour": MARDI.isoformat()}
        )
    assert planning.text.count("parle arabe") == 1 and "parle français" not in planning.text
    assert arabe.reference in planning.text and francais.reference in planning.text

    with translation.override("ar"):
        demande_ar = rappels.demande_rappel_create(nom="Haddad", telephone="06 12 34 56 78", objet="Aide")
    demande_fr = rappels.demande_rappel_create(nom="Martin", telephone="06 98 76 54 32", objet="Aide")
    assert (demande_ar.langue, demande_fr.langue) == ("ar", "fr")
    file = client.get(reverse("demarches:rappel_file"))
    assert file.text.count("parle arabe") == 1 and 'aria-label="Filtrer les demandes par langue"' in file.text
    filtree = client.get(reverse("demarches:rappel_file"), {"langue": "ar"})
    assert demande_ar.reference in filtree.text and demande_fr.reference not in filtree.text
    assert demande_fr.reference in client.get(reverse("demarches:rappel_file"), {"langue": "xx"}).text
