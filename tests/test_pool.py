"""A burst beside a nearly full connection table: the bounded pool serves it; a saturated or lost
database gives 503 « réessayez dans un instant » with the form kept, never a 500.

Real components: gunicorn (production settings, 2 workers × 16 threads, a pool of 4 per worker) on
a PostgreSQL cluster of our own with max_connections=30, most of which this test holds, so that
filling it disturbs nobody else on the machine.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import psycopg
import pytest
from django.db import connection

from bench._harness import Browser, Gunicorn, collectstatic, server_env
from pacte import sante
from tests.services import PrivatePostgres, free_port

pytestmark = pytest.mark.django_db(transaction=True)

MAX_CONNECTIONS = 30
WORKERS, THREADS, POOL = 2, 16, 4  # more threads than pooled connections, on purpose
RECIT = "Ma demande de remboursement de la cantine (Cœur de Lyon, Иванов) est restée sans réponse."


def _saisine(browser: Browser, index: int, form: str) -> dict:
    return {
        "csrfmiddlewaretoken": browser.csrf(form),
        "requerant_type": "particulier",
        "prenom": "Sam",
        "nom": f"Petit{index}",
        "email": f"sam{index}@example.org",
        "theme": "autre",
        "recit": f"{RECIT} ({index})",
        "demarche_prealable": "oui",
        "demarche_prealable_detail": "Un courrier en mars.",
        "decision_justice": "non",
        "consentement": "on",
    }


def _hidden_fields(page: str) -> list[tuple[str, str]]:
    return [
        (unescape(name), unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)
    ]


def _test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class ServerConnections:
    """Samples, from a held connection, how many connections the portal itself has open."""

    def __init__(self, url: str, held: list):
        self.monitor = psycopg.connect(url, autocommit=True)
        self.held = held
        self.max = 0
        self.stop = threading.Event()

    def _sample(self):
        pids = [c.info.backend_pid for c in self.held] + [self.monitor.info.backend_pid]
        while not self.stop.is_set():
            (count,) = self.monitor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                "AND pid <> ALL(%s)",
                (pids,),
            ).fetchone()
            self.max = max(self.max, count)
            time.sleep(0.02)

    def __enter__(self):
        self.thread = threading.Thread(target=self._sample)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.monitor.close()


class Citizens:
    """N people who each opened the saisine form (cookie, CSRF token) before the burst."""

    def __init__(self, url: str, count: int):
        self.statuses: dict = {}
        self.people = []
        for index in range(count):
            browser = Browser(url, {}, self.statuses)
            status, form = browser.request("page", "/mediateur/saisir/")
            assert status == 200
            self.people.append((browser, _saisine(browser, index, form)))

    def burst(self) -> list[tuple[str, int, str]]:
        """Each person posts the form while another reads a page, all at once."""

        def post(person):
            browser, data = person
            return ("post", *browser.request("saisine", "/mediateur/saisir/", data))

        def read(person):
            return ("get", *person[0].request("page", "/contact/"))

        with ThreadPoolExecutor(max_workers=2 * len(self.people)) as pool:
            futures = [pool.submit(post, p) for p in self.people] + [
                pool.submit(read, p) for p in self.people
            ]
            return [f.result() for f in futures]


@pytest.mark.lent(75)
def test_burst_beside_a_nearly_full_table_then_saturation_gives_503_with_the_form_kept(tmp_path):
    """Nearly full: all 200. Saturated: all 503 with the text kept, health says database down.
    Freed: the kept form, sent again as it is, is recorded."""
    pg = PrivatePostgres(max_connections=MAX_CONNECTIONS)
    held: list[psycopg.Connection] = []
    server = None
    try:
        pg.start()
        url = pg.copy_database(_test_database_url(), "pacte")
        env = server_env(url)
        env.update(
            DB_POOL_MIN_SIZE="1",
            DB_POOL_MAX_SIZE=str(POOL),
            LOG_LEVEL="CRITICAL",  # default timeout: 10 s
        )
        collectstatic(env, tmp_path / "static")
        server = Gunicorn(env, free_port(), workers=WORKERS, threads=THREADS)
        citizens = Citizens(server.url, 30)

        # Nearly full: other clients hold all but the pools' share and two spare slots.
        while len(held) < MAX_CONNECTIONS - WORKERS * POOL - 3:  # 2 spare, 1 for the monitor
            held.append(psycopg.connect(url, autocommit=True))
        with ServerConnections(url, held) as seen:
            results = citizens.burst()
        assert sorted({status for _, status, _ in results}) == [200], sorted(s for _, s, _ in results)
        assert 0 < seen.max <= WORKERS * POOL  # bounded by the pools, whatever the burst
        assert all("MED-" in page for kind, _, page in results if kind == "post")

        # Saturated: every slot taken, the pools' own connections cut by the server. The pools try
        # to reconnect at once, so cut and fill until no slot is left to them.
        for _ in range(20):
            try:
                while True:
                    held.append(psycopg.connect(url, autocommit=True, connect_timeout=3))
            except psycopg.OperationalError as exc:
                assert "too many clients" in str(exc)
            others = (
                held[0]
                .execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE backend_type = 'client backend' AND pid <> ALL(%s)",
                    ([c.info.backend_pid for c in held],),
                )
                .fetchall()
            )
            if not others:
                break
        else:
            pytest.fail("the pools kept their connections")
        results = citizens.burst()
        assert sorted({status for _, status, _ in results}) == [503], sorted(s for _, s, _ in results)
        assert all("réessayez dans un instant" in page for _, _, page in results)
        posted = [page for kind, _, page in results if kind == "post"]
        for index, page in enumerate(posted):
            fields = dict(_hidden_fields(page))
            assert fields["recit"] == f"{RECIT} ({index})"  # the text is kept, as typed
            assert f"{RECIT} ({index})".replace("'", "&#x27;") in page  # and shown
            assert fields["csrfmiddlewaretoken"] and fields["nom"] == f"Petit{index}"
        browser = citizens.people[0][0]
        assert browser.request("health", sante.LIVENESS_PATH)[0] == 200
        status, body = browser.request("health", sante.READINESS_PATH)
        assert status == 503 and '"database": "down"' in body

        # Freed: the pools reconnect by themselves; the kept form, sent again as it is, goes through.
        for held_connection in held:
            held_connection.close()
        held.clear()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, page = browser.request("saisine", "/mediateur/saisir/", _hidden_fields(posted[0]))
            if status == 200:
                break
            assert status == 503, page[:500]
            time.sleep(1)
        assert status == 200 and "MED-" in page
        assert 500 not in citizens.statuses
    finally:
        if server is not None:
            server.stop()
        for held_connection in held:
            held_connection.close()
        pg.cleanup()
