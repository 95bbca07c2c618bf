"""Demo data: élus in every arrondissement, référents and managers, ~6 months of requests.

Everything here is fictional (names, requests). Safe to run twice: accounts are updated, requests
are created only when there are none.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from pacte.calendrier import add_business_days, business_days_between
from pacte.demo import demo_user
from pacte.models import Arrondissement, Direction, JournalEntry
from pacte.roles import Role
from pacte.secret_links import reference_new

from .delais import echeance_for
from .enums import Action, CanalOrigine, Categorie, Statut, Urgence
from .models import DemandeAppui, Message, ReponseType

PASSWORD = "demo-elu-2026"
PASSWORD_REFERENT = "demo-referent-2026"

# Clearly fictional élus: (first name, last name, fonction); the 6e's maire is the `elu` account.
ELUS = {
    1: [("Agathe", "Fictive-Sathonay", "maire"), ("Bruno", "Exemple-Terreaux", "adjoint")],
    2: [
        ("Céline", "Fictive-Ainay", "maire"),
        ("Damien", "Exemple-Bellecour", "adjoint"),
        ("Estelle", "Démo-Confluence", "conseiller"),
    ],
    3: [
        ("Fabrice", "Fictif-Garcin", "maire"),
        ("Gaëlle", "Exemple-Montchat", "adjoint"),
        ("Hamid", "Démo-Guillotière", "conseiller"),
    ],
    4: [("Isabelle", "Fictive-Canuts", "maire"), ("Julien", "Exemple-Plateau", "conseiller")],
    5: [
        ("Karima", "Fictive-Fourvière", "maire"),
        ("Lucas", "Exemple-Ménival", "adjoint"),
        ("Maëlle", "Démo-Saint-Just", "conseiller"),
    ],
    6: [("Nathan", "Exemple-Brotteaux", "adjoint"), ("Océane", "Démo-Tête-d-Or", "conseiller")],
    7: [("Pierre", "Fictif-Macé", "maire"), ("Quitterie", "Exemple-Gerland", "adjoint")],
    8: [
        ("Rachid", "Fictif-Mermoz", "maire"),
        ("Sarah", "Exemple-Bachut", "adjoint"),
        ("Thomas", "Démo-Monplaisir", "conseiller"),
    ],
    9: [("Ulysse", "Fictif-Duchère", "maire"), ("Valérie", "Exemple-Vaise", "conseiller")],
}

# (direction, référents [(username, first, last)], manager (username, first, last))
REFERENTS = {
    "DEV": ([("referent-dev-2", "Yasmine", "Démo-Parcs")], ("responsable-dev", "Xavier", "Fictif-Jardins")),
    "DE": ([("referent-de", "Zoé", "Démo-Écoles")], ("responsable-de", "Alain", "Fictif-Classes")),
    "DS": ([("referent-ds", "Benoît", "Démo-Stades")], ("responsable-ds", "Chloé", "Fictive-Gymnases")),
    "DC": ([("referent-dc", "Diane", "Démo-Musées")], ("responsable-dc", "Étienne", "Fictif-Théâtres")),
    "DGTB": (
        [("referent-dgtb", "Farid", "Démo-Bâtiments")],
        ("responsable-dgtb", "Ginette", "Fictive-Toitures"),
    ),
    "DPM": (
        [("referent-dpm", "Hélène", "Démo-Tranquillité")],
        ("responsable-dpm", "Igor", "Fictif-Patrouilles"),
    ),
    "DPC": ([("referent-dpc", "Jeanne", "Démo-Étatcivil")], ("responsable-dpc", "Kevin", "Fictif-Registres")),
}

SUJETS = {
    "DEV": [
        ("Arrosage du square", Categorie.ESPACES_VERTS),
        ("Arbre dangereux près de l'école", Categorie.ESPACES_VERTS),
        ("Jeux pour enfants dégradés", Categorie.EQUIPEMENTS_PROXIMITE),
        ("Tonte du parc de quartier", Categorie.ESPACES_VERTS),
    ],
    "DE": [
        ("Chauffage en panne dans une classe", Categorie.ECOLES),
        ("Sécurisation de la sortie d'école", Categorie.ECOLES),
        ("Cantine : demande de places", Categorie.ECOLES),
    ],
    "DS": [
        ("Créneaux du gymnase pour un club", Categorie.SPORT),
        ("Éclairage du terrain de proximité", Categorie.SPORT),
    ],
    "DC": [
        ("Prêt de matériel pour la fête de quartier", Categorie.EVENEMENTS),
        ("Horaires de la bibliothèque", Categorie.CULTURE),
    ],
    "DGTB": [
        ("Fuite dans la salle municipale", Categorie.BATIMENTS),
        ("Accessibilité de la mairie annexe", Categorie.BATIMENTS),
    ],
    "DPM": [
        ("Rodéos urbains le soir", Categorie.SECURITE_TRANQUILLITE),
        ("Stationnement gênant devant le marché", Categorie.SECURITE_TRANQUILLITE),
    ],
    "DPC": [("Délais des rendez-vous passeports", Categorie.ETAT_CIVIL)],
}

REPONSES_TYPES = {
    "DEV": [
        (
            "Intervention programmée",
            "Bonjour, nos équipes interviendront sur place dans les prochains jours. Nous vous tiendrons informé.",
        ),
        (
            "Hors compétence (Métropole)",
            "Bonjour, cet espace relève de la Métropole de Lyon ; nous leur avons transmis votre demande.",
        ),
    ],
    "DE": [("Intervention programmée", "Bonjour, une intervention est programmée ; l'école sera prévenue.")],
}


def _journal(at, action, actor, demande, message):
    JournalEntry.objects.create(
        at=at,
        action=f"arrondissements.demande.{action}",
        actor=actor,
        actor_label=actor.get_username() if actor else "système",
        object_type=demande._meta.label_lower,
        object_id=str(demande.pk),
        message=message,
    )


def _accounts(stdout=None):
    elus = {}
    for numero, people in ELUS.items():
        arrondissement = Arrondissement.objects.get(numero=numero)
        for index, (first, last, fonction) in enumerate(people, start=1):
            username = f"elu-{numero}-{index}" if not (numero == 6 and fonction == "maire") else "elu"
            elus.setdefault(numero, []).append(
                demo_user(
                    username,
                    PASSWORD,
                    first,
                    last,
                    Role.ELU,
                    arrondissement=arrondissement,
                    fonction_elu=fonction,
                )
            )
    from django.contrib.auth import get_user_model

    elus[6].insert(0, get_user_model().objects.get(username="elu"))
    referents = {}
    for sigle, (people, manager) in REFERENTS.items():
        direction = Direction.objects.get(sigle=sigle)
        users = [
            demo_user(u, PASSWORD_REFERENT, f, last, Role.REFERENT, direction=direction)
            for u, f, last in people
        ]
        if sigle == "DEV":
            users.insert(0, get_user_model().objects.get(username="referent"))
        boss = demo_user(
            manager[0], PASSWORD_REFERENT, manager[1], manager[2], Role.REFERENT, direction=direction
        )
        direction.responsable = boss
        direction.email = direction.email or f"{sigle.lower()}@demo.pacte.lyon.fr"
        direction.save(update_fields=["responsable", "email"])
        referents[sigle] = users
        for titre, texte in REPONSES_TYPES.get(sigle, []):
            ReponseType.objects.get_or_create(direction=direction, titre=titre, defaults={"texte": texte})
    if stdout:
        stdout.write(
            "Demandes d'appui : élus elu-<arrondissement>-<n> (mot de passe "
            f"{PASSWORD}), référents referent-<direction> et responsable-<direction> ({PASSWORD_REFERENT})."
        )
    return elus, referents


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 15)))


@transaction.atomic
def seed(*, scale: int = 1, stdout=None) -> None:
    """Create the accounts and, once, ~6 months of requests across directions."""
    elus, referents = _accounts(stdout)
    if DemandeAppui.objects.exists():
        return
    rng = random.Random(6)
    today = timezone.localdate()
    directions = {s: Direction.objects.get(sigle=s) for s in REFERENTS}
    count = 0
    for numero, people in elus.items():
        arrondissement = people[0].profil.arrondissement
        for _ in range(10 * scale):
            sigle = rng.choice(list(SUJETS))
            objet, categorie = rng.choice(SUJETS[sigle])
            urgence = rng.choices([Urgence.NORMALE, Urgence.PRIORITAIRE, Urgence.URGENTE], [6, 3, 1])[0]
            recue = today - dt.timedelta(days=rng.randint(0, 182))
            created = _at(recue, rng.randint(8, 18))
            auteur = rng.choice(people)
            referent = rng.choice(referents[sigle])
            demande = DemandeAppui.objects.create(
                reference=reference_new("DA"),
                arrondissement=arrondissement,
                auteur=auteur,
                objet=objet,
                categorie=categorie,
                direction=directions[sigle],
                localisation=f"{rng.randint(1, 120)} rue de l'Exemple, 6900{numero} Lyon",
                urgence=urgence,
                description="Demande fictive de démonstration : des habitants nous ont signalé la situation "
                "lors d'une permanence. Merci de nous dire ce qui peut être fait et dans quel délai.",
                canal_origine=rng.choice(list(CanalOrigine.values)),
                created_at=created,
                echeance=echeance_for(urgence, recue),
            )
            _journal(created, "creation", auteur, demande, f"Demande {demande.reference} adressée à {sigle}")
            # Outcome: late answers, on-time answers, still open (some overdue), waiting for details.
            delai = business_days_between(recue, demande.echeance)
            roll = rng.random()
            age = business_days_between(recue, today)
            if roll < 0.12 or age <= 1:
                count += 1
                continue  # still new
            prise = _at(add_business_days(recue, 1), 9)
            if prise.date() > today:
                count += 1
                continue
            demande.statut, demande.assignee = Statut.PRISE_EN_CHARGE, referent
            _journal(
                prise,
                Action.PRENDRE_EN_CHARGE,
                referent,
                demande,
                "Prendre en charge (Nouvelle → Prise en charge)",
            )
            if roll < 0.25:
                demande.save()
                count += 1
                continue  # taken in charge, maybe overdue now
            if roll < 0.35:
                question_on = add_business_days(recue, 2)
                if question_on <= today:
                    question = _at(question_on, 10)
                    demande.statut, demande.attente_depuis = Statut.EN_ATTENTE_ELU, question
                    demande.premiere_reponse_at = question
                    Message.objects.create(
                        demande=demande,
                        auteur=referent,
                        is_direction=True,
                        nature=Action.DEMANDER_PRECISIONS,
                        created_at=question,
                        texte="Pouvez-vous préciser l'adresse exacte et joindre une photo ?",
                    )
                    _journal(
                        question,
                        Action.DEMANDER_PRECISIONS,
                        referent,
                        demande,
                        "Demander des précisions à l'élu (Prise en charge → En attente de précisions de l'élu)",
                    )
                demande.save()
                count += 1
                continue
            late = roll > 0.8
            jours = delai + rng.randint(1, 6) if late else rng.randint(1, max(1, delai))
            reponse_on = add_business_days(recue, jours)
            if reponse_on > today:
                demande.save()
                count += 1
                continue
            reponse = _at(reponse_on, rng.randint(9, 17))
            demande.premiere_reponse_at = demande.resolue_at = reponse
            demande.is_dans_delai = reponse_on <= demande.echeance
            demande.statut = Statut.REPONDUE
            Message.objects.create(
                demande=demande,
                auteur=referent,
                is_direction=True,
                nature=Action.REPONDRE,
                created_at=reponse,
                texte="Bonjour, nos équipes sont intervenues. Merci pour votre signalement.",
            )
            _journal(reponse, Action.REPONDRE, referent, demande, "Répondre (Prise en charge → Répondue)")
            if rng.random() < 0.6:
                demande.statut, demande.cloturee_at = Statut.CLOTUREE, reponse + dt.timedelta(days=2)
                _journal(
                    demande.cloturee_at,
                    Action.CLOTURER,
                    referent,
                    demande,
                    "Clôturer avec une réponse (Répondue → Clôturée)",
                )
            demande.save()
            count += 1
    if stdout:
        stdout.write(f"Demandes d'appui de démonstration : {count}")
