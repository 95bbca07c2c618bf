"""Who may do what in médiation. Pure predicates; object scope is in selectors (404 outside)."""

from __future__ import annotations

from pacte.roles import Role, has_role, profil_of


def is_equipe(user) -> bool:
    """The médiateur team: the only people who see case files."""
    return has_role(user, Role.MEDIATEUR)


def can_create_saisine_agent(user) -> bool:
    """Agents (phone line, counters) and the team enter saisines received by phone, letter, email, permanence."""
    return has_role(user, Role.MEDIATEUR, Role.AGENT)


def direction_of_referent(user):
    """The direction of a référent, or None (not a référent, or no direction on the profile)."""
    if not has_role(user, Role.REFERENT):
        return None
    return profil_of(user).direction


def can_answer_demande(user, demande) -> bool:
    """The référent of the addressed direction, or the team (recording an answer received by mail)."""
    if demande.repondue_at is not None:
        return False
    if is_equipe(user):
        return True
    direction = direction_of_referent(user)
    return direction is not None and direction.pk == demande.direction_id


def can_answer_proposition(user, proposition) -> bool:
    """The référent of the addressed direction, or the team."""
    if is_equipe(user):
        return True
    direction = direction_of_referent(user)
    return direction is not None and direction.pk == proposition.direction_id
