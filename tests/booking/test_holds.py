"""Holds (G3): a held place is taken in the slot's counter, expires without any job, converts into
the booking atomically and is never refused to its holder; races on one slot never overbook."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.db.models import F

from pacte.booking.models import CompteurCreneau, Reservation, Retenue, Statut
from pacte.booking.selectors import creneau_at, creneaux_disponibles, prochain_creneau
from pacte.booking.services import (
    CreneauIndisponible,
    reservation_cancel,
    reservation_create,
    retenue_release,
    retenue_take,
    retenues_purge,
)
from pacte.roles import Role
from tests.concurrency import run_concurrently

from .conftest import at

NOW = dt.datetime(2027, 7, 5, 8, 0, tzinfo=dt.UTC)  # Monday 10:00 in Lyon
MARDI = dt.date(2027, 7, 6)
DIX_MINUTES = dt.timedelta(minutes=10)


def hold(agenda, cle="navigateur-1", hhmm="09:00", en_ligne=True, duree=DIX_MINUTES):
    return retenue_take(agenda=agenda, debut=at(MARDI, hhmm), cle=cle, en_ligne=en_ligne, duree=duree)


def book(agenda, hhmm="09:00", nom="Dupont", **kwargs):
    values = dict(prenom="Jeanne", telephone="06 12 34 56 78", email="")
    values.update(kwargs)
    return reservation_create(agenda=agenda, debut=at(MARDI, hhmm), nom=nom, **values)


def counter(agenda, hhmm="09:00"):
    return CompteurCreneau.objects.get(agenda=agenda, debut=at(MARDI, hhmm))


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_hold_takes_a_place_that_public_and_agent_views_count_as_taken(agenda):
    """A held place is counted as taken for citizens and agents alike; the counter holds it."""
    hold(agenda)
    assert creneau_at(agenda, debut=at(MARDI, "09:00")) is None
    assert creneau_at(agenda, debut=at(MARDI, "09:00"), pour_agent=True) is None
    heures = [c.debut for c in creneaux_disponibles(agenda, debut=MARDI, fin=MARDI)[MARDI]]
    assert at(MARDI, "09:00") not in heures and at(MARDI, "09:30") in heures
    assert (counter(agenda).places_prises, counter(agenda).places_prises_en_ligne) == (1, 1)
    with pytest.raises(CreneauIndisponible):
        book(agenda, nom="Autre")
    with pytest.raises(CreneauIndisponible):
        hold(agenda, cle="navigateur-2")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_same_holder_twice_keeps_one_hold_and_one_place(make_agenda):
    """Two tabs or a reload: the same holder gets the same hold back, without a second place nor
    a longer expiry."""
    agenda = make_agenda(capacite=3)
    first = hold(agenda)
    with time_machine.travel(NOW + dt.timedelta(minutes=4), tick=False):
        again = hold(agenda)
    assert again.pk == first.pk and again.expire_at == first.expire_at
    assert counter(agenda).places_prises == 1 and Retenue.objects.count() == 1


@pytest.mark.django_db
def test_an_expired_hold_frees_its_place_without_any_job(agenda):
    """Past its expiry the place shows free again although nothing ran; the next booker takes it
    (reclaiming the hold under the counter's lock) and the counter never exceeds capacity."""
    with time_machine.travel(NOW, tick=False):
        hold(agenda)
    with time_machine.travel(NOW + DIX_MINUTES + dt.timedelta(seconds=1), tick=False):
        assert creneau_at(agenda, debut=at(MARDI, "09:00")) is not None
        assert at(MARDI, "09:00") in [
            c.debut for c in creneaux_disponibles(agenda, debut=MARDI, fin=MARDI)[MARDI]
        ]
        assert counter(agenda).places_prises == 1  # still in the row, not in the slot
        reservation, _token = book(agenda, nom="Suivant")
    assert reservation.statut == Statut.CONFIRMEE
    assert Retenue.objects.count() == 0
    assert counter(agenda).places_prises == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_holder_books_the_held_place_atomically_even_when_full(agenda):
    """The holder's booking converts the hold: the full slot (held by them) is booked, the place
    is counted once, the hold is gone."""
    held = hold(agenda)
    reservation, token = book(agenda, retenue_cle=held.cle)
    assert token and reservation.compte_en_ligne
    assert Retenue.objects.count() == 0
    assert (counter(agenda).places_prises, counter(agenda).places_prises_en_ligne) == (1, 1)


@pytest.mark.django_db
def test_the_holder_is_not_refused_when_the_notice_passed_while_typing(make_agenda):
    """The minimum notice that elapses while the form is filled does not refuse the holder."""
    agenda = make_agenda(delai_min_heures=24)
    opened = dt.datetime(2027, 7, 5, 6, 55, tzinfo=dt.UTC)  # Monday 8:55, the slot is Tuesday 9:00
    with time_machine.travel(opened, tick=False):
        held = hold(agenda)
    with time_machine.travel(opened + dt.timedelta(minutes=8), tick=False):
        assert creneau_at(agenda, debut=at(MARDI, "09:00")) is None  # others: too late now
        reservation, _token = book(agenda, retenue_cle=held.cle)
    assert reservation.statut == Statut.CONFIRMEE


@pytest.mark.django_db
def test_an_expired_hold_whose_place_is_still_free_just_books(agenda):
    """Coming back after the expiry: nobody took the place, the booking goes through."""
    with time_machine.travel(NOW, tick=False):
        held = hold(agenda)
    with time_machine.travel(NOW + dt.timedelta(minutes=25), tick=False):
        reservation, _token = book(agenda, retenue_cle=held.cle)
    assert reservation.statut == Statut.CONFIRMEE and counter(agenda).places_prises == 1


@pytest.mark.django_db
def test_an_expired_hold_taken_by_someone_else_is_lost(agenda):
    """After the expiry another person may take the place; the former holder is then told it is
    taken (they were outside their hold)."""
    with time_machine.travel(NOW, tick=False):
        held = hold(agenda)
    with time_machine.travel(NOW + dt.timedelta(minutes=11), tick=False):
        book(agenda, nom="Plus rapide")
        with pytest.raises(CreneauIndisponible):
            book(agenda, retenue_cle=held.cle)
    assert Reservation.objects.count() == 1 and counter(agenda).places_prises == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_release_frees_the_place_once(agenda):
    """Releasing frees the place; releasing again is a no-op (the counter never goes below)."""
    hold(agenda)
    assert retenue_release(agenda=agenda, debut=at(MARDI, "09:00"), cle="navigateur-1")
    assert not retenue_release(agenda=agenda, debut=at(MARDI, "09:00"), cle="navigateur-1")
    assert counter(agenda).places_prises == 0
    assert creneau_at(agenda, debut=at(MARDI, "09:00")) is not None


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_holds_follow_g2_online_and_agent_places(make_agenda, make_user):
    """An online hold takes an online place (citizens then see none); an agent hold may take the
    place kept for agents; the holder's conversion keeps its kind."""
    agenda = make_agenda(capacite=2, places_agents=1)
    citoyen = hold(agenda, cle="citoyen")
    assert creneau_at(agenda, debut=at(MARDI, "09:00")) is None
    assert creneau_at(agenda, debut=at(MARDI, "09:00"), pour_agent=True).places_restantes == 1
    with pytest.raises(CreneauIndisponible):
        hold(agenda, cle="autre-citoyen")
    agent_hold = hold(agenda, cle="offre", en_ligne=False)
    assert (counter(agenda).places_prises, counter(agenda).places_prises_en_ligne) == (2, 1)
    agent = make_user(Role.AGENT)
    reservation, _ = book(agenda, agent=agent, retenue_cle=agent_hold.cle)
    assert not reservation.compte_en_ligne
    mine, _ = book(agenda, nom="Citoyenne", retenue_cle=citoyen.cle)
    assert mine.compte_en_ligne
    assert (counter(agenda).places_prises, counter(agenda).places_prises_en_ligne) == (2, 1)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_cancelling_a_booking_frees_its_place_not_the_holds(make_agenda):
    """A cancellation frees its own place; holds keep theirs."""
    agenda = make_agenda(capacite=2)
    reservation, _ = book(agenda)
    hold(agenda)
    reservation_cancel(reservation=reservation, motif="test")
    assert counter(agenda).places_prises == 1
    assert creneau_at(agenda, debut=at(MARDI, "09:00")).places_restantes == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_database_refuses_a_hold_beyond_capacity(agenda):
    """G3 backstop: holds live in the counter, whose CHECK constraints refuse going above capacity."""
    hold(agenda)
    with pytest.raises(IntegrityError), transaction.atomic():
        CompteurCreneau.objects.update(places_prises=F("places_prises") + 1)


@pytest.mark.django_db
def test_purge_reclaims_only_expired_holds(make_agenda):
    """The hygiene job reclaims expired holds (freeing their counter places), never live ones."""
    agenda = make_agenda(capacite=3)
    with time_machine.travel(NOW, tick=False):
        hold(agenda, cle="court")
        hold(agenda, cle="long", duree=dt.timedelta(hours=2))
    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        assert retenues_purge() == 1
        assert retenues_purge() == 0
    assert list(Retenue.objects.values_list("cle", flat=True)) == ["long"]
    assert counter(agenda).places_prises == 1


# --- Races on one slot, on separate connections ------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_holds_bookings_and_expiries_racing_never_overbook_nor_refuse_a_live_holder(
    make_agenda, make_user, seed
):
    """Live holders converting, public and agent bookers, new holds, an expired holder, releases
    and the purge all race on one slot of 3 places (1 kept for agents): every live holder books,
    the counter equals bookings + holds and never exceeds the capacity (nor the online places)."""
    agenda = make_agenda(capacite=3, places_agents=1, delai_min_heures=0)
    agent = make_user(Role.AGENT)
    # A slot open to citizens too (an agent's next slot may have started: not for citizens).
    slot = prochain_creneau(agenda).debut
    vivant = retenue_take(agenda=agenda, debut=slot, cle="vivant", en_ligne=True, duree=DIX_MINUTES)
    vivant_agent = retenue_take(agenda=agenda, debut=slot, cle="offre", en_ligne=False, duree=DIX_MINUTES)
    perime = retenue_take(agenda=agenda, debut=slot, cle="perime", en_ligne=True, duree=DIX_MINUTES)
    # Only the online holds could fit: one online place is left... and it is the expired hold's.
    Retenue.objects.filter(pk=perime.pk).update(expire_at=F("expire_at") - dt.timedelta(minutes=30))

    def citizen(i, **kwargs):
        return lambda: reservation_create(
            agenda=agenda, debut=slot, nom=f"Citoyen {i}", prenom="", email=f"c{i}@example.org", **kwargs
        )

    def by_agent(i, **kwargs):
        return lambda: reservation_create(
            agenda=agenda, debut=slot, nom=f"Appelant {i}", prenom="", agent=agent, **kwargs
        )

    def new_hold(i, en_ligne):
        return lambda: retenue_take(
            agenda=agenda, debut=slot, cle=f"n{i}", en_ligne=en_ligne, duree=DIX_MINUTES
        )

    actions = [
        ("vivant", citizen("vivant", retenue_cle=vivant.cle)),
        ("vivant_agent", by_agent("offre", retenue_cle=vivant_agent.cle)),
        ("perime", citizen("perime", retenue_cle=perime.cle)),
        ("purge", retenues_purge),
        ("rien", lambda: retenue_release(agenda=agenda, debut=slot, cle="inconnu")),
    ]
    actions += [(f"citoyen{i}", citizen(i)) for i in range(6)]
    actions += [(f"agent{i}", by_agent(i)) for i in range(3)]
    actions += [(f"retenue{i}", new_hold(i, en_ligne=i % 2 == 0)) for i in range(4)]
    random.Random(seed).shuffle(actions)
    results = {
        name: outcome if isinstance(outcome, str) else "ok"
        for name, outcome in run_concurrently(actions, refused=[CreneauIndisponible]).items()
    }

    assert results["vivant"] == "ok" and results["vivant_agent"] == "ok", results
    assert all(outcome in ("ok", "pris") for outcome in results.values()), results
    compteur = CompteurCreneau.objects.get(agenda=agenda, debut=slot)
    actives = Reservation.objects.filter(agenda=agenda, debut=slot).exclude(statut=Statut.ANNULEE)
    retenues = Retenue.objects.filter(compteur=compteur)
    assert compteur.places_prises == actives.count() + retenues.count() <= 3
    en_ligne = actives.filter(compte_en_ligne=True).count() + retenues.filter(en_ligne=True).count()
    assert compteur.places_prises_en_ligne == en_ligne <= 2
    # The slot is full for everybody after the race (3 places, at least one new taker each time).
    assert compteur.places_prises == 3
