"""How the annual report appears in « Mon espace »."""

from __future__ import annotations

from django.urls import reverse

from pacte.espace import Lien
from pacte.roles import Role, has_role


def liens(user) -> list[Lien]:
    links = []
    if has_role(user, Role.MEDIATEUR):
        links.append(
            Lien(
                "Rapports annuels",
                reverse("rapport:liste"),
                "Préparer le rapport au conseil municipal, générer le PDF, le publier.",
                "Médiation",
            )
        )
    if has_role(user, Role.CONSEILLER):
        links.append(
            Lien(
                "Rapports au conseil",
                reverse("rapport:conseil"),
                "Lire les rapports annuels publiés par le médiateur.",
                "Conseil municipal",
            )
        )
    return links
