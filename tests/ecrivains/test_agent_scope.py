"""The engine's agent pages are scoped by agenda ownership: an écrivain public cannot reach another
écrivain's appointments there; an agent d'accueil sees their lieu's agendas (#13.4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pacte.booking import selectors
from pacte.booking.models import Statut
from pacte.models import Lieu
from pacte.roles import Role

pytestmark = pytest.mark.django_db


def test_ecrivain_cannot_find_read_or_cancel_another_ecrivains_appointment(deux_ecrivains, client):
    """Search, detail, cancel, attendance and booking on another écrivain's permanence: nothing, 404."""
    user, mienne, sienne, r1, r2 = deux_ecrivains
    client.force_login(user)
    search = client.get(reverse("booking:agent_accueil"), {"q": r2.reference})
    assert str(r2.uuid) not in search.text and "Sa cliente" not in search.text
    assert "Sienne" not in search.text
    assert str(r2.uuid) not in client.get(reverse("booking:agent_accueil"), {"q": "Иванов"}).text
    assert client.get(reverse("booking:agent_reservation", args=[r2.uuid])).status_code == 404
    cancel = client.post(reverse("booking:agent_reservation", args=[r2.uuid]), {"action": "annuler"})
    assert cancel.status_code == 404
    assert client.post(reverse("booking:marquer", args=[r2.uuid]), {"statut": "annulee"}).status_code == 404
    assert client.get(reverse("booking:agent_reserver", args=[sienne.agenda.uuid])).status_code == 404
    assert client.get(reverse("booking:planning"), {"agenda": str(sienne.agenda.uuid)}).status_code == 404
    r2.refresh_from_db()
    assert r2.statut == Statut.CONFIRMEE
    # Their own appointment stays reachable.
    assert str(r1.uuid) in client.get(reverse("booking:agent_accueil"), {"q": "Cœur"}).text
    assert client.get(reverse("booking:agent_reservation", args=[r1.uuid])).status_code == 200


def test_an_ecrivain_on_two_permanences_sees_both(deux_ecrivains, make_permanence):
    """Ownership is the permanence's list of écrivains: co-run permanences are visible to each."""
    user, mienne, sienne, r1, r2 = deux_ecrivains
    partagee = make_permanence(ecrivains=[user, sienne.ecrivains.get().user], titre="Partagée")
    assert set(selectors.agendas_visible_to(user)) == {mienne.agenda, partagee.agenda}
    assert set(selectors.reservations_visible_to(user)) == {r1}


def test_agent_sees_their_lieus_agendas_and_a_teleconseiller_all(deux_ecrivains, make_user):
    """An agent d'accueil with a lieu: that lieu's agendas only; without a lieu (Lyon en direct): all."""
    _, mienne, sienne, r1, r2 = deux_ecrivains
    agent = make_user(Role.AGENT, lieu=Lieu.objects.get(slug="mairie-du-5e-arrondissement"))
    assert set(selectors.agendas_visible_to(agent)) == {mienne.agenda}
    assert set(selectors.reservations_visible_to(agent)) == {r1}
    teleconseiller = make_user(Role.AGENT)
    assert {mienne.agenda, sienne.agenda} <= set(selectors.agendas_visible_to(teleconseiller))
    admin = make_user(Role.ADMIN, lieu=Lieu.objects.get(slug="mairie-du-5e-arrondissement"))
    assert {r1, r2} <= set(selectors.reservations_visible_to(admin))


def test_agent_of_another_lieu_gets_404_on_the_engine_pages(deux_ecrivains, make_user, client):
    """The 404 holds on every engine page for an agent whose lieu is elsewhere."""
    _, mienne, sienne, r1, r2 = deux_ecrivains
    client.force_login(make_user(Role.AGENT, lieu=Lieu.objects.get(slug="mairie-du-5e-arrondissement")))
    assert client.get(reverse("booking:agent_reservation", args=[r2.uuid])).status_code == 404
    assert client.get(reverse("booking:agent_reservation", args=[r1.uuid])).status_code == 200
    assert client.get(reverse("booking:agent_reserver", args=[sienne.agenda.uuid])).status_code == 404
