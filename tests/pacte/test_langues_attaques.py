# ruff: noqa: F811
"""Attacks on the language prefixes (/en/, /ar/) and the easy version (/facile/) (#17): prefixes
combined, NUL bytes and 5,000-character values in forms and query strings, non-ASCII and
right-to-left override characters in names, staff URLs under a prefix, Accept-Language garbage,
Redis down. Never a 500; a staff page is French or a login/404 exactly as without a prefix; no
role sees another's data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from demarches.models import DemandeRappel
from demarches.services import demande_rappel_create
from mediation.models import Saisine
from pacte.booking.models import Reservation
from pacte.booking.selectors import prochain_creneau
from pacte.roles import Role
from tests.booking.conftest import agenda, lieu, make_agenda  # noqa: F401 (fixtures)
from tests.mediation.factories import saisine_form_data, saisine_new

pytestmark = pytest.mark.django_db

PREFIXES = ["/en", "/ar", "/facile"]
LONG = "é" * 5000
NUL = "a\x00b"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: « Martin » written to look like something else


def _sans_500(response, url: str = "") -> None:
    assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize(
    "url",
    [
        "/en/facile/",
        "/ar/facile/demarches/",
        "/en/facile/reservation/retrouver/",
        "/facile/en/",
        "/facile/ar/demarches/",
        "/facile/en/reservation/retrouver/",
        "/facile/facile/",
        "/en/en/",
        "/ar/en/demarches/",
        "/facile/espace/",
        "/en/facile",
        "/facile",
    ],
)
def test_prefixes_combined_give_a_clean_404_or_redirect(client, url):
    """One language or the easy version, not both: a 404 page (or a redirect to a page that
    exists), never a 500."""
    response = client.get(url)
    assert response.status_code in (301, 302, 404), (url, response.status_code)
    if response.status_code == 404:
        assert '<html lang="' in response.content.decode()
    else:
        _sans_500(client.get(response["Location"]), response["Location"])


@pytest.mark.parametrize("prefixe", ["", *PREFIXES])
def test_nul_bytes_and_long_values_in_query_strings(client, agenda, prefixe):
    pages = [
        ("/demarches/", {"q": NUL}),
        ("/demarches/", {"q": LONG, "categorie": LONG}),
        ("/ecrivains-publics/", {"date": LONG, "arrondissement": NUL, "langue": LONG}),
        (f"/reservation/{agenda.uuid}/", {"jour": NUL, "semaine": "9" * 5000}),
        (f"/reservation/{agenda.uuid}/", {"jour": LONG, "semaine": "-1"}),
        ("/demarches/rappel/", {"demarche": LONG}),
        ("/", {NUL: NUL, LONG: LONG}),
    ]
    for chemin, params in pages:
        response = client.get(prefixe + chemin, params)
        _sans_500(response, prefixe + chemin)
        assert response.status_code in (200, 400, 404), (prefixe + chemin, response.status_code)


@pytest.mark.parametrize("prefixe", ["", *PREFIXES])
def test_nul_bytes_and_long_values_in_forms(client, agenda, prefixe):
    """The callback, booking, find-my-booking and saisine forms: refused with a message, what was
    typed kept (a NUL byte is refused up front), nothing recorded, never a 500."""
    creneau = reverse("booking:formulaire", args=[agenda.uuid, prochain_creneau(agenda).cle])
    rappel = {"nom": LONG, "telephone": "06 12 34 56 78", "objet": "Aide"}
    response = client.post(prefixe + "/demarches/rappel/", rappel)
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert client.post(prefixe + "/demarches/rappel/", {**rappel, "nom": NUL}).status_code == 400
    reservation = {"prenom": "Camille", "nom": LONG, "telephone": "06 12 34 56 78"}
    response = client.post(prefixe + creneau, reservation)
    html = response.content.decode()
    assert response.status_code == 200 and 'class="errorlist' in html and 'value="Camille"' in html
    assert client.post(prefixe + creneau, {**reservation, "nom": NUL}).status_code == 400
    response = client.post(prefixe + "/reservation/retrouver/", {"email": LONG})
    assert response.status_code == 400 and 'class="errorlist' in response.content.decode()
    response = client.post(prefixe + "/mediateur/saisir/", saisine_form_data(recit=LONG * 3, nom=LONG))
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert client.post(prefixe + "/mediateur/saisir/", saisine_form_data(nom=NUL)).status_code == 400
    assert not DemandeRappel.objects.exists() and not Reservation.objects.exists()
    assert not Saisine.objects.exists()


@pytest.mark.parametrize("prefixe", ["", *PREFIXES])
def test_non_ascii_and_rtl_override_in_names(client, agenda, make_user, prefixe):
    """Accents and Arabic letters are recorded as typed; the bidirectional controls (U+202E and
    its kin) are taken out at the door (pacte.requetes): no name turns the agent's planning line
    or the callback queue around (its reference would read backwards)."""
    nom = f"{RLO}nitraM ابن-سينا Zoë\u2066x\u2069"
    propre = "nitraM ابن-سينا Zoëx"
    creneau = reverse("booking:formulaire", args=[agenda.uuid, prochain_creneau(agenda).cle])
    response = client.post(
        prefixe + creneau, {"prenom": "Ærøskøbing", "nom": nom, "telephone": "06 12 34 56 78"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    reservation = Reservation.objects.get()
    assert reservation.nom == propre and reservation.prenom == "Ærøskøbing"
    page = client.get(response["Location"]).content.decode()
    assert propre in page and RLO not in page
    rappel = client.post(
        prefixe + "/demarches/rappel/", {"nom": nom, "telephone": "06 12 34 56 78", "objet": f"{RLO}Aide"}
    )
    assert rappel.status_code == 302
    assert (DemandeRappel.objects.get().nom, DemandeRappel.objects.get().objet) == (propre, "Aide")
    client.force_login(make_user(Role.AGENT, lieu=agenda.lieu))
    jour = reservation.debut.date().isoformat()
    planning = client.get(reverse("booking:planning"), {"agenda": str(agenda.uuid), "jour": jour})
    html = planning.content.decode()
    assert planning.status_code == 200 and '<html lang="fr"' in html
    assert propre in html and reservation.reference in html and RLO not in html
    file = client.get(reverse("demarches:rappel_file")).content.decode()
    assert propre in file and RLO not in file


STAFF = {
    # URL: (the role it belongs to, a role it does not)
    "/demarches/rappels/": (Role.AGENT, Role.ELU),
    "/mediateur/equipe/saisines/": (Role.MEDIATEUR, Role.AGENT),
    "/arrondissements/nouvelle/": (Role.ELU, Role.AGENT),
    "/espace/": (Role.AGENT, None),
}


def _final(client, url: str):
    response = client.get(url)
    for _ in range(4):
        if response.status_code not in (301, 302, 303):
            break
        response = client.get(response["Location"])
    return response


@pytest.mark.parametrize("prefixe", PREFIXES)
@pytest.mark.parametrize("url", list(STAFF))
def test_staff_urls_under_a_prefix_behave_as_without_it(client, make_user, prefixe, url):
    """Anonymous: the login page or a 404, as without a prefix. Signed in with the page's role:
    the page in French. With another role: refused as without a prefix, and none of the page's
    data in the answer."""
    demande_rappel_create(nom="Personne Secrète", telephone="06 12 34 56 78", objet="Objet secret")
    saisine_new(nom="Dossier-Secret")
    sans = _final(client, url)
    avec = _final(client, prefixe + url)
    _sans_500(avec, prefixe + url)
    assert avec.status_code in (200, 404)
    if avec.status_code == 200:
        assert 'name="username"' in avec.content.decode() and 'name="username"' in sans.content.decode()
    role, autre = STAFF[url]
    client.force_login(make_user(role))
    page = _final(client, prefixe + url)
    html = page.content.decode()
    # The page itself, or a 404 for a prefix the page does not live under (/en/arrondissements/).
    assert page.status_code in (_final(client, url).status_code, 404), (prefixe + url, page.status_code)
    if page.status_code == 200:
        assert '<html lang="fr" dir="ltr">' in html and "/facile/" not in page.wsgi_request.path
    client.logout()
    if autre:
        client.force_login(make_user(autre, username=f"autre-{autre}"))
        refus = _final(client, prefixe + url)
        sans_prefixe = _final(client, url)
        assert sans_prefixe.status_code in (403, 404)  # 404: a page hidden from other roles
        assert refus.status_code in (sans_prefixe.status_code, 404)
        html = refus.content.decode()
        assert "Personne Secrète" not in html and "Dossier-Secret" not in html


@pytest.mark.parametrize(
    "accept",
    [
        "",
        "*",
        "xx-ZZ",
        "ar-SA,ar;q=0.9",
        "en;q=abc,fr;q=-1,,;;,",
        "\x00\x01",
        "a" * 5000,
        "ar;q=1.0," * 500,
        "zh-Hant-TW-x-private-longtag;q=0.5, en-US",
        "﷽;q=1",
    ],
)
def test_accept_language_garbage_never_breaks_a_page(client, accept):
    for url in ["/", "/demarches/", "/facile/", "/en/", "/reservation/retrouver/"]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=accept)
        assert response.status_code in (200, 302), (url, accept[:40], response.status_code)
        if response.status_code == 302:
            assert client.get(response["Location"], HTTP_ACCEPT_LANGUAGE=accept).status_code == 200


@pytest.mark.parametrize("prefixe", ["", *PREFIXES])
def test_pages_still_answer_with_redis_down(client, agenda, redis_down, prefixe):
    """Redis away (a cache on a dead port): the citizen pages answer under every prefix, and the
    forms still record."""
    creneau = reverse("booking:formulaire", args=[agenda.uuid, prochain_creneau(agenda).cle])
    for url in [
        "/",
        "/demarches/",
        "/ecrivains-publics/",
        f"/reservation/{agenda.uuid}/",
        "/reservation/retrouver/",
    ]:
        assert client.get(prefixe + url).status_code == 200, prefixe + url
    response = client.post(
        prefixe + creneau, {"prenom": "Camille", "nom": "Martin", "telephone": "06 12 34 56 78"}
    )
    assert response.status_code == 302 and Reservation.objects.filter(nom="Martin").exists()
    assert client.get(response["Location"]).status_code == 200
