"""pacte.retention.erase: live rows, history rows, outbox and journal messages erased in one go."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from arrondissements.models import DemandeAppui
from pacte.journal import journal_record
from pacte.models import Arrondissement, Direction, JournalEntry, Notification, StatutNotification
from pacte.retention import ANONYME, erase
from pacte.roles import Role
from pacte.secret_links import reference_new

pytestmark = pytest.mark.django_db


@pytest.fixture
def demandes(make_user):
    """Two requests with history (two versions each), a sent and a pending message, journal lines."""
    elu = make_user(Role.ELU, arrondissement=Arrondissement.objects.get(numero=6), fonction_elu="maire")
    rows = []
    for objet in ("Fuite chez M. Martin, 3 rue Sala", "Banc cassé"):
        demande = DemandeAppui.objects.create(
            reference=reference_new("DA"),
            arrondissement=Arrondissement.objects.get(numero=6),
            direction=Direction.objects.get(sigle="DEV"),
            auteur=elu,
            objet=objet,
            categorie="espaces_verts",
            description=f"{objet} — détails",
            localisation="3 rue Sala",
            echeance=timezone.localdate(),
        )
        demande.description += " (complété)"
        demande._change_reason = "Précision de M. Martin"
        demande.save()
        for statut in (StatutNotification.SENT, StatutNotification.PENDING):
            Notification.objects.create(
                canal="email",
                destinataire="elu@example.org",
                sujet=f"Votre demande : {objet}",
                corps=f"Bonjour, {objet}",
                statut=statut,
                object_type="arrondissements.demandeappui",
                object_id=str(demande.pk),
            )
        journal_record(action="arrondissements.test", actor=elu, obj=demande, message=f"Motif : {objet}")
        rows.append(demande)
    return rows


def test_erase_scrubs_live_rows_history_outbox_and_journal_messages(demandes):
    """The named fields are erased everywhere; other columns, and other rows, are untouched."""
    cible, autre = demandes
    n = erase(DemandeAppui, [cible.pk], {"objet": ANONYME, "description": ""}, live={"localisation": ""})
    assert n == 1
    cible.refresh_from_db()
    assert (cible.objet, cible.description, cible.localisation) == (ANONYME, "", "")
    assert cible.categorie == "espaces_verts" and cible.auteur_id is not None
    history = DemandeAppui.history.filter(id=cible.pk)
    assert history.count() == 2
    assert set(history.values_list("objet", "description", "history_change_reason")) == {(ANONYME, "", "")}
    messages = Notification.objects.filter(
        object_id=str(cible.pk), object_type="arrondissements.demandeappui"
    )
    assert {(m.destinataire, m.sujet, m.corps) for m in messages} == {(ANONYME, "", "")}
    assert set(messages.values_list("statut", flat=True)) == {"sent", "cancelled"}
    entry = JournalEntry.objects.get(action="arrondissements.test", object_id=str(cible.pk))
    assert entry.message == "" and entry.actor_id is not None
    # The other request keeps everything.
    autre.refresh_from_db()
    assert autre.objet == "Banc cassé"
    assert DemandeAppui.history.filter(id=autre.pk, history_change_reason="Précision de M. Martin").exists()
    assert JournalEntry.objects.get(action="arrondissements.test", object_id=str(autre.pk)).message
    assert Notification.objects.filter(object_id=str(autre.pk), statut="pending").exists()


def test_erase_with_a_list_of_fields_uses_each_field_blank_value(demandes):
    """A list of names: NULL when the column allows it, else its default, else ""."""
    erase(DemandeAppui, [demandes[0].pk], ["auteur", "localisation"])
    demandes[0].refresh_from_db()
    assert demandes[0].auteur_id is None and demandes[0].localisation == ""
    assert not DemandeAppui.history.filter(id=demandes[0].pk, auteur__isnull=False).exists()


def test_erase_delete_leaves_no_row_and_no_history_not_even_the_deletion_record(demandes):
    """Deleting through erase removes the live row and every history row (simple-history would
    otherwise record the deletion with every value)."""
    cible = demandes[0]
    assert erase(DemandeAppui, [cible.pk], ["objet"], delete=True) == 1
    assert not DemandeAppui.objects.filter(pk=cible.pk).exists()
    assert not DemandeAppui.history.filter(id=cible.pk).exists()
    assert not Notification.objects.filter(object_id=str(cible.pk)).exclude(corps="").exists()
    assert DemandeAppui.history.filter(id=demandes[1].pk).count() == 2


def test_erase_is_one_transaction(demandes):
    """If the caller's transaction fails after erase, nothing was erased anywhere."""
    cible = demandes[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        erase(DemandeAppui, [cible.pk], {"objet": ANONYME})
        raise RuntimeError
    cible.refresh_from_db()
    assert cible.objet.startswith("Fuite")
    assert JournalEntry.objects.get(action="arrondissements.test", object_id=str(cible.pk)).message


def test_erase_of_nothing_is_a_no_op():
    assert erase(DemandeAppui, [], ["objet"]) == 0


def _raw(sql, params=(), *, flag=False):
    with transaction.atomic(), connection.cursor() as cursor:
        if flag:
            cursor.execute("SELECT set_config('pacte.effacement', 'on', true)")
        cursor.execute(sql, params)


def test_the_journal_stays_append_only_outside_the_narrow_erasure(demandes):
    """Without the erasure flag nothing may change; with it, only blanking the message may."""
    entry = JournalEntry.objects.get(action="arrondissements.test", object_id=str(demandes[0].pk))
    update = "UPDATE pacte_journalentry SET {} WHERE id = %s"
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(update.format("message = ''"), [entry.pk])
    for change in (
        "action = 'autre', message = ''",
        "message = 'réécrit'",
        "data = '{\"x\": 1}', message = ''",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(update.format(change), [entry.pk], flag=True)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM pacte_journalentry WHERE id = %s", [entry.pk], flag=True)
    _raw(update.format("message = ''"), [entry.pk], flag=True)
    entry.refresh_from_db()
    assert entry.message == "" and entry.action == "arrondissements.test"
