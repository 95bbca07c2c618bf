"""Fallback letters become kernel tasks (« courrier à envoyer ») before the flag goes (data only)."""

from django.db import migrations


def forwards(apps, schema_editor):
    DemandeRappel = apps.get_model("demarches", "DemandeRappel")
    Notification = apps.get_model("pacte", "Notification")
    for demande in DemandeRappel.objects.filter(repli="courrier").iterator():
        Notification.objects.get_or_create(
            cle=f"rappel-repli-{demande.uuid}:courrier",
            defaults=dict(
                canal="courrier",
                destinataire=demande.nom or "(adresse à trouver)",
                sujet=f"Nous n'avons pas réussi à vous joindre ({demande.reference})",
                corps="",
                statut="sent" if demande.is_courrier_envoye else "pending",
                sent_at=demande.repli_at if demande.is_courrier_envoye else None,
                created_at=demande.repli_at or demande.created_at,
                object_type="demarches.demanderappel",
                object_id=str(demande.pk),
            ),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("demarches", "0001_catalogue_alternatives_rappels"),
        ("pacte", "0005_notification_bodies_encrypted"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
