"""Writes of the médiation app (use cases): atomic, journaled, side effects through the outbox."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pacte.calendrier import add_business_days
from pacte.journal import journal_record
from pacte.retention import erase, files_delete_on_commit
from pacte.roles import Role
from pacte.secret_links import lookup, reference_new, token_new
from pacte.uploads import checked_type, display_name, stored_name

from . import notifications
from .enums import CanalSaisine, Niveau, StatutSaisine
from .models import DemandePosition, Document, Message, Proposition, Saisine
from .workflows import saisine_transition

logger = logging.getLogger(__name__)

SAISINE_FIELDS = [
    "requerant_type",
    "nom",
    "prenom",
    "organisme_nom",
    "email",
    "telephone",
    "adresse",
    "langue",
    "arrondissement",
    "direction",
    "service_concerne",
    "theme",
    "recit",
    "demarche_prealable",
    "demarche_prealable_detail",
    "demarche_prealable_on",
    "decision_justice",
    "elu_implique",
    "elu_detail",
]


def saisine_create(
    *, data: dict, canal: str, actor=None, fichiers=(), consentement: bool = False
) -> tuple[Saisine, str]:
    """Record a new saisine (any channel) with its files; send the acknowledgement; return (saisine, token).

    The token of the follow-up link is returned once and only its hash is stored (G4).
    """
    token, hashed = token_new()
    now = timezone.now()
    saisine = Saisine(
        canal=canal,
        token_hash=hashed,
        token_expire_at=now + dt.timedelta(days=settings.MEDIATION_LIEN_SUIVI_JOURS),
        consentement_at=now if consentement else None,
        recue_at=now,
        echeance_accuse=add_business_days(timezone.localdate(), settings.MEDIATION_DELAI_ACCUSE_JOURS),
        echeance_reponse=add_business_days(timezone.localdate(), settings.MEDIATION_DELAI_REPONSE_JOURS),
        saisie_par=actor,
        assignee=actor if actor is not None and _is_mediateur(actor) else None,
        **{k: v for k, v in data.items() if k in SAISINE_FIELDS},
    )
    for _attempt in range(5):
        saisine.reference = reference_new("MED")
        try:
            with transaction.atomic():
                saisine.full_clean(exclude=["reference", "token_hash"])
                saisine._change_reason = "Saisine reçue"
                saisine.save()
                for upload in fichiers:
                    document_add(saisine=saisine, upload=upload, actor=actor, is_from_requerant=actor is None)
                journal_record(
                    action="mediation.saisine",
                    actor=actor,
                    obj=saisine,
                    message=f"Saisine {saisine.reference} reçue ({CanalSaisine(canal).label})",
                    data={"canal": canal, "fichiers": len(fichiers)},
                )
                accuse_send(saisine=saisine, token=token)
            break
        except IntegrityError:
            saisine.pk = None
            saisine._state.adding = True
            continue
    else:  # pragma: no cover - 32^6 codes
        raise RuntimeError("No free reference")
    return saisine, token


def _is_mediateur(user) -> bool:
    from pacte.roles import has_role

    return has_role(user, Role.MEDIATEUR)


def accuse_send(*, saisine: Saisine, token: str) -> None:
    """Queue the acknowledgement (reference + secret follow-up link) and set `accuse_at`."""
    if notifications.accuse_queue(saisine=saisine, token=token):
        saisine.accuse_at = timezone.now()
        saisine.save(update_fields=["accuse_at", "updated_at"])


def saisine_by_token(token: str) -> Saisine | None:
    """The saisine of a live, unexpired follow-up token, or None."""
    return lookup(_liens_valides(), token, expire_field="token_expire_at")


def _liens_valides():
    return (
        Saisine.objects.filter(is_anonymised=False, token_expire_at__gt=timezone.now())
        .exclude(token_hash="")
        .select_related("arrondissement", "direction")
    )


def saisine_by_link(uuid) -> Saisine | None:
    """The saisine a browser holds through its follow-up link (not expired), or None."""
    try:
        return _liens_valides().filter(uuid=uuid).first() if uuid else None
    except ValidationError:  # not a UUID
        return None


def saisine_by_reference(reference: str) -> Saisine | None:
    """The saisine with this reference whose follow-up link is still valid (recovery path), or None."""
    reference = (reference or "").strip().upper()[:20]
    return _liens_valides().filter(reference=reference).first() if reference else None


def document_add(*, saisine: Saisine, upload, actor=None, is_from_requerant: bool = False) -> Document:
    """Store one already validated upload (see pacte.uploads) as a document of the case."""
    mimetype = checked_type(upload, max_size=settings.MEDIATION_MAX_TAILLE)
    document = Document(
        saisine=saisine,
        nom=display_name(upload.name, mimetype),
        mimetype=mimetype,
        taille=upload.size,
        depose_par=actor,
        is_from_requerant=is_from_requerant,
    )
    document.fichier.save(stored_name(mimetype), upload, save=False)
    document.save()
    return document


def message_add(
    *, saisine: Saisine, corps: str, actor=None, is_interne: bool = False, is_from_requerant: bool = False
) -> Message:
    """Add a message (to or from the requester) or an internal note; a message to the requester is emailed."""
    corps = (corps or "").strip()
    if not corps:
        raise ValidationError({"corps": "Écrivez votre message."})
    with transaction.atomic():
        message = Message.objects.create(
            saisine=saisine,
            auteur=actor,
            corps=corps,
            is_interne=is_interne,
            is_from_requerant=is_from_requerant,
        )
        kind = "note" if is_interne else ("requerant" if is_from_requerant else "message")
        journal_record(action=f"mediation.{kind}", actor=actor, obj=saisine, data={"message": message.pk})
        if not is_interne and not is_from_requerant:
            notifications.message_queue(message=message)
    return message


def saisine_update(*, saisine: Saisine, actor, **fields) -> Saisine:
    """Change qualification fields (assignee, theme, direction, arrondissement, élu involvement…).

    Never the status: that is `workflows.saisine_transition`.
    """
    allowed = {
        "assignee",
        "theme",
        "direction",
        "arrondissement",
        "service_concerne",
        "requerant_type",
        "elu_implique",
        "elu_detail",
    }
    changed = [k for k, v in fields.items() if k in allowed and getattr(saisine, k) != v]
    if not changed:
        return saisine
    with transaction.atomic():
        for key in changed:
            setattr(saisine, key, fields[key])
        saisine.full_clean(exclude=["reference", "token_hash"])
        saisine._change_reason = "Qualification"
        saisine.save(update_fields=[*changed, "updated_at"])
        journal_record(
            action="mediation.qualification", actor=actor, obj=saisine, data={"champs": sorted(changed)}
        )
    return saisine


def demande_position_send(
    *, saisine: Saisine, direction, question: str, actor, echeance: dt.date | None = None
) -> DemandePosition:
    """Ask a direction for its position (formal mediation). Moves a recevable case into instruction.

    The deadline defaults to MEDIATION_DELAI_POSITION_JOURS business days; the référents are emailed.
    """
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": "Écrivez la question posée au service."})
    with transaction.atomic():
        if saisine.statut == StatutSaisine.RECEVABLE:
            saisine_transition(
                saisine=saisine,
                vers=StatutSaisine.EN_INSTRUCTION,
                actor=actor,
                motif="Demande de position à la direction",
                niveau=Niveau.MEDIATION_FORMELLE,
            )
        elif saisine.statut != StatutSaisine.EN_INSTRUCTION:
            raise ValidationError(
                "Une demande de position se fait sur un dossier recevable ou en instruction."
            )
        if saisine.niveau != Niveau.MEDIATION_FORMELLE:
            saisine.niveau = Niveau.MEDIATION_FORMELLE
            saisine._change_reason = "Médiation formelle"
            saisine.save(update_fields=["niveau", "updated_at"])
        demande = DemandePosition.objects.create(
            saisine=saisine,
            direction=direction,
            question=question,
            echeance=echeance
            or add_business_days(timezone.localdate(), settings.MEDIATION_DELAI_POSITION_JOURS),
            envoyee_par=actor,
        )
        journal_record(
            action="mediation.demande_position",
            actor=actor,
            obj=saisine,
            message=f"Demande de position à {direction.sigle}",
            data={"demande": str(demande.uuid), "direction": direction.sigle},
        )
        notifications.demande_position_queue(demande=demande)
    return demande


def demande_position_answer(*, demande: DemandePosition, reponse: str, actor) -> DemandePosition:
    """Record the direction's answer (by its référent or the médiateur); the team is told by email."""
    reponse = (reponse or "").strip()
    if not reponse:
        raise ValidationError({"reponse": "Écrivez la réponse de la direction."})
    with transaction.atomic():
        demande = DemandePosition.objects.select_for_update().get(pk=demande.pk)
        if demande.repondue_at is not None:
            raise ValidationError("Cette demande a déjà reçu une réponse.")
        demande.reponse = reponse
        demande.repondue_at = timezone.now()
        demande.repondue_par = actor
        demande._change_reason = "Réponse de la direction"
        demande.save(update_fields=["reponse", "repondue_at", "repondue_par"])
        journal_record(
            action="mediation.position_recue",
            actor=actor,
            obj=demande.saisine,
            message=f"Réponse de {demande.direction.sigle}",
            data={"demande": str(demande.uuid)},
        )
        notifications.position_recue_queue(demande=demande)
    return demande


