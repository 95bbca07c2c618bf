"""The booking journeys in Chromium, with and without JavaScript, with axe-core and the HTML checker."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from pacte.booking.models import Reservation, Retenue, Statut
from pacte.booking.selectors import prochain_creneau
from pacte.booking.services import CreneauIndisponible, reservation_create
from pacte.models import Notification
from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

LUNDI_MATIN = dt.datetime(2027, 7, 5, 6, 0, tzinfo=dt.UTC)  # Monday 8:00 in Lyon, the day of the slots


def _fill_citizen_form(page, *, nom="Dupont", email="jeanne@example.org"):
    page.fill("#id_nom", nom)
    page.fill("#id_prenom", "Jeanne")
    page.fill("#id_telephone", "06 12 34 56 78")
    page.fill("#id_email", email)
    page.check("input[name=besoins][value=acces_plain_pied]")


def test_citizen_books_with_javascript_then_cancels_by_the_secret_link(page, live_server, agenda):
    """With JS: day → slot (htmx) → form (errors, then OK) → confirmation → the link asks the surname
    without the session → move screen → cancel. Every page passes axe and the HTML checker."""
    sources = {}
    response = page.goto(f"{live_server.url}/reservation/{agenda.uuid}/")
    sources["agenda"] = response.text()
    assert_accessible(page)
    page.locator(".jours a").first.click()
    page.locator("#creneaux .creneaux a").first.wait_for()
    assert "jour=" in page.url  # htmx pushed the URL
    screenshot(page, "booking-creneaux")
    assert_accessible(page)
    page.locator("#creneaux .creneaux a").first.click()
    page.wait_for_url("**/reservation/*/*T*/")
    sources["formulaire"] = page.content()
    # The slot is held for this visitor while they type (#19.2); another visitor finds it taken.
    assert "Nous vous gardons ce créneau jusqu'à" in page.locator("main").inner_text()
    screenshot(page, "booking-formulaire-retenue")
    assert_accessible(page)
    autre = page.context.browser.new_context()
    try:
        autre_page = autre.new_page()
        autre_page.goto(page.url)
        assert autre_page.locator("h1").inner_text() == "Ce créneau vient d'être pris"
    finally:
        autre.close()
    page.click("button[type=submit]")
    expect(page.locator("#erreurs-formulaire")).to_be_visible()
    assert "Indiquez votre nom de famille." in page.content()
    sources["formulaire-erreurs"] = page.content()
    assert_accessible(page, widths=(1280,))
    _fill_citizen_form(page)
    page.click("button[type=submit]")
    page.wait_for_url("**/reservation/mon-rendez-vous/**")
    assert page.locator("h1").inner_text() == "Votre rendez-vous est confirmé"
    reservation = Reservation.objects.get(agenda=agenda)
    assert reservation.reference in page.content()
    assert page.locator(".liste-a-cocher li").count() == 2
    screenshot(page, "booking-confirmation")
    sources["confirmation"] = page.content()
    assert_accessible(page)
    emails = Notification.objects.filter(object_id=str(reservation.pk), canal="email")
    assert emails.count() == 1 and emails.get().statut == "sent"
    (sent,) = [m for m in mail.outbox if reservation.reference in m.body]
    assert sent.attachments[0][0] == "rendez-vous.ics"

    # The emailed link opened by someone else (no session) is exchanged for a token-less page
    # that asks for the first letters of the surname.
    emailed = re.search(r"https?://\S*(/reservation/gerer/[A-Za-z0-9_-]+/)", sent.body).group(1)
    page.context.clear_cookies()
    response = page.goto(live_server.url + emailed)
    assert "/reservation/mon-rendez-vous/" in page.url and "/gerer/" not in page.url
    lien = page.url
    sources["identite"] = response.text()
    assert "Dupont" not in response.text()
    assert_accessible(page)
    page.fill("#id_debut_nom", "DUP")
    page.click("button[type=submit]")
    assert "Dupont" in page.content()
    sources["gerer"] = page.content()
    page.click("text=Changer la date ou l'heure")
    page.locator(".jours a").first.wait_for()
    sources["deplacer"] = page.content()
    assert_accessible(page, widths=(1280,))
    page.goto(lien)
    page.click("text=Annuler le rendez-vous")
    sources["annuler"] = page.content()
    assert_accessible(page, widths=(1280,))
    page.click("text=Oui, annuler ce rendez-vous")
    assert "Votre rendez-vous est annulé" in page.content()
    reservation.refresh_from_db()
    assert reservation.statut == Statut.ANNULEE
    # The used link, opened elsewhere (a log, a Referer), shows the recovery page, not the case.
    page.context.clear_cookies()
    response = page.goto(live_server.url + emailed)
    assert response.status == 404 and "Recevoir un nouveau lien" in response.text()
    assert "Dupont" not in response.text() and reservation.reference not in response.text()
    assert_accessible(page, widths=(320, 1280))
    page.fill("#id_reference", reservation.reference)
    page.click("button:has-text('Recevoir un nouveau lien')")
    assert "Si nous avons votre adresse" in page.content()
    sources["nouveau-lien"] = page.content()
    response = page.goto(f"{live_server.url}/reservation/gerer/lien-inconnu/")
    assert response.status == 404 and "Ce lien ne fonctionne plus" in response.text()
    sources["lien-invalide"] = response.text()
    assert_valid_html(sources)


def test_citizen_books_without_javascript_and_moves(page_nojs, live_server, make_agenda):
    """Without JS: plain links and forms book, show the confirmation, and move the appointment;
    a slot taken meanwhile gives the friendly page (HTML checked; axe needs JS, see the JS journeys)."""
    agenda = make_agenda(capacite=1)
    page = page_nojs
    page.goto(f"{live_server.url}/reservation/{agenda.uuid}/")
    page.locator(".jours a").first.click()
    page.locator("#creneaux .creneaux a").first.click()
    _fill_citizen_form(page, nom="Martin", email="")
    page.click("button[type=submit]")
    page.wait_for_url("**/reservation/mon-rendez-vous/**")
    assert "Votre rendez-vous est confirmé" in page.content()
    reservation = Reservation.objects.get(agenda=agenda)
    page.click("text=Changer la date ou l'heure")
    page.locator(".jours a").first.click()
    sources = {"deplacer": page.content()}
    page.locator("#creneaux button[name=creneau]").first.click()
    assert "Votre rendez-vous est déplacé" in page.content()
    reservation.refresh_from_db()
    assert reservation.statut == Statut.CONFIRMEE
    # The slot is held while this citizen fills the form (#19.2): someone else cannot take it...
    slot = prochain_creneau(agenda)
    page.goto(f"{live_server.url}/reservation/{agenda.uuid}/{slot.cle}/")
    assert "Nous vous gardons ce créneau jusqu'à" in page.locator("main").inner_text()
    sources["retenue"] = page.content()
    with pytest.raises(CreneauIndisponible):
        reservation_create(agenda=agenda, debut=slot.debut, nom="Rapide", prenom="A", email="a@example.org")
    # ... until the hold expires: then a faster person takes it and this one gets the friendly page.
    Retenue.objects.update(expire_at=timezone.now() - dt.timedelta(seconds=1))
    reservation_create(agenda=agenda, debut=slot.debut, nom="Rapide", prenom="A", email="a@example.org")
    _fill_citizen_form(page, nom="Lent")
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Ce créneau vient d'être pris"
    assert page.locator(".creneaux a").count() >= 1
    sources["pris"] = page.content()
    assert_valid_html(sources)


def test_agent_books_for_a_caller_in_reserved_capacity_and_marks_attendance(
    page, live_server, make_agenda, make_user, login
):
    """An agent signs in, books by phone on a slot whose online place is taken (G2), and marks the
    person as arrived in the planning (htmx) on the appointment's day."""
    with time_machine.travel(LUNDI_MATIN, tick=True):
        _agent_books_and_marks(page, live_server, make_agenda, make_user, login)


