"""The écrivains publics in English and Arabic (#17): the finder and a permanence's page in each
language (lang, dir, no French left but the data marked lang="fr"), a booking made from them
recorded in that language, the finder's errors in that language with the values kept, hostile
filters never a 500."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from pacte.booking.models import Reservation
from pacte.booking.selectors import prochain_creneau
from tests.langues import page, verifier_langue

from .conftest import jour_ouvre

pytestmark = pytest.mark.django_db

HEURES = {"en": "10:00", "ar": "10:00"}
TEXTES = {
    "en": {"titre": "Find a public letter writer", "langues": "Languages", "bouton": "Book an appointment"},
    "ar": {"titre": "البحث عن كاتب عمومي", "langues": "اللغات", "bouton": "حجز موعد"},
}


def _url(code: str, nom: str, *args) -> str:
    with translation.override(code):
        return reverse(nom, args=args)


@pytest.mark.parametrize("code", ["en", "ar"])
def test_finder_and_permanence_page_in_each_language(client, make_permanence, code):
    permanence = make_permanence(slots=2, langues=("francais", "arabe"))
    response, texte = page(client, _url(code, "ecrivains:recherche"), code)
    html = response.content.decode()
    assert TEXTES[code]["titre"] in texte and TEXTES[code]["langues"] in texte
    # The title (French only in the database) is marked French; the hours stay left to right.
    assert '<span lang="fr">Écrivain public — ' in html
    assert f'<bdi dir="ltr">{HEURES[code]}</bdi>' in html
    assert f'href="/{code}/reservation/' in html  # booking under the language's prefix

    response, texte = page(client, _url(code, "ecrivains:permanence", permanence.uuid), code)
    html = response.content.decode()
    assert "<title>Écrivain public — " in html  # the title's text, no markup in <title>
    assert f'<a class="bouton" href="/{code}/reservation/' in html


@pytest.mark.parametrize("code", ["en", "ar"])
def test_a_full_permanence_offers_its_waiting_list_in_the_language(client, make_permanence, code):
    permanence = make_permanence()
    slot = prochain_creneau(permanence.agenda)
    from pacte.booking.services import reservation_create

    reservation_create(agenda=permanence.agenda, debut=slot.debut, nom="X", prenom="", email="x@example.org")
    _, texte = page(client, _url(code, "ecrivains:permanence", permanence.uuid), code)
    assert {"en": "All places are taken for now.", "ar": "كل الأماكن محجوزة حاليًا."}[code] in texte
    response, _ = page(client, _url(code, "ecrivains:recherche"), code)
    assert f'href="/{code}/ecrivains-publics/{permanence.uuid}/liste-attente/"' in response.content.decode()


@pytest.mark.parametrize("code", ["en", "ar"])
def test_an_ecrivain_booking_made_in_the_language_is_recorded_in_it(
    client, make_permanence, code, django_capture_on_commit_callbacks
):
    """Finder → permanence → the booking engine's day and form pages → booked: langue == code."""
    permanence = make_permanence(slots=2)
    response, _ = page(client, _url(code, "ecrivains:permanence", permanence.uuid), code)
    agenda_url = re.search(r'<a class="bouton" href="([^"]+)">', response.content.decode()).group(1)
    assert agenda_url.startswith(f"/{code}/")
    # The booking engine's pages (booking/, translated with the booking journey): in the language.
    verifier_langue(client.get(agenda_url), code)
    slot = prochain_creneau(permanence.agenda)
    formulaire = _url(code, "booking:formulaire", permanence.agenda.uuid, slot.cle)
    response = client.get(formulaire)
    verifier_langue(response, code)
    cle = re.search(r'name="cle_idempotence" value="([^"]+)"', response.content.decode()).group(1)
    nom = {"en": "O'Brien", "ar": "حداد"}[code]
    data = {"nom": nom, "prenom": "Zoë 🌿", "telephone": "06 12 34 56 78", "cle_idempotence": cle}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(formulaire, data)
    assert response.status_code == 302 and response["Location"].startswith(f"/{code}/")
    reservation = Reservation.objects.get(nom=nom)
    assert reservation.langue == code and reservation.agenda == permanence.agenda
    assert reservation.reference in verifier_langue(client.get(response["Location"]), code)


