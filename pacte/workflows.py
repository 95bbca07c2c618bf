"""Status workflows: the one mechanism that changes a status field (G6 traceability).

Each app keeps its transition TABLE in its own `workflows.py` (which statuses lead where, and any
guard); this module holds the only code that assigns a status field (a test reads the source to
keep it so: tests/test_status_fields.py).

Where the copies the apps used to carry disagreed, the contract is the stricter one:

- Lock and re-read. The row is locked (`SELECT … FOR UPDATE`) and the table checked against the
  status read under the lock, never against the object in memory. (Booking, médiation and the
  callback queue locked; the demandes d'appui checked a possibly stale object without a lock and
  raced the reminder/escalation beat tasks; the waiting list and the tracker checked nothing.)
- Permissions on the fresh row. A caller's `check` runs under the lock (the demandes d'appui
  checked the actor's side on the stale object, before a concurrent transfer).
- Write only what changes. `save(update_fields=…)` with the status, the caller's fields and the
  `auto_now` fields (the demandes d'appui and the tracker saved the whole row, undoing what a
  concurrent writer had just saved).
- Same status twice. Refused like any move outside the table (médiation), unless the table lists
  the self-move (a transfer keeps « nouvelle ») or the caller says `idempotent=True` for a user
  action that may be repeated (booking: a second « annuler » from another tab is a no-op, no
  save and no journal entry).
- Journal every move, codes only by default. One entry per accepted move, in the same
  transaction, with `de` / `vers` (the waiting list's registrations and the report versions'
  claims were not journaled; the callback queue journaled without the codes); personal free text reaches the journal
  only when the caller passes it in `data` / `message` on purpose (the médiation kept codes
  only). Tables with a log model (médiation's `Transition`) also get a log row.

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

    In one transaction:
    1. lock the row (`queryset`, default the model's manager; `FOR UPDATE OF` the row only) and
       re-read its current status `de`;
    2. run `check(locked)`, a permission or precondition on the fresh row (it may raise
       PermissionDenied or ValidationError);
    3. resolve `to`: a status, or a mapping {current status: target} for an action whose target
       depends on where the row is (a status absent from the mapping is refused);
    4. refuse with `TransitionInterdite` when the table does not allow `de` → `vers` or the move's
       guard says no; the message is `refus` (`{de}` / `{vers}` become the labels) or a French
       default. With `idempotent=True`, `de == vers` returns at once without writing anything;
    5. set the status and `fields`, then run `apply(locked, de)`, which may change more fields on
       the locked row and returns their names (or raises ValidationError to refuse the move);
    6. save with `update_fields`: the status, `fields`, `apply`'s names and the `auto_now` fields;
       `motif` (or « de → vers ») is the simple-history change reason;
    7. add the table's log row (de, vers, par=`actor`, at=`now`, motif), if the table has a log;
    8. journal `journal or table.journal` with `message` (a text, or a function of (de, vers);
       by default « A → B » in labels) and data {de, vers, **data}.

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
