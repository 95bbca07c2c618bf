"""Settings of the écrivains publics module, read with defaults (not in pacte/settings.py)."""

from django.conf import settings


def offre_validite_heures() -> float:
    """How long a waiting-list offer link stays valid (hours)."""
    return getattr(settings, "ECRIVAINS_OFFRE_VALIDITE_HEURES", 2)


def recherche_jours() -> int:
    """How many days ahead the public finder looks for the next free slot."""
    return getattr(settings, "ECRIVAINS_RECHERCHE_JOURS", 60)
