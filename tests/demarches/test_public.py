"""Public pages: catalogue search, e-service page leading with the alternatives, engagement page,
difficulty form (anonymous observation), query counts."""

import html
import re

import pytest
from django.urls import reverse

from demarches.models import Alternative, Demarche

pytestmark = pytest.mark.django_db


def _text(response):
    return html.unescape(response.content.decode())


def test_catalogue_lists_and_searches_by_words_and_category(client):
    """Search by words (any order, case-insensitive) and by category, without JavaScript."""
    url = reverse("demarches:catalogue")
    assert "Toutes les démarches (14)" in _text(client.get(url))
    response = client.get(url, {"q": "PASSEPORT"})
    assert "Carte nationale d'identité et passeport" in _text(response) and "PACS" not in _text(response)
    response = client.get(url, {"q": "crèche place"})
    assert "Demande de place en crèche municipale" in _text(response)
    assert "1 démarche trouvée" in _text(response)
    response = client.get(url, {"categorie": "cimetières"})
    assert "concession funéraire" in _text(response) and "1 démarche trouvée" in _text(response)
    assert "Aucune démarche" in _text(client.get(url, {"q": "zzzz"}))


def test_catalogue_htmx_returns_the_results_fragment(client):
    """htmx gets the #resultats partial, the same markup as in the full page."""
    response = client.get(reverse("demarches:catalogue"), {"q": "mariage"}, headers={"HX-Request": "true"})
    assert _text(response).lstrip().startswith('<section id="resultats"')
    assert "<html" not in _text(response) and "Dossier de mariage" in _text(response)


def test_unpublished_demarche_is_hidden(client):
    """An unpublished e-service is neither listed nor reachable."""
    Demarche.objects.filter(code="pacs").update(is_published=False)
    assert "PACS" not in _text(client.get(reverse("demarches:catalogue")))
    assert client.get(reverse("demarches:detail", args=["pacs"])).status_code == 404


def test_detail_leads_with_the_alternatives(client):
    """The e-service page shows « Vous préférez être aidé ? » and the alternatives before the online link."""
    text = _text(client.get(reverse("demarches:detail", args=["titres-identite"])))
    aide = text.index("Vous préférez être aidé ? Voici comment")
    assert aide < text.index("Faire la démarche en ligne")
    for fragment in [
        "Au guichet",
        "Hôtel de Ville",
        "Mairie du 9e",
        "Par téléphone",
        "04 72 10 30 30",
        "Demander à être rappelé",
        "Par courrier",
        "Ville de Lyon, Hôtel de Ville, 1 place de la Comédie, 69205 Lyon Cedex 01",
        "Informations indicatives, à confirmer par la Ville",
        "Je n'arrive pas à faire",
    ]:
        assert fragment in text, fragment
    assert "Une photo d'identité" in text  # the checklist


def test_detail_hides_inactive_alternatives(client):
    """An inactive alternative is not shown."""
    Alternative.objects.filter(demarche__code="pacs", type="courrier").update(is_active=False)
    text = _text(client.get(reverse("demarches:detail", args=["pacs"])))
    assert "Par courrier" not in text and "Par téléphone" in text


def test_engagement_page_lists_every_published_demarche(client):
    """The public engagement page is a table of every published e-service and its alternatives."""
    text = _text(client.get(reverse("demarches:engagement")))
    for demarche in Demarche.objects.publiees():
        assert demarche.titre in text
    assert "14 démarches en ligne et leurs alternatives garanties" in text


def test_public_pages_query_count_does_not_grow(client, django_assert_max_num_queries):
    """Catalogue, engagement and detail: constant number of queries when the catalogue grows."""
    urls = [
        reverse("demarches:catalogue"),
        reverse("demarches:engagement"),
        reverse("demarches:detail", args=["pacs"]),
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(15) as captured:
            client.get(url)
        counts[url] = len(captured.captured_queries)
    source = Demarche.objects.get(code="pacs")
    for i in range(20):
        copy = Demarche.objects.create(
            slug=f"copie-{i}", code=f"copie_{i}", titre=f"Copie {i}", categorie="essais", is_published=True
        )
        for alt in source.alternatives.all():
            lieux = list(alt.lieux.all())
            alt.pk = None
            alt.demarche = copy
            alt.save()
            alt.lieux.set(lieux)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)


