"""The citizens' emails, SMS and letters are translated in the catalogues for every language of the
portal, marked « à relire par la Ville » until a person of the City validates them, read without a
French sentence left, read in French exactly as before the catalogues, and an Arabic letter prints
right to left (#17.3)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext_lazy

from pacte.courriers import _lettre, courriers_pdf
from pacte.langues import LANGUE_DEFAUT, langue_choices
from pacte.models import Canal
from pacte.notifications import Personne, notify_person, render_text
from pacte.roles import Role
from tests.catalogues import entrees

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# The languages whose messages are translated (a language added to settings.LANGUAGES without its
# catalogue gets the French: add it here once its catalogue is written).
MESSAGES_TRADUITS = ("en", "ar")

# Messages to staff (agents, élus, directions, the médiateur's team) stay French: no translation.
STAFF = {
    "arrondissements/courriers/reponse",
    "arrondissements/emails/escalade",
    "arrondissements/emails/nouvelle",
    "arrondissements/emails/pour_direction",
    "arrondissements/emails/pour_elu",
    "arrondissements/emails/relance",
    "booking/emails/flux_agenda_cree",
    "mediation/emails/demande_position",
    "mediation/emails/position_recue",
    "mediation/emails/proposition",
    "mediation/emails/relance",
    "pacte/emails/securite_deux_etapes",
    "pacte/courriers/defaut",  # the plain text in paragraphs: no words of its own
}


def _messages() -> list[Path]:
    found = []
    for dossier in ("emails", "sms", "courriers"):
        found += [p for p in TEMPLATES.glob(f"*/{dossier}/*") if p.suffix in {".txt", ".html"}]
    # « name.txt »; « _part.txt » is a piece included by the messages
    return sorted(p for p in found if "." not in p.stem and not p.stem.startswith("_"))


# --- every citizen message rendered with a realistic context ----------------------------------------

UUID = "6f1c0c1e-3b8e-4a53-9a8c-2c3e1d0f5a7b"
DEBUT = dt.datetime(2026, 12, 28, 16, 30, tzinfo=dt.UTC)


def contexte_realiste() -> dict:
    """Every value a citizen message reads, realistic and long (« Marie-Christine », an address,
    things to bring, a long démarche title)."""
    lieu = SimpleNamespace(
        nom="Maison de la Métropole pour les solidarités de Lyon 8e Mermoz",
        adresse_complete="5 rue Mercière, 69002 Lyon",
    )
    agenda = SimpleNamespace(
        titre="Inscription à la restauration scolaire et au périscolaire (tarif selon quotient familial)",
        lieu=lieu,
        uuid=UUID,
        a_apporter_liste=["Pièce d'identité", "Justificatif de domicile de moins de 3 mois"],
    )
    return {
        "site_url": "https://pacte.lyon.fr",
        "lyon_en_direct": "04 72 10 30 30",
        "ville_adresse": "Hôtel de Ville, 1 place de la Comédie, 69001 Lyon",
        "mediateur_adresse": "Médiateur de la Ville de Lyon\n1 place de la Comédie\n69001 Lyon",
        "telephone": "04 72 10 30 30",
        "horaires": gettext_lazy(settings.LYON_EN_DIRECT_HOURS),  # as demarches.services gives it
        "numero": "06 12 34 56 78",
        "agenda": agenda,
        "lieu": lieu,
        "permanence": SimpleNamespace(agenda=agenda),
        "debut": DEBUT,
        "expire_at": DEBUT - dt.timedelta(hours=20),
        "date": DEBUT.date(),
        "quand": "lundi 28 décembre 2026 à 17 h 30",
        "ancien": "mercredi 23 décembre 2026 à 9 h",
        "motif": "absence de l'écrivain public pour raison de santé",
        "lien": f"https://pacte.lyon.fr/rdv/gerer/{'x' * 43}/",
        "reservation": SimpleNamespace(
            reference="RDV-7KQ2MX",
            prenom="Marie-Christine",
            nom="Dupont-Fernandez",
            prescripteur_organisation="Centre social Bonnefoi",
        ),
        "inscription": SimpleNamespace(
            nom="Marie-Christine Dupont", date_souhaitee=DEBUT.date(), telephone_affiche="06 12 34 56 78"
        ),
        "demande": SimpleNamespace(
            reference="RAP-7KQ2MX",
            nom="Marie-Christine Dupont",
            promesse_at=DEBUT,
            promesse_texte="lundi 28 décembre, dans l'après-midi",
            created_at=DEBUT - dt.timedelta(days=5),
            demarche=SimpleNamespace(titre="Carte d'identité et passeport"),
        ),
        "saisine": SimpleNamespace(
            reference="MED-7KQ2MX",
            prenom="Amina",
            nom="Haddad",
            created_at=DEBUT - dt.timedelta(days=30),
            echeance_reponse=dt.date(2027, 2, 1),
            motif_irrecevabilite="sans_demarche_prealable",
            get_motif_irrecevabilite_display="Pas de démarche préalable auprès du service",
            get_issue_display="Accord trouvé",
            get_organisme_reorientation_display="Défenseur des droits",
        ),
        "message": SimpleNamespace(corps="Pouvez-vous m'envoyer la facture ?\nMerci."),
        "action": SimpleNamespace(code="A12", titre="Des rendez-vous le samedi matin", avancement=40),
        "jalon": SimpleNamespace(
            date_on=dt.date(2026, 11, 2),
            titre="Ouverture le samedi à Lyon 8e",
            note="Trois mairies ouvrent le samedi.",
            preuve_url="https://www.lyon.fr/actualite",
        ),
        "nouveau": "En cours",
        "action_url": "/pacte/actions/A12/",
        "desabonnement_url": f"/pacte/actions/desabonnement/{'x' * 43}/",
        "confirmation_url": f"/pacte/actions/confirmer/{'x' * 43}/",
        "objet": "votre demande au médiateur",
        "reference": "MED-7KQ2MX",
        "sujet": "Votre demande au médiateur ne peut pas être traitée — MED-7KQ2MX",
        "personne": SimpleNamespace(nom="Amina Haddad"),
        "texte": "Bonjour,\n\nVotre dossier est clôturé.",
    }


def _citoyens() -> list[Path]:
    return [p for p in _messages() if f"{p.parent.parent.name}/{p.parent.name}/{p.stem}" not in STAFF]


def rendus_messages(langue: str) -> dict[str, str]:
    """Each citizen message template rendered in `langue` (plain text unescaped, HTML escaped), by
    channel for the letters that say something else on the phone."""
    rendus = {}
    with translation.override(langue):
        for path in _citoyens():
            nom = str(path.relative_to(TEMPLATES))
            for canal in (Canal.COURRIER, Canal.APPEL) if "/courriers/" in nom else ("",):
                context = {**contexte_realiste(), "canal": canal}
                if path.suffix == ".txt":
                    rendu = render_text([nom], context)
                else:
                    rendu = render_to_string(nom, context)
                # « décision du {% now %} »: the day of the run
                rendus[f"{nom} {canal}".strip()] = rendu.replace(
                    date_format(timezone.localtime(), "j F Y"), "(aujourd'hui)"
                )
    return rendus


def rendus_francais() -> dict[str, str]:
    return rendus_messages(LANGUE_DEFAUT)


def test_values_kept_left_to_right_or_french_change_nothing_in_french():
    """`ltr`: a reference in Arabic is isolated (`<bdi dir="ltr">` in HTML, Unicode isolates in
    plain text), nothing in French or English; `en_francais`: what stays French is marked
    lang="fr" in another language, escaped, and unchanged in French."""
    gabarit = Template('{{ ref|ltr }}|{{ adresse|en_francais }}|{{ corps|linebreaks|en_francais:"div" }}')
    context = {"ref": "RDV-7KQ2MX", "adresse": "1 place <b>&", "corps": "Bonjour\nMerci"}
    with translation.override("fr"):
        assert gabarit.render(Context(context)) == "RDV-7KQ2MX|1 place &lt;b&gt;&amp;|<p>Bonjour<br>Merci</p>"
    with translation.override("en"):
        assert gabarit.render(Context(context)).startswith(
            'RDV-7KQ2MX|<span lang="fr" dir="ltr">1 place &lt;b&gt;&amp;</span>|'
        )
    with translation.override("ar"):
        rendu = gabarit.render(Context(context))
        assert rendu.startswith(
            '<bdi dir="ltr">RDV-7KQ2MX</bdi>|<span lang="fr" dir="ltr">1 place &lt;b&gt;&amp;</span>|'
        )
        assert rendu.endswith('<div lang="fr" dir="ltr"><p>Bonjour<br>Merci</p></div>')
        assert (
            Template("{{ ref|ltr }}").render(Context(context, autoescape=False)) == "\u2066RDV-7KQ2MX\u2069"
        )


def test_french_messages_read_as_before():
    """Moving the messages into the catalogues changed no French word, space or line break: each
    citizen message renders as recorded in messages_fr.json (rendered before the change)."""
    attendus = json.loads((Path(__file__).parent / "messages_fr.json").read_text())
    rendus = rendus_francais()
    assert sorted(rendus) == sorted(attendus)
    differents = [
        f"{nom}:\n{rendus[nom]}\n--- au lieu de ---\n{attendus[nom]}"
        for nom in attendus
        if rendus[nom] != attendus[nom]
    ]
    assert not differents, "\n\n".join(differents)


# Words of a French sentence (the values of the context, French data, are taken out first).
MOTS_FRANCAIS = re.compile(
    r"\b(bonjour|vous|votre|vos|nous|est|sont|pour|avec|une|des|du|le|la|les|et|ou|au|aux|dans|sur|"
    r"à|été|demande|rendez-vous|lien|référence|quoi|quand|où|gérer|réf|médiateur|dossier|courrier)\b",
    re.IGNORECASE,
)


# French names kept on purpose next to their translation, so that a person can ask for them.
NOMS_FRANCAIS = [
    "Pacte en faveur de la qualité de service aux usagers",
    "le médiateur de la Ville de Lyon",
    "mairie d'arrondissement",
    "écrivain public",
    "Ville de Lyon",
    "Lyon en direct",
]


def _valeurs(objet) -> list[str]:
    """Every string of a context: the data a message shows as they were typed."""
    if isinstance(objet, str):
        return [objet, *objet.splitlines()]
    if isinstance(objet, SimpleNamespace):
        objet = vars(objet)
    if isinstance(objet, dict):
        objet = list(objet.values())
    if isinstance(objet, list):
        return [v for valeur in objet for v in _valeurs(valeur)]
    return []


@pytest.mark.parametrize("langue", MESSAGES_TRADUITS)
def test_every_citizen_message_reads_without_french_in_every_language(langue):
    """Each citizen email, SMS and letter rendered in English and Arabic (through the catalogues)
    differs from the French and keeps no French sentence: only the data (names, titles, places)
    stay as they were typed. A call task's instructions are for the agent: French on purpose."""
    valeurs = sorted(set(_valeurs(contexte_realiste())) | set(NOMS_FRANCAIS), key=len, reverse=True)
    francais = rendus_francais()
    restes = []
    for nom, rendu in rendus_messages(langue).items():
        if nom.endswith(f" {Canal.APPEL}"):
            continue
        texte = rendu
        for valeur in valeurs:
            texte = texte.replace(valeur, " ").replace(escape(valeur), " ")
        texte = re.sub(
            r'<(\w+)[^>]* lang="fr"[^>]*>.*?</\1>', " ", texte, flags=re.DOTALL
        )  # French on purpose
        texte = re.sub(r"<[^>]+>", " ", texte)
        mots = MOTS_FRANCAIS.findall(texte)
        if mots or rendu == francais[nom]:
            restes.append(f"{nom} [{langue}] {mots} :\n{rendu}")
    assert not restes, "\n\n".join(restes)


