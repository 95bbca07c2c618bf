"""Benchmark: public catalogue/engagement/detail pages and the callback queue with volume.

Creates 300 extra published e-services (4 alternatives each) and 5,000 callback requests
(with attempts) inside a transaction that is rolled back, then measures median server time,
SQL queries and peak memory for each page. Run: DATABASE_URL=... .venv/bin/python bench/demarches_pages.py
"""

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

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from demarches.models import Alternative, DemandeRappel, Demarche, TentativeAppel  # noqa: E402
from demarches.services import rappel_promesse  # noqa: E402
from pacte.models import Lieu  # noqa: E402
from pacte.roles import Role  # noqa: E402


class Rollback(Exception):
    pass


def measure(client, url, runs=15):
    times = []
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = len(ctx.captured_queries)
    tracemalloc.start()
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), queries, peak / 1e6


def main():
    call_command("load_reference", verbosity=0)
    try:
        with transaction.atomic():
            mairies = list(Lieu.objects.filter(type="mairie"))
            demarches = Demarche.objects.bulk_create(
                [
                    Demarche(
                        slug=f"bench-{i}",
                        code=f"bench_{i}",
                        titre=f"Démarche de test {i}",
                        categorie="bench",
                        description="Texte de test pour la recherche",
                        is_published=True,
                    )
                    for i in range(300)
                ]
            )
            alternatives = Alternative.objects.bulk_create(
                [
                    Alternative(demarche=d, type=t, adresse_postale="x")
                    for d in demarches
                    for t in ("guichet", "telephone", "rappel", "courrier")
                ]
            )
            through = Alternative.lieux.through
            through.objects.bulk_create(
                [
                    through(alternative=a, lieu=lieu)
                    for a in alternatives
                    if a.type == "guichet"
                    for lieu in mairies
                ]
            )
            now = timezone.now()
            demandes = DemandeRappel.objects.bulk_create(
                [
                    DemandeRappel(
                        reference=f"BENCH{i:06d}",
                        nom="Fictif",
                        telephone="+33612345678",
                        objet="x",
                        canal="en_ligne",
                        created_at=now - dt.timedelta(hours=i % 400),
                        promesse_at=rappel_promesse(now - dt.timedelta(hours=i % 400)),
                    )
                    for i in range(5000)
                ]
            )
            TentativeAppel.objects.bulk_create(
                [TentativeAppel(demande=d, resultat="injoignable") for d in demandes[::2]]
            )
            from django.contrib.auth import get_user_model
            from django.contrib.auth.models import Group

            user = get_user_model().objects.create_user("bench-agent", password="x")
            user.groups.add(Group.objects.get_or_create(name=Role.AGENT)[0])
            client = Client(HTTP_HOST="localhost")
            pages = {
                "catalogue": "/demarches/",
                "catalogue recherche": "/demarches/?q=test+recherche",
                "engagement": "/demarches/engagement/",
                "détail": "/demarches/titres-identite/",
            }
            print(f"{'page':28} {'médiane ms':>10} {'requêtes':>9} {'pic Mo':>7}")
            for name, url in pages.items():
                median, queries, peak = measure(client, url)
                print(f"{name:28} {median:10.1f} {queries:9d} {peak:7.1f}")
            client.force_login(user)
            median, queries, peak = measure(client, "/demarches/rappels/", runs=5)
            print(f"{'file des rappels (5000)':28} {median:10.1f} {queries:9d} {peak:7.1f}")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
