"""The observatory in Chromium: agent keyboard journey (timed), public page with and without JS,
analyst raw figures; axe-core and the HTML checker on every page."""

import time

import pytest
from django.utils import timezone

from nonrecours.models import Dispositif, Observation
from pacte.models import Lieu
from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot
from tests.nonrecours.test_views import _bulk

pytestmark = pytest.mark.browser


def _tab_to(page, element_id, limit=40):
    """Press Tab until the element with `element_id` has focus; return the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return presses
    raise AssertionError(f"#{element_id} not reachable by keyboard")


def test_agent_records_a_situation_by_keyboard(page, live_server, make_user, login):
    """An agent records a situation with the keyboard only, then follows it up; pages accessible."""
    agent = make_user(Role.AGENT, lieu=Lieu.objects.filter(arrondissement__numero=8).first())
    login(page, agent)
    response = page.goto(live_server.url + "/non-recours/signaler/")
    sources = {"signaler": response.text()}
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    started = time.perf_counter()
    keys = 2
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Enter")
    keys += _tab_to(page, "id_dispositifs_7")  # tabs through the first rights
    page.keyboard.press("Space")  # RSA
    keys += _tab_to(page, "id_type_odenore_0")  # radio group: one stop
    page.keyboard.press("ArrowDown")  # non-demande
    keys += 2
    keys += _tab_to(page, "id_raisons_1")
    page.keyboard.press("Space")  # difficulté numérique
    keys += 1
    keys += _tab_to(page, "id_orientation")  # source and arrondissement are pre-filled
    page.keyboard.type("m")  # MDMS
    keys += 1
    page.keyboard.press("Tab")  # summary « Public et date »
    page.keyboard.press("Tab")  # submit button
    page.keyboard.press("Enter")
    keys += 3
    page.wait_for_url("**/signaler/?enregistre=*")
    elapsed = time.perf_counter() - started
    print(f"\nKeyboard journey: {keys} key presses, {elapsed:.1f} s in Chromium")

    obs = Observation.objects.get()
    assert obs.recorded_by == agent and obs.arrondissement.numero == 8
    assert obs.type_odenore == "non_demande" and obs.raisons == ["numerique"] and obs.orientation == "mdms"
    assert list(obs.dispositifs.values_list("code", flat=True)) == ["rsa"]
    assert page.locator("#autre-situation").is_visible()
    sources["signaler-enregistre"] = page.content()
    assert_accessible(page, widths=(1280,))
    screenshot(page, "nonrecours-signaler")

    # Errors: nothing checked → French message, focusable summary.
    page.goto(live_server.url + "/non-recours/signaler/")
    page.click("#formulaire-signalement button[type=submit]")
    assert "Cochez au moins un droit ou une aide." in page.content()
    sources["signaler-erreur"] = page.content()
    assert_accessible(page, widths=(1280,))

    response = page.goto(live_server.url + "/non-recours/mes-signalements/")
    sources["mes-signalements"] = response.text()
    assert_accessible(page)
    page.check(f"#situation-{obs.pk} input[value=en_cours]")
    page.click(f"#situation-{obs.pk} button[type=submit]")
    obs.refresh_from_db()
    assert obs.droit_ouvert == "en_cours"
    assert_valid_html(sources)


@pytest.fixture
def donnees(db):
    _bulk(40, type_odenore="non_connaissance", numero=7, code="rsa")
    _bulk(60, type_odenore="non_demande", numero=7, code="rsa")
    _bulk(25, type_odenore="non_demande", numero=8, code="css", demarche="demande-css")
    _bulk(3, type_odenore="non_reception", numero=1, code="domiciliation")
    _bulk(30, type_odenore="non_reception", numero=8, code="rsa")
    _bulk(45, type_odenore="non_reception", numero=7, code="css")


def test_public_page_with_suppressed_cells_with_and_without_js(page, page_nojs, live_server, donnees):
    """The public page shows figures and « < 11 » cells, is accessible, and its filters work without JS."""
    response = page.goto(live_server.url + "/non-recours/")
    assert response.status == 200
    assert page.locator("td.masque").count() > 0
    assert page.get_by_text("< 11").first.is_visible()
    assert_accessible(page)
    screenshot(page, "nonrecours-public")
    sources = {"public": response.text()}

    # Without JavaScript: choose another year in the plain GET form, then come back to this one.
    year = timezone.localdate().year
    page_nojs.goto(live_server.url + "/non-recours/")
    page_nojs.select_option("#id_annee", str(year - 1))
    page_nojs.click("text=Afficher les chiffres")
    page_nojs.wait_for_url(f"**/non-recours/?annee={year - 1}")
    assert "0" in page_nojs.locator(".chiffres-cles").inner_text()
    sources["public-annee"] = page_nojs.content()
    csv_response = page_nojs.request.get(live_server.url + f"/non-recours/statistiques.csv?annee={year}")
    assert csv_response.status == 200 and "text/csv" in csv_response.headers["content-type"]
    assert "< 11" in csv_response.text()
    assert_valid_html(sources)


def test_analyst_sees_raw_figures_and_manages_catalogue(page, live_server, make_user, login, donnees):
    """Analysts see « 3 » where the public sees « < 11 »; back-office pages are accessible and valid."""
    login(page, make_user(Role.ANALYSTE))
    sources = {}
    response = page.goto(live_server.url + "/non-recours/analyse/")
    sources["analyse"] = response.text()
    assert page.locator("td.masque").count() == 0
    row = page.locator("tr", has=page.locator("th", has_text="Lyon 1er")).first
    assert "3" in row.inner_text()
    assert_accessible(page)
    screenshot(page, "nonrecours-analyse")
    rsa = Dispositif.objects.get(code="rsa")
    for name, path in [
        ("dispositifs", "/non-recours/dispositifs/"),
        ("modifier", f"/non-recours/dispositifs/{rsa.pk}/modifier/"),
        ("ajouter", "/non-recours/dispositifs/ajouter/"),
    ]:
        response = page.goto(live_server.url + path)
        sources[name] = response.text()
        assert_accessible(page)
    page.click("main form button[type=submit]")
    assert "Indiquez le nom du dispositif." in page.content()
    sources["ajouter-erreur"] = page.content()
    assert_valid_html(sources)
