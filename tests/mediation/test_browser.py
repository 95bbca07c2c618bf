"""The médiation journeys in Chromium, with axe-core and the Nu HTML checker on every page."""

from urllib.parse import urlsplit

import pytest

from mediation.models import DemandePosition, Proposition, Saisine
from pacte.models import Direction, Notification
from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import _context, screenshot
from tests.mediation.factories import PDF

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _new_page(browser, user, live_server):
    context = _context(browser, javascript=True)
    p = context.new_page()
    p.goto(f"{live_server.url}/espace/connexion/")
    p.fill("#id_username", user.get_username())
    p.fill("#id_password", "motdepasse-de-test-123")
    p.click("button[type=submit]")
    p.wait_for_url(lambda url: "/connexion/" not in url)
    return p


def _fill_public_form(p, tmp_path, nom="Lefèvre"):
    pdf = tmp_path / "courrier.pdf"
    pdf.write_bytes(PDF)
    p.check("#id_requerant_type_0")
    p.fill("#id_prenom", "Jeanne")
    p.fill("#id_nom", nom)
    p.fill("#id_email", "jeanne@example.org")
    p.select_option("#id_theme", "espaces_verts")
    p.fill("#id_recit", "Un arbre du parc menace ma clôture depuis un an.")
    p.check("#id_demarche_prealable_0")
    p.fill("#id_demarche_prealable_detail", "Deux courriels au service, sans réponse.")
    p.check("#id_decision_justice_1")
    p.set_input_files("#id_pieces_jointes", str(pdf))
    p.check("#id_consentement")


