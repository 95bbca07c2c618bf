"""Élus' requests retention: « durée du mandat + 1 an » (registre des traitements, line 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from arrondissements.models import DemandeAppui, Message, PieceJointe
from arrondissements.retention import demandes_appui_anonymise, fin_de_mandat_expiree
from pacte.journal import journal_record
from pacte.models import JournalEntry, Notification
from pacte.retention import ANONYME

from .conftest import PDF

pytestmark = pytest.mark.django_db


def _utc(y, m, d):
    return dt.datetime(y, m, d, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _mandats(settings):
    settings.MANDATS_FIN = ["2020-06-28", "2026-03-22"]
    settings.ARRONDISSEMENTS_RETENTION_APRES_MANDAT_JOURS = 365


@pytest.fixture
def demandes(make_demande, people):
    """A closed request of the ended mandate with its thread, an open one, one of the new mandate."""
    ancienne = make_demande(
        created_at=_utc(2025, 5, 5),
        statut="cloturee",
        objet="Square Sathonay : chute de Mme Roux",
        localisation="Place Sathonay",
        cloturee_at=_utc(2025, 6, 1),
    )
    ancienne.description = "Mme Roux, 82 ans, est tombée."
    ancienne.save()
    message = Message.objects.create(
        demande=ancienne, auteur=people["elu6"], is_direction=False, texte="Sa fille a rappelé."
    )
    piece = PieceJointe(
        demande=ancienne, message=message, nom="certificat-roux.pdf", mimetype="application/pdf"
    )
    piece.taille = len(PDF)
    piece.fichier.save("x.pdf", ContentFile(PDF), save=False)
    piece.save()
    Notification.objects.create(
        canal="email",
        destinataire="maire6@example.org",
        sujet="Réponse à votre demande",
        corps="La direction a répondu sur la chute de Mme Roux.",
        statut="sent",
        object_type="arrondissements.demandeappui",
        object_id=str(ancienne.pk),
    )
    journal_record(action="arrondissements.message", obj=ancienne, message="Sa fille a rappelé.")
    ouverte = make_demande(created_at=_utc(2025, 9, 1), statut="prise_en_charge", objet="Éclairage")
    nouvelle = make_demande(created_at=_utc(2026, 5, 4), statut="cloturee", objet="Arbre")
    return {"ancienne": ancienne, "ouverte": ouverte, "nouvelle": nouvelle, "piece": piece}


def test_the_mandate_of_a_request_ends_it_one_year_later():
    """The last end of mandate whose year is over on a given day."""
    assert fin_de_mandat_expiree(dt.date(2021, 6, 28)) is None
    assert fin_de_mandat_expiree(dt.date(2021, 6, 30)) == dt.date(2020, 6, 28)
    assert fin_de_mandat_expiree(dt.date(2027, 3, 22)) == dt.date(2020, 6, 28)
    assert fin_de_mandat_expiree(dt.date(2027, 3, 24)) == dt.date(2026, 3, 22)


def test_closed_requests_of_an_ended_mandate_are_anonymised_a_year_later(
    demandes, django_capture_on_commit_callbacks
):
    """Élu, subject, text, thread and files go; what the commitments report counts stays."""
    ancienne, piece = demandes["ancienne"], demandes["piece"]
    assert default_storage.exists(piece.fichier.name)
    assert demandes_appui_anonymise(now=_utc(2027, 3, 22)) == 0  # the year is not over yet
    with django_capture_on_commit_callbacks(execute=True):
        assert demandes_appui_anonymise(now=_utc(2027, 3, 24)) == 1
    assert demandes_appui_anonymise(now=_utc(2027, 3, 24)) == 0  # idempotent
    ancienne.refresh_from_db()
    assert (ancienne.auteur_id, ancienne.objet, ancienne.description, ancienne.localisation) == (
        None,
        ANONYME,
        "",
        "",
    )
    assert ancienne.anonymisee_at and ancienne.statut == "cloturee" and ancienne.arrondissement.numero == 6
    assert ancienne.direction.sigle == "DEV" and ancienne.cloturee_at == _utc(2025, 6, 1)
    history = DemandeAppui.history.filter(id=ancienne.pk)
    assert history.count() >= 2
    assert set(history.values_list("auteur", "objet", "description")) == {(None, ANONYME, "")}
    assert not Message.objects.filter(demande=ancienne).exists()
    assert not PieceJointe.objects.filter(demande=ancienne).exists()
    assert not default_storage.exists(piece.fichier.name)
    assert not Notification.objects.filter(object_id=str(ancienne.pk)).exclude(corps="").exists()
    assert (
        JournalEntry.objects.get(action="arrondissements.message", object_id=str(ancienne.pk)).message == ""
    )
    for key in ("ouverte", "nouvelle"):
        demandes[key].refresh_from_db()
        assert demandes[key].auteur_id and demandes[key].anonymisee_at is None


def test_an_anonymised_request_still_opens(demandes, client, people):
    """The detail page of an anonymised request shows « (anonymisé) » instead of the élu."""
    demandes_appui_anonymise(now=_utc(2027, 3, 24))
    client.force_login(people["coord"])
    response = client.get(f"/arrondissements/demandes/{demandes['ancienne'].uuid}/")
    assert response.status_code == 200
    assert "(anonymisé)" in response.text and "Mme Roux" not in response.text


def test_the_purge_is_scheduled_in_beat():
    """The arrondissements app declares the daily retention task in its beat schedule."""
    from pacte.celery import app

    app.loader.import_default_modules()
    app.finalize(auto=True)
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "arrondissements.tasks.demandes_appui_anonymise_task" in tasks
