"""One cell of a workflow's transition matrix, checked through the kernel (`pacte.workflows`)."""

from __future__ import annotations

import pytest

from pacte.models import JournalEntry
from pacte.workflows import Table, TransitionInterdite, transition


def assert_cell(obj, de: str, vers: str, table: Table, *, allowed: set, setup: dict | None = None, **options):
    """Put `obj`'s row at status `de` (plus the `setup` columns), then ask for `vers`: an allowed
    pair moves the row and journals (de, vers); any other pair raises TransitionInterdite and
    leaves the row at `de` with no journal entry."""
    model = type(obj)
    model.objects.filter(pk=obj.pk).update(**{table.field: de, **(setup or {})})
    journaled = JournalEntry.objects.for_object(obj).filter(data__de=de, data__vers=vers)
    if (de, vers) in allowed:
        transition(obj, vers, table, **options)
        assert getattr(model.objects.get(pk=obj.pk), table.field) == vers
        assert journaled.count() == 1
    else:
        with pytest.raises(TransitionInterdite):
            transition(obj, vers, table, **options)
        assert getattr(model.objects.get(pk=obj.pk), table.field) == de
        assert not journaled.exists()