@pytest.mark.parametrize(
    ("code", "erreur"),
    [
        ("en", "This date has already passed. Choose today or a day to come."),
        ("ar", "هذا التاريخ قد مضى. اختر اليوم أو يومًا قادمًا."),
    ],
)
def test_the_finders_error_is_in_the_language_next_to_the_field(client, make_permanence, code, erreur):
    make_permanence()
    response = client.get(_url(code, "ecrivains:recherche"), {"date": "2020-01-02"})
    texte = verifier_langue(response, code)
    html = response.content.decode()
    assert erreur in texte
    assert 'value="2020-01-02"' in html and 'aria-invalid="true"' in html


@pytest.mark.parametrize("code", ["fr", "en", "ar"])
@pytest.mark.parametrize(
    "params",
    [
        {"date": "2026-12-\x0001"},
        {"arrondissement": "abc", "theme": "x" * 5000, "langue": "\x00"},
        {"date": "٢٠٢٦-١٢-٠١", "theme": "🙂"},
        {"arrondissement": "9" * 40},
    ],
    ids=["nul", "long", "arabic-digits", "huge-number"],
)
def test_hostile_filters_never_500(client, make_permanence, code, params):
    make_permanence()
    prefixe = "" if code == "fr" else f"/{code}"
    response = client.get(f"{prefixe}/ecrivains-publics/", params)
    assert response.status_code in (200, 400)
    if code != "fr" and response.status_code == 200:
        verifier_langue(response, code)


def test_opening_rules_read_as_sentences_in_each_language(client, make_permanence):
    """Weekly rule: the weekday in the page's language, hours left to right; French unchanged."""
    permanence = make_permanence(jour=1)  # every Tuesday, 10:00–10:30
    attendus = {
        "fr": 'chaque mardi de <bdi dir="ltr">10 h</bdi> à <bdi dir="ltr">10 h 30</bdi>',
        "en": 'every Tuesday, <bdi dir="ltr">10:00</bdi> to <bdi dir="ltr">10:30</bdi>',
        "ar": 'كل يوم الثلاثاء من <bdi dir="ltr">10:00</bdi> إلى <bdi dir="ltr">10:30</bdi>',
    }
    for code, attendu in attendus.items():
        response = client.get(_url(code, "ecrivains:permanence", permanence.uuid))
        assert attendu in response.content.decode(), code
    assert jour_ouvre  # the factory's dates stay working days


@pytest.mark.parametrize("code", ["en", "ar"])
def test_the_waiting_list_of_a_full_permanence_records_the_language(client, make_permanence, code):
    """From a full permanence's page: the waiting list's form (the booking engine's) in the language,
    an error first with the value kept, then the entry recorded in the language."""
    from pacte.booking.models import InscriptionAttente
    from pacte.booking.services import reservation_create

    permanence = make_permanence()
    slot = prochain_creneau(permanence.agenda)
    reservation_create(agenda=permanence.agenda, debut=slot.debut, nom="X", prenom="", email="x@example.org")
    url = _url(code, "ecrivains:inscription", permanence.uuid)
    assert url.startswith(f"/{code}/")
    verifier_langue(client.get(url), code)
    nom = {"en": "Nguyễn", "ar": "العلوي"}[code]
    erreur = client.post(url, {"nom": nom})  # no phone nor email
    verifier_langue(erreur, code)
    assert f'value="{nom}"' in erreur.content.decode() and 'aria-invalid="true"' in erreur.content.decode()
    response = client.post(url, {"nom": nom, "telephone": "06 12 34 56 78"})
    assert response.status_code == 302 and response["Location"].startswith(f"/{code}/")
    inscription = InscriptionAttente.objects.get(nom=nom)
    assert inscription.langue == code and inscription.agenda == permanence.agenda
    verifier_langue(client.get(response["Location"]), code)
