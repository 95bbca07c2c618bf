"""The D2 indicator counts the reports published in the period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mediation.rapport.indicateurs import rapports_publies
from mediation.rapport.models import RapportAnnuel, VersionRapport

pytestmark = pytest.mark.django_db


def test_published_reports_are_counted_in_their_period():
    """Two reports published (one in 2025, one in 2026), one draft: 2 overall, 1 in 2026."""
    tz = timezone.get_current_timezone()
    for annee, published in (
        (2024, dt.datetime(2025, 3, 1, tzinfo=tz)),
        (2025, dt.datetime(2026, 3, 1, tzinfo=tz)),
    ):
        rapport = RapportAnnuel.objects.create(annee=annee)
        VersionRapport.objects.create(
            rapport=rapport,
            numero=1,
            statut="pret",
            demande_cle=f"{annee}".ljust(32, "0"),
            is_published=True,
            published_at=published,
        )
        VersionRapport.objects.create(
            rapport=rapport, numero=2, statut="pret", demande_cle=f"{annee}".ljust(32, "1")
        )
    RapportAnnuel.objects.create(annee=2026)
    assert rapports_publies() == 2
    assert rapports_publies(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 1
