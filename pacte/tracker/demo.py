"""Demo data for the Pacte tracker (development only): statuses, pilots, milestones, measures.

Milestones backed by a public source carry its link. Everything invented for the demonstration says
so in its public text: « (exemple de démonstration) ». Safe to run twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from pacte.demo import demo_user
from pacte.models import Direction
from pacte.roles import Role

from .enums import Statut
from .models import Action, IndicateurSaisi, Jalon, MesureIndicateur
from .services import action_save

DEMO = " (exemple de démonstration)"

# code: (direction sigle, statut, avancement, debut, cible, partenaires)
ETATS = {
    "A1": ("DPC", Statut.EN_COURS, 60, "2022-09-01", "2026-12-31", ""),
    "A2": ("CCAS", Statut.EN_COURS, 70, "2023-01-01", "2026-06-30", "Associations d'écrivains publics"),
    "A3": ("DPC", Statut.EN_COURS, 40, "2023-03-01", "2026-12-31", ""),
    "A4": ("DPC", Statut.EN_COURS, 50, "2023-01-01", "2026-12-31", "Aidants Connect (État)"),
    "A8": ("DPC", Statut.EN_COURS, 30, "2023-06-01", "2027-06-30", ""),
    "A12": ("DDT", Statut.EN_COURS, 65, "2024-02-15", "2026-12-31", "Mairies d'arrondissement"),
    "A13": ("CCAS", Statut.EN_COURS, 35, "2024-01-01", "2027-12-31", ""),
    "P1": ("DDT", Statut.EN_COURS, 50, "2022-09-01", "2026-12-31", "Mairies d'arrondissement"),
    "P2": ("DDT", Statut.REALISEE, 100, "2024-01-01", "2024-12-31", "Mairies d'arrondissement"),
    "D1": ("DDT", Statut.REALISEE, 100, "2023-01-19", "2023-12-31", ""),
    "D2": ("DDT", Statut.EN_COURS, 50, "2024-01-01", "2026-12-31", "Conseil municipal"),
    "D3": ("DDT", Statut.EN_COURS, 60, "2022-10-01", "2026-12-31", ""),
}

# code: [(date, titre, note, preuve_url)] — sourced facts first, invented ones marked DEMO.
JALONS = {
    "A12": [
        (
            "2024-02-15",
            "Premières permanences d'écrivains publics et numériques en mairie",
            "Les permanences ouvrent dans les mairies du 3e et du 5e arrondissement, au titre du Pacte.",
            "https://www.lyonmag.com/article/135104/lyon-des-permanences-d-ecrivains-publics-et-numeriques-pour-aider-aux-demarches-administratives",
        ),
        (
            "2026-03-02",
            "Ouverture d'une permanence dans le 7e arrondissement",
            "Une permanence par semaine." + DEMO,
            "",
        ),
    ],
    "P2": [
        (
            "2024-01-15",
            "Permanences de la médiatrice dans les 9 mairies d'arrondissement",
            "La médiatrice reçoit sans rendez-vous dans chaque mairie d'arrondissement.",
            "https://www.lyoncapitale.fr/actualite/lyon-des-permanences-de-mediation-pour-regler-des-litiges-ou-contester-une-decision",
        ),
    ],
    "D1": [
        (
            "2023-01-19",
            "Le conseil municipal crée la médiation de la Ville",
            "Délibération sur la création d'un médiateur ou d'une médiatrice de la Ville de Lyon.",
            "https://lyonencommun-elus.fr/conseil-municipal/le-mediateur-de-la-ville-permettra-de-renouer-le-dialogue-entre-les-usagers-et-la-collectivite",
        ),
    ],
    "D3": [
        (
            "2022-10-01",
            "Lancement de la démarche « À votre écoute »",
            "Enquêtes auprès des usagers et des agents sur les services du quotidien.",
            "https://www.lyoncapitale.fr/actualite/a-votre-ecoute-la-ville-de-lyon-veut-ameliorer-ses-services-publics",
        ),
    ],
    "A1": [
        (
            "2025-06-30",
            "Inventaire des démarches en ligne de la Ville",
            "Chaque démarche en ligne est recensée avec son alternative." + DEMO,
            "",
        ),
        (
            "2026-09-15",
            "Affichage de l'alternative sur chaque démarche du portail",
            "Guichet, téléphone ou rappel : indiqué sur chaque fiche." + DEMO,
            "",
        ),
    ],
    "A2": [
        (
            "2025-01-10",
            "Convention avec une association d'écrivains publics",
            "Permanences hebdomadaires en bibliothèque." + DEMO,
            "",
        ),
    ],
    "D2": [
        (
            "2025-11-20",
            "Présentation du rapport annuel de la médiation au conseil municipal",
            "Rapport et propositions d'amélioration." + DEMO,
            "",
        ),
    ],
}

# code: (titre, unite, [(date, cible, realise)])
MESURES = {
    "A12": (
        "Mairies d'arrondissement accueillant une permanence d'écrivain public",
        "mairies",
        [("2024-06-30", 3, 2), ("2025-06-30", 5, 3), ("2026-06-30", 9, 5)],
    ),
    "D3": (
        "Enquêtes « À votre écoute » menées",
        "enquêtes",
        [("2023-12-31", 2, 2), ("2024-12-31", 4, 3), ("2025-12-31", 6, 5)],
    ),
}


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


@transaction.atomic
def seed(*, scale: int = 1, stdout=None) -> None:
    """Statuses and pilots (only on untouched actions), milestones, manual indicators, a référent."""
    directions = {d.sigle: d for d in Direction.objects.all()}
    for code, (sigle, statut, avancement, debut, cible, partenaires) in ETATS.items():
        action = Action.objects.filter(code=code).first()
        if action is None or action.direction_id or action.statut != Statut.A_ENGAGER:
            continue
        action.direction = directions.get(sigle)
        action.avancement = avancement
        action.debut_on, action.cible_on = _date(debut), _date(cible)
        action.partenaires = partenaires
        action_save(action=action, actor=None, message="Données de démonstration", statut=statut)
    for code, jalons in JALONS.items():
        action = Action.objects.filter(code=code).first()
        if action is None:
            continue
        for date, titre, note, preuve in jalons:
            Jalon.objects.get_or_create(
                action=action,
                titre=titre,
                defaults={"date_on": _date(date), "note": note, "preuve_url": preuve},
            )
    for code, (titre, unite, rows) in MESURES.items():
        action = Action.objects.filter(code=code).first()
        if action is None:
            continue
        indicateur, _ = IndicateurSaisi.objects.get_or_create(
            action=action,
            titre=titre,
            defaults={"unite": unite, "description": "Cible et valeurs" + DEMO + "."},
        )
        for date, cible, realise in rows:
            MesureIndicateur.objects.get_or_create(
                indicateur=indicateur,
                periode_on=_date(date),
                defaults={"cible": Decimal(cible), "realise": Decimal(realise)},
            )
    demo_user(
        "referent-ddt",
        "demo-referent-ddt-2026",
        "Julie",
        "Morel",
        Role.REFERENT,
        direction=directions.get("DDT"),
    )
    if stdout:
        stdout.write(
            "Pacte : statuts, jalons et indicateurs de démonstration ; référent DDT : referent-ddt / demo-referent-ddt-2026"
        )
