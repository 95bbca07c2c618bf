"""The booking engine in the portal: tiles for agents (no public menu entry: démarches owns it)."""

from __future__ import annotations

from django.urls import reverse

from pacte.espace import Lien
from pacte.roles import Role, has_role

NAV: list = []
PLAN: list = []


def liens(user) -> list[Lien]:
    if not has_role(user, Role.AGENT, Role.ECRIVAIN, Role.ADMIN):
        return []
    return [
        Lien(
            "Planning du jour",
            reverse("booking:planning"),
            "Les rendez-vous du jour : arrivé, absent, annulé ; liste à imprimer.",
            "Rendez-vous",
        ),
        Lien(
            "Réserver pour un usager",
            reverse("booking:agent_accueil"),
            "Au téléphone ou au guichet, y compris sur les places réservées aux agents ; retrouver un rendez-vous.",
            "Rendez-vous",
        ),
        Lien(
            "Listes d'attente",
            reverse("booking:attente_agent"),
            "Inscrire un appelant quand tout est complet ; appeler les personnes à qui une place est proposée.",
            "Rendez-vous",
        ),
        Lien(
            "Mon agenda dans mon calendrier",
            reverse("booking:agent_calendrier"),
            "Voir mes rendez-vous dans Outlook, Google Agenda, Thunderbird ou sur mon téléphone.",
            "Rendez-vous",
        ),
    ]


def statuts_pour_partenaire(objet_type: str, ids: list[str]) -> dict[str, str]:
    """The status in words of the appointments a partner booked (`pacte.partenaires`)."""
    from .models import Reservation

    if objet_type != Reservation._meta.label_lower:
        return {}
    rows = Reservation.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).only("pk", "statut")
    return {str(r.pk): r.get_statut_display() for r in rows}
