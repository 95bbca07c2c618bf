"""Parsing untrusted dates, slots and numbers from URLs, query strings and forms, within bounds.

A value a person could not mean (year 9999, year 1) is refused here, at parse time, rather than
overflowing later in date arithmetic (`9999-12-31 + 1 day` raises OverflowError, a 500). Every
date the portal reads from a request goes through this module: the `creneau` URL converter (a
bad value is a 404, the URL does not exist), `parse_date` / `parse_slot` / `parse_int` for query
strings and posted values, and `pacte.forms.DateField` (same bounds) for forms.
"""

from __future__ import annotations

import datetime as dt

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2199, 12, 31)
SLOT_FORMAT = "%Y-%m-%dT%H:%M"


def in_bounds(day: dt.date) -> bool:
    """True when the date is one the portal can compute with (DATE_MIN..DATE_MAX)."""
    return DATE_MIN <= day <= DATE_MAX


def parse_date(value: str | None) -> dt.date | None:
    """An ISO date (YYYY-MM-DD) within bounds, or None for anything else."""
    if not value or not isinstance(value, str) or len(value) > 10:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if in_bounds(day) else None


def parse_slot(value: str | None) -> dt.datetime | None:
    """A naive slot start `YYYY-MM-DDTHH:MM` within bounds, or None for anything else."""
    if not value or not isinstance(value, str) or len(value) > 16:
        return None
    try:
        start = dt.datetime.strptime(value, SLOT_FORMAT)
    except ValueError:
        return None
    return start if in_bounds(start.date()) else None


def parse_int(value, default: int = 0, lo: int = 0, hi: int = 52) -> int:
    """An integer clamped to lo..hi; `default` for anything that is not a short integer."""
    if value is None or len(str(value)) > 12:
        return default
    try:
        return max(lo, min(hi, int(value)))
    except (TypeError, ValueError):
        return default


class SlotConverter:
    """`<creneau:…>`: a slot start in the URL; out of bounds or malformed, the URL does not match."""

    regex = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"

    def to_python(self, value: str) -> str:
        if parse_slot(value) is None:
            raise ValueError(value)  # Django tries the next pattern, then answers 404
        return value

    def to_url(self, value) -> str:
        return value.strftime(SLOT_FORMAT) if isinstance(value, dt.datetime) else str(value)
