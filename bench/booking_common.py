"""Shared setup of the booking benchmarks: a dedicated PostgreSQL database, migrated, with reference data.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/whatever .venv/bin/python bench/booking_slots.py
The benchmark creates (and drops at the end) `pacte_bench_booking` on the same server.
"""

from __future__ import annotations

import io
import os
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "pacte_bench_booking"


def _admin_dsn(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/postgres"))


def setup_django(db_name: str = BENCH_DB) -> str:
    """Create a fresh database, point Django at it, migrate and load the reference data."""
    import psycopg

    base = os.environ.get("DATABASE_URL")
    if not base or not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates its own database).")
    with psycopg.connect(_admin_dsn(base), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    parts = urllib.parse.urlsplit(base)
    os.environ["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{db_name}"))
    os.environ["DJANGO_ENV"] = "test"  # test profile: no SSL redirect, local caches
    os.environ.pop("REDIS_URL", None)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"  # messages stay in the outbox (a worker sends them)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", stdout=io.StringIO(), verbosity=0)
    return base


def drop_database(base: str, db_name: str = BENCH_DB) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(_admin_dsn(base), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def make_agenda(lieu, titre: str, *, capacite: int = 4, places_agents: int = 1, apres_midi: bool = True):
    """An agenda open Monday–Friday 9–12 (and 14–17), 30-minute slots, 90 days ahead."""
    import datetime as dt

    from pacte.booking.models import Agenda, RegleOuverture

    agenda = Agenda.objects.create(
        lieu=lieu,
        titre=titre,
        kind="demarches",
        capacite=capacite,
        places_agents=places_agents,
        delai_min_heures=0,
        horizon_jours=90,
    )
    plages = [(9, 12), (14, 17)] if apres_midi else [(9, 12)]
    RegleOuverture.objects.bulk_create(
        RegleOuverture(agenda=agenda, jour_semaine=j, heure_debut=dt.time(a), heure_fin=dt.time(b))
        for j in range(5)
        for a, b in plages
    )
    return agenda
