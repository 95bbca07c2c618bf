"""A waiting-list offer holds its place in the slot's counter (#15.1): public and agent views count
it as taken, accepting in time converts the hold into the booking, declining, withdrawing or
expiring frees it; races on one slot never overbook nor refuse an in-time acceptance."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.db.models import F
from django.utils import timezone

from ecrivains import services
from ecrivains.enums import StatutInscription, StatutOffre
from pacte.booking import attente
from pacte.booking.models import CompteurCreneau, OffreCreneau, Reservation, Retenue, Statut
from pacte.booking.selectors import creneau_at
from pacte.booking.services import CreneauIndisponible, reservation_cancel, reservation_create
from pacte.roles import Role
from tests.concurrency import run_concurrently

from .conftest import slot_of

pytestmark = pytest.mark.django_db


def _inscrire(permanence, nom):
    return services.inscription_create(permanence=permanence, nom=nom, telephone="0612345670")


def _book(permanence, nom="Quelqu'un", agent=None):
    return reservation_create(
        agenda=permanence.agenda,
        debut=slot_of(permanence),
        nom=nom,
        prenom="",
        telephone="0611223344",
        agent=agent,
    )[0]


def _counter(permanence):
    return CompteurCreneau.objects.get(agenda=permanence.agenda, debut=slot_of(permanence))


def test_an_open_offer_holds_its_place_and_accepting_books_it(make_permanence, make_user):
    """While the first person's offer is open the slot is taken for citizens and agents alike;
    she accepts in time and is booked, not told « quelqu'un a pris ce créneau »."""
    permanence = make_permanence()
    occupant = _book(permanence, nom="Occupant")
    _inscrire(permanence, "Première")
    reservation_cancel(reservation=occupant, motif="empêchement")
    [offre] = services.offres_attribuer(permanence=permanence, debut=slot_of(permanence))
    debut = slot_of(permanence)
    assert creneau_at(permanence.agenda, debut=debut) is None
    assert creneau_at(permanence.agenda, debut=debut, pour_agent=True) is None
    with pytest.raises(CreneauIndisponible):
        _book(permanence, nom="En ligne")
    with pytest.raises(CreneauIndisponible):
        _book(permanence, nom="Au téléphone", agent=make_user(Role.AGENT))
    resultat = services.offre_accept(offre=offre)
    assert resultat.ok, resultat.message
    assert resultat.reservation.nom == "Première" and resultat.reservation.statut == Statut.CONFIRMEE
    assert not Retenue.objects.exists()
    assert _counter(permanence).places_prises == 1


@pytest.mark.parametrize("fin", ["decline", "withdraw"])
def test_declining_or_withdrawing_frees_the_place_for_the_next_person(
    make_permanence, fin, django_capture_on_commit_callbacks
):
    """A declined offer (or its person leaving the list) gives the held place back, and the next
    person is offered it with a new hold."""
    permanence = make_permanence()
    a = _inscrire(permanence, "A")
    b = _inscrire(permanence, "B")
    [offre] = services.offres_attribuer(permanence=permanence, debut=slot_of(permanence))
    with django_capture_on_commit_callbacks(execute=True):
        if fin == "decline":
            services.offre_decline(offre=offre)
        else:
            services.inscription_withdraw(inscription=a)
    suivante = OffreCreneau.objects.get(statut=StatutOffre.OUVERTE)
    assert suivante.inscription_id == b.pk
    assert Retenue.objects.count() == 1 and _counter(permanence).places_prises == 1
    assert services.offre_accept(offre=suivante).ok


def test_an_expired_offer_frees_its_place_without_any_job(make_permanence, settings):
    """Past the offer's deadline the place reads as free although no job ran; a booker takes it;
    the late acceptance is refused politely and the person goes back on the list."""
    settings.BOOKING_ATTENTE_OFFRE_HEURES = 2
    permanence = make_permanence()
    a = _inscrire(permanence, "A")
    [offre] = services.offres_attribuer(permanence=permanence, debut=slot_of(permanence))
    plus_tard = timezone.now() + dt.timedelta(hours=2, minutes=1)
    with time_machine.travel(plus_tard, tick=False):
        assert creneau_at(permanence.agenda, debut=slot_of(permanence)) is not None
        _book(permanence, nom="Rapide")
        resultat = services.offre_accept(offre=offre)
        assert not resultat.ok and "plus valable" in resultat.message
        assert services.offres_expire() == 1
    a.refresh_from_db()
    assert a.statut == StatutInscription.SANS_REPONSE
    assert _counter(permanence).places_prises == 1 and not Retenue.objects.exists()


