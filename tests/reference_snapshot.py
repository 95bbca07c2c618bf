"""The reference data put back after each transactional test by SQL instead of reloading it.

A transactional test (live server, threads, `transaction=True`) commits, so Django empties every
table after it (a flush, then the post_migrate signal recreating content types and permissions),
and the reference data had to be loaded again through the ORM: ≈ 0.75 s a test on this 2-core
machine, for 85 tests. Here, once per test database, the committed state after the flush and
`load_reference` (territory, catalogues, content types, permissions, groups…) is copied into a
schema of its own; after a transactional test every table is truncated and refilled from that copy
in one transaction (a few hundredths of a second). Row ids, hence content type ids, are the same before and after.
"""

from __future__ import annotations

from django.db import connections, transaction
from django.test import TransactionTestCase

SCHEMA = "instantane_reference"

# database alias -> the tables that had rows when the copy was taken
_copies: dict[str, list[str]] = {}


def _tables(connection) -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def take(alias: str = "default") -> None:
    """Copy every non-empty table of the database into SCHEMA (replacing an older copy)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    kept = []
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        for table in _tables(connection):
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")
            if cursor.fetchone()[0]:
                cursor.execute(f"CREATE TABLE {SCHEMA}.{quote(table)} AS TABLE {quote(table)}")
                kept.append(table)
    _copies[alias] = kept


def _columns(cursor) -> dict[tuple[str, str], list[str]]:
    """(schema, table) -> insertable column names (no generated or always-identity column)."""
    cursor.execute(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE table_schema IN (current_schema(), %s) AND is_generated = 'NEVER' "
        "AND identity_generation IS DISTINCT FROM 'ALWAYS' ORDER BY ordinal_position",
        [SCHEMA],
    )
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in cursor.fetchall():
        columns.setdefault((schema if schema == SCHEMA else "", table), []).append(column)
    return columns


def restore(alias: str) -> None:
    """Empty every table and refill the copied ones, in one transaction and one round trip, with
    triggers and foreign key checks off (the copy was consistent when taken). DELETE, not
    TRUNCATE: on ~100 nearly empty tables TRUNCATE costs ≈ 0.4 s here, DELETE a few milliseconds.
    Columns are matched by name: a migration test that dropped and re-added a column changes
    their order, not their names."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        columns = _columns(cursor)
        script = ["SET LOCAL session_replication_role = replica"]
        script += [f"DELETE FROM {quote(table)}" for table in _tables(connection)]
        for table in _copies[alias]:
            live = set(columns.get(("", table), ()))
            names = ", ".join(quote(c) for c in columns.get((SCHEMA, table), ()) if c in live)
            script.append(f"INSERT INTO {quote(table)} ({names}) SELECT {names} FROM {SCHEMA}.{quote(table)}")
        cursor.execute(";\n".join(script))


_django_fixture_teardown = TransactionTestCase._fixture_teardown


def _fixture_teardown(self) -> None:
    aliases = list(self._databases_names(include_mirrors=False))
    if self.available_apps is not None or self.serialized_rollback or not all(a in _copies for a in aliases):
        return _django_fixture_teardown(self)
    for alias in aliases:
        restore(alias)


def install() -> None:
    """Transactional tests end by restoring the copy instead of Django's flush."""
    TransactionTestCase._fixture_teardown = _fixture_teardown
