"""The annual report in Chromium: the médiateur prepares, generates, publishes; a conseiller reads it."""

from __future__ import annotations

import pytest

from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot

from .conftest import ANNEE, LIGNES, create_saisine, seed_propositions

pytestmark = pytest.mark.browser


def test_mediateur_prepares_generates_publishes_and_conseiller_reads(
    page, live_server, make_user, login, settings, tmp_path
):
    """Journey with axe + HTML checks on every page of the report."""
    settings.MEDIA_ROOT = tmp_path / "media"
    saisines = [create_saisine(i, ligne) for i, ligne in enumerate(LIGNES, start=1)]
    seed_propositions()
    sources = {}
    login(page, make_user(Role.MEDIATEUR))
    response = page.goto(f"{live_server.url}/mediateur/rapports/")
    assert_accessible(page)
    sources["liste"] = response.text()
    page.click(f"text=Préparer le rapport {ANNEE}")
    assert page.locator("h1").inner_text() == f"Préparer le rapport {ANNEE}"
    page.fill("#id_editorial", "Texte de démonstration : une année de médiation.")
    page.click("text=Enregistrer l'éditorial")
    page.select_option("#id_saisine", value=str(saisines[0].pk))
    page.fill("#id_titre", "Un bruit la nuit")
    page.fill("#id_texte", f"Mme {saisines[0].nom} se plaignait du bruit.")
    page.click("text=Ajouter la vignette")
    assert "le nom du requérant" in page.locator("#id_texte_error").inner_text()
    assert_accessible(page, widths=(1280,))
    sources["refus"] = page.content()
    page.fill("#id_texte", "Une habitante se plaignait du bruit la nuit.")
    page.click("text=Ajouter la vignette")
    assert page.locator(".carte__titre", has_text="Un bruit la nuit").count() == 1
    # Celery runs eagerly in tests: the POST returns once the PDF is laid out (can be slow here).
    with page.expect_navigation(timeout=180000):
        page.locator("form[action$='/generer/']").evaluate("form => form.requestSubmit()")
    page.wait_for_selector("text=Version 1 prête")
    assert_accessible(page)
    sources["preparer"] = page.content()
    screenshot(page, "rapport-preparer")
    page.click("text=Publier la version 1")
    assert "est publiée" in page.locator(".messages").inner_text()
    response = page.goto(f"{live_server.url}/mediateur/rapports/{ANNEE}/")
    page.click("text=Modifier")
    assert_accessible(page)
    sources["vignette"] = page.content()

    page.context.clear_cookies()
    login(page, make_user(Role.CONSEILLER))
    response = page.goto(f"{live_server.url}/mediateur/rapports/conseil/")
    assert f"Rapport annuel {ANNEE}" in page.locator("main").inner_text()
    assert_accessible(page)
    sources["conseil"] = response.text()
    href = page.get_attribute(f"text=Lire le rapport {ANNEE} (PDF)", "href")
    pdf = page.request.get(live_server.url + href)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert_valid_html(sources)


def test_citizen_finds_the_published_report_on_the_mediateur_page(page, page_nojs, live_server, publie):
    """The public page lists the published report (link on) with its figures, at 1280 and 320 px (axe, HTML
    checker), with and without JavaScript, and its link opens the PDF; with the link off it is gone."""
    rapport, _, _ = publie
    rapport.public_link_enabled = True
    rapport.save()
    response = page.goto(f"{live_server.url}/mediateur/")
    section = page.locator("section.carte", has_text=f"Rapport annuel {ANNEE}")
    assert section.count() == 1
    table = section.locator("table")
    assert table.locator("caption").inner_text() == f"Les chiffres clés du rapport {ANNEE}"
    assert table.locator("th[scope=row]").first.inner_text() == "Saisines reçues"
    assert_accessible(page)
    assert_valid_html({"mediateur": response.text()})
    screenshot(page, "mediateur-rapports-publics")
    page_nojs.goto(f"{live_server.url}/mediateur/")
    lien = page_nojs.get_by_role("link", name=f"Lire le rapport {ANNEE}")
    pdf = page_nojs.request.get(live_server.url + lien.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    rapport.public_link_enabled = False
    rapport.save()
    page_nojs.goto(f"{live_server.url}/mediateur/")
    assert f"Rapport annuel {ANNEE}" not in page_nojs.locator("main").inner_text()
