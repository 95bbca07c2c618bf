"""Availability: rules − closures − holidays − counters, notice and horizon, reserved agent seats (G2)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from pacte.booking.models import CompteurCreneau, Fermeture, TypeRegle
from pacte.booking.selectors import (
    creneau_at,
    creneaux_disponibles,
    creneaux_ouverts,
    prochain_creneau,
    prochains_creneaux_par_agenda,
)
from pacte.booking.services import CreneauIndisponible, reservation_create

from .conftest import at

pytestmark = pytest.mark.django_db

# Monday 5 July 2027, 08:00 in Lyon: 14 July 2027 is a Wednesday, Ascension is Thursday 6 May 2027.
NOW = dt.datetime(2027, 7, 5, 8, 0, tzinfo=dt.UTC)


def heures(slots) -> list[str]:
    return [f"{s.debut:%H:%M}" for s in slots]


@time_machine.travel(NOW, tick=False)
def test_weekly_rule_gives_slots_on_open_weekdays_only(agenda):
    """A weekly Mon–Fri 9–12 rule yields six 30-minute slots each weekday and nothing at the weekend."""
    dispo = creneaux_disponibles(agenda, debut=dt.date(2027, 7, 6), fin=dt.date(2027, 7, 11))
    assert heures(dispo[dt.date(2027, 7, 6)]) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert dt.date(2027, 7, 10) not in dispo and dt.date(2027, 7, 11) not in dispo
    assert dispo[dt.date(2027, 7, 6)][0].debut == at(dt.date(2027, 7, 6), "09:00")


@time_machine.travel(NOW, tick=False)
def test_nth_weekday_of_month_rules(make_agenda):
    """'1st Wednesday' and 'last Friday' of the month open only those days."""
    agenda = make_agenda(
        regles=[
            dict(
                type=TypeRegle.NIEME, jour_semaine=2, nieme=1, heure_debut=dt.time(14), heure_fin=dt.time(15)
            ),
            dict(
                type=TypeRegle.NIEME, jour_semaine=4, nieme=-1, heure_debut=dt.time(9), heure_fin=dt.time(10)
            ),
        ]
    )
    dispo = creneaux_disponibles(agenda, debut=dt.date(2027, 7, 6), fin=dt.date(2027, 8, 31))
    assert sorted(dispo) == [
        dt.date(2027, 7, 7),
        dt.date(2027, 7, 30),
        dt.date(2027, 8, 4),
        dt.date(2027, 8, 27),
    ]
    assert heures(dispo[dt.date(2027, 8, 4)]) == ["14:00", "14:30"]


@time_machine.travel(NOW, tick=False)
def test_one_off_date_and_validity_range(make_agenda):
    """A one-off date opens that day only; a weekly rule outside its valid date range does not apply."""
    agenda = make_agenda(
        regles=[
            dict(
                type=TypeRegle.DATE_UNIQUE,
                date=dt.date(2027, 7, 10),
                heure_debut=dt.time(10),
                heure_fin=dt.time(11),
            ),
            dict(
                jour_semaine=0,
                heure_debut=dt.time(9),
                heure_fin=dt.time(10),
                valide_du=dt.date(2027, 7, 12),
                valide_au=dt.date(2027, 7, 19),
            ),
        ]
    )
    dispo = creneaux_disponibles(agenda, debut=dt.date(2027, 7, 5), fin=dt.date(2027, 7, 31))
    assert sorted(dispo) == [dt.date(2027, 7, 10), dt.date(2027, 7, 12), dt.date(2027, 7, 19)]


@time_machine.travel(NOW, tick=False)
def test_closures_whole_day_hours_and_lieu(agenda, lieu):
    """An agenda closure removes a whole day; a lieu closure of some hours removes only overlapping slots."""
    Fermeture.objects.create(
        agenda=agenda,
        debut=at(dt.date(2027, 7, 6), "00:00"),
        fin=at(dt.date(2027, 7, 7), "00:00"),
        motif="Travaux",
    )
    Fermeture.objects.create(
        lieu=lieu,
        debut=at(dt.date(2027, 7, 8), "10:15"),
        fin=at(dt.date(2027, 7, 8), "11:00"),
        motif="Réunion",
    )
    dispo = creneaux_disponibles(agenda, debut=dt.date(2027, 7, 6), fin=dt.date(2027, 7, 8))
    assert dt.date(2027, 7, 6) not in dispo
    assert heures(dispo[dt.date(2027, 7, 8)]) == ["09:00", "09:30", "11:00", "11:30"]


@time_machine.travel(dt.datetime(2027, 4, 26, 8, 0, tzinfo=dt.UTC), tick=False)
def test_public_holidays_are_closed_unless_the_agenda_opens_them(make_agenda):
    """14 July and Ascension are closed by default; an agenda with ferme_jours_feries=False opens them."""
    ferme = make_agenda()
    ouvert = make_agenda(titre="Permanence exceptionnelle", ferme_jours_feries=False, horizon_jours=120)
    for day in (dt.date(2027, 5, 6), dt.date(2027, 7, 14)):
        assert day not in creneaux_disponibles(ferme, debut=day, fin=day)
        assert day in creneaux_disponibles(ouvert, debut=day, fin=day)


@time_machine.travel(NOW, tick=False)
def test_buffer_between_slots(make_agenda):
    """With a 15-minute buffer, 30-minute slots start every 45 minutes and never overrun closing time."""
    agenda = make_agenda(tampon_minutes=15)
    dispo = creneaux_disponibles(agenda, debut=dt.date(2027, 7, 6), fin=dt.date(2027, 7, 6))
    assert heures(dispo[dt.date(2027, 7, 6)]) == ["09:00", "09:45", "10:30", "11:15"]


@time_machine.travel(NOW, tick=False)
def test_notice_and_horizon_for_citizens_not_for_agents(make_agenda):
    """Citizens respect the minimum notice and horizon; agents may book inside the notice."""
    agenda = make_agenda(delai_min_heures=48, horizon_jours=10)
    citoyen = creneaux_disponibles(agenda, debut=dt.date(2027, 7, 5), fin=dt.date(2027, 8, 31))
    assert min(citoyen) == dt.date(2027, 7, 7)
    assert heures(citoyen[dt.date(2027, 7, 7)])[0] == "10:00"  # 08:00 UTC = 10:00 Lyon, + 48 h
    assert max(citoyen) == dt.date(2027, 7, 15)
    agent = creneaux_disponibles(agenda, debut=dt.date(2027, 7, 5), fin=dt.date(2027, 8, 31), pour_agent=True)
    assert min(agent) == dt.date(2027, 7, 5)
    assert heures(agent[dt.date(2027, 7, 5)])[0] == "10:00"  # 09:30–10:00 has ended at 10:00
    assert max(agent) == dt.date(2027, 7, 15)


@time_machine.travel(NOW, tick=False)
def test_reserved_agent_seats_g2(make_agenda, make_user):
    """G2: online bookers cannot take the places reserved for agents; an agent can, up to capacity."""
    from pacte.roles import Role

    agenda = make_agenda(capacite=3, places_agents=2)
    agent = make_user(Role.AGENT)
    debut = at(dt.date(2027, 7, 6), "09:00")
    assert creneau_at(agenda, debut=debut).places_restantes == 1
    assert creneau_at(agenda, debut=debut, pour_agent=True).places_restantes == 3
    reservation_create(agenda=agenda, debut=debut, nom="Un", prenom="A", email="a@example.org")
    assert creneau_at(agenda, debut=debut) is None
    with pytest.raises(CreneauIndisponible) as exc:
        reservation_create(agenda=agenda, debut=debut, nom="Deux", prenom="B", email="b@example.org")
    assert exc.value.prochains and exc.value.prochains[0].debut == at(dt.date(2027, 7, 6), "09:30")
    reservation_create(agenda=agenda, debut=debut, nom="Trois", prenom="C", agent=agent, canal="telephone")
    reservation_create(agenda=agenda, debut=debut, nom="Quatre", prenom="D", agent=agent, canal="guichet")
    with pytest.raises(CreneauIndisponible):
        reservation_create(agenda=agenda, debut=debut, nom="Cinq", prenom="E", agent=agent, canal="guichet")
    assert creneau_at(agenda, debut=debut, pour_agent=True) is None


@time_machine.travel(NOW, tick=False)
def test_full_slot_disappears_and_next_slot_is_proposed(agenda):
    """A full slot is no longer offered; `prochain_creneau` returns the first free one."""
    first = prochain_creneau(agenda)
    assert first.debut == at(dt.date(2027, 7, 5), "10:00")
    reservation_create(agenda=agenda, debut=first.debut, nom="Un", prenom="A", telephone="0612345678")
    assert prochain_creneau(agenda).debut == at(dt.date(2027, 7, 5), "10:30")


@time_machine.travel(NOW, tick=False)
def test_slots_need_three_queries_whatever_the_data(agenda, django_assert_num_queries, lieu):
    """Availability over 90 days costs 3 queries (rules, closures, counters), whatever the volume."""
    Fermeture.objects.create(
        lieu=lieu, debut=at(dt.date(2027, 7, 20), "00:00"), fin=at(dt.date(2027, 7, 21), "00:00")
    )
    with django_assert_num_queries(3):
        creneaux_disponibles(agenda, debut=dt.date(2027, 7, 5), fin=dt.date(2027, 10, 3))


@time_machine.travel(NOW, tick=False)
def test_inactive_agenda_has_no_slots(make_agenda):
    """An inactive agenda offers nothing."""
    agenda = make_agenda(is_active=False)
    assert creneaux_disponibles(agenda, debut=dt.date(2027, 7, 5), fin=dt.date(2027, 7, 31)) == {}


def _remplir(agenda, debut, *, prises, en_ligne):
    """A capacity counter as bookings leave it (no reservation rows needed for availability)."""
    CompteurCreneau.objects.create(
        agenda=agenda,
        debut=debut,
        capacite=agenda.capacite,
        capacite_en_ligne=agenda.capacite_en_ligne,
        places_prises=prises,
        places_prises_en_ligne=en_ligne,
    )


@time_machine.travel(NOW, tick=False)
def test_next_slot_of_many_agendas_in_one_batch(make_agenda, lieu, django_assert_num_queries):
    """The batched next slot honours rules, counters, online places, notice, closures and holidays,
    agenda by agenda, in three queries for any number of agendas."""
    plein = make_agenda(titre="Premier créneau plein", capacite=2, places_agents=1)
    _remplir(plein, at(dt.date(2027, 7, 5), "10:00"), prises=1, en_ligne=1)  # online place taken
    agents = make_agenda(titre="Réservé aux agents", capacite=1, places_agents=1)
    preavis = make_agenda(titre="Préavis", delai_min_heures=48)
    ferme = make_agenda(titre="Fermé cette semaine")
    Fermeture.objects.create(
        agenda=ferme, debut=at(dt.date(2027, 7, 5), "00:00"), fin=at(dt.date(2027, 7, 13), "00:00")
    )
    ferie = make_agenda(
        titre="Le 14 juillet seulement",
        regles=[
            dict(
                type=TypeRegle.DATE_UNIQUE,
                date=dt.date(2027, 7, 14),
                heure_debut=dt.time(9),
                heure_fin=dt.time(10),
            )
        ],
    )
    inactif = make_agenda(titre="Inactif", is_active=False)
    agendas = [plein, agents, preavis, ferme, ferie, inactif]
    with django_assert_num_queries(3):
        citoyen = prochains_creneaux_par_agenda(agendas)
    assert citoyen[plein.pk].debut == at(dt.date(2027, 7, 5), "10:30")
    assert citoyen[plein.pk].places_restantes == 1
    assert citoyen[agents.pk] is None  # no online place at all (G2)
    assert citoyen[preavis.pk].debut == at(dt.date(2027, 7, 7), "10:00")
    assert citoyen[ferme.pk].debut == at(dt.date(2027, 7, 13), "09:00")
    assert citoyen[ferie.pk] is None  # 14 July is a holiday
    assert inactif.pk not in citoyen
    agent = prochains_creneaux_par_agenda(agendas, pour_agent=True)
    assert agent[plein.pk].debut == at(dt.date(2027, 7, 5), "10:00")  # the agent place is still free
    assert agent[agents.pk].debut == at(dt.date(2027, 7, 5), "10:00")  # 9:30–10:00 has ended
    assert agent[preavis.pk].debut == at(dt.date(2027, 7, 5), "10:00")  # no notice for agents
    for agenda in agendas[:-1]:
        for pour_agent, found in ((False, citoyen), (True, agent)):
            one = prochain_creneau(agenda, pour_agent=pour_agent)
            assert (found[agenda.pk] and found[agenda.pk].debut) == (one and one.debut)
    many = [make_agenda(titre=f"Agenda {i}") for i in range(10)]
    with django_assert_num_queries(3):
        prochains_creneaux_par_agenda(agendas + many)


@time_machine.travel(NOW, tick=False)
def test_next_slot_within_a_date_range(make_agenda):
    """`debut`/`fin` restrict the search: a weekend finds nothing, a full day moves to its next slot."""
    agenda = make_agenda(capacite=1)
    samedi = dt.date(2027, 7, 10)
    assert prochains_creneaux_par_agenda([agenda], debut=samedi, fin=samedi) == {agenda.pk: None}
    mardi = dt.date(2027, 7, 6)
    for hhmm in ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30"):
        _remplir(agenda, at(mardi, hhmm), prises=1, en_ligne=1)
    assert prochains_creneaux_par_agenda([agenda], debut=mardi, fin=mardi) == {agenda.pk: None}
    found = prochains_creneaux_par_agenda([agenda], debut=mardi, fin=mardi + dt.timedelta(days=1))
    assert found[agenda.pk].debut == at(dt.date(2027, 7, 7), "09:00")


@time_machine.travel(dt.datetime(2027, 10, 28, 8, 0, tzinfo=dt.UTC), tick=False)
def test_slots_keep_their_wall_clock_time_across_a_dst_change(make_agenda):
    """After the change to winter time (31 October 2027) slots still start at 9:00 Lyon time, and a
    full slot on either side of the change is recognised as full."""
    agenda = make_agenda(capacite=1)
    vendredi, lundi = dt.date(2027, 10, 29), dt.date(2027, 11, 1)  # 1 November is a holiday
    mardi = dt.date(2027, 11, 2)
    dispo = creneaux_disponibles(agenda, debut=vendredi, fin=mardi)
    assert heures(dispo[vendredi])[0] == heures(dispo[mardi])[0] == "09:00"
    assert lundi not in dispo
    assert dispo[vendredi][0].debut.utcoffset() == dt.timedelta(hours=2)
    assert dispo[mardi][0].debut.utcoffset() == dt.timedelta(hours=1)
    _remplir(agenda, at(mardi, "09:00"), prises=1, en_ligne=1)
    _remplir(agenda, at(vendredi, "09:00"), prises=1, en_ligne=1)
    assert heures(creneaux_disponibles(agenda, debut=mardi, fin=mardi)[mardi])[0] == "09:30"
    found = prochains_creneaux_par_agenda([agenda], debut=mardi)
    assert found[agenda.pk].debut == at(mardi, "09:30")
    found = prochains_creneaux_par_agenda([agenda], debut=vendredi)
    assert found[agenda.pk].debut == at(vendredi, "09:30")


@time_machine.travel(NOW, tick=False)
def test_opening_slots_include_past_days_and_ignore_bookings(make_agenda, lieu, django_assert_num_queries):
    """What an agenda offers: past days included, full slots included, closures and holidays removed."""
    agenda = make_agenda(capacite=1)
    _remplir(agenda, at(dt.date(2027, 7, 6), "09:00"), prises=1, en_ligne=1)
    Fermeture.objects.create(
        lieu=lieu, debut=at(dt.date(2027, 7, 7), "10:15"), fin=at(dt.date(2027, 7, 7), "11:00")
    )
    with django_assert_num_queries(2):
        ouverts = creneaux_ouverts([agenda], debut=dt.date(2027, 6, 28), fin=dt.date(2027, 7, 14))
    days = ouverts[agenda.pk]
    assert dt.date(2027, 6, 28) in days  # in the past
    assert len(days[dt.date(2027, 7, 6)]) == 6  # the full 9:00 slot is still offered
    assert [f"{s:%H:%M}" for s, _e in days[dt.date(2027, 7, 7)]] == ["09:00", "09:30", "11:00", "11:30"]
    assert dt.date(2027, 7, 10) not in days and dt.date(2027, 7, 14) not in days
