# ruff: noqa: F811
"""« Français facile » in Chromium (#17.5): the easy pages with and without JavaScript, at 1280 and
320 px — axe-core 0 violations, the HTML checker 0 errors, screenshots at 320 px; the booking,
callback and saisine journeys go through in the easy version; then the day page, move and cancel,
a link's identity check, find my booking, the écrivains publics and the saisine follow-up."""

from __future__ import annotations

import pytest

from demarches.models import DemandeRappel
from mediation.models import Message, Saisine
from pacte.booking.models import Reservation, Statut
from pacte.booking.services import reservation_create
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot
from tests.ecrivains.conftest import make_permanence  # noqa: F401 (fixture)
from tests.mediation.factories import saisine_new

pytestmark = pytest.mark.browser


def _verifier(page, sources: dict, nom: str, *, capture: bool) -> None:
    """lang="fr"; with JavaScript (capture): axe at 1280 and 320 px and a 320 px screenshot (axe
    cannot run in a page without JavaScript); the HTML checker reads every page afterwards."""
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator(".lien-facile a", has_text="Version complète").count() == 1
    assert "Cette page n'existe pas en français facile." not in page.content()
    sources[nom] = page.content()
    if capture:
        assert_accessible(page)
        page.set_viewport_size({"width": 320, "height": 900})
        screenshot(page, f"facile-{nom}-320")
        page.set_viewport_size({"width": 1280, "height": 900})


def _reserver(page) -> None:
    """The easy booking form, filled in and sent: the easy confirmation."""
    page.fill("#id_prenom", "Jeanne")
    page.fill("#id_nom", "Fictive")
    page.fill("#id_telephone", "06 12 34 56 78")
    page.click("button:has-text('Confirmer le rendez-vous')")
    page.wait_for_selector("h1:has-text('Votre rendez-vous est confirmé')")


def _parcours(page, base: str, *, capture: bool) -> dict:
    sources = {}
    page.set_default_timeout(20_000)
    page.goto(base + "/")
    page.click("text=Lire en français facile")
    page.wait_for_selector("h1:has-text('La Ville de Lyon vous aide')")
    _verifier(page, sources, "accueil", capture=capture)

    page.goto(base + "/demarches/titres-identite/")
    page.click("text=Lire en français facile")
    page.wait_for_selector("h1:has-text('Carte nationale')")
    _verifier(page, sources, "demarche", capture=capture)

    page.click("text=Prendre un rendez-vous à Hôtel de Ville")
    page.locator(".jours a").first.click()
    page.locator("#creneaux .creneaux a").first.click()
    page.wait_for_selector("h1:has-text('Prendre un rendez-vous')")
    assert "/facile/reservation/" in page.url
    page.click("button:has-text('Confirmer le rendez-vous')")
    page.wait_for_selector(".errorlist")
    _verifier(page, sources, "formulaire-erreurs", capture=capture)
    _reserver(page)
    _verifier(page, sources, "confirmation", capture=capture)
    page.click("text=Version complète")
    page.wait_for_selector("text=Lire en français facile")
    assert "/facile/" not in page.url

    page.goto(base + "/facile/demarches/rappel/?demarche=titres-identite")
    page.click("button:has-text('Envoyer ma demande')")
    page.wait_for_selector(".errorlist")
    _verifier(page, sources, "rappel-erreurs", capture=capture)
    page.fill("#id_nom", "Fictive")
    page.fill("#id_telephone", "06 12 34 56 78")
    page.fill("#id_objet", "Ma carte")
    page.click("button:has-text('Envoyer ma demande')")
    page.wait_for_selector("h1:has-text('Votre demande est bien arrivée')")
    _verifier(page, sources, "rappel-confirmation", capture=capture)

    page.goto(base + "/facile/mediateur/saisir/")
    page.click("button:has-text('Envoyer ma demande')")
    page.wait_for_selector(".errorlist")
    _verifier(page, sources, "saisine-erreurs", capture=capture)
    page.check("input[name=requerant_type][value=particulier]")
    page.fill("#id_nom", "Fictive")
    page.fill("#id_email", "jeanne@example.org")
    page.fill("#id_recit", "Ma demande est restée sans réponse.")
    page.check("input[name=demarche_prealable][value=oui]")
    page.check("input[name=decision_justice][value=non]")
    page.check("#id_consentement")
    page.click("button:has-text('Envoyer ma demande')")
    page.wait_for_selector("h1:has-text('Votre demande est envoyée')")
    _verifier(page, sources, "saisine-envoyee", capture=capture)
    return sources


def test_easy_pages_with_javascript(page, live_server, demarche_reservable):
    sources = _parcours(page, live_server.url, capture=True)
    assert Reservation.objects.filter(nom="Fictive").count() == 1
    assert DemandeRappel.objects.count() == 1 and Saisine.objects.count() == 1
    assert_valid_html(sources)


def test_easy_pages_without_javascript(page_nojs, live_server, demarche_reservable):
    sources = _parcours(page_nojs, live_server.url, capture=False)
    assert Reservation.objects.filter(nom="Fictive").count() == 1
    assert DemandeRappel.objects.count() == 1 and Saisine.objects.count() == 1
    assert_valid_html(sources)


