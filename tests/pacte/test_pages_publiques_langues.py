"""The Pacte's public pages, the observatory's figures, the contact, legal and privacy pages and the
site map in English and Arabic (#17): 200, lang/dir, the menu translated, and no French left in
<main> except data shown in French with lang="fr"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail

from pacte.notifications import notification_text
from pacte.roles import Role
from pacte.tracker import services
from pacte.tracker.enums import Statut
from pacte.tracker.models import Abonnement, Action
from tests.langues import sans_francais, texte_main

pytestmark = pytest.mark.django_db

# Words that betray French in an English page; in an Arabic page, any Latin word not listed here.
FRANCAIS = re.compile(
    r"[éèêàçùûôîœ]|\b(le|la|les|des|du|une|vous|votre|est|sont|pour|avec|dans|sur|et|aux|qui|pas)\b",
    re.I,
)
LATIN_PERMIS = {
    "csv",
    "ccas",
    "odenore",
    "gnu",
    "agpl",
    "cnil",
    "fr",
    "pdf",
    "lyon",
    "aidants",
    "connect",
    "name",
    "example",
    "com",
}
# Names of programmes quoted as they are called (translations keep them, then explain them).
NOMS_PROPRES = ["« À votre écoute »"]


def francais_restant(html: str, code: str) -> list[str]:
    """The French left in <main> of a page in `code` (outside lang="fr"): stricter than
    tests.langues.sans_francais (any accented French letter in English, any Latin word in Arabic)."""
    texte = texte_main(html)
    for nom in NOMS_PROPRES:
        texte = texte.replace(nom, "")
    if code == "en":
        return sorted({m.group(0) for m in FRANCAIS.finditer(texte)} | set(sans_francais(texte)))
    return sorted({mot for mot in re.findall(r"[A-Za-zÀ-ÿ]{3,}", texte) if mot.lower() not in LATIN_PERMIS})


def page(client, url: str, code: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    direction = "rtl" if code == "ar" else "ltr"
    assert f'<html lang="{code}" dir="{direction}">' in html, url
    restes = francais_restant(html, code)
    assert not restes, f"{url} : français hors lang=fr {restes}"
    return html


@pytest.fixture
def pacte_vivant(make_user):
    """A change, a published milestone and a manual indicator, so every block of the pages shows."""
    admin = make_user(Role.ADMIN)
    action = Action.objects.get(code="P1")
    services.action_update(action=action, actor=admin, statut=Statut.EN_COURS, avancement=20)
    services.jalon_add(
        action=action, actor=admin, date_on=dt.date(2026, 3, 1), titre="Réunion des directions"
    )
    return action


PAGES = [
    "/pacte/",
    "/pacte/actions/",
    "/pacte/actions/?statut=en_cours",
    "/pacte/actions/P1/",
    "/pacte/actions/A1/",
    "/pacte/historique/",
    "/pacte/actions/P1/suivre/envoye/",
    "/non-recours/",
    "/contact/",
    "/donnees-personnelles/",
    "/mentions-legales/",
    "/plan-du-site/",
]


@pytest.mark.parametrize("code", ["en", "ar"])
@pytest.mark.parametrize("chemin", PAGES)
def test_public_pages_are_translated(client, pacte_vivant, code, chemin):
    page(client, f"/{code}{chemin}", code)


@pytest.mark.parametrize("code", ["en", "ar"])
def test_observatory_page_is_translated(client, code):
    from django.urls import reverse
    from django.utils import translation

    with translation.override(code):
        url = reverse("nonrecours:statistiques")
    html = page(client, url, code)
    assert 'dir="ltr">&lt; ' in html  # « < 5 » stays readable right to left


@pytest.mark.parametrize(
    ("code", "textes"),
    [
        ("en", ["Procedures", "Public letter writers", "Mediator", "The Pact"]),
        ("ar", ["الإجراءات", "الكتّاب العموميون", "الوسيط", "الميثاق"]),
    ],
)
def test_main_menu_and_site_map_are_translated(client, code, textes):
    """The menu's labels (each app's NAV, lazy) in the page's language; the site map's too."""
    html = page(client, f"/{code}/plan-du-site/", code)
    menu = re.search(r'<nav[^>]*class="[^"]*menu[^"]*"[^>]*>(.*?)</nav>', html, re.S)
    zone = menu.group(1) if menu else html
    for texte in textes:
        assert texte in zone, texte
    assert f'href="/{code}/pacte/"' in html
    # French stays French, and the menu is not mixed up across languages (cache per language).
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    html = client.get("/plan-du-site/").content.decode()
    assert "Écrivains publics" in html and "الوسيط" not in html


@pytest.mark.parametrize("code", ["en", "ar"])
def test_following_an_action_in_english_and_arabic(client, code):
    """Subscribe, confirm, unsubscribe: every page and message of the journey in the language."""
    response = client.post(f"/{code}/pacte/actions/A1/suivre/", {"email": "camille@example.org"})
    assert response.status_code == 302 and response.url == f"/{code}/pacte/actions/A1/suivre/envoye/"
    page(client, response.url, code)
    lien = re.search(r"https?://[^/\s]+(/\S+/confirmer/[\w-]+/)", mail.outbox[-1].body if mail.outbox else "")
    if lien is None:
        from pacte.models import Notification

        corps = notification_text(Notification.objects.latest("pk"))
        lien = re.search(r"https?://[^/\s]+(/\S+/confirmer/[\w-]+/)", corps)
    chemin = lien.group(1)
    assert chemin.startswith(f"/{code}/")
    page(client, chemin, code)
    response = client.post(chemin, follow=True)
    html = response.content.decode()
    message = {"en": "Confirmed: you will follow action A1 by email.", "ar": "تم التأكيد"}[code]
    assert message in html
    assert Abonnement.objects.get().confirmed_at is not None
    # A wrong link: the « link does not work » page, translated, 404.
    response = client.get(f"/{code}/pacte/abonnement/confirmer/inconnu/")
    assert response.status_code == 404 and f'<html lang="{code}"' in response.content.decode()
    assert not francais_restant(response.content.decode(), code)


@pytest.mark.parametrize("code", ["en", "ar"])
def test_bad_email_is_reported_in_the_language_and_kept(client, code):
    """A wrong address: the message next to the field in the page's language, the typed text kept."""
    response = client.post(f"/{code}/pacte/actions/A1/suivre/", {"email": "ادرس@@example"})
    html = response.content.decode()
    assert response.status_code == 200
    attendu = {"en": "This email address is not valid", "ar": "هذا البريد الإلكتروني غير صحيح"}[code]
    assert attendu in html and 'value="ادرس@@example"' in html
    assert not francais_restant(html, code)
    # A NUL byte or a very long address: an error, never a 500.
    assert client.post(f"/{code}/pacte/actions/A1/suivre/", {"email": "a\x00@example.org"}).status_code == 400
    trop_long = client.post(f"/{code}/pacte/actions/A1/suivre/", {"email": "a" * 5000 + "@example.org"})
    assert trop_long.status_code == 200 and attendu in trop_long.content.decode()


@pytest.mark.parametrize(("code", "secret"), [("en", "secret"), ("ar", "سرّي")])
def test_observatory_with_suppressed_figures_in_each_language(client, code, secret):
    """With figures: « < 11 » stays left to right, « secret » and the fixed labels of the cached
    open-data tables are in the language, the rights' names (data) marked French; the CSV stays French."""
    from tests.nonrecours.test_browser import _bulk

    _bulk(40, type_odenore="non_connaissance", numero=7, code="rsa")
    _bulk(60, type_odenore="non_demande", numero=7, code="rsa")
    _bulk(25, type_odenore="non_demande", numero=8, code="css", demarche="demande-css")
    _bulk(3, type_odenore="non_reception", numero=1, code="domiciliation")
    _bulk(30, type_odenore="non_reception", numero=8, code="rsa")
    client.get("/non-recours/")  # the publication cached by a French visitor first
    html = page(client, f"/{code}/non-recours/", code)
    assert "&lt; 11" in html and f">{secret}<" in html
    assert 'lang="fr">Revenu de solidarité active (RSA)</th>' in html
    csv = b"".join(client.get("/non-recours/statistiques.csv", follow=True).streaming_content).decode()
    assert "secret" in csv and "Situations par trimestre et type de non-recours" in csv
