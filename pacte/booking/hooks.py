"""Listeners called when a place is freed on a slot, without the kernel importing feature apps.

A feature app (for example écrivains publics and its waiting list) registers a callable in its
`AppConfig.ready()`:

    from pacte.booking.hooks import register_place_freed_listener

    def on_place_freed(agenda, debut):
        ...  # offer the place to the next person waiting

    register_place_freed_listener(on_place_freed)

After a cancellation or a move commits, each listener is called with the `Agenda` and the aware
start datetime of the slot that has one more free place. Listeners run after commit, in
registration order; an exception in a listener is logged and does not affect the others nor the
cancellation. Listeners must check `agenda.kind` and ignore agendas they do not own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_listeners: list[Callable] = []


def register_place_freed_listener(fn: Callable) -> Callable:
    """Register `fn(agenda, debut)`; idempotent (registering twice calls it once). Returns `fn`."""
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


def unregister_place_freed_listener(fn: Callable) -> None:
    """Remove a listener (mostly for tests)."""
    if fn in _listeners:
        _listeners.remove(fn)


def place_freed(agenda, debut) -> None:
    """Call every listener (run it on commit, see services)."""
    for fn in list(_listeners):
        try:
            fn(agenda, debut)
        except Exception:  # a listener never breaks a cancellation
            logger.exception("Place-freed listener %r failed for agenda %s at %s", fn, agenda.pk, debut)


# --- Agenda ownership ---------------------------------------------------------------------------
#
# A feature app that runs agendas for named people (écrivains publics and their permanences) tells
# the engine which agendas a user owns, so the engine's agent pages show an écrivain only theirs:
#
#     register_agenda_owners("ecrivains", lambda user: Q(permanence__ecrivains__user=user))
#
# The callable returns a condition on `Agenda` for that `kind`; `agendas_visible_to` uses it.

_owners: dict[str, Callable] = {}


def register_agenda_owners(kind: str, fn: Callable) -> Callable:
    """Register `fn(user) -> Q` giving the agendas of `kind` that `user` owns. Returns `fn`."""
    _owners[kind] = fn
    return fn


def owned_agendas(user):
    """A condition on `Agenda`: the agendas `user` owns, over every registered kind (none if none)."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for kind, fn in _owners.items():
        condition |= Q(kind=kind) & fn(user)
    return condition