def test_cancelling_the_session_releases_the_offers_holds(make_permanence):
    """A cancelled session lapses its open offers and frees the places they held."""
    permanence = make_permanence(capacite=2)
    _inscrire(permanence, "A")
    _inscrire(permanence, "B")
    assert len(services.offres_attribuer(permanence=permanence, debut=slot_of(permanence))) == 2
    services.seance_cancel(permanence=permanence, date=slot_of(permanence).date(), motif="Maladie")
    assert not Retenue.objects.exists() and _counter(permanence).places_prises == 0
    assert set(OffreCreneau.objects.values_list("statut", flat=True)) == {StatutOffre.CADUQUE}


# --- Races on one slot, on separate connections ------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_offers_bookers_and_expiries_racing_never_overbook_nor_refuse_an_in_time_acceptance(
    make_permanence, make_user, seed
):
    """On one slot of 4 places (1 kept for agents): 3 live offers accepting, 1 expired offer
    accepting late, the expiry job, new offer rounds, public and agent bookers all race. Every
    in-time acceptance books; the counter equals bookings + holds and never exceeds capacity."""
    permanence = make_permanence(capacite=4, places_agents=1)
    agent = make_user(Role.AGENT)
    for i in range(8):
        _inscrire(permanence, f"Attente {i}")
    offres = services.offres_attribuer(permanence=permanence, debut=slot_of(permanence))
    assert len(offres) == 4  # the waiting list may use the places kept for agents
    perimee, *vivantes = offres
    passe = dt.timedelta(hours=3)
    OffreCreneau.objects.filter(pk=perimee.pk).update(expire_at=F("expire_at") - passe)
    Retenue.objects.filter(cle=attente.retenue_cle(perimee)).update(expire_at=F("expire_at") - passe)

    def citizen(i):
        return lambda: _book(permanence, nom=f"Citoyen {i}")

    def by_agent(i):
        return lambda: _book(permanence, nom=f"Appelant {i}", agent=agent)

    def accept(offre):
        return lambda: services.offre_accept(offre=offre)

    actions = [(f"vivante{i}", accept(o)) for i, o in enumerate(vivantes)]
    actions += [
        ("perimee", accept(perimee)),
        ("expiry", services.offres_expire),
        ("attribuer", lambda: services.offres_attribuer(permanence=permanence, debut=slot_of(permanence))),
    ]
    actions += [(f"citoyen{i}", citizen(i)) for i in range(5)]
    actions += [(f"agent{i}", by_agent(i)) for i in range(2)]
    random.Random(seed).shuffle(actions)
    results = run_concurrently(actions, refused=[CreneauIndisponible])

    for i in range(len(vivantes)):
        assert getattr(results[f"vivante{i}"], "ok", False), results
    assert not results["perimee"].ok
    errors = {k: v for k, v in results.items() if isinstance(v, str) and v != "pris"}
    assert not errors, errors
    compteur = _counter(permanence)
    actives = Reservation.objects.filter(agenda=permanence.agenda).exclude(statut=Statut.ANNULEE)
    retenues = Retenue.objects.filter(compteur=compteur)
    assert compteur.places_prises == actives.count() + retenues.count() <= 4
    en_ligne = actives.filter(compte_en_ligne=True).count() + retenues.filter(en_ligne=True).count()
    assert compteur.places_prises_en_ligne == en_ligne <= 3
    # Every open offer still holds a place; every held place belongs to an open offer.
    ouvertes = {attente.retenue_cle(o) for o in OffreCreneau.objects.filter(statut=StatutOffre.OUVERTE)}
    assert set(retenues.values_list("cle", flat=True)) <= ouvertes | {attente.retenue_cle(perimee)}
    assert {o.inscription.nom for o in vivantes} <= set(actives.values_list("nom", flat=True))


def test_offers_made_before_offers_held_places_still_count(make_permanence):
    """An open offer without a hold (made before this change was deployed) still counts against
    the slot's places: no second offer for the same place."""
    permanence = make_permanence()
    _inscrire(permanence, "A")
    _inscrire(permanence, "B")
    [offre] = services.offres_attribuer(permanence=permanence, debut=slot_of(permanence))
    Retenue.objects.all().delete()
    CompteurCreneau.objects.update(places_prises=0)
    assert services.offres_attribuer(permanence=permanence, debut=slot_of(permanence)) == []
    assert OffreCreneau.objects.filter(statut=StatutOffre.OUVERTE).get() == offre
