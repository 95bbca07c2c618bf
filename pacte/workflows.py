"""Status workflows: the one mechanism that changes a status field (G6 traceability).

Each app keeps its transition TABLE in its own `workflows.py` (which statuses lead where, and any
guard); this module holds the only code that assigns a status field. The contract of
`transition()`, where the copies the apps used to carry disagreed, is the stricter one:

- The row is locked (`SELECT … FOR UPDATE`) and its current status re-read under the lock: the
  table is checked against the database, never against a possibly stale object in memory (the
  demandes d'appui checked the in-memory status without a lock and raced the beat tasks).
- Only the status and the fields the caller names are written (`save(update_fields=…)`, plus the
  model's `auto_now` fields): a transition never rewrites columns another writer changed meanwhile
  (the demandes d'appui saved the whole row).
- Asking for the status the row already has is refused like any move outside the table, unless
  the table lists that self-move (e.g. a transfer keeps « nouvelle ») or the caller says
  `idempotent=True` (a repeated « annuler » is then a silent no-op: no save, no journal entry).
- Every accepted transition writes one journal entry in the same transaction, with `de` / `vers`
  codes; personal free text reaches the journal only when the caller puts it in `data` or
  `message` on purpose. Models with a transition log (the médiation's) also get a log row.

Nothing here sends a message: side effects stay in the app's service, inside the caller's
transaction (wrap the call in `transaction.atomic()`) or on commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .journal import journal_record

# A guard on one move: called with the locked row and the actor; False refuses the move.
Guard = Callable[[Any, Any], bool]


class TransitionInterdite(Exception):
    """The requested status change is not in the table (or its guard refused it).

    `de` and `vers` are the status codes; `str(exc)` is a French sentence fit for an agent's screen.
    """

    def __init__(self, message: str = "", *, de: str = "", vers: str = ""):
        super().__init__(message or f"{de} → {vers}")
        self.de = de
        self.vers = vers


@dataclass(frozen=True)
class TransitionLog:
    """A model logging each transition of `fk`'s object with the fields de, vers, par, at, motif."""

    model: type[models.Model]
    fk: str


@dataclass(frozen=True, eq=False)
class Table:
    """One workflow's transition table: `moves[from]` is the allowed targets (a set), or a mapping
    target → guard (None for no guard). Every status of `labels` must be a key, terminal ones with
    no target, so the whole matrix is written down.
    """

    moves: Mapping[str, Collection[str] | Mapping[str, Guard | None]]
    labels: type[models.TextChoices]
    journal: str
    field: str = "statut"
    log: TransitionLog | None = None
    _guards: dict = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self):
        values = set(self.labels.values)
        guards: dict[tuple[str, str], Guard | None] = {}
        for de, targets in self.moves.items():
            items = targets.items() if isinstance(targets, Mapping) else ((t, None) for t in targets)
            for vers, guard in items:
                guards[(str(de), str(vers))] = guard
        unknown = ({de for de, _ in guards} | {vers for _, vers in guards} | set(self.moves)) - values
        missing = values - set(self.moves)
        if unknown or missing:
            raise ValueError(
                f"Transition table {self.journal}: unknown {unknown or '∅'}, missing {missing or '∅'}"
            )
        object.__setattr__(self, "_guards", guards)

    def pairs(self) -> set[tuple[str, str]]:
        """Every allowed (from, to) pair, guards aside."""
        return set(self._guards)

    def allows(self, de: str, vers: str, obj=None, actor=None) -> bool:
        """Whether the table allows `de` → `vers` (running the move's guard when `obj` is given)."""
        if (de, vers) not in self._guards:
            return False
        guard = self._guards[(de, vers)]
        return guard is None or obj is None or bool(guard(obj, actor))

    def targets(self, de: str, obj=None, actor=None) -> list[str]:
        """The statuses reachable from `de`, in the order of `labels`."""
        return [v for v in self.labels.values if self.allows(de, v, obj, actor)]

    def label(self, code: str) -> str:
        return str(self.labels(code).label) if code in self.labels.values else code


