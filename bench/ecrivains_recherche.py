"""Benchmark: the public finder of écrivains publics with many permanences and reservations.

Creates 40 permanences (weekly, 90 days horizon, capacity 3) and ~20 000 future reservations with
their capacity counters inside a transaction that is rolled back; measures the finder page
(all permanences, and filtered) with the test client: median server time, SQL queries, peak memory.
Run: DATABASE_URL=... .venv/bin/python bench/ecrivains_recherche.py
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
from ecrivains.services import Regle, permanence_create  # noqa: E402
from pacte.booking.models import CompteurCreneau, Reservation  # noqa: E402
from pacte.booking.selectors import _rule_applies, _slots_of_rule, local_tz  # noqa: E402
from pacte.models import Lieu  # noqa: E402

PERMANENCES = 40
RUNS = int(os.environ.get("BENCH_RUNS", 7))


class Rollback(Exception):
    pass


def measure(client, url, params):
    times, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
        queries = len(ctx)
    if os.environ.get("BENCH_SQL"):
        for q in ctx.captured_queries:
            print(f"  {q['time']}s {q['sql'][:150]}")
    return statistics.median(times), queries


def main():
    call_command("load_reference", verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1")
    tz = local_tz()
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
                rules = list(agenda.regles.all())
                rows, counters = [], []
                today = timezone.localdate()
                for d in range(1, 90):
                    day = today + dt.timedelta(days=d)
                    for regle in rules:
                        if _rule_applies(regle, day):
                            for s, e in _slots_of_rule(agenda, regle, day, tz):
                                # Every slot full except the last days: the next free slot is far away.
                                taken = 3 if d < 80 else 1
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
            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(client.get, "/ecrivains-publics/")
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            tracemalloc.start()
            for label, params in [
                ("all", {}),
                ("filtered 5e+caf+arabe", {"arrondissement": 5, "theme": "caf", "langue": "arabe"}),
            ]:
                median, queries = measure(client, "/ecrivains-publics/", params)
                print(f"finder {label}: median {median:.0f} ms, {queries} queries")
            _current, peak = tracemalloc.get_traced_memory()
            print(f"peak memory during requests: {peak / 1e6:.1f} MB")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
