"""« Français facile » (#17.5, pacte.facile): each easy page answers and links back to the full
version, the easy forms record through the same views and services (errors next to the field,
input kept, honeypot), and the easy texts keep to the easy-to-read rules."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.urls import get_script_prefix, reverse
from django.utils import translation

from demarches.models import DemandeRappel, Demarche
from demarches.textes_faciles import TEXTES_FACILES
from mediation.models import Saisine
from pacte.booking.models import Agenda, RegleOuverture, Reservation
from pacte.booking.selectors import prochain_creneau
from pacte.facile import GABARITS, PREFIXE, idees
from pacte.forms import HONEYPOT_FIELD
from pacte.models import Lieu
from pacte.site import absolute_url
from tests.mediation.factories import saisine_form_data

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "facile"
PICTOS = Path(settings.BASE_DIR) / "static" / "img" / "pictos"
MOTS_MAX = 15
ABREVIATIONS = ["RDV", "CNI", "etc.", "n°", "tél.", "svp", "cf.", "ex.", "env.", "PACS", "CAF", "min."]


def _facile(url: str) -> str:
    return PREFIXE + url


def _lien_retour(html: str, url: str) -> bool:
    return f'href="{url}" hreflang="fr">Version complète</a>' in html


@pytest.fixture
def agenda(db):
    lieu = Lieu.objects.get(slug="mairie-du-6e-arrondissement")
    agenda = Agenda.objects.create(lieu=lieu, titre="Guichet", delai_min_heures=0, a_apporter="Une photo")
    for jour in range(7):
        RegleOuverture.objects.create(
            agenda=agenda, jour_semaine=jour, heure_debut=dt.time(8), heure_fin=dt.time(18)
        )
    return agenda


@pytest.mark.django_db
def test_each_easy_page_answers_in_french_and_links_back_to_the_full_version(client):
    """Home, a démarche (its easy text, its human alternatives), the callback and saisine forms:
    200, lang="fr", pictograms decorative, « Version complète » to the same page without the
    prefix; the full page has « Lire en français facile », the English page too (to French)."""
    demarche = Demarche.objects.publiees().get(code="titres_identite")
    assert demarche.texte_facile
    pages = [
        reverse("accueil"),
        demarche.get_absolute_url(),
        reverse("demarches:rappel_demande") + f"?demarche={demarche.slug}",
        reverse("mediation:saisir"),
    ]
    for url in pages:
        response = client.get(_facile(url))
        html = response.content.decode()
        assert response.status_code == 200, url
        assert '<html lang="fr" dir="ltr">' in html
        assert _lien_retour(html, url.replace("&", "&amp;")), url
        assert 'class="picto" src="/static/img/pictos/' in html and 'alt=""' in html
        plein = client.get(url).content.decode()
        assert f'href="{_facile(url).replace("&", "&amp;")}" hreflang="fr">' in plein, url
    html = client.get(_facile(demarche.get_absolute_url())).content.decode()
    assert "Vous devez prendre un rendez-vous avant d&#x27;y aller." in html
    assert "Une personne de la Ville peut vous aider" in html and "Demander un appel" in html
    # Links inside the easy version stay in it; the English page leads to the French easy page.
    assert f'href="{_facile(reverse("demarches:rappel_demande"))}?demarche={demarche.slug}"' in html
    # The language switcher of an easy page leads to the full page in each language.
    url = demarche.get_absolute_url()
    assert f'href="/en{url}" lang="en"' in html
    with translation.override("en"):
        anglais = client.get("/en" + url).content.decode()
    assert f'href="{_facile(url)}" hreflang="fr">' in anglais
    assert get_script_prefix() == "/"


@pytest.mark.django_db
def test_a_demarche_without_easy_text_says_what_it_is_and_lists_the_human_help(client):
    demarche = Demarche.objects.publiees().get(code="salle_municipale")
    demarche.texte_facile = ""
    demarche.save()
    html = client.get(_facile(demarche.get_absolute_url())).content.decode()
    assert f"Cette page parle de la démarche « {demarche.titre} »".replace("'", "&#x27;") in html
    assert "Vous pouvez aller au guichet." in html


@pytest.mark.django_db
def test_staff_pages_and_pages_without_easy_version(client):
    """A staff page is never easy (redirected to the full one); a citizen page without an easy
    version is served as it is, saying so, with the link back."""
    assert client.get(_facile(reverse("demarches:rappel_file"))).url == reverse("demarches:rappel_file")
    html = client.get(_facile(reverse("demarches:catalogue"))).content.decode()
    assert "Cette page n'existe pas en français facile." in html
    assert _lien_retour(html, reverse("demarches:catalogue"))
    assert client.get(PREFIXE).url == PREFIXE + "/"


@pytest.mark.django_db
def test_the_easy_booking_form_books_through_the_same_view(client, agenda):
    """Refused input: the message next to the field, the input kept, in the easy page; then the
    booking is made and the confirmation is the easy one; the message's link has no prefix."""
    url = reverse("booking:formulaire", args=[agenda.uuid, prochain_creneau(agenda).cle])
    response = client.get(_facile(url))
    assert response.status_code == 200 and "Votre prénom" in response.content.decode()
    html = client.post(
        _facile(url), {"nom": "Martin", "prenom": "Camille", "telephone": "12"}
    ).content.decode()
    assert "champ--facile champ--erreur" in html and 'value="Martin"' in html
    assert Reservation.objects.count() == 0
    response = client.post(
        _facile(url), {"nom": "Martin", "prenom": "Camille", "telephone": "06 12 34 56 78"}
    )
    reservation = Reservation.objects.get()
    assert response.status_code == 302
    assert response.url.startswith(_facile(reverse("booking:rendez_vous", args=[reservation.uuid])))
    html = client.get(response.url).content.decode()
    assert "Votre rendez-vous est confirmé" in html and "Apportez : Une photo" in html
    assert _lien_retour(html, response.url[len(PREFIXE) :])
    # Links written into messages are those of the full version.
    assert absolute_url(_facile(url)) == absolute_url(url) == settings.SITE_URL.rstrip("/") + url


