"""Races on separate PostgreSQL connections, shared by the booking, hold and waiting-list tests."""

from __future__ import annotations

import threading

from django.db import connection


def run_concurrently(actions, *, refused=()) -> dict:
    """Run each (name, callable) in its own thread (its own database connection), all released at
    once by a barrier. Returns {name: outcome}: what the callable returned, "pris" when it raised
    one of the `refused` exceptions (a place refused), else the exception's repr (to assert on)."""
    barrier = threading.Barrier(len(actions))
    results = {}

    def run(name, fn):
        try:
            barrier.wait(timeout=60)
            results[name] = fn()
        except tuple(refused):
            results[name] = "pris"
        except Exception as exc:  # reported to the test
            results[name] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=action) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
