"""Roles are Django groups with permissions. Helpers here are the only place that names them."""

from __future__ import annotations

from django.contrib.auth.models import Group


class Role:
    AGENT = "agent_accueil"
    ECRIVAIN = "ecrivain_public"
    MEDIATEUR = "mediateur"
    REFERENT = "referent_direction"
    ELU = "elu_arrondissement"
    COORDINATION = "coordination_ddt"
    ANALYSTE = "analyste_ccas"
    CONSEILLER = "conseiller_municipal"
    PARTENAIRE = "partenaire"
    ADMIN = "administrateur"


ROLE_LABELS = {
    Role.AGENT: "Agent d'accueil / téléconseiller",
    Role.ECRIVAIN: "Écrivain public",
    Role.MEDIATEUR: "Médiateur (équipe de médiation)",
    Role.REFERENT: "Référent de direction",
    Role.ELU: "Élu d'arrondissement",
    Role.COORDINATION: "Coordination des arrondissements (DDT)",
    Role.ANALYSTE: "Analyste CCAS",
    Role.CONSEILLER: "Conseiller municipal",
    Role.PARTENAIRE: "Partenaire (CCAS, association, France Services)",
    Role.ADMIN: "Administrateur",
}


def has_role(user, *roles: str) -> bool:
    """True when the authenticated `user` belongs to one of `roles` (superusers have every role)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_pacte_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._pacte_roles = cached
    return bool(cached.intersection(roles))


def roles_of(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return list(ROLE_LABELS)
    return [name for name in user.groups.values_list("name", flat=True) if name in ROLE_LABELS]


def ensure_groups() -> None:
    """Create the role groups (idempotent)."""
    for name in ROLE_LABELS:
        Group.objects.get_or_create(name=name)


def profil_of(user):
    """The staff profile (direction, arrondissement…), created empty on first access."""
    from .models import Profil

    profil = getattr(user, "_pacte_profil", None)
    if profil is None:
        profil, _ = Profil.objects.select_related("direction", "arrondissement", "lieu").get_or_create(
            user=user
        )
        user._pacte_profil = profil
    return profil
