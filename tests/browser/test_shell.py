"""The public shell in Chromium: axe-core at 1280 and 320 px, HTML validity, and no-JavaScript use."""

import pytest

from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

SHELL_PAGES = [
    "/",
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/plan-du-site/",
    "/contact/",
    "/espace/connexion/",
    "/espace/mot-de-passe/oublie/",
    "/page-qui-n-existe-pas/",
    "/pacte/actions/%00/",
]
STATUS = {"/page-qui-n-existe-pas/": 404, "/pacte/actions/%00/": 400}


def test_shell_pages_are_accessible_and_valid(page, live_server):
    """Every shell page: 0 axe violations at 1280 and 320 px, 0 HTML checker errors."""
    sources = {}
    for path in SHELL_PAGES:
        response = page.goto(live_server.url + path)
        assert response.status == STATUS.get(path, 200), path
        assert page.locator("h1").count() == 1
        assert page.locator("html").get_attribute("lang") == "fr"
        assert_accessible(page)
        sources[path] = response.text()
    screenshot(page, "shell-home")
    assert_valid_html(sources)


def test_staff_home_is_accessible_and_valid(page, live_server, make_user, login):
    """'Mon espace' after a real sign-in is accessible and valid."""
    user = make_user(Role.AGENT)
    login(page, user)
    response = page.goto(live_server.url + "/espace/")
    assert page.locator("h1").inner_text() == "Mon espace"
    assert_accessible(page)
    assert_valid_html({"/espace/": response.text()})


def test_shell_works_without_javascript(page_nojs, live_server, make_user):
    """With JavaScript disabled, the pages render and the sign-in form signs in."""
    for path in SHELL_PAGES[:6]:
        page_nojs.goto(live_server.url + path)
        assert page_nojs.locator("h1").count() == 1
    user = make_user(Role.MEDIATEUR)
    page_nojs.goto(live_server.url + "/espace/connexion/")
    page_nojs.fill("#id_username", user.username)
    page_nojs.fill("#id_password", "motdepasse-de-test-123")
    page_nojs.click("button[type=submit]")
    page_nojs.wait_for_url(f"{live_server.url}/espace/")
    assert "Mon espace" in page_nojs.locator("h1").inner_text()


def test_login_error_is_shown_next_to_the_form_and_keeps_username(page, live_server, make_user):
    """A wrong password gives a French message and keeps the typed username."""
    user = make_user(Role.AGENT)
    page.goto(live_server.url + "/espace/connexion/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "faux")
    page.click("button[type=submit]")
    assert "Identifiant ou mot de passe incorrect" in page.content()
    assert page.input_value("#id_username") == user.username
    assert_accessible(page, widths=(1280,))


def test_skip_link_reaches_main_content_by_keyboard(page, live_server):
    """The first Tab stop is the skip link and it moves focus to the main content."""
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"


@pytest.mark.parametrize("fixture", ["page", "page_nojs"])
def test_page_content_after_a_submit_waits_for_the_body(request, fixture, live_server, make_user):
    """A form submitted by a click, whose answer trickles in slowly (a loaded CI machine): the test
    layer's `page.content()` reads the next page once parsed, never the empty committed document."""
    page = request.getfixturevalue(fixture)
    user = make_user(Role.AGENT)
    page.goto(live_server.url + "/espace/connexion/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "faux")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": 2000, "uploadThroughput": -1},
    )
    page.click("button[type=submit]")
    assert "Identifiant ou mot de passe incorrect" in page.content()
