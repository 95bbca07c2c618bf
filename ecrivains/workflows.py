"""The waiting-list workflows: transition tables of offers and registrations.

Offer (a freed slot proposed through a secret link):
    ouverte → acceptée (booked) | refusée | expirée (no answer in time) | caduque (slot taken,
    session cancelled); the four outcomes are final.
Registration on the list:
    en attente → offre en cours | retirée
    offre en cours → en attente (declined, or the slot went) | servie (booked)
                   | sans réponse (offer expired) | retirée
    sans réponse → retirée;  servie, retirée: final (a person registers again if needed)

The mechanism (row lock, journal) is `pacte.workflows.transition`, called by `ecrivains.services`.
"""

from __future__ import annotations

from pacte.workflows import Table

from .enums import StatutInscription, StatutOffre

OF, INS = StatutOffre, StatutInscription

OFFRE_TRANSITIONS: dict[str, set[str]] = {
    OF.OUVERTE: {OF.ACCEPTEE, OF.REFUSEE, OF.EXPIREE, OF.CADUQUE},
    OF.ACCEPTEE: set(),
    OF.REFUSEE: set(),
    OF.EXPIREE: set(),
    OF.CADUQUE: set(),
}

INSCRIPTION_TRANSITIONS: dict[str, set[str]] = {
    INS.EN_ATTENTE: {INS.OFFRE_EN_COURS, INS.RETIREE},
    INS.OFFRE_EN_COURS: {INS.EN_ATTENTE, INS.SERVIE, INS.SANS_REPONSE, INS.RETIREE},
    INS.SANS_REPONSE: {INS.RETIREE},
    INS.SERVIE: set(),
    INS.RETIREE: set(),
}

OFFRE_TABLE = Table(moves=OFFRE_TRANSITIONS, labels=StatutOffre, journal="ecrivains.offre")
INSCRIPTION_TABLE = Table(
    moves=INSCRIPTION_TRANSITIONS, labels=StatutInscription, journal="ecrivains.inscription"
)
