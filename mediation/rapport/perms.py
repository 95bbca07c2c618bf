"""Who may do what with the annual report (pure predicates)."""

from __future__ import annotations

from pacte.roles import Role, has_role

from .enums import StatutVersion


def can_prepare_rapport(user) -> bool:
    """The médiateur team prepares, generates and publishes reports."""
    return has_role(user, Role.MEDIATEUR)


def can_read_rapports_conseil(user) -> bool:
    """Conseillers municipaux (and the médiateur team) read the published reports."""
    return has_role(user, Role.CONSEILLER, Role.MEDIATEUR)


def can_download_version(user, version) -> bool:
    """The team downloads every ready version; conseillers only the published one."""
    if version.statut != StatutVersion.PRET or not version.fichier:
        return False
    if has_role(user, Role.MEDIATEUR):
        return True
    return version.is_published and has_role(user, Role.CONSEILLER)