def demandes_position_remind(*, today: dt.date | None = None) -> int:
    """Remind the référents of each overdue request for position (at most every few days). Idempotent per day."""
    today = today or timezone.localdate()
    interval = dt.timedelta(days=settings.MEDIATION_RELANCE_INTERVALLE_JOURS)
    count = 0
    overdue = DemandePosition.objects.en_retard(today).select_related("saisine", "direction")
    for demande in overdue:
        if demande.derniere_relance_on and demande.derniere_relance_on > today - interval:
            continue
        with transaction.atomic():
            demande.relances += 1
            demande.derniere_relance_on = today
            demande._change_reason = "Relance"
            demande.save(update_fields=["relances", "derniere_relance_on"])
            notifications.relance_queue(demande=demande, today=today)
            journal_record(
                action="mediation.relance",
                obj=demande.saisine,
                actor_label="tâche planifiée",
                data={"demande": str(demande.uuid), "relances": demande.relances},
            )
        count += 1
    return count


def proposition_numero_new(annee: int) -> str:
    last = Proposition.objects.filter(annee=annee).count()
    numero = f"{annee}-{last + 1:02d}"
    while Proposition.objects.filter(numero=numero).exists():
        last += 1
        numero = f"{annee}-{last + 1:02d}"
    return numero


