"""Transaction-scoped named locks: two requests doing the same thing at once (two tabs, a double
click) run one after the other, the second seeing what the first committed.

`xact_lock("booking.personne:t:+33612345678", …)` takes a PostgreSQL advisory lock per name, in a
fixed order (two callers never deadlock), held until the surrounding transaction ends. SQLite
(`make run`) already serialises every writer on the whole database: nothing to do there."""

from __future__ import annotations

import hashlib

from django.db import connection


def _cle(nom: str) -> int:
    return int.from_bytes(hashlib.sha256(nom.encode()).digest()[:8], "big", signed=True)


def xact_lock(*noms: str) -> None:
    """Lock each of `noms` until the current transaction ends (call it inside `transaction.atomic`)."""
    if connection.vendor != "postgresql":
        return
    cles = sorted({_cle(n) for n in noms if n})
    if not cles:
        return
    with connection.cursor() as cursor:
        # One round trip for all of them (#18.1): the function scan yields the sorted array's
        # elements in order, and each row's lock is taken before the next row is read.
        cursor.execute("SELECT pg_advisory_xact_lock(cle) FROM unnest(%s::bigint[]) AS cle", [cles])
