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
from django.utils import timezone

from pacte.roles import Role, has_role, profil_of
from pacte.workflows import Table, TransitionInterdite, transition

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
class ActionRule:
    """Who may take an action (side) and where it leads from each status it is allowed in."""

    side: str
    moves: dict  # {from status: to status}
    needs_text: bool = False


TRANSITIONS: dict[str, ActionRule] = {
    Action.PRENDRE_EN_CHARGE: ActionRule(DIRECTION, {N: P}),
    Action.ASSIGNER: ActionRule(DIRECTION, {N: P, P: P, A: A}),
    Action.DEMANDER_PRECISIONS: ActionRule(DIRECTION, {N: A, P: A}, needs_text=True),
    Action.TRANSFERER: ActionRule(DIRECTION, {N: N, P: N, A: N}, needs_text=True),
    Action.REPONDRE: ActionRule(DIRECTION, {N: R, P: R, A: R}, needs_text=True),
    Action.CLOTURER: ActionRule(DIRECTION, {N: C, P: C, A: C, R: C}, needs_text=True),
    Action.COMPLETER: ActionRule(ELU, {A: P}, needs_text=True),
    Action.ROUVRIR: ActionRule(ELU, {R: P}, needs_text=True),
}

# The status graph for the kernel: every move some action makes.
TABLE = Table(
    moves={
        s: {vers for rule in TRANSITIONS.values() for de, vers in rule.moves.items() if de == s}
        for s in Statut.values
    },
    labels=Statut,
    journal="arrondissements.demande.transition",
)


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
    """Apply `action` to `demande` as `actor` through `pacte.workflows.transition`.

    Under the row lock, on the request as it is in the database (never the possibly stale
    `demande` a page loaded): checks the actor's side (PermissionDenied) and that the action is
    allowed from the current status (TransitionInterdite), updates the commitment timestamps,
    saves only the fields it changed and journals the change (from, to, who, why). A text is
    required for the actions that send one (ValueError). Returns `demande`, refreshed.
    """
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise TransitionInterdite(f"Action inconnue : {action}.", de=demande.statut)
    if rule.needs_text and not motif.strip():
        raise ValueError("Un texte est requis pour cette action.")
    now = now or timezone.now()
    today = timezone.localdate(now)

    def check(locked: DemandeAppui) -> None:
        if side_of(actor, locked) != rule.side:
            raise PermissionDenied

    def apply(locked: DemandeAppui, source: str) -> list[str]:
        target = locked.statut
        changed = []

        def put(**values):
            for name, value in values.items():
                setattr(locked, name, value)
                changed.append(name)

        if source == A and target != A and locked.attente_depuis:
            prolongee = echeance_prolongee(locked.echeance, timezone.localdate(locked.attente_depuis), today)
            put(echeance=prolongee, attente_depuis=None)
        answers = rule.side == DIRECTION and action not in (
            Action.PRENDRE_EN_CHARGE,
            Action.ASSIGNER,
            Action.TRANSFERER,
        )
        if answers and locked.premiere_reponse_at is None:
            put(premiere_reponse_at=now)
        if action == Action.PRENDRE_EN_CHARGE and locked.assignee_id is None:
            put(assignee=actor)
        if target == A:
            put(attente_depuis=now)
        if action in (Action.REPONDRE, Action.CLOTURER) and locked.resolue_at is None:
            put(resolue_at=now, is_dans_delai=today <= locked.echeance)
        if target == C:
            put(cloturee_at=now)
        if action == Action.ROUVRIR:
            put(echeance=echeance_for(locked.urgence, today), relance_envoyee_at=None, escalade_at=None)
        if action == Action.ASSIGNER:
            put(assignee=assignee)
        if action == Action.TRANSFERER:
            put(direction=direction, assignee=None, relance_envoyee_at=None, escalade_at=None)
        return changed

    return transition(
        demande,
        rule.moves,
        TABLE,
        actor,
        motif=f"{action}: {motif}",
        check=check,
        apply=apply,
        journal=f"arrondissements.demande.{action}",
        message=lambda de, vers: f"{Action(action).label} ({Statut(de).label} → {Statut(vers).label})",
        data={"motif": motif[:500], **(data or {})},
        refus=f"« {Action(action).label} » n'est pas possible depuis « {{de}} ».",
        now=now,
    )
