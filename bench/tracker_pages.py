"""Benchmark of the Pacte tracker's public pages and CSV import at the official size (~60 actions).

Run: DATABASE_URL=... .venv/bin/python bench/tracker_pages.py
Creates 60 actions, 300 milestones, 6 fake live indicators inside a transaction that is rolled back;
prints median ms, queries and peak MB for each page, and the time to check + import a 60-line CSV.
"""

from __future__ import annotations

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

import datetime as dt  # noqa: E402
import io  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = 15


def measure(client, url):
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return statistics.median(timings), len(queries), peak


def main():
    from django.core.signals import request_started
    from django.db import close_old_connections, reset_queries

    # As Django's test runner does: keep the connection (and its transaction) across requests.
    request_started.disconnect(close_old_connections)
    request_started.disconnect(reset_queries)
    settings.ALLOWED_HOSTS = ["*"]
    from pacte.models import Direction, JournalEntry
    from pacte.tracker import registry
    from pacte.tracker.csvio import actions_csv_export, actions_csv_import
    from pacte.tracker.models import Action, Jalon, Orientation
    from pacte.tracker.registry import Indicateur

    with transaction.atomic():
        call_command("load_reference", stdout=io.StringIO())
        orientations = list(Orientation.objects.all())
        directions = list(Direction.objects.all())
        for n in range(42):
            Action.objects.create(
                code=f"B{n + 1}",
                numero=n + 1,
                orientation=orientations[n % 3],
                titre=f"Action de banc d'essai numéro {n + 1}",
                direction=directions[n % len(directions)],
                avancement=n % 100,
            )
        actions = list(Action.objects.all())
        Jalon.objects.bulk_create(
            Jalon(
                action=actions[i % len(actions)],
                date_on=dt.date(2025, 1, 1) + dt.timedelta(days=i),
                titre=f"Étape {i}",
            )
            for i in range(300)
        )

        def calcul(debut=None, fin=None):
            return JournalEntry.objects.filter(object_type="tracker.action").count()

        fakes = {
            f"bench_{i}": Indicateur(f"bench_{i}", f"Indicateur {i}", "demandes", calcul, actions=("A1",))
            for i in range(6)
        }
        real = registry.all_indicateurs()
        registry_all = registry.all_indicateurs
        registry.all_indicateurs = lambda: {**real, **fakes}
        try:
            client = Client()
            print(f"{len(actions)} actions, 300 jalons, 6 indicateurs en direct sur A1 ({RUNS} passages)")
            for url in [
                "/pacte/",
                "/pacte/actions/",
                "/pacte/actions/?orientation=proximite",
                "/pacte/actions/A1/",
                "/pacte/historique/",
            ]:
                median, queries, peak = measure(client, url)
                print(f"{url:<42} médiane {median:7.1f} ms  {queries:3d} requêtes  pic {peak:5.1f} Mo")
            content = actions_csv_export()
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                rapport = actions_csv_import(content=content, actor=None)
            elapsed = (time.perf_counter() - start) * 1000
            if os.environ.get("BENCH_PROFILE"):
                import cProfile

                cProfile.runctx(
                    "actions_csv_import(content=content, actor=None)", globals(), locals(), sort="cumtime"
                )
            assert rapport.ok
            print(
                f"Import CSV de {len(rapport.lignes)} lignes (contrôle + écriture) : {elapsed:.0f} ms, "
                f"{len(queries)} requêtes"
            )
        finally:
            registry.all_indicateurs = registry_all
            transaction.set_rollback(True)


if __name__ == "__main__":
    main()
