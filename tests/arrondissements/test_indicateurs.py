"""Tracker indicators of action P1 computed from a small dataset."""

import datetime as dt

import pytest
import time_machine

from arrondissements.indicateurs import INDICATEURS, mediane_premiere_reponse, part_dans_delai

pytestmark = pytest.mark.django_db


def test_indicators_equal_expected_values(make_demande):
    """Share within commitment = 2/3 assessable; median first response = 1 day."""
    c = dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)
    h = dt.timedelta(hours=1)
    make_demande(
        created_at=c,
        statut="repondue",
        premiere_reponse_at=c + 12 * h,
        resolue_at=c + 12 * h,
        is_dans_delai=True,
    )
    make_demande(
        created_at=c,
        statut="repondue",
        premiere_reponse_at=c + 24 * h,
        resolue_at=c + 30 * h,
        is_dans_delai=True,
    )
    make_demande(
        created_at=c, statut="prise_en_charge", premiere_reponse_at=c + 48 * h, echeance=dt.date(2026, 1, 19)
    )
    make_demande(created_at=c, statut="nouvelle", echeance=dt.date(2026, 12, 31))
    with time_machine.travel(dt.datetime(2026, 2, 1, tzinfo=dt.UTC), tick=False):
        assert part_dans_delai() == 66.7
        assert mediane_premiere_reponse() == 1.0
        assert part_dans_delai(dt.date(2026, 2, 1), dt.date(2026, 2, 28)) is None
    assert {i.actions for i in INDICATEURS} == {("P1",)}


def test_median_first_response_is_in_business_days(make_demande):
    """Issue 15.13: the tracker's median counts business days, like the report: Friday → Monday is 1
    (3 calendar days), Thursday 30 April → Monday 4 May 2026 is 1 (1 May is a holiday)."""
    paris = dt.timezone(dt.timedelta(hours=2))
    for recue, reponse in (((2026, 4, 24), (2026, 4, 27)), ((2026, 4, 30), (2026, 5, 4))):
        c = dt.datetime(*recue, 10, tzinfo=paris)
        make_demande(
            created_at=c, statut="prise_en_charge", premiere_reponse_at=dt.datetime(*reponse, 9, tzinfo=paris)
        )
    assert mediane_premiere_reponse() == 1.0
