"""Waiting-list workflows: the full transition matrices of offers and registrations, through the kernel."""

from __future__ import annotations

import itertools
import secrets

import pytest
from django.utils import timezone

from ecrivains import services
from ecrivains.enums import StatutInscription as I
from ecrivains.enums import StatutOffre as O
from pacte.booking.models import OffreCreneau
from pacte.booking.workflows import INSCRIPTION_TABLE, OFFRE_TABLE
from pacte.models import JournalEntry
from pacte.workflows import TransitionInterdite, transition
from tests.workflow_matrix import assert_cell

from .conftest import slot_of

pytestmark = pytest.mark.django_db

OFFRE_ALLOWED = {(O.OUVERTE, v) for v in (O.ACCEPTEE, O.REFUSEE, O.EXPIREE, O.CADUQUE)}
INSCRIPTION_ALLOWED = {
    (I.EN_ATTENTE, I.OFFRE_EN_COURS),
    (I.EN_ATTENTE, I.RETIREE),
    (I.OFFRE_EN_COURS, I.EN_ATTENTE),
    (I.OFFRE_EN_COURS, I.SERVIE),
    (I.OFFRE_EN_COURS, I.SANS_REPONSE),
    (I.OFFRE_EN_COURS, I.RETIREE),
    (I.SANS_REPONSE, I.RETIREE),
}


def test_tables_are_the_documented_ones():
    """The tables are exactly the documented moves (no silent extra move)."""
    assert OFFRE_TABLE.pairs() == OFFRE_ALLOWED
    assert INSCRIPTION_TABLE.pairs() == INSCRIPTION_ALLOWED


def _offre(inscription, **fields):
    return OffreCreneau.objects.create(
        inscription=inscription,
        agenda=inscription.agenda,
        debut=slot_of(inscription.agenda.permanence),
        token_hash=secrets.token_hex(32),
        expire_at=timezone.now() + timezone.timedelta(hours=2),
        **fields,
    )


@pytest.fixture
def inscription(make_permanence):
    permanence = make_permanence()
    return services.inscription_create(permanence=permanence, nom="Zoé Œuvray", telephone="0612345670")


@pytest.mark.parametrize("de,vers", list(itertools.product(I.values, I.values)))
def test_inscription_matrix(de, vers, inscription):
    """Every pair of registration statuses: allowed ones move and are journaled, others are refused."""
    assert_cell(inscription, de, vers, INSCRIPTION_TABLE, allowed=INSCRIPTION_ALLOWED)


@pytest.mark.parametrize("de,vers", list(itertools.product(O.values, O.values)))
def test_offre_matrix(de, vers, inscription):
    """Every pair of offer statuses: only an open offer has an outcome, and outcomes are final."""
    offre = _offre(inscription)
    assert_cell(offre, de, vers, OFFRE_TABLE, allowed=OFFRE_ALLOWED)


def test_withdrawing_declines_the_open_offer_and_a_served_person_cannot_be_withdrawn(inscription):
    """Withdrawal closes the open offer (refusée); withdrawing again is refused."""
    offre = _offre(inscription)
    transition(inscription, I.OFFRE_EN_COURS, INSCRIPTION_TABLE)
    services.inscription_withdraw(inscription=inscription)
    offre.refresh_from_db()
    assert (inscription.statut, offre.statut) == (I.RETIREE, O.REFUSEE)
    with pytest.raises(TransitionInterdite):
        services.inscription_withdraw(inscription=inscription)


def test_declining_an_offer_that_is_no_longer_open_does_nothing(inscription):
    """A late « non merci » on an expired offer changes nothing and journals nothing."""
    offre = _offre(inscription, statut=O.EXPIREE)
    services.offre_decline(offre=offre)
    assert OffreCreneau.objects.get(pk=offre.pk).statut == O.EXPIREE
    assert not JournalEntry.objects.for_object(offre).exists()
