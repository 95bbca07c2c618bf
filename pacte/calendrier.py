"""Business days with French public holidays (the `holidays` package), for every deadline."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.France(years=year).keys())


def is_holiday(day: dt.date) -> bool:
    return day in _holidays_for(day.year)


def holiday_name(day: dt.date) -> str | None:
    return holidays.France(years=day.year).get(day)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def add_business_days(start: dt.date, days: int) -> dt.date:
    """The date `days` business days after `start` (Saturdays, Sundays and holidays skipped)."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after `start` up to and including `end` (0 if end <= start)."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count
