"""The workflow of a demande d'appui: the transition table and the one function changing status.

Who acts: the *direction* side is a référent of the direction the request is addressed to; the
*élu* side is any élu of the request's arrondissement (equal features, majority or opposition).
Coordination (DDT) reads everything and acts on nothing (it routes by talking to the directions).

Decisions (documented in README):
- Asking the élu for details pauses the clock: when the request leaves `en_attente_elu`, the
  deadline moves by the business days spent waiting.
- A transfer keeps the deadline: the commitment is the City's, internal routing is not the élu's
  problem. Reminder and escalation restart for the new direction.
- The first answer (`repondre` or `cloturer`) fixes the measured resolution time and whether it
  was within the commitment; a later "relance" by the élu reopens the request with a fresh
  deadline but does not rewrite that measure.
- A question to the élu or any message from the direction counts as the first response.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from pacte.journal import journal_record
from pacte.roles import Role, has_role, profil_of

from .delais import echeance_for, echeance_prolongee
from .enums import Action, Statut
from .models import DemandeAppui

DIRECTION, ELU = "direction", "elu"
N, P, A, R, C = (
    Statut.NOUVELLE,
    Statut.PRISE_EN_CHARGE,
    Statut.EN_ATTENTE_ELU,
    Statut.REPONDUE,
    Statut.CLOTUREE,
)


@dataclass(frozen=True)
class Transition:
    side: str
    moves: dict  # {from status: to status}
    needs_text: bool = False


TRANSITIONS: dict[str, Transition] = {
    Action.PRENDRE_EN_CHARGE: Transition(DIRECTION, {N: P}),
    Action.ASSIGNER: Transition(DIRECTION, {N: P, P: P, A: A}),
    Action.DEMANDER_PRECISIONS: Transition(DIRECTION, {N: A, P: A}, needs_text=True),
    Action.TRANSFERER: Transition(DIRECTION, {N: N, P: N, A: N}, needs_text=True),
    Action.REPONDRE: Transition(DIRECTION, {N: R, P: R, A: R}, needs_text=True),
    Action.CLOTURER: Transition(DIRECTION, {N: C, P: C, A: C, R: C}, needs_text=True),
    Action.COMPLETER: Transition(ELU, {A: P}, needs_text=True),
    Action.ROUVRIR: Transition(ELU, {R: P}, needs_text=True),
}


class TransitionInterdite(Exception):
    """The action is not allowed from the request's current status."""


def side_of(user, demande: DemandeAppui) -> str | None:
    """Which side `user` acts on for `demande` (DIRECTION, ELU) or None (read-only or outsider)."""
    if not getattr(user, "is_authenticated", False):
        return None
    profil = profil_of(user)
    if has_role(user, Role.REFERENT) and profil.direction_id == demande.direction_id:
        return DIRECTION
    if has_role(user, Role.ELU) and profil.arrondissement_id == demande.arrondissement_id:
        return ELU
    return None


def actions_for(user, demande: DemandeAppui) -> list[str]:
    """The actions `user` may take on `demande` now, in table order."""
    side = side_of(user, demande)
    return [a for a, t in TRANSITIONS.items() if t.side == side and demande.statut in t.moves]


def demande_transition(
    demande: DemandeAppui,
    *,
    action: str,
    actor,
    motif: str = "",
    assignee=None,
    direction=None,
    data: dict | None = None,
    now=None,
) -> DemandeAppui:
    """Apply `action` to `demande` as `actor`: the only code that assigns `statut`.

    Checks the actor's side and the table (PermissionDenied / TransitionInterdite), updates the
    commitment timestamps, saves and journals the change (from, to, who, why) in the transaction.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionInterdite(action)
    if side_of(actor, demande) != transition.side:
        raise PermissionDenied
    source = demande.statut
    if source not in transition.moves:
        raise TransitionInterdite(f"{action} depuis {source}")
    if transition.needs_text and not motif.strip():
        raise ValueError("Un texte est requis pour cette action.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    target = transition.moves[source]
    with transaction.atomic():
        if source == A and target != A and demande.attente_depuis:
            demande.echeance = echeance_prolongee(
                demande.echeance, timezone.localdate(demande.attente_depuis), today
            )
            demande.attente_depuis = None
        answers = transition.side == DIRECTION and action not in (
            Action.PRENDRE_EN_CHARGE,
            Action.ASSIGNER,
            Action.TRANSFERER,
        )
        if answers and demande.premiere_reponse_at is None:
            demande.premiere_reponse_at = now
        if action == Action.PRENDRE_EN_CHARGE and demande.assignee_id is None:
            demande.assignee = actor
        if target == A:
            demande.attente_depuis = now
        if action in (Action.REPONDRE, Action.CLOTURER) and demande.resolue_at is None:
            demande.resolue_at = now
            demande.is_dans_delai = today <= demande.echeance
        if target == C:
            demande.cloturee_at = now
        if action == Action.ROUVRIR:
            demande.echeance = echeance_for(demande.urgence, today)
            demande.relance_envoyee_at = demande.escalade_at = None
        if action == Action.ASSIGNER:
            demande.assignee = assignee
        if action == Action.TRANSFERER:
            demande.direction = direction
            demande.assignee = None
            demande.relance_envoyee_at = demande.escalade_at = None
        demande.statut = target
        demande._change_reason = f"{action}: {motif}"[:100]
        demande.save()
        journal_record(
            action=f"arrondissements.demande.{action}",
            actor=actor,
            obj=demande,
            message=f"{Action(action).label} ({Statut(source).label} → {Statut(target).label})",
            data={"de": source, "vers": target, "motif": motif[:500], **(data or {})},
        )
    return demande
