"""The language costs nothing (#17 quality bars): the citizen pages make the same number of SQL
queries in English and Arabic as in French, and stay under the size budget of a page.

Each page is measured warm (its caches filled by a first visit in that language) with a new visitor
(a fresh client: no session), the state a citizen arriving from a search engine or a message is in.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from pacte.booking.models import Agenda, RegleOuverture
from pacte.booking.selectors import prochain_creneau
from pacte.models import Lieu

pytestmark = pytest.mark.django_db

LANGUES = ("fr", "en", "ar")

# The HTML of a citizen page, in bytes. The heaviest French page measured (2026-12-01) is the
# non-recours statistics, 24 KB; the day page 11.5 KB. Arabic letters take two bytes in UTF-8, hence
# a per-language allowance over French (Arabic pages were 1.02–1.16× French when this was written).
TAILLE_MAX = 48 * 1024
RAPPORT_MAX = {"en": 1.15, "ar": 1.6}


@pytest.fixture
def agenda():
    with translation.override("fr"):
        agenda = Agenda.objects.create(
            lieu=Lieu.objects.get(slug="mairie-du-6e-arrondissement"),
            titre="Carte d'identité et passeport",
            kind="demarches",
            duree_creneau=15,
            capacite=20,  # each new visitor of the form holds a place
            places_agents=0,
            delai_min_heures=0,
            horizon_jours=60,
        )
    for jour in range(5):
        RegleOuverture.objects.create(
            agenda=agenda, jour_semaine=jour, heure_debut=dt.time(9), heure_fin=dt.time(17)
        )
    return agenda


def _pages(agenda) -> dict[str, tuple[str, list, dict]]:
    creneau = prochain_creneau(agenda)
    jour = creneau.debut.date().isoformat()
    return {
        "accueil": ("accueil", [], {}),
        "catalogue": ("demarches:catalogue", [], {}),
        "demarche": ("demarches:detail", ["titres-identite"], {}),
        "agenda": ("booking:agenda", [agenda.uuid], {}),
        "jour": ("booking:agenda", [agenda.uuid], {"jour": jour}),
        "formulaire": ("booking:formulaire", [agenda.uuid, creneau.cle], {}),
        "retrouver": ("booking:retrouver", [], {}),
        "rappel": ("demarches:rappel_demande", [], {}),
        "engagement": ("demarches:engagement", [], {}),
        "ecrivains": ("ecrivains:recherche", [], {}),
        "mediateur": ("mediation:accueil", [], {}),
        "saisir": ("mediation:saisir", [], {}),
        "pacte": ("tracker:accueil", [], {}),
        "actions": ("tracker:liste", [], {}),
        "non-recours": ("nonrecours:statistiques", [], {}),
        "contact": ("contact", [], {}),
        "accessibilite": ("accessibilite", [], {}),
    }


def _visite(nom: str, args: list, params: dict, langue: str) -> tuple[int, int, int]:
    """(status, queries, bytes) of a new visitor's request for the page in `langue`."""
    with translation.override(langue):
        url = reverse(nom, args=args)
    client = Client(HTTP_ACCEPT_LANGUAGE=langue)
    with CaptureQueriesContext(connection) as requetes:
        response = client.get(url, params)
    return response.status_code, len(requetes.captured_queries), len(response.content)


def test_no_query_more_and_no_page_over_budget_in_english_and_arabic(agenda):
    for nom, args, params in _pages(agenda).values():
        for langue in LANGUES:
            _visite(nom, args, params, langue)  # caches filled, as on a running server
    mesures = {
        page: {langue: _visite(nom, args, params, langue) for langue in LANGUES}
        for page, (nom, args, params) in _pages(agenda).items()
    }
    fautes = []
    for page, par_langue in mesures.items():
        statut_fr, requetes_fr, taille_fr = par_langue["fr"]
        for langue, (statut, requetes, taille) in par_langue.items():
            if statut != 200:
                fautes.append(f"{page} [{langue}] : statut {statut}")
            if requetes != requetes_fr:
                fautes.append(f"{page} [{langue}] : {requetes} requêtes SQL, {requetes_fr} en français")
            if taille > TAILLE_MAX:
                fautes.append(f"{page} [{langue}] : {taille} octets > {TAILLE_MAX}")
            if langue in RAPPORT_MAX and taille > taille_fr * RAPPORT_MAX[langue]:
                fautes.append(f"{page} [{langue}] : {taille} octets, {taille / taille_fr:.2f}× le français")
    assert not fautes, "\n".join(fautes)
