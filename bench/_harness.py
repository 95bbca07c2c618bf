"""Shared harness of the load benchmarks: a dedicated PostgreSQL database, gunicorn on loopback,
bounded virtual users over HTTP, and a figures printout. Traffic goes to 127.0.0.1 only."""

from __future__ import annotations

import base64
import hashlib
import http.cookiejar
import os
import re
import secrets
import signal
import socket
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
    """Production serves hashed static files: collect them for the server under test, in a folder
    of this checkout's own (`static_root` + a hash of its path): a bench run from another checkout
    at the same time would otherwise rewrite the manifest under this one's server, whose pages then
    name files the manifest lacks (500)."""
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:10]
    env["STATIC_ROOT"] = str(static_root.with_name(f"{static_root.name}-{checkout}"))
    manage(env, "collectstatic", "--noinput")


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


class Gunicorn:
    """gunicorn on 127.0.0.1:`port`. With `profile_dir`, each worker times the phases of every
    request (bench/_gunicorn_profile.py) and writes them there when it stops: `server_profile()`."""

    def __init__(
        self, env: dict, port: int, workers: int = 2, threads: int = 8, profile_dir: Path | None = None
    ):
        self.url = f"http://127.0.0.1:{port}"
        self.profile_dir = profile_dir
        with socket.socket() as probe:  # another bench's server there would answer for this one
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn: TIME_WAIT is fine
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                raise RuntimeError(f"port {port} is in use: choose another with PORT=…") from None
        profile = []
        if profile_dir is not None:
            profile = ["--config", str(ROOT / "bench" / "_gunicorn_profile.py")]
            env = {**env, "BENCH_PROFILE_DIR": str(profile_dir)}
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                *profile,
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
        # Each run its own cache keys: no rate-limit count nor reference data of an earlier run
        # (another database, the same primary keys) is read back.
        env["CACHE_KEY_PREFIX"] = f"bench-{secrets.token_hex(4)}"
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


def process_cpu(pids) -> dict[int, float]:
    """CPU seconds (user + system) of each of `pids`, from /proc (missing processes: left out)."""
    result = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        result[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return result


class CpuBudget:
    """CPU seconds spent during a run by the client (this process), the server (gunicorn and its
    workers), the Celery worker and the PostgreSQL backends serving the bench's database: what a
    request costs on each side, whatever else loads the machine. `start()`, run, `stop()`."""

    def __init__(self, db_name: str, *, server, worker=None):
        self.db_name, self.server, self.worker = db_name, server, worker

    def _backends(self) -> dict[int, float]:
        import psycopg

        with psycopg.connect(f"{BASE_PG}/postgres", autocommit=True) as conn:
            pids = [
                pid
                for (pid,) in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.db_name],
                )
            ]
        return process_cpu(pids)

    def _sample(self) -> dict:
        return {
            "client": time.process_time(),
            "server": cpu_seconds(self.server.process.pid),
            "worker": cpu_seconds(self.worker.process.pid) if self.worker else 0.0,
            "backends": self._backends(),
            "wall": time.perf_counter(),
        }

    def start(self):
        self.before = self._sample()

    def stop(self) -> dict:
        after = self._sample()
        before = self.before
        # A backend opened during the run counts from zero; one closed during it is missed (the
        # pool keeps its connections open, so few are).
        postgres = sum(cpu - before["backends"].get(pid, 0.0) for pid, cpu in after["backends"].items())
        return {
            "client": after["client"] - before["client"],
            "server": after["server"] - before["server"],
            "worker": after["worker"] - before["worker"],
            "postgres": postgres,
            "wall": after["wall"] - before["wall"],
        }


def cpu_line(budget: dict, requests: int) -> str:
    """One line: CPU milliseconds per request on each side, and how busy the 2 cores were."""
    parts = [
        f"{side} {budget[side] / max(requests, 1) * 1000:.1f}"
        for side in ("client", "server", "worker", "postgres")
    ]
    total = sum(budget[side] for side in ("client", "server", "worker", "postgres"))
    return (
        f"{', '.join(parts)} ms/request (total {total / max(requests, 1) * 1000:.1f}; "
        f"{total / budget['wall']:.2f} of the machine's {os.cpu_count()} cores during {budget['wall']:.1f} s)"
    )


