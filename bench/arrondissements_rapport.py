"""Benchmark: the commitments report and the direction inbox over 20 000 requests.

Run with DATABASE_URL set: `.venv/bin/python bench/arrondissements_rapport.py`. The data is
created inside a transaction that is rolled back at the end. Prints median ms, queries, peak MB.
"""

import datetime as dt
import os
import random
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
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

N = int(os.environ.get("BENCH_N", "20000"))


class Rollback(Exception):
    pass


def timed(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    call_command("load_reference", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from arrondissements.models import DemandeAppui
    from arrondissements.rapport import rapport_build
    from arrondissements.selectors import demande_list_for
    from pacte.models import Arrondissement, Direction, Profil
    from pacte.roles import Role

    try:
        with transaction.atomic():
            arrs = list(Arrondissement.objects.all())
            dirs = list(Direction.objects.all())
            user = get_user_model().objects.create_user("bench-elu")
            referent = get_user_model().objects.create_user("bench-ref")
            referent.groups.add(Group.objects.get(name=Role.REFERENT))
            Profil.objects.create(user=referent, direction=dirs[0])
            rng = random.Random(1)
            now = timezone.now()
            rows = []
            for i in range(N):
                created = now - dt.timedelta(days=rng.randint(0, 365), hours=rng.randint(0, 23))
                answered = rng.random() < 0.7
                first = created + dt.timedelta(hours=rng.randint(1, 300)) if answered else None
                rows.append(
                    DemandeAppui(
                        reference=f"BENCH-{i}",
                        arrondissement=rng.choice(arrs),
                        direction=rng.choice(dirs),
                        auteur=user,
                        objet="Bench",
                        categorie="autre",
                        description="x",
                        created_at=created,
                        echeance=(created + dt.timedelta(days=14)).date(),
                        statut="repondue" if answered else rng.choice(["nouvelle", "prise_en_charge"]),
                        premiere_reponse_at=first,
                        resolue_at=first,
                        is_dans_delai=(first.date() <= (created + dt.timedelta(days=14)).date())
                        if first
                        else None,
                    )
                )
            t0 = time.perf_counter()
            DemandeAppui.objects.bulk_create(rows, batch_size=2000)
            print(f"created {N} requests in {time.perf_counter() - t0:.1f} s")
            debut, fin = (now - dt.timedelta(days=365)).date(), now.date()
            with CaptureQueriesContext(connection) as ctx:
                rapport_build(debut=debut, fin=fin)
            tracemalloc.start()
            ms = timed(lambda: rapport_build(debut=debut, fin=fin))
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            print(
                f"report (1 year, {N} requests): median {ms:.0f} ms, {len(ctx)} queries, peak {peak:.1f} MB"
            )
            with CaptureQueriesContext(connection) as ctx:
                list(demande_list_for(referent, boite="direction")[:25])
            ms = timed(lambda: list(demande_list_for(referent, boite="direction")[:25]))
            print(
                f"direction inbox (first page of ~{N // len(dirs)}): median {ms:.0f} ms, {len(ctx)} queries"
            )
            raise Rollback
    except Rollback:
        print("rolled back")


if __name__ == "__main__":
    main()
