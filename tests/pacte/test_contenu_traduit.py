"""Content from the database in the citizen's language (#17.4, pacte.traductions): démarches,
alternatives, lieux, agendas, Pacte actions, écrivains' themes — French the source and the fallback,
marked lang="fr" where it stands in for a missing translation; the admin's view of what is missing
and of what awaits a review by the City; the reference data's translations."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from demarches.models import Demarche
from pacte import traductions
from pacte.booking.models import Agenda, RegleOuverture
from pacte.models import Lieu
from pacte.tracker.models import Action


def _get(client, langue: str, name: str, *args, **params):
    """The page `name` in `langue` (its URL in that language, and the browser asking for it: its
    language cookie says so too, else an unprefixed French address leads to the chosen language)."""
    with translation.override(langue):
        url = reverse(name, args=args)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE=langue)


def _rendu(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_the_tag_writes_the_translation_or_the_french_text_marked_lang_fr():
    """No database: an object with a French title, an English one, no Arabic one."""
    demarche = Demarche(titre_fr="Carte <d'identité>", titre_en="Identity card", description_fr="Venez.")
    tag = '{% traduit d "titre" %}|{% traduit d "description" as t %}<p{{ t.attr }}>{{ t.texte }}</p>'
    with translation.override("fr"):
        assert _rendu(tag, d=demarche) == "Carte &lt;d&#x27;identité&gt;|<p>Venez.</p>"
    with translation.override("en"):
        assert _rendu(tag, d=demarche) == 'Identity card|<p lang="fr">Venez.</p>'
        assert demarche.description == "Venez."  # the model's own fallback (modeltranslation)
    with translation.override("ar"):
        assert _rendu(tag, d=demarche) == (
            '<span lang="fr">Carte &lt;d&#x27;identité&gt;</span>|<p lang="fr">Venez.</p>'
        )
        # Nothing in French either: nothing at all, never an empty lang="fr" element.
        assert _rendu('{% traduit d "cout" as c %}[{{ c }}]{% if c %}x{% endif %}', d=demarche) == "[]"
        assert _rendu('{% traduit d "cout" %}', d=None) == ""


@pytest.mark.django_db
def test_a_demarche_page_in_english_and_arabic_with_a_missing_translation(client):
    """The reference démarche comes with English and Arabic (data/reference/traductions.csv); its
    English description removed, the English page shows the French one marked lang="fr". Each
    language has its own cached page (pacte.cache_reference), and no query more than in French."""
    demarche = Demarche.objects.get(code="titres_identite")
    assert demarche.traductions_a_relire == ["en", "ar"]
    demarche.description_en = ""
    demarche.save()
    description_fr = escape(demarche.description_fr)

    fr = _get(client, "fr", "demarches:detail", demarche.slug).text
    en = _get(client, "en", "demarches:detail", demarche.slug).text
    ar = _get(client, "ar", "demarches:detail", demarche.slug).text

    assert "<h1>Carte nationale d&#x27;identité et passeport</h1>" in fr
    assert f'<p class="chapo">{description_fr}</p>' in fr
    assert "<h1>National identity card and passport</h1>" in en
    assert f'<p class="chapo" lang="fr">{description_fr}</p>' in en
    assert "<dd>Any French national, adult or minor (a minor comes with a parent).</dd>" in en
    assert "Proof of address less than one year old" in en
    assert "Monday to Friday, 8:45 – 11:45 am" in en  # the counter's hours (the alternative)
    assert "Town hall of the 3rd arrondissement" in en  # a lieu
    assert "<h1>بطاقة الهوية الوطنية وجواز السفر</h1>" in ar
    assert '<p class="chapo">طلب بطاقة الهوية' in ar
    main = ar.split("<main", 1)[1].split("</main>", 1)[0]
    # Everything translated: nothing falls back.
    # The postal address and the direction's name are not translated: marked French.
    assert main.count(' lang="fr"') == 2
    assert '<address lang="fr" dir="ltr">' in main and '<dd lang="fr">Direction Population' in main


@pytest.mark.django_db
def test_no_query_more_in_english_and_the_cached_page_follows_an_edit(client, django_assert_max_num_queries):
    demarche = Demarche.objects.get(code="pacs")
    for langue in ("fr", "en"):
        _get(client, langue, "demarches:detail", demarche.slug)
    with django_assert_max_num_queries(0):  # both cached: the French page did not fill the English one
        assert "Registering a PACS" in _get(client, "en", "demarches:detail", demarche.slug).text
        assert "Enregistrement d&#x27;un PACS" in _get(client, "fr", "demarches:detail", demarche.slug).text
    demarche.titre_en = "PACS registration"
    demarche.save()
    assert "<h1>PACS registration</h1>" in _get(client, "en", "demarches:detail", demarche.slug).text

    # Plain field names write the active language's column: a test request left English active.
    with translation.override("fr"):
        agenda = Agenda.objects.create(
            lieu=Lieu.objects.get(slug="hotel-de-ville"),
            titre="Titres",
            description="Guichet du rez-de-chaussée.",
        )
        for jour in range(5):
            RegleOuverture.objects.create(
                agenda=agenda, jour_semaine=jour, heure_debut=dt.time(9), heure_fin=dt.time(12)
            )
    counts = {}
    for langue in ("fr", "en"):
        _get(client, langue, "booking:agenda", agenda.uuid)  # warm caches
        with django_assert_max_num_queries(50) as captured:
            page = _get(client, langue, "booking:agenda", agenda.uuid)
        counts[langue] = len(captured.captured_queries)
    assert counts["en"] == counts["fr"], counts
    assert '<p class="chapo" lang="fr">Guichet du rez-de-chaussée.</p>' in page.text
    assert "<strong>City Hall (Hôtel de Ville)</strong>" in page.text


@pytest.mark.django_db
def test_catalogue_search_in_english_finds_english_and_french_words(client):
    en = _get(client, "en", "demarches:catalogue", q="passport").text
    assert "National identity card and passport" in en
    demarche = Demarche.objects.get(code="mariage")
    demarche.titre_en = ""
    demarche.save()
    en = _get(client, "en", "demarches:catalogue", q="mariage").text
    assert '<span lang="fr">Dossier de mariage</span>' in en


@pytest.mark.django_db
def test_pacte_action_page_in_english(client):
    action = Action.objects.get(code="A1")
    en = _get(client, "en", "tracker:action", action.code).text
    assert "Guarantee, for every online service, an alternative at the counter or by phone" in en
    assert "Tackling digital exclusion without forcing everything online" in en  # its axis
    action.titre_en = ""
    action.save()
    en = _get(client, "en", "tracker:action", action.code).text
    assert f'<h1><span lang="fr">{escape(action.titre_fr)}</span></h1>' in en


@pytest.mark.django_db
def test_the_reference_loader_completes_missing_translations_and_keeps_the_citys(
    django_assert_max_num_queries,
):
    lieu = Lieu.objects.get(slug="hotel-de-ville")
    assert (lieu.nom_en, lieu.nom_ar) == (
        "City Hall (Hôtel de Ville)",
        "مقر بلدية ليون (Hôtel de Ville)\u200f",
    )
    lieu.nom_en = ""
    lieu.nom_ar = "نص كتبته المدينة"
    lieu.traductions_a_relire = []
    lieu.save()
    assert traductions.completer() == 1
    lieu.refresh_from_db()
    assert (lieu.nom_en, lieu.nom_ar, lieu.traductions_a_relire) == (
        "City Hall (Hôtel de Ville)",
        "نص كتبته المدينة",
        ["en"],
    )
    # Nothing missing: one query per translated model, nothing written.
    with django_assert_max_num_queries(len(traductions.translator.get_registered_models(abstract=False))):
        assert traductions.completer() == 0


@pytest.fixture
def admin(client):
    user = get_user_model().objects.create_superuser("admin-trad", "t@example.org", "motdepasse-de-test-123")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_admin_lists_missing_translations_and_clears_the_review_flag(admin):
    manque = Demarche.objects.get(code="pacs")
    manque.description_ar = ""
    manque.save()
    url = reverse("admin:demarches_demarche_changelist")

    page = admin.get(url).text
    assert '<span lang="ar">ar</span> : manque à quoi ça sert' in page
    assert '<span lang="en">en</span> : à relire' in page
    missing_ar = admin.get(url, {"traduction": "manque-ar"}).text
    assert "Enregistrement d&#x27;un PACS" in missing_ar and "Dossier de mariage" not in missing_ar
    assert "Dossier de mariage" in admin.get(url, {"traduction": "relire-en"}).text
    assert "Dossier de mariage" not in admin.get(url, {"traduction": "manque-en"}).text

    # An alternative (edited inline) without its English hours: shown with its démarche.
    guichet = Demarche.objects.get(code="pacs").alternatives.get(type="guichet")
    guichet.horaires_en = ""
    guichet.save()
    page = admin.get(url, {"traduction": "manque-en"}).text
    assert "Enregistrement d&#x27;un PACS" in page and "Dossier de mariage" not in page
    assert "manque horaires (alternative garantie)" in page

    form = admin.get(reverse("admin:demarches_demarche_change", args=[manque.pk])).text
    for name in ("titre_fr", "titre_en", "titre_ar", "alternatives-0-horaires_en"):
        assert f'name="{name}"' in form
    assert re.search(r'name="traductions_a_relire" value="en"[^>]*checked', form)

    mariage = Demarche.objects.get(code="mariage")
    response = admin.post(url, {"action": "marquer_relues", "_selected_action": [mariage.pk]})
    assert response.status_code == 302
    mariage.refresh_from_db()
    assert mariage.traductions_a_relire == []
    assert '<span lang="en">en</span> : relue' in admin.get(url, {"q": "mariage"}).text
