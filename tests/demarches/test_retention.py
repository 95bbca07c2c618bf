"""Callback requests are anonymised after the retention period, history included."""

import datetime as dt

import pytest
from django.utils import timezone

from demarches.models import DemandeRappel, TentativeAppel
from demarches.retention import ANONYME, rappels_anonymise
from demarches.services import demande_rappel_create, tentative_record

pytestmark = pytest.mark.django_db


def test_closed_callbacks_are_anonymised_after_the_period(make_user):
    """Identity and notes are erased 90 days after closure, in the history too; stats fields stay."""
    agent = make_user("agent_accueil")
    old = demande_rappel_create(nom="Yasmine Haddad", telephone="06 12 34 56 78", objet="Ma carte grise")
    tentative_record(
        demande=old, agent=agent, resultat="joint", note="Rappelée, dossier expliqué à Mme Haddad"
    )
    recent = demande_rappel_create(nom="Paul Girard", telephone="06 98 76 54 32", objet="Inscription école")
    tentative_record(demande=recent, agent=agent, resultat="joint")
    open_request = demande_rappel_create(nom="Léa Martin", telephone="06 11 22 33 44", objet="PACS")
    DemandeRappel.objects.filter(pk=old.pk).update(clos_at=timezone.now() - dt.timedelta(days=120))

    assert rappels_anonymise() == 1
    old.refresh_from_db()
    assert (old.nom, old.telephone, old.email, old.objet) == (ANONYME, "", "", "")
    assert old.statut == "joint" and old.clos_at is not None and old.promesse_at is not None
    assert not DemandeRappel.history.filter(id=old.pk, nom="Yasmine Haddad").exists()
    assert TentativeAppel.objects.get(demande=old).note == ""
    assert not TentativeAppel.history.filter(demande_id=old.pk).exclude(note="").exists()
    for untouched in (recent, open_request):
        untouched.refresh_from_db()
        assert untouched.nom != ANONYME
    assert rappels_anonymise() == 0  # idempotent
