"""The écrivains' demo data (`seed_demo`): bookings on consistent slot counters, no message to
the fictional people for the demo history."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from ecrivains import demo
from pacte import demo as comptes_demo
from pacte.booking.models import CompteurCreneau, Reservation, Statut
from pacte.models import Notification


def test_demo_bookings_fill_the_counters_and_send_no_confirmation(db):
    """Every slot counter matches its active bookings (online ones within the online places); no
    confirmation goes to the fictional people, only the demo's cancellation is told."""
    comptes_demo.seed()
    demo.seed()
    a_venir = Reservation.objects.filter(agenda__permanence__isnull=False, statut=Statut.CONFIRMEE)
    assert a_venir.count() > 50
    actives = (
        Reservation.objects.filter(debut__gt=timezone.now())
        .exclude(statut=Statut.ANNULEE)
        .values("agenda_id", "debut")
        .annotate(places=Count("id"), en_ligne=Count("id", filter=Q(compte_en_ligne=True)))
    )
    counted = {
        (c.agenda_id, c.debut): (c.places_prises, c.places_prises_en_ligne)
        for c in CompteurCreneau.objects.all()
    }
    assert {(s["agenda_id"], s["debut"]): (s["places"], s["en_ligne"]) for s in actives} == {
        key: value for key, value in counted.items() if value != (0, 0)
    }
    assert all(c.places_prises <= c.capacite for c in CompteurCreneau.objects.all())
    assert all(c.places_prises_en_ligne <= c.capacite_en_ligne for c in CompteurCreneau.objects.all())
    # The only booking told anything is the one the demo cancels (its waiting list then hears of it).
    told = set(
        Notification.objects.filter(object_type="booking.reservation").values_list("object_id", flat=True)
    )
    cancelled = {
        str(pk) for pk in Reservation.objects.filter(statut=Statut.ANNULEE).values_list("pk", flat=True)
    }
    assert told and told <= cancelled
