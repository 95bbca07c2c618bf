"""Benchmark: a staff calendar feed (ICS, #19.4) with 0 to 3,000 appointments in its window.

Prints, per volume, the VEVENTs served, the SQL queries (constant), the size, the server time of a
cold read (every event serialised: the cache emptied) and the median over 5 polls (each event kept
serialised under its content's hash: a poll rebuilds only what changed) with the Django test client. Runs in its own database (dropped after).
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacte_flux REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/flux_agenda.py
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from booking_common import drop_database, make_agenda, setup_django  # noqa: E402

DB = "pacte_bench_flux"
VOLUMES = (0, 1, 100, 1000, 3000)
REQUESTS = 5


REDIS_URL = os.environ.get("REDIS_URL")  # setup_django drops it: read it first


def main() -> None:
    started = time.perf_counter()
    base = setup_django(DB)
    try:
        run()
    finally:
        drop_database(base, DB)
    print(f"total bench time: {time.perf_counter() - started:.1f} s")


def run() -> None:
    from django.test.utils import override_settings

    if not REDIS_URL:
        print("REDIS_URL unset: the polls use a per-process memory cache, not production's Redis")
        measure()
        return
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    ):
        measure()


def measure() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from pacte import cache_reference
    from pacte.booking.models import Reservation
    from pacte.booking.selectors import local_tz
    from pacte.booking.services import flux_agenda_create
    from pacte.models import Lieu, Profil
    from pacte.roles import Role, ensure_groups

    ensure_groups()
    lieu = Lieu.objects.get(slug="mairie-du-6e-arrondissement")
    agenda = make_agenda(lieu, "Carte d'identité et passeport")
    agent = get_user_model().objects.create_user("agent-bench", email="agent@example.org")
    agent.groups.add(Group.objects.get(name=Role.AGENT))
    Profil.objects.create(user=agent, lieu=lieu)
    _flux, token = flux_agenda_create(user=agent)
    url = f"/reservation/agenda-agent/{token}.ics"
    client = Client()
    today = timezone.localdate()
    made = 0
    print(f"{'appointments':>12} {'events':>7} {'queries':>7} {'bytes':>9} {'cold ms':>8} {'median ms':>9}")
    for volume in VOLUMES:
        Reservation.objects.bulk_create(
            Reservation(
                reference=f"RDV-B{n:05d}",
                agenda=agenda,
                # Spread over the feed's window: 29 days back to 60 days ahead, 9:00–12:00.
                debut=dt.datetime.combine(
                    today + dt.timedelta(days=n % 89 - 29), dt.time(9 + n // 89 % 3), tzinfo=local_tz()
                ),
                fin=dt.datetime.combine(
                    today + dt.timedelta(days=n % 89 - 29), dt.time(9 + n // 89 % 3, 30), tzinfo=local_tz()
                ),
                prenom="Zoë",
                nom="Œdipe",
                telephone="+33612345678",
            )
            for n in range(made, volume)
        )
        made = max(made, volume)
        client.get(url)  # the read mark
        cache_reference.bump("flux_evenement")  # a new version: no event is found serialised
        start = time.perf_counter()
        client.get(url)
        cold = (time.perf_counter() - start) * 1000
        times = []
        for _ in range(REQUESTS):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        events = response.content.count(b"BEGIN:VEVENT")
        print(
            f"{made:>12} {events:>7} {len(queries):>7} {len(response.content):>9} {cold:>8.0f} {statistics.median(times):>9.0f}"
        )


if __name__ == "__main__":
    main()
