"""The slot is held while the visitor fills the booking form (#19.2): others see it as taken until
the hold expires or is confirmed; the holder is never told « déjà pris » inside it; no JavaScript
needed (the session cookie); races never overbook nor refuse a holder."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from pacte.booking.models import CompteurCreneau, Reservation, Retenue, Statut
from pacte.booking.selectors import creneau_at, prochain_creneau
from pacte.booking.services import CreneauIndisponible, reservation_create
from tests.concurrency import run_concurrently

from .conftest import at
from .test_views import form_data

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 7, 5, 8, 0, tzinfo=dt.UTC)  # Monday 10:00 in Lyon
MARDI = dt.date(2027, 7, 6)


def url_of(agenda, hhmm="09:00"):
    slot = creneau_at(agenda, debut=at(MARDI, hhmm), inclure_complets=True)
    return reverse("booking:formulaire", args=[agenda.uuid, slot.cle])


def later(minutes):
    return time_machine.travel(NOW + dt.timedelta(minutes=minutes), tick=False)


@time_machine.travel(NOW, tick=False)
def test_opening_the_form_holds_the_slot_for_that_visitor_only(client, agenda):
    """The visitor who opened the form holds the slot: its page says until when, another visitor
    and the agenda page see it taken, and the holder's booking goes through."""
    url = url_of(agenda)
    page = client.get(url)
    assert page.status_code == 200
    assert "Nous vous gardons ce créneau jusqu'à <strong>10 h 10</strong>" in page.text
    assert creneau_at(agenda, debut=at(MARDI, "09:00")) is None
    assert creneau_at(agenda, debut=at(MARDI, "09:00"), pour_agent=True) is None
    autre = Client()
    assert "Ce créneau vient d'être pris" in autre.get(url).text or "plus disponible" in autre.get(url).text
    agenda_page = autre.get(reverse("booking:agenda", args=[agenda.uuid]) + f"?jour={MARDI}").text
    assert url not in agenda_page
    assert client.get(url).status_code == 200  # a reload keeps the same hold, no second place
    assert Retenue.objects.count() == 1
    with later(9):
        response = client.post(url, form_data(page.text))
    assert response.status_code == 302 and "/reservation/mon-rendez-vous/" in response["Location"]
    assert Reservation.objects.get().statut == Statut.CONFIRMEE
    assert not Retenue.objects.exists()
    assert CompteurCreneau.objects.get().places_prises == 1


@time_machine.travel(NOW, tick=False)
def test_the_holder_is_never_told_deja_pris_inside_the_hold(client, agenda):
    """Someone else tries to book the held slot (another channel): refused; the holder, who
    typed for 9 minutes, is booked."""
    url = url_of(agenda)
    page = client.get(url)
    with pytest.raises(CreneauIndisponible):
        reservation_create(
            agenda=agenda, debut=at(MARDI, "09:00"), nom="Rapide", prenom="", email="r@example.org"
        )
    with later(9):
        response = client.post(url, form_data(page.text))
    assert response.status_code == 302
    assert list(Reservation.objects.values_list("nom", flat=True)) == ["Dupont"]


@time_machine.travel(NOW, tick=False)
def test_an_expired_hold_lets_others_take_the_slot(client, agenda, settings):
    """After BOOKING_RETENUE_MINUTES the slot is free again for others, without any job; the
    first visitor then gets the friendly « vient d'être pris » page with the next slots."""
    settings.BOOKING_RETENUE_MINUTES = 3
    url = url_of(agenda)
    page = client.get(url)
    assert "10 h 03" in page.text
    with later(4):
        assert creneau_at(agenda, debut=at(MARDI, "09:00")) is not None
        autre = Client()
        second = autre.get(url)
        assert "Nous vous gardons ce créneau" in second.text
        assert autre.post(url, form_data(second.text, nom="Martin")).status_code == 302
        response = client.post(url, form_data(page.text))
    assert response.status_code == 409
    assert "Ce créneau vient d'être pris" in response.text
    assert list(Reservation.objects.values_list("nom", flat=True)) == ["Martin"]


