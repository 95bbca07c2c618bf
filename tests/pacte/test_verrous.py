"""pacte.verrous.xact_lock: every name locked, in one round trip, until the transaction ends."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from pacte.verrous import _cle, xact_lock

pytestmark = pytest.mark.django_db(transaction=True)


def _free_elsewhere(*noms: str) -> list[bool]:
    """For each name, whether another connection can take its lock right now."""
    answers: list[bool] = []

    def probe():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for nom in noms:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_cle(nom)])
                    answers.append(cursor.fetchone()[0])
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(timeout=30)
    return answers


def test_every_name_is_locked_in_one_statement_until_the_transaction_ends(django_assert_num_queries):
    noms = (
        "booking.personne:t:+33612345678",
        "booking.personne:n:camillemartin",
        "booking.personne:e:c@x.fr",
    )
    with transaction.atomic():
        with django_assert_num_queries(1):
            xact_lock(*noms, "")
        assert _free_elsewhere(*noms, "un autre nom") == [False, False, False, True]
    assert _free_elsewhere(*noms) == [True, True, True]


def test_no_name_no_query(django_assert_num_queries):
    with transaction.atomic(), django_assert_num_queries(0):
        xact_lock("", "")
