"""Presence in the portal: staff only (no public menu entry), tiles per role."""

from django.urls import reverse

from pacte.espace import Lien
from pacte.roles import Role, has_role, profil_of

NAV: list = []
PLAN: list = []
SECTION = "Demandes d'appui des arrondissements"


def liens(user) -> list[Lien]:
    found = []
    profil = profil_of(user) if has_role(user, Role.ELU, Role.REFERENT) else None
    if has_role(user, Role.ELU) and profil.arrondissement_id:
        found += [
            Lien(
                "Mes demandes d'appui",
                reverse("arrondissements:demande_list"),
                f"Les demandes du {profil.arrondissement.ordinal} arrondissement aux directions.",
                SECTION,
            ),
            Lien(
                "Nouvelle demande",
                reverse("arrondissements:demande_create"),
                "Solliciter une direction.",
                SECTION,
            ),
        ]
    if has_role(user, Role.REFERENT) and profil.direction_id:
        found += [
            Lien(
                "Demandes adressées à ma direction",
                reverse("arrondissements:demande_direction_list"),
                "Les demandes des élus, en retard et nouvelles d'abord.",
                SECTION,
            ),
            Lien(
                "Réponses types",
                reverse("arrondissements:reponse_type_list"),
                "Les modèles de la direction.",
                SECTION,
            ),
        ]
    if has_role(user, Role.COORDINATION):
        found.append(
            Lien(
                "Toutes les demandes d'appui",
                reverse("arrondissements:demande_list"),
                "Suivi des demandes des neuf arrondissements.",
                SECTION,
            )
        )
    if has_role(user, Role.COORDINATION, Role.ELU, Role.REFERENT):
        found.append(
            Lien(
                "Engagements tenus (rapport)",
                reverse("arrondissements:rapport"),
                "Par arrondissement et par direction, en page, CSV et PDF.",
                SECTION,
            )
        )
    return found