def _parcours_gerer(page, base: str, permanence, *, capture: bool) -> dict:
    """The day page, move and cancel, a link's identity check, find my booking, the écrivains
    publics, the saisine follow-up."""
    sources: dict[str, str] = {}
    page.set_default_timeout(20_000)

    # Book: the démarche's easy page → the day page → a day → an hour → the form.
    page.goto(base + "/facile/demarches/titres-identite/")
    page.click("text=Prendre un rendez-vous à Hôtel de Ville")
    page.wait_for_selector("h2:has-text('Choisissez un jour')")
    assert "/facile/reservation/" in page.url
    _verifier(page, sources, "jour", capture=capture)
    page.locator(".jours a").first.click()
    page.wait_for_selector("#creneaux .creneaux a")
    _verifier(page, sources, "heure", capture=capture)
    page.locator("#creneaux .creneaux a").first.click()
    page.wait_for_selector("h1:has-text('Prendre un rendez-vous')")
    _reserver(page)

    # Move it: the days, the hours as buttons; back on the booking with the message.
    page.click("text=Changer le jour ou l'heure")
    page.wait_for_selector("h1:has-text('Changer le jour ou l')")
    _verifier(page, sources, "deplacer", capture=capture)
    page.locator(".jours a").last.click()
    page.wait_for_selector("#creneaux .creneaux button")
    page.locator("#creneaux .creneaux button").last.click()
    page.wait_for_selector("text=Votre rendez-vous est déplacé")
    _verifier(page, sources, "deplace", capture=capture)

    # Cancel it: the question, then « Oui ».
    page.click("text=Annuler le rendez-vous")
    page.wait_for_selector("h1:has-text('Voulez-vous annuler le rendez-vous ?')")
    _verifier(page, sources, "annuler", capture=capture)
    page.click("button:has-text('Oui, j')")
    page.wait_for_selector("text=Votre rendez-vous est annulé")
    _verifier(page, sources, "annule", capture=capture)
    assert Reservation.objects.get(nom="Fictive").statut == Statut.ANNULEE

    # The link from a message, in another browser: the identity check first.
    annule = Reservation.objects.get(nom="Fictive")
    _reservation, token = reservation_create(
        agenda=annule.agenda, debut=annule.debut, nom="Ben Saïd", prenom="Yasmine", email="y@example.org"
    )
    page.context.clear_cookies()
    page.goto(f"{base}/facile/reservation/gerer/{token}/")
    page.wait_for_selector("text=Nous vérifions que c'est bien vous.")
    page.click("button:has-text('Voir mon rendez-vous')")
    page.wait_for_selector(".errorlist")
    _verifier(page, sources, "identite-erreurs", capture=capture)
    page.fill("#id_debut_nom", "ben")
    page.click("button:has-text('Voir mon rendez-vous')")
    page.wait_for_selector("h1:has-text('Votre rendez-vous')")
    page.wait_for_selector("text=Changer le jour ou l'heure")
    _verifier(page, sources, "rendez-vous", capture=capture)

    # Find my booking without the message.
    page.goto(base + "/facile/reservation/retrouver/")
    page.click("button:has-text('Recevoir un nouveau lien')")
    page.wait_for_selector(".errorlist")
    _verifier(page, sources, "retrouver-erreurs", capture=capture)
    page.fill("#id_email", "y@example.org")
    page.click("button:has-text('Recevoir un nouveau lien')")
    page.wait_for_selector("h1:has-text('Vous avez demandé un nouveau lien')")
    _verifier(page, sources, "nouveau-lien", capture=capture)

    # Écrivains publics: the finder, a permanence, its day page.
    page.goto(base + "/facile/")
    page.click("text=Trouver une personne pour vous aider à écrire une lettre")
    page.wait_for_selector("h1:has-text('Trouver une personne pour vous aider à écrire')")
    _verifier(page, sources, "ecrivains", capture=capture)
    page.select_option("#id_arrondissement", str(permanence.agenda.lieu.arrondissement.numero))
    page.click("button:has-text('Chercher')")
    page.wait_for_selector("text=1 lieu")
    page.click(f"text={permanence.agenda.titre}")
    page.wait_for_selector("text=Les prochaines places libres")
    _verifier(page, sources, "permanence", capture=capture)
    page.click("text=Choisir le jour et l'heure")
    page.wait_for_selector("h2:has-text('Choisissez un jour')")

    # The saisine follow-up: the identity check, the page, a message.
    saisine = saisine_new(nom="Lefèvre")
    page.goto(f"{base}/facile/mediateur/suivi/{saisine.token}/")
    page.wait_for_selector("text=Nous vérifions que c'est bien vous.")
    _verifier(page, sources, "suivi-identite", capture=capture)
    page.fill("#id_nom_debut", "lef")
    page.click("button:has-text('Continuer')")
    page.wait_for_selector("h1:has-text('Ma demande au médiateur')")
    _verifier(page, sources, "suivi", capture=capture)
    page.fill("#id_corps", "Je joins ma facture demain.")
    page.click("button:has-text('Envoyer')")
    page.wait_for_selector("text=Votre message a bien été transmis au médiateur.")
    _verifier(page, sources, "suivi-message", capture=capture)
    assert Message.objects.filter(saisine=saisine, is_from_requerant=True).count() == 1
    return sources


def test_easy_journeys_with_javascript(page, live_server, demarche_reservable, make_permanence):
    permanence = make_permanence(titre="Écrivain public du 5e")
    assert_valid_html(_parcours_gerer(page, live_server.url, permanence, capture=True))


def test_easy_journeys_without_javascript(page_nojs, live_server, demarche_reservable, make_permanence):
    permanence = make_permanence(titre="Écrivain public du 5e")
    assert_valid_html(_parcours_gerer(page_nojs, live_server.url, permanence, capture=False))
