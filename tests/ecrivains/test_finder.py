"""The public finder: filters, next free slot from the engine, constant query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacte.booking.selectors import prochain_creneau
from pacte.booking.services import reservation_create

from .conftest import jour_ouvre, slot_of

pytestmark = pytest.mark.django_db

URL = "/ecrivains-publics/"


def _titres(response):
    return [p.agenda.titre for p in response.context["permanences"]]


def test_finder_filters_by_arrondissement_theme_language_and_date(make_permanence, client):
    """Each filter keeps only the matching permanences; no filter lists them all."""
    jeudi = jour_ouvre(7, weekday=3)
    mardi = jour_ouvre(7, weekday=1)
    make_permanence(
        lieu="mairie-du-5e-arrondissement",
        jour=3,
        langues=["francais", "arabe"],
        themes=["caf"],
        titre="Cinq",
    )
    make_permanence(
        lieu="mairie-du-3e-arrondissement", jour=1, langues=["francais"], themes=["impots"], titre="Trois"
    )
    assert sorted(_titres(client.get(URL))) == ["Cinq", "Trois"]
    assert _titres(client.get(URL, {"arrondissement": 5})) == ["Cinq"]
    assert _titres(client.get(URL, {"theme": "impots"})) == ["Trois"]
    assert _titres(client.get(URL, {"langue": "arabe"})) == ["Cinq"]
    assert _titres(client.get(URL, {"date": jeudi.isoformat()})) == ["Cinq"]
    assert _titres(client.get(URL, {"date": mardi.isoformat()})) == ["Trois"]
    assert _titres(
        client.get(URL, {"arrondissement": 5, "theme": "caf", "langue": "arabe", "date": jeudi.isoformat()})
    ) == ["Cinq"]
    # A bad date gives a French message, not an error.
    response = client.get(URL, {"date": "32/13/2027"})
    assert response.status_code == 200 and "Saisissez une date valide" in response.text


def test_finder_shows_next_free_slot_and_booking_link(make_permanence, client):
    """The next free slot is the engine's, skipping booked slots, with a link into the booking journey."""
    permanence = make_permanence(slots=2)
    reservation_create(
        agenda=permanence.agenda, debut=slot_of(permanence, 0), nom="X", prenom="", email="x@example.org"
    )
    response = client.get(URL)
    listed = response.context["permanences"][0]
    assert listed.prochain.debut == slot_of(permanence, 1) == prochain_creneau(permanence.agenda).debut
    assert reverse("booking:agenda", args=[permanence.agenda.uuid]) in response.text


def test_full_permanence_offers_the_waiting_list(make_permanence, client):
    """A permanence without a free slot points to its waiting list instead of booking."""
    permanence = make_permanence()
    reservation_create(
        agenda=permanence.agenda, debut=slot_of(permanence), nom="X", prenom="", email="x@example.org"
    )
    response = client.get(URL)
    assert reverse("ecrivains:inscription", args=[permanence.uuid]) in response.text
    assert response.context["permanences"][0].prochain is None


def _count(client, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params).status_code == 200
    return len(ctx)


def test_finder_query_count_does_not_grow(make_permanence, client):
    """The finder runs the same number of queries with 2 or 10 permanences and their bookings."""
    for _ in range(2):
        p = make_permanence(slots=3, capacite=2)
        reservation_create(agenda=p.agenda, debut=slot_of(p), nom="X", prenom="", email="x@example.org")
    small = _count(client)
    for _i in range(8):
        p = make_permanence(
            slots=3, capacite=2, lieu="bibliotheque-de-la-part-dieu", langues=["arabe", "turc"]
        )
        for j in range(3):
            reservation_create(
                agenda=p.agenda, debut=slot_of(p, j), nom="X", prenom="", email="x@example.org"
            )
    assert _count(client) == small
    assert _count(client, langue="arabe", theme="caf") <= small


def test_permanence_page_shows_what_to_bring(make_permanence, client):
    """The permanence page says in plain French what to bring."""
    permanence = make_permanence()
    response = client.get(reverse("ecrivains:permanence", args=[permanence.uuid]))
    assert "Ce qu" in response.text and "apporter" in response.text and "pièce d" in response.text
