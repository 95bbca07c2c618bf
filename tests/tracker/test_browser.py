"""The tracker in Chromium: citizen and administrator journeys, axe-core and the HTML checker."""

import re

import pytest

from pacte.models import Direction, Notification
from pacte.roles import Role
from pacte.tracker import services
from pacte.tracker.models import Abonnement, Action
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot
from tests.tracker.test_abonnements import _body

pytestmark = pytest.mark.browser

BAD_CSV = (
    "code,orientation,titre,statut,avancement\n"
    "A1,accessibilite,Garantir une alternative à chaque démarche en ligne,en_cours,60\n"
    "P9,proximite,,a_engager,0\n"
)


def test_citizen_reads_the_pacte_opens_a1_and_follows_it(page, live_server, fake_indicateurs, make_user):
    """Three orientations → A1 with its live indicator → subscribe → confirm from the email → milestone email."""
    sources = {}
    response = page.goto(live_server.url + "/pacte/")
    for titre in ("Accessibilité", "Proximité", "Adaptabilité"):
        assert page.get_by_role("heading", name=titre).is_visible()
    assert_accessible(page)
    screenshot(page, "tracker-accueil")
    sources["/pacte/"] = response.text()

    page.click("text=Voir toutes les actions")
    page.wait_for_url("**/pacte/actions/")
    assert_accessible(page)
    sources["/pacte/actions/"] = page.content()

    page.click("a:has-text('alternative systématique')")
    page.wait_for_url("**/pacte/actions/A1/")
    assert page.locator("h1").inner_text().startswith("Garantir pour chaque service en ligne")
    assert page.locator("[data-indicateur=test_alternative_garantie]").inner_text().startswith("87,5 %")
    assert page.locator("figure.graphique svg").count() >= 1
    assert_accessible(page)
    screenshot(page, "tracker-action-a1")
    sources["/pacte/actions/A1/"] = page.content()

    fake_indicateurs["valeur"] = 50
    page.reload()
    assert page.locator("[data-indicateur=test_alternative_garantie]").inner_text().startswith("50 %")

    page.fill("#id_email", "pas-une-adresse")
    page.click("button:has-text('Suivre cette action')")
    assert "pas valide" in page.locator(".alerte--erreur").inner_text()
    assert_accessible(page, widths=(1280,))
    sources["A1 erreur"] = page.content()
    page.fill("#id_email", "camille@example.org")
    page.click("button:has-text('Suivre cette action')")
    page.wait_for_url("**/suivre/envoye/")
    assert_accessible(page)
    sources["envoye"] = page.content()

    corps = _body(Notification.objects.get(destinataire="camille@example.org"))
    link = re.search(r"/pacte/abonnement/confirmer/[\w-]+/", corps).group(0)
    response = page.goto(live_server.url + link)
    assert_accessible(page)
    sources["confirmer"] = response.text()
    page.click("button:has-text('Confirmer')")
    page.wait_for_url("**/pacte/actions/A1/")
    assert "C'est confirmé" in page.locator(".messages").inner_text()
    assert Abonnement.objects.get().confirmed_at is not None

    admin = make_user(Role.ADMIN)
    services.jalon_add(
        action=Action.objects.get(code="A1"),
        actor=admin,
        date_on=__import__("datetime").date(2026, 11, 2),
        titre="Étape test",
    )
    mail = Notification.objects.filter(destinataire="camille@example.org").latest("pk")
    assert "Étape test" in _body(mail)
    unsubscribe = re.search(r"/pacte/abonnement/desabonner/[\w-]+/", _body(mail)).group(0)

    response = page.goto(live_server.url + "/pacte/historique/")
    assert "Nouveau jalon" in page.content()
    assert_accessible(page)
    sources["/pacte/historique/"] = response.text()

    response = page.goto(live_server.url + unsubscribe)
    assert_accessible(page)
    sources["desabonner"] = response.text()
    page.click("button:has-text('Me désabonner')")
    page.wait_for_url("**/pacte/actions/A1/")
    assert not Abonnement.objects.exists()
    assert_valid_html(sources)


def test_admin_imports_a_csv_with_a_bad_line_and_gets_the_report(
    page, live_server, make_user, login, tmp_path
):
    """The report names line 3 and nothing is imported; the back-office pages are accessible."""
    admin = make_user(Role.ADMIN)
    Action.objects.filter(code="A12").update(direction=Direction.objects.get(sigle="DDT"))
    login(page, admin)
    sources = {}
    response = page.goto(live_server.url + "/pacte/gestion/")
    assert_accessible(page)
    sources["gestion"] = response.text()
    response = page.goto(live_server.url + "/pacte/gestion/actions/A12/")
    assert_accessible(page)
    sources["gestion A12"] = response.text()
    page.click("text=Suivi des actions du Pacte")
    page.click("text=Importer un fichier CSV")
    assert_accessible(page)
    sources["import"] = page.content()
    path = tmp_path / "actions.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    page.set_input_files("#id_fichier", str(path))
    page.click("button:has-text('Vérifier le fichier')")
    report = page.locator("#rapport-erreurs").inner_text()
    assert "Rien n'a été importé" in report and "Ligne 3" in report and "le titre est vide" in report.lower()
    assert_accessible(page)
    screenshot(page, "tracker-import-erreurs")
    sources["import erreurs"] = page.content()
    assert Action.objects.get(code="A1").statut == "a_engager"
    assert_valid_html(sources)


def test_pages_work_without_javascript(page_nojs, live_server):
    """Without JavaScript, filters submit as GET and following an action works."""
    page = page_nojs
    page.goto(live_server.url + "/pacte/actions/")
    page.select_option("#id_orientation", "adaptabilite")
    page.click("button:has-text('Filtrer')")
    page.wait_for_url("**orientation=adaptabilite**")
    assert page.locator("a[href='/pacte/actions/D1/']").count() == 1
    assert page.locator("a[href='/pacte/actions/A1/']").count() == 0
    page.click("a[href='/pacte/actions/D1/']")
    page.fill("#id_email", "sans-js@example.org")
    page.click("button:has-text('Suivre cette action')")
    page.wait_for_url("**/suivre/envoye/")
    assert Abonnement.objects.filter(email="sans-js@example.org", action__code="D1").exists()
