"""The saisine workflow: ONE transition table and ONE function that changes a saisine's status.

    reçue → irrecevable (reason code, letter) | réorientée (competent body, letter) | recevable
    recevable → en instruction (premier niveau or médiation formelle) | clôturée (désistement…)
    en instruction → proposition de solution | clôturée
    proposition → clôturée | en instruction (the requester or the service refused; back to work)

Proposals (propositions d'amélioration) have their own small table and function below.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pacte.journal import journal_record

from . import conf
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


class TransitionInterdite(Exception):
    """The requested status change is not in the transition table."""


def transitions_possibles(saisine: Saisine) -> list[str]:
    """The statuses reachable from the saisine's current status, in table order."""
    return [s for s in S.values if s in TRANSITIONS[saisine.statut]]


def _require(data: dict, key: str, choices, label: str) -> str:
    value = data.get(key) or ""
    if value not in choices.values:
        raise ValidationError({key: f"Choisissez {label}."})
    return value


def saisine_transition(*, saisine: Saisine, vers: str, actor, motif: str = "", **data) -> Saisine:
    """Move `saisine` to status `vers`: the only code that assigns `Saisine.statut`.

    Checks the transition table (TransitionInterdite otherwise) and the data each target needs:
    `motif_irrecevabilite` (irrecevable), `organisme_reorientation` (réorientée), `niveau`
    (en instruction), a non-empty `motif` (proposition: the solution proposed), `issue` (clôturée).
    Logs a Transition row and a journal entry, and sends the requester the letter of an
    irrecevable / réorientée / proposition / clôturée decision through the outbox, on commit.
    """
    with transaction.atomic():
        locked = Saisine.objects.select_for_update().get(pk=saisine.pk)
        de = locked.statut
        if vers not in TRANSITIONS.get(de, ()):
            raise TransitionInterdite(f"{de} → {vers}")
        update = ["statut", "updated_at"]
        now = timezone.now()
        if vers == S.IRRECEVABLE:
            locked.motif_irrecevabilite = _require(
                data, "motif_irrecevabilite", MotifIrrecevabilite, "un motif"
            )
            locked.cloturee_at = now
            update += ["motif_irrecevabilite", "cloturee_at"]
        elif vers == S.REORIENTEE:
            locked.organisme_reorientation = _require(
                data, "organisme_reorientation", OrganismeReorientation, "l'organisme compétent"
            )
            locked.cloturee_at = now
            update += ["organisme_reorientation", "cloturee_at"]
        elif vers == S.EN_INSTRUCTION:
            if de == S.RECEVABLE or data.get("niveau"):
                locked.niveau = _require(data, "niveau", Niveau, "le niveau de traitement")
                update.append("niveau")
        elif vers == S.PROPOSITION:
            if not motif.strip():
                raise ValidationError({"motif": "Écrivez la solution proposée."})
        elif vers == S.CLOTUREE:
            locked.issue = _require(data, "issue", Issue, "l'issue du dossier")
            locked.cloturee_at = now
            update += ["issue", "cloturee_at"]
        if vers == S.RECEVABLE and locked.echeance_reponse is None:
            from pacte.calendrier import add_business_days

            locked.echeance_reponse = add_business_days(timezone.localdate(), conf.delai_reponse_jours())
            update.append("echeance_reponse")
        locked.statut = vers
        locked._change_reason = motif[:100] if motif else f"{de} → {vers}"
        locked.save(update_fields=update)
        Transition.objects.create(saisine=locked, de=de, vers=vers, par=actor, at=now, motif=motif)
        journal_record(
            action="mediation.transition",
            actor=actor,
            obj=locked,
            message=f"{S(de).label} → {S(vers).label}",
            # Codes only: the journal is append-only and must hold no personal free text.
            data={"de": de, "vers": vers, **{k: str(v) for k, v in data.items() if k in _CODES}},
        )
        if vers in (S.IRRECEVABLE, S.REORIENTEE, S.PROPOSITION, S.CLOTUREE):
            lettre_requerant_queue(saisine=locked, vers=vers, motif=motif)
    saisine.refresh_from_db()
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


def proposition_transition(*, proposition: Proposition, vers: str, actor, **data) -> Proposition:
    """Move a proposal to `vers`: the only code that assigns `Proposition.statut`.

    acceptée / refusée need the direction's answer (`reponse_direction`) and set `repondue_on`;
    mise en œuvre needs `mise_en_oeuvre_on` (date) and `preuve` (text or link).
    """
    with transaction.atomic():
        locked = Proposition.objects.select_for_update().get(pk=proposition.pk)
        de = locked.statut
        if vers not in PROPOSITION_TRANSITIONS.get(de, ()):
            raise TransitionInterdite(f"{de} → {vers}")
        update = ["statut", "updated_at"]
        if vers in (P.ACCEPTEE, P.REFUSEE):
            reponse = (data.get("reponse_direction") or "").strip()
            if not reponse:
                raise ValidationError({"reponse_direction": "Écrivez la réponse de la direction."})
            locked.reponse_direction = reponse
            locked.repondue_on = data.get("repondue_on") or timezone.localdate()
            update += ["reponse_direction", "repondue_on"]
        elif vers == P.MISE_EN_OEUVRE:
            if not data.get("mise_en_oeuvre_on"):
                raise ValidationError({"mise_en_oeuvre_on": "Indiquez la date de mise en œuvre."})
            if not (data.get("preuve") or "").strip():
                raise ValidationError({"preuve": "Indiquez ce qui montre la mise en œuvre."})
            locked.mise_en_oeuvre_on = data["mise_en_oeuvre_on"]
            locked.preuve = data["preuve"].strip()
            update += ["mise_en_oeuvre_on", "preuve"]
        locked.statut = vers
        locked._change_reason = f"{de} → {vers}"
        locked.save(update_fields=update)
        journal_record(
            action="mediation.proposition",
            actor=actor,
            obj=locked,
            message=f"{P(de).label} → {P(vers).label}",
            data={"de": de, "vers": vers},
        )
    proposition.refresh_from_db()
    return proposition
