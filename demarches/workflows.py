"""The callback-request workflow: the transition table of `DemandeRappel.statut`.

    en attente → en cours (taken, or a failed call) | joint (reached) | abandonnée (fallback sent)
    en cours → en cours (re-assigned, another failed call) | joint | abandonnée
    joint, abandonnée: final (the request is closed)

The mechanism (row lock, journal) is `pacte.workflows.transition`, called by `demarches.services`.
"""

from __future__ import annotations

from pacte.workflows import Table

from .enums import StatutRappel

R = StatutRappel

TRANSITIONS: dict[str, set[str]] = {
    R.EN_ATTENTE: {R.EN_COURS, R.JOINT, R.ABANDONNEE},
    R.EN_COURS: {R.EN_COURS, R.JOINT, R.ABANDONNEE},
    R.JOINT: set(),
    R.ABANDONNEE: set(),
}

OUVERTS = (R.EN_ATTENTE, R.EN_COURS)

TABLE = Table(moves=TRANSITIONS, labels=StatutRappel, journal="rappel.transition")
