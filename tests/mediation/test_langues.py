"""The médiateur's citizen pages in English and Arabic (#17): each page in its language (lang, dir,
no French left but the data marked lang="fr"), a saisine filed and followed in each language and
recorded in it, the form's errors in the language next to the fields with the values kept, hostile
input (NUL, 9,000 characters, Arabic and emoji names, a file that is not what it says) never a 500.
Staff pages stay French under any prefix."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from mediation import services
from mediation.enums import StatutSaisine
from mediation.models import Saisine
from mediation.workflows import saisine_transition
from pacte.models import Direction
from pacte.roles import Role
from tests.langues import page, verifier_langue
from tests.mediation.factories import saisine_form_data, saisine_new, upload

pytestmark = pytest.mark.django_db

LANGUES = ["en", "ar"]
TEXTES = {
    "en": {
        "envoyee": "Your request has been sent",
        "identite": "Follow my request to the Mediator",
        "mauvaises": "These letters do not match the surname given in the request.",
        "recue": "Your request has arrived. The Mediator will check whether he can deal with it.",
        "statut": "Received",
        "transmis": "Your message has been passed on to the Mediator.",
        "consentement": "Tick this box so that the Mediator can deal with your request.",
        "nom": "This field is required.",
        "contact": "Give at least one way to answer you: email, phone or address.",
        "type": "is not a PDF, a JPEG or a PNG.",
        "invalide": "This link no longer works",
    },
    "ar": {
        "envoyee": "تم إرسال طلبك",
        "identite": "متابعة طلبي إلى الوسيط",
        "mauvaises": "هذه الأحرف لا تطابق الاسم المكتوب في الطلب.",
        "recue": "وصل طلبك. سيتحقق الوسيط مما إذا كان يستطيع النظر فيه.",
        "statut": "تم الاستلام",
        "transmis": "تم إرسال رسالتك إلى الوسيط.",
        "consentement": "ضع علامة في هذه الخانة حتى يتمكن الوسيط من معالجة طلبك.",
        "nom": "هذا الحقل مطلوب.",
        "contact": "أعطِ وسيلة واحدة على الأقل للرد عليك: البريد الإلكتروني أو الهاتف أو العنوان.",
        "type": "ليس PDF ولا JPEG ولا PNG.",
        "invalide": "هذا الرابط لم يعد يعمل",
    },
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(code: str, nom: str, *args) -> str:
    with translation.override(code):
        return reverse(nom, args=args)


@pytest.mark.parametrize("code", LANGUES)
def test_public_pages_in_each_language(client, make_user, code):
    mediateur = make_user(Role.MEDIATEUR)
    saisine = saisine_new()
    services.proposition_create(
        titre="Horaires des piscines",
        texte="Ouvrir le dimanche.",
        direction=Direction.objects.get(sigle="DEV"),
        saisines=[saisine],
        actor=mediateur,
    )
    for nom in ("mediation:accueil", "mediation:saisir", "mediation:propositions"):
        page(client, _url(code, nom), code)
    response, _ = page(client, _url(code, "mediation:propositions"), code)
    html = response.content.decode()
    # The proposal and the direction are French data: marked so; the reference left to right.
    assert '<span lang="fr">Horaires des piscines</span>' in html
    assert f'<bdi dir="ltr">{saisine.reference}</bdi>' in html
    # The directions of the form's list are French names: each option says so.
    html = client.get(_url(code, "mediation:saisir")).content.decode()
    assert re.search(r'<option value="\d+" lang="fr">Direction', html)
    # A broken link: the recovery page in the language (404).
    _, texte = page(client, _url(code, "mediation:suivi", "x" * 40), code, status=404)
    assert TEXTES[code]["invalide"] in texte


@pytest.mark.parametrize("code", LANGUES)
def test_a_saisine_filed_and_followed_in_the_language(client, code, django_capture_on_commit_callbacks):
    """Filed on /en/ or /ar/ with a PDF: recorded in the language; the confirmation, its link, the
    identity check (an error first), the follow-up page and a message, all in the language."""
    textes = TEXTES[code]
    nom = {"en": "Lefèvre", "ar": "الفاسي"}[code]
    data = saisine_form_data(nom=nom, prenom="Zoë 🌿", pieces_jointes=[upload()])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(code, "mediation:saisir"), data)
    assert response.status_code == 302 and response["Location"].startswith(f"/{code}/")
    saisine = Saisine.objects.get(nom=nom)
    assert saisine.langue == code
    envoyee, texte = page(client, response["Location"], code)
    assert textes["envoyee"] in texte and saisine.reference in texte
    lien = urlsplit(envoyee.context["lien"]).path
    assert lien.startswith(f"/{code}/mediateur/suivi/")

    client.cookies.clear()  # opened later, from the message
    opened = client.get(lien)
    assert opened.status_code == 303
    dossier = opened["Location"]
    assert dossier.startswith(f"/{code}/")
    _, texte = page(client, dossier, code)
    assert textes["identite"] in texte
    mauvais = client.post(dossier, {"nom_debut": "Dup"})
    assert textes["mauvaises"] in verifier_langue(mauvais, code)
    assert 'value="Dup"' in mauvais.content.decode()
    assert client.post(dossier, {"nom_debut": nom[:3]}).status_code == 302

    _, texte = page(client, dossier, code)
    assert textes["statut"] in texte and textes["recue"] in texte
    posted = client.post(dossier + "message/", {"corps": "Un complément 🌿"})
    assert posted.status_code == 302
    response = client.get(posted["Location"])
    assert textes["transmis"] in verifier_langue(response, code)
    assert saisine.messages.filter(corps="Un complément 🌿", is_from_requerant=True).exists()


@pytest.mark.parametrize("code", LANGUES)
def test_closed_saisine_shows_its_outcome_in_the_language(client, make_user, code):
    saisine = saisine_new(langue=code, nom="Martin")
    mediateur = make_user(Role.MEDIATEUR)
    saisine_transition(saisine=saisine, vers=StatutSaisine.RECEVABLE, actor=mediateur)
    saisine_transition(
        saisine=saisine, vers=StatutSaisine.EN_INSTRUCTION, actor=mediateur, niveau="premier_niveau"
    )
    saisine_transition(
        saisine=saisine, vers=StatutSaisine.CLOTUREE, actor=mediateur, issue="accord", motif="Accord trouvé."
    )
    client.get(_url(code, "mediation:suivi", saisine.token))
    dossier = _url(code, "mediation:suivi_dossier", saisine.uuid)
    client.post(dossier, {"nom_debut": "mar"})
    response = client.get(dossier)
    texte = verifier_langue(response, code)
    assert {"en": "Outcome: Agreement.", "ar": "النتيجة:"}[code] in texte
    assert 'name="corps"' not in response.content.decode()  # closed: no more messages


@pytest.mark.parametrize("code", LANGUES)
def test_form_errors_in_the_language_next_to_the_fields_with_values_kept(client, code):
    textes = TEXTES[code]
    response = client.post(
        _url(code, "mediation:saisir"),
        {"prenom": "محمد 🙂", "recit": "Texte", "requerant_type": "particulier"},
    )
    texte = verifier_langue(response, code)
    html = response.content.decode()
    for erreur in ("consentement", "nom", "contact"):
        assert textes[erreur] in texte, erreur
    assert 'value="محمد 🙂"' in html and "Texte</textarea>" in html
    assert re.search(r'id="id_nom"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_nom"', html)


FAUX_PDF = ("lettre.pdf", b"<html>not a pdf</html>", "application/pdf")
VIDE = ("vide.png", b"", "image/png")


@pytest.mark.parametrize("code", ["fr", *LANGUES])
@pytest.mark.parametrize(
    ("extra", "fichier", "attendu"),
    [
        ({"nom": "Nul\x00Nom", "recit": "a\x00b"}, None, None),
        ({"recit": "é" * 9000, "service_concerne": "x" * 5000}, None, None),
        ({"nom": "😀" * 200}, None, None),
        (
            {"arrondissement": "abc", "direction": "999999999999", "demarche_prealable_on": "31/02/2026"},
            None,
            None,
        ),
        ({}, FAUX_PDF, "type"),
        ({}, VIDE, None),
    ],
    ids=["nul", "long", "emoji-200", "bad-choices", "wrong-type", "empty-file"],
)
def test_hostile_input_never_500(client, code, extra, fichier, attendu):
    """Bad input gets the form again with its errors (or 400 for NUL bytes, refused before the
    view), in the page's language; nothing is recorded."""
    prefixe = "" if code == "fr" else f"/{code}"
    if fichier:
        extra = {**extra, "pieces_jointes": [upload(*fichier)]}
    response = client.post(f"{prefixe}/mediateur/saisir/", saisine_form_data(**extra))
    assert response.status_code in (200, 400), response.status_code
    assert response.status_code == 200 or any("\x00" in str(v) for v in extra.values())
    assert not Saisine.objects.exists()
    if code != "fr" and response.status_code == 200:
        texte = verifier_langue(response, code)
        assert 'aria-invalid="true"' in response.content.decode()
        if attendu:
            assert TEXTES[code][attendu] in texte


