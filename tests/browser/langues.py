"""What every page of a citizen journey in English or Arabic is, in Chromium (#17): `verifier_page`
checks `<html lang dir>`, the prefix in the address, the translated skip link and the switcher's
current language; runs axe at the given widths (with JavaScript); keeps the HTML for the checker;
photographs the page at 320 px when asked (var/screenshots/langues-<code>-<name>-320.png)."""

from __future__ import annotations

from tests.a11y import assert_accessible
from tests.browser.conftest import screenshot

LANGUES = {
    "en": {
        "nom": "English",
        "dir": "ltr",
        "evitement": "Skip to content",
        "confirmer": "Confirm the appointment",
    },
    "ar": {"nom": "العربية", "dir": "rtl", "evitement": "الانتقال إلى المحتوى", "confirmer": "تأكيد الموعد"},
}


def verifier_page(page, code: str, nom: str, sources: dict, *, largeurs, photo: bool) -> None:
    """The page is in `code`: lang, dir, prefix, the translated skip link; axe at `largeurs`; kept for the checker."""
    langue = LANGUES[code]
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("lang") == code, page.url
    assert page.locator("html").get_attribute("dir") == langue["dir"], page.url
    assert f"/{code}/" in page.url, page.url
    assert page.locator(".liens-evitement a").first.inner_text() == langue["evitement"]
    courant = page.locator('.langues a[aria-current="true"]')
    assert courant.get_attribute("lang") == code and courant.inner_text() == langue["nom"]
    if largeurs:  # axe runs in the page: not without JavaScript (the same HTML is checked with it)
        assert_accessible(page, widths=largeurs)
    sources[nom] = page.content()
    if photo:
        taille = page.viewport_size
        page.set_viewport_size({"width": 320, "height": 900})
        screenshot(page, f"langues-{code}-{nom}-320")
        page.set_viewport_size(taille)
