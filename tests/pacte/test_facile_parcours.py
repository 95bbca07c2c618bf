# ruff: noqa: F811
"""« Français facile » (#17.5) on the booking day page, cancel, move, find my booking, the
écrivains publics finder and permanence, and the saisine follow-up: each easy page answers with the
link back to the full version, and the journeys go through in /facile/ without JavaScript (plain
links and forms, the Django client), through the same views and services."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.models import Message
from pacte import francais
from pacte.booking.models import Reservation, Statut
from pacte.booking.selectors import prochain_creneau
from pacte.facile import PREFIXE
from pacte.forms import HONEYPOT_FIELD
from pacte.models import Notification
from tests.booking.conftest import agenda, lieu, make_agenda  # noqa: F401 (fixtures)
from tests.ecrivains.conftest import make_permanence  # noqa: F401 (fixture)
from tests.mediation.factories import saisine_new

pytestmark = pytest.mark.django_db


def _facile(url: str) -> str:
    return PREFIXE + url


def _page_facile(client, url: str, *, retour: str | None = None, **params) -> str:
    """GET the easy page: 200, French, its pictograms, « Version complète » to the same page."""
    response = client.get(_facile(url), params)
    html = response.content.decode()
    assert response.status_code == 200, url
    assert '<html lang="fr" dir="ltr">' in html
    assert 'class="picto" src="/static/img/pictos/' in html, url
    assert "Cette page n'existe pas en français facile." not in html, url
    query = response.wsgi_request.META.get("QUERY_STRING", "")
    cible = (retour or url).split("?")[0] + ("?" + query if query else "")
    assert f'href="{cible.replace("&", "&amp;")}" hreflang="fr">Version complète</a>' in html, url
    return html


def _suivre(client, response) -> str:
    assert response.status_code in (302, 303), response.status_code
    assert response["Location"].startswith(PREFIXE + "/"), response["Location"]
    return response["Location"]


def test_the_easy_day_page_leads_to_the_easy_form_with_plain_links(client, agenda):
    """Day → hour → form → booking, each step a link or a form of the easy version."""
    url = reverse("booking:agenda", args=[agenda.uuid])
    html = _page_facile(client, url)
    assert "Choisissez un jour" in html and "data-hx-get" not in html
    jour = re.search(r'href="(\?semaine=\d+&amp;jour=[\d-]+)#creneaux"', html).group(1).replace("&amp;", "&")
    html = _page_facile(client, url + jour)
    assert "Choisissez une heure" in html
    heure = re.search(rf'href="({PREFIXE}{url}[^"]+/)"', html).group(1)
    assert "Votre prénom" in client.get(heure).content.decode()
    response = client.post(heure, {"prenom": "Camille", "nom": "Martin", "telephone": "06 12 34 56 78"})
    assert Reservation.objects.get().nom == "Martin"
    assert "Votre rendez-vous est confirmé" in client.get(_suivre(client, response)).content.decode()
    # The full page (standard French) offers the easy one.
    assert f'href="{_facile(url)}" hreflang="fr">' in client.get(url).content.decode()


def test_a_full_agenda_offers_the_waiting_list_in_easy_words(client, make_agenda):
    agenda = make_agenda(horizon_jours=0)
    agenda.regles.all().delete()
    html = _page_facile(client, reverse("booking:agenda", args=[agenda.uuid]))
    assert "Toutes les places sont prises." in html
    assert _facile(reverse("booking:attente_inscription", args=[agenda.uuid])) in html


@pytest.fixture
def reserve(agenda):
    from pacte.booking.services import reservation_create

    return reservation_create(
        agenda=agenda,
        debut=prochain_creneau(agenda).debut,
        nom="Élodie-Marie Dùpont",
        prenom="Jeanne",
        email="j@example.org",
    )


def _verifier_identite(client, token) -> str:
    """The link from the message, opened under /facile/: the easy identity check, then the booking."""
    url = _suivre(client, client.get(_facile(reverse("booking:gerer", args=[token]))))
    html = _page_facile(client, url[len(PREFIXE) :])
    assert "Écrivez les 3 premières lettres de votre nom de famille" in html and "Dùpont" not in html
    html = client.post(url, {"debut_nom": "zz"}).content.decode()
    assert "champ--facile champ--erreur" in html and 'value="zz"' in html
    assert _suivre(client, client.post(url, {"debut_nom": "élo"})) == url
    return url


def test_move_then_cancel_a_booking_in_the_easy_version(client, reserve, agenda):
    reservation, token = reserve
    url = _verifier_identite(client, token)
    page = url[len(PREFIXE) :]
    html = _page_facile(client, page)
    assert "Changer le jour ou l'heure" in html and reservation.reference in html
    # The hour written the French way, as on every other page (« 9 h », « 14 h 30 », not « 09:00 »).
    assert f'<strong dir="ltr">{francais.heure(reservation.debut)}</strong>' in html
    assert " h" in francais.heure(reservation.debut)

    # Move: the days, then the hours as buttons of a POST form (no JavaScript needed).
    jour = timezone.localtime(reservation.debut).date().isoformat()
    html = _page_facile(client, page, action="deplacer", jour=jour)
    assert "Ce rendez-vous reste valable." in html and f'action="{url}"' in html
    choix = re.findall(r'name="creneau" value="([^"]+)"', html)
    assert choix
    nouveau = choix[-1]
    assert _suivre(client, client.post(url, {"action": "deplacer", "creneau": nouveau})) == url
    reservation.refresh_from_db()
    assert timezone.localtime(reservation.debut).strftime("%Y-%m-%dT%H:%M") == nouveau
    assert "Votre rendez-vous est déplacé" in client.get(url).content.decode()
    # A malformed slot (NUL bytes refused up front, else not a slot): a clean 400/404, never a 500.
    assert client.post(url, {"action": "deplacer", "creneau": "x\x00" * 2000}).status_code == 400
    assert client.post(url, {"action": "deplacer", "creneau": "x" * 5000}).status_code == 404

    # Cancel: a confirmation page, then the POST.
    html = _page_facile(client, page, action="annuler")
    assert "Voulez-vous annuler le rendez-vous ?" in html and "Non, je garde le rendez-vous" in html
    assert _suivre(client, client.post(url, {"action": "annuler"})) == url
    reservation.refresh_from_db()
    assert reservation.statut == Statut.ANNULEE
    html = client.get(url).content.decode()
    assert "Votre rendez-vous est annulé" in html and "Ce rendez-vous est annulé." in html


def test_find_my_booking_in_the_easy_version(client, reserve):
    """Errors next to the field with the input kept, the honeypot, then the same answer as the full page."""
    reservation, _token = reserve
    url = reverse("booking:retrouver")
    html = _page_facile(client, url)
    assert "Le numéro de téléphone du rendez-vous" in html
    response = client.post(_facile(url), {"email": "pas-une-adresse"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "champ--facile champ--erreur" in html and 'value="pas-une-adresse"' in html
    avant = reservation.token_hash
    client.post(_facile(url), {"email": "j@example.org", HONEYPOT_FIELD: "x"})
    reservation.refresh_from_db()
    assert reservation.token_hash == avant
    response = client.post(_facile(url), {"email": "j@example.org"})
    reservation.refresh_from_db()
    assert response.status_code == 200 and reservation.token_hash != avant
    assert "Vous avez demandé un nouveau lien" in response.content.decode()
    assert Notification.objects.about(reservation).filter(sujet="Votre nouveau lien personnel").exists()


def test_the_easy_ecrivains_finder_and_permanence(client, make_permanence):
    permanence = make_permanence(titre="Écrivain public du 5e", langues=["francais", "arabe"])
    url = reverse("ecrivains:recherche")
    html = _page_facile(client, url)
    assert "Un écrivain public vous aide à lire une lettre." in html and "1 lieu" in html
    assert f'href="{_facile(reverse("ecrivains:permanence", args=[permanence.uuid]))}"' in html
    html = _page_facile(client, url, arrondissement="3")
    assert "Aucun lieu" in html
    # A past date: the message next to the field, what was typed kept, never a 500.
    html = _page_facile(client, url, date="2000-01-01")
    assert "champ--facile champ--erreur" in html and 'value="2000-01-01"' in html
    html = _page_facile(client, reverse("ecrivains:permanence", args=[permanence.uuid]))
    assert "Écrivain public du 5e" in html and "Les prochaines places libres" in html
    assert _facile(reverse("booking:agenda", args=[permanence.agenda.uuid])) in html


def test_the_easy_saisine_follow_up(client):
    saisine = saisine_new(nom="Lefèvre")
    url = _suivre(client, client.get(_facile(reverse("mediation:suivi", args=[saisine.token]))))
    page = url[len(PREFIXE) :]
    html = _page_facile(client, page)
    assert saisine.reference in html and "Nous vérifions que c'est bien vous." in html
    assert _suivre(client, client.post(url, {"nom_debut": "lef"})) == url
    html = _page_facile(client, page)
    assert "Le médiateur a bien reçu votre demande." in html and "Écrire au médiateur" in html
    response = client.post(
        _facile(reverse("mediation:suivi_message", args=[saisine.uuid])), {"corps": "Bonjour"}
    )
    assert _suivre(client, response) == url
    assert Message.objects.filter(saisine=saisine, corps="Bonjour", is_from_requerant=True).exists()
    html = client.get(url).content.decode()
    assert "Votre message" in html and "Bonjour" in html


def test_a_locked_link_and_a_new_link_in_the_easy_version(client, reserve):
    """Too many wrong letters: the easy page says so (429) and asks for a new link; the answer is
    the easy « nouveau lien » page, the same whatever the case."""
    reservation, token = reserve
    url = _suivre(client, client.get(_facile(reverse("booking:gerer", args=[token]))))
    for _ in range(5):
        client.post(url, {"debut_nom": "zzz"})
    response = client.post(url, {"debut_nom": "elo"})
    html = response.content.decode()
    assert response.status_code == 429 and "Vous avez fait trop d'essais" in html
    assert "Dùpont" not in html and 'name="action" value="nouveau_lien"' in html
    avant = reservation.token_hash
    html = client.post(url, {"action": "nouveau_lien"}).content.decode()
    assert "Vous avez demandé un nouveau lien" in html and "Version complète" in html
    reservation.refresh_from_db()
    assert reservation.token_hash != avant
