"""Slot-release burst: many virtual citizens book the same day's slots of a popular agenda
(titres d'identité) through gunicorn on 127.0.0.1. Prints req/s, p95 page and booking times,
and proves zero overbooking and zero 5xx. Bounded: VUSERS threads × ATTEMPTS each, 120 s max.
In the same run, the same number of users hit the liveness probe (a view that does nothing) on the
same server: the burst's req/s is printed as a ratio of it (targets: ≥ 0.35×, booking POST p95
≤ 300 ms, slot page p95 ≤ 250 ms). With REDIS_URL (or BENCH_REDIS_URL) the server runs as deployed:
Redis cache and broker, and a Celery worker sends the messages.

Fair access (#19.3): the démarche caps active bookings at BENCH_CAP per person and the per-IP rate
limits are on (each virtual client has its own address through X-Forwarded-For). Besides the
VUSERS citizens (each books once, with their own name and phone), HOARDERS clients book
repeatedly as one person (phone and name written differently each time) and BOTS clients, all from
one address, post BOT_ATTEMPTS forms filling the honeypot. Printed: how many posts were refused by
the honeypot, by the cap, by the rate limit, and how many citizens got their booking. Counts, not
speed, are what this part measures (timings on a shared machine are noisy).

Before measuring, every page of the journey is opened once per server thread (what a running
server has done long ago: imports, compiled templates, pooled connections); those first requests'
times are printed as the cold start. The clients then start at once. Printed too: the CPU each side
spends per request (client, gunicorn, Celery worker, PostgreSQL backends), for the trivial burst
and the real one. BENCH_PROFILE=1 adds where each request's time goes in the server, phase by
phase (bench/_gunicorn_profile.py), and samples of pg_stat_activity (lock waits, idle in
transaction). BENCH_WORKERS / BENCH_THREADS change gunicorn's processes and threads (2 x 4).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacte .venv/bin/python bench/load_burst.py
    BENCH_PROFILE=1 DATABASE_URL=… REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/load_burst.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import (  # noqa: E402
    Browser,
    CpuBudget,
    Gunicorn,
    PgSampler,
    Worker,
    collectstatic,
    cpu_line,
    drop_database,
    fresh_database,
    load_line,
    manage,
    percentile,
    print_figures,
    production_env,
    profile_lines,
    server_profile,
    trivial_burst,
)

VUSERS = int(os.environ.get("VUSERS", "40"))
ATTEMPTS = int(os.environ.get("ATTEMPTS", "3"))
HOARDERS = int(os.environ.get("HOARDERS", str(max(1, VUSERS // 10))))
BOTS = int(os.environ.get("BOTS", str(max(1, VUSERS // 10))))
BOT_ATTEMPTS = int(os.environ.get("BOT_ATTEMPTS", "15"))
BENCH_CAP = int(os.environ.get("BENCH_CAP", "1"))
BOT_IP = "203.0.113.66"  # every robot behind one address (TEST-NET-3)
DB_NAME = os.environ.get("BENCH_DB", "pacte_bench_load")  # one per concurrent run
PORT = int(os.environ.get("PORT", "8765"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
PROFILE = os.environ.get("BENCH_PROFILE", "") not in ("", "0")


def setup(env):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")
    import django

    django.setup()
    from pacte.booking.models import Agenda, RegleOuverture
    from pacte.models import Lieu

    lieu = Lieu.objects.get(slug="hotel-de-ville")

    def counter(titre: str, capacite: int) -> Agenda:
        """An agenda open every morning, 15-minute slots, one place per slot kept for agents."""
        created = Agenda.objects.create(
            lieu=lieu,
            titre=titre,
            kind="demarches",
            duree_creneau=15,
            capacite=capacite,
            places_agents=1,
            delai_min_heures=0,
            horizon_jours=30,
        )
        RegleOuverture.objects.bulk_create(
            RegleOuverture(
                agenda=created, jour_semaine=j, heure_debut=dt.time(8, 30), heure_fin=dt.time(12, 0)
            )
            for j in range(7)
        )
        return created

    agenda = counter("Carte nationale d'identité et passeport", 4)
    from demarches.enums import TypeAlternative
    from demarches.models import Demarche

    # The agenda is the counter of « titres d'identité », capped per person (#19.3).
    demarche = Demarche.objects.get(code="titres_identite")
    demarche.rdv_max_par_personne = BENCH_CAP
    demarche.save(update_fields=["rdv_max_par_personne"])
    demarche.alternatives.get(type=TypeAlternative.GUICHET).agendas.add(agenda)
    from pacte.booking.selectors import creneaux_disponibles

    today = dt.date.today()
    days = creneaux_disponibles(agenda, debut=today + dt.timedelta(days=1), fin=today + dt.timedelta(days=14))
    day = next(d for d, slots in sorted(days.items()) if slots)
    # The warm-up books on another counter of the same kind, so that the burst's counts stay its own.
    warm = counter("Accueil (préchauffage)", 50)
    return agenda, day, warm


REFUS_PLAFOND = "Vous avez déjà un rendez-vous pour cette démarche."
REFUS_POT = "Votre demande n&#x27;a pas pu être enregistrée."


def _phone(i: int, style: int = 0) -> str:
    """A valid French mobile number per client, written in one of three ways (same number)."""
    digits = f"6{12 + i // 10000:02d}{i % 10000:04d}{i % 97:02d}"
    return [
        f"0{digits[0]} {digits[1:3]} {digits[3:5]} {digits[5:7]} {digits[7:]}",
        f"+33{digits}",
        f"0033 {digits}",
    ][style % 3]


def _outcome(status: int, page: str) -> str:
    if status == 429:
        return "refused_ratelimit"
    if REFUS_POT in page:
        return "refused_honeypot"
    if REFUS_PLAFOND in page:
        return "refused_cap"
    if status == 409:
        return "taken"
    return "booked" if status == 200 and "Votre rendez-vous est confirmé" in page else f"other_{status}"


def client(kind, index, base, agenda_uuid, day, timings, statuses, results, lock, go=None):
    """One virtual client: a citizen (books once), a hoarder (books ATTEMPTS times as the same
    person) or a bot (BOT_ATTEMPTS posts with the honeypot filled, all bots on one address).
    With `go`, waits for it before the first request (every client starts at once)."""
    ip = BOT_IP if kind == "bot" else f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"
    browser = Browser(base, timings, statuses, ip=ip)
    if go is not None:
        go.wait()
    attempts = {"citizen": ATTEMPTS, "hoarder": ATTEMPTS, "bot": BOT_ATTEMPTS}[kind]
    for attempt in range(attempts):
        status, html = browser.request("slot_page", f"/reservation/{agenda_uuid}/?jour={day.isoformat()}")
        slots = re.findall(rf"/reservation/{agenda_uuid}/(\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}})/", html)
        if not slots:
            with lock:
                results[kind]["no_slot_left"] = results[kind].get("no_slot_left", 0) + 1
            return
        slot = random.choice(slots[:6])  # everybody rushes the first slots
        status, form = browser.request("form_page", f"/reservation/{agenda_uuid}/{slot}/")
        key = re.search(r'name="cle_idempotence" value="([^"]*)"', form)
        if key is None:  # the slot filled up while this client looked: the page offers the next ones
            with lock:
                results[kind]["full_before_form"] = results[kind].get("full_before_form", 0) + 1
            continue
        person = {
            "citizen": {"nom": f"Citoyen{index}", "prenom": "Camille", "telephone": _phone(index)},
            # The same person each time, written differently: the cap must still recognise them.
            "hoarder": {
                "nom": f"ACCAPAREUR{index}" if attempt % 2 else f"Accapareur{index}",
                "prenom": "Éloïse" if attempt % 2 else "eloise",
                "telephone": _phone(50000 + index, attempt),
            },
            "bot": {
                "nom": f"Robot{index}x{attempt}",
                "prenom": "Bot",
                "telephone": _phone(90000 + index * 100 + attempt),
            },
        }[kind]
        data = {"csrfmiddlewaretoken": browser.csrf(form), "cle_idempotence": key.group(1), **person}
        if kind == "bot":
            data["site_web"] = "http://promo.example"
        status, page = browser.request("booking_post", f"/reservation/{agenda_uuid}/{slot}/", data)
        outcome = _outcome(status, page)
        with lock:
            results[kind][outcome] = results[kind].get(outcome, 0) + 1
            if outcome.startswith("other") and "sample" not in results:
                results["sample"] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))[-300:]
        if kind == "citizen" and outcome == "booked":
            return  # a citizen needs one appointment


def _kind(method: str, path: str, query: str) -> str | None:
    """The server-side kind of a request, for the profile (the client's booking_post is the POST
    and the page it redirects to)."""
    if path.startswith("/reservation/mon-rendez-vous/") or path.startswith("/reservation/confirmation/"):
        return "booking page after the POST (gerer)"
    if re.fullmatch(r"/reservation/[0-9a-f-]{36}/", path):
        return "slot page"
    if re.fullmatch(r"/reservation/[0-9a-f-]{36}/[0-9T:-]+/", path):
        return "booking POST" if method == "POST" else "form page"
    return None


def warm_up(base, warm, agenda, day) -> dict:
    """Every page of the journey once per server thread, as a running server has them: imports,
    compiled templates, pooled connections, cached reference data. Books on the `warm` agenda only
    (the burst's counts stay its own); the burst's day page is only read. Returns the timings of
    these first requests (the cost of a cold start, printed)."""
    timings, statuses, results = {}, {}, {"citizen": {}}
    lock = threading.Lock()

    def journey(i):
        client("citizen", 200000 + i, base, warm.uuid, day, timings, statuses, results, lock)
        Browser(base, timings, statuses).request(
            "slot_page", f"/reservation/{agenda.uuid}/?jour={day.isoformat()}"
        )

    threads = [threading.Thread(target=journey, args=(i,)) for i in range(WORKERS * THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return timings


def main():
    database_url = fresh_database(DB_NAME)
    env = production_env(database_url)
    # Per-IP limits on, each virtual client with its own address (X-Forwarded-For from the harness).
    env.update(RATELIMIT_ENABLED="1", RATELIMIT_TRUST_X_FORWARDED_FOR="1")
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    collectstatic(env, Path(os.environ.get("TMPDIR", "/tmp")) / "pacte-bench-static")
    agenda, day, warm = setup(env)
    profile_dir = Path(tempfile.mkdtemp(prefix="pacte-burst-profile-")) if PROFILE else None
    server = Gunicorn(env, PORT, workers=WORKERS, threads=THREADS, profile_dir=profile_dir)
    worker = Worker(env) if "REDIS_URL" in env else None
    timings, statuses = {}, {}
    results = {"citizen": {}, "hoarder": {}, "bot": {}}
    lock = threading.Lock()
    kinds = ["citizen"] * VUSERS + ["hoarder"] * HOARDERS + ["bot"] * BOTS
    random.shuffle(kinds)
    go = threading.Event()
    budget = CpuBudget(DB_NAME, server=server, worker=worker)
    sampler = PgSampler(DB_NAME) if PROFILE else None
    try:
        cold = warm_up(server.url, warm, agenda, day)
        trivial_burst(server.url, vusers=VUSERS, per_user=5)  # warm-up: workers and connections
        budget.start()
        floor = trivial_burst(server.url, vusers=VUSERS, per_user=25)
        floor_budget = budget.stop()
        threads = [
            threading.Thread(
                target=client,
                args=(kind, i, server.url, agenda.uuid, day, timings, statuses, results, lock, go),
            )
            for i, kind in enumerate(kinds)
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # every client is ready: the burst starts at once
        budget.start()
        if sampler:
            sampler.start()
        start = time.perf_counter()
        go.set()
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.perf_counter() - start
        burst_budget = budget.stop()
        pg_lines = sampler.stop() if sampler else []
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
    confirmed = Reservation.objects.filter(agenda=agenda, statut="confirmee")
    refused = {
        cause: sum(r.get(f"refused_{cause}", 0) for r in results.values() if isinstance(r, dict))
        for cause in ("honeypot", "cap", "ratelimit")
    }
    from pacte.journal import JournalEntry

    citizens_booked = confirmed.filter(nom__startswith="Citoyen").values("nom").distinct().count()
    hoarders = confirmed.filter(nom__istartswith="accapareur").values("nom_replie").annotate(n=Count("id"))
    hoarder_bookings = sum(row["n"] for row in hoarders)
    cap_breaches = [row for row in hoarders if row["n"] > BENCH_CAP]
    fairness = {
        "posts refused by the honeypot": refused["honeypot"],
        "posts refused by the per-person cap": refused["cap"],
        "posts refused by the rate limit (429)": refused["ratelimit"],
        "honeypot catches journaled (pacte.pot_de_miel)": JournalEntry.objects.filter(
            action="pacte.pot_de_miel"
        ).count(),
        "bookings made by bots": confirmed.filter(nom__startswith="Robot").count(),
        f"bookings held by the {HOARDERS} hoarders (cap {BENCH_CAP} each)": hoarder_bookings,
        "hoarders over the cap": len(cap_breaches),
        f"citizens who got their booking (of {VUSERS})": citizens_booked,
        "citizens who found no slot left": results["citizen"].get("no_slot_left", 0),
    }
    total = sum(len(v) for v in timings.values())
    errors_5xx = sum(n for status, n in statuses.items() if status >= 500)
    print_figures(
        f"slot-release burst: {VUSERS} virtual citizens (up to {ATTEMPTS} attempts, one booking each), "
        f"{HOARDERS} hoarders x {ATTEMPTS}, {BOTS} bots x {BOT_ATTEMPTS} (one IP), agenda capacity "
        f"{agenda.capacite} ({agenda.places_agents} reserved for agents) per 15-min slot",
        timings,
        statuses,
        elapsed,
        {
            "outcomes": results,
            **fairness,
            "confirmed reservations": confirmed.count(),
            "overbooked slots (online > capacity - agent seats)": len(overbooked),
            "5xx responses": errors_5xx,
            "trivial view (/sante/vivant/, same server, same users)": (
                f"{floor['rps']:.1f} req/s, p95 {floor['p95'] * 1000:.1f} ms"
            ),
            "RATIO burst req/s / trivial req/s": (f"{total / elapsed / floor['rps']:.2f}x (target >= 0.35x)"),
            "booking POST p95 (target <= 300 ms)": f"{percentile(timings.get('booking_post', []), 0.95) * 1000:.0f} ms",
            "slot page p95 (target <= 250 ms)": f"{percentile(timings.get('slot_page', []), 0.95) * 1000:.0f} ms",
            "server": f"gunicorn {WORKERS} workers x {THREADS} threads"
            + (", Redis + 1 Celery worker" if worker else ", no Redis"),
            "cold start (the warm-up's first journeys, slowest request)": ", ".join(
                f"{kind} {max(values) * 1000:.0f} ms" for kind, values in sorted(cold.items())
            ),
            "CPU per trivial request": cpu_line(floor_budget, sum(floor["statuses"].values())),
            "CPU per burst request": cpu_line(burst_budget, total),
            "machine": load_line(),
        },
    )
    if PROFILE:
        print("--- where the time goes in the server (means per request; BENCH_PROFILE=1 adds some overhead)")
        for line in profile_lines(server_profile(profile_dir, _kind)):
            print(line)
        print("--- PostgreSQL backends of the bench's database during the burst (pg_stat_activity)")
        for line in pg_lines:
            print("    " + line)
    from django.db import connections

    connections.close_all()
    drop_database(DB_NAME)
    bot_bookings = fairness["bookings made by bots"]
    if overbooked or errors_5xx or bot_bookings or cap_breaches:
        sys.exit(1)


if __name__ == "__main__":
    main()
