"""The agents' letters to post (/espace/courriers/) in Chromium: axe at 1280 and 320 px, the Nu HTML
checker, with letters of every kind and once they are posted (issue 19.1)."""

from __future__ import annotations

import pytest

from pacte.models import Canal, Notification, StatutNotification
from pacte.notifications import Personne, notify_person
from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def _lettres():
    """Three letters for the reception agents, one with a long name and a three-line address."""
    for nom, adresse in [
        (
            "Jeanne-Marie de La Tour d'Auvergne",
            "Résidence Les Tilleuls, bâtiment B\n12 rue de la Paix\n69003 Lyon",
        ),
        ("Paul Rappel", "5 rue Mercière\n69002 Lyon"),
        ("Ali Ben", "1 place Sathonay\n69001 Lyon"),
    ]:
        notify_person(
            personne=Personne(nom=nom, telephone="04 72 10 30 30", adresse=adresse),
            message="demarches/rappel_repli",
            context={"demande": None, "demarche": None},
            sujet="Nous n'avons pas pu vous joindre",
            repli=Canal.COURRIER,
        )


def test_letters_page_is_accessible_and_valid_with_letters_and_once_posted(
    page, live_server, make_user, login
):
    """With letters: 0 axe violation at 1280 and 320 px, no sideways scroll; « Marquer comme postés »
    (the real form) → the confirmation and the empty page, axe-clean too; all 0 HTML errors."""
    page.set_default_timeout(20000)
    _lettres()
    login(page, make_user(Role.AGENT))
    sources = {}
    page.goto(f"{live_server.url}/espace/courriers/")
    assert page.locator("input[name=courrier]").count() == 3
    assert "Imprimer les 3 courriers (PDF)" in page.content()
    sources["courriers"] = page.content()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 900})
    screenshot(page, "courriers-320")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("button:has-text('Marquer comme postés')")
    page.wait_for_url("**/espace/courriers/")
    assert "3 courriers postés" in page.content() and "Aucun courrier à envoyer." in page.content()
    assert not Notification.objects.filter(canal=Canal.COURRIER, statut=StatutNotification.PENDING).exists()
    sources["postes"] = page.content()
    assert_accessible(page)
    assert_valid_html(sources)
