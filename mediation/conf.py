"""Settings of the médiation app, read with defaults (override them in the environment's settings)."""

from django.conf import settings


def _get(name, default):
    return getattr(settings, name, default)


def delai_accuse_jours() -> int:
    """Business days to acknowledge a saisine."""
    return int(_get("MEDIATION_DELAI_ACCUSE_JOURS", 2))


def delai_reponse_jours() -> int:
    """Business days to give the requester an answer (admissibility or outcome)."""
    return int(_get("MEDIATION_DELAI_REPONSE_JOURS", 30))


def delai_position_jours() -> int:
    """Business days a direction has to answer a request for position."""
    return int(_get("MEDIATION_DELAI_POSITION_JOURS", 15))


def relance_intervalle_jours() -> int:
    """Calendar days between two reminders of an overdue request for position."""
    return int(_get("MEDIATION_RELANCE_INTERVALLE_JOURS", 5))


def retention_annees() -> int:
    """Years after closure before a case is anonymised (default 5)."""
    return int(_get("MEDIATION_RETENTION_ANNEES", 5))


def lien_suivi_jours() -> int:
    """Days the requester's follow-up link stays valid after the last activity."""
    return int(_get("MEDIATION_LIEN_SUIVI_JOURS", 400))


def max_fichiers() -> int:
    return int(_get("MEDIATION_MAX_FICHIERS", 5))


def max_taille() -> int:
    return int(_get("MEDIATION_MAX_TAILLE", 5 * 1024 * 1024))


def mediateur_email() -> str:
    return _get("MEDIATEUR_EMAIL", "mediateur@mairie-lyon.fr")


def mediateur_adresse() -> str:
    return _get("MEDIATEUR_ADDRESS", "Médiateur de la Ville de Lyon, Hôtel de Ville, 69205 Lyon Cedex 01")


def site_url() -> str:
    return _get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
