"""The workflow of a Pacte action: the transition table of `Action.statut`.

    à engager → en cours | réalisée | abandonnée
    en cours → à engager (a correction: not started after all) | réalisée | abandonnée
    réalisée → en cours (reopened)
    abandonnée → à engager | en cours (taken up again)

Refused: a realised action cannot be abandoned, nor an abandoned one realised, nor a realised one
sent back to « à engager »: those would rewrite the public record instead of telling its story.
The mechanism (row lock, journal) is `pacte.workflows.transition`, called by `services.action_save`.
"""

from __future__ import annotations

from pacte.workflows import Table

from .enums import Statut

A, E, R, X = Statut.A_ENGAGER, Statut.EN_COURS, Statut.REALISEE, Statut.ABANDONNEE

TRANSITIONS: dict[str, set[str]] = {
    A: {E, R, X},
    E: {A, R, X},
    R: {E},
    X: {A, E},
}

TABLE = Table(moves=TRANSITIONS, labels=Statut, journal="tracker.action_modifiee")


def refus(de: str, vers: str) -> str:
    """The French explanation of a refused move, as a clause (the CSV import report joins them)."""
    return f"le statut ne peut pas passer de « {TABLE.label(de)} » à « {TABLE.label(vers)} »"


def refus_phrase(de: str, vers: str) -> str:
    """The same explanation as a sentence, for an error next to a form field."""
    texte = refus(de, vers)
    return texte[0].upper() + texte[1:] + "."
