"""Response commitments: the deadline of a request, on business days (French public holidays)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from pacte.calendrier import add_business_days, business_days_between

from .models import Engagement


def engagements() -> dict[str, tuple[int, int]]:
    """{urgence: (business days to answer, reminder days before)}: Engagement rows over the defaults."""
    found = {
        urgence: (jours, settings.ARRONDISSEMENTS_RAPPEL_JOURS)
        for urgence, jours in settings.ARRONDISSEMENTS_DELAIS.items()
    }
    for row in Engagement.objects.all():
        found[row.urgence] = (row.jours_ouvres, row.rappel_jours_avant)
    return found


def echeance_for(urgence: str, recue_le: dt.date) -> dt.date:
    """The last day to answer a request of `urgence` received on `recue_le`.

    Day 1 is the first business day after reception (a request received on a Friday evening or a
    Saturday with a 2-day commitment is due on Tuesday); weekends and French holidays are skipped.
    """
    jours, _ = engagements()[urgence]
    return add_business_days(recue_le, jours)


def echeance_prolongee(echeance: dt.date, attente_depuis: dt.date, reprise_le: dt.date) -> dt.date:
    """Push the deadline by the business days spent waiting for the élu's details (the clock pauses)."""
    return add_business_days(echeance, business_days_between(attente_depuis, reprise_le))


def jours_ouvres_entre(debut: dt.date, fin: dt.date) -> int:
    return business_days_between(debut, fin)
