"""Benchmark: concurrent bookings on distinct slots per second (threads with their own connections).

Each thread books through `reservation_create` (the real service: availability check, counter
UPDATE, reservation INSERT, journal, outbox rows) on its own share of slots of one agenda.
Runs in its own database (dropped after).
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacte_booking .venv/bin/python bench/booking_throughput.py
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from booking_common import drop_database, make_agenda, setup_django  # noqa: E402

DB_NAME = "pacte_bench_booking_debit"
THREADS = (1, 4, 8)
PER_THREAD = 60


def main() -> None:
    started = time.perf_counter()
    base = setup_django(DB_NAME)
    try:
        run()
    finally:
        drop_database(base, DB_NAME)
    print(f"total bench time: {time.perf_counter() - started:.1f} s")


def worker(agenda_id: int, slots, out: list, index: int, barrier: threading.Barrier) -> None:
    from django.db import connection

    from pacte.booking.models import Agenda
    from pacte.booking.services import CreneauIndisponible, reservation_create

    agenda = Agenda.objects.select_related("lieu").get(pk=agenda_id)
    latencies, failures = [], 0
    barrier.wait()
    for n, creneau in enumerate(slots):
        t0 = time.perf_counter()
        try:
            reservation_create(
                agenda=agenda,
                debut=creneau.debut,
                nom=f"Bench{index}-{n}",
                prenom="Fictif",
                email=f"t{index}-{n}@exemple.invalid",
            )
        except CreneauIndisponible:
            failures += 1
        latencies.append((time.perf_counter() - t0) * 1000)
    out[index] = (latencies, failures)
    connection.close()


def run() -> None:
    import datetime as dt

    from django.utils import timezone

    from pacte.booking.models import Reservation
    from pacte.booking.selectors import creneaux_disponibles
    from pacte.models import Lieu

    lieu = Lieu.objects.first()
    for threads in THREADS:
        agenda = make_agenda(lieu, f"Débit {threads}", capacite=1, places_agents=0)
        today = timezone.localdate()
        dispo = creneaux_disponibles(agenda, debut=today, fin=today + dt.timedelta(days=90))
        slots = [c for cs in dispo.values() for c in cs][: threads * PER_THREAD]
        shares = [slots[i::threads] for i in range(threads)]
        out: list = [None] * threads
        barrier = threading.Barrier(threads + 1)
        pool = [
            threading.Thread(target=worker, args=(agenda.pk, shares[i], out, i, barrier))
            for i in range(threads)
        ]
        for t in pool:
            t.start()
        barrier.wait()
        t0 = time.perf_counter()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - t0
        latencies = [ms for lat, _f in out for ms in lat]
        failures = sum(f for _lat, f in out)
        booked = Reservation.objects.filter(agenda=agenda).count()
        print(
            f"{threads} thread(s): {booked} bookings in {elapsed:.2f} s = {booked / elapsed:.1f} bookings/s; "
            f"latency median {statistics.median(latencies):.1f} ms, "
            f"p95 {sorted(latencies)[int(len(latencies) * 0.95)]:.1f} ms; refused {failures}"
        )


if __name__ == "__main__":
    main()
