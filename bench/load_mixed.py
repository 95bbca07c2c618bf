"""A mixed day at steady load through gunicorn on 127.0.0.1: citizens browsing the catalogue and
e-service pages, citizens booking, agents working the planning and the callback queue.
Prints req/s, median and p95 per kind of request, statuses; fails on any 5xx or overbooking.
Bounded: VUSERS threads for DURATION seconds (default 20 users, 60 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacte .venv/bin/python bench/load_mixed.py
"""

from __future__ import annotations

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
    collectstatic,
    drop_database,
    fresh_database,
    manage,
    print_figures,
    server_env,
)

VUSERS = int(os.environ.get("VUSERS", "20"))
DURATION = float(os.environ.get("DURATION", "60"))
DB_NAME = "pacte_bench_mixed"
PORT = int(os.environ.get("PORT", "8766"))


def setup(env):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")
    import django

    django.setup()
    from demarches import demo as demarches_demo
    from demarches.models import Demarche
    from pacte import demo as kernel_demo
    from pacte.booking.models import Agenda

    kernel_demo.seed()
    demarches_demo.seed()
    slugs = list(Demarche.objects.filter(is_published=True).values_list("slug", flat=True))
    agendas = [str(u) for u in Agenda.objects.filter(is_active=True).values_list("uuid", flat=True)]
    return slugs, agendas


def citizen_browse(browser, slugs, agendas):
    browser.request("catalogue", "/demarches/")
    browser.request("catalogue", "/demarches/?q=carte")
    browser.request("demarche_page", f"/demarches/{random.choice(slugs)}/")


def citizen_book(browser, slugs, agendas):
    agenda = random.choice(agendas)
    _, html = browser.request("slot_page", f"/reservation/{agenda}/")
    days = re.findall(r"[?&;]jour=(\d{4}-\d{2}-\d{2})", html)
    if not days:
        return
    _, html = browser.request("slot_page", f"/reservation/{agenda}/?jour={random.choice(days[:5])}")
    slots = re.findall(rf"/reservation/{agenda}/(\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}})/", html)
    if not slots:
        return
    slot = random.choice(slots)
    _, form = browser.request("form_page", f"/reservation/{agenda}/{slot}/")
    key = re.search(r'name="cle_idempotence" value="([^"]*)"', form)
    browser.request(
        "booking_post",
        f"/reservation/{agenda}/{slot}/",
        {
            "csrfmiddlewaretoken": browser.csrf(form),
            "nom": "Bernard",
            "prenom": "Alix",
            "email": "alix@example.org",
            "cle_idempotence": key.group(1) if key else "",
        },
    )


def agent_session(browser, slugs, agendas):
    if not getattr(browser, "signed_in", False):
        _, page = browser.request("login", "/espace/connexion/")
        browser.request(
            "login",
            "/espace/connexion/",
            {"csrfmiddlewaretoken": browser.csrf(page), "username": "agent", "password": "demo-agent-2026"},
        )
        browser.signed_in = True
    # The agent's own planning (the first agenda of their perimeter): another lieu's agenda is a 404.
    browser.request("agent_page", "/reservation/agent/planning/")
    browser.request("agent_page", "/demarches/rappels/")


def user_loop(base, slugs, agendas, deadline, timings, statuses):
    browser = Browser(base, timings, statuses)
    roll = random.random()
    action = citizen_browse if roll < 0.6 else citizen_book if roll < 0.85 else agent_session
    while time.monotonic() < deadline:
        action(browser, slugs, agendas)


def main():
    database_url = fresh_database(DB_NAME)
    env = server_env(database_url)
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    static_root = Path(os.environ.get("TMPDIR", "/tmp")) / "pacte-bench-static"
    collectstatic(env, static_root)
    slugs, agendas = setup(env)
    server = Gunicorn(env, PORT)
    timings, statuses = {}, {}
    try:
        start = time.perf_counter()
        deadline = time.monotonic() + DURATION
        threads = [
            threading.Thread(target=user_loop, args=(server.url, slugs, agendas, deadline, timings, statuses))
            for _ in range(VUSERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=DURATION + 60)
        elapsed = time.perf_counter() - start
    finally:
        server.stop()
    from django.db import connections
    from django.db.models import Count, F

    from pacte.booking.models import CompteurCreneau

    overbooked = CompteurCreneau.objects.filter(places_prises__gt=F("capacite")).count()
    errors_5xx = sum(n for status, n in statuses.items() if status >= 500)
    from pacte.booking.models import Reservation

    print_figures(
        f"mixed day: {VUSERS} virtual users for {DURATION:.0f} s (60 % browsing, 25 % booking, 15 % agents)",
        timings,
        statuses,
        elapsed,
        {
            "bookings confirmed during the run": Reservation.objects.filter(nom="Bernard").count(),
            "slots over capacity": overbooked,
            "reservations per agenda (max)": max(
                [r["n"] for r in Reservation.objects.values("agenda").annotate(n=Count("id"))] or [0]
            ),
            "5xx responses": errors_5xx,
        },
    )
    connections.close_all()
    drop_database(DB_NAME)
    if overbooked or errors_5xx:
        sys.exit(1)


if __name__ == "__main__":
    main()