def test_difficulty_form_records_anonymous_observation_and_shows_help(client):
    """The 3-question form records an anonymous observation (no identity) and shows the alternatives."""
    from nonrecours.models import Observation

    url = reverse("demarches:difficulte", args=["place-creche"])
    assert client.get(url).status_code == 200
    bad = client.post(url, {})
    assert bad.status_code == 200 and "Cochez au moins une réponse" in _text(bad)
    response = client.post(
        url, {"blocages": ["compte", "langue"], "arrondissement": "", "dispositif": ""}, follow=True
    )
    assert "Vous préférez" not in _text(response)  # the thank-you page has its own heading
    assert "Être rappelé" in _text(response) and "Par téléphone" in _text(response)
    observation = Observation.objects.get()
    assert observation.source == "usager_demarche" and observation.demarche_slug == "place-creche"
    assert sorted(observation.raisons) == ["langue", "numerique"]
    field_names = {f.name for f in Observation._meta.get_fields()}
    assert not field_names & {"nom", "telephone", "email", "ip"}


def test_difficulty_form_over_its_limit_says_so(client, settings):
    """Beyond the hourly limit nothing more is recorded and the citizen is told (429, choices kept)."""
    from django.core.cache import cache

    from nonrecours.models import Observation

    cache.clear()  # the counter is per IP and hour: start from zero
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMITS = {**settings.RATELIMITS, "difficulte": "2/h"}
    url = reverse("demarches:difficulte", args=["pacs"])
    for _ in range(2):
        assert client.post(url, {"blocages": ["autre"]}, follow=True).status_code == 200
    response = client.post(url, {"blocages": ["autre"]})
    assert response.status_code == 429 and "Trop de demandes" in response.text
    assert re.search(r'value="autre"[^>]*checked', response.text)
    assert Observation.objects.count() == 2


def test_demarche_page_is_cached_and_every_edit_shows_at_once(client, django_assert_num_queries):
    """A démarche page is reference content rendered once (#18.2): no query once cached, and an
    edit of the démarche, an alternative, a lieu, the links to lieux or an agenda shows at once."""
    from pacte.booking.models import Agenda
    from pacte.models import Lieu

    url = reverse("demarches:detail", args=["titres-identite"])
    assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert "Carte nationale" in _text(client.get(url))
    demarche = Demarche.objects.get(slug="titres-identite")
    demarche.titre = "Titres d'identité, nouvel intitulé"
    demarche.save()
    assert "<h1>Titres d'identité, nouvel intitulé</h1>" in _text(client.get(url))
    guichet = demarche.alternatives.filter(type="guichet").first()
    guichet.horaires = "Le mardi de 9 h à 11 h seulement"
    guichet.save()
    assert "Le mardi de 9 h à 11 h seulement" in _text(client.get(url))
    lieu = guichet.lieux.first()
    lieu.nom = "Mairie renommée pour le test"
    lieu.save()
    assert "Mairie renommée pour le test" in _text(client.get(url))
    guichet.lieux.remove(lieu)
    assert "Mairie renommée pour le test" not in _text(client.get(url))
    agenda = Agenda.objects.create(
        lieu=Lieu.objects.get(slug="hotel-de-ville"), titre="Titres", kind="demarches", capacite=2
    )
    guichet.agendas.add(agenda)
    assert reverse("booking:agenda", args=[agenda.uuid]) in _text(client.get(url))
    agenda.is_active = False
    agenda.save()
    assert reverse("booking:agenda", args=[agenda.uuid]) not in _text(client.get(url))
    demarche.is_published = False
    demarche.save()
    assert client.get(url).status_code == 404


def test_unknown_demarche_is_a_404_and_is_not_cached(client):
    """A slug typed at random is a 404 each time and stores nothing in the cache."""
    from django.core.cache import cache

    from demarches.selectors import DETAIL_PAGE
    from pacte.cache_reference import version

    assert client.get(reverse("demarches:detail", args=["nimporte-quoi"])).status_code == 404
    key = f"pacte:ref:{DETAIL_PAGE}:{version(DETAIL_PAGE)}:fr:nimporte-quoi"
    assert cache.get(key, "absent") == "absent"
    assert client.get(reverse("demarches:detail", args=["nimporte-quoi"])).status_code == 404