def _agent_books_and_marks(page, live_server, make_agenda, make_user, login):
    agenda = make_agenda(capacite=2, places_agents=1)
    slot = prochain_creneau(agenda)
    reservation_create(agenda=agenda, debut=slot.debut, nom="En ligne", prenom="A", email="a@example.org")
    agent = make_user(Role.AGENT, lieu=agenda.lieu)
    login(page, agent)
    sources = {}
    response = page.goto(f"{live_server.url}/reservation/agent/")
    sources["agent"] = response.text()
    assert_accessible(page)
    page.click(f"a[href='/reservation/agent/{agenda.uuid}/reserver/']")
    sources["reserver"] = page.content()
    assert_accessible(page, widths=(1280,))
    page.locator(".jours a").first.click()
    page.locator(f"#creneaux a[href$='creneau={slot.cle}']").click()
    page.wait_for_url("**creneau=**")
    sources["agent-formulaire"] = page.content()
    assert_accessible(page, widths=(1280,))
    page.fill("#id_nom", "Appelant")
    page.fill("#id_telephone", "06 98 76 54 32")
    page.click("main button[type=submit]")
    page.wait_for_url("**/reservation/agent/rendez-vous/**")
    booked = Reservation.objects.get(nom="Appelant")
    assert booked.canal == "telephone" and booked.debut == slot.debut and not booked.compte_en_ligne
    sources["detail"] = page.content()
    assert_accessible(page, widths=(1280,))
    day = slot.debut.astimezone().date().isoformat()
    response = page.goto(f"{live_server.url}/reservation/agent/planning/?agenda={agenda.uuid}&jour={day}")
    sources["planning"] = response.text()
    assert_accessible(page)
    page.locator(f"#rdv-{booked.uuid} button:has-text('Arrivé')").click()
    page.locator(f"#rdv-{booked.uuid} .etiquette:has-text('Venu')").wait_for()
    booked.refresh_from_db()
    assert booked.statut == Statut.HONOREE
    screenshot(page, "booking-planning")
    response = page.goto(
        f"{live_server.url}/reservation/agent/planning/?agenda={agenda.uuid}&jour={day}&imprimer=1"
    )
    sources["planning-imprimable"] = response.text()
    assert_valid_html(sources)


