"""The démarche counter's waiting list in Chromium (#15.12), with and without JavaScript, at 1280
and 320 px: the full agenda page offers the list, the form shows errors next to the fields, the
thanks page says how the person is reached, a cancellation sends the offer whose link books the
held place; the agents' lists. axe-core and the Nu HTML checker on every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pacte import sms as sms_backend
from pacte.booking import attente
from pacte.booking.models import InscriptionAttente, Reservation, Statut
from pacte.booking.services import reservation_cancel, reservation_create
from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot

from .conftest import at

pytestmark = pytest.mark.browser


@pytest.fixture
def complet(make_agenda, slot_day):
    """A counter with one slot in its whole horizon, already taken."""
    agenda = make_agenda(
        titre="Carte grise au guichet",
        regles=[dict(type="date_unique", date=slot_day, heure_debut=dt.time(9), heure_fin=dt.time(9, 30))],
    )
    debut = at(slot_day, "09:00")
    occupant, _token = reservation_create(
        agenda=agenda, debut=debut, nom="Occupant", prenom="", email="o@example.org"
    )
    return agenda, occupant


def _join(page, live_server, agenda, sources=None, *, js=True):
    page.goto(f"{live_server.url}/reservation/{agenda.uuid}/")
    assert "Toutes les places sont prises" in page.content()
    if sources is not None:
        assert_accessible(page)
        screenshot(page, "attente-agenda-complet-1280")
        page.set_viewport_size({"width": 320, "height": 900})
        screenshot(page, "attente-agenda-complet-320")
        page.set_viewport_size({"width": 1280, "height": 900})
        sources["agenda-complet"] = page.content()
    page.click("text=M'inscrire sur la liste d'attente")
    page.wait_for_url(re.compile(r"/liste-attente/$"))
    page.fill("#id_nom", "Première Personne")
    page.fill("#id_email", "pas-une-adresse")
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_load_state()
    assert "Cette adresse de courriel n'est pas valide" in page.content()
    assert page.locator("#id_nom").input_value() == "Première Personne"  # what was typed stays
    if sources is not None:
        assert_accessible(page)
        sources["inscription-erreurs"] = page.content()
    page.fill("#id_email", "")
    page.fill("#id_telephone", "06 11 22 33 44")
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_url(re.compile(r"/liste-attente/merci/"))
    assert "par SMS au 06 11 22 33 44" in page.locator("main").inner_text()
    if sources is not None:
        assert_accessible(page)
        sources["inscription-merci"] = page.content()


def _accept_offer(page, live_server, agenda, occupant, sources=None):
    premiere = InscriptionAttente.objects.get(nom="Première Personne")
    reservation_cancel(reservation=occupant, motif="empêchement")  # commits: the list is offered it
    (sms,) = [m for m in sms_backend.outbox if m["to"] == premiere.telephone and "/offre/" in m["body"]]
    # The open offer holds the place: the agenda still shows full to everyone else.
    page.goto(f"{live_server.url}/reservation/{agenda.uuid}/")
    assert "Toutes les places sont prises" in page.content()
    lien = re.search(r"https?://\S+(/reservation/liste-attente/offre/\S+/)", sms["body"]).group(1)
    page.goto(live_server.url + lien)
    assert "la place vous est gardée" in page.content()
    if sources is not None:
        assert_accessible(page)
        page.set_viewport_size({"width": 320, "height": 900})
        screenshot(page, "attente-offre-320")
        page.set_viewport_size({"width": 1280, "height": 900})
        sources["offre"] = page.content()
    page.click('button:has-text("J\'accepte ce rendez-vous")')
    page.wait_for_load_state()
    assert "Votre rendez-vous est confirmé" in page.content()
    if sources is not None:
        assert_accessible(page)
        sources["offre-acceptee"] = page.content()
    assert Reservation.objects.get(nom="Première Personne").statut == Statut.CONFIRMEE


def test_counter_waiting_list_with_javascript(page, live_server, complet):
    """With JS, 1280 and 320 px: join, the offer holds the place, accept through the link."""
    agenda, occupant = complet
    sources = {}
    _join(page, live_server, agenda, sources)
    _accept_offer(page, live_server, agenda, occupant, sources)
    assert_valid_html(sources)


def test_counter_waiting_list_without_javascript(page_nojs, live_server, complet):
    """Without JS: the same journey works with plain links and forms."""
    agenda, occupant = complet
    _join(page_nojs, live_server, agenda, js=False)
    _accept_offer(page_nojs, live_server, agenda, occupant)


def test_agents_waiting_lists_page(page, live_server, complet, make_user, login, lieu):
    """The agents' lists and « Offres à appeler » (a landline-only person) are accessible and valid."""
    agenda, occupant = complet
    attente.inscription_create(agenda=agenda, nom="Fixe-Test", telephone="0472103030")
    attente.inscription_create(agenda=agenda, nom="Mobile-Test", telephone="0612121212")
    reservation_cancel(reservation=occupant, motif="empêchement")
    login(page, make_user(Role.AGENT, lieu=lieu))
    sources = {}
    for path in (
        "/reservation/agent/liste-attente/",
        f"/reservation/agent/liste-attente/{agenda.uuid}/inscrire/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert_accessible(page)
        sources[path] = response.text()
    page.goto(live_server.url + "/reservation/agent/liste-attente/")
    assert "Fixe-Test" in page.locator("table").inner_text()
    with page.expect_navigation():
        page.click("button:has-text('Accepte')")
    assert "réservé" in page.content(), page.locator("main").inner_text()
    assert Reservation.objects.get(nom="Fixe-Test").statut == Statut.CONFIRMEE
    assert_valid_html(sources)