def proposition_create(
    *, titre: str, texte: str, direction, saisines=(), actor, formulee_on=None
) -> Proposition:
    """Formulate a proposal to a direction, linked to the cases that motivated it; référents are told."""
    formulee_on = formulee_on or timezone.localdate()
    with transaction.atomic():
        proposition = Proposition(
            numero=proposition_numero_new(formulee_on.year),
            titre=titre,
            texte=texte,
            direction=direction,
            annee=formulee_on.year,
            formulee_on=formulee_on,
            auteur=actor,
        )
        proposition.full_clean()
        proposition._change_reason = "Formulée"
        proposition.save()
        proposition.saisines.set(saisines)
        journal_record(
            action="mediation.proposition",
            actor=actor,
            obj=proposition,
            message=f"Proposition {proposition.numero} formulée à {direction.sigle}",
        )
        notifications.proposition_queue(proposition=proposition)
    return proposition


def lecture_record(
    *, actor, saisine: Saisine | None = None, action: str = "mediation.lecture", data=None
) -> None:
    """Journal a read (or export) of médiation data (G6)."""
    journal_record(action=action, actor=actor, obj=saisine, data=data or {})


def observation_nonrecours_record(*, saisine: Saisine, actor, **fields):
    """Record a right not claimed, spotted on this case, in the non-recours observatory (no identity)."""
    from nonrecours.services import observation_record  # provided by the nonrecours app

    observation = observation_record(
        source="mediation", arrondissement=saisine.arrondissement, actor=actor, **fields
    )
    journal_record(
        action="mediation.nonrecours", actor=actor, obj=saisine, data={"observation": observation.pk}
    )
    return observation


# ---------------------------------------------------------------------------------------------
# Retention (G7)

ANONYME = "(anonymisé)"


def saisine_anonymise(*, saisine: Saisine) -> None:
    """Erase identities, free text, messages and documents of a case, also in its history rows.

    Kept for statistics: channel, requester type, theme, arrondissement, direction, dates,
    statuses, reason codes, level, outcome, élu involvement (yes/no). Files are deleted from disk
    after commit. History rows, outbox rows and journal messages about the case and its requests
    for position are scrubbed by `pacte.retention.erase`.
    """
    with transaction.atomic():
        saisine = Saisine.objects.select_for_update().get(pk=saisine.pk)
        if saisine.is_anonymised:
            return
        files = [d.fichier.name for d in saisine.documents.all() if d.fichier]
        saisine.documents.all().delete()
        saisine.messages.all().delete()
        saisine.transitions.update(motif="")
        scrub = {
            "nom": "",
            "prenom": "",
            "organisme_nom": "",
            "email": "",
            "telephone": "",
            "adresse": "",
            "service_concerne": "",
            "recit": "",
            "demarche_prealable_detail": "",
            "elu_detail": "",
        }
        erase(
            Saisine,
            [saisine.pk],
            scrub,
            live={
                "token_hash": "",
                "token_expire_at": None,
                "is_anonymised": True,
                "anonymised_at": timezone.now(),
            },
        )
        # Every request for position of the case, including one deleted since (its history remains).
        dp_ids = set(saisine.demandes_position.values_list("pk", flat=True)) | set(
            DemandePosition.history.filter(saisine_id=saisine.pk).values_list("id", flat=True)
        )
        erase(DemandePosition, dp_ids, {"question": ANONYME, "reponse": ""})
        journal_record(action="mediation.anonymisation", obj=saisine, actor_label="tâche planifiée")

        files_delete_on_commit(files)


def saisines_anonymise_expired(*, now: dt.datetime | None = None) -> int:
    """Anonymise every case closed (or declared irrecevable / réorientée) more than the retention period ago."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=365 * settings.MEDIATION_RETENTION_ANNEES)
    from .enums import STATUTS_FINAUX

    expired = Saisine.objects.filter(is_anonymised=False, statut__in=STATUTS_FINAUX, cloturee_at__lt=limit)
    count = 0
    for saisine in expired.only("pk"):
        saisine_anonymise(saisine=saisine)
        count += 1
    return count
