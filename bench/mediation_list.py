"""Benchmark: the médiateur's case list and CSV export with a year of 5,000 saisines.

Run: DATABASE_URL=... .venv/bin/python bench/mediation_list.py
Creates its data inside a transaction that is rolled back; prints median ms, queries, peak MB.
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

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


class Rollback(Exception):
    pass


def measure(client, url, runs=5):
    """Median wall time over `runs` (without tracing), then one traced run for queries and peak memory."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, HTTP_HOST="127.0.0.1")
        _ = response.content
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    tracemalloc.start()
    with CaptureQueriesContext(connection) as ctx:
        _ = client.get(url, HTTP_HOST="127.0.0.1").content
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return statistics.median(timings), len(ctx.captured_queries), peak


def main():
    from django.core.management import call_command

    from mediation import demo
    from mediation.models import Proposition, Saisine
    from pacte.models import Arrondissement

    if not Arrondissement.objects.exists():
        call_command("load_reference", verbosity=0)
    try:
        with transaction.atomic():
            # Start from an empty médiation (all rolled back at the end).
            Proposition.objects.all().delete()
            Saisine.objects.all().delete()
            started = time.perf_counter()
            demo.seed(scale=7)
            print(f"seed: {Saisine.objects.count()} saisines in {time.perf_counter() - started:.1f} s")
            with connection.cursor() as cursor:  # fresh rows: give the planner real statistics
                cursor.execute("ANALYZE")
            from django.contrib.auth import get_user_model

            client = Client()
            client.force_login(get_user_model().objects.get(username="mediateur"))
            for label, url in [
                ("list", "/mediateur/equipe/saisines/"),
                ("list filtered", "/mediateur/equipe/saisines/?statut=ouvertes&theme=salubrite_tranquillite"),
                ("search", "/mediateur/equipe/saisines/?q=Exemple"),
                ("export csv (all)", "/mediateur/equipe/saisines/export.csv"),
                ("public proposals", "/mediateur/propositions/"),
            ]:
                ms, queries, peak = measure(client, url)
                print(f"{label:<20} median {ms:7.1f} ms  queries {queries:3d}  peak {peak:6.1f} MB")
            case = Saisine.objects.filter(niveau="mediation_formelle").first()
            ms, queries, peak = measure(client, f"/mediateur/equipe/saisines/{case.uuid}/")
            print(f"{'case file':<20} median {ms:7.1f} ms  queries {queries:3d}  peak {peak:6.1f} MB")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
