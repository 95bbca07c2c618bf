"""The médiateur in the portal's navigation, site map and staff home."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pacte.espace import Lien
from pacte.roles import Role, has_role

from .perms import direction_of_referent

NAV = [(_("Médiateur"), "mediation:accueil")]
NAV_RANG = 30
PLAN = [
    (_("Le médiateur de la Ville"), "mediation:accueil"),
    (_("Saisir le médiateur"), "mediation:saisir"),
    (_("Les propositions du médiateur"), "mediation:propositions"),
]


def liens(user) -> list[Lien]:
    links = []
    section = "Médiation"
    if has_role(user, Role.MEDIATEUR):
        links += [
            Lien(
                "Saisines du médiateur",
                reverse("mediation:saisine_list"),
                "Dossiers, délais, retards, export.",
                section,
            ),
            Lien(
                "Propositions d'amélioration",
                reverse("mediation:proposition_list"),
                "Formuler et suivre.",
                section,
            ),
        ]
    if has_role(user, Role.MEDIATEUR, Role.AGENT):
        links.append(
            Lien(
                "Enregistrer une saisine du médiateur",
                reverse("mediation:saisine_nouvelle"),
                "Demande reçue par téléphone, courrier, courriel ou en permanence.",
                section,
            )
        )
    if has_role(user, Role.REFERENT) and direction_of_referent(user) is not None:
        links.append(
            Lien(
                "Demandes du médiateur à ma direction",
                reverse("mediation:direction"),
                "Demandes de position et propositions d'amélioration à traiter.",
                section,
            )
        )
    return links
