"""Open offers to people without email or mobile become kernel call tasks (data only)."""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    from pacte.phones import phone_is_mobile

    OffreCreneau = apps.get_model("ecrivains", "OffreCreneau")
    Notification = apps.get_model("pacte", "Notification")
    offres = OffreCreneau.objects.filter(statut="ouverte", expire_at__gt=timezone.now()).select_related(
        "inscription"
    )
    for offre in offres.iterator():
        inscription = offre.inscription
        if inscription.email or phone_is_mobile(inscription.telephone) or not inscription.telephone:
            continue
        Notification.objects.get_or_create(
            cle=f"ecrivains:offre:{offre.pk}:appel",
            defaults=dict(
                canal="appel",
                destinataire=inscription.telephone,
                sujet="Une place s'est libérée chez l'écrivain public",
                corps="",
                tentatives=1 if offre.appel_fait_at else 0,
                derniere_tentative_at=offre.appel_fait_at,
                object_type="ecrivains.offrecreneau",
                object_id=str(offre.pk),
            ),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ecrivains", "0002_fiche_type_odenore_vocabulaire_observatoire"),
        ("pacte", "0005_notification_bodies_encrypted"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
