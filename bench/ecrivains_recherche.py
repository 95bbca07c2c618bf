"""Benchmark: the public finder of écrivains publics with many permanences and reservations.

Creates 48 permanences (weekly, 90 days horizon, capacity 3) with every slot full for the next 80
days (~20 000 future reservations and their capacity counters) inside a transaction that is rolled
back; measures the engine's batched next-slot computation (`prochains_creneaux_par_agenda`) and the
finder page (all permanences, and filtered) with the test client: median server time, SQL queries,
then, in a separate traced pass (tracing slows Python down), the peak memory of one request.
Run: DATABASE_URL=... .venv/bin/python bench/ecrivains_recherche.py
(BENCH_PERMANENCES=… to change the volume, BENCH_PROFILE=1 for a profile of the batched function).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from ecrivains.models import Langue, Theme  # noqa: E402
from ecrivains.selectors import permanences_search  # noqa: E402
from ecrivains.services import Regle, permanence_create  # noqa: E402
from pacte.booking.models import CompteurCreneau, Reservation  # noqa: E402
from pacte.booking.selectors import creneaux_ouverts, prochains_creneaux_par_agenda  # noqa: E402
from pacte.models import Lieu  # noqa: E402

PERMANENCES = int(os.environ.get("BENCH_PERMANENCES", 48))
RUNS = int(os.environ.get("BENCH_RUNS", 7))


class Rollback(Exception):
    pass


def measure(client, url, params):
    times, cpu, queries = [], [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
        queries = len(ctx)
    if os.environ.get("BENCH_SQL"):
        for q in ctx.captured_queries:
            print(f"  {q['time']}s {q['sql'][:150]}")
    return statistics.median(times), statistics.median(cpu), queries


def main():
    call_command("load_reference", verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1")
    try:
        with transaction.atomic():
            lieux = list(Lieu.objects.all())
            themes, langues = list(Theme.objects.all()), list(Langue.objects.all())
            created = 0
            t0 = time.perf_counter()
            for i in range(PERMANENCES):
                p = permanence_create(
                    lieu=lieux[i % len(lieux)],
                    titre=f"Bench {i}",
                    regles=[
                        Regle(dt.time(9), dt.time(12), jour=i % 5),
                        Regle(dt.time(14), dt.time(17), jour=(i + 2) % 5),
                    ],
                    capacite=3,
                    places_agents=1,
                    horizon_jours=90,
                    themes=themes[i % 5 : i % 5 + 3],
                    langues=langues[: 1 + i % 4],
                )
                agenda = p.agenda
                rows, counters = [], []
                today = timezone.localdate()
                ouverts = creneaux_ouverts(
                    [agenda], debut=today + dt.timedelta(days=1), fin=today + dt.timedelta(days=89)
                )
                for day, slots in ouverts[agenda.pk].items():
                    for s, e in slots:
                        # Every slot full except the last days: the next free slot is far away.
                        taken = 3 if (day - today).days < 80 else 1
                        counters.append(
                            CompteurCreneau(
                                agenda=agenda,
                                debut=s,
                                capacite=3,
                                capacite_en_ligne=2,
                                places_prises=taken,
                                places_prises_en_ligne=min(taken, 2),
                            )
                        )
                        for _k in range(taken):
                            rows.append(
                                Reservation(
                                    reference=f"BENCH{i:02d}-{len(rows):06d}",
                                    agenda=agenda,
                                    debut=s,
                                    fin=e,
                                    nom="Bench",
                                    compte_en_ligne=_k < 2,
                                )
                            )
                Reservation.objects.bulk_create(rows, batch_size=2000)
                CompteurCreneau.objects.bulk_create(counters, batch_size=2000)
                created += len(rows)
            print(
                f"data: {PERMANENCES} permanences, {created} reservations ({time.perf_counter() - t0:.1f} s to create)"
            )
            agendas = [p.agenda for p in permanences_search()]
            client.get("/ecrivains-publics/")  # warm up (imports, URL resolver, templates)
            times, cpu = [], []
            for _ in range(RUNS):
                start, start_cpu = time.perf_counter(), time.process_time()
                with CaptureQueriesContext(connection) as ctx:
                    prochains = prochains_creneaux_par_agenda(agendas)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            free = sum(1 for c in prochains.values() if c)
            print(
                f"next free slot of {len(agendas)} agendas (batched): median {statistics.median(times):.1f} ms "
                f"({statistics.median(cpu):.1f} ms CPU in Python), {len(ctx)} queries, {free} with a free slot"
            )
            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(prochains_creneaux_par_agenda, agendas)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
            for label, params in [
                ("all", {}),
                ("filtered 5e+caf+arabe", {"arrondissement": 5, "theme": "caf", "langue": "arabe"}),
            ]:
                median, cpu, queries = measure(client, "/ecrivains-publics/", params)
                print(
                    f"finder {label}: median {median:.0f} ms ({cpu:.0f} ms CPU in Python), {queries} queries"
                )
            tracemalloc.start()
            client.get("/ecrivains-publics/")
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"peak memory of one unfiltered finder request: {peak / 1e6:.1f} MB")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
