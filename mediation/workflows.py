"""The saisine workflow: ONE transition table and ONE function that changes a saisine's status.

    reçue → irrecevable (reason code, letter) | réorientée (competent body, letter) | recevable
    recevable → en instruction (premier niveau or médiation formelle) | clôturée (désistement…)
    en instruction → proposition de solution | clôturée
    proposition → clôturée | en instruction (the requester or the service refused; back to work)

Proposals (propositions d'amélioration) have their own small table and function below.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pacte.workflows import Table, TransitionLog, transition

from .enums import (
    Issue,
    MotifIrrecevabilite,
    Niveau,
    OrganismeReorientation,
    StatutProposition,
    StatutSaisine,
)
from .models import Proposition, Saisine, Transition
from .notifications import lettre_requerant_queue

S = StatutSaisine

TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECUE: frozenset({S.IRRECEVABLE, S.REORIENTEE, S.RECEVABLE}),
    S.RECEVABLE: frozenset({S.EN_INSTRUCTION, S.CLOTUREE}),
    S.EN_INSTRUCTION: frozenset({S.PROPOSITION, S.CLOTUREE}),
    S.PROPOSITION: frozenset({S.CLOTUREE, S.EN_INSTRUCTION}),
    S.IRRECEVABLE: frozenset(),
    S.REORIENTEE: frozenset(),
    S.CLOTUREE: frozenset(),
}

TABLE = Table(
    moves=TRANSITIONS,
    labels=StatutSaisine,
    journal="mediation.transition",
    log=TransitionLog(Transition, "saisine"),
)

# Labels of the buttons the case file offers for each target.
ACTION_LABELS = {
    S.IRRECEVABLE: "Déclarer irrecevable",
    S.REORIENTEE: "Réorienter vers l'organisme compétent",
    S.RECEVABLE: "Déclarer recevable",
    S.EN_INSTRUCTION: "Instruire",
    S.PROPOSITION: "Proposer une solution",
    S.CLOTUREE: "Clôturer",
}


_CODES = {"motif_irrecevabilite", "organisme_reorientation", "niveau", "issue"}


def transitions_possibles(saisine: Saisine) -> list[str]:
    """The statuses reachable from the saisine's current status, in table order."""
    return TABLE.targets(saisine.statut)


def _require(data: dict, key: str, choices, label: str) -> str:
    value = data.get(key) or ""
    if value not in choices.values:
        raise ValidationError({key: f"Choisissez {label}."})
    return value


def saisine_transition(*, saisine: Saisine, vers: str, actor, motif: str = "", **data) -> Saisine:
    """Move `saisine` to status `vers` through `pacte.workflows.transition` (row lock, `TABLE`).

    Refuses a move outside the table (TransitionInterdite) and checks the data each target needs
    (ValidationError): `motif_irrecevabilite` (irrecevable), `organisme_reorientation`
    (réorientée), `niveau` (en instruction from recevable), a non-empty `motif` (proposition: the
    solution proposed), `issue` (clôturée). Logs a Transition row (with `motif`) and a journal
    entry holding codes only (the journal is append-only and keeps no personal free text), and
    queues the requester's letter of an irrecevable / réorientée / proposition / clôturée
    decision in the same transaction (sent on commit). Returns `saisine`, refreshed.
    """
    now = timezone.now()

    def apply(locked: Saisine, de: str) -> list[str]:
        if vers == S.IRRECEVABLE:
            locked.motif_irrecevabilite = _require(
                data, "motif_irrecevabilite", MotifIrrecevabilite, "un motif"
            )
            locked.cloturee_at = now
            return ["motif_irrecevabilite", "cloturee_at"]
        if vers == S.REORIENTEE:
            locked.organisme_reorientation = _require(
                data, "organisme_reorientation", OrganismeReorientation, "l'organisme compétent"
            )
            locked.cloturee_at = now
            return ["organisme_reorientation", "cloturee_at"]
        if vers == S.EN_INSTRUCTION and (de == S.RECEVABLE or data.get("niveau")):
            locked.niveau = _require(data, "niveau", Niveau, "le niveau de traitement")
            return ["niveau"]
        if vers == S.PROPOSITION and not motif.strip():
            raise ValidationError({"motif": "Écrivez la solution proposée."})
        if vers == S.CLOTUREE:
            locked.issue = _require(data, "issue", Issue, "l'issue du dossier")
            locked.cloturee_at = now
            return ["issue", "cloturee_at"]
        if vers == S.RECEVABLE and locked.echeance_reponse is None:
            from pacte.calendrier import add_business_days

            locked.echeance_reponse = add_business_days(
                timezone.localdate(), settings.MEDIATION_DELAI_REPONSE_JOURS
            )
            return ["echeance_reponse"]
        return []

    with transaction.atomic():
        transition(
            saisine,
            vers,
            TABLE,
            actor,
            motif=motif,
            apply=apply,
            data={k: str(v) for k, v in data.items() if k in _CODES},
            now=now,
        )
        if vers in (S.IRRECEVABLE, S.REORIENTEE, S.PROPOSITION, S.CLOTUREE):
            lettre_requerant_queue(saisine=saisine, vers=vers, motif=motif)
    return saisine


# ---------------------------------------------------------------------------------------------
# Proposals

P = StatutProposition

PROPOSITION_TRANSITIONS: dict[str, frozenset[str]] = {
    P.FORMULEE: frozenset({P.ACCEPTEE, P.REFUSEE}),
    P.ACCEPTEE: frozenset({P.MISE_EN_OEUVRE}),
    P.REFUSEE: frozenset(),
    P.MISE_EN_OEUVRE: frozenset(),
}

PROPOSITION_TABLE = Table(
    moves=PROPOSITION_TRANSITIONS, labels=StatutProposition, journal="mediation.proposition"
)


def proposition_transition(*, proposition: Proposition, vers: str, actor, **data) -> Proposition:
    """Move a proposal to `vers` through `pacte.workflows.transition` (row lock, `PROPOSITION_TABLE`).

    acceptée / refusée need the direction's answer (`reponse_direction`) and set `repondue_on`;
    mise en œuvre needs `mise_en_oeuvre_on` (date) and `preuve` (text or link); ValidationError
    otherwise. Journaled. Returns `proposition`, refreshed.
    """

    def apply(locked: Proposition, de: str) -> list[str]:
        if vers in (P.ACCEPTEE, P.REFUSEE):
            reponse = (data.get("reponse_direction") or "").strip()
            if not reponse:
                raise ValidationError({"reponse_direction": "Écrivez la réponse de la direction."})
            locked.reponse_direction = reponse
            locked.repondue_on = data.get("repondue_on") or timezone.localdate()
            return ["reponse_direction", "repondue_on"]
        if vers == P.MISE_EN_OEUVRE:
            if not data.get("mise_en_oeuvre_on"):
                raise ValidationError({"mise_en_oeuvre_on": "Indiquez la date de mise en œuvre."})
            if not (data.get("preuve") or "").strip():
                raise ValidationError({"preuve": "Indiquez ce qui montre la mise en œuvre."})
            locked.mise_en_oeuvre_on = data["mise_en_oeuvre_on"]
            locked.preuve = data["preuve"].strip()
            return ["mise_en_oeuvre_on", "preuve"]
        return []

    return transition(proposition, vers, PROPOSITION_TABLE, actor, apply=apply)
