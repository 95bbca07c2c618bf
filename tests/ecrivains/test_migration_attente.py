"""The écrivains' waiting list moves into the booking engine (ecrivains 0005/0006): every row keeps
its id, uuid and token hash (a secret link already sent still opens its offer), the outbox rows
about them follow, the place an open offer holds keeps being its own, and the way back restores
the old rows."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from pacte.secret_links import token_new

AVANT = [("ecrivains", "0004_remove_appel_fait_at"), ("booking", "0004_reservation_prescripteur")]
APRES = None  # every app at its latest migration: the schema the other tests run on


def _migrate(targets):
    """Migrate to `targets`, or with None back to every app's latest migration (going back to
    AVANT unapplies the later migrations of other apps too: left there, the next tests of this
    worker would meet a schema without their columns)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.lent(40)
@pytest.mark.django_db(transaction=True)
def test_rows_move_with_their_ids_uuids_tokens_messages_and_holds(make_permanence):
    permanence = make_permanence()
    apps = _migrate(AVANT)
    try:
        OldInscription = apps.get_model("ecrivains", "InscriptionAttente")
        OldOffre = apps.get_model("ecrivains", "OffreCreneau")
        Notification = apps.get_model("pacte", "Notification")
        Compteur = apps.get_model("booking", "CompteurCreneau")
        Retenue = apps.get_model("booking", "Retenue")
        now = timezone.now()
        inscription = OldInscription.objects.create(
            uuid=uuid.uuid4(),
            permanence_id=permanence.pk,
            nom="Zoé Ancienne",
            telephone="+33472103030",
            canal="en_ligne",
            statut="offre_en_cours",
            created_at=now - dt.timedelta(days=3),
        )
        token, hashed = token_new()
        debut = now + dt.timedelta(days=5)
        offre = OldOffre.objects.create(
            uuid=uuid.uuid4(),
            inscription=inscription,
            permanence_id=permanence.pk,
            debut=debut,
            token_hash=hashed,
            expire_at=now + dt.timedelta(hours=2),
            statut="ouverte",
        )
        Notification.objects.create(
            canal="appel",
            destinataire="+33472103030",
            object_type="ecrivains.offrecreneau",
            object_id=str(offre.pk),
        )
        compteur = Compteur.objects.create(
            agenda_id=permanence.agenda_id, debut=debut, capacite=1, capacite_en_ligne=1, places_prises=1
        )
        Retenue.objects.create(
            compteur=compteur, cle=f"ecrivains:offre:{offre.uuid}", en_ligne=False, expire_at=offre.expire_at
        )
    finally:
        _migrate(APRES)

    from pacte.booking import attente
    from pacte.booking.models import InscriptionAttente, OffreCreneau, Retenue
    from pacte.models import Notification

    moved = InscriptionAttente.objects.get()
    assert (moved.pk, moved.uuid, moved.agenda_id) == (inscription.pk, inscription.uuid, permanence.agenda_id)
    assert moved.created_at == inscription.created_at
    assert attente.offre_by_token(token).pk == offre.pk  # the link already sent still opens it
    nouvelle = OffreCreneau.objects.get()
    assert nouvelle.uuid == offre.uuid and nouvelle.inscription_id == moved.pk
    assert Notification.objects.taches_a_faire().about(nouvelle).exists()
    assert Retenue.objects.get().cle == attente.retenue_cle(nouvelle)
    # New rows get fresh ids after the copied ones (the sequences were moved on).
    suivante = attente.inscription_create(agenda=permanence.agenda, nom="Nouvelle", telephone="0612345670")
    assert suivante.pk > moved.pk

    apps = _migrate(AVANT)  # the way back (a rollback of the deployment)
    try:
        assert apps.get_model("ecrivains", "OffreCreneau").objects.get().token_hash == nouvelle.token_hash
        assert (
            apps.get_model("pacte", "Notification")
            .objects.filter(object_type="ecrivains.offrecreneau")
            .exists()
        )
    finally:
        _migrate(APRES)
