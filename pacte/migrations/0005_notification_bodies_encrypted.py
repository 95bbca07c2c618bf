"""Bodies at rest: pending ones encrypted, delivered or cancelled ones blanked (data only)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from pacte.encryption import PREFIX, encrypt

    Notification = apps.get_model("pacte", "Notification")
    Notification.objects.filter(statut__in=["sent", "cancelled"]).update(
        corps="", corps_html="", pieces_jointes=[]
    )
    for row in Notification.objects.exclude(corps="").exclude(corps__startswith=PREFIX).iterator():
        row.corps = encrypt(row.corps)
        row.corps_html = encrypt(row.corps_html)
        row.save(update_fields=["corps", "corps_html"])


class Migration(migrations.Migration):
    dependencies = [("pacte", "0004_notification_tasks")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
