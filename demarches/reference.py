"""Seed the catalogue from data/reference/demarches-indicatives.csv (idempotent).

Every row is INDICATIVE: the titles come from the research list and the plain-French texts below
were written for the portal; the City must confirm them. Each e-service gets its alternatives:
counter at the 9 mairies (and the Hôtel de Ville for identity documents), the Lyon en direct phone
line, a callback request and a postal address, so that `check_alternatives` passes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from pacte.models import Direction, Lieu, TypeLieu
from pacte.reference import read_csv
from pacte.traductions import traductions_de

from .enums import TypeAlternative
from .models import Alternative, Demarche
from .textes_faciles import TEXTES_FACILES

DIRECTIONS = {
    "état civil et citoyenneté": "DPC",
    "enfance et éducation": "DE",
    "petite enfance": "DEnf",
    "espace public": "DRU",
    "cimetières": "DCim",
    "vie associative": "DDT",
}

URL_SERVICE_PUBLIC = "https://www.lyon.fr/demarches"
HORAIRES_GUICHET = "Du lundi au vendredi, 8 h 45 – 11 h 45 et 13 h 30 – 16 h 30 (horaires indicatifs)"

# code → (description, qui_peut, pieces (one per line), cout, delai)
TEXTES = {
    "titres_identite": (
        "Demander ou renouveler votre carte d'identité ou votre passeport. Vous pouvez remplir une "
        "pré-demande en ligne, mais vous devez venir en mairie, sur rendez-vous, pour donner vos "
        "empreintes puis pour retirer le titre.",
        "Toute personne de nationalité française, adulte ou mineure (un mineur vient avec un parent).",
        "Votre ancienne carte ou votre ancien passeport\nUne photo d'identité récente (moins de 6 mois)\n"
        "Un justificatif de domicile de moins d'un an\nLe numéro de pré-demande, si vous l'avez faite",
        "Carte d'identité gratuite (25 € si perdue ou volée) ; passeport : 86 € pour un adulte",
        "Plusieurs semaines selon la période : prévoyez à l'avance",
    ),
    "actes_etat_civil": (
        "Obtenir une copie ou un extrait d'acte de naissance, de mariage ou de décès, quand "
        "l'événement a eu lieu à Lyon.",
        "La personne concernée, ses parents, ses enfants, son conjoint ; pour un extrait sans "
        "filiation, toute personne.",
        "Une pièce d'identité\nLes noms, prénoms et date de l'événement",
        "Gratuit",
        "Sur place au guichet ; quelques jours par courrier",
    ),
    "listes_electorales": (
        "Vous inscrire sur les listes électorales de Lyon pour pouvoir voter, par exemple après un "
        "déménagement.",
        "Les personnes françaises de 18 ans et plus ; les citoyens européens pour les élections "
        "municipales et européennes.",
        "Une pièce d'identité\nUn justificatif de domicile à Lyon de moins de 3 mois",
        "Gratuit",
        "Inscription possible jusqu'au 6e vendredi avant un scrutin",
    ),
    "recensement_citoyen": (
        "Se faire recenser à 16 ans. L'attestation de recensement est demandée pour passer "
        "le permis de conduire, le baccalauréat et d'autres examens.",
        "Les jeunes français dans les 3 mois qui suivent leurs 16 ans (ou leurs parents).",
        "Une pièce d'identité\nLe livret de famille",
        "Gratuit",
        "Attestation remise le jour même au guichet",
    ),
    "attestation_accueil": (
        "Faire une attestation d'accueil quand vous recevez chez vous une personne étrangère qui a "
        "besoin d'un visa pour une courte visite.",
        "La personne qui héberge, si elle habite à Lyon.",
        "Une pièce d'identité\nUn justificatif de domicile\nUn justificatif de vos ressources\n"
        "Les informations sur la personne accueillie",
        "30 € en timbre fiscal",
        "Environ un mois",
    ),
    "legalisation_signature": (
        "Faire certifier votre signature sur un document, par exemple pour une démarche à l'étranger.",
        "Les personnes qui habitent à Lyon.",
        "Une pièce d'identité\nLe document à signer (ne le signez pas avant)",
        "Gratuit",
        "Sur place, le jour même",
    ),
    "pacs": (
        "Enregistrer un pacte civil de solidarité (PACS) avec votre partenaire, en mairie et sur "
        "rendez-vous.",
        "Deux personnes majeures qui habitent ensemble à Lyon.",
        "Les pièces d'identité des deux partenaires\nLes actes de naissance de moins de 3 mois\n"
        "La convention de PACS signée\nLa déclaration conjointe (formulaire Cerfa)",
        "Gratuit",
        "Rendez-vous selon les disponibilités",
    ),
    "mariage": (
        "Déposer votre dossier de mariage à la mairie et choisir la date de la cérémonie.",
        "Les futurs époux dont l'un habite à Lyon, ou dont un parent y habite.",
        "Les pièces d'identité des futurs époux\nLes actes de naissance de moins de 3 mois\n"
        "Un justificatif de domicile\nLes informations sur les témoins",
        "Gratuit",
        "Dossier à déposer plusieurs semaines avant la date",
    ),
    "inscription_scolaire": (
        "Inscrire votre enfant à l'école maternelle ou élémentaire publique de votre secteur.",
        "Les parents ou la personne qui a la charge de l'enfant.",
        "Le livret de famille ou l'acte de naissance de l'enfant\nUn justificatif de domicile\n"
        "Le carnet de santé (vaccinations)",
        "Gratuit",
        "Inscriptions au printemps pour la rentrée",
    ),
    "periscolaire_restauration": (
        "Inscrire votre enfant à la cantine et aux activités avant et après l'école. Le prix dépend "
        "de vos revenus (quotient familial) : pensez à le faire calculer.",
        "Les parents d'un enfant inscrit dans une école publique de Lyon.",
        "Votre numéro d'allocataire CAF ou votre dernier avis d'imposition\nUn justificatif de domicile",
        "Selon le quotient familial",
        "Quelques jours",
    ),
    "place_creche": (
        "Demander une place en crèche municipale pour votre enfant. Une commission attribue les "
        "places plusieurs fois par an.",
        "Les parents qui habitent à Lyon, dès le 6e mois de grossesse.",
        "Une pièce d'identité\nUn justificatif de domicile\nVotre numéro d'allocataire CAF",
        "Selon vos revenus",
        "Réponse après la commission d'attribution",
    ),
    "occupation_domaine_public": (
        "Demander l'autorisation d'occuper la rue ou le trottoir : déménagement, travaux, terrasse.",
        "Les particuliers, entreprises et commerçants.",
        "Une pièce d'identité ou un extrait Kbis\nL'adresse et les dates\nUn plan si besoin",
        "Selon la durée et la surface",
        "Faites la demande au moins 15 jours avant",
    ),
    "concession_funeraire": (
        "Acheter ou renouveler une concession (un emplacement) dans un cimetière de Lyon.",
        "Les familles et les personnes qui ont droit à une sépulture à Lyon.",
        "Une pièce d'identité\nL'acte de concession, pour un renouvellement\nUn justificatif du lien familial",
        "Selon la durée de la concession",
        "Sur rendez-vous",
    ),
    "salle_municipale": (
        "Réserver une salle municipale pour une réunion ou une activité de votre association.",
        "Les associations déclarées.",
        "Les statuts de l'association\nUne attestation d'assurance\nLes dates et le nombre de personnes",
        "Gratuit ou payant selon la salle",
        "Réponse en quelques semaines",
    ),
}


def _lieux_guichet(code: str) -> list[Lieu]:
    mairies = list(Lieu.objects.filter(type=TypeLieu.MAIRIE, is_active=True))
    if code == "titres_identite":
        mairies += list(Lieu.objects.filter(type=TypeLieu.HOTEL_DE_VILLE, is_active=True))
    return mairies


@transaction.atomic
def load(stdout=None) -> None:
    """Create or update the indicative e-services and their four alternatives, then publish them."""
    directions = {d.sigle: d for d in Direction.objects.all()}
    count = 0
    for row in read_csv("demarches-indicatives.csv"):
        code = row["code"]
        description, qui_peut, pieces, cout, delai = TEXTES.get(code, ("", "", "", "", ""))
        rdv = row["rendez_vous_guichet"].lower() == "oui"
        textes = {
            "titre": row["titre"],
            "description": description,
            "qui_peut": qui_peut,
            "pieces": pieces,
            "cout": cout,
            "delai": delai,
        }
        demarche, created = Demarche.objects.get_or_create(
            code=code,
            defaults={
                "slug": slugify(code.replace("_", "-"))[:80],
                **textes,
                **traductions_de(Demarche, textes),
                "url_en_ligne": URL_SERVICE_PUBLIC,
                "categorie": row["categorie"],
                "direction": directions.get(DIRECTIONS.get(row["categorie"], "")),
                "rendez_vous_guichet": rdv,
                "is_indicative": True,
                "texte_facile": TEXTES_FACILES.get(code, ""),
            },
        )
        count += 1
        if not created and not demarche.texte_facile and TEXTES_FACILES.get(code):
            demarche.texte_facile = TEXTES_FACILES[code]
            demarche.save(update_fields=["texte_facile"])
        if not created or demarche.alternatives.exists():
            continue
        textes = {"horaires": HORAIRES_GUICHET, "precisions": row["note"]}
        guichet = Alternative.objects.create(
            demarche=demarche,
            type=TypeAlternative.GUICHET,
            avec_rendez_vous=rdv,
            **textes,
            **traductions_de(Alternative, textes),
            ordre=1,
        )
        guichet.lieux.set(_lieux_guichet(code))
        textes = {"horaires": settings.LYON_EN_DIRECT_HOURS}
        Alternative.objects.create(
            demarche=demarche,
            type=TypeAlternative.TELEPHONE,
            **textes,
            **traductions_de(Alternative, textes),
            ordre=2,
        )
        Alternative.objects.create(
            demarche=demarche,
            type=TypeAlternative.RAPPEL,
            ordre=3,
        )
        Alternative.objects.create(
            demarche=demarche,
            type=TypeAlternative.COURRIER,
            adresse_postale=f"Ville de Lyon, {settings.CITY_POSTAL_ADDRESS}",
            ordre=4,
        )
        demarche.is_published = True
        demarche.save(update_fields=["is_published", "updated_at"])
    if stdout:
        stdout.write(f"Démarches : {count} démarches indicatives avec leurs alternatives.")
