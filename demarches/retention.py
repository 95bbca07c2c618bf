"""Retention of callback requests (see docs/registre-traitements.md): identities are erased a
configurable time after the request is closed (default 90 days), history tables included; the
statistical fields (démarche, channel, status, dates, attempts' outcomes) are kept for the promise
measure."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pacte.journal import journal_record
from pacte.retention import erase

from .models import DemandeRappel, TentativeAppel

ANONYME = "(anonymisé)"


@transaction.atomic
def rappels_anonymise(*, now=None, days: int | None = None) -> int:
    """Erase name, phone, email, postal address, subject and attempt notes of callbacks closed more than `days` ago
    (history, outbox messages and journal messages included: `pacte.retention.erase`)."""
    now = now or timezone.now()
    days = days if days is not None else settings.RETENTION_RAPPELS_DAYS
    cutoff = now - timedelta(days=days)
    ids = list(
        DemandeRappel.objects.filter(clos_at__lt=cutoff).exclude(nom=ANONYME).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    erase(
        DemandeRappel, ids, {"nom": ANONYME, "telephone": "", "email": "", "adresse_postale": "", "objet": ""}
    )
    tentatives = set(TentativeAppel.objects.filter(demande_id__in=ids).values_list("pk", flat=True)) | set(
        TentativeAppel.history.filter(demande_id__in=ids).values_list("id", flat=True)
    )
    erase(TentativeAppel, tentatives, {"note": ""})
    journal_record(action="demarches.rappels_anonymises", data={"nombre": len(ids), "jours": days})
    return len(ids)
