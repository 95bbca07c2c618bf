"""Benchmark: public statistics page and full CSV export over 1,000,000 observations.

Creates a dedicated database (<your db>_bench), migrates it, fills it with PostgreSQL
`generate_series`, measures, then drops it. Run: `.venv/bin/python bench/nonrecours_stats.py`
with DATABASE_URL set (PostgreSQL). Options: `--rows N` (default 1,000,000), `--runs N` (default 7).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="Do not drop the bench database.")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must point to PostgreSQL")
    parsed = urlparse(url)
    bench_name = parsed.path.lstrip("/") + "_bench"
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench_name}"')
        conn.execute(f'CREATE DATABASE "{bench_name}"')
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path="/" + bench_name))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")
    # Production-like settings (DEBUG off) with a throwaway key; the test client speaks HTTPS.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SITE_URL", "https://testserver")
    os.environ.setdefault("NOTIFICATION_ENCRYPTION_KEYS", "YmVuY2gtb25seS1rZXktMDEyMzQ1Njc4OWFiY2RlZiE=")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment

    # No collectstatic here: plain static storage (the manifest one needs collected files).
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    try:
        setup_test_environment()
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("load_reference", verbosity=0)
        print(f"Migration : {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # Bulk-load speed: no FK triggers for this session, indexes rebuilt once at the end.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                "SELECT indexdef, indexname FROM pg_indexes WHERE tablename IN "
                "('nonrecours_observation', 'nonrecours_observationdispositif') AND indexname NOT LIKE '%%pkey'"
            )
            indexes = cursor.fetchall()
            for _, name in indexes:
                cursor.execute(
                    f'ALTER TABLE IF EXISTS nonrecours_observationdispositif DROP CONSTRAINT IF EXISTS "{name}"'
                )
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
            cursor.execute("SELECT array_agg(id ORDER BY numero) FROM pacte_arrondissement")
            arr_ids = cursor.fetchone()[0]
            cursor.execute("SELECT array_agg(id ORDER BY id) FROM nonrecours_dispositif")
            disp_ids = cursor.fetchone()[0]
            cursor.execute(
                """
                INSERT INTO nonrecours_observation (observed_on, source, type_odenore, raisons, arrondissement_id,
                    age_tranche, menage, situation, demarche_slug, demarche_titre, orientation, droit_ouvert,
                    created_at)
                SELECT CURRENT_DATE - (power(random(), 1.3) * 730)::int,
                       (ARRAY['accueil_mairie','telephone','ecrivain_public','mediation','ccas',
                              'usager_demarche','partenaire'])[1 + (random() * 6)::int],
                       (ARRAY['non_connaissance','non_connaissance','non_demande','non_reception',
                              'non_proposition',''])[1 + (random() * 5)::int],
                       '["complexite"]'::jsonb,
                       CASE WHEN random() < 0.02 THEN NULL ELSE (%s::bigint[])[1 + (random() * 8)::int] END,
                       '', '', '',
                       CASE WHEN random() < 0.2 THEN 'demande-de-logement-social' ELSE '' END,
                       '', '', '', now()
                FROM generate_series(1, %s)
                """,
                [arr_ids, args.rows],
            )
            # One right per observation, a second (different) one for every fifth observation.
            for extra in (0, 1):
                cursor.execute(
                    """
                    INSERT INTO nonrecours_observationdispositif (observation_id, dispositif_id, observed_on,
                        type_odenore, arrondissement_id, has_demarche)
                    SELECT id, (%s::bigint[])[1 + ((id * 7919 + %s) %% 9)::int], observed_on, type_odenore,
                           arrondissement_id, demarche_slug <> ''
                    FROM nonrecours_observation WHERE %s = 0 OR id %% 5 = 0
                    """,
                    [disp_ids, extra * 4, extra],
                )
            cursor.execute("SELECT count(*) FROM nonrecours_observationdispositif")
            links = cursor.fetchone()[0]
            for definition, _ in indexes:
                cursor.execute(definition)
            cursor.execute("SET session_replication_role = DEFAULT")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE nonrecours_observation")
            cursor.execute("VACUUM ANALYZE nonrecours_observationdispositif")
        from nonrecours.rollup import rollup_rebuild

        t0 = time.perf_counter()
        rollup_rows = rollup_rebuild()
        print(f"Recalcul complet du cumul mensuel : {rollup_rows} lignes en {time.perf_counter() - t0:.1f} s")
        print(
            f"Données : {args.rows:,} observations, {links:,} liens droit, générées en {time.perf_counter() - started:.1f} s"
        )

        client = Client(secure=True, HTTP_X_FORWARDED_PROTO="https")

        def timed(path, params=None, *, stream=False):
            times, queries, size = [], 0, 0
            for _ in range(args.runs):
                t0 = time.perf_counter()
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(path, params or {})
                    body = b"".join(response.streaming_content) if stream else response.content
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.status_code
                queries, size = len(ctx.captured_queries), len(body)
            return statistics.median(times), min(times), queries, size

        scenarios = [
            ("Page publique (8 trimestres, tous filtres)", "/non-recours/", None, False),
            (
                "Page publique par mois, filtre droit RSA",
                "/non-recours/",
                {"dispositif": "rsa", "pas": "mois"},
                False,
            ),
            (
                "Page publique, 12 trimestres, arrondissement 7",
                "/non-recours/",
                {"debut": _oldest(), "arrondissement": "7"},
                False,
            ),
            ("Export CSV complet (8 trimestres)", "/non-recours/statistiques.csv", None, True),
            (
                "Export CSV 12 trimestres par mois",
                "/non-recours/statistiques.csv",
                {"debut": _oldest(), "pas": "mois"},
                True,
            ),
        ]
        print(f"{'Scénario':<50} {'médiane ms':>11} {'min ms':>8} {'requêtes':>9} {'octets':>8}")
        for label, path, params, stream in scenarios:
            median, best, queries, size = timed(path, params, stream=stream)
            print(f"{label:<50} {median:>11.0f} {best:>8.0f} {queries:>9} {size:>8}")

        tracemalloc.start()
        response = client.get("/non-recours/statistiques.csv", {"debut": _oldest(), "pas": "mois"})
        total = sum(len(chunk) for chunk in response.streaming_content)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"Export CSV en flux : {total} octets, pic mémoire Python (tracemalloc) {peak / 1e6:.2f} Mo, "
            f"RSS max du processus {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} Mo"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{bench_name}"')


def _oldest() -> str:
    from nonrecours.stats import trimestres_recents

    return trimestres_recents()[-1]


if __name__ == "__main__":
    main()
