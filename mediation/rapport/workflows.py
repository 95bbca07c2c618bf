"""Workflows of the annual report: transition tables of a PDF version and of the report itself.

Version (one generation of the PDF, run by a Celery worker):
    en attente → en cours (a worker claims it) | échec (the broker is down: nothing was queued)
    en cours → prêt | échec | en cours (taken back by a redelivered task once it is older than
               `GENERATION_PERIMEE`: the worker that had it was lost)
    échec → en attente (the médiateur retries)
    prêt: final
Report:
    en préparation → publié;  publié → publié (a newer version replaces the published one)

The mechanism (row lock, journal) is `pacte.workflows.transition`, called by
`mediation.rapport.services`.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from pacte.workflows import Table

from .enums import StatutRapport, StatutVersion

V = StatutVersion

# A running generation older than this is considered lost (worker killed) and may be taken again.
GENERATION_PERIMEE = timedelta(minutes=10)


def _perimee(version, actor) -> bool:
    return version.started_at is not None and version.started_at < timezone.now() - GENERATION_PERIMEE


VERSION_TRANSITIONS = {
    V.EN_ATTENTE: {V.EN_COURS: None, V.ECHEC: None},
    V.EN_COURS: {V.PRET: None, V.ECHEC: None, V.EN_COURS: _perimee},
    V.ECHEC: {V.EN_ATTENTE: None},
    V.PRET: {},
}

RAPPORT_TRANSITIONS = {
    StatutRapport.EN_PREPARATION: {StatutRapport.PUBLIE},
    StatutRapport.PUBLIE: {StatutRapport.PUBLIE},
}

VERSION_TABLE = Table(moves=VERSION_TRANSITIONS, labels=StatutVersion, journal="rapport.version")
RAPPORT_TABLE = Table(moves=RAPPORT_TRANSITIONS, labels=StatutRapport, journal="rapport.publie")
