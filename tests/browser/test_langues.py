"""The citizen journeys in English and Arabic (#17), in Chromium: one test per language and journey,
with and without JavaScript. Booking: from the French home, the switcher's link to the language,
then home → démarche catalogue → démarche page → day page → form (an error first, then sent) → the
booking's page. Managing it: find my booking (an error first) → the new link from the email → the
identity check (wrong letters first) → move it to another time → cancel it. Callback: the request
(errors first) → its confirmation. Every page: `<html lang dir>` of the language, its prefix kept by every link followed, the HTML checker
0 errors; with JavaScript, axe 0 violations at 1280 and 320 px (html-has-lang and valid-lang
included; axe cannot run in a page without JavaScript, whose HTML is the same).
Arabic pages are photographed at 320 px (var/screenshots/langues-ar-*.png)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone, translation

from demarches.models import DemandeRappel
from pacte.booking.models import Agenda, Reservation, Statut
from pacte.booking.selectors import prochain_creneau
from pacte.booking.services import reservation_create
from tests.a11y import assert_valid_html
from tests.browser.langues import LANGUES
from tests.browser.langues import verifier_page as _verifier

pytestmark = pytest.mark.browser

# What the booking's page says once it is moved, then cancelled.
MESSAGES = {
    "en": {"deplace": "Your appointment is moved.", "annule": "Your appointment is cancelled."},
    "ar": {"deplace": "تم تغيير موعدك.", "annule": "تم إلغاء موعدك."},
}


def _parcours(
    page, base: str, code: str, sources: dict, *, suffixe: str, largeurs, photo: bool
) -> Reservation:
    langue = LANGUES[code]
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.click(f'.langues a[hreflang="{code}"]')  # the switcher, a plain link
    page.wait_for_url(f"**/{code}/")
    _verifier(page, code, f"accueil{suffixe}", sources, largeurs=largeurs, photo=photo)

    page.click(f'.carte__titre a[href="/{code}/demarches/"]')
    page.wait_for_url(f"**/{code}/demarches/")
    _verifier(page, code, f"catalogue{suffixe}", sources, largeurs=largeurs, photo=photo)

    page.click(f'.carte__titre a[href="/{code}/demarches/titres-identite/"]')
    page.wait_for_url(f"**/{code}/demarches/titres-identite/")
    _verifier(page, code, f"demarche{suffixe}", sources, largeurs=largeurs, photo=photo)

    page.locator(".alternative__rdv a").first.click()
    page.wait_for_selector(".jours")
    page.locator(".jours a").first.click()
    page.wait_for_selector("#creneaux .creneaux a")
    _verifier(page, code, f"jour{suffixe}", sources, largeurs=largeurs, photo=photo)

    page.locator("#creneaux .creneaux a").first.click()
    page.wait_for_selector("#id_nom")
    page.click(f"button:has-text('{langue['confirmer']}')")  # nothing filled: errors in the language
    page.wait_for_selector("#erreurs-formulaire")
    assert page.locator("#id_nom[aria-invalid=true]").count() == 1
    _verifier(page, code, f"formulaire{suffixe}", sources, largeurs=largeurs, photo=photo)

    page.fill("#id_nom", f"Fictive{suffixe}")
    page.fill("#id_prenom", "Jeanne")
    page.fill("#id_telephone", "06 12 34 56 78")
    page.click(f"button:has-text('{langue['confirmer']}')")
    page.wait_for_selector(".reference")
    reservation = Reservation.objects.get(nom=f"Fictive{suffixe}")
    assert reservation.langue == code
    assert reservation.reference in page.locator(".reference").first.inner_text()
    _verifier(page, code, f"gerer{suffixe}", sources, largeurs=largeurs, photo=photo)
    return reservation


@pytest.mark.parametrize("code", ["en", "ar"])
def test_citizen_journey_in_each_language(code, page, page_nojs, live_server, demarche_reservable):
    sources: dict[str, str] = {}
    # With JavaScript: axe at 1280 and 320 px on each page; Arabic photographed at 320 px.
    _parcours(page, live_server.url, code, sources, suffixe="", largeurs=(1280, 320), photo=code == "ar")
    # Without JavaScript: the same journey in plain links and forms (HTML checker; axe needs JavaScript).
    _parcours(page_nojs, live_server.url, code, sources, suffixe="-sans-js", largeurs=(), photo=False)
    assert_valid_html(sources)


def _gestion(page, base: str, code: str, sources: dict, *, suffixe: str, largeurs, photo: bool) -> None:
    """Find my booking → the link from the email → identity → move → cancel, in `code`."""
    messages = MESSAGES[code]
    agenda = _agenda()
    with translation.override(code):  # booked on a page in `code`: its messages are in `code`
        reservation, _token = reservation_create(
            agenda=agenda,
            debut=prochain_creneau(agenda).debut,
            nom=f"Dùpont{suffixe}",
            prenom="Jeanne",
            email=f"jeanne{suffixe}@example.org",
        )
    verifier = dict(sources=sources, largeurs=largeurs, photo=photo)

    page.goto(f"{base}/{code}/reservation/retrouver/")
    page.fill("#id_email", "pas-une-adresse")
    page.click("form.formulaire button[type=submit]")
    page.wait_for_selector("#erreurs-formulaire")
    assert page.locator("#id_email[aria-invalid=true]").input_value() == "pas-une-adresse"
    _verifier(page, code, f"retrouver{suffixe}", **verifier)
    mail.outbox.clear()
    page.fill("#id_email", reservation.email)
    page.click("form.formulaire button[type=submit]")
    page.wait_for_selector(".encadre--info")
    _verifier(page, code, f"nouveau-lien{suffixe}", **verifier)

    (lien,) = re.findall(rf"https?://[^/\s]+(/{code}/reservation/gerer/[^/\s]+/)", mail.outbox[-1].body)
    page.goto(base + lien)
    page.fill("#id_debut_nom", "xyz")
    page.click("form.formulaire button[type=submit]")
    page.wait_for_selector("#erreurs-formulaire")
    assert page.locator("#id_debut_nom").input_value() == "xyz"
    _verifier(page, code, f"identite{suffixe}", **verifier)
    page.fill("#id_debut_nom", "dup")
    page.click("form.formulaire button[type=submit]")
    page.wait_for_selector(".reference")
    _verifier(page, code, f"rendez-vous{suffixe}", **verifier)

    page.click('a[href="?action=deplacer"]')
    page.wait_for_selector(".jours a")
    page.locator(".jours a").last.click()
    page.wait_for_selector('button[name="creneau"]')
    _verifier(page, code, f"deplacer{suffixe}", **verifier)
    nouveau = page.locator('button[name="creneau"]').last.get_attribute("value")
    page.locator('button[name="creneau"]').last.click()
    page.wait_for_selector(f"text={messages['deplace']}")
    _verifier(page, code, f"deplace{suffixe}", **verifier)
    reservation.refresh_from_db()
    assert timezone.localtime(reservation.debut).strftime("%Y-%m-%dT%H:%M") == nouveau

    page.click('a[href="?action=annuler"]')
    page.wait_for_selector('input[name="action"][value="annuler"]', state="attached")
    _verifier(page, code, f"annuler{suffixe}", **verifier)
    page.click('form:has(input[name="action"][value="annuler"]) button[type="submit"]')
    page.wait_for_selector(f"text={messages['annule']}")
    _verifier(page, code, f"annule{suffixe}", **verifier)
    reservation.refresh_from_db()
    assert reservation.statut == Statut.ANNULEE and reservation.langue == code


def _agenda() -> Agenda:
    return Agenda.objects.get(titre_fr="Carte d'identité et passeport", lieu__slug="hotel-de-ville")


def _rappel(page, base: str, code: str, sources: dict, *, suffixe: str, largeurs, photo: bool) -> None:
    """The callback request from the démarche page (errors first), then its confirmation, in `code`."""
    verifier = dict(sources=sources, largeurs=largeurs, photo=photo)
    page.goto(f"{base}/{code}/demarches/rappel/?demarche=titres-identite")
    page.fill("#id_nom", "Zoë 👋")
    page.fill("#id_telephone", "abc")
    page.click("form.formulaire button[type=submit]")
    page.wait_for_selector("#erreurs-formulaire")
    assert page.locator("#id_telephone[aria-invalid=true]").input_value() == "abc"
    assert page.locator("#id_objet[aria-invalid=true]").count() == 1
    _verifier(page, code, f"rappel{suffixe}", **verifier)
    page.fill("#id_nom", f"فاطمة الزهراء{suffixe}")
    page.fill("#id_telephone", "06 12 34 56 78")
    page.fill("#id_objet", "Help with my passport")
    page.click("form.formulaire button[type=submit]")
    page.wait_for_selector(".encadre--succes")
    demande = DemandeRappel.objects.get(nom=f"فاطمة الزهراء{suffixe}")
    assert demande.langue == code and demande.reference in page.locator(".encadre--succes").inner_text()
    _verifier(page, code, f"rappel-confirmation{suffixe}", **verifier)


@pytest.mark.parametrize("code", ["en", "ar"])
def test_manage_a_booking_and_ask_for_a_callback_in_each_language(
    code, page, page_nojs, live_server, demarche_reservable
):
    sources: dict[str, str] = {}
    for parcours in (_gestion, _rappel):
        # With JavaScript: axe at 1280 and 320 px; Arabic photographed at 320 px.
        parcours(page, live_server.url, code, sources, suffixe="", largeurs=(1280, 320), photo=code == "ar")
        # Without JavaScript: plain links and forms (HTML checker; axe needs JavaScript).
        parcours(page_nojs, live_server.url, code, sources, suffixe="-sans-js", largeurs=(), photo=False)
    assert_valid_html(sources)
