"""Fixtures of the écrivains publics tests: permanences on the booking engine, écrivains."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ecrivains.models import EcrivainPublic, Langue, Theme
from ecrivains.services import Regle, permanence_create
from pacte.calendrier import is_holiday
from pacte.models import Lieu
from pacte.roles import Role


def jour_ouvre(days_ahead: int = 7, weekday: int | None = None) -> dt.date:
    """A future non-holiday date (optionally on a given weekday)."""
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    while is_holiday(day) or (weekday is not None and day.weekday() != weekday):
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def ecrivain_user(make_user):
    user = make_user(Role.ECRIVAIN)
    EcrivainPublic.objects.create(user=user, structure="Association test")
    return user


@pytest.fixture
def make_permanence(db):
    """Create a permanence: `date` (one slot 10:00–10:30 that day, or `slots` slots) or weekly `jour`."""

    def factory(
        *,
        lieu="mairie-du-5e-arrondissement",
        date=None,
        jour=None,
        slots=1,
        capacite=1,
        places_agents=0,
        langues=("francais",),
        themes=("caf",),
        ecrivains=(),
        titre=None,
    ):
        if date is None and jour is None:
            date = jour_ouvre()
        fin = (dt.datetime.combine(dt.date.today(), dt.time(10)) + dt.timedelta(minutes=30 * slots)).time()
        regles = [Regle(dt.time(10), fin, date=date) if date else Regle(dt.time(10), fin, jour=jour)]
        lieu_obj = Lieu.objects.get(slug=lieu)
        return permanence_create(
            lieu=lieu_obj,
            titre=titre or f"Écrivain public — {lieu_obj.nom}",
            regles=regles,
            capacite=capacite,
            places_agents=places_agents,
            delai_min_heures=0,
            langues=Langue.objects.filter(code__in=langues),
            themes=Theme.objects.filter(code__in=themes),
            ecrivains=[e.ecrivain_public for e in ecrivains],
        )

    return factory


def slot_of(permanence, index: int = 0):
    """Aware start of the index-th slot of a one-date permanence."""
    from pacte.booking.selectors import local_tz

    regle = permanence.agenda.regles.get()
    start = dt.datetime.combine(regle.date, regle.heure_debut, tzinfo=local_tz())
    return start + dt.timedelta(minutes=30 * index)


@pytest.fixture
def deux_ecrivains(make_user, make_permanence, ecrivain_user):
    """Two écrivains, a permanence each (5e and 3e), one appointment on each (non-ASCII names)."""
    from pacte.booking.services import reservation_create

    autre = make_user(Role.ECRIVAIN)
    EcrivainPublic.objects.create(user=autre, structure="Autre association")
    mienne = make_permanence(ecrivains=[ecrivain_user], titre="Mienne")
    sienne = make_permanence(ecrivains=[autre], titre="Sienne", lieu="mairie-du-3e-arrondissement")
    r1, _ = reservation_create(
        agenda=mienne.agenda, debut=slot_of(mienne), nom="Ma cliente", prenom="Cœur", email="a@example.org"
    )
    r2, _ = reservation_create(
        agenda=sienne.agenda, debut=slot_of(sienne), nom="Sa cliente", prenom="Иванов", email="b@example.org"
    )
    return ecrivain_user, mienne, sienne, r1, r2
