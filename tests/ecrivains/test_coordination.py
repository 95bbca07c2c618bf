"""Coordinator figures on a small dataset, indicators for the tracker, roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ecrivains import indicateurs
from ecrivains.selectors import coordination_stats
from ecrivains.services import Regle, permanence_create
from pacte.booking.models import Reservation, Statut
from pacte.booking.selectors import local_tz
from pacte.models import Lieu
from pacte.roles import Role
from pacte.secret_links import reference_new

pytestmark = pytest.mark.django_db

# A past Thursday that is not a holiday: 2024-03-07, and the whole month of March 2024.
JEUDI = dt.date(2024, 3, 7)


@pytest.fixture
def dataset():
    """One permanence, Thursdays 14:00–15:00 (2 slots × capacity 2) in March 2024: 4 Thursdays → 16 places."""
    p = permanence_create(
        lieu=Lieu.objects.get(slug="mairie-du-5e-arrondissement"),
        titre="Cinquième",
        regles=[
            Regle(
                dt.time(14),
                dt.time(15),
                jour=3,
                valide_du=dt.date(2024, 3, 1),
                valide_au=dt.date(2024, 3, 31),
            )
        ],
        capacite=2,
        places_agents=1,
    )
    tz = local_tz()

    def past(day, hour, statut, canal="en_ligne"):
        debut = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
        Reservation.objects.create(
            reference=reference_new("RDV"),
            agenda=p.agenda,
            debut=debut,
            fin=debut + dt.timedelta(minutes=30),
            statut=statut,
            canal=canal,
            nom="X",
        )

    past(JEUDI, 14, Statut.HONOREE)
    past(JEUDI, 14, Statut.ABSENT)
    past(JEUDI, 14, Statut.HONOREE, canal="sur_place")
    past(JEUDI + dt.timedelta(days=7), 14, Statut.HONOREE, canal="telephone")
    past(JEUDI + dt.timedelta(days=7), 14, Statut.ANNULEE)
    return p


def test_coordination_figures(dataset):
    """Places offered, booked, walk-ins, no-shows, people received and fill rate are right."""
    stats = coordination_stats(debut=dt.date(2024, 3, 1), fin=dt.date(2024, 3, 31))
    [ligne] = stats["lignes"]
    assert ligne["offertes"] == 16
    assert ligne["reservees"] == 3  # cancelled excluded, walk-in counted apart
    assert ligne["sans_rdv"] == 1
    assert ligne["absents"] == 1
    assert ligne["venus"] == 3
    assert ligne["taux"] == 25  # (3 + 1) / 16
    assert stats["personnes_aidees"] == 3
    assert stats["par_lieu"][0]["offertes"] == 16


def test_indicators(dataset):
    """Sessions held = 2 Thursdays with someone received; people helped = 3."""
    assert indicateurs.permanences_tenues(dt.date(2024, 3, 1), dt.date(2024, 3, 31)) == 2
    assert indicateurs.personnes_aidees(dt.date(2024, 3, 1), dt.date(2024, 3, 31)) == 3
    assert indicateurs.personnes_aidees(dt.date(2024, 3, 8), dt.date(2024, 3, 31)) == 1
    assert indicateurs.personnes_aidees() == 3


@pytest.mark.parametrize(
    "role,status",
    [
        (Role.COORDINATION, 200),
        (Role.ANALYSTE, 200),
        (Role.ADMIN, 200),
        (Role.ECRIVAIN, 404),
        (Role.AGENT, 404),
        (Role.ELU, 404),
        (Role.MEDIATEUR, 404),
        (Role.REFERENT, 404),
    ],
)
def test_coordination_roles(dataset, make_user, client, role, status):
    """Only coordination, analysts and admins see the figures; the page shows no écrivain name.
    Any other role gets 404 (not 403: the report is not theirs to know of)."""
    user = make_user(role)
    client.force_login(user)
    response = client.get(reverse("ecrivains:coordination"), {"debut": "2024-03-01", "fin": "2024-03-31"})
    assert response.status_code == status
    if status == 200:
        assert "Cinquième" in response.text and "25 %" in response.text


def test_coordination_query_count_constant(dataset, make_user, client, django_assert_max_num_queries):
    """The coordinator page runs a bounded number of queries."""
    client.force_login(make_user(Role.COORDINATION))
    with django_assert_max_num_queries(15):
        client.get(reverse("ecrivains:coordination"), {"debut": "2024-03-01", "fin": "2024-03-31"})