def _locked_out_owner_recovers(page, live_server, agenda, *, accessible: bool) -> dict:
    """The emailed link is exchanged (token-less URL), 5 wrong answers lock it, « Recevoir un
    nouveau lien » sends a new one which works at once; the used link shows the recovery page."""
    reservation, token = reservation_create(
        agenda=agenda, debut=prochain_creneau(agenda).debut, nom="Cœur", prenom="Anne", email="a@example.org"
    )
    sources = {}
    page.goto(f"{live_server.url}/reservation/gerer/{token}/")
    assert "/reservation/mon-rendez-vous/" in page.url and token not in page.url
    for _ in range(5):
        page.fill("#id_debut_nom", "zzz")
        page.click("button:has-text('Voir mon rendez-vous')")
    page.fill("#id_debut_nom", "COE")
    page.click("button:has-text('Voir mon rendez-vous')")
    assert "Trop d'essais" in page.content() and "Cœur" not in page.content()
    sources["bloque"] = page.content()
    if accessible:
        assert_accessible(page)
    mail.outbox.clear()
    page.click("button:has-text('Recevoir un nouveau lien')")
    assert "Si nous avons votre adresse" in page.content()
    sources["envoye"] = page.content()
    if accessible:
        assert_accessible(page)
    nouveau = re.search(r"(/reservation/gerer/[A-Za-z0-9_-]+/)", mail.outbox[-1].body).group(1)
    page.goto(live_server.url + nouveau)
    page.fill("#id_debut_nom", "coe")  # « Cœur »: œ is spelled oe
    page.click("button:has-text('Voir mon rendez-vous')")
    assert "Cœur" in page.content() and reservation.reference in page.content()
    page.context.clear_cookies()
    response = page.goto(live_server.url + nouveau)
    assert response.status == 404 and "Cœur" not in response.text()
    sources["lien-utilise"] = response.text()
    return sources


def test_locked_out_owner_recovers_with_javascript(page, live_server, agenda):
    """With JS: lock, recovery and used-link pages pass axe (1280 and 320 px) and the HTML checker."""
    assert_valid_html(_locked_out_owner_recovers(page, live_server, agenda, accessible=True))


def test_locked_out_owner_recovers_without_javascript(page_nojs, live_server, agenda):
    """Without JS: the same journey with plain forms and redirects."""
    assert_valid_html(_locked_out_owner_recovers(page_nojs, live_server, agenda, accessible=False))


