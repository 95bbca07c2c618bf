"""Benchmark: the slot-picking page of an agenda with 90 days of opening and 100,000 reservations.

Prints the number of SQL queries (compared with the same page on an empty agenda) and the median
server time over 30 requests with the Django test client. Runs in its own database (dropped after).
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacte_booking .venv/bin/python bench/booking_slots.py
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from booking_common import drop_database, make_agenda, setup_django  # noqa: E402

TOTAL = 100_000
REQUESTS = 30


def main() -> None:
    started = time.perf_counter()
    base = setup_django()
    try:
        run()
    finally:
        drop_database(base)
    print(f"total bench time: {time.perf_counter() - started:.1f} s")


def fill(agendas, total: int) -> int:
    """Bulk-create `total` reservations over the agendas' slots (past 90 days and next 90 days),
    with their capacity counters, respecting capacity."""
    from django.utils import timezone

    from pacte.booking.models import CompteurCreneau, Reservation
    from pacte.booking.selectors import creneaux_disponibles

    rng = random.Random(1)
    today = timezone.localdate()
    now = timezone.now()
    places = []
    for agenda in agendas:
        passe = creneaux_disponibles(
            agenda,
            debut=today - dt.timedelta(days=90),
            fin=today - dt.timedelta(days=1),
            pour_agent=True,
            now=now - dt.timedelta(days=90),
        )
        futur = creneaux_disponibles(agenda, debut=today, fin=today + dt.timedelta(days=90), pour_agent=True)
        for day_slots in list(passe.values()) + list(futur.values()):
            for creneau in day_slots:
                places.extend([(agenda, creneau)] * agenda.capacite)
    rng.shuffle(places)
    places = places[:total]
    counters: dict = {}
    batch = []
    for i, (agenda, creneau) in enumerate(places):
        key = (agenda.pk, creneau.debut)
        counters[key] = counters.get(key, 0) + 1
        batch.append(
            Reservation(
                reference=f"RDV-B{i:07d}",
                agenda=agenda,
                debut=creneau.debut,
                fin=creneau.fin,
                canal="telephone",
                compte_en_ligne=False,
                statut="confirmee" if creneau.debut > now else rng.choice(["honoree", "absent"]),
                nom=f"Fictif{i}",
                prenom="Bench",
                email=f"b{i}@exemple.invalid",
                token_hash=f"{i:064x}",
            )
        )
        if len(batch) == 5000:
            Reservation.objects.bulk_create(batch)
            batch = []
    Reservation.objects.bulk_create(batch)
    by_pk = {a.pk: a for a in agendas}
    CompteurCreneau.objects.bulk_create(
        [
            CompteurCreneau(
                agenda_id=pk,
                debut=debut,
                capacite=by_pk[pk].capacite,
                capacite_en_ligne=by_pk[pk].capacite_en_ligne,
                places_prises=n,
                places_prises_en_ligne=0,
            )
            for (pk, debut), n in counters.items()
        ],
        batch_size=5000,
    )
    return len(places)


def measure(client, url: str, params: dict) -> tuple[int, float, float]:
    from django.db import connection

    client.get(url, params)  # warm-up
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    timings = []
    for _ in range(REQUESTS):
        t0 = time.perf_counter()
        client.get(url, params)
        timings.append((time.perf_counter() - t0) * 1000)
    return len(queries), statistics.median(timings), max(timings)


def run() -> None:
    from django.db import connection
    from django.test import Client

    from pacte.booking.models import CompteurCreneau, Reservation
    from pacte.booking.selectors import prochain_creneau
    from pacte.models import Lieu

    lieux = list(Lieu.objects.all()[:10])
    cible = make_agenda(lieux[0], "Agenda mesuré")
    vide = make_agenda(lieux[0], "Agenda vide (référence)")
    autres = [make_agenda(lieux[i % len(lieux)], f"Agenda {i}") for i in range(40)]

    t0 = time.perf_counter()
    created = fill([cible, *autres], TOTAL)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"data: {created} reservations, {CompteurCreneau.objects.count()} counters "
        f"({Reservation.objects.filter(agenda=cible).count()} on the measured agenda), "
        f"created in {time.perf_counter() - t0:.1f} s"
    )

    client = Client()
    tracemalloc.start()
    for label, agenda in (("0 reservations", vide), (f"{TOTAL} reservations", cible)):
        jour = prochain_creneau(agenda).debut.astimezone().date()
        url = f"/reservation/{agenda.uuid}/"
        q_week, med_week, max_week = measure(client, url, {})
        q_day, med_day, max_day = measure(client, url, {"jour": jour.isoformat(), "semaine": "0"})
        q_far, med_far, _ = measure(client, url, {"semaine": "11"})
        print(
            f"[{label}] week page: {q_week} queries, median {med_week:.1f} ms (max {max_week:.1f}); "
            f"day page: {q_day} queries, median {med_day:.1f} ms (max {max_day:.1f}); "
            f"week +11: {q_far} queries, median {med_far:.1f} ms"
        )
    _current, peak = tracemalloc.get_traced_memory()
    print(f"peak Python memory during requests: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
