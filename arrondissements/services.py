"""Writes (use cases) of demandes d'appui: atomic, journaled, notifications through the outbox."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pacte.calendrier import add_business_days
from pacte.journal import journal_record
from pacte.models import Canal
from pacte.notifications import Personne, notify_person
from pacte.roles import Role, has_role, profil_of
from pacte.secret_links import reference_new
from pacte.uploads import checked_type, display_name, stored_name

from .delais import echeance_for, engagements
from .enums import OUVERTS, Action
from .models import DemandeAppui, Message, PieceJointe, ReponseType
from .selectors import referents_of
from .workflows import DIRECTION, ELU, demande_transition, side_of


def _attach(demande, fichiers, message=None):
    for upload in fichiers or []:
        mimetype = checked_type(upload)
        piece = PieceJointe(
            demande=demande,
            message=message,
            nom=display_name(upload.name, mimetype),
            mimetype=mimetype,
            taille=upload.size,
        )
        piece.fichier.save(stored_name(mimetype), upload, save=False)
        piece.save()


def _notify_direction(demande, *, sujet, template, context, cle=None):
    """Email the assigned référent, or every référent of the direction when nobody is assigned."""
    recipients = [demande.assignee] if demande.assignee_id else referents_of(demande.direction_id)
    emails = {u.email for u in recipients if u.email}
    if not emails and demande.direction.email:
        emails = {demande.direction.email}
    for email in sorted(emails):
        notify_person(
            personne=Personne(email=email),
            message=template,
            context={"demande": demande, **context},
            sujet=sujet,
            obj=demande,
            cle=f"{cle}:{email}" if cle else None,
        )


def _notify_elu(demande, *, sujet, template, context):
    if demande.auteur is None:  # anonymised (retention): nobody to tell
        return
    notify_person(
        personne=Personne(email=demande.auteur.email),
        message=template,
        context={"demande": demande, **context},
        sujet=sujet,
        obj=demande,
    )


def _courrier_elu(demande, *, action: str, texte: str) -> None:
    """The direction's answer as a letter to the élu at the mairie, when they asked for paper.

    Queued as a « courrier à envoyer » task (`pacte.courriers`: the day's PDF, « posté », and the
    request's delivery log reads « Courrier envoyé le … »)."""
    if not demande.reponse_par_courrier or demande.auteur is None:
        return
    arrondissement = demande.arrondissement
    adresse = "\n".join(
        [
            f"Mairie du {arrondissement.ordinal} arrondissement",
            arrondissement.mairie_adresse,
            f"{arrondissement.code_postal} Lyon",
        ]
    )
    nom = demande.auteur.get_full_name() or demande.auteur.get_username()
    n = demande.messages.count()
    notify_person(
        personne=Personne(nom=nom, adresse=adresse),
        message="arrondissements/reponse",
        context={"demande": demande, "action": Action(action).label, "texte": texte, "elu": nom},
        sujet=f"Réponse à votre demande d'appui {demande.reference}",
        obj=demande,
        cle=f"arrondissements:courrier:{demande.uuid}:{action}:{n}",
        repli=Canal.COURRIER,
    )


def demande_create(*, auteur, data: dict, fichiers=(), now=None) -> DemandeAppui:
    """File a request as élu `auteur` (in their arrondissement); deadline from the urgency commitment."""
    profil = profil_of(auteur)
    if not (has_role(auteur, Role.ELU) and profil.arrondissement_id):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        demande = DemandeAppui(
            reference=reference_new("DA"),
            arrondissement_id=profil.arrondissement_id,
            auteur=auteur,
            created_at=now,
            echeance=echeance_for(data["urgence"], timezone.localdate(now)),
            **{
                k: data[k]
                for k in ("objet", "categorie", "direction", "localisation", "urgence", "description")
            },
            canal_origine=data.get("canal_origine") or "portail",
            reponse_par_courrier=bool(data.get("reponse_par_courrier")),
        )
        demande.full_clean()
        demande._change_reason = "creation"
        demande.save()
        _attach(demande, fichiers)
        journal_record(
            action="arrondissements.demande.creation",
            actor=auteur,
            obj=demande,
            message=f"Demande {demande.reference} adressée à {demande.direction.sigle}",
            data={"urgence": demande.urgence, "echeance": demande.echeance.isoformat()},
        )
        _notify_direction(
            demande,
            sujet=f"[{demande.reference}] Nouvelle demande d'appui du {demande.arrondissement.ordinal}",
            template="arrondissements/nouvelle",
            context={},
        )
    return demande


def demande_act(
    demande: DemandeAppui, *, action: str, actor, texte: str = "", assignee=None, direction=None, fichiers=()
) -> DemandeAppui:
    """Apply a workflow action with its message, attachments and notifications.

    `assignee` (ASSIGNER) must be a référent of the same direction; `direction` (TRANSFERER) must
    be another active direction. Raises ValidationError with a French message otherwise.
    """
    collegue_ok = assignee is not None and (
        has_role(assignee, Role.REFERENT) and profil_of(assignee).direction_id == demande.direction_id
    )
    if action == Action.ASSIGNER and not collegue_ok:
        raise ValidationError("Choisissez un ou une collègue de la même direction.")
    direction_ok = direction is not None and direction.pk != demande.direction_id and direction.is_active
    if action == Action.TRANSFERER and not direction_ok:
        raise ValidationError("Choisissez une autre direction.")
    with transaction.atomic():
        ancienne = demande.direction
        demande_transition(
            demande, action=action, actor=actor, motif=texte, assignee=assignee, direction=direction
        )
        message = None
        if texte.strip():
            if action == Action.TRANSFERER:
                texte = f"Demande transférée de « {ancienne.nom} » à « {direction.nom} ». Motif : {texte}"
            message = Message.objects.create(
                demande=demande,
                auteur=actor,
                is_direction=(action != Action.COMPLETER and action != Action.ROUVRIR),
                nature=action,
                texte=texte,
            )
        _attach(demande, fichiers, message)
        context = {"action": Action(action).label, "texte": texte}
        ref = f"[{demande.reference}]"
        if action in (Action.DEMANDER_PRECISIONS, Action.REPONDRE, Action.CLOTURER, Action.TRANSFERER):
            _notify_elu(
                demande,
                sujet=f"{ref} {Action(action).label} — {demande.objet}"[:200],
                template="arrondissements/pour_elu",
                context=context,
            )
        if action in (Action.REPONDRE, Action.CLOTURER):
            _courrier_elu(demande, action=action, texte=texte)
        if action in (Action.COMPLETER, Action.ROUVRIR, Action.TRANSFERER, Action.ASSIGNER):
            _notify_direction(
                demande,
                sujet=f"{ref} {Action(action).label} — {demande.objet}"[:200],
                template="arrondissements/pour_direction",
                context=context,
            )
    return demande


def message_post(demande: DemandeAppui, *, actor, texte: str, fichiers=()) -> Message:
    """Add a message to the thread (either side, request not closed) and notify the other side."""
    side = side_of(actor, demande)
    if side not in (DIRECTION, ELU) or demande.statut == "cloturee":
        raise PermissionDenied
    if not texte.strip():
        raise ValidationError("Écrivez votre message.")
    with transaction.atomic():
        message = Message.objects.create(
            demande=demande, auteur=actor, is_direction=side == DIRECTION, texte=texte
        )
        _attach(demande, fichiers, message)
        if side == DIRECTION and demande.premiere_reponse_at is None:
            demande.premiere_reponse_at = message.created_at
            demande._change_reason = "premiere reponse (message)"
            demande.save(update_fields=["premiere_reponse_at"])
        journal_record(
            action="arrondissements.demande.message", actor=actor, obj=demande, message="Message ajouté"
        )
        context = {"action": "Nouveau message", "texte": texte}
        sujet = f"[{demande.reference}] Nouveau message — {demande.objet}"[:200]
        if side == DIRECTION:
            _notify_elu(demande, sujet=sujet, template="arrondissements/pour_elu", context=context)
        else:
            _notify_direction(
                demande, sujet=sujet, template="arrondissements/pour_direction", context=context
            )
    return message


def reponse_type_save(*, actor, titre: str, texte: str, instance: ReponseType | None = None) -> ReponseType:
    """Create or update a canned reply of the actor's direction."""
    profil = profil_of(actor)
    if not (has_role(actor, Role.REFERENT) and profil.direction_id):
        raise PermissionDenied
    if instance is not None and instance.direction_id != profil.direction_id:
        raise PermissionDenied
    with transaction.atomic():
        reponse = instance or ReponseType(direction_id=profil.direction_id)
        reponse.titre, reponse.texte = titre, texte
        reponse.full_clean()
        reponse.save()
        journal_record(
            action="arrondissements.reponse_type.enregistrement", actor=actor, obj=reponse, message=titre
        )
    return reponse


def reponse_type_delete(*, actor, instance: ReponseType) -> None:
    """Delete a canned reply of the actor's direction."""
    if not (has_role(actor, Role.REFERENT) and profil_of(actor).direction_id == instance.direction_id):
        raise PermissionDenied
    with transaction.atomic():
        journal_record(
            action="arrondissements.reponse_type.suppression",
            actor=actor,
            obj=instance,
            message=instance.titre,
        )
        instance.delete()


def relances_envoyer(*, now=None) -> int:
    """Remind the référents of every open request whose deadline is N business days away or less.

    Idempotent: one reminder per request and deadline (`relance_envoyee_at` and the outbox `cle`).
    Returns how many reminders were queued.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    rules = engagements()
    count = 0
    candidats = (
        DemandeAppui.objects.filter(statut__in=OUVERTS, relance_envoyee_at__isnull=True, echeance__gte=today)
        .select_related("direction", "arrondissement", "assignee")
        .order_by("pk")
    )
    for demande in candidats:
        rappel = rules[demande.urgence][1]
        if add_business_days(today, rappel) < demande.echeance:
            continue
        with transaction.atomic():
            locked = DemandeAppui.objects.select_for_update().get(pk=demande.pk)
            if locked.relance_envoyee_at is not None:
                continue
            _notify_direction(
                demande,
                sujet=f"[{demande.reference}] Rappel : réponse attendue au plus tard le {demande.echeance:%d/%m/%Y}",
                template="arrondissements/relance",
                context={},
                cle=f"arrondissements:relance:{demande.uuid}:{demande.direction_id}:{demande.echeance}",
            )
            locked.relance_envoyee_at = now
            locked._change_reason = "relance"
            locked.save(update_fields=["relance_envoyee_at"])
            journal_record(
                action="arrondissements.demande.relance",
                actor_label="système",
                obj=locked,
                message=f"Rappel aux référents avant l'échéance du {demande.echeance:%d/%m/%Y}",
            )
            count += 1
    return count


def escalades_envoyer(*, now=None) -> int:
    """Email the direction's manager (or the direction's address) about every overdue open request.

    Idempotent: one escalation per request, direction and deadline. Returns how many were queued.
    """
    now = now or timezone.now()
    count = 0
    retard = (
        DemandeAppui.objects.en_retard(timezone.localdate(now))
        .filter(escalade_at__isnull=True)
        .select_related("direction__responsable", "arrondissement", "assignee")
        .order_by("pk")
    )
    for demande in retard:
        responsable = demande.direction.responsable
        destinataire = (responsable.email if responsable else "") or demande.direction.email
        with transaction.atomic():
            locked = DemandeAppui.objects.select_for_update().get(pk=demande.pk)
            if locked.escalade_at is not None:
                continue
            notify_person(
                personne=Personne(email=destinataire),
                message="arrondissements/escalade",
                context={"demande": demande, "responsable": responsable},
                sujet=f"[{demande.reference}] Demande d'appui en retard — {demande.arrondissement.ordinal} arrondissement",
                obj=demande,
                cle=f"arrondissements:escalade:{demande.uuid}:{demande.direction_id}:{demande.echeance}",
            )
            locked.escalade_at = now
            locked._change_reason = "escalade"
            locked.save(update_fields=["escalade_at"])
            journal_record(
                action="arrondissements.demande.escalade",
                actor_label="système",
                obj=locked,
                message=f"Escalade à {destinataire or 'personne (aucune adresse)'}",
                data={"destinataire": destinataire},
            )
            count += 1
    return count