@pytest.mark.django_db
def test_the_easy_callback_and_saisine_forms_record_through_the_same_services(client):
    rappel = {"nom": "Martin", "telephone": "06 12 34 56 78", "objet": "Ma carte"}
    url = _facile(reverse("demarches:rappel_demande"))
    html = client.post(url, {**rappel, "telephone": ""}).content.decode()
    assert "champ--facile champ--erreur" in html and 'value="Martin"' in html
    client.post(url, {**rappel, HONEYPOT_FIELD: "x"})
    assert DemandeRappel.objects.count() == 0
    response = client.post(url, rappel)
    assert DemandeRappel.objects.count() == 1
    assert response.url.startswith(PREFIXE + "/demarches/rappel/")
    assert "Votre demande est bien arrivée" in client.get(response.url).content.decode()

    url = _facile(reverse("mediation:saisir"))
    html = client.post(url, saisine_form_data(recit="")).content.decode()
    assert "champ--facile champ--erreur" in html and 'value="Lefèvre"' in html
    response = client.post(url, saisine_form_data())
    assert Saisine.objects.count() == 1
    html = client.get(response.url).content.decode()
    assert "Votre demande est envoyée" in html and "Le lien marche 1 seule fois." in html
    assert "/facile/" not in html.split('id="lien-personnel"')[1].split("</p>")[0]


def _phrases_des_gabarits():
    for chemin in sorted(TEMPLATES.rglob("*.html")):
        texte = " ".join(
            t.contents for t in Lexer(chemin.read_text()).tokenize() if t.token_type == TokenType.TEXT
        )
        texte = re.sub(r"<[^>]+>", " ", texte)
        for phrase in re.split(r"(?<=[.!?:])\s+|\n", texte):
            yield chemin.name, phrase


def _defauts(phrase: str) -> list[str]:
    mots = re.findall(r"[\wÀ-ÿ'’-]+", phrase)
    fautes = [f"{len(mots)} mots"] if len(mots) > MOTS_MAX else []
    fautes += [a for a in ABREVIATIONS if re.search(rf"(?<!\w){re.escape(a)}(?!\w)", phrase, re.I)]
    return fautes


