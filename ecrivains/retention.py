"""Retention of the écrivains' waiting list (docs/registre-traitements.md, line 3): « fin de la
permanence + 30 jours ». An entry only serves to offer a freed slot of one permanence: it is
deleted, with its offers and the messages about them, N days (ECRIVAINS_ATTENTE_RETENTION_JOURS)
after the end of what it waited for:

- the session it asked for (`date_souhaitee`), once that date is N days past;
- otherwise the day it left the list (served, no answer, withdrawn), N days later;
- or the permanence itself, once it is no longer published (its agenda closed), N days after the
  entry's last change.

An entry still waiting for any date of a running permanence stays. Nothing of it is kept: the
list has no statistics of its own (the bookings it led to are counted by the booking engine).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pacte.journal import journal_record
from pacte.retention import erase

from .enums import StatutInscription
from .models import InscriptionAttente, OffreCreneau

PARTIES = [StatutInscription.SERVIE, StatutInscription.SANS_REPONSE, StatutInscription.RETIREE]


def inscriptions_attente_purge(*, now=None) -> int:
    """Delete the waiting-list entries past their retention period, offers and messages included
    (`pacte.retention.erase`, history and journal messages too). Idempotent; returns the count."""
    now = now or timezone.now()
    days = settings.ECRIVAINS_ATTENTE_RETENTION_JOURS
    cutoff_at = now - timedelta(days=days)
    cutoff_on = timezone.localdate(now) - timedelta(days=days)
    expired = (
        Q(date_souhaitee__lt=cutoff_on)
        | Q(statut__in=PARTIES, updated_at__lt=cutoff_at)
        | (
            (Q(permanence__is_active=False) | Q(permanence__agenda__is_active=False))
            & Q(updated_at__lt=cutoff_at)
        )
    )
    ids = list(
        InscriptionAttente.objects.filter(expired)
        .exclude(statut=StatutInscription.OFFRE_EN_COURS)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    with transaction.atomic():
        offres = OffreCreneau.objects.filter(inscription_id__in=ids).values_list("pk", flat=True)
        erase(OffreCreneau, list(offres), [], delete=True)
        count = erase(InscriptionAttente, ids, ["nom", "telephone", "email"], delete=True)
        journal_record(
            action="ecrivains.attente_purge",
            message=f"{count} inscriptions sur liste d'attente effacées",
            data={"nombre": count, "jours": days},
            actor_label="tâche de conservation",
        )
    return count
