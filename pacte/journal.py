"""The business journal: one function to append an entry (G6 traceability)."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import JournalEntry


def journal_record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    message: str = "",
    data: dict[str, Any] | None = None,
    actor_label: str = "",
) -> JournalEntry:
    """Append one entry to the journal (who, when, what, why). Call it inside the write's transaction."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    label = actor_label or (actor.get_username() if actor is not None else "usager")
    return JournalEntry.objects.create(
        action=action,
        actor=actor,
        actor_label=label,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        message=message,
        data=data or {},
    )