@time_machine.travel(NOW, tick=False)
def test_opening_another_slot_gives_the_first_one_back(client, agenda):
    """One hold per visitor: choosing another time frees the slot held before."""
    client.get(url_of(agenda, "09:00"))
    client.get(url_of(agenda, "09:30"))
    assert creneau_at(agenda, debut=at(MARDI, "09:00")) is not None
    assert creneau_at(agenda, debut=at(MARDI, "09:30")) is None
    assert Retenue.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_visitor_opening_many_forms_cannot_hold_them_all(client, make_agenda, settings):
    """Beyond RATELIMITS["retenue"] new holds per IP (a bot opening every form), the form still
    shows but holds nothing, so the agenda cannot be emptied by page views."""
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMITS = {**settings.RATELIMITS, "retenue": "2/h", "reservation": "100/h"}
    agenda = make_agenda(capacite=5)
    for _i in range(4):
        response = Client().get(url_of(agenda))  # no cookie kept: a new visitor each time
        assert response.status_code == 200
    assert Retenue.objects.count() == 2
    assert "Nous vous gardons" not in response.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("seed", [1, 2])
def test_form_holds_expiries_and_bookings_racing_never_overbook_nor_refuse_a_holder(make_agenda, seed):
    """Visitors holding through the form and posting, new visitors opening the form, direct
    bookers and an expired holder race on one slot of 3 places: every live holder is booked and
    the counter never exceeds the capacity."""
    agenda = make_agenda(capacite=3, delai_min_heures=0)
    slot = prochain_creneau(agenda)
    url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
    holders = [Client() for _ in range(2)]
    pages = [h.get(url).text for h in holders]
    perime = Client()
    perime_page = perime.get(url).text
    # The last visitor's hold expired long ago (not reclaimed yet).
    Retenue.objects.filter(pk=Retenue.objects.latest("pk").pk).update(
        expire_at=slot.debut - dt.timedelta(days=1)
    )

    def post(c, page, nom):
        def run():
            response = c.post(url, form_data(page, nom=nom))
            if response.status_code == 409:
                raise CreneauIndisponible()
            assert response.status_code == 302, response.status_code

        return run

    def direct(i):
        return lambda: reservation_create(
            agenda=agenda, debut=slot.debut, nom=f"Direct {i}", prenom="", email=f"d{i}@example.org"
        )

    def opener(i):
        def run():
            if "Nous vous gardons" not in Client().get(url).text:
                raise CreneauIndisponible()

        return run

    actions = [
        (f"holder{i}", post(h, p, f"Holder {i}")) for i, (h, p) in enumerate(zip(holders, pages, strict=True))
    ]
    actions += [("perime", post(perime, perime_page, "Perime"))]
    actions += [(f"direct{i}", direct(i)) for i in range(4)]
    actions += [(f"opener{i}", opener(i)) for i in range(3)]
    random.Random(seed).shuffle(actions)
    results = {
        name: outcome if isinstance(outcome, str) else "ok"
        for name, outcome in run_concurrently(actions, refused=[CreneauIndisponible]).items()
    }
    assert results["holder0"] == results["holder1"] == "ok", results
    assert all(v in ("ok", "pris") for v in results.values()), results
    compteur = CompteurCreneau.objects.get(agenda=agenda, debut=slot.debut)
    actives = Reservation.objects.exclude(statut=Statut.ANNULEE).count()
    assert compteur.places_prises == actives + Retenue.objects.count() == 3


@time_machine.travel(NOW, tick=False)
def test_a_released_or_purged_hold_is_told_to_the_waiting_lists(
    client, agenda, listener, django_capture_on_commit_callbacks
):
    """A visitor who leaves a slot for another, and an expired hold reclaimed by the hygiene job,
    both tell the place-freed listeners (a waiting list may be waiting for that slot)."""
    from pacte.booking.services import retenues_purge

    with django_capture_on_commit_callbacks(execute=True):
        client.get(url_of(agenda, "09:00"))
        client.get(url_of(agenda, "09:30"))
    assert listener == [(agenda.pk, at(MARDI, "09:00"))]
    with later(11), django_capture_on_commit_callbacks(execute=True):
        assert retenues_purge() == 1
    assert listener[-1] == (agenda.pk, at(MARDI, "09:30"))
