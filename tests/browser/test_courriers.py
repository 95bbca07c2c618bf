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


def test_postal_address_and_paper_reply_fields_are_accessible(page, live_server, make_user, login):
    """The pages that gained a field for letters: the callback form with its address error, the
    saisine form, the élu's new request (« Recevoir aussi la réponse par courrier ») and the request
    showing its letter: axe at 1280 and 320 px, 0 errors from the Nu HTML checker."""
    from arrondissements.services import demande_act, demande_create
    from pacte.models import Arrondissement, Direction

    page.set_default_timeout(20000)
    sources = {}
    page.goto(f"{live_server.url}/demarches/rappel/")
    page.fill("#id_nom", "Paul Rappel")
    page.fill("#id_telephone", "04 78 00 00 00")
    page.fill("#id_adresse_postale", "5 rue Mercière")
    page.fill("#id_objet", "Mon dossier de PACS")
    page.click("main button[type=submit]")
    page.locator("#id_adresse_postale[aria-invalid=true]").wait_for()
    assert "avec le code postal et la ville" in page.content()
    sources["rappel-adresse"] = page.content()
    assert_accessible(page)
    sources["saisir"] = page.goto(f"{live_server.url}/mediateur/saisir/").text()
    assert_accessible(page, widths=(320,))

    dev = Direction.objects.get(sigle="DEV")
    elu = make_user(Role.ELU, arrondissement=Arrondissement.objects.get(numero=6), fonction_elu="maire")
    appui = demande_create(
        auteur=elu,
        data={
            "objet": "Arrosage du square",
            "categorie": "espaces_verts",
            "direction": dev,
            "localisation": "",
            "urgence": "normale",
            "description": "Les massifs sèchent.",
            "reponse_par_courrier": True,
        },
    )
    demande_act(
        appui, action="repondre", actor=make_user(Role.REFERENT, direction=dev), texte="Arrosé lundi."
    )
    login(page, elu)
    sources["appui-nouvelle"] = page.goto(f"{live_server.url}/arrondissements/nouvelle/").text()
    assert "Recevoir aussi la réponse par courrier" in sources["appui-nouvelle"]
    assert_accessible(page)
    sources["appui-detail"] = page.goto(f"{live_server.url}/arrondissements/demandes/{appui.uuid}/").text()
    assert (
        "Réponses par courrier" in sources["appui-detail"] and "Courrier à envoyer" in sources["appui-detail"]
    )
    assert_accessible(page)
    assert_valid_html(sources)
