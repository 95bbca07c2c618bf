"""Response commitments: deadlines on business days with French holidays, configurable."""

import datetime as dt

import pytest

from arrondissements.delais import echeance_for, echeance_prolongee
from arrondissements.models import Engagement

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("urgence", "recue", "echeance"),
    [
        ("urgente", dt.date(2026, 4, 30), dt.date(2026, 5, 5)),  # 1 May (Fri) is a holiday
        ("urgente", dt.date(2026, 5, 7), dt.date(2026, 5, 12)),  # 8 May (Fri) holiday, weekend
        ("prioritaire", dt.date(2026, 5, 13), dt.date(2026, 5, 21)),  # Ascension Thu 14 May
        ("normale", dt.date(2026, 12, 18), dt.date(2027, 1, 5)),  # Christmas and New Year's Day
        ("urgente", dt.date(2026, 3, 7), dt.date(2026, 3, 10)),  # received on a Saturday
    ],
)
def test_deadline_skips_weekends_and_french_holidays(urgence, recue, echeance):
    """The deadline counts business days after reception, skipping weekends and holidays."""
    assert echeance_for(urgence, recue) == echeance


def test_engagement_rows_override_the_defaults():
    """An Engagement edited in the admin changes the deadline of new requests."""
    Engagement.objects.filter(urgence="urgente").update(jours_ouvres=1)
    assert echeance_for("urgente", dt.date(2026, 3, 2)) == dt.date(2026, 3, 3)


def test_defaults_are_loaded_as_reference_data():
    """The reference loader creates the three default commitments (2, 5, 10 business days)."""
    assert dict(Engagement.objects.values_list("urgence", "jours_ouvres")) == {
        "urgente": 2,
        "prioritaire": 5,
        "normale": 10,
    }


def test_pause_extends_by_business_days_only():
    """Waiting over a weekend and Easter Monday counts only the business days waited."""
    # asked Thu 2 April 2026, answered Tue 7 April (Easter Monday 6 April): 2 business days (3 and 7)
    assert echeance_prolongee(dt.date(2026, 4, 10), dt.date(2026, 4, 2), dt.date(2026, 4, 7)) == dt.date(
        2026, 4, 14
    )
