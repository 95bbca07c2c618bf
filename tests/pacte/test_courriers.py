"""Letters for people without email or mobile: the day's PDF, the window address, « postés »."""

from __future__ import annotations

import html
import re
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.enums import StatutSaisine
from mediation.workflows import saisine_transition
from pacte.courriers import courriers_a_poster_for, courriers_pdf
from pacte.models import Canal, JournalEntry, Notification, StatutNotification
from pacte.notifications import Personne, notifications_about, notify_person
from pacte.roles import Role
from tests.booking.conftest import lieu, make_agenda  # noqa: F401 (fixtures)
from tests.mediation.factories import saisine_new

MM = 72 / 25.4  # PDF points per millimetre


def _pdftotext(pdf: bytes, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def _pages(bbox: str) -> list[tuple[float, float, list]]:
    """`pdftotext -bbox` output as [(width, height, [(word, (xMin, yMin, xMax, yMax))…])…] in points."""
    pages = []
    for chunk in bbox.split("<page ")[1:]:
        size = re.match(r'width="([\d.]+)" height="([\d.]+)"', chunk)
        words = [
            (html.unescape(m[5]), tuple(float(v) for v in m.groups()[:4]))
            for m in re.finditer(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', chunk
            )
        ]
        pages.append((float(size[1]), float(size[2]), words))
    return pages


def _lettre_accueil(nom="Jeanne Martin", adresse="12 rue de la Paix\n69003 Lyon"):
    """A letter the reception agents post (a callback fallback, the plain-text default template)."""
    (tache,) = notify_person(
        personne=Personne(nom=nom, telephone="04 72 10 30 30", adresse=adresse),
        message="demarches/rappel_repli",
        context={"demande": None, "demarche": None},
        sujet="Nous n'avons pas pu vous joindre",
        repli=Canal.COURRIER,
    )
    return tache


def _saisine_sans_email():
    return saisine_new(
        email="", telephone="04 72 10 30 30", nom="Lefèvre", adresse="3 quai Saint-Vincent\n69001 Lyon"
    )


@pytest.mark.django_db
def test_the_day_pdf_holds_every_letter_with_the_address_in_the_window():
    """One A4 PDF, one letter per page, each address inside the DL window zone (110-195 × 55-90 mm)."""
    _lettre_accueil()
    saisine = _saisine_sans_email()
    courriers = list(Notification.objects.taches_a_faire().filter(canal=Canal.COURRIER).order_by("pk"))
    assert len(courriers) == 2
    pdf = courriers_pdf(courriers=courriers)
    texte = _pdftotext(pdf, "-layout")
    assert "Jeanne Martin" in texte and "Nous n'avons pas pu vous joindre" in texte
    assert saisine.reference in texte and "Alice Lefèvre" in texte
    assert "Hôtel de Ville" in texte  # the City's return address

    pages = _pages(_pdftotext(pdf, "-bbox"))
    assert len(pages) == 2  # one page per letter
    for (largeur, hauteur, mots), attendus in zip(
        pages, [("Jeanne", "Paix", "69003"), ("Lefèvre", "Saint-Vincent", "69001")], strict=False
    ):
        assert (round(largeur), round(hauteur)) == (595, 842)  # A4
        for mot in attendus:
            ((x_min, y_min, x_max, y_max),) = [box for text, box in mots if text == mot]
            assert x_min / MM >= 110 and x_max / MM <= 195, (mot, x_min / MM, x_max / MM)
            assert y_min / MM >= 55 and y_max / MM <= 90, (mot, y_min / MM, y_max / MM)


@pytest.mark.django_db
def test_the_decision_letter_states_decision_reasons_and_recourse(make_user):
    """The médiateur's decision letter is dated, referenced, and states reasons and voies de recours."""
    mediateur = make_user(Role.MEDIATEUR)
    saisine = _saisine_sans_email()
    saisine_transition(
        saisine=saisine,
        vers=StatutSaisine.IRRECEVABLE,
        actor=mediateur,
        motif="Le service n'a pas encore été contacté.",
        motif_irrecevabilite="sans_demarche_prealable",
    )
    lettre = Notification.objects.about(saisine).filter(canal=Canal.COURRIER).order_by("-pk").first()
    texte = " ".join(_pdftotext(courriers_pdf(courriers=[lettre])).split())
    assert f"Dossier n° {saisine.reference}" in texte and "décision du" in texte
    assert "La décision" in texte and "Le médiateur ne peut pas s'occuper de votre demande." in texte
    assert "Les raisons" in texte and "Le service n'a pas encore été contacté." in texte
    assert "Vos recours" in texte and "tribunal administratif de Lyon" in texte
    assert "deux mois" in texte and "L. 213-6" in texte and "Défenseur des droits" in texte


@pytest.mark.django_db
def test_posting_moves_the_letters_and_the_log_reads_courrier_envoye(client, make_user):
    """« Marquer comme postés »: each letter is done (journaled) and its log reads « Courrier envoyé le … »."""
    agent = make_user(Role.AGENT)
    tache = _lettre_accueil()
    client.force_login(agent)
    assert reverse("courrier_liste") in client.get(reverse("mon_espace")).text  # the tile
    page = client.get(reverse("courrier_liste")).text
    assert "Jeanne Martin" in page
    response = client.get(reverse("courrier_pdf"))
    assert response["Content-Type"] == "application/pdf" and "Jeanne Martin" in _pdftotext(response.content)
    response = client.post(reverse("courrier_poster"), {"courrier": [str(tache.uuid)]})
    assert response.status_code == 302
    tache.refresh_from_db()
    assert tache.statut == StatutNotification.SENT and tache.etat.startswith("Courrier envoyé le ")
    assert JournalEntry.objects.filter(action="notification.tache_faite", actor=agent).count() == 1
    assert "Aucun courrier à envoyer." in client.get(reverse("courrier_liste")).text


@pytest.mark.django_db
def test_letters_are_scoped_by_team_and_other_roles_get_404(client, make_user):
    """Reception agents never see the médiateur's letters (and vice versa); other roles get a 404."""
    accueil = _lettre_accueil()
    saisine = _saisine_sans_email()
    mediation = Notification.objects.about(saisine).get(canal=Canal.COURRIER)
    agent, mediateur = make_user(Role.AGENT), make_user(Role.MEDIATEUR)
    assert list(courriers_a_poster_for(agent)) == [accueil]
    assert list(courriers_a_poster_for(mediateur)) == [mediation]
    client.force_login(agent)
    client.post(reverse("courrier_poster"), {"courrier": [str(mediation.uuid)]})
    mediation.refresh_from_db()
    assert mediation.statut == StatutNotification.PENDING  # refused: not the agent's letter
    assert "Lefèvre" not in client.get(reverse("courrier_liste")).text
    for role in (Role.ELU, Role.ECRIVAIN, Role.REFERENT):
        client.force_login(make_user(role))
        for url in ("courrier_liste", "courrier_pdf"):
            assert client.get(reverse(url)).status_code == 404
        assert client.post(reverse("courrier_poster"), {"courrier": [str(accueil.uuid)]}).status_code == 404
    accueil.refresh_from_db()
    assert accueil.statut == StatutNotification.PENDING
    assert notifications_about(saisine)[0].etat == "Courrier à envoyer"


@pytest.mark.lent(11)
@pytest.mark.django_db
def test_the_letters_page_is_valid_html(client, make_user):
    """The agents' letters page (with letters, then empty): 0 errors from the Nu HTML checker."""
    from tests.a11y import assert_valid_html

    tache = _lettre_accueil()
    client.force_login(make_user(Role.AGENT))
    sources = {"courriers": client.get(reverse("courrier_liste")).text}
    client.post(reverse("courrier_poster"), {"courrier": [str(tache.uuid)]})
    sources["vide"] = client.get(reverse("courrier_liste")).text
    assert "1 courrier posté" in sources["vide"]
    assert_valid_html(sources)


def _pages_texte(pdf: bytes) -> list[str]:
    """The text of each page of `pdf`, whitespace folded."""
    return [" ".join(page.split()) for page in _pdftotext(pdf).split("\f") if page.strip()]


@pytest.mark.django_db
def test_every_letter_kind_lands_in_the_day_pdf_dated_and_referenced(client, make_user, make_agenda):  # noqa: F811
    """Issue 19.1: a booking confirmation, a callback fallback, a saisine acknowledgment and the reply
    to an élu who asked for paper each make a page of the day's PDF, with the City's return
    address, the recipient in the envelope window, the date and its file's reference; posting them
    from /espace/courriers/ makes each file's delivery log read « Courrier envoyé le … »."""
    from arrondissements.models import DemandeAppui
    from arrondissements.services import demande_act
    from demarches import services as rappels
    from demarches.models import DemandeRappel
    from pacte.booking.selectors import prochain_creneau
    from pacte.booking.services import reservation_create
    from pacte.francais import date_texte
    from pacte.models import Arrondissement, Direction
    from tests.demarches.horaires import appels

    agent = make_user(Role.AGENT)
    # A caller booked by phone, reachable by post only.
    agenda = make_agenda()
    reservation, _ = reservation_create(
        agenda=agenda,
        debut=prochain_creneau(agenda).debut,
        nom="Papier",
        prenom="Jean",
        telephone="04 72 10 30 30",
        adresse_postale="12 rue de la Paix\n69003 Lyon",
    )
    # A callback request with a landline and an address typed on one line, never reached.
    response = client.post(
        reverse("demarches:rappel_demande"),
        {
            "nom": "Paul Rappel",
            "telephone": "04 78 00 00 00",
            "adresse_postale": "5 rue Mercière, 69002 Lyon",
            "objet": "Mon dossier de PACS",
        },
    )
    assert response.status_code == 302
    demande = DemandeRappel.objects.get(nom="Paul Rappel")
    assert demande.adresse_postale == "5 rue Mercière\n69002 Lyon"
    confirmation = html.unescape(client.get(response.url).text)
    assert "nous vous préviendrons par courrier à l'adresse 5 rue Mercière, 69002 Lyon" in confirmation
    for at in appels(3):
        rappels.tentative_record(demande=demande, agent=agent, resultat="injoignable", at=at)
    # A saisine without email (the acknowledgment).
    saisine = _saisine_sans_email()
    # An élu who asked for the answer on paper.
    elu = make_user(Role.ELU, arrondissement=Arrondissement.objects.get(numero=6), fonction_elu="maire")
    dev = Direction.objects.get(sigle="DEV")
    referent = make_user(Role.REFERENT, direction=dev)
    client.force_login(elu)
    response = client.post(
        reverse("arrondissements:demande_create"),
        {
            "objet": "Arrosage du square",
            "direction": dev.pk,
            "categorie": "espaces_verts",
            "urgence": "normale",
            "description": "Les massifs sèchent.",
            "canal_origine": "courrier",
            "reponse_par_courrier": "on",
        },
    )
    assert response.status_code == 302
    appui = DemandeAppui.objects.get(objet="Arrosage du square")
    assert appui.reponse_par_courrier
    demande_act(appui, action="repondre", actor=referent, texte="Le square sera arrosé dès lundi.")

    objets = {
        reservation.reference: (
            "Jean Papier",
            "12 rue de la Paix",
            "69003 Lyon",
            "Votre rendez-vous est confirmé.",
        ),
        demande.reference: ("Paul Rappel", "5 rue Mercière", "69002 Lyon", "sans réussir à vous joindre"),
        saisine.reference: (
            "Alice Lefèvre",
            "3 quai Saint-Vincent",
            "69001 Lyon",
            "a bien reçu votre demande",
        ),
        appui.reference: (
            "Mairie du 6e arrondissement",
            "58 rue de Sèze",
            "69006 Lyon",
            "Le square sera arrosé dès lundi.",
        ),
    }
    courriers = list(Notification.objects.taches_a_faire().filter(canal=Canal.COURRIER).order_by("pk"))
    assert len(courriers) == 4
    pages = _pages_texte(courriers_pdf(courriers=courriers))
    assert len(pages) == 4
    aujourdhui = f"Lyon, le {date_texte(timezone.localdate())}"
    for reference, attendus in objets.items():
        (page,) = [p for p in pages if f"Référence : {reference}" in p]
        assert aujourdhui in page and "Hôtel de Ville" in page, page
        for texte in attendus:
            assert texte in page, (reference, texte, page)
    (lettre_elu,) = [p for p in pages if appui.reference in p]
    assert "/espace/" not in lettre_elu and "courrier.pdf" not in lettre_elu
    assert (
        "http" not in pages[[i for i, p in enumerate(pages) if saisine.reference in p][0]]
    )  # no secret link

    admin = make_user(Role.ADMIN)
    client.force_login(admin)
    liste = client.get(reverse("courrier_liste")).text
    for reference in objets:
        assert f"référence {reference}" in liste
    client.post(reverse("courrier_poster"), {"courrier": [str(n.uuid) for n in courriers]})
    for obj in (reservation, demande, saisine, appui):
        (lettre,) = [n for n in notifications_about(obj) if n.canal == Canal.COURRIER]
        assert lettre.etat.startswith("Courrier envoyé le "), obj
    client.force_login(agent)
    assert "Courrier envoyé le " in client.get(reverse("demarches:rappel_detail", args=[demande.uuid])).text
    client.force_login(elu)
    detail = client.get(reverse("arrondissements:demande_detail", args=[appui.uuid])).text
    assert "Réponses par courrier" in detail and "Courrier envoyé le " in detail


@pytest.mark.django_db
def test_callback_form_asks_a_usable_address_and_says_how_the_fallback_goes(client):
    """The callback form refuses an address without postcode (French message next to the field, text
    kept); the confirmation says how the fallback will come: SMS, letter to the address given, or,
    with a landline and no address, to call Lyon en direct."""
    from demarches.models import DemandeRappel

    url = reverse("demarches:rappel_demande")
    data = {
        "nom": "Paul",
        "telephone": "04 78 00 00 00",
        "objet": "PACS",
        "adresse_postale": "5 rue Mercière",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200 and not DemandeRappel.objects.exists()
    errors = refused.context["form"].errors
    assert (
        list(errors) == ["adresse_postale"]
        and "avec le code postal et la ville" in errors["adresse_postale"][0]
    )
    assert "5 rue Mercière</textarea>" in refused.text
    for extra, attendu in [
        ({"adresse_postale": ""}, "appelez Lyon en direct au"),
        (
            {"adresse_postale": "", "telephone": "06 12 34 56 78"},
            "nous vous préviendrons par SMS au 06 12 34 56 78",
        ),
        (
            {"adresse_postale": "5 rue Mercière\n69002 Lyon"},
            "par courrier à l'adresse 5 rue Mercière, 69002 Lyon",
        ),
    ]:
        response = client.post(url, {**data, **extra})
        assert response.status_code == 302
        assert attendu in html.unescape(client.get(response.url).text)


@pytest.mark.django_db
def test_the_mediateurs_message_on_paper_says_how_to_answer_without_a_link(make_user):
    """A message of the médiateur to a requester without email or mobile is a letter that says to
    write back or call with the file number (no « lien de suivi », which a letter cannot carry); so
    does the proposal letter."""
    from mediation.services import message_add

    saisine = _saisine_sans_email()
    message_add(
        saisine=saisine, corps="Pouvez-vous nous envoyer la photo du mur ?", actor=make_user(Role.MEDIATEUR)
    )
    lettre = Notification.objects.about(saisine).filter(canal=Canal.COURRIER).order_by("-pk").first()
    (page,) = _pages_texte(courriers_pdf(courriers=[lettre]))
    assert f"Référence : {saisine.reference}" in page and "Pouvez-vous nous envoyer la photo du mur ?" in page
    assert "en donnant votre numéro de dossier" in page and "lien" not in page
    mediateur = make_user(Role.MEDIATEUR)
    saisine_transition(saisine=saisine, vers=StatutSaisine.RECEVABLE, actor=mediateur)
    saisine_transition(
        saisine=saisine, vers=StatutSaisine.EN_INSTRUCTION, actor=mediateur, niveau="premier_niveau"
    )
    saisine_transition(
        saisine=saisine, vers=StatutSaisine.PROPOSITION, actor=mediateur, motif="Le mur sera réparé en mars."
    )
    lettre = Notification.objects.about(saisine).filter(canal=Canal.COURRIER).order_by("-pk").first()
    texte = " ".join(_pdftotext(courriers_pdf(courriers=[lettre])).split())
    assert "Le médiateur vous propose une solution" in texte and "Le mur sera réparé en mars." in texte
    assert "lien de suivi" not in texte and "en donnant votre numéro de dossier" in texte


@pytest.mark.parametrize(
    ("adresse", "attendu"),
    [
        ("Œuvre Saint-Jean, 12 rue Ærø\n69005 Lyon", "Œuvre Saint-Jean, 12 rue Ærø\n69005 Lyon"),
        ("١٢ شارع الحرية 🏠\n69007 Lyon", "١٢ شارع الحرية 🏠\n69007 Lyon"),
        ("12 rue de la Paix\r\n\r\n69003   Lyon\r", "12 rue de la Paix\n69003 Lyon"),
    ],
)
def test_the_address_field_keeps_any_script_and_cleans_line_breaks(adresse, attendu):
    from pacte.forms import AdressePostaleField

    assert AdressePostaleField().clean(adresse) == attendu


@pytest.mark.parametrize(
    ("adresse", "message"),
    [
        # A line the envelope window (85 mm, 38 characters by the postal norm) cannot hold.
        ("Résidence " + "des Tilleuls " * 20 + "\n69003 Lyon", "38 caractères"),
        ("x" * 60 + " 69003 Lyon", "38 caractères"),
        # More lines than the window shows with the name above them.
        (
            "\n".join(["Bâtiment A", "Escalier 2", "Étage 3", "Porte 4", "12 rue de la Paix", "69003 Lyon"]),
            "5 lignes",
        ),
        ("12 rue de la Paix\x00\n69003 Lyon", "caractère nul"),
    ],
)
def test_the_address_field_refuses_what_would_not_fit_the_window(adresse, message):
    """Anything the window would hide (overflow: hidden) is refused in French next to the field:
    otherwise the postcode and the town would silently disappear from the envelope."""
    from django import forms

    from pacte.forms import AdressePostaleField

    with pytest.raises(forms.ValidationError) as exc:
        AdressePostaleField().clean(adresse)
    assert message in " ".join(exc.value.messages)


@pytest.mark.django_db
def test_a_long_name_or_address_line_keeps_the_postcode_in_the_window():
    """A long unbroken name and too many lines (an old record, a letter queued without the field's
    checks) stay inside the window: the postcode and the town are never pushed out of it."""
    _lettre_accueil(
        nom="Marie-Françoise-Bénédicte " + "Delacroix-Beaumarchais" * 3,
        adresse="Bâtiment A\nEscalier 2\nÉtage 3\nPorte 4\n12 rue de la Paix\n69003 Lyon",
    )
    pdf = courriers_pdf(courriers=list(Notification.objects.filter(canal=Canal.COURRIER)))
    ((_l, _h, mots),) = _pages(_pdftotext(pdf, "-bbox"))
    for mot in ("69003", "Paix"):
        boxes = [box for text, box in mots if text == mot]
        assert boxes, (mot, [t for t, _b in mots][:40])
        x_min, y_min, x_max, y_max = boxes[-1]
        assert x_min / MM >= 110 and x_max / MM <= 195, (mot, x_min / MM, x_max / MM)
        assert y_min / MM >= 55 and y_max / MM <= 90, (mot, y_min / MM, y_max / MM)
    for _x0, _y0, x_max, _y1 in [box for text, box in mots if "Delacroix" in text]:
        assert x_max / MM <= 195


@pytest.mark.django_db
def test_markup_typed_in_a_name_or_address_is_text_in_the_letter():
    """WeasyPrint renders the letter's HTML: a name or an address with markup is escaped text."""
    from pacte.encryption import decrypt

    tache = _lettre_accueil(
        nom='<img src="http://evil.example/x.png">Jeanne', adresse="<b>12 rue</b> de la Paix\n69003 Lyon"
    )
    corps = decrypt(tache.corps_html)
    assert "<img" not in corps and "<b>" not in corps
    pdf = courriers_pdf(courriers=[tache])
    texte = _pdftotext(pdf)
    assert "<b>12 rue</b> de la Paix" in texte
