"""Retention: `erase`, the one way personal data leaves the database, and the kernel's own purge.

Every purge job of every app (see docs/registre-traitements.md) calls `erase(model, ids, fields)`:
in one transaction it scrubs (or deletes) the live rows, their django-simple-history rows (which
keep every past value, and the change reasons that carry free text), the outbox messages about them
(recipient, subject, body, attachments; pending ones are cancelled) and the free-text message of the
journal entries about them (e.g. a cancellation reason typed by an agent). What is kept for
statistics is what the caller does not name.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, models, transaction
from django.utils import timezone

from .models import CompteurLimite, JournalEntry, Notification, StatutNotification
from .notifications import notifications_erase

ANONYME = "(anonymisé)"
logger = logging.getLogger(__name__)


def _blank(field: models.Field) -> Any:
    """The erased value of a field: NULL when allowed, else its default, else the empty string."""
    if field.null:
        return None
    if field.has_default():
        return field.get_default()
    return ""


def _history_model(model: type[models.Model]) -> type[models.Model] | None:
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager).model if manager else None


def erase(
    model: type[models.Model],
    ids: Iterable[Any],
    fields: Mapping[str, Any] | Iterable[str],
    *,
    live: Mapping[str, Any] | None = None,
    delete: bool = False,
) -> int:
    """Erase personal data of the `model` rows whose primary keys are `ids`, everywhere it is kept.

    `fields` names the columns to scrub, with their replacement (a mapping) or with their blank
    value (a list: NULL, the default or ""). In one transaction:

    1. live rows get `fields` plus `live` (columns that exist only there: token hash, erasure date);
       with `delete=True` they are deleted instead;
    2. history rows get `fields` (those the history keeps) and an empty change reason; with
       `delete=True` they are deleted (including the record of the deletion itself);
    3. outbox rows about them lose recipient, subject, body and attachments; pending ones are
       cancelled (an emptied message must never leave);
    4. journal entries about them lose their free-text message (who, when, what and the data stay:
       the journal is append-only except for this, see pacte/migrations/0006).

    Returns the number of live rows erased. Idempotent: erasing twice changes nothing more.
    """
    ids = list(ids)
    if not ids:
        return 0
    if not isinstance(fields, Mapping):
        fields = {name: _blank(model._meta.get_field(name)) for name in fields}
    label = model._meta.label_lower
    keys = [str(i) for i in ids]
    history = _history_model(model)
    with transaction.atomic():
        if delete:
            count = model._base_manager.filter(pk__in=ids).delete()[1].get(model._meta.label, 0)
        else:
            count = model._base_manager.filter(pk__in=ids).update(**fields, **(live or {}))
        if history is not None:
            rows = history.objects.filter(**{f"{model._meta.pk.attname}__in": ids})
            if delete:
                rows.delete()
            else:
                names = {f.name for f in history._meta.get_fields()}
                rows.update(**{k: v for k, v in fields.items() if k in names}, history_change_reason="")
        notifications_erase(model=model, ids=ids)
        _journal_scrub(label, keys)
    return count


def files_delete_on_commit(names: Iterable[str]) -> None:
    """Delete these stored files once the current transaction commits (a rollback keeps them)."""
    names = [name for name in names if name]

    def _delete():
        from django.core.files.storage import default_storage

        for name in names:
            try:
                default_storage.delete(name)
            except OSError:  # already gone
                logger.warning("Could not delete %s", name)

    if names:
        transaction.on_commit(_delete)


def _journal_scrub(object_type: str, object_ids: list[str]) -> None:
    """Blank the free-text message of the journal entries about these objects (narrow exception)."""
    assert JournalEntry._meta.db_table == "pacte_journalentry"
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pacte.effacement', 'on', true)")
        try:
            cursor.execute(
                "UPDATE pacte_journalentry SET message = '' "
                "WHERE object_type = %s AND object_id = ANY(%s) AND message <> ''",
                [object_type, object_ids],
            )
        finally:
            cursor.execute("SELECT set_config('pacte.effacement', 'off', true)")


def kernel_purge(*, now=None) -> dict[str, int]:
    """Delete delivered/failed outbox rows (through `erase`), old sign-in logs, expired sessions and
    stale counters (plain deletes: no history, no message or journal entry is about them); blank the
    name in partners' agreement records once their booking and agreement are over."""
    now = now or timezone.now()
    days = settings.RETENTION_OUTBOX_DAYS
    done = {}
    old = Notification.objects.filter(
        created_at__lt=now - timedelta(days=days),
        statut__in=[StatutNotification.SENT, StatutNotification.FAILED, StatutNotification.CANCELLED],
    )
    done["notifications"] = erase(Notification, list(old.values_list("pk", flat=True)), [], delete=True)
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    log_days = settings.RETENTION_LOGIN_LOG_DAYS
    cutoff = now - timedelta(days=log_days)
    done["access_logs"] = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    done["access_failures"] = AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    done["access_attempts"] = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0]
    done["sessions"] = Session.objects.filter(expire_date__lt=now).delete()[0]
    stale_window = int((now - timedelta(days=2)).timestamp())
    done["rate_counters"] = CompteurLimite.objects.filter(fenetre__lt=stale_window).delete()[0]
    # A partner's record of a person's agreement (pacte.partenaires) keeps who agreed as long as
    # the booking keeps the person's name (BOOKING_RETENTION_DAYS) and the agreement runs.
    from .models import Consentement

    done["consentements"] = (
        Consentement.objects.filter(
            created_at__lt=now - timedelta(days=settings.BOOKING_RETENTION_DAYS),
            expire_on__lt=timezone.localdate(now),
        )
        .exclude(personne_nom="")
        .update(personne_nom="")
    )
    return done


def envois_temporaires_purge(*, now=None) -> int:
    """Delete the attachments kept for forms never sent, older than `UPLOADS_TEMPORAIRES_HEURES`
    (rows, and their files once the transaction commits). Returns the number deleted."""
    from .models import EnvoiTemporaire

    now = now or timezone.now()
    with transaction.atomic():
        old = EnvoiTemporaire.objects.filter(
            created_at__lt=now - timedelta(hours=settings.UPLOADS_TEMPORAIRES_HEURES)
        )
        files_delete_on_commit(list(old.values_list("fichier", flat=True)))
        return old.delete()[0]
