"""Health for orchestrators: liveness, readiness, and the workers' heartbeat.

- `/sante/vivant/` (liveness): the process answers. It touches neither the database nor Redis, so
  an orchestrator never restarts a healthy web process because a dependency is away.
- `/sante/pret/` (readiness): the database answers, the broker answers, every migration is applied
  and at least one Celery worker has beaten recently. 503 otherwise, with the failing part named.
- `/sante/` : the summary kept for people and the benchmarks (database and broker; the worker with
  `?worker=1`).

The three are answered by `SanteMiddleware`, first in the chain: a probe comes from inside the
network with whatever Host header and over plain HTTP, so it must not meet ALLOWED_HOSTS, the HTTPS
redirect, sessions or the login wall. The answers hold states, never data.

Workers write `pacte:sante:worker:<hostname>` in Redis every `HEARTBEAT_INTERVAL` seconds from their
event loop (`WorkerHeartbeat`, a Celery bootstep registered in pacte.celery), with a time-to-live of
`HEARTBEAT_TTL`: a stuck or dead worker disappears from readiness on its own.
"""

from __future__ import annotations

import contextlib
import logging
import time

from celery import bootsteps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/sante/vivant/"
READINESS_PATH = "/sante/pret/"
SUMMARY_PATH = "/sante/"
HEARTBEAT_PREFIX = "pacte:sante:worker:"
HEARTBEAT_INTERVAL = 10
HEARTBEAT_TTL = 45
MIGRATIONS_RECHECK = 60  # seconds a "migrations applied" answer is trusted for

_migrations_ok_at: float | None = None


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def database_state() -> str:
    """ "ok" when the default database answers a query, "down" otherwise (saturated, refused, gone)."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.warning("health: database unreachable", exc_info=True)
        return "down"
    return "ok"


def broker_state() -> str:
    """ "ok" when Redis answers PING, "down" otherwise; "eager" without a broker (make run)."""
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        _redis().ping()
    except redis.RedisError:
        return "down"
    return "ok"


def migrations_state() -> str:
    """ "ok" when the database has every migration on disk, "pending" when some are missing."""
    global _migrations_ok_at
    if _migrations_ok_at is not None and time.monotonic() - _migrations_ok_at < MIGRATIONS_RECHECK:
        return "ok"
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        logger.warning("health: migrations could not be checked", exc_info=True)
        return "unknown"
    if plan:
        return "pending"
    _migrations_ok_at = time.monotonic()
    return "ok"


def worker_state(broker: str) -> str:
    """ "ok" when a worker's heartbeat is fresh in Redis, "down" when none is; "eager" without a broker."""
    if broker == "eager":
        return "eager"
    if broker != "ok":
        return "unknown"
    import redis

    try:
        for _ in _redis().scan_iter(match=HEARTBEAT_PREFIX + "*", count=100):
            return "ok"
    except redis.RedisError:
        return "unknown"
    return "down"


def liveness() -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readiness() -> JsonResponse:
    broker = broker_state()
    database = database_state()
    state = {
        "database": database,
        "broker": broker,
        "migrations": migrations_state() if database == "ok" else "unknown",
        "worker": worker_state(broker),
    }
    ready = state["database"] == state["migrations"] == "ok" and broker in ("ok", "eager")
    ready = ready and state["worker"] in ("ok", "eager")
    return JsonResponse({"status": "ok" if ready else "degraded", **state}, status=200 if ready else 503)


def summary(with_worker: bool) -> JsonResponse:
    database = database_state()
    broker = broker_state()
    healthy = database == "ok" and broker in ("ok", "eager")
    worker = worker_state(broker) if with_worker else "not-checked"
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "broker": broker, "worker": worker},
        status=200 if healthy else 503,
    )


class SanteMiddleware:
    """Answer the health paths before anything else in the chain (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            if request.path == LIVENESS_PATH:
                response = liveness()
            elif request.path == READINESS_PATH:
                response = readiness()
            elif request.path == SUMMARY_PATH:
                response = summary(request.GET.get("worker") == "1")
            else:
                return self.get_response(request)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A worker bootstep: beat into Redis from the worker's timer while the worker runs."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        self.tref = None
        self.key = None
        super().__init__(worker, **kwargs)

    def start(self, worker):
        if not settings.REDIS_URL:
            return
        self.key = HEARTBEAT_PREFIX + worker.hostname
        self.beat()
        self.tref = worker.timer.call_repeatedly(HEARTBEAT_INTERVAL, self.beat)

    def beat(self):
        import redis

        try:
            _redis().set(self.key, str(time.time()), ex=HEARTBEAT_TTL)
        except redis.RedisError:
            logger.info("heartbeat not written: the broker is away")

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
        if self.key:
            import redis

            with contextlib.suppress(redis.RedisError):
                _redis().delete(self.key)

    shutdown = stop
