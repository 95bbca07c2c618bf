"""Écrivains publics in Chromium: the citizen journey (with and without JavaScript), the waiting
list and its offer link, the écrivain's session record; axe-core and the HTML checker on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ecrivains import services
from ecrivains.models import FicheSeance
from nonrecours.models import Observation
from pacte import sms as sms_backend
from pacte.booking.models import InscriptionAttente, Reservation, Statut
from pacte.booking.services import reservation_cancel, reservation_create
from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot

from .conftest import jour_ouvre, slot_of

pytestmark = pytest.mark.browser

# A slot's link, never the agenda's own (an agenda uuid may end in « 0/ » too).
SLOT_LINK = "ul.creneaux a[href^='/reservation/']"


def _jeudi_5e(make_permanence, **kwargs):
    return make_permanence(
        lieu="mairie-du-5e-arrondissement",
        date=jour_ouvre(3, weekday=3),
        slots=4,
        capacite=2,
        places_agents=1,
        langues=["francais", "arabe"],
        themes=["caf", "logement"],
        titre="Écrivain public — Mairie du 5e (jeudi après-midi)",
        **kwargs,
    )


def _book_and_cancel(page, live_server, sources):
    """From a permanence page: choose the first slot, fill the engine's form, confirm, cancel."""
    page.click("text=Choisir mon créneau")
    page.wait_for_url(re.compile(r"/reservation/[0-9a-f-]+/"))
    if page.locator(SLOT_LINK).count() == 0:
        page.locator(".encadre a[href*='jour=']").first.click()
        page.wait_for_selector(SLOT_LINK)
    page.locator(SLOT_LINK).first.click()
    page.wait_for_url(re.compile(r"/reservation/[0-9a-f-]+/\d{4}-\d\d-\d\dT\d\d:\d\d/"))
    page.fill("#id_nom", "Haddad-Test")
    page.fill("#id_prenom", "Leïla")
    page.fill("#id_telephone", "06 12 34 56 78")
    page.click("text=Confirmer le rendez-vous")
    page.wait_for_url(re.compile(r"/reservation/mon-rendez-vous/"))
    assert "Votre rendez-vous est confirmé" in page.content()
    reservation = Reservation.objects.get(nom="Haddad-Test")
    assert reservation.statut == Statut.CONFIRMEE
    page.click("text=Annuler le rendez-vous")
    page.click("text=Oui, annuler ce rendez-vous")
    page.wait_for_load_state()
    assert "annulé" in page.content()
    reservation.refresh_from_db()
    assert reservation.statut == Statut.ANNULEE


def test_citizen_finds_a_thursday_permanence_in_the_5e_books_and_cancels(page, live_server, make_permanence):
    """With JS: finder filtered by 5e + CAF + arabe + Thursday, permanence page, booking, cancellation."""
    permanence = _jeudi_5e(make_permanence)
    make_permanence(
        lieu="mairie-du-3e-arrondissement", titre="Écrivain public — Mairie du 3e", themes=["impots"]
    )
    sources = {}
    response = page.goto(f"{live_server.url}/ecrivains-publics/")
    sources["recherche"] = response.text()
    assert_accessible(page)
    screenshot(page, "ecrivains-recherche-1280")
    page.set_viewport_size({"width": 320, "height": 900})
    screenshot(page, "ecrivains-recherche-320")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.select_option("#id_arrondissement", "5")
    page.select_option("#id_theme", "caf")
    page.select_option("#id_langue", "arabe")
    page.fill("#id_date", slot_of(permanence).date().isoformat())
    page.click("button:has-text('Rechercher')")
    expect(page.locator("#resultats .carte")).to_have_count(1)
    assert "Mairie du 5e" in page.locator("#resultats").inner_text()
    assert "Mairie du 3e" not in page.locator("#resultats").inner_text()
    assert "Prochain créneau disponible" in page.locator("#resultats").inner_text()
    assert_accessible(page)
    page.click("#resultats a:has-text('Mairie du 5e')")
    page.wait_for_url(f"**/ecrivains-publics/{permanence.uuid}/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    sources["permanence"] = page.content()
    _book_and_cancel(page, live_server, sources)
    assert_valid_html(sources)


def test_citizen_journey_without_javascript(page_nojs, live_server, make_permanence):
    """Without JS: the GET form filters, the permanence page leads to booking, the link cancels."""
    permanence = _jeudi_5e(make_permanence)
    page = page_nojs
    page.goto(f"{live_server.url}/ecrivains-publics/")
    page.select_option("#id_arrondissement", "5")
    page.select_option("#id_langue", "arabe")
    page.click("button:has-text('Rechercher')")
    page.wait_for_url(re.compile(r"arrondissement=5"))
    assert page.locator(".carte").count() == 1
    page.click("a:has-text('Mairie du 5e')")
    page.wait_for_url(f"**/ecrivains-publics/{permanence.uuid}/")
    _book_and_cancel(page, live_server, {})


def test_full_permanence_waiting_list_and_offer_link(page, live_server, make_permanence):
    """A full permanence: a citizen joins the waiting list; a cancellation offers the slot; accepting through
    the link books it."""
    permanence = make_permanence(lieu="bibliotheque-de-la-duchere", titre="Écrivain public — La Duchère")
    taken, _token = reservation_create(
        agenda=permanence.agenda, debut=slot_of(permanence), nom="Occupant", prenom="", email="o@example.org"
    )
    sources = {}
    page.goto(f"{live_server.url}/ecrivains-publics/{permanence.uuid}/")
    assert "Toutes les places sont prises" in page.content()
    page.click("text=M'inscrire sur la liste d'attente")
    page.get_by_role("button", name="M'inscrire").click()
    assert "Indiquez un numéro de téléphone" in page.content()
    assert_accessible(page, widths=(1280,))
    sources["inscription-erreurs"] = page.content()
    page.fill("#id_nom", "Première Personne")
    page.fill("#id_telephone", "06 11 22 33 44")
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_url(re.compile(r"/liste-attente/merci/"))
    assert_accessible(page)
    sources["inscription-merci"] = page.content()
    # A landline only: the page promises a call, not an SMS (#15.2).
    page.goto(f"{live_server.url}/ecrivains-publics/{permanence.uuid}/liste-attente/")
    page.fill("#id_nom", "Fixe Personne")
    page.fill("#id_telephone", "04 72 10 30 30")
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_url(re.compile(r"/liste-attente/merci/"))
    assert "Nous vous appellerons au 04 72 10 30 30" in page.locator("main").inner_text()
    assert_accessible(page)
    sources["inscription-merci-fixe"] = page.content()
    services.inscription_create(permanence=permanence, nom="Deuxième", telephone="0655667788")
    premiere = InscriptionAttente.objects.get(nom="Première Personne")

    reservation_cancel(reservation=taken, motif="empêchement")  # commits: the listener offers the place
    (sms,) = [m for m in sms_backend.outbox if m["to"] == premiere.telephone and "/offre/" in m["body"]]
    # The open offer holds the place (#15.1): the permanence still shows full to everyone else.
    page.goto(f"{live_server.url}/ecrivains-publics/{permanence.uuid}/")
    assert "Toutes les places sont prises" in page.content()
    lien = re.search(r"https?://\S+/ecrivains-publics/offre/\S+/", sms["body"]).group(0)
    page.goto(live_server.url + lien[lien.index("/ecrivains-publics/") :])
    assert "Une place s'est libérée" in page.content()
    assert "la place vous est gardée" in page.content()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 900})
    screenshot(page, "ecrivains-offre-320")
    page.set_viewport_size({"width": 1280, "height": 900})
    sources["offre"] = page.content()
    page.click('button:has-text("J\'accepte ce rendez-vous")')
    page.wait_for_load_state()
    assert "Votre rendez-vous est confirmé" in page.content()
    sources["offre-acceptee"] = page.content()
    assert Reservation.objects.get(nom="Première Personne").statut == Statut.CONFIRMEE
    assert InscriptionAttente.objects.get(nom="Deuxième").statut == "en_attente"
    assert_valid_html(sources)


