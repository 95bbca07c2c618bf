"""The database session store, without the round trips that guard nothing (#18.1).

Django's `db` store checks that a new key is free (a SELECT) before creating it, and wraps each
single-statement save in a transaction (BEGIN … COMMIT): four round trips to start a session and
three to update one, on every form a citizen opens or sends. Here:

- a new key is not looked up first: 32 random characters from 36 (165 bits) never collide in
  practice, and if one did the primary key would refuse the INSERT and Django's `create()` loop
  would draw another key (`CreateError`), as before;
- a save outside a transaction is one statement in autocommit, atomic by itself; inside one
  (a test, a caller's `atomic`), the savepoint is kept so that a refused INSERT does not break the
  caller's transaction.

Sessions stay in PostgreSQL (not in Redis, not in a cookie): a session survives Redis being away
(#13.3) and a signed-out session cannot be replayed.

A view that writes something else for a visitor (a slot hold) saves the session in the same
transaction, `visitor_transaction()` (#18.2): one commit for both, and the middleware then finds
nothing new to write (`save()` skips data it has just written).
"""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils.crypto import get_random_string

VALID_KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


class SessionStore(DbSessionStore):
    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    _written: bytes | None = None  # the data this store last wrote, serialised

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)
        written = self.serializer().dumps(data)
        if not must_create and written == self._written:
            return  # saved already in this request, inside the view's transaction: nothing new
        obj = self.create_model_instance(data)
        using = router.db_for_write(self.model, instance=obj)
        try:
            if connections[using].in_atomic_block:
                with transaction.atomic(using=using):
                    obj.save(force_insert=must_create, force_update=not must_create, using=using)
            else:
                obj.save(force_insert=must_create, force_update=not must_create, using=using)
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise
        self._written = written


@contextmanager
def visitor_transaction(using: str = "default"):
    """One transaction for what a visitor's page writes and their session (call
    `request.session.save()` inside it): one commit instead of two, and one that does not wait for
    the disk (PostgreSQL `synchronous_commit` off for this transaction only; the WAL flush of a
    commit is about 1.2 ms on this machine, more than the whole page otherwise).

    Only for writes whose loss in a crash of PostgreSQL itself harms nobody: at most the last
    fraction of a second of such commits (3 × `wal_writer_delay`) can be lost, all of a
    transaction or nothing of it, never half. A slot hold goes with its counter (the place is
    free again, G3 holds) and the session with it: the visitor opens the form again. Any later
    synchronous commit (a booking) makes them durable. Inside a caller's transaction it is a
    savepoint and changes nothing of the caller's commit."""
    outermost = not connections[using].in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connections[using].vendor == "postgresql":
            with connections[using].cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
