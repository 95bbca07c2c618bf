"""Démarches in Chromium, with and without JavaScript: find help, book, ask for a callback, say
« je n'y arrive pas »; an agent works the callback queue. axe + HTML checker on every page."""

import re

import pytest

from demarches.models import DemandeRappel
from pacte.booking.models import Reservation
from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def _book(page):
    """From the agenda page: first day, first slot, the short form, confirmation."""
    page.locator(".jours a").first.click()
    page.locator("#creneaux .creneaux a").first.click()
    page.wait_for_selector("#id_nom")
    page.fill("#id_nom", "Fictive")
    page.fill("#id_prenom", "Jeanne")
    page.fill("#id_telephone", "06 12 34 56 78")
    page.click("button:has-text('Confirmer le rendez-vous')")
    page.wait_for_selector("text=RDV")


def test_citizen_journey_with_javascript(page, live_server, demarche_reservable):
    """Search, e-service page, « Prendre rendez-vous » → booking, callback, difficulty; all accessible."""
    sources = {}
    response = page.goto(live_server.url + "/demarches/")
    sources["catalogue"] = response.text()
    assert_accessible(page)
    page.fill("#id_q", "passeport")
    page.click("button:has-text('Chercher')")
    page.wait_for_selector("#resultats-titre:has-text('1 démarche trouvée')")
    page.click("text=Carte nationale d'identité et passeport")
    page.wait_for_selector("h1:has-text('Carte nationale')")
    assert page.locator("h2").first.inner_text() == "Vous préférez être aidé ? Voici comment"
    assert_accessible(page)
    sources["detail"] = page.content()
    screenshot(page, "demarches-detail")
    page.set_viewport_size({"width": 320, "height": 900})
    screenshot(page, "demarches-detail-320")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("text=Prendre rendez-vous — Hôtel de Ville")
    page.wait_for_selector("h1:has-text('Prendre rendez-vous')")
    _book(page)
    assert Reservation.objects.filter(nom="Fictive", canal="en_ligne").count() == 1

    page.goto(live_server.url + "/demarches/titres-identite/")
    page.click("a:has-text('Demander à être rappelé')")
    page.wait_for_selector("h1:has-text('Demander à être rappelé')")
    page.click("button:has-text('Envoyer ma demande')")
    page.wait_for_selector(".errorlist")
    assert_accessible(page, widths=(1280,))
    sources["rappel-erreurs"] = page.content()
    page.fill("#id_nom", "Jeanne Fictive")
    page.fill("#id_telephone", "06 12 34 56 78")
    page.fill("#id_objet", "Je n'arrive pas à faire la pré-demande")
    page.check("text=Mardi matin")
    page.click("button:has-text('Envoyer ma demande')")
    page.wait_for_selector("h1:has-text('Votre demande de rappel est enregistrée')")
    demande = DemandeRappel.objects.get()
    assert demande.reference in page.content() and demande.creneaux_preferes == ["mar_matin"]
    assert_accessible(page)
    sources["rappel-confirmation"] = page.content()

    page.goto(live_server.url + "/demarches/titres-identite/")
    page.click("text=Je n'arrive pas à faire cette démarche en ligne")
    page.wait_for_selector("h1:has-text('Je n')")
    assert_accessible(page)
    sources["difficulte"] = page.content()
    page.check("text=Je n'arrive pas à créer un compte")
    page.click("button:has-text('Envoyer et voir comment être aidé')")
    page.wait_for_selector("h1:has-text('Merci')")
    assert page.locator("text=Par téléphone").count() >= 1
    assert_accessible(page)
    sources["difficulte-merci"] = page.content()

    response = page.goto(live_server.url + "/demarches/engagement/")
    assert_accessible(page)
    sources["engagement"] = response.text()
    assert_valid_html(sources)


def test_citizen_journey_without_javascript(page_nojs, live_server, demarche_reservable):
    """Without JavaScript: search by category, open the e-service, book, request a callback."""
    page = page_nojs
    page.goto(live_server.url + "/demarches/")
    page.select_option("#id_categorie", label="État civil et citoyenneté")
    page.fill("#id_q", "passeport")
    page.click("button:has-text('Chercher')")
    page.wait_for_url(re.compile(r"q=passeport"))
    assert "1 démarche trouvée" in page.content()
    page.click("text=Carte nationale d'identité et passeport")
    page.click("text=Prendre rendez-vous — Hôtel de Ville")
    _book(page)
    assert Reservation.objects.filter(nom="Fictive").count() == 1
    page.goto(live_server.url + "/demarches/rappel/?demarche=titres-identite")
    page.fill("#id_nom", "Jeanne Fictive")
    page.fill("#id_telephone", "04 72 10 30 30")
    page.fill("#id_objet", "Rendez-vous")
    page.click("button:has-text('Envoyer ma demande')")
    assert "Votre demande de rappel est enregistrée" in page.content()
    page.goto(live_server.url + "/demarches/titres-identite/difficulte/")
    page.check("text=Autre chose")
    page.click("button:has-text('Envoyer et voir comment être aidé')")
    assert "Merci : voici comment être aidé" in page.content()


def test_agent_works_the_callback_queue(page, live_server, make_user, login):
    """An agent signs in, takes a request, logs injoignable, message laissé, then joint."""
    from demarches import services

    demande = services.demande_rappel_create(
        nom="Paul Fictif", telephone="0612345678", objet="Question sur la cantine"
    )
    agent = make_user(Role.AGENT)
    login(page, agent)
    sources = {}
    response = page.goto(live_server.url + "/demarches/rappels/")
    sources["file"] = response.text()
    assert_accessible(page)
    page.click(f"a:has-text('{demande.reference}')")
    page.click("button:has-text('Prendre cette demande')")
    page.wait_for_selector("text=Vous avez pris la demande")
    assert_accessible(page)
    sources["detail"] = page.content()
    for label in ["Injoignable", "Message laissé"]:
        page.check(f"label:has-text('{label}')")
        page.click('button:has-text("Enregistrer l\'appel")')
        page.wait_for_selector(f"text=Appel enregistré : {label.lower()}")
    page.check("label:has-text('Joint')")
    page.fill("#id_note", "Réponse donnée")
    page.click('button:has-text("Enregistrer l\'appel")')
    page.wait_for_selector("text=Rappel fait")
    demande = DemandeRappel.objects.get()
    assert demande.statut == "joint" and demande.tentatives.count() == 3
    response = page.goto(live_server.url + "/demarches/rappels/nouvelle/")
    assert_accessible(page)
    sources["nouvelle"] = response.text()
    response = page.goto(live_server.url + "/demarches/rappels/engagement/")
    assert_accessible(page)
    sources["engagement-rappels"] = response.text()
    assert_valid_html(sources)