def test_ecrivain_space_session_record_and_staff_pages(page, live_server, make_permanence, make_user, login):
    """An écrivain sees the day, records a session with a right not claimed (→ observatory); staff pages
    (waiting lists, coordination) are accessible and valid."""
    from ecrivains.models import EcrivainPublic

    user = make_user(Role.ECRIVAIN)
    EcrivainPublic.objects.create(user=user, structure="Association test")
    permanence = _jeudi_5e(make_permanence, ecrivains=[user])
    reservation_create(
        agenda=permanence.agenda, debut=slot_of(permanence), nom="Rdv-Test", prenom="", email="r@example.org"
    )
    services.inscription_create(permanence=permanence, nom="Attente-Test", telephone="0612121212")
    services.inscription_create(permanence=permanence, nom="Fixe-Test", telephone="0472103030")
    services.offres_attribuer(permanence=permanence, debut=slot_of(permanence, 1))  # a call to make
    sources = {}
    login(page, user)
    response = page.goto(f"{live_server.url}/ecrivains-publics/mon-espace/")
    assert "Rdv-Test" in page.content()
    assert_accessible(page)
    sources["mon-espace"] = response.text()
    for path in (
        f"/ecrivains-publics/mon-espace/{permanence.uuid}/passage/",
        f"/ecrivains-publics/mon-espace/{permanence.uuid}/annuler-seance/",
        "/ecrivains-publics/liste-attente/",
        f"/ecrivains-publics/liste-attente/{permanence.uuid}/inscrire/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert_accessible(page, widths=(1280,))
        sources[path] = response.text()
    page.goto(f"{live_server.url}/ecrivains-publics/mon-espace/")
    page.click("text=Remplir une fiche de séance")
    page.check("input[name=themes][value=caf]")
    page.check("input[name=issue][value=oriente_vers]")
    page.select_option("#id_organisme", "caf")
    page.check("input[name=autonomie][value=fait_avec]")
    page.check("#id_droit_non_reclame")
    page.select_option("#id_dispositif", "prime_activite")
    page.select_option("#id_type_odenore", "non_connaissance")
    assert_accessible(page)
    sources["fiche"] = page.content()
    page.click("button:has-text('Enregistrer la fiche')")
    page.wait_for_url("**/ecrivains-publics/mon-espace/")
    assert "Fiche de séance enregistrée" in page.content()
    fiche = FicheSeance.objects.get()
    observation = Observation.objects.get(pk=fiche.observation_id)
    assert observation.source == "ecrivain_public" and observation.type_odenore == "non_connaissance"

    coord = make_user(Role.COORDINATION)
    page.context.clear_cookies()
    login(page, coord)
    response = page.goto(f"{live_server.url}/ecrivains-publics/coordination/")
    assert response.status == 200
    assert_accessible(page)
    sources["coordination"] = response.text()
    assert_valid_html(sources)
