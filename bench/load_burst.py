"""Slot-release burst: many virtual citizens book the same day's slots of a popular agenda
(titres d'identité) through gunicorn on 127.0.0.1. Prints req/s, p95 page and booking times,
and proves zero overbooking and zero 5xx. Bounded: VUSERS threads × ATTEMPTS each, 120 s max.
In the same run, the same number of users hit the liveness probe (a view that does nothing) on the
same server: the burst's req/s is printed as a ratio of it (targets: ≥ 0.35×, booking POST p95
≤ 300 ms, slot page p95 ≤ 250 ms). With REDIS_URL (or BENCH_REDIS_URL) the server runs as deployed:
Redis cache and broker, and a Celery worker sends the messages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacte .venv/bin/python bench/load_burst.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import (  # noqa: E402
    Browser,
    Gunicorn,
    Worker,
    collectstatic,
    drop_database,
    fresh_database,
    load_line,
    manage,
    percentile,
    print_figures,
    production_env,
    trivial_burst,
)

VUSERS = int(os.environ.get("VUSERS", "40"))
ATTEMPTS = int(os.environ.get("ATTEMPTS", "3"))
DB_NAME = "pacte_bench_load"
PORT = int(os.environ.get("PORT", "8765"))


def setup(env):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")
    import django

    django.setup()
    from pacte.booking.models import Agenda, RegleOuverture
    from pacte.models import Lieu

    lieu = Lieu.objects.get(slug="hotel-de-ville")
    agenda = Agenda.objects.create(
        lieu=lieu,
        titre="Carte nationale d'identité et passeport",
        kind="demarches",
        duree_creneau=15,
        capacite=4,
        places_agents=1,
        delai_min_heures=0,
        horizon_jours=30,
    )
    for jour in range(7):
        RegleOuverture.objects.create(
            agenda=agenda,
            type="hebdomadaire",
            jour_semaine=jour,
            heure_debut=dt.time(8, 30),
            heure_fin=dt.time(12, 0),
        )
    from pacte.booking.selectors import creneaux_disponibles

    today = dt.date.today()
    days = creneaux_disponibles(agenda, debut=today + dt.timedelta(days=1), fin=today + dt.timedelta(days=14))
    day = next(d for d, slots in sorted(days.items()) if slots)
    return agenda, day


def citizen(base, agenda_uuid, day, timings, statuses, results, lock):
    browser = Browser(base, timings, statuses)
    for _ in range(ATTEMPTS):
        status, html = browser.request("slot_page", f"/reservation/{agenda_uuid}/?jour={day.isoformat()}")
        slots = re.findall(rf"/reservation/{agenda_uuid}/(\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}})/", html)
        if not slots:
            with lock:
                results["no_slot_left"] += 1
            return
        slot = random.choice(slots[:6])  # everybody rushes the first slots
        status, form = browser.request("form_page", f"/reservation/{agenda_uuid}/{slot}/")
        key = re.search(r'name="cle_idempotence" value="([^"]*)"', form)
        if key is None:  # the slot filled up while this citizen looked: the page offers the next ones
            with lock:
                results["full_before_form"] = results.get("full_before_form", 0) + 1
            continue
        status, page = browser.request(
            "booking_post",
            f"/reservation/{agenda_uuid}/{slot}/",
            {
                "csrfmiddlewaretoken": browser.csrf(form),
                "nom": "Martin",
                "prenom": "Camille",
                "telephone": "06 12 34 56 78",
                "cle_idempotence": key.group(1),
            },
        )
        outcome = "booked" if status == 200 else ("taken" if status == 409 else f"other_{status}")
        with lock:
            results[outcome] = results.get(outcome, 0) + 1
            if outcome.startswith("other") and "sample" not in results:
                results["sample"] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))[-300:]


def main():
    database_url = fresh_database(DB_NAME)
    env = production_env(database_url)
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    collectstatic(env, Path(os.environ.get("TMPDIR", "/tmp")) / "pacte-bench-static")
    agenda, day = setup(env)
    server = Gunicorn(env, PORT, workers=2, threads=4)
    worker = Worker(env) if "REDIS_URL" in env else None
    timings, statuses = {}, {}
    results = {k: 0 for k in ("booked", "taken", "no_slot_left")}
    lock = threading.Lock()
    try:
        trivial_burst(server.url, vusers=VUSERS, per_user=5)  # warm-up: workers and connections
        floor = trivial_burst(server.url, vusers=VUSERS, per_user=25)
        start = time.perf_counter()
        threads = [
            threading.Thread(
                target=citizen, args=(server.url, agenda.uuid, day, timings, statuses, results, lock)
            )
            for _ in range(VUSERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.perf_counter() - start
    finally:
        server.stop()
        if worker is not None:
            worker.stop()
    from django.db.models import Count

    from pacte.booking.models import Reservation

    per_slot = (
        Reservation.objects.filter(agenda=agenda, statut="confirmee").values("debut").annotate(n=Count("id"))
    )
    overbooked = [row for row in per_slot if row["n"] > agenda.capacite - agenda.places_agents]
    total = sum(len(v) for v in timings.values())
    errors_5xx = sum(n for status, n in statuses.items() if status >= 500)
    print_figures(
        f"slot-release burst: {VUSERS} virtual citizens x {ATTEMPTS} attempts, agenda capacity "
        f"{agenda.capacite} ({agenda.places_agents} reserved for agents) per 15-min slot",
        timings,
        statuses,
        elapsed,
        {
            "outcomes": results,
            "confirmed reservations": Reservation.objects.filter(agenda=agenda, statut="confirmee").count(),
            "overbooked slots (online > capacity - agent seats)": len(overbooked),
            "5xx responses": errors_5xx,
            "trivial view (/sante/vivant/, same server, same users)": (
                f"{floor['rps']:.1f} req/s, p95 {floor['p95'] * 1000:.1f} ms"
            ),
            "RATIO burst req/s / trivial req/s": (f"{total / elapsed / floor['rps']:.2f}x (target >= 0.35x)"),
            "booking POST p95 (target <= 300 ms)": f"{percentile(timings.get('booking_post', []), 0.95) * 1000:.0f} ms",
            "slot page p95 (target <= 250 ms)": f"{percentile(timings.get('slot_page', []), 0.95) * 1000:.0f} ms",
            "server": "gunicorn 2 workers x 4 threads"
            + (", Redis + 1 Celery worker" if worker else ", no Redis"),
            "machine": load_line(),
        },
    )
    from django.db import connections

    connections.close_all()
    drop_database(DB_NAME)
    if overbooked or errors_5xx:
        sys.exit(1)


if __name__ == "__main__":
    main()
