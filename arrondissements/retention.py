"""Retention of the élus' requests (docs/registre-traitements.md, line 5): « durée du mandat + 1 an ».

A request belongs to the municipal mandate it was filed in: the first end of mandate (MANDATS_FIN)
on or after its creation day. N days (ARRONDISSEMENTS_RETENTION_APRES_MANDAT_JOURS) after that end,
an answered or closed request is anonymised: the élu (author), the subject, description and place
are erased, the messages and attachments deleted, in its history rows, the outbox and the journal's
messages too (`pacte.retention.erase`). Kept for the commitments report: arrondissement, direction,
category, urgency, channel, dates, status and whether the answer came within the deadline. A request
still being worked on waits until it is answered or closed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pacte.journal import journal_record
from pacte.retention import ANONYME, erase, files_delete_on_commit

from .enums import Statut
from .models import DemandeAppui, Message, PieceJointe

FINIES = [Statut.REPONDUE, Statut.CLOTUREE]


def fin_de_mandat_expiree(today: dt.date) -> dt.date | None:
    """The last end of mandate whose retention period is over on `today` (None if none is)."""
    days = dt.timedelta(days=settings.ARRONDISSEMENTS_RETENTION_APRES_MANDAT_JOURS)
    ends = sorted(dt.date.fromisoformat(value) for value in settings.MANDATS_FIN)
    over = [end for end in ends if end + days < today]
    return over[-1] if over else None


def demandes_appui_anonymise(*, now: dt.datetime | None = None) -> int:
    """Anonymise the answered or closed requests filed in a mandate ended more than the retention
    period ago (see the module docstring). Idempotent; returns the number of requests."""
    now = now or timezone.now()
    fin = fin_de_mandat_expiree(timezone.localdate(now))
    if fin is None:
        return 0
    ids = list(
        DemandeAppui.objects.filter(
            created_at__date__lte=fin, statut__in=FINIES, anonymisee_at__isnull=True
        ).values_list("pk", flat=True)[:2000]
    )
    if not ids:
        return 0
    with transaction.atomic():
        pieces = list(PieceJointe.objects.filter(demande_id__in=ids))
        files = [piece.fichier.name for piece in pieces if piece.fichier]
        erase(PieceJointe, [piece.pk for piece in pieces], ["nom"], delete=True)
        messages = Message.objects.filter(demande_id__in=ids).values_list("pk", flat=True)
        erase(Message, list(messages), ["texte"], delete=True)
        erase(
            DemandeAppui,
            ids,
            {"auteur": None, "objet": ANONYME, "description": "", "localisation": ""},
            live={"anonymisee_at": now},
        )
        journal_record(
            action="arrondissements.anonymisation",
            message=f"{len(ids)} demandes d'appui anonymisées",
            data={"nombre": len(ids), "fin_de_mandat": fin.isoformat()},
            actor_label="tâche de conservation",
        )
        files_delete_on_commit(files)
    return len(ids)
