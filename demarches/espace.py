"""The démarches app in the portal: public menu, site map and staff tiles."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pacte.espace import Lien
from pacte.roles import Role, has_role

NAV = [(_("Démarches"), "demarches:catalogue")]
NAV_RANG = 10

PLAN = [
    (_("Démarches : trouver de l'aide humaine"), "demarches:catalogue"),
    (_("Notre engagement : une alternative pour chaque démarche en ligne"), "demarches:engagement"),
    (_("Demander à être rappelé"), "demarches:rappel_demande"),
]


def liens(user) -> list[Lien]:
    tiles = []
    if has_role(user, Role.AGENT, Role.ADMIN):
        tiles.append(
            Lien(
                "File des rappels",
                reverse("demarches:rappel_file"),
                "Rappeler les personnes qui l'ont demandé, noter chaque appel.",
                "Démarches",
            )
        )
        tiles.append(
            Lien(
                "Enregistrer une demande de rappel",
                reverse("demarches:rappel_agent_nouvelle"),
                "Pour une personne au téléphone ou au guichet.",
                "Démarches",
            )
        )
    if has_role(user, Role.AGENT, Role.ADMIN, Role.COORDINATION, Role.ANALYSTE, Role.CONSEILLER):
        tiles.append(
            Lien(
                "Promesse de rappel tenue",
                reverse("demarches:rappel_engagement"),
                "Part des rappels faits dans le délai promis.",
                "Démarches",
            )
        )
    return tiles


def statuts_pour_partenaire(objet_type: str, ids: list[str]) -> dict[str, str]:
    """The status in words of the callback requests a partner made (`pacte.partenaires`)."""
    from .models import DemandeRappel

    if objet_type != DemandeRappel._meta.label_lower:
        return {}
    rows = DemandeRappel.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).only("pk", "statut")
    return {str(r.pk): r.get_statut_display() for r in rows}
