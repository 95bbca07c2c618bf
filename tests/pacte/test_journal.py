"""The business journal is append-only."""

import pytest
from django.db import DatabaseError, connection, transaction

from pacte.journal import journal_record
from pacte.models import Arrondissement, JournalEntry

pytestmark = pytest.mark.django_db


def test_journal_record_stores_who_what_why(make_user):
    """An entry keeps actor, action, object and message."""
    user = make_user("mediateur")
    arrondissement = Arrondissement.objects.get(numero=6)
    entry = journal_record(action="test.action", actor=user, obj=arrondissement, message="parce que")
    assert entry.actor_label == user.username
    assert (entry.object_type, entry.object_id) == ("pacte.arrondissement", str(arrondissement.pk))
    assert JournalEntry.objects.for_object(arrondissement).get() == entry


def test_journal_refuses_update_and_delete_in_python():
    """save() on an existing entry, delete() and queryset update/delete are refused."""
    entry = journal_record(action="a")
    entry.message = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        JournalEntry.objects.all().update(message="x")
    with pytest.raises(PermissionError):
        JournalEntry.objects.all().delete()


def test_journal_refuses_update_and_delete_in_postgresql():
    """On PostgreSQL a trigger refuses UPDATE and DELETE even in raw SQL."""
    assert connection.vendor == "postgresql", "the test suite runs on PostgreSQL"
    entry = journal_record(action="a")
    for sql in (
        "UPDATE pacte_journalentry SET message = 'x' WHERE id = %s",
        "DELETE FROM pacte_journalentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert JournalEntry.objects.filter(pk=entry.pk, message="").exists()