def test_citizen_files_online_with_a_pdf_and_follows_it(page, live_server, tmp_path):
    """A citizen reads the landing page, files with a PDF, and follows the case by the secret link."""
    sources = {}
    for path in ("/mediateur/", "/mediateur/saisir/", "/mediateur/propositions/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200
        assert page.locator("h1").count() == 1
        assert_accessible(page)
        sources[path] = response.text()
    page.goto(live_server.url + "/mediateur/saisir/")
    page.click("button[type=submit]")  # empty: errors shown, no 500
    assert page.locator("#erreurs-formulaire").count() == 1
    assert_accessible(page, widths=(1280,))
    sources["saisir-erreurs"] = page.content()
    _fill_public_form(page, tmp_path)
    screenshot(page, "mediation-formulaire-public")
    page.click("button[type=submit]")
    page.wait_for_url("**/saisir/envoyee/")
    assert_accessible(page)
    sources["envoyee"] = page.content()
    saisine = Saisine.objects.get(nom="Lefèvre")
    assert saisine.documents.count() == 1 and saisine.canal == "en_ligne"
    lien = urlsplit(page.locator("#lien-personnel").inner_text().strip()).path
    page.context.clear_cookies()
    page.goto(live_server.url + lien)
    assert "/mediateur/mon-dossier/" in page.url  # exchanged for the session, token-less URL
    assert_accessible(page)
    sources["suivi-identite"] = page.content()
    page.fill("#id_nom_debut", "lef")
    page.click("button[type=submit]")
    assert "Reçue" in page.content()
    assert_accessible(page)
    sources["suivi"] = page.content()
    page.fill("#id_corps", "J'ajoute une photo plus tard.")
    page.click("button:has-text('Envoyer')")
    assert "bien été transmis" in page.content()
    assert_valid_html(sources)


def test_citizen_files_without_javascript(page_nojs, live_server, tmp_path):
    """Without JavaScript the public form works, attachment included."""
    page_nojs.goto(live_server.url + "/mediateur/saisir/")
    _fill_public_form(page_nojs, tmp_path, nom="Sansjs")
    page_nojs.click("button[type=submit]")
    page_nojs.wait_for_url("**/saisir/envoyee/")
    assert Saisine.objects.get(nom="Sansjs").documents.count() == 1


def test_team_journey_from_phone_entry_to_accepted_proposal(browser, live_server, make_user, tmp_path):
    """Agent enters a phone saisine; médiateur declares it irrecevable; instructs another with a request for
    position that the référent answers; closes with accord; the direction accepts the proposal."""
    dev = Direction.objects.get(sigle="DEV")
    agent = make_user(Role.AGENT)
    mediateur = make_user(Role.MEDIATEUR)
    referent = make_user(Role.REFERENT, direction=dev)
    sources = {}

    p = _new_page(browser, agent, live_server)
    response = p.goto(live_server.url + "/mediateur/equipe/saisines/nouvelle/")
    assert_accessible(p)
    sources["nouvelle"] = response.text()
    p.fill("#id_nom", "Roux")
    p.fill("#id_telephone", "06 12 34 56 78")
    p.fill("#id_email", "roux@example.org")
    p.fill("#id_recit", "Conteste un PV, n'a pas écrit au service.")
    p.select_option("#id_theme", "stationnement_transports")
    p.click("button:has-text('Enregistrer la saisine')")
    assert "enregistrée" in p.content()
    p.context.close()
    phone = Saisine.objects.get(nom="Roux")
    assert phone.canal == "telephone"

    from mediation import services

    online, _ = services.saisine_create(
        data={
            "nom": "Lefèvre",
            "email": "j@example.org",
            "theme": "espaces_verts",
            "recit": "Arbre",
            "direction": dev,
        },
        canal="en_ligne",
    )

    p = _new_page(browser, mediateur, live_server)
    response = p.goto(live_server.url + "/mediateur/equipe/saisines/")
    assert_accessible(p)
    sources["liste"] = response.text()
    p.click(f"a:has-text('{phone.reference}')")
    p.select_option("#irrecevable-motif-code", "sans_demarche_prealable")
    p.click("button:has-text('Déclarer irrecevable')")
    assert "Irrecevable" in p.content()
    assert Notification.objects.filter(object_id=str(phone.pk), sujet__contains="ne peut pas").exists()

    p.goto(f"{live_server.url}/mediateur/equipe/saisines/{online.uuid}/")
    p.click("button:has-text('Déclarer recevable')")
    p.select_option("#id_dp-direction", str(dev.pk))
    p.fill("#id_dp-question", "Pouvez-vous faire élaguer cet arbre ?")
    p.click("button:has-text('Envoyer la demande de position')")
    assert "Demande de position envoyée" in p.content()
    assert_accessible(p)
    screenshot(p, "mediation-dossier")
    sources["dossier"] = p.content()

    r = _new_page(browser, referent, live_server)
    response = r.goto(live_server.url + "/mediateur/direction/")
    assert_accessible(r)
    sources["direction"] = response.text()
    r.click(f"a:has-text('{online.reference}')")
    assert_accessible(r)
    sources["demande"] = r.content()
    r.fill("#id_reponse", "L'élagage est programmé la semaine prochaine.")
    r.click("button:has-text('Envoyer la réponse au médiateur')")
    assert DemandePosition.objects.get(saisine=online).repondue_par == referent

    p.goto(f"{live_server.url}/mediateur/equipe/saisines/{online.uuid}/")
    assert "élagage est programmé" in p.content()
    p.select_option("#cloturee-issue", "accord")
    p.click("button:has-text('Clôturer')")
    online.refresh_from_db()
    assert (online.statut, online.issue) == ("cloturee", "accord")

    p.goto(f"{live_server.url}/mediateur/equipe/propositions/?dossier={online.reference}")
    assert_accessible(p)
    sources["propositions-equipe"] = p.content()
    p.fill("#id_titre", "Publier un délai pour les demandes d'élagage")
    p.fill("#id_texte", "Annoncer un délai de réponse aux riverains.")
    p.select_option("#id_direction", str(dev.pk))
    p.click("button:has-text('Formuler la proposition')")
    proposition = Proposition.objects.get(titre__startswith="Publier un délai")
    assert list(proposition.saisines.all()) == [online]

    r.goto(f"{live_server.url}/mediateur/direction/propositions/{proposition.uuid}/")
    assert_accessible(r)
    sources["proposition"] = r.content()
    r.check("#id_rep-decision_0")
    r.fill("#id_rep-reponse_direction", "La direction publiera un délai de 30 jours.")
    r.click("button:has-text('Enregistrer la réponse')")
    proposition.refresh_from_db()
    assert proposition.statut == "acceptee"
    r.context.close()
    p.context.close()
    assert_valid_html(sources)


def test_attachments_survive_a_validation_error(page, live_server, tmp_path):
    """Issue 15.5: attach a PDF, type a bad email, send: the page says « 1 fichier joint » with the
    file; a second file is added and the first removed with its checkbox; once the email is fixed
    the saisine holds exactly the file kept. axe at 1280 and 320 px, Nu HTML checker."""
    p = page  # without JavaScript: tests/mediation/test_pieces_gardees.py (same form, plain POSTs)
    p.goto(live_server.url + "/mediateur/saisir/")
    _fill_public_form(p, tmp_path, nom="Gardé")
    p.fill("#id_email", "pas-une-adresse")
    p.click("button[type=submit]")
    assert p.locator(".pieces-gardees").inner_text().startswith("1 fichier joint")
    assert "courrier.pdf" in p.locator(".pieces-gardees").inner_text()
    assert_accessible(p)
    sources = {"pieces-gardees": p.content()}
    screenshot(p, "mediation-pieces-gardees")
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    p.set_input_files("#id_pieces_jointes", str(photo))
    p.fill("#id_email", "")  # still an error (no contact): both files now kept
    p.click("button[type=submit]")
    assert "2 fichiers joints" in p.locator(".pieces-gardees").inner_text()
    p.check(".pieces-gardees input[type=checkbox] >> nth=0")  # remove courrier.pdf
    p.fill("#id_email", "jeanne@example.org")
    p.check("#id_consentement")
    p.click("button[type=submit]")
    p.wait_for_url("**/saisir/envoyee/")
    saisine = Saisine.objects.get(nom="Gardé")
    assert list(saisine.documents.values_list("nom", flat=True)) == ["photo.png"]
    assert_valid_html(sources)
