"""Médiation files never leave the journaled pages: the Django admin does not show them (#13.6)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model

from mediation.models import DemandePosition, Saisine
from pacte.confidentiel import confidential_labels
from pacte.models import Direction, JournalEntry, Notification

from .factories import saisine_new

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(production_mode, verified_login):
    """A superuser signed in as in production (password, then the second factor)."""
    user = get_user_model().objects.create_superuser(
        "admin-portail", "admin@example.org", "motdepasse-de-test-123"
    )
    verified_login(production_mode, user)
    return production_mode


@pytest.fixture
def dossier(make_user):
    """A saisine by « Zoé Østergaard-Cœur » with a demande de position and its outbox entry."""
    saisine = saisine_new(nom="Østergaard-Cœur", prenom="Zoé", email="zoe.ostergaard@example.org")
    mediateur = make_user("mediateur")
    demande = DemandePosition.objects.create(
        saisine=saisine,
        direction=Direction.objects.first(),
        question="Position sur le bruit",
        envoyee_par=mediateur,
        echeance=saisine.recue_at.date(),
    )
    assert Notification.objects.filter(destinataire="zoe.ostergaard@example.org").exists()
    return saisine, demande


def test_admin_shows_no_mediation_file_by_any_page(admin_client, dossier):
    """List, search, change page, history, demandes de position: 404 — nothing read outside the journal."""
    saisine, demande = dossier
    reads_before = JournalEntry.objects.filter(action__startswith="mediation.lecture").count()
    urls = [
        "/admin/mediation/saisine/",
        f"/admin/mediation/saisine/?q={saisine.reference}",
        f"/admin/mediation/saisine/{saisine.pk}/change/",
        f"/admin/mediation/saisine/{saisine.pk}/history/",
        "/admin/mediation/demandeposition/",
        f"/admin/mediation/demandeposition/{demande.pk}/change/",
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 404, (url, response.status_code)
        assert "Østergaard" not in response.content.decode(), url
    index = admin_client.get("/admin/").content.decode()
    assert "/admin/mediation/saisine/" not in index and "/admin/mediation/demandeposition/" not in index
    assert JournalEntry.objects.filter(action__startswith="mediation.lecture").count() == reads_before


def test_outbox_admin_does_not_expose_the_requester(admin_client, dossier):
    """The outbox list, its search and the change page never show a médiation requester."""
    saisine, _ = dossier
    notification = Notification.objects.filter(object_type="mediation.saisine").first()
    assert notification is not None
    for url in (
        "/admin/pacte/notification/",
        "/admin/pacte/notification/?q=ostergaard",
        f"/admin/pacte/notification/?q={saisine.pk}",
    ):
        html = admin_client.get(url).content.decode()
        assert "zoe.ostergaard@example.org" not in html and saisine.reference not in html, url
        assert "Østergaard" not in html and "Zoé" not in html, url
    # The admin answers « this object does not exist » (redirect to its index) for a hidden row.
    change = admin_client.get(f"/admin/pacte/notification/{notification.pk}/change/")
    assert change.status_code == 302 and change["Location"] == "/admin/"


def test_no_confidential_model_is_registered_in_the_admin():
    """Every model declared confidential (reads journaled) stays out of the admin, whoever adds one."""
    assert {"mediation.saisine", "mediation.demandeposition", "mediation.document", "mediation.message"} <= (
        confidential_labels()
    )
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert not registered & confidential_labels()
    assert Saisine._meta.label_lower in confidential_labels()
