"""How the Pacte tracker appears in the portal's menu, site map and staff home."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pacte.espace import Lien
from pacte.roles import Role, has_role

NAV = [(_("Le Pacte"), "tracker:accueil")]
NAV_RANG = 40

PLAN = [
    (_("Le Pacte en un coup d'œil"), "tracker:accueil"),
    (_("Toutes les actions du Pacte"), "tracker:liste"),
    (_("Historique des changements du Pacte"), "tracker:historique"),
]


def liens(user) -> list[Lien]:
    links = []
    if has_role(user, Role.REFERENT, Role.ADMIN):
        links.append(
            Lien(
                "Suivi des actions du Pacte",
                reverse("tracker:gestion"),
                "Mettre à jour le statut, l'avancement, les jalons et les indicateurs de vos actions.",
                "Pacte",
            )
        )
    if has_role(user, Role.ADMIN):
        links.append(
            Lien(
                "Importer ou exporter les actions (CSV)",
                reverse("tracker:gestion_import"),
                "Charger la liste officielle des actions du Pacte, avec un contrôle ligne par ligne.",
                "Pacte",
            )
        )
    return links
