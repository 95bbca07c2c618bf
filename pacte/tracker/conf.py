"""Settings of the tracker, with defaults (override in settings or the environment)."""

from django.conf import settings


def abonnements_max_par_heure() -> int:
    """How many subscription requests one IP address may make per hour."""
    return getattr(settings, "TRACKER_ABONNEMENTS_MAX_PAR_HEURE", 5)


def import_max_octets() -> int:
    return getattr(settings, "TRACKER_IMPORT_MAX_OCTETS", 1_000_000)


def client_ip_header() -> str:
    """The request.META key holding the client's address (behind a proxy: e.g. "HTTP_X_REAL_IP")."""
    return getattr(settings, "TRACKER_CLIENT_IP_HEADER", "REMOTE_ADDR")
