"""Distance to the floor: server time of the public pages a citizen hits most (home, a démarche
page, the booking day page, the booking form) as a ratio of the liveness probe `/sante/vivant/`
(a view that does nothing) on the same gunicorn, measured interleaved in the same run, one
request at a time (the machine's other load hits every page alike). Target: each page ≤ 4×.

The booking form is opened by a new visitor each time, so each GET takes a slot hold (#19.2) and
writes a session, as in real use; "form (reload)" is the same visitor opening it again.
With REDIS_URL (or BENCH_REDIS_URL) the server runs as deployed (Redis cache).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacte .venv/bin/python bench/floor.py
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import (  # noqa: E402
    Browser,
    Gunicorn,
    collectstatic,
    drop_database,
    fresh_database,
    load_line,
    manage,
    production_env,
)

ROUNDS = int(os.environ.get("ROUNDS", "40"))
DB_NAME = "pacte_bench_floor"
PORT = int(os.environ.get("PORT", "8767"))
TARGET = 4.0


def setup(env):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")
    import django

    django.setup()
    from demarches.models import Demarche
    from pacte.booking.models import Agenda, RegleOuverture
    from pacte.booking.selectors import creneaux_disponibles
    from pacte.models import Lieu

    agenda = Agenda.objects.create(
        lieu=Lieu.objects.get(slug="hotel-de-ville"),
        titre="Carte nationale d'identité et passeport",
        kind="demarches",
        duree_creneau=15,
        capacite=ROUNDS * 4,  # every new visitor holds a place on the same slot
        places_agents=1,
        delai_min_heures=0,
        horizon_jours=30,
    )
    RegleOuverture.objects.bulk_create(
        RegleOuverture(agenda=agenda, jour_semaine=j, heure_debut=dt.time(8, 30), heure_fin=dt.time(17, 0))
        for j in range(7)
    )
    today = dt.date.today()
    days = creneaux_disponibles(agenda, debut=today + dt.timedelta(days=1), fin=today + dt.timedelta(days=14))
    day = next(d for d, slots in sorted(days.items()) if slots)
    demarche = Demarche.objects.publiees().order_by("pk").first()
    return agenda, day, demarche


def main():
    database_url = fresh_database(DB_NAME)
    env = production_env(database_url)
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    collectstatic(env, Path(os.environ.get("TMPDIR", "/tmp")) / "pacte-bench-static")
    agenda, day, demarche = setup(env)
    server = Gunicorn(env, PORT, workers=1, threads=1)
    timings, statuses = {}, {}
    try:
        citizen = Browser(server.url, timings, statuses)
        _, html = citizen.request("warm", f"/reservation/{agenda.uuid}/?jour={day.isoformat()}")
        slot = re.findall(rf"/reservation/{agenda.uuid}/(\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}})/", html)[0]
        pages = {
            "floor /sante/vivant/": "/sante/vivant/",
            "home /": "/",
            f"demarche /demarches/{demarche.slug}/": f"/demarches/{demarche.slug}/",
            "slot (day) page": f"/reservation/{agenda.uuid}/?jour={day.isoformat()}",
            "form (reload)": f"/reservation/{agenda.uuid}/{slot}/",
        }
        for path in pages.values():  # warm every page once (templates, connections)
            citizen.request("warm", path)
        for _ in range(ROUNDS):
            for kind, path in pages.items():
                citizen.request(kind, path)
            Browser(server.url, timings, statuses).request(
                "form (new visitor, takes a hold)", pages["form (reload)"]
            )
    finally:
        server.stop()
    timings.pop("warm", None)
    floor = statistics.median(timings["floor /sante/vivant/"])
    print(f"--- distance to the floor: {ROUNDS} interleaved rounds, gunicorn 1 worker x 1 thread, one client")
    print("server:", "Redis cache" if "REDIS_URL" in env else "local-memory cache (no REDIS_URL)")
    worst = 0.0
    for kind, values in timings.items():
        median = statistics.median(values)
        ratio = median / floor
        if kind != "floor /sante/vivant/":
            worst = max(worst, ratio)
        print(f"{kind:>42}: median {median * 1000:7.2f} ms   RATIO {ratio:5.2f}x")
    print(f"worst ratio: {worst:.2f}x (target <= {TARGET:.0f}x)")
    print("statuses:", dict(sorted(statuses.items())))
    print("machine:", load_line())
    from django.db import connections

    connections.close_all()
    drop_database(DB_NAME)
    if any(status >= 500 for status in statuses):
        sys.exit(1)


if __name__ == "__main__":
    main()
