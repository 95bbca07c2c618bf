"""Presence of the écrivains publics module in the portal's menus and the staff home."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pacte.espace import Lien
from pacte.roles import Role, has_role

NAV = [(_("Écrivains publics"), "ecrivains:recherche")]
NAV_RANG = 20
PLAN = [(_("Trouver un écrivain public"), "ecrivains:recherche")]


def liens(user) -> list[Lien]:
    section = "Écrivains publics"
    links = []
    if has_role(user, Role.ECRIVAIN, Role.ADMIN):
        links.append(
            Lien(
                "Mes permanences",
                reverse("ecrivains:mon_espace"),
                "Rendez-vous du jour, passages sans rendez-vous, fiches de séance.",
                section,
            )
        )
    if has_role(user, Role.AGENT, Role.ECRIVAIN, Role.COORDINATION, Role.ADMIN):
        links.append(
            Lien(
                "Listes d'attente des écrivains publics",
                reverse("ecrivains:liste_attente"),
                "Inscrire une personne au téléphone, appeler celles à qui une place est proposée.",
                section,
            )
        )
    if has_role(user, Role.ADMIN, Role.COORDINATION, Role.ANALYSTE):
        links.append(
            Lien(
                "Coordination des permanences",
                reverse("ecrivains:coordination"),
                "Remplissage, passages, absences par lieu et par mois.",
                section,
            )
        )
    return links
