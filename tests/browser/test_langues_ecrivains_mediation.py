"""The écrivain public booking and the saisine with its follow-up in English and Arabic (#17), in
Chromium, with and without JavaScript: finder → permanence → day page → form (an error first) →
booked; médiateur's page → saisine form (errors first) → sent → the follow-up page → a message.
Every page checked by `tests.browser.langues.verifier_page` (lang, dir, prefix, skip link; axe at
1280 and 320 px with JavaScript; the HTML checker on all); Arabic photographed at 320 px."""

from __future__ import annotations

import pytest

from mediation.models import Saisine
from pacte.booking.models import Reservation
from tests.a11y import assert_valid_html
from tests.browser.langues import LANGUES, verifier_page
from tests.ecrivains.conftest import make_permanence  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

TEXTES = {
    "en": {
        "ecrivains": "Find a public letter writer",
        "choisir": "Choose my time",
        "mediateur": "Contact the Mediator online",
        "envoyer": "Send my request",
        "suivre": "Follow my request",
        "ecrire": "Send",
        "transmis": "Your message has been passed on to the Mediator.",
    },
    "ar": {
        "ecrivains": "البحث عن كاتب عمومي",
        "choisir": "اختيار موعدي",
        "mediateur": "اللجوء إلى الوسيط عبر الإنترنت",
        "envoyer": "إرسال طلبي",
        "suivre": "متابعة طلبي",
        "ecrire": "إرسال",
        "transmis": "تم إرسال رسالتك إلى الوسيط.",
    },
}


def _ecrivain(page, base: str, code: str, permanence, sources: dict, *, suffixe: str, largeurs, photo: bool):
    textes, langue = TEXTES[code], LANGUES[code]
    verifier = lambda nom: verifier_page(page, code, nom + suffixe, sources, largeurs=largeurs, photo=photo)  # noqa: E731
    page.goto(f"{base}/{code}/ecrivains-publics/")
    page.wait_for_selector(f"h1:has-text('{textes['ecrivains']}')")
    verifier("ecrivains")
    page.select_option("#id_arrondissement", str(permanence.agenda.lieu.arrondissement.numero))
    if suffixe:  # without JavaScript the filters are sent by the button
        page.click("form.filtres button[type=submit]")
    # With JavaScript htmx swaps the results and pushes the URL: wait for it, never click a card of
    # the list from before the filter (another permanence, perhaps without booking).
    page.wait_for_url("**arrondissement=*")
    page.click(f"#resultats .carte__titre a[href*='{permanence.uuid}']")
    page.wait_for_selector(f"a:has-text('{textes['choisir']}')")
    verifier("permanence")
    page.click(f"a:has-text('{textes['choisir']}')")
    page.wait_for_selector(".jours")
    page.locator(".jours a").first.click()
    page.wait_for_selector("#creneaux .creneaux a")
    verifier("ecrivain-jour")
    page.locator("#creneaux .creneaux a").first.click()
    page.wait_for_selector("#id_nom")
    page.click(f"button:has-text('{langue['confirmer']}')")
    page.wait_for_selector("#erreurs-formulaire")
    verifier("ecrivain-formulaire")
    nom = f"Écrit{suffixe}"
    page.fill("#id_nom", nom)
    page.fill("#id_prenom", "Zoë")
    page.fill("#id_telephone", "06 12 34 56 78")
    page.click(f"button:has-text('{langue['confirmer']}')")
    page.wait_for_selector(".reference")
    reservation = Reservation.objects.get(nom=nom)
    assert reservation.langue == code and reservation.agenda == permanence.agenda
    verifier("ecrivain-rendez-vous")


def _saisine(page, base: str, code: str, sources: dict, *, suffixe: str, largeurs, photo: bool):
    textes = TEXTES[code]
    verifier = lambda nom: verifier_page(page, code, nom + suffixe, sources, largeurs=largeurs, photo=photo)  # noqa: E731
    page.goto(f"{base}/{code}/mediateur/")
    verifier("mediateur")
    page.click(f"a.bouton:has-text('{textes['mediateur']}')")
    page.wait_for_selector("#id_recit")
    verifier("saisir")
    page.click(f"button:has-text('{textes['envoyer']}')")  # nothing filled: errors in the language
    page.wait_for_selector("#erreurs-formulaire")
    assert page.locator("#id_nom[aria-invalid=true]").count() == 1
    verifier("saisir-erreurs")
    nom = f"بن سعيد{suffixe}" if code == "ar" else f"O'Connor{suffixe}"
    page.fill("#id_nom", nom)
    page.fill("#id_email", "personne@example.org")
    page.fill("#id_recit", "Le bruit du chantier 🚧 la nuit.")
    page.check("#id_demarche_prealable_0")
    page.check("#id_decision_justice_1")
    page.check("#id_consentement")
    page.click(f"button:has-text('{textes['envoyer']}')")
    page.wait_for_selector("#lien-personnel")
    saisine = Saisine.objects.get(nom=nom)
    assert saisine.langue == code
    assert f"/{code}/mediateur/suivi/" in page.locator("#lien-personnel").inner_text()
    verifier("saisie-envoyee")
    page.click(f"a:has-text('{textes['suivre']}')")
    page.wait_for_selector("#id_corps")
    verifier("suivi")
    page.fill("#id_corps", "Une photo suit. 📷")
    page.click(f".formulaire button:has-text('{textes['ecrire']}')")
    page.wait_for_selector(f"text={textes['transmis']}")
    verifier("suivi-message")
    assert saisine.messages.filter(is_from_requerant=True).count() == 1


@pytest.mark.parametrize("code", ["en", "ar"])
def test_ecrivain_booking_and_saisine_in_each_language(code, page, page_nojs, live_server, make_permanence):  # noqa: F811
    permanence = make_permanence(slots=4, capacite=2)
    sources: dict[str, str] = {}
    base = live_server.url
    photo = code == "ar"
    page.set_default_timeout(20_000)
    _ecrivain(page, base, code, permanence, sources, suffixe="", largeurs=(1280, 320), photo=photo)
    _saisine(page, base, code, sources, suffixe="", largeurs=(1280, 320), photo=photo)
    page_nojs.set_default_timeout(20_000)
    _ecrivain(page_nojs, base, code, permanence, sources, suffixe="-sans-js", largeurs=(), photo=False)
    _saisine(page_nojs, base, code, sources, suffixe="-sans-js", largeurs=(), photo=False)
    assert_valid_html(sources)
