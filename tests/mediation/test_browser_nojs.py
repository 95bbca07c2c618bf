"""Issue 15.5 in Chromium without JavaScript: a saisine's attachment survives a validation error.
Kept short on purpose (one page, explicit timeouts): it stalled under load when it was longer."""

import pytest

from mediation.models import Saisine

from .test_browser import _fill_public_form

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_attachment_survives_a_bad_email_without_javascript(page_nojs, live_server, tmp_path):
    """Without JS: attach a PDF, type a bad email, send → the error is next to the email field and
    the page says « 1 fichier joint » (courrier.pdf); fix the email, send → the saisine holds the
    PDF although the file input was left empty the second time."""
    page = page_nojs
    page.set_default_timeout(20000)
    page.set_default_navigation_timeout(30000)
    page.goto(live_server.url + "/mediateur/saisir/")
    _fill_public_form(page, tmp_path, nom="Sansjs-garde")
    page.fill("#id_email", "pas-une-adresse")
    page.click("main button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert "/saisir/envoyee/" not in page.url
    assert page.locator("#id_email[aria-invalid=true]").count() == 1
    gardees = page.locator(".pieces-gardees").inner_text()
    assert gardees.startswith("1 fichier joint") and "courrier.pdf" in gardees
    assert page.locator("#id_pieces_jointes").input_value() == ""  # the browser forgot the file
    assert not Saisine.objects.exists()

    page.fill("#id_email", "jeanne@example.org")
    if not page.is_checked("#id_consentement"):
        page.check("#id_consentement")
    page.click("main button[type=submit]")
    page.wait_for_url("**/saisir/envoyee/")
    saisine = Saisine.objects.get(nom="Sansjs-garde")
    assert list(saisine.documents.values_list("nom", flat=True)) == ["courrier.pdf"]
