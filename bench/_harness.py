"""Shared harness of the load benchmarks: a dedicated PostgreSQL database, gunicorn on loopback,
bounded virtual users over HTTP, and a figures printout. Traffic goes to 127.0.0.1 only."""

from __future__ import annotations

import base64
import http.cookiejar
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BASE_PG = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pacte").rsplit("/", 1)[0]


def fresh_database(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{BASE_PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{BASE_PG}/{name}"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{BASE_PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "REDIS_URL"}}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(40),
        SITE_URL="http://127.0.0.1",
        NOTIFICATION_ENCRYPTION_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        RATELIMIT_ENABLED="0",  # one IP plays every citizen here
        STAFF_2FA_REQUIRED="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SMS_BACKEND="pacte.sms.LocmemBackend",
        LOG_LEVEL="ERROR",
        CONN_MAX_AGE="60",
    )
    return env


def collectstatic(env: dict, static_root: Path) -> None:
    """Production serves hashed static files: collect them for the server under test."""
    env["STATIC_ROOT"] = str(static_root)
    manage(env, "collectstatic", "--noinput")


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


class Gunicorn:
    def __init__(self, env: dict, port: int, workers: int = 2, threads: int = 8):
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "pacte.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + float(
            os.environ.get("BENCH_START_TIMEOUT", "180")
        )  # a loaded machine starts slowly
        last = ""
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/sante/", timeout=5)
                return
            except urllib.error.HTTPError as exc:
                last = f"{exc.code} {exc.read()[:300]!r}"
                time.sleep(0.3)
            except (urllib.error.URLError, ConnectionError, OSError) as exc:
                last = repr(exc)
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not start: {last}")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Browser:
    """A virtual citizen: cookies, CSRF, timings of every request."""

    def __init__(self, base: str, timings: dict, statuses: dict, *, ip: str = ""):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.timings = timings
        self.statuses = statuses
        # The client's own address, for a server that trusts X-Forwarded-For (per-IP rate limits).
        self.headers = {"X-Forwarded-For": ip} if ip else {}

    def request(self, kind: str, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path, **self.headers}
        )
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode(errors="replace")
        self.timings.setdefault(kind, []).append(time.perf_counter() - start)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        return status, text

    def csrf(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return match.group(1) if match else ""


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def print_figures(title: str, timings: dict, statuses: dict, elapsed: float, extra: dict) -> None:
    total = sum(len(v) for v in timings.values())
    print(f"--- {title}")
    print(f"requests: {total} in {elapsed:.1f} s -> {total / elapsed:.1f} req/s")
    for kind, values in sorted(timings.items()):
        print(
            f"{kind:>14}: n={len(values):5d}  median={statistics.median(values) * 1000:7.1f} ms"
            f"  p95={percentile(values, 0.95) * 1000:7.1f} ms"
        )
    print("statuses:", dict(sorted(statuses.items())))
    for key, value in extra.items():
        print(f"{key}: {value}")


def trivial_burst(base: str, *, path: str = "/sante/vivant/", vusers: int = 40, per_user: int = 25) -> dict:
    """The floor: the same number of virtual users hitting a view that does nothing (the liveness
    probe answers before sessions, database and templates) on the same server, in the same run.
    Returns req/s, median and p95 in seconds, so that a bench prints its figures as ratios of it."""
    import threading

    timings: dict = {}
    statuses: dict = {}

    def user():
        browser = Browser(base, timings, statuses)
        for _ in range(per_user):
            browser.request("trivial", path)

    threads = [threading.Thread(target=user) for _ in range(vusers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - start
    values = timings.get("trivial", [])
    return {
        "rps": len(values) / elapsed,
        "median": statistics.median(values) if values else float("nan"),
        "p95": percentile(values, 0.95),
        "statuses": statuses,
    }


class Worker:
    """A real Celery worker (the deployment's), when REDIS_URL is given: notifications are rendered
    in the request (outbox row) and sent by the worker, as in production."""

    def __init__(self, env: dict, concurrency: int = 1):
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "pacte",
                "worker",
                "--concurrency",
                str(concurrency),
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def production_env(database_url: str) -> dict:
    """`server_env` plus Redis (BENCH_REDIS_URL, else REDIS_URL) as in a deployment: cache, broker,
    tasks queued for a worker instead of run in the request. Falls back to no Redis."""
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
    env = server_env(database_url)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def load_line() -> str:
    """The machine's load when the figures were taken (they are only comparable at equal load)."""
    try:
        return "load average (1, 5, 15 min): " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average: unknown"


def cpu_seconds(*root_pids: int) -> float:
    """CPU seconds (user + system) used so far by these processes and all their descendants
    (gunicorn's workers, Celery's pool), from /proc: a cost per request that the machine's other
    load does not inflate much, unlike wall-clock times."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo, seen = 0, list(root_pids), set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in stats:
            continue
        seen.add(pid)
        total += int(stats[pid][11]) + int(stats[pid][12])  # utime, stime (clock ticks)
        todo.extend(children.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")