def test_citizen_messages_are_translated_in_the_catalogues_marked_for_review():
    """One template per message, in French, translated in the catalogues (no « name.<lang>.ext »
    file beside it any more): every catalogue entry that only messages use says « à relire par la
    Ville »; staff messages are listed above and stay French."""
    citoyens = [p for p in _messages() if f"{p.parent.parent.name}/{p.parent.name}/{p.stem}" not in STAFF]
    assert len(citoyens) >= 40
    par_langue = [
        str(p.relative_to(TEMPLATES))
        for dossier in ("emails", "sms", "courriers")
        for p in TEMPLATES.glob(f"*/{dossier}/*.*.*")
    ]
    assert not par_langue, f"traductions par fichier : {par_langue}"
    assert set(MESSAGES_TRADUITS) <= {code for code, _nom in langue_choices()} - {LANGUE_DEFAUT}
    assert all((TEMPLATES / f"{nom}.txt").exists() or (TEMPLATES / f"{nom}.html").exists() for nom in STAFF)
    for langue in MESSAGES_TRADUITS:
        _, lues = entrees(Path(settings.BASE_DIR) / "locale" / langue / "LC_MESSAGES" / "django.po")
        des_messages = [
            e
            for e in lues
            if e.references
            and all(re.match(r"templates/\w+/(emails|sms|courriers|taches)/", r) for r in e.references)
        ]
        assert len(des_messages) >= 100
        sans = [
            e.msgid for e in des_messages if not e.traduite or "à relire par la Ville" not in e.commentaires
        ]
        assert not sans, f"[{langue}] sans traduction « à relire par la Ville » : {sans}"


