"""The session store's transaction shared with a visitor's other writes (pacte.sessions, #18.2)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pacte.sessions import SessionStore, visitor_transaction


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_visitor_transaction_commits_without_waiting_for_the_disk_only_itself():
    """Inside its own transaction, commits do not wait for the WAL flush; before and after, and
    inside a caller's transaction (whose commit may carry a booking), nothing changes."""
    assert _synchronous_commit() == "on"
    with visitor_transaction():
        assert _synchronous_commit() == "off"
        store = SessionStore()
        store["cle"] = "valeur"
        store.save()
    assert _synchronous_commit() == "on"
    assert SessionStore(store.session_key)["cle"] == "valeur"
    with transaction.atomic(), visitor_transaction():
        assert _synchronous_commit() == "on"
    with pytest.raises(RuntimeError), visitor_transaction():  # all or nothing
        rolled_back = SessionStore()
        rolled_back["cle"] = "perdue"
        rolled_back.save()
        raise RuntimeError
    assert not Session.objects.filter(session_key=rolled_back.session_key).exists()


@pytest.mark.django_db
def test_a_session_saved_again_with_the_same_data_is_not_written_twice():
    """The middleware's save after the view's own finds nothing new; a change is written."""
    store = SessionStore()
    store["cle"] = "valeur"
    store.save()
    with CaptureQueriesContext(connection) as queries:
        store.save()
    assert len(queries) == 0
    store["cle"] = "autre"
    store.save()
    assert SessionStore(store.session_key)["cle"] == "autre"
