"""Read side of the observatory (scoped querysets)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Observation

SUIVI_JOURS = 180


def observations_of(user):
    """The observations `user` recorded in the last SUIVI_JOURS days (the only ones they may follow up)."""
    since = timezone.localdate() - dt.timedelta(days=SUIVI_JOURS)
    return (
        Observation.objects.filter(recorded_by=user, observed_on__gte=since)
        .select_related("arrondissement")
        .prefetch_related("dispositifs")
        .order_by("-created_at", "-id")
    )
