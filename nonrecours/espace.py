"""Presence of the observatory in the portal: no main-menu entry (the menu is crowded), a site-map
entry for the public statistics, and staff tiles by role."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pacte.espace import Lien
from pacte.roles import Role, has_role

NAV: list[tuple[str, str]] = []
PLAN = [(_("Observatoire du non-recours aux droits"), "nonrecours:statistiques")]

SECTION = "Non-recours aux droits"


def liens(user) -> list[Lien]:
    tiles: list[Lien] = []
    if has_role(user, Role.AGENT, Role.ECRIVAIN, Role.MEDIATEUR, Role.ANALYSTE):
        tiles.append(
            Lien(
                "Signaler une situation de non-recours",
                reverse("nonrecours:signaler"),
                "30 secondes, sans le nom de la personne.",
                SECTION,
            )
        )
        tiles.append(
            Lien(
                "Mes signalements",
                reverse("nonrecours:mes_signalements"),
                "Indiquer si le droit a finalement été ouvert.",
                SECTION,
            )
        )
    if has_role(user, Role.ANALYSTE):
        tiles.append(
            Lien(
                "Analyse du non-recours",
                reverse("nonrecours:analyse"),
                "Chiffres bruts, export tracé, catalogue des droits.",
                SECTION,
            )
        )
    return tiles