class PgSampler:
    """Samples pg_stat_activity for the bench's database every `interval` seconds in a thread:
    how the backends spent the run (running, waiting for a lock and which, idle in a transaction
    while the application works, idle)."""

    def __init__(self, db_name: str, interval: float = 0.01):
        import threading

        self.db_name, self.interval = db_name, interval
        self.counts: dict[str, int] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psycopg

        with psycopg.connect(f"{BASE_PG}/postgres", autocommit=True) as conn:
            while not self._stop.is_set():
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                    [self.db_name],
                ).fetchall()
                self.samples += 1
                for state, wait_type, wait_event, query in rows:
                    key = self._label(state, wait_type, wait_event, query)
                    self.counts[key] = self.counts.get(key, 0) + 1
                self._stop.wait(self.interval)

    @staticmethod
    def _label(state, wait_type, wait_event, query) -> str:
        if state == "idle":
            return "idle (in the pool)"
        if state and state.startswith("idle in transaction"):
            return "idle in transaction (the application works while holding its locks)"
        if wait_type == "Lock":
            statement = re.sub(r"\s+", " ", query or "")[:70]
            return f"waiting for a lock ({wait_event}): {statement}"
        if wait_type:
            return f"active, waiting for {wait_type}:{wait_event}"
        return "active, running"

    def start(self):
        self._thread.start()

    def stop(self) -> list[str]:
        self._stop.set()
        self._thread.join(timeout=5)
        total = sum(self.counts.values()) or 1
        lines = [f"{self.samples} samples, {total / max(self.samples, 1):.1f} backends on average"]
        for key, n in sorted(self.counts.items(), key=lambda item: -item[1]):
            lines.append(f"{n / total * 100:5.1f} %  {key}")
        return lines


def server_profile(profile_dir: Path, classify) -> dict:
    """The per-request records written by bench/_gunicorn_profile.py, grouped by
    `classify(method, path, query)` (None: left out): {kind: [record, …]}."""
    import json

    groups: dict[str, list[dict]] = {}
    for path in sorted(profile_dir.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            kind = classify(record["method"], record["path"], record["query"])
            if kind is not None:
                groups.setdefault(kind, []).append(record)
    return groups


def profile_lines(groups: dict, *, top: int = 12) -> list[str]:
    """Each kind's mean server time: waiting for a thread, then each phase (wall = CPU + SQL +
    waiting for the CPU), largest first, as shares of the kind's mean queue + wall."""
    lines = []
    for kind, records in groups.items():
        n = len(records)
        queue = sum(r["queue"] for r in records) / n
        wall = sum(r["wall"] for r in records) / n
        cpu = sum(r["cpu"] for r in records) / n
        total = queue + wall
        phases: dict[str, dict] = {}
        for record in records:
            for phase, values in record["phases"].items():
                slot = phases.setdefault(phase, {"wall": 0.0, "cpu": 0.0, "db": 0.0, "queries": 0})
                for key in slot:
                    slot[key] += values[key]
        db = sum(p["db"] for p in phases.values()) / n
        queries = sum(p["queries"] for p in phases.values()) / n
        lines.append(
            f"{kind} (n={n}): {total * 1000:.1f} ms = waiting for a thread {queue * 1000:.1f} + in the "
            f"server {wall * 1000:.1f} (CPU {cpu * 1000:.1f}, SQL {db * 1000:.1f} in {queries:.1f} queries, "
            f"waiting for the CPU {(wall - cpu - db) * 1000:.1f})"
        )
        lines.append(f"    {queue / total * 100:5.1f} %  {queue * 1000:7.1f} ms  waiting for a thread")
        for phase, slot in sorted(phases.items(), key=lambda item: -item[1]["wall"])[:top]:
            w, c, d, q = (slot[k] / n for k in ("wall", "cpu", "db", "queries"))
            lines.append(
                f"    {w / total * 100:5.1f} %  {w * 1000:7.1f} ms  {phase} "
                f"(CPU {c * 1000:.1f}, SQL {d * 1000:.1f}/{q:.1f} q)"
            )
    return lines
