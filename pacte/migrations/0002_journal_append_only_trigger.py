"""On PostgreSQL, a trigger refuses UPDATE and DELETE on the business journal (append-only, G6)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION pacte_journal_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'pacte_journalentry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pacte_journal_append_only
  BEFORE UPDATE OR DELETE ON pacte_journalentry
  FOR EACH ROW EXECUTE FUNCTION pacte_journal_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS pacte_journal_append_only ON pacte_journalentry;
DROP FUNCTION IF EXISTS pacte_journal_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("pacte", "0001_kernel")]
    operations = [migrations.RunPython(forwards, backwards)]
