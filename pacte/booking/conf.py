"""Settings of the booking engine, read from django.conf.settings with defaults (not in settings.py)."""

from django.conf import settings


def token_days_after() -> int:
    """Days after the appointment during which the secret link still works."""
    return getattr(settings, "BOOKING_TOKEN_DAYS_AFTER", 7)


def retention_days() -> int:
    """Days after the appointment before names and contact details are erased."""
    return getattr(settings, "BOOKING_RETENTION_DAYS", 90)


def identity_max_attempts() -> int:
    """Failed identity checks allowed per secret link and per hour."""
    return getattr(settings, "BOOKING_IDENTITY_MAX_ATTEMPTS", 5)


def weeks_shown() -> int:
    return getattr(settings, "BOOKING_WEEKS_SHOWN", 1)