def test_easy_texts_keep_to_short_sentences_without_abbreviations():
    """Each sentence of an easy template and of each reference démarche's easy text: at most 15
    words, none of the listed abbreviations."""
    fautes = [
        f"{nom}: {phrase.strip()} ({d})" for nom, phrase in _phrases_des_gabarits() if (d := _defauts(phrase))
    ]
    for code, texte in TEXTES_FACILES.items():
        for idee in idees(texte):
            for phrase in re.split(r"(?<=[.!?:])\s+", idee.texte):
                if d := _defauts(phrase):
                    fautes.append(f"{code}: {phrase} ({d})")
    assert not fautes, "\n".join(fautes)
    assert _defauts("Prenez un RDV avec votre CNI, etc.") == ["RDV", "CNI", "etc."]
    assert _defauts(" ".join(["mot"] * 16)) == ["16 mots"]


def test_easy_pages_and_pictograms_exist():
    for gabarit in GABARITS:
        assert (TEMPLATES / gabarit).is_file(), gabarit
    # Written by the project's team: each easy template says so until the Ville has read it.
    non_marques = [p.name for p in TEMPLATES.rglob("*.html") if "à relire par la Ville" not in p.read_text()]
    assert not non_marques, non_marques
    noms = {
        "telephone",
        "calendrier",
        "mairie",
        "document",
        "aide",
        "lettre",
        "horloge",
        "carte-identite",
        "attention",
        "ordinateur",
    }
    assert {p.stem for p in PICTOS.glob("*.svg")} == noms
    for picto in PICTOS.glob("*.svg"):
        svg = picto.read_text()
        assert 'viewBox="0 0 48 48"' in svg and "<text" not in svg
        assert set(re.findall(r"#[0-9a-f]{6}", svg)) <= {"#0b4f9c", "#dbe7f5"}, picto.name
    assert idees("Appelez le guichet.\n\nApportez une photo.") == [
        idees("Appelez le guichet.")[0],
        idees("Apportez une photo.")[0],
    ]
    assert [i.picto for i in idees("Vous devez prendre un rendez-vous.\nAttention : c'est long.")] == [
        "calendrier",
        "attention",
    ]


@pytest.mark.django_db
def test_the_demarche_admin_shows_which_easy_texts_are_missing_or_to_be_read(admin_client):
    """The Démarche list: a « Français facile » column and filter (no text, to be read by the
    Ville, read); the action marks texts as read; the change form edits the text and the box."""
    sans = Demarche.objects.get(code="salle_municipale")
    sans.texte_facile = ""
    sans.save()
    relu = Demarche.objects.get(code="titres_identite")
    relu.texte_facile_relu = True
    relu.save()
    a_relire = Demarche.objects.exclude(texte_facile="").exclude(pk=relu.pk).first()
    liste = reverse("admin:demarches_demarche_changelist")
    html = admin_client.get(liste).content.decode()
    assert "Français facile" in html and "à relire par la Ville" in html and "pas de texte" in html

    def titres(facile):
        response = admin_client.get(liste, {"facile": facile})
        return {d.pk for d in response.context["cl"].result_list}

    assert sans.pk in titres("absent") and relu.pk not in titres("absent")
    assert (
        a_relire.pk in titres("relire")
        and relu.pk not in titres("relire")
        and sans.pk not in titres("relire")
    )
    assert titres("relu") == {relu.pk}
    admin_client.post(liste, {"action": "marquer_facile_relu", "_selected_action": [a_relire.pk, sans.pk]})
    a_relire.refresh_from_db()
    sans.refresh_from_db()
    assert a_relire.texte_facile_relu and not sans.texte_facile_relu  # nothing to read without a text
    change = admin_client.get(reverse("admin:demarches_demarche_change", args=[relu.pk])).content.decode()
    assert 'name="texte_facile"' in change and 'name="texte_facile_relu"' in change
