"""Issue 15.3 in Chromium without JavaScript: an agent cancels a citizen's appointment on their
behalf (a reason, a confirmation) and undoes it within the window — plain forms and redirects.
Kept short on purpose (one page, explicit timeouts): it stalled under load when it was longer."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from pacte.booking.models import CompteurCreneau, Statut
from pacte.booking.services import reservation_create
from pacte.models import Notification
from pacte.roles import Role

from .conftest import at

pytestmark = pytest.mark.browser

LUNDI_MATIN = dt.datetime(2027, 7, 5, 6, 0, tzinfo=dt.UTC)  # Monday 8:00 in Lyon, the day of the slot
CONFIRMER = 'button:has-text("Confirmer l\'annulation")'


def test_agent_cancels_with_a_reason_then_undoes_without_javascript(
    page_nojs, live_server, make_agenda, make_user, login, settings, sms_outbox
):
    """Without JS: « Annuler… » opens the confirmation page; no reason → French message next to the
    field and nothing cancelled; with a reason the booking is cancelled (count drops, place freed
    but kept for the undo), no message leaves; « Rétablir » in the window restores it."""
    settings.BOOKING_ANNULATION_DELAI_SECONDES = 120
    page = page_nojs
    page.set_default_timeout(20000)
    page.set_default_navigation_timeout(30000)
    with time_machine.travel(LUNDI_MATIN, tick=True) as clock:
        jour = dt.date(2027, 7, 5)
        agenda = make_agenda(capacite=2)
        lea, _ = reservation_create(
            agenda=agenda, debut=at(jour, "10:00"), nom="Durand", prenom="Léa", telephone="06 12 34 56 78"
        )
        sms_outbox.clear()  # the booking's confirmation
        login(page, make_user(Role.AGENT, lieu=agenda.lieu))
        page.goto(f"{live_server.url}/reservation/agent/planning/?agenda={agenda.uuid}&jour={jour}")
        assert "1 rendez-vous (hors annulés)" in page.content()

        page.locator(f"#rdv-{lea.uuid} a:has-text('Annuler')").click()
        page.wait_for_url("**/annuler/**")
        page.click(CONFIRMER)  # no reason given
        page.wait_for_load_state("domcontentloaded")
        assert "Indiquez pourquoi le rendez-vous est annulé" in page.content()
        assert page.locator("#id_motif[aria-invalid=true]").count() == 1
        lea.refresh_from_db()
        assert lea.statut == Statut.CONFIRMEE

        page.fill("#id_motif", "La personne a appelé pour annuler")
        page.click(CONFIRMER)
        page.wait_for_url("**/planning/**")
        assert "0 rendez-vous (hors annulés)" in page.content()
        assert "Vous pouvez le rétablir jusqu'à" in page.content()
        lea.refresh_from_db()
        assert lea.statut == Statut.ANNULEE and lea.motif_annulation == "La personne a appelé pour annuler"
        annonce = Notification.objects.about(lea).filter(sujet__icontains="annulé")
        assert annonce.exists() and not annonce.exclude(statut="pending").exists()  # waits for the window
        assert CompteurCreneau.objects.get(agenda=agenda, debut=lea.debut).places_prises == 1

        clock.shift(dt.timedelta(seconds=60))
        page.locator(f"#rdv-{lea.uuid} button:has-text('Rétablir')").click()
        page.wait_for_url("**/planning/**")
        assert "Le rendez-vous est rétabli" in page.content()
        assert "1 rendez-vous (hors annulés)" in page.content()
        lea.refresh_from_db()
        assert lea.statut == Statut.CONFIRMEE
        assert sms_outbox == []  # no cancellation SMS
        assert not annonce.exclude(statut="cancelled").exists()  # the cancellation never leaves
