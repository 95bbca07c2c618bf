"""Fair access in Chromium (#19.3): the refused citizen finds their booking again, the agent
overrides with a reason, a robot filling the honeypot is refused while people book without
JavaScript; axe (1280 and 320 px) and the HTML checker on every page."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from pacte.booking.models import Reservation, Statut
from pacte.journal import JournalEntry
from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot
from tests.demarches.test_plafond import ELOISE, _agendas, _book, _slots, demarche  # noqa: F401

pytestmark = pytest.mark.browser


def _open_form(page, live_server, agenda, index=1):
    page.goto(f"{live_server.url}/reservation/{agenda.uuid}/{_slots(agenda)[index].cle}/")
    page.wait_for_selector("#id_nom")


def test_refused_citizen_gets_their_link_again(page, live_server, demarche):  # noqa: F811
    """The same person (name written differently, another phone) is refused at the top of the form,
    what they typed kept; « Recevoir un nouveau lien » sends the booking's link to its own email."""
    agenda = _agendas(demarche)[1]
    existante = _book(_agendas(demarche)[0], **ELOISE)
    sources = {}
    _open_form(page, live_server, agenda)
    page.fill("#id_nom", "DUPONT")
    page.fill("#id_prenom", "eloise")
    page.fill("#id_telephone", "06 98 76 54 32")
    page.click("button:has-text('Confirmer le rendez-vous')")
    alerte = page.locator("#erreurs-formulaire")
    alerte.wait_for()
    assert "Vous avez déjà un rendez-vous pour cette démarche." in alerte.inner_text()
    assert page.input_value("#id_nom") == "DUPONT" and page.input_value("#id_telephone") == "06 98 76 54 32"
    assert existante.reference not in page.content()
    sources["refus"] = page.content()
    screenshot(page, "plafond-refus")
    assert_accessible(page)
    page.click("text=Recevoir un nouveau lien pour mon rendez-vous")
    page.wait_for_selector("h1:has-text('Retrouver mon rendez-vous')")
    sources["retrouver"] = page.content()
    assert_accessible(page)
    mail.outbox.clear()
    page.fill("#id_email", "ELOISE@example.org")
    page.click("button:has-text('Recevoir un nouveau lien')")
    page.wait_for_selector("h1:has-text('Nouveau lien demandé')")
    sources["envoye"] = page.content()
    assert [m.to for m in mail.outbox] == [["eloise@example.org"]]
    lien = re.search(r"(/reservation/gerer/[A-Za-z0-9_-]+/)", mail.outbox[0].body).group(1)
    page.goto(live_server.url + lien)
    page.fill("#id_debut_nom", "dup")
    page.click("button:has-text('Voir mon rendez-vous')")
    assert existante.reference in page.content()
    assert Reservation.objects.filter(statut=Statut.CONFIRMEE).count() == 1
    assert_valid_html(sources)


def test_agent_overrides_the_cap_for_a_caller(page, live_server, demarche, make_user, login):  # noqa: F811
    """The agent sees the refusal and the override box, gives a reason, books; journaled."""
    agenda = _agendas(demarche)[0]
    _book(agenda, **ELOISE)
    agent = make_user(Role.AGENT)
    login(page, agent)
    slot = _slots(agenda)[1]
    page.goto(f"{live_server.url}/reservation/agent/{agenda.uuid}/reserver/?creneau={slot.cle}")
    page.fill("#id_nom", "Dupont")
    page.fill("#id_prenom", "Éloïse")
    page.click("main button[type=submit]")
    page.locator("#id_depasser_plafond").wait_for()
    assert "Cette personne a déjà 1 rendez-vous à venir" in page.locator("#erreurs-formulaire").inner_text()
    sources = {"agent-refus": page.content()}
    assert_accessible(page)
    page.check("#id_depasser_plafond")
    page.fill("#id_plafond_motif", "Rendez-vous pour sa fille")
    page.click("main button[type=submit]")
    page.wait_for_url("**/reservation/agent/rendez-vous/**")
    assert Reservation.objects.filter(nom_replie="eloisedupont", statut=Statut.CONFIRMEE).count() == 2
    assert JournalEntry.objects.filter(action="booking.plafond_depasse", actor=agent).exists()
    assert_valid_html(sources)


def test_people_book_without_javascript_and_a_robot_is_refused(page_nojs, page, live_server, demarche):  # noqa: F811
    """Without JS the honeypot is out of the accessibility tree and the booking goes through; a
    robot filling it gets a neutral refusal (axe-clean with JS), nothing booked, counted."""
    agenda = _agendas(demarche)[0]
    _open_form(page_nojs, live_server, agenda, index=0)
    assert page_nojs.get_by_role("textbox", name=re.compile("Laissez ce champ vide")).count() == 0
    assert page_nojs.locator("#id_site_web").get_attribute("tabindex") == "-1"
    sources = {"formulaire": page_nojs.content()}
    page_nojs.fill("#id_nom", "Martin")
    page_nojs.fill("#id_prenom", "Camille")
    page_nojs.fill("#id_telephone", "06 12 34 56 78")
    page_nojs.click("button:has-text('Confirmer le rendez-vous')")
    page_nojs.wait_for_url("**/reservation/mon-rendez-vous/**")
    assert "Votre rendez-vous est confirmé" in page_nojs.content()

    _open_form(page, live_server, agenda, index=1)
    assert_accessible(page)  # the form with its honeypot
    page.fill("#id_nom", "Robot")
    page.fill("#id_prenom", "Bot")
    page.fill("#id_email", "bot@example.org")
    page.locator("#id_site_web").fill("http://promo.example", force=True)  # a robot fills every field
    page.click("button:has-text('Confirmer le rendez-vous')")
    page.locator("#erreurs-formulaire").wait_for()
    assert "Votre demande n'a pas pu être enregistrée." in page.locator("#erreurs-formulaire").inner_text()
    assert page.input_value("#id_site_web") == "" and page.input_value("#id_nom") == "Robot"
    sources["robot"] = page.content()
    assert_accessible(page)
    assert not Reservation.objects.filter(nom="Robot").exists()
    assert JournalEntry.objects.filter(action="pacte.pot_de_miel").count() == 1
    assert_valid_html(sources)
