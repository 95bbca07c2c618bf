"""Fill the folded identity of the bookings still to come, so the per-person cap counts them."""

from django.db import migrations
from django.utils import timezone


def fill(apps, schema_editor):
    from pacte.booking.services import identite_of

    Reservation = apps.get_model("booking", "Reservation")
    a_venir = Reservation.objects.filter(statut="confirmee", debut__gt=timezone.now(), anonymisee_at__isnull=True)
    lot = []
    for reservation in a_venir.only("pk", "nom", "prenom", "email").iterator(chunk_size=2000):
        identite = identite_of(nom=reservation.nom, prenom=reservation.prenom, email=reservation.email)
        reservation.nom_replie, reservation.email_replie = identite.nom, identite.email
        lot.append(reservation)
        if len(lot) >= 2000:
            Reservation.objects.bulk_update(lot, ["nom_replie", "email_replie"])
            lot = []
    Reservation.objects.bulk_update(lot, ["nom_replie", "email_replie"])


class Migration(migrations.Migration):
    dependencies = [("booking", "0007_reservation_identite_pliee")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