def test_staff_pages_stay_french_under_any_prefix(client, make_user):
    client.force_login(make_user(Role.MEDIATEUR))
    for code in LANGUES:
        for nom in ("mediation:saisine_list", "rapport:liste", "rapport:conseil"):
            response = client.get(_url(code, nom))
            assert response.status_code in (200, 404)
            assert '<html lang="fr" dir="ltr">' in response.content.decode()


@pytest.mark.parametrize("code", LANGUES)
def test_a_new_link_asked_in_the_language(client, code, django_capture_on_commit_callbacks):
    """« Recevoir un nouveau lien » from the broken-link page: the same answer whatever the reference,
    in the language; the link sent carries the language of the saisine."""
    from django.core import mail

    saisine = saisine_new(langue=code)
    url = _url(code, "mediation:nouveau_lien")
    for reference in (saisine.reference, "MED-INCONNU", "٣٣٣\x00" * 3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"action": "nouveau_lien", "reference": reference})
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code == 302:
            response = client.get(response["Location"])
        if response.status_code == 200:
            verifier_langue(response, code)
    liens = [m for m in mail.outbox if saisine.email in m.to]
    assert liens and f"/{code}/mediateur/suivi/" in liens[-1].body


@pytest.mark.parametrize("code", LANGUES)
def test_the_consents_link_leads_to_the_data_page_in_the_language(client, code):
    html = client.get(_url(code, "mediation:saisir")).content.decode()
    chemin = re.search(r'<a href="(/[^"]*donnees-personnelles/)">', html).group(1)
    assert chemin == f"/{code}/donnees-personnelles/"
    assert client.get(chemin).status_code == 200
