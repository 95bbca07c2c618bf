"""Callback requests: the full transition matrix of `DemandeRappel.statut`, through the kernel."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from demarches import services
from demarches.enums import StatutRappel as R
from demarches.models import DemandeRappel
from demarches.workflows import TABLE
from pacte.roles import Role
from tests.workflow_matrix import assert_cell

pytestmark = pytest.mark.django_db

ALLOWED = {
    (R.EN_ATTENTE, R.EN_COURS),
    (R.EN_ATTENTE, R.JOINT),
    (R.EN_ATTENTE, R.ABANDONNEE),
    (R.EN_COURS, R.EN_COURS),
    (R.EN_COURS, R.JOINT),
    (R.EN_COURS, R.ABANDONNEE),
}
CLOS = {R.JOINT, R.ABANDONNEE}


def test_table_is_the_documented_one():
    """Open requests can be taken, reached or given up; closed ones are final."""
    assert TABLE.pairs() == ALLOWED


@pytest.mark.parametrize("de,vers", list(itertools.product(R.values, R.values)))
def test_matrix(de, vers):
    """Every pair of statuses: allowed ones move (with the closing date when closing), others are refused."""
    demande = services.demande_rappel_create(nom="Ilyès Nguyễn", telephone="0612345678", objet="Carte grise")
    now = timezone.now()
    fields = {"clos_at": now} if vers in CLOS else {}
    setup = {"clos_at": now if de in CLOS else None}
    assert_cell(demande, de, vers, TABLE, allowed=ALLOWED, setup=setup, fields=fields)


def test_taking_a_closed_request_is_refused_in_french(make_user):
    """« Prendre » on a request closed meanwhile (another tab) gives the agent a French message."""
    agent = make_user(Role.AGENT)
    demande = services.demande_rappel_create(nom="Durand", telephone="0612345678", objet="Carte grise")
    stale = DemandeRappel.objects.get(pk=demande.pk)
    services.tentative_record(demande=demande, agent=agent, resultat="joint")
    with pytest.raises(ValidationError, match="déjà close"):
        services.demande_rappel_take(demande=stale, agent=agent)
    assert DemandeRappel.objects.get(pk=demande.pk).statut == R.JOINT
