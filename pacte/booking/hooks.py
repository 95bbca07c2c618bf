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
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

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


# --- The waiting list's wording per kind of agenda --------------------------------------------------
#
# One waiting list serves every agenda (`pacte.booking.attente`). A feature app that wants its own
# words and pages for its agendas registers them in its `AppConfig.ready()`:
#
#     register_attente("ecrivains", Attente(messages="ecrivains", offre_url=..., ...))
#
# Agendas of a kind without registration use the engine's defaults (the démarches' counters).


@dataclass(frozen=True)
class Attente:
    """How the waiting list speaks for one kind of agenda.

    - `messages`: the template folder of the messages (`<messages>/emails/offre.txt`…); the
      engine's own are `booking/…/attente_<name>.txt`, a kind's are `<messages>/…/<name>.txt`;
    - `sujets`: the subject of each message (`inscription`, `offre`), French, lazily translated
      (`gettext_lazy`: written in the person's language);
    - `offre_url(token)`: the path of the page an offer's secret link opens;
    - `contexte(agenda)`: extra template context (for instance the permanence of the agenda);
    - `ouvert(agenda)`: whether freed places are still offered (for instance the permanence is
      published);
    - `fermes()`: a condition on `Agenda` for the agendas of this kind that are over (the
      retention of their lists runs from then).
    """

    messages: str = "booking"
    sujets: dict = field(
        default_factory=lambda: {
            "inscription": _("Vous êtes sur la liste d'attente"),
            "offre": _("Une place s'est libérée pour votre rendez-vous"),
        }
    )
    offre_url: Callable | None = None
    contexte: Callable | None = None
    ouvert: Callable | None = None
    fermes: Callable | None = None

    def message(self, name: str) -> str:
        """The `notify_person` message name of `name` (« inscription », « offre »)."""
        if self.messages == "booking":
            return f"booking/attente_{name}"
        return f"{self.messages}/{name}"


_attente: dict[str, Attente] = {}


def register_attente(kind: str, attente: Attente) -> Attente:
    """Register the waiting list's wording and pages for the agendas of `kind`. Returns it."""
    _attente[kind] = attente
    return attente


def attente_of(kind: str) -> Attente:
    """The waiting list's wording for `kind` (the engine's defaults when none is registered)."""
    return _attente.get(kind) or Attente()


def attentes() -> dict[str, Attente]:
    """Every registered kind and its wording."""
    return dict(_attente)


# --- Per-person booking caps ---------------------------------------------------------------------
#
# A feature app that knows what a booking is *for* (démarches: one démarche, counters at several
# lieux) tells the engine how many active future bookings one person may hold there:
#
#     register_booking_caps("demarches", caps_of_agenda)   # fn(agenda) -> list[Plafond]
#
# `reservation_create` asks the callable of the agenda's `kind` inside its transaction and refuses
# (`PlafondAtteint`) a booking that would give the same person more than `maximum` confirmed
# future bookings over `agendas` (an agent may override, with a reason, journaled).


@dataclass(frozen=True)
class Plafond:
    """At most `maximum` active future bookings per person over the agendas `agendas` (ids)."""

    maximum: int
    agendas: frozenset[int]
    libelle: str  # what the cap is about, for the journal and agents (« Passeport »)


_caps: dict[str, Callable] = {}


def register_booking_caps(kind: str, fn: Callable) -> Callable:
    """Register `fn(agenda) -> list[Plafond]` for the agendas of `kind`. Returns `fn`."""
    _caps[kind] = fn
    return fn


def booking_caps(agenda) -> list[Plafond]:
    """The caps that apply to a booking on `agenda` (none when its kind registered none)."""
    fn = _caps.get(agenda.kind)
    return list(fn(agenda)) if fn is not None else []
