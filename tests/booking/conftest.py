"""Fixtures of the booking engine tests: an agenda Mon–Fri 9:00–12:00 at the 6th arrondissement's mairie."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pacte.booking.models import Agenda, RegleOuverture
from pacte.booking.selectors import local_tz

TZ = local_tz()


def at(day: dt.date, hhmm: str) -> dt.datetime:
    """Aware local datetime for `day` at HH:MM."""
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=TZ)


def next_weekday(weekday: int, *, after: dt.date | None = None, skip_holidays: bool = True) -> dt.date:
    """The first date strictly after `after` (default: in 3 days) falling on `weekday`, not a holiday."""
    from pacte.calendrier import is_holiday

    day = (after or timezone.localdate() + dt.timedelta(days=2)) + dt.timedelta(days=1)
    while day.weekday() != weekday or (skip_holidays and is_holiday(day)):
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def lieu(db):
    from pacte.models import Lieu

    return Lieu.objects.get(slug="mairie-du-6e-arrondissement")


@pytest.fixture
def make_agenda(lieu):
    """Create an agenda open Monday–Friday 9:00–12:00 (override fields and rules as needed)."""

    def factory(*, regles=None, **fields):
        values = dict(
            lieu=lieu,
            titre="Carte d'identité et passeport",
            kind="demarches",
            duree_creneau=30,
            capacite=1,
            places_agents=0,
            delai_min_heures=0,
            horizon_jours=60,
            a_apporter="Une photo d'identité récente\nVotre ancienne carte",
        )
        values.update(fields)
        agenda = Agenda.objects.create(**values)
        if regles is None:
            regles = [dict(jour_semaine=j, heure_debut=dt.time(9), heure_fin=dt.time(12)) for j in range(5)]
        for regle in regles:
            RegleOuverture.objects.create(agenda=agenda, **regle)
        return agenda

    return factory


@pytest.fixture
def agenda(make_agenda):
    return make_agenda()


@pytest.fixture
def slot_day():
    """A future Tuesday that is not a holiday."""
    return next_weekday(1)


@pytest.fixture
def listener():
    """The (agenda pk, start) pairs the engine's place-freed listeners hear of."""
    from pacte.booking import hooks

    calls = []

    def fn(agenda, debut):
        calls.append((agenda.pk, debut))

    hooks.register_place_freed_listener(fn)
    yield calls
    hooks.unregister_place_freed_listener(fn)
