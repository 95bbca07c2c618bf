"""Gunicorn hooks for the load benches (`Gunicorn(profile_dir=…)` in bench/_harness.py): where each
request's time goes inside the server, without a profiler that would change what it measures.

Each request gets:
- `queue`: from the moment the worker accepted the connection to the moment a thread took it
  (the request waited for one of the worker's threads);
- `wall`, `cpu` (this thread's CPU time), `db` (time inside SQL statements, as seen from Python)
  and `queries`, split into the phases below: a phase is a function of the request's path wrapped
  at worker start; time in a nested phase is counted once, in the innermost one; the rest is
  `(other)` (middleware, URL resolution, views' own code…).
`wall - cpu - db` is the time the thread waited for the CPU: for the GIL (other threads of the
process) or for a core (other processes of the machine).

One JSON line per request in `$BENCH_PROFILE_DIR/<pid>.jsonl`, written when the worker stops.
Bench only: nothing here is loaded by the portal itself.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import threading
import time
from pathlib import Path

OUT = Path(os.environ.get("BENCH_PROFILE_DIR", "/tmp"))

#: (module, attribute, phase). Each phase is a step of the booking POST, the page render, or I/O.
PHASES = [
    ("pacte.sessions", "SessionStore.load", "session read"),
    ("pacte.sessions", "SessionStore.save", "session write"),
    ("django.middleware.csrf", "CsrfViewMiddleware.process_view", "CSRF check"),
    ("pacte.ratelimit", "hit", "rate limit (Redis)"),
    ("pacte.booking.forms", "ReservationForm.full_clean", "form validation"),
    ("pacte.booking.services", "retenue_of", "hold look-up"),
    ("pacte.booking.views", "selectors.retenue_of", "hold look-up"),
    ("pacte.booking.services", "retenue_take", "hold taken (slot counter)"),
    ("pacte.booking.services", "creneau_at", "slot open? (rules, counters)"),
    ("pacte.booking.selectors", "creneaux_disponibles", "slot grid (rules, counters)"),
    ("pacte.booking.models", "Reservation.save", "reservation + history rows"),
    ("pacte.booking.services", "_plafond_check", "per-person cap (identity lock, count)"),
    ("pacte.booking.services", "journal_record", "journal row"),
    ("pacte.booking.messages", "notify_confirmation", "outbox (messages rendered, rows)"),
    ("pacte.booking.services", "_convert_hold", "slot counter (row lock)"),
    ("pacte.booking.services", "_take_place", "slot counter (row lock)"),
    ("django.db.backends.base.base", "BaseDatabaseWrapper.commit", "commit"),
    ("pacte.notifications", "_schedule_send", "broker publish (on commit)"),
    ("django.template.backends.django", "Template.render", "template render"),
]

_local = threading.local()
_records: list[dict] = []
_records_lock = threading.Lock()


class _Frame:
    __slots__ = ("phase", "wall", "cpu", "child_wall", "child_cpu")

    def __init__(self, phase: str):
        self.phase = phase
        self.wall = time.perf_counter()
        self.cpu = time.thread_time()
        self.child_wall = 0.0
        self.child_cpu = 0.0


def _add(record: dict, phase: str, key: str, value: float) -> None:
    slot = record["phases"].setdefault(phase, {"wall": 0.0, "cpu": 0.0, "db": 0.0, "queries": 0})
    slot[key] += value


def _close(frame: _Frame) -> tuple[float, float]:
    wall = time.perf_counter() - frame.wall
    cpu = time.thread_time() - frame.cpu
    record = _local.record
    _add(record, frame.phase, "wall", wall - frame.child_wall)
    _add(record, frame.phase, "cpu", cpu - frame.child_cpu)
    return wall, cpu


def _wrap(function, phase: str):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        stack = getattr(_local, "stack", None)
        if not stack:  # outside a request (worker start, a thread of its own)
            return function(*args, **kwargs)
        frame = _Frame(phase)
        stack.append(frame)
        try:
            return function(*args, **kwargs)
        finally:
            stack.pop()
            wall, cpu = _close(frame)
            stack[-1].child_wall += wall
            stack[-1].child_cpu += cpu

    return wrapper


def _sql_timer(execute, sql, params, many, context):
    stack = getattr(_local, "stack", None)
    if not stack:
        return execute(sql, params, many, context)
    start = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        _add(_local.record, stack[-1].phase, "db", time.perf_counter() - start)
        _add(_local.record, stack[-1].phase, "queries", 1)


def _patch() -> None:
    for module_name, attribute, phase in PHASES:
        owner = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, name, _wrap(getattr(owner, name), phase))


def post_worker_init(worker):
    _patch()
    worker_class = type(worker)
    enqueue, handle_request = worker_class.enqueue_req, worker_class.handle_request

    def enqueue_req(self, conn):
        conn.bench_enqueued = time.perf_counter()
        return enqueue(self, conn)

    def handle_request_timed(self, req, conn):
        _local.enqueued = getattr(conn, "bench_enqueued", None)
        conn.bench_enqueued = None  # a kept-alive connection's next request was not queued
        return handle_request(self, req, conn)

    worker_class.enqueue_req = enqueue_req
    worker_class.handle_request = handle_request_timed


def pre_request(worker, req):
    from django.db import connection

    now = time.perf_counter()
    enqueued = getattr(_local, "enqueued", None)
    _local.record = {
        "method": req.method,
        "path": req.path,
        "query": req.query,
        "queue": now - enqueued if enqueued else 0.0,
        "phases": {},
    }
    _local.root = _Frame("(other)")
    _local.stack = [_local.root]
    if _sql_timer not in connection.execute_wrappers:
        connection.execute_wrappers.append(_sql_timer)


def post_request(worker, req, environ, resp):
    stack = getattr(_local, "stack", None)
    if not stack:
        return
    wall, cpu = _close(_local.root)
    record = _local.record
    record.update(wall=wall, cpu=cpu, status=getattr(resp, "status_code", 0))
    _local.stack = None
    with _records_lock:
        _records.append(record)


def worker_exit(server, worker):
    with _records_lock:
        lines = [json.dumps(r) for r in _records]
    (OUT / f"{os.getpid()}.jsonl").write_text("\n".join(lines) + "\n")
