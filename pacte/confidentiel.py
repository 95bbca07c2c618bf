"""Confidential files: the models whose every read is journaled (G6), such as médiation cases.

A feature app declares them in its `AppConfig.ready()`:

    from pacte.confidentiel import register_confidential
    register_confidential(Saisine, DemandePosition, Message, Document)

They are read only through the app's own pages, which journal each read. Consequently the Django
admin never shows them (tests/mediation/test_admin.py checks that none is registered) and the
outbox admin hides the messages about them, whose recipient would name the person.
"""

from __future__ import annotations

_labels: set[str] = set()


def register_confidential(*models) -> None:
    """Declare `models` confidential (idempotent)."""
    _labels.update(model._meta.label_lower for model in models)


def confidential_labels() -> frozenset[str]:
    """The `app_label.modelname` of every confidential model."""
    return frozenset(_labels)
