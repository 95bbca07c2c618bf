"""The language cookie read back (#17, pacte.langues.redirection_langue): a citizen who chose
English or Arabic and comes back to an unprefixed (French) address lands on the same page in their
language; choosing French sticks; POST, staff pages, /facile/, signed-in people, bots untouched."""

from __future__ import annotations

import pytest
from django.conf import settings

from pacte.roles import Role

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def anglais(client):
    client.cookies[COOKIE] = "en"
    return client


@pytest.mark.parametrize("code", ["en", "ar"])
@pytest.mark.parametrize("chemin", ["/", "/demarches/", "/pacte/actions/A1/", "/non-recours/", "/contact/"])
def test_an_unprefixed_citizen_page_leads_to_the_chosen_language(client, code, chemin):
    client.cookies[COOKIE] = code
    response = client.get(chemin)
    assert response.status_code == 302 and response.url == f"/{code}{chemin}"
    assert "Cookie" in response["Vary"] and "private" in response["Cache-Control"]
    assert client.get(response.url).status_code == 200


def test_the_query_string_is_kept_through_the_redirect(anglais):
    response = anglais.get("/demarches/?q=passeport&categorie=etat-civil")
    assert response.url == "/en/demarches/?q=passeport&categorie=etat-civil"
    response = anglais.get("/pacte/actions/?statut=en_cours&orientation=proximite")
    assert response.url == "/en/pacte/actions/?statut=en_cours&orientation=proximite"


def test_the_french_link_of_the_switcher_sticks_without_referer_and_does_not_loop(anglais):
    """« Français » carries ?langue_site=fr: the cookie becomes fr, then the clean address, in French."""
    html = anglais.get("/en/demarches/?q=impots").content.decode()
    assert 'href="/demarches/?q=impots&amp;langue_site=fr" lang="fr"' in html
    response = anglais.get("/demarches/?q=impots&langue_site=fr")  # no Referer header
    assert response.status_code == 302 and response.url == "/demarches/?q=impots"
    assert response.cookies[COOKIE].value == "fr"
    response = anglais.get(response.url)
    assert response.status_code == 200 and '<html lang="fr"' in response.content.decode()
    # And the next visit to any French address stays French.
    assert anglais.get("/pacte/").status_code == 200
    # With a Referer too (a link followed from the English page): the same.
    response = anglais.get("/?langue_site=fr", HTTP_REFERER="http://testserver/en/")
    assert response.status_code == 302 and response.url == "/"


def test_the_marker_works_for_any_language_and_ignores_garbage(client):
    response = client.get("/contact/?langue_site=ar")
    assert response.url == "/ar/contact/" and response.cookies[COOKIE].value == "ar"
    assert client.get("/en/contact/?langue_site=%00").status_code == 400  # NUL: refused upstream
    response = client.get("/en/contact/?langue_site=<script>")
    assert response.status_code == 302 and response.url == "/contact/"
    assert response.cookies[COOKIE].value == "fr"


def test_hreflang_alternates_keep_clean_addresses(anglais):
    html = anglais.get("/en/demarches/").content.decode()
    assert '<link rel="alternate" hreflang="fr" href="http://testserver/demarches/">' in html
    assert "langue_site" not in html.split("<body")[0]


@pytest.mark.parametrize("valeur", ["de", "xx", "fr", "", "en;drop", "é" * 300, "../../ar"])
def test_a_cookie_that_is_not_another_portal_language_changes_nothing(client, valeur):
    client.cookies[COOKIE] = valeur
    response = client.get("/demarches/")
    assert response.status_code == 200 and '<html lang="fr"' in response.content.decode()


def test_a_regional_variant_counts_as_its_language(client):
    client.cookies[COOKIE] = "en-gb"
    assert client.get("/demarches/").url == "/en/demarches/"


def test_bots_without_cookie_see_the_french_page_unchanged(client):
    response = client.get("/demarches/", HTTP_USER_AGENT="Googlebot/2.1")
    assert response.status_code == 200 and COOKIE not in response.cookies
    assert '<html lang="fr"' in response.content.decode()
    assert "Cookie" in response["Vary"]  # a shared cache keys the French page on the cookie


def test_prefixed_pages_and_links_sent_by_message_keep_their_language(client):
    """An explicit /en/ or /ar/ address (a link in a message) wins over the cookie."""
    client.cookies[COOKIE] = "ar"
    response = client.get("/en/demarches/")
    assert response.status_code == 200 and '<html lang="en"' in response.content.decode()


def test_post_is_never_redirected(anglais):
    response = anglais.post("/pacte/actions/A1/suivre/", {"email": "pas-une-adresse"})
    assert response.status_code == 200 and '<html lang="fr"' in response.content.decode()


def test_htmx_requests_are_not_redirected(anglais):
    response = anglais.get("/pacte/actions/?orientation=proximite", headers={"HX-Request": "true"})
    assert response.status_code == 200


def test_facile_addresses_are_not_redirected(anglais):
    response = anglais.get("/facile/")
    assert response.status_code == 200 and '<html lang="fr"' in response.content.decode()


@pytest.mark.parametrize("chemin", ["/espace/connexion/", "/admin/login/", "/sante/", "/sante/pret/"])
def test_staff_and_technical_addresses_are_not_redirected(anglais, chemin):
    response = anglais.get(chemin)
    assert response.status_code != 302 or not response.url.startswith("/en/"), response.status_code


def test_staff_pages_and_signed_in_people_are_not_redirected(anglais, make_user):
    anglais.force_login(make_user(Role.AGENT))
    response = anglais.get("/demarches/")
    assert response.status_code == 200 and '<html lang="fr"' in response.content.decode()
    response = anglais.get("/reservation/agent/")
    assert response.status_code == 200 and '<html lang="fr"' in response.content.decode()


def test_an_unknown_address_is_a_404_not_a_redirect(anglais):
    assert anglais.get("/pas-une-page/").status_code == 404
