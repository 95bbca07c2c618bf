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
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils.crypto import get_random_string

VALID_KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


class SessionStore(DbSessionStore):
    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)
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