@pytest.mark.django_db
def test_an_arabic_letter_prints_right_to_left_with_its_address_for_the_post(tmp_path, client, make_user):
    """A person who wrote in Arabic and has only a postal address gets a letter in Arabic: the page
    runs right to left (lang="ar" dir="rtl"), the envelope window keeps the address as La Poste reads
    it, and the PDF's text is the Arabic letter; the agents' list of letters says « parle arabe »."""
    saisine = SimpleNamespace(
        reference="MED-7KQ2MX",
        prenom="Amina",
        nom="Haddad",
        created_at=timezone.now(),
        echeance_reponse=dt.date(2027, 2, 1),
    )
    [lettre] = notify_person(
        personne=Personne(nom="Amina Haddad", adresse="5 rue Mercière\n69002 Lyon", langue="ar"),
        message="mediation/accuse",
        context={"saisine": saisine, "mediateur_adresse": settings.MEDIATEUR_ADDRESS},
        sujet="طلبك إلى وسيط بلدية ليون — MED-7KQ2MX",
        repli=Canal.COURRIER,
    )
    assert lettre.canal == Canal.COURRIER and lettre.langue == "ar"
    html = render_to_string(
        "pacte/pdf/courriers.html", {"lettres": [_lettre(lettre, saisine.reference)], "expediteur": "Lyon"}
    )
    assert '<article class="lettre" lang="ar" dir="rtl">' in html
    assert '<div class="lettre__entete" lang="fr" dir="ltr">' in html  # the envelope window
    pdf = courriers_pdf(courriers=[lettre])
    assert pdf.startswith(b"%PDF")
    (tmp_path / "lettre.pdf").write_bytes(pdf)
    subprocess.run(
        [shutil.which("pdftotext"), "-layout", "lettre.pdf", "lettre.txt"], cwd=tmp_path, check=True
    )
    texte = (tmp_path / "lettre.txt").read_text()
    assert "MED-7KQ2MX" in texte and "69002 Lyon" in texte and "Ville de Lyon" in texte
    for mots in ("وسيط", "بلدية", "ليون", "الموضوع"):
        assert mots in texte, mots
    assert "Objet" not in texte and "Dossier n°" not in texte
    client.force_login(make_user(Role.AGENT))
    page = client.get(reverse("courrier_liste")).text
    assert '<span lang="ar" dir="auto">طلبك إلى وسيط بلدية ليون — MED-7KQ2MX</span> (parle arabe)' in page