def _auto_now_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]


def transition[M: models.Model](
    obj: M,
    to: str | Mapping[str, str],
    table: Table,
    actor=None,
    *,
    motif: str = "",
    fields: Mapping[str, Any] | None = None,
    apply: Callable[[M, str], Iterable[str] | None] | None = None,
    check: Callable[[M], None] | None = None,
    idempotent: bool = False,
    queryset: models.QuerySet | None = None,
    journal: str = "",
    message: str | Callable[[str, str], str] = "",
    data: Mapping[str, Any] | None = None,
    actor_label: str = "",
    refus: str = "",
    now: dt.datetime | None = None,
) -> M:
    """Move `obj` to status `to` following `table`: the only code that assigns a status field.

    In one transaction: lock the row (`queryset`, default the model's manager, `FOR UPDATE OF`
    the row only) and re-read its status `de`; run `check(locked)` (a permission or precondition
    on the fresh row: it may raise PermissionDenied / ValidationError); resolve `to` (a status, or
    a mapping {current status: target} for actions whose target depends on where the row is —
    a status absent from it is refused); refuse with `TransitionInterdite` (message `refus` or a
    French default; `{de}` and `{vers}` in `refus` become the labels) when the table does not allow `de` → `vers` or the move's guard says no
    (except `idempotent=True` and `de == vers`: return without writing anything); set the status
    and `fields`; run `apply(locked, de)`, which may change more fields on the locked row and
    returns their names (or raise ValidationError to refuse); save with `update_fields` (status,
    `fields`, `apply`'s names and the `auto_now` fields); add the table's log row (par=actor,
    at=`now`, motif); journal `journal or table.journal` with `message` (a text, or a function of (de, vers); by
    default « A → B » in labels) and
    data {de, vers, **data}. `motif` is also the simple-history change reason.

    The caller's `obj` is refreshed from the locked row (its related-object caches are kept when
    the keys did not change) and returned.
    """
    now = now or timezone.now()
    model = type(obj)
    name = table.field
    with transaction.atomic():
        qs = queryset if queryset is not None else model._default_manager.all()
        locked = qs.select_for_update(of=("self",)).get(pk=obj.pk)
        if check is not None:
            check(locked)
        de = getattr(locked, name)
        if isinstance(to, Mapping):
            if de not in to:
                texte = refus or "Action impossible depuis « {de} »."
                raise TransitionInterdite(texte.format(de=table.label(de), vers=""), de=de, vers="")
            vers = to[de]
        else:
            vers = str(to)
        if de == vers and idempotent and not table.allows(de, vers):
            _copy(locked, obj)
            return obj
        if not table.allows(de, vers, locked, actor):
            texte = refus or "Passage de « {de} » à « {vers} » impossible."
            raise TransitionInterdite(
                texte.format(de=table.label(de), vers=table.label(vers)), de=de, vers=vers
            )
        update = [name]
        setattr(locked, name, vers)
        for key, value in (fields or {}).items():
            setattr(locked, key, value)
            update.append(key)
        if apply is not None:
            update.extend(apply(locked, de) or ())
        update.extend(_auto_now_fields(model))
        locked._change_reason = (motif or f"{de} → {vers}")[:100]
        locked.save(update_fields=list(dict.fromkeys(update)))
        if table.log is not None:
            table.log.model.objects.create(
                **{table.log.fk: locked}, de=de, vers=vers, par=actor, at=now, motif=motif
            )
        journal_record(
            action=journal or table.journal,
            actor=actor,
            obj=locked,
            message=(message(de, vers) if callable(message) else message)
            or f"{table.label(de)} → {table.label(vers)}",
            data={"de": de, "vers": vers, **(data or {})},
            actor_label=actor_label,
        )
        _copy(locked, obj)
    return obj


def _copy(source: models.Model, target: models.Model) -> None:
    """Copy the fresh column values onto the caller's instance (setting a changed foreign key's
    attname drops its stale cached object, Django's own descriptor does that)."""
    if source is target:
        return
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
