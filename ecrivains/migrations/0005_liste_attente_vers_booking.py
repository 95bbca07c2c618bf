"""Data: the écrivains' waiting list moves into the booking engine's one waiting list.

Every `ecrivains.InscriptionAttente` / `OffreCreneau` row is copied to `booking.InscriptionAttente`
/ `OffreCreneau` keeping its primary key, uuid and token hash (secret links already sent keep
working), keyed by the permanence's agenda. The outbox rows about them (messages, « appel à
passer » tasks) are pointed at the new rows (same ids, new type); the places offers hold in the
slot counters get the engine's holder key. The journal is append-only: its entries keep the old
object type. Reversible (copies back) for a rollback of this deployment.
"""

from django.db import migrations

OLD_INSCRIPTION, NEW_INSCRIPTION = "ecrivains.inscriptionattente", "booking.inscriptionattente"
OLD_OFFRE, NEW_OFFRE = "ecrivains.offrecreneau", "booking.offrecreneau"
INSCRIPTION_FIELDS = [
    "id",
    "uuid",
    "date_souhaitee",
    "nom",
    "telephone",
    "email",
    "canal",
    "cree_par_id",
    "statut",
    "created_at",
    "updated_at",
]
OFFRE_FIELDS = [
    "id",
    "uuid",
    "inscription_id",
    "debut",
    "token_hash",
    "expire_at",
    "statut",
    "reservation_id",
    "repondue_at",
    "created_at",
]


def _reset_sequences(schema_editor, *models):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return  # SQLite (make run) takes max(id) + 1 by itself
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )


def _move(apps, schema_editor, *, forward):
    OldInscription = apps.get_model("ecrivains", "InscriptionAttente")
    OldOffre = apps.get_model("ecrivains", "OffreCreneau")
    NewInscription = apps.get_model("booking", "InscriptionAttente")
    NewOffre = apps.get_model("booking", "OffreCreneau")
    Permanence = apps.get_model("ecrivains", "Permanence")
    Notification = apps.get_model("pacte", "Notification")
    Retenue = apps.get_model("booking", "Retenue")
    agenda_of = dict(Permanence.objects.values_list("pk", "agenda_id"))
    permanence_of = {agenda: pk for pk, agenda in agenda_of.items()}
    if forward:
        NewInscription.objects.bulk_create(
            NewInscription(
                agenda_id=agenda_of[row["permanence_id"]], **{f: row[f] for f in INSCRIPTION_FIELDS}
            )
            for row in OldInscription.objects.values("permanence_id", *INSCRIPTION_FIELDS)
        )
        NewOffre.objects.bulk_create(
            NewOffre(agenda_id=agenda_of[row["permanence_id"]], **{f: row[f] for f in OFFRE_FIELDS})
            for row in OldOffre.objects.values("permanence_id", *OFFRE_FIELDS)
        )
        # updated_at is auto_now: put the original instants back.
        for row in OldInscription.objects.values("id", "updated_at"):
            NewInscription.objects.filter(pk=row["id"]).update(updated_at=row["updated_at"])
        _reset_sequences(schema_editor, NewInscription, NewOffre)
        Notification.objects.filter(object_type=OLD_INSCRIPTION).update(object_type=NEW_INSCRIPTION)
        Notification.objects.filter(object_type=OLD_OFFRE).update(object_type=NEW_OFFRE)
        for retenue in Retenue.objects.filter(cle__startswith="ecrivains:offre:"):
            retenue.cle = "attente:offre:" + retenue.cle.removeprefix("ecrivains:offre:")
            retenue.save(update_fields=["cle"])
        OldOffre.objects.all().delete()
        OldInscription.objects.all().delete()
    else:
        OldInscription.objects.bulk_create(
            OldInscription(
                permanence_id=permanence_of[row["agenda_id"]], **{f: row[f] for f in INSCRIPTION_FIELDS}
            )
            for row in NewInscription.objects.filter(agenda_id__in=permanence_of).values(
                "agenda_id", *INSCRIPTION_FIELDS
            )
        )
        OldOffre.objects.bulk_create(
            OldOffre(permanence_id=permanence_of[row["agenda_id"]], **{f: row[f] for f in OFFRE_FIELDS})
            for row in NewOffre.objects.filter(agenda_id__in=permanence_of).values("agenda_id", *OFFRE_FIELDS)
        )
        _reset_sequences(schema_editor, OldInscription, OldOffre)
        Notification.objects.filter(object_type=NEW_INSCRIPTION).update(object_type=OLD_INSCRIPTION)
        Notification.objects.filter(object_type=NEW_OFFRE).update(object_type=OLD_OFFRE)
        for retenue in Retenue.objects.filter(cle__startswith="attente:offre:"):
            retenue.cle = "ecrivains:offre:" + retenue.cle.removeprefix("attente:offre:")
            retenue.save(update_fields=["cle"])
        NewOffre.objects.filter(agenda_id__in=permanence_of).delete()
        NewInscription.objects.filter(agenda_id__in=permanence_of).delete()


def forward(apps, schema_editor):
    _move(apps, schema_editor, forward=True)


def backward(apps, schema_editor):
    _move(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("ecrivains", "0004_remove_appel_fait_at"),
        ("booking", "0005_attente_liste"),
        ("pacte", "0007_envoi_temporaire"),
    ]

    operations = [migrations.RunPython(forward, backward)]
