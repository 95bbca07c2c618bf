"""Benchmark: generate the annual report for a year of 5,000 saisines and 100 proposals.

Creates a dedicated database (<name>_bench_rapport), migrates it, bulk-creates the data, runs the
generation (the Celery task's body, in this process as a worker would) and prints where the time
goes (figures, HTML, WeasyPrint layout, PDF write, storing) and the peak memory. Drops the database.
Usage: DATABASE_URL=postgres://… .venv/bin/python bench/mediation_rapport.py
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

base_url = os.environ.get("DATABASE_URL")
if not base_url or not base_url.startswith("postgres"):
    sys.exit("Set DATABASE_URL to a PostgreSQL server.")
parsed = urlparse(base_url)
BENCH_DB = (parsed.path.lstrip("/") or "pacte") + "_bench_rapport"
os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path="/" + BENCH_DB))
os.environ["MEDIA_ROOT"] = str(ROOT / "var" / "bench-media")

import psycopg  # noqa: E402

admin_url = urlunparse(parsed._replace(path="/postgres"))
with psycopg.connect(admin_url, autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
    conn.execute(f'CREATE DATABASE "{BENCH_DB}"')

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

SAISINES, PROPOSITIONS = 5000, 100


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(annee: int) -> None:
    from mediation.enums import (
        CanalSaisine,
        Issue,
        MotifIrrecevabilite,
        Niveau,
        OrganismeReorientation,
        RequerantType,
        StatutProposition,
        Theme,
    )
    from mediation.models import Proposition, Saisine
    from mediation.rapport.models import RapportAnnuel, Vignette
    from pacte.models import Arrondissement, Direction

    rng = random.Random(42)
    tz = timezone.get_current_timezone()
    arrs = list(Arrondissement.objects.all())
    dirs = list(Direction.objects.all())
    rows = []
    for i in range(SAISINES + SAISINES // 2):  # the year and (half as many) the year before
        year = annee if i < SAISINES else annee - 1
        recue = dt.datetime(year, rng.randint(1, 12), rng.randint(1, 28), 9, tzinfo=tz)
        statut = rng.choices(
            ["cloturee", "irrecevable", "reorientee", "en_instruction", "recevable"], [60, 12, 10, 10, 8]
        )[0]
        s = Saisine(
            reference=f"MED-B-{i:06d}",
            canal=rng.choices(CanalSaisine.values, [10, 73, 3, 5, 9])[0],
            requerant_type=rng.choices(RequerantType.values, [77, 13, 10])[0],
            theme=rng.choice(Theme.values),
            arrondissement=rng.choice(arrs),
            direction=rng.choice(dirs),
            statut=statut,
            niveau=rng.choice(Niveau.values) if statut in ("cloturee", "en_instruction") else "",
            elu_implique=rng.random() < 0.19,
            recue_at=recue,
            accuse_at=recue + dt.timedelta(days=rng.randint(0, 6)),
            nom=f"Nom{i}",
            prenom="Prénom",
            email=f"p{i}@example.org",
            telephone="0600000000",
        )
        if statut == "cloturee":
            s.issue = rng.choice(Issue.values)
            s.cloturee_at = recue + dt.timedelta(days=rng.randint(3, 90))
        elif statut == "irrecevable":
            s.motif_irrecevabilite = rng.choice(MotifIrrecevabilite.values)
        elif statut == "reorientee":
            s.organisme_reorientation = rng.choice(OrganismeReorientation.values)
        rows.append(s)
    Saisine.objects.bulk_create(rows, batch_size=1000)
    Proposition.objects.bulk_create(
        [
            Proposition(
                numero=f"P-{i:04d}",
                titre=f"Proposition d'amélioration n° {i}",
                texte="Mieux expliquer la décision et le délai de réponse aux usagers. " * 3,
                direction=rng.choice(dirs),
                annee=annee if i < PROPOSITIONS else annee - 1,
                statut=rng.choice(StatutProposition.values),
            )
            for i in range(PROPOSITIONS + 30)
        ]
    )
    rapport = RapportAnnuel.objects.create(annee=annee, editorial="Éditorial de banc d'essai.\n\n" * 5)
    for n, s in enumerate(Saisine.objects.filter(statut="cloturee", recue_at__year=annee)[:10], 1):
        Vignette.objects.create(
            rapport=rapport, saisine=s, ordre=n, titre=f"Cas {n}", texte="Un cas anonymisé. " * 20
        )


def main() -> None:
    from weasyprint import HTML

    from mediation.rapport import services
    from mediation.rapport.models import RapportAnnuel, VersionRapport
    from mediation.rapport.statistiques import statistiques_annee
    from pacte.pdf import STATIC_SCHEME, StaticOnlyURLFetcher

    call_command("migrate", verbosity=0)
    call_command("load_reference", stdout=io.StringIO(), verbosity=0)
    annee = timezone.localdate().year - 1
    t = time.perf_counter()
    seed(annee)
    print(
        f"Seed: {SAISINES} saisines ({SAISINES // 2} the year before), {PROPOSITIONS} proposals "
        f"in {time.perf_counter() - t:.1f} s"
    )
    rapport = RapportAnnuel.objects.get(annee=annee)
    rss_before = rss_mb()

    # Where the time goes, step by step (same code as the service).
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        stats = statistiques_annee(annee)
    t1 = time.perf_counter()
    html = render_to_string(services.PDF_TEMPLATE, services.pdf_context(rapport=rapport, stats=stats))
    t2 = time.perf_counter()
    document = HTML(string=html, base_url=STATIC_SCHEME + "/", url_fetcher=StaticOnlyURLFetcher()).render()
    t3 = time.perf_counter()
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    t4 = time.perf_counter()
    print(f"Figures (statistiques_annee): {1000 * (t1 - t0):.0f} ms, {len(queries)} queries")
    print(f"HTML template:                {1000 * (t2 - t1):.0f} ms ({len(html) // 1024} KiB)")
    print(f"WeasyPrint layout:            {1000 * (t3 - t2):.0f} ms ({len(document.pages)} pages)")
    print(f"PDF write (PDF/UA-1):         {1000 * (t4 - t3):.0f} ms ({len(pdf) // 1024} KiB)")

    # The whole task body, as the worker runs it: claim, figures, render, store with SHA-256.
    version = VersionRapport.objects.create(rapport=rapport, numero=1, demande_cle="b" * 32)
    t5 = time.perf_counter()
    services.version_generate(version_id=version.pk)
    t6 = time.perf_counter()
    version.refresh_from_db()
    print(
        f"End-to-end generation (task body): {t6 - t5:.2f} s, statut={version.statut}, "
        f"{version.taille // 1024} KiB, sha256={version.sha256[:12]}…"
    )
    print(f"Peak RSS of this worker process: {rss_mb():.0f} MB (before generation: {rss_before:.0f} MB)")
    print("Targets: < 30 s and < 500 MB →", "OK" if (t6 - t5) < 30 and rss_mb() < 500 else "NOT MET")


try:
    main()
finally:
    connections.close_all()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
