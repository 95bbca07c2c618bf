"""A partner's journey in Chromium (#19.5): from « Mon espace » to a counter booked for a person,
the agreement asked first, then the booking's page and the list; a callback form. axe-core at 1280
and 320 px and the Nu HTML checker on every partner page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pacte.booking.demo import agenda_demo
from pacte.booking.models import Reservation
from pacte.models import Consentement, Lieu, Notification
from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot
from tests.browser.test_tableaux import PROBLEMES_JS

pytestmark = pytest.mark.browser

TOUS_LES_JOURS = [(j, "08:00", "20:00") for j in range(7)]


def test_partner_books_a_counter_for_a_person(page, live_server, login, make_user):
    """Mon espace → my bookings → counter → day → slot → form; sent without the agreement: the
    message next to the box; with it: the booking's page (no secret link), the list, the callback
    form. Accessible at 1280 and 320 px, valid HTML; the person's email gets the confirmation."""
    _journey(page, live_server, login, make_user, javascript=True)


def test_partner_books_a_counter_for_a_person_without_javascript(page_nojs, live_server, login, make_user):
    """The same journey with JavaScript off: every step is a plain link or form (the week's days,
    the slots, the refused form keeping what was typed, the agreement); valid HTML on each page
    (axe-core runs in the page: it is run in the journey with JavaScript)."""
    _journey(page_nojs, live_server, login, make_user, javascript=False)


def _journey(page, live_server, login, make_user, *, javascript: bool):
    def accessible():
        if javascript:
            assert_accessible(page)

    agenda = agenda_demo(
        Lieu.objects.get(slug="mairie-du-8e-arrondissement"),
        "Carte d'identité et passeport",
        "demarches",
        regles=TOUS_LES_JOURS,
        capacite=2,
        places_agents=1,
        duree_creneau=20,
        delai_min_heures=0,
    )
    partenaire = make_user(
        Role.PARTENAIRE, organisation="France Services Lyon 8e", type_organisation="france_services"
    )
    login(page, partenaire)
    sources = {}
    page.goto(f"{live_server.url}/espace/")
    page.click("text=Mes réservations pour des personnes")
    page.wait_for_url("**/espace/partenaire/")
    sources["accueil-vide"] = page.content()
    accessible()
    page.click("text=Un rendez-vous au guichet")
    page.wait_for_url("**/reservation/partenaire/*")
    sources["agendas"] = page.content()
    accessible()
    page.click(f"a[href='/reservation/partenaire/{agenda.uuid}/']")
    page.wait_for_url(f"**/reservation/partenaire/{agenda.uuid}/")
    page.locator(".jours a").first.click()
    page.locator("#creneaux .creneaux a").first.wait_for()
    sources["semaine"] = page.content()
    accessible()
    page.locator("#creneaux .creneaux a").first.click()
    page.wait_for_selector("#id_nom")
    sources["formulaire"] = page.content()
    accessible()
    page.fill("#id_nom", "Diallo")
    page.fill("#id_prenom", "Fatou")
    page.fill("#id_email", "fatou@example.org")
    page.click("button:has-text('Réserver pour la personne')")
    page.wait_for_selector("#erreurs-formulaire")
    champ = page.locator(".champ:has(#id_accord-accord)")
    assert "Sans son accord, vous ne pouvez pas réserver pour elle." in champ.inner_text()
    assert page.input_value("#id_nom") == "Diallo"
    assert not Reservation.objects.exists()
    sources["formulaire-erreurs"] = page.content()
    screenshot(page, f"partenaire-accord-manquant{'' if javascript else '-sans-js'}")
    accessible()
    page.check("#id_accord-accord")
    page.fill("#id_accord-personne_nom", "Fatou Diallo")
    page.check("#id_accord-forme_0")
    page.fill("#id_accord-expire_on", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.click("button:has-text('Réserver pour la personne')")
    page.wait_for_url("**/espace/partenaire/*/")
    reservation = Reservation.objects.get()
    assert reservation.reference in page.locator("h1").inner_text()
    assert "/reservation/gerer/" not in page.content()
    sources["reservation"] = page.content()
    screenshot(page, f"partenaire-reservation{'' if javascript else '-sans-js'}")
    accessible()
    assert Consentement.objects.get().personne_nom == "Fatou Diallo"
    assert list(Notification.objects.about(reservation).values_list("destinataire", flat=True)) == [
        "fatou@example.org"
    ]
    page.click("text=Retour à mes réservations")
    assert reservation.reference in page.locator("table").inner_text()
    sources["accueil"] = page.content()
    accessible()
    if javascript:  # the list's table at 320 px: no cell narrower than its content, no page scroll
        page.set_viewport_size({"width": 320, "height": 900})
        assert not page.evaluate(PROBLEMES_JS)
        screenshot(page, "tableaux-320-partenaire")
        page.set_viewport_size({"width": 1280, "height": 900})
    page.click("text=Un rappel par téléphone")
    page.wait_for_selector("#id_accord-accord")
    sources["rappel"] = page.content()
    accessible()
    page.click("button:has-text('Envoyer la demande pour la personne')")
    page.wait_for_selector("#erreurs-formulaire")
    sources["rappel-erreurs"] = page.content()
    accessible()
    assert_valid_html(sources)
