"""The journal stays append-only, with one narrow exception for the retention jobs: inside a
transaction that sets `pacte.effacement` to 'on' (pacte.retention.erase), an entry's free-text
`message` may be blanked. Every other column, every other change and every DELETE is still refused."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION pacte_journal_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND current_setting('pacte.effacement', true) = 'on'
     AND NEW.message = ''
     AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_label, NEW.action, NEW.object_type, NEW.object_id, NEW.data)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.at, OLD.actor_id, OLD.actor_label, OLD.action, OLD.object_type, OLD.object_id, OLD.data)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'pacte_journalentry is append-only';
END;
$$ LANGUAGE plpgsql;
"""
RESTORE = """
CREATE OR REPLACE FUNCTION pacte_journal_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'pacte_journalentry is append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESTORE)


class Migration(migrations.Migration):
    dependencies = [("pacte", "0005_notification_bodies_encrypted")]
    operations = [migrations.RunPython(forwards, backwards)]
