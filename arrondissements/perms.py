"""Who may see and do what with demandes d'appui (pure predicates; scope by querysets → 404)."""

from __future__ import annotations

from pacte.roles import Role, has_role, profil_of

from .workflows import DIRECTION, ELU, actions_for, side_of


def can_file_demande(user) -> bool:
    """Élus attached to an arrondissement file requests."""
    return has_role(user, Role.ELU) and profil_of(user).arrondissement_id is not None


def can_use_inbox(user) -> bool:
    """Référents attached to a direction have a direction inbox."""
    return has_role(user, Role.REFERENT) and profil_of(user).direction_id is not None


def can_view_rapport(user) -> bool:
    """Coordination, élus and référents read the commitments report."""
    return has_role(user, Role.COORDINATION, Role.ELU, Role.REFERENT)


def can_post_message(user, demande) -> bool:
    """Both sides write in the thread while the request is not closed."""
    return side_of(user, demande) in (DIRECTION, ELU) and demande.statut != "cloturee"


def can_manage_reponses_types(user, direction) -> bool:
    """Référents of a direction edit that direction's canned replies."""
    return can_use_inbox(user) and profil_of(user).direction_id == direction.pk


def abilities(user, demande) -> dict:
    """Everything the detail page needs to know about what `user` may do on `demande`."""
    return {
        "side": side_of(user, demande),
        "actions": actions_for(user, demande),
        "message": can_post_message(user, demande),
    }
