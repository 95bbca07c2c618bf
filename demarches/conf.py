"""App settings, read from Django settings with defaults (settings.py is not edited by the app)."""

from django.conf import settings


def rappel_delai_jours_ouvres() -> int:
    """The callback promise, in business days (« rappel sous 2 jours ouvrés »)."""
    return int(getattr(settings, "RAPPEL_DELAI_JOURS_OUVRES", 2))


def rappel_tentatives_max() -> int:
    """Failed call attempts after which the fallback (SMS or letter) is triggered."""
    return int(getattr(settings, "RAPPEL_TENTATIVES_MAX", 3))


def lyon_en_direct_phone() -> str:
    return getattr(settings, "LYON_EN_DIRECT_PHONE", "04 72 10 30 30")


def lyon_en_direct_hours() -> str:
    return getattr(settings, "LYON_EN_DIRECT_HOURS", "du lundi au vendredi de 8 h 30 à 17 h")


def adresse_postale() -> str:
    return getattr(
        settings, "DEMARCHES_ADRESSE_POSTALE", "Ville de Lyon, Hôtel de Ville, 69205 Lyon Cedex 01"
    )


def difficulte_limite_par_heure() -> int:
    return int(getattr(settings, "DEMARCHES_DIFFICULTE_PAR_HEURE", 20))
