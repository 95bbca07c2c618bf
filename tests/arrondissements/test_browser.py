"""The journey in Chromium: the maire of the 6e asks DEV for help with a photo, until closure."""

import re
import urllib.request

import pytest

from arrondissements.models import DemandeAppui
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot

from .conftest import JPEG

pytestmark = pytest.mark.browser


@pytest.fixture
def warm(live_server):
    """The first request imports every app's views (slow on a loaded machine): do it before timing out."""
    urllib.request.urlopen(live_server.url + "/espace/connexion/", timeout=180).read()


def _switch(page, login, user):
    page.context.clear_cookies()
    login(page, user)


def _open_action(page, label):
    page.locator("summary", has_text=label).click()


def test_request_journey_with_javascript(warm, page, live_server, login, people, tmp_path):
    """File with a photo → take charge → question → élu answers → closed; the 2e gets 404; report shows it."""
    base = live_server.url
    sources = {}
    photo = tmp_path / "arbre.jpg"
    photo.write_bytes(JPEG)

    login(page, people["elu6"])
    response = page.goto(base + "/espace/")
    assert page.get_by_role("link", name="Nouvelle demande").count() == 1
    response = page.goto(base + "/arrondissements/")
    sources["liste-elu"] = response.text()
    assert_accessible(page)
    page.get_by_role("link", name="Nouvelle demande").first.click()
    sources["nouvelle"] = page.content()
    assert_accessible(page)
    page.click("button[type=submit].bouton >> text=Envoyer la demande")
    assert "informations sont à corriger" in page.content()  # server-side French messages
    sources["nouvelle-erreurs"] = page.content()
    assert_accessible(page, widths=(1280,))
    page.fill("#id_objet", "Arbre dangereux square Lyautey")
    page.select_option("#id_direction", label="Direction des Espaces verts")
    page.select_option("#id_categorie", value="espaces_verts")
    page.check("input[name=urgence][value=prioritaire]")
    page.fill("#id_localisation", "Place Maréchal-Lyautey")
    page.fill("#id_description", "Une grosse branche menace de tomber sur l'aire de jeux.")
    page.set_input_files("#id_pieces", str(photo))
    page.click("text=Envoyer la demande")
    page.wait_for_url(re.compile(r"/arrondissements/demandes/[0-9a-f-]+/$"))
    detail_url = page.url
    assert "est envoyée" in page.content()
    demande = DemandeAppui.objects.get()
    assert demande.pieces_jointes.count() == 1
    sources["detail-elu"] = page.content()
    assert_accessible(page)

    _switch(page, login, people["ref_dev"])
    response = page.goto(base + "/arrondissements/direction/")
    sources["liste-direction"] = response.text()
    assert demande.reference in sources["liste-direction"]
    assert_accessible(page)
    screenshot(page, "arrondissements-boite-direction")
    page.get_by_role("link", name="Arbre dangereux square Lyautey").click()
    _open_action(page, "Prendre en charge")
    page.click("button:has-text('Prendre en charge')")
    assert "Prise en charge" in page.locator("p .statut").inner_text()
    _open_action(page, "Demander des précisions")
    page.fill("#id_demander_precisions-texte", "S'agit-il du platane près du kiosque ?")
    page.click("button:has-text('Demander des précisions')")
    assert "En attente de précisions" in page.content()
    sources["detail-direction"] = page.content()
    assert_accessible(page)

    _switch(page, login, people["elu6"])
    page.goto(detail_url)
    _open_action(page, "Apporter les précisions")
    page.fill("#id_completer-texte", "Oui, le platane côté kiosque.")
    page.click("button:has-text('Apporter les précisions')")
    assert "Oui, le platane côté kiosque." in page.content()

    _switch(page, login, people["ref_dev"])
    page.goto(detail_url)
    _open_action(page, "Clôturer avec une réponse")
    page.fill("#id_cloturer-texte", "Branche coupée ce matin, l'aire de jeux est rouverte.")
    page.click("button:has-text('Clôturer avec une réponse')")
    assert "Clôturée" in page.locator("p .statut").inner_text()
    page_text = page.content()
    assert "Historique" in page_text and "Prise en charge → En attente de précisions" in page_text
    demande.refresh_from_db()
    assert demande.statut == "cloturee" and demande.is_dans_delai is True

    _switch(page, login, people["elu2"])
    response = page.goto(detail_url)
    assert response.status == 404

    _switch(page, login, people["coord"])
    response = page.goto(base + "/arrondissements/rapport/")
    sources["rapport"] = response.text()
    row = page.locator("tr", has_text="6e arrondissement").first
    assert "1 sur 1" in row.inner_text() and "100,0 %" in row.inner_text()
    assert_accessible(page)
    screenshot(page, "arrondissements-rapport")
    response = page.goto(base + "/arrondissements/")
    sources["liste-coordination"] = response.text()
    assert_accessible(page)
    page.select_option("#id_statut", value="cloturee")
    page.click("text=Filtrer")
    page.wait_for_url(re.compile(r"statut=cloturee"))
    assert demande.reference in page.locator("#resultats").inner_text()

    _switch(page, login, people["ref_dev"])
    response = page.goto(base + "/arrondissements/reponses-types/")
    sources["reponses-types"] = response.text()
    assert_accessible(page)
    assert_valid_html(sources)


def test_key_forms_work_without_javascript(warm, page_nojs, live_server, login, people, tmp_path):
    """Without JavaScript the élu files a request and the référent takes it in charge and answers."""
    page = page_nojs
    base = live_server.url
    login(page, people["elu6b"])
    page.goto(base + "/arrondissements/nouvelle/")
    page.fill("#id_objet", "Éclairage du city-stade")
    page.select_option("#id_direction", label="Direction des Espaces verts")
    page.select_option("#id_categorie", value="sport")
    page.fill("#id_description", "Les projecteurs sont éteints depuis une semaine.")
    page.click("text=Envoyer la demande")
    page.wait_for_url(re.compile(r"/arrondissements/demandes/[0-9a-f-]+/$"))
    detail_url = page.url
    page.context.clear_cookies()
    login(page, people["ref_dev2"])
    page.goto(detail_url)
    page.locator("summary", has_text="Répondre").click()
    page.fill("#id_repondre-texte", "Réparation commandée.")
    page.click("button:has-text('Répondre')")
    assert "Répondue" in page.content()
    assert DemandeAppui.objects.get().statut == "repondue"