def test_agent_cancels_with_a_reason_undoes_and_the_message_leaves_after_the_window(
    page, live_server, make_agenda, make_user, login, settings, sms_outbox
):
    """Issue 15, items 3 and 4, at 1280 and 320 px (the same journey without JS, through the real
    forms: tests/booking/test_views.py): attendance is marked on the day (htmx) and undone back to
    « Confirmé »; « Annuler… » asks a reason and a confirmation, the planning count drops;
    « Rétablir » within the window restores the booking and the count; cancelled again, nothing
    leaves during the window, then the outbox task sends the SMS and the email."""
    from pacte.booking.models import CompteurCreneau
    from pacte.tasks import outbox_flush_task

    from .conftest import at

    settings.BOOKING_ANNULATION_DELAI_SECONDES = 120
    sources = {}
    with time_machine.travel(LUNDI_MATIN, tick=True) as clock:
        jour = dt.date(2027, 7, 5)
        agenda = make_agenda(capacite=2)
        lea, _ = reservation_create(
            agenda=agenda,
            debut=at(jour, "10:00"),
            nom="Durand",
            prenom="Léa",
            telephone="06 12 34 56 78",
            email="lea@example.org",
        )
        marc, _ = reservation_create(
            agenda=agenda, debut=at(jour, "10:30"), nom="Petit", prenom="Marc", telephone="04 72 10 30 30"
        )
        login(page, make_user(Role.AGENT, lieu=agenda.lieu))
        planning = f"{live_server.url}/reservation/agent/planning/?agenda={agenda.uuid}&jour={jour}"
        sources["planning"] = page.goto(planning).text()
        assert "2 rendez-vous (hors annulés)" in page.content()
        assert_accessible(page)

        # Attendance on the day, and its correction back to « Confirmé ».
        page.locator(f"#rdv-{marc.uuid} button:has-text('Arrivé')").click()
        page.locator(f"#rdv-{marc.uuid} .etiquette:has-text('Venu')").wait_for()
        page.locator(f"#rdv-{marc.uuid} button:has-text('Remettre à')").click()
        page.locator(f"#rdv-{marc.uuid} .etiquette:has-text('Confirmé')").wait_for()
        marc.refresh_from_db()
        assert marc.statut == Statut.CONFIRMEE

        # « Annuler… »: a confirmation page asking for the reason.
        page.locator(f"#rdv-{lea.uuid} a:has-text('Annuler')").click()
        page.wait_for_url("**/annuler/**")
        sources["annuler"] = page.content()
        assert_accessible(page)
        page.click('button:has-text("Confirmer l\'annulation")')
        assert page.locator("#erreurs-formulaire").count() == 1
        assert "Indiquez pourquoi le rendez-vous est annulé" in page.content()
        sources["annuler-erreur"] = page.content()
        assert_accessible(page, widths=(1280,))
        lea.refresh_from_db()
        assert lea.statut == Statut.CONFIRMEE
        page.fill("#id_motif", "La personne a appelé pour annuler")
        page.set_viewport_size({"width": 320, "height": 900})
        screenshot(page, "booking-annuler-320")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.click('button:has-text("Confirmer l\'annulation")')
        page.wait_for_url("**/planning/**")
        assert "1 rendez-vous (hors annulés)" in page.content()
        assert "Vous pouvez le rétablir jusqu'à" in page.content()
        sources["planning-annule"] = page.content()
        assert_accessible(page)
        screenshot(page, "booking-planning-annule")
        page.set_viewport_size({"width": 320, "height": 900})
        screenshot(page, "booking-planning-annule-320")
        page.set_viewport_size({"width": 1280, "height": 900})
        assert CompteurCreneau.objects.get(agenda=agenda, debut=lea.debut).places_prises == 1

        # Undo within the window: the booking, its place and the count are back; no message left.
        clock.shift(dt.timedelta(seconds=60))
        page.locator(f"#rdv-{lea.uuid} button:has-text('Rétablir')").click()
        page.wait_for_load_state()
        assert "Le rendez-vous est rétabli" in page.content()
        assert "2 rendez-vous (hors annulés)" in page.content()
        lea.refresh_from_db()
        assert lea.statut == Statut.CONFIRMEE

        # Cancelled again: nothing leaves during the window, the outbox sends after it.
        sms_outbox.clear()
        mail.outbox.clear()
        page.locator(f"#rdv-{lea.uuid} a:has-text('Annuler')").click()
        page.fill("#id_motif", "Finalement la personne annule")
        page.click('button:has-text("Confirmer l\'annulation")')
        page.wait_for_url("**/planning/**")
        outbox_flush_task.apply()
        assert sms_outbox == [] and mail.outbox == []
        clock.shift(dt.timedelta(seconds=125))
        outbox_flush_task.apply()
        assert [m["to"] for m in sms_outbox] == ["+33612345678"] and "annulé" in sms_outbox[0]["body"]
        assert [m.subject for m in mail.outbox] == ["Votre rendez-vous est annulé"]
        page.reload()
        assert "Rétablir" not in page.locator(f"#rdv-{lea.uuid}").inner_text()
    assert_valid_html(sources)
