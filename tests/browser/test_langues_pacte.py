"""The Pacte's pages and the observatory in Arabic, and the language switcher's round trip, in
Chromium (#17). The switcher fr → ar → fr with and without JavaScript: the choice sticks (a typed
French address then stays French; after choosing Arabic again it leads to Arabic). Tracker and
statistics pages in Arabic: axe 0 violations at 1280 and 320 px, the HTML checker 0 errors, each
photographed at 320 px (var/screenshots/ and /work/notes/shots/ when it exists)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pacte.roles import Role
from pacte.tracker import services
from pacte.tracker.enums import Statut
from pacte.tracker.models import Action
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot
from tests.nonrecours.test_browser import _bulk

pytestmark = pytest.mark.browser

NOTES = Path("/work/notes/shots")


def _aller_retour(page, base: str) -> None:
    page.goto(base + "/pacte/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.click('.langues a[hreflang="ar"]')
    page.wait_for_url("**/ar/pacte/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.click('.langues a[hreflang="fr"]')
    page.wait_for_url(base + "/pacte/")  # the clean address, without the marker
    assert page.locator("html").get_attribute("lang") == "fr"
    # The choice sticks: a French address typed afterwards stays French.
    page.goto(base + "/pacte/actions/")
    assert page.url == base + "/pacte/actions/" and page.locator("html").get_attribute("lang") == "fr"
    # Arabic again: now a typed French address leads to the same page in Arabic, query kept.
    page.click('.langues a[hreflang="ar"]')
    page.wait_for_url("**/ar/pacte/actions/")
    page.goto(base + "/pacte/actions/?statut=en_cours")
    assert page.url == base + "/ar/pacte/actions/?statut=en_cours"
    assert page.locator("html").get_attribute("lang") == "ar"
    page.click('.langues a[hreflang="fr"]')
    page.wait_for_url(base + "/pacte/actions/?statut=en_cours")


def test_the_switcher_round_trip_with_and_without_javascript(page, page_nojs, live_server):
    _aller_retour(page, live_server.url)
    _aller_retour(page_nojs, live_server.url)


def _photo(page, nom: str) -> None:
    taille = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 900})
    chemin = screenshot(page, nom)
    page.set_viewport_size(taille)
    if NOTES.is_dir():
        shutil.copy(chemin, NOTES / chemin.name)


def test_the_pacte_and_the_observatory_in_arabic_are_accessible(page, live_server, make_user):
    admin = make_user(Role.ADMIN)
    action = Action.objects.get(code="P1")
    services.action_update(action=action, actor=admin, statut=Statut.EN_COURS, avancement=20)
    # Figures with small counts: « < 11 » and « secret » cells, bars in the charts.
    _bulk(40, type_odenore="non_connaissance", numero=7, code="rsa")
    _bulk(60, type_odenore="non_demande", numero=7, code="rsa")
    _bulk(25, type_odenore="non_demande", numero=8, code="css", demarche="demande-css")
    _bulk(3, type_odenore="non_reception", numero=1, code="domiciliation")
    sources = {}
    for nom, chemin in [
        ("pacte-accueil", "/ar/pacte/"),
        ("pacte-actions", "/ar/pacte/actions/"),
        ("pacte-action-a1", "/ar/pacte/actions/A1/"),
        ("pacte-action-p1", "/ar/pacte/actions/P1/"),
        ("pacte-historique", "/ar/pacte/historique/"),
        ("observatoire", "/ar/non-recours/"),
        ("contact", "/ar/contact/"),
        ("donnees-personnelles", "/ar/donnees-personnelles/"),
    ]:
        page.goto(live_server.url + chemin)
        assert page.locator("html").get_attribute("dir") == "rtl", chemin
        assert_accessible(page, widths=(1280, 320))
        _photo(page, f"langues-ar-{nom}-320")
        sources[chemin] = page.content()
    assert_valid_html(sources)
