"""The languages of the citizen pages (#17, pacte.langues): URLs, switcher, cookie, staff in French,
caches per language."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from pacte import cache_reference
from pacte.espace import nav_items
from pacte.langues import url_langue
from pacte.roles import Role

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_french_stays_unprefixed_and_sets_no_cookie(client):
    html = _html(client.get("/"))
    assert '<html lang="fr" dir="ltr">' in html
    assert "Aller au contenu" in html
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    assert reverse("demarches:catalogue") == "/demarches/"


@pytest.mark.parametrize(
    ("code", "direction", "evitement"),
    [("en", "ltr", "Skip to content"), ("ar", "rtl", "الانتقال إلى المحتوى")],
)
def test_each_language_has_its_prefix_lang_dir_switcher_alternates_and_cookie(
    client, code, direction, evitement
):
    response = client.get(f"/{code}/demarches/")
    html = _html(response)
    assert f'<html lang="{code}" dir="{direction}">' in html
    assert evitement in html
    assert response["Content-Language"] == code
    # The switcher: plain links to the same page, each language in its own language, the current one marked.
    nav = re.search(r'<nav class="langues" aria-label="[^"]+">(.*?)</nav>', html, re.S).group(1)
    liens = re.findall(
        r'<a href="([^"]+)" lang="(\w+)" hreflang="(\w+)" dir="(\w+)"( aria-current="true")?>([^<]+)</a>', nav
    )
    assert [
        (href, lang, hreflang, d, bool(courant), nom) for href, lang, hreflang, d, courant, nom in liens
    ] == [
        ("/demarches/?langue_site=fr", "fr", "fr", "ltr", code == "fr", "Français"),
        ("/en/demarches/", "en", "en", "ltr", code == "en", "English"),
        ("/ar/demarches/", "ar", "ar", "rtl", code == "ar", "العربية"),
    ]
    for autre, chemin in [
        ("fr", "/demarches/"),
        ("en", "/en/demarches/"),
        ("ar", "/ar/demarches/"),
        ("x-default", "/demarches/"),
    ]:
        assert f'<link rel="alternate" hreflang="{autre}" href="http://testserver{chemin}">' in html
    # The menu is built in the page's language, with its prefix.
    assert f'href="/{code}/demarches/" aria-current="page"' in html
    # The choice is kept in the cookie, then not set again.
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == code
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["httponly"]
    assert settings.LANGUAGE_COOKIE_NAME not in client.get(f"/{code}/demarches/").cookies
    # Back to French through the switcher: the cookie follows, then the clean address.
    response = client.get("/demarches/?langue_site=fr")
    assert response.status_code == 302 and response.url == "/demarches/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert client.get("/demarches/").status_code == 200


def test_query_string_is_kept_by_the_switcher(client):
    html = _html(client.get("/en/demarches/?q=passeport"))
    assert 'href="/ar/demarches/?q=passeport" lang="ar"' in html


def test_staff_pages_stay_french_under_any_prefix(client, make_user):
    """A view that requires an account is in French even under /en/, and shows no switcher."""
    client.force_login(make_user(Role.AGENT))
    html = _html(client.get("/en/reservation/agent/"))
    assert '<html lang="fr" dir="ltr">' in html
    assert 'class="langues"' not in html and 'hreflang="en"' not in html
    # A signed-in person sees the citizen pages in French too, with French links.
    html = _html(client.get("/ar/demarches/"))
    assert '<html lang="fr" dir="ltr">' in html and 'href="/demarches/"' in html
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


def test_staff_areas_have_no_prefixed_url(client):
    assert client.get("/en/espace/connexion/").status_code == 404
    assert client.get("/en/admin/").status_code == 404
    assert client.get("/espace/connexion/").status_code == 200


def test_url_langue_gives_a_path_in_another_language():
    assert url_langue("/reservation/retrouver/?a=1", "ar") == "/ar/reservation/retrouver/?a=1"
    assert url_langue("/en/demarches/", "fr") == "/demarches/"
    assert url_langue("/pas-une-page/", "en") == "/pas-une-page/"


def test_menu_is_built_once_per_language():
    with translation.override("en"):
        anglais = nav_items()
    with translation.override("fr"):
        francais = nav_items()
    assert ("/en/demarches/" in [url for _, url in anglais]) and (
        "/demarches/" in [url for _, url in francais]
    )


def test_reference_cache_keeps_one_entry_per_language():
    """A fragment rendered in English is never served to a French page, and one bump forgets both."""
    appels = []

    def rendu():
        appels.append(translation.get_language())
        return f"rendu-{translation.get_language()}"

    for code in ("fr", "en", "fr", "en"):
        with translation.override(code):
            assert cache_reference.cached("essai-langues", "k", rendu) == f"rendu-{code}"
            assert cache_reference.cached_many(
                "essai-langues-n", ["a"], lambda cles: {"a": translation.get_language()}
            ) == {"a": code}
    assert appels == ["fr", "en"]
    cache_reference.bump("essai-langues")
    with translation.override("en"):
        cache_reference.cached("essai-langues", "k", rendu)
    assert appels == ["fr", "en", "en"]
