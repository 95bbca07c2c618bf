"""Call times that count for the callback line (inside its half-days, spaced), for tests (#15.6)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pacte.calendrier import is_business_day

HEURES = (dt.time(9), dt.time(11, 30), dt.time(14), dt.time(16, 30))  # 2 h 30 apart, default hours


def appels(n: int, jour: dt.date = dt.date(2026, 12, 1)) -> list[dt.datetime]:
    """`n` (≤ 4) call times on the first business day from `jour`, each counting as an attempt."""
    while not is_business_day(jour):
        jour += dt.timedelta(days=1)
    return [timezone.make_aware(dt.datetime.combine(jour, heure)) for heure in HEURES[:n]]
