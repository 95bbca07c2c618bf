"""Who may manage which action: the pilot direction's référents, and administrators."""

from __future__ import annotations

from pacte.roles import Role, has_role, profil_of

from .models import Action


def can_manage_pacte(user) -> bool:
    """Access to the tracker's back office at all."""
    return has_role(user, Role.REFERENT, Role.ADMIN)


def can_import_actions(user) -> bool:
    """CSV import and export of the whole list are for administrators."""
    return has_role(user, Role.ADMIN)


def actions_visible_to(user):
    """Actions the user may update: all for an administrator, their direction's for a référent."""
    qs = Action.objects.select_related("orientation", "axe", "direction")
    if has_role(user, Role.ADMIN):
        return qs
    if has_role(user, Role.REFERENT):
        direction = profil_of(user).direction
        return qs.filter(direction=direction) if direction else qs.none()
    return qs.none()
