"""Writes of the tracker: action updates, milestones, measures, subscriptions, follower emails.

The admin and the back office both go through these functions (no signals): each write is atomic,
journaled, and tells confirmed followers through the outbox with an idempotency key per event.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pacte.journal import journal_record
from pacte.langues import dans_la_langue, langue_active
from pacte.models import JournalEntry
from pacte.notifications import Personne, notify_person
from pacte.retention import erase
from pacte.secret_links import lookup, token_hash, token_new
from pacte.workflows import transition

from .enums import Statut
from .models import Abonnement, Action, IndicateurSaisi, Jalon, MesureIndicateur
from .workflows import TABLE

TRACKED_FIELDS = [
    "titre",
    "description",
    "statut",
    "avancement",
    "direction_id",
    "partenaires",
    "debut_on",
    "cible_on",
    "is_published",
]


# --- Followers -----------------------------------------------------------------------------------


def desabonnement_token(abonnement: Abonnement) -> str:
    """The unsubscribe token printed in every email (derived from the secret key, stored hashed)."""
    return salted_hmac("pacte.tracker.desabonnement", str(abonnement.uid), algorithm="sha256").hexdigest()


def desabonnement_url(abonnement: Abonnement) -> str:
    return reverse("tracker:desabonner", args=[desabonnement_token(abonnement)])


def abonnes_notify(*, action: Action, evenement: str, message: str, sujet, context: dict) -> int:
    """Queue one email per confirmed follower of `action` about one event (idempotent per event).

    `evenement` identifies the event (e.g. "jalon-12", "journal-345"): calling twice queues nothing new.
    Returns the number of followers addressed.
    """
    abonnements = list(action.abonnements.filter(confirmed_at__isnull=False))
    for abonnement in abonnements:
        with dans_la_langue(abonnement.langue):  # links in the follower's language
            notify_person(
                personne=Personne(email=abonnement.email, langue=abonnement.langue),
                message=message,
                sujet=sujet,
                context={
                    **context,
                    "action": action,
                    "action_url": action.get_absolute_url(),
                    "desabonnement_url": desabonnement_url(abonnement),
                },
                obj=abonnement,
                cle=f"tracker:{evenement}:abonnement-{abonnement.pk}",
            )
    return len(abonnements)


@transaction.atomic
def abonnement_request(*, action: Action, email: str) -> Abonnement:
    """Ask to follow `action`: send a confirmation link (double opt-in).

    The caller shows the same message whatever the case, so nobody can learn whether an address
    already follows an action: an already confirmed follower receives a reminder instead.
    """
    email = email.strip().lower()
    token, hashed = token_new()
    abonnement = Abonnement.objects.select_for_update().filter(action=action, email=email).first()
    if abonnement is not None and abonnement.confirmed_at:
        # In the language of this request (the follower asked again, maybe in another language).
        notify_person(
            personne=Personne(email=email, langue=langue_active()),
            message="tracker/deja_abonne",
            sujet=format_lazy(_("Vous suivez déjà l'action {code} du Pacte"), code=action.code),
            context={
                "action": action,
                "action_url": action.get_absolute_url(),
                "desabonnement_url": desabonnement_url(abonnement),
            },
            obj=abonnement,
            cle=f"tracker:rappel:{abonnement.pk}:{hashed[:16]}",
        )
        return abonnement
    if abonnement is None:
        abonnement = Abonnement(action=action, email=email)
        abonnement.desabonnement_hash = token_hash(desabonnement_token(abonnement))
    abonnement.confirmation_hash = hashed
    abonnement.langue = langue_active()  # the language they asked in (again)
    abonnement.full_clean()
    abonnement.save()
    notify_person(
        personne=Personne(email=email, langue=abonnement.langue),
        message="tracker/confirmation",
        sujet=format_lazy(_("Confirmez le suivi de l'action {code} du Pacte"), code=action.code),
        context={
            "action": action,
            "confirmation_url": reverse("tracker:confirmer", args=[token]),
        },
        obj=abonnement,
        cle=f"tracker:confirmation:{abonnement.pk}:{hashed[:16]}",
    )
    return abonnement


def abonnement_for_confirmation(token: str) -> Abonnement | None:
    return lookup(Abonnement.objects.select_related("action"), token, field="confirmation_hash")


def abonnement_for_desabonnement(token: str) -> Abonnement | None:
    return lookup(Abonnement.objects.select_related("action"), token, field="desabonnement_hash")


@transaction.atomic
def abonnement_confirm(*, token: str) -> Abonnement | None:
    """Confirm a subscription from the emailed link; None if the link is unknown. Idempotent."""
    abonnement = abonnement_for_confirmation(token)
    if abonnement is not None and abonnement.confirmed_at is None:
        abonnement.confirmed_at = timezone.now()
        abonnement.save(update_fields=["confirmed_at"])
        journal_record(
            action="tracker.abonnement_confirme", obj=abonnement.action, message="Abonnement confirmé"
        )
    return abonnement


@transaction.atomic
def abonnement_cancel(*, token: str) -> Action | None:
    """Unsubscribe (the row is deleted: no address is kept); None if the link is unknown."""
    abonnement = abonnement_for_desabonnement(token)
    if abonnement is None:
        return None
    action = abonnement.action
    abonnement.delete()
    journal_record(action="tracker.abonnement_annule", obj=action, message="Désabonnement")
    return action


# --- Actions, milestones, measures ---------------------------------------------------------------


@transaction.atomic
def action_save(*, action: Action, actor, message: str = "", statut: str | None = None) -> Action:
    """Save an action edited in memory (admin form, back office, CSV import).

    The wanted status is `statut`, or the one the edit put on `action`. On an existing action a
    status change goes through `pacte.workflows.transition` with `workflows.TABLE` (row lock;
    TransitionInterdite for a move outside the table); the other fields are saved without it.
    Journals what changed (one entry) and, when the status changed on a published action, emails
    its followers.
    """
    before = Action.objects.filter(pk=action.pk).values(*TRACKED_FIELDS).first() if action.pk else None
    # Check constraints are enforced by PostgreSQL and already checked by every caller's form or
    # CSV parser; validating them here would cost one query each.
    action.full_clean(validate_constraints=False)
    voulu = statut or action.statut
    after = {name: str(voulu) if name == "statut" else getattr(action, name) for name in TRACKED_FIELDS}
    changes = {
        name: [str(before[name]) if before else "", str(after[name])]
        for name in TRACKED_FIELDS
        if before is None or before[name] != after[name]
    }
    if before is None:
        action.save()  # a new row starts with the status it is created with
    elif changes:
        action.save(
            update_fields=[
                f.name for f in Action._meta.concrete_fields if not f.primary_key and f.name != "statut"
            ]
        )
    if not changes:
        return action
    message = message or f"Action {action.code} enregistrée"
    if before is not None and "statut" in changes:
        transition(action, voulu, TABLE, actor, message=message, data=changes)
        entry = JournalEntry.objects.for_object(action).filter(action=TABLE.journal).first()
    else:
        entry = journal_record(
            action="tracker.action_creee" if before is None else "tracker.action_modifiee",
            actor=actor,
            obj=action,
            message=message,
            data=changes,
        )
    if before is not None and "statut" in changes and action.is_published:
        abonnes_notify(
            action=action,
            evenement=f"statut-{entry.pk}",
            message="tracker/statut",
            sujet=format_lazy(
                _("Pacte : l'action {code} est maintenant « {statut} »"),
                code=action.code,
                statut=action.get_statut_display(),
            ),
            context={"ancien": Statut(before["statut"]).label, "nouveau": action.get_statut_display()},
        )
    return action


def action_update(*, action: Action, actor, statut: str, avancement: int, message: str = "") -> Action:
    """Change the status and progress of an action (back office of the pilot direction).

    A status move outside `workflows.TABLE` raises TransitionInterdite and saves nothing.
    """
    action.avancement = avancement
    return action_save(
        action=action,
        actor=actor,
        statut=statut,
        message=message or f"Avancement de {action.code} mis à jour",
    )


@transaction.atomic
def jalon_save(*, jalon: Jalon, actor) -> Jalon:
    """Create or update a milestone; a newly created published milestone is emailed to followers."""
    is_new = jalon.pk is None
    jalon.full_clean()
    jalon.save()
    journal_record(
        action="tracker.jalon_ajoute" if is_new else "tracker.jalon_modifie",
        actor=actor,
        obj=jalon.action,
        message=f"Jalon « {jalon.titre} » ({jalon.date_on:%d/%m/%Y})",
        data={"jalon": jalon.pk},
    )
    if is_new and jalon.is_published and jalon.action.is_published:
        abonnes_notify(
            action=jalon.action,
            evenement=f"jalon-{jalon.pk}",
            message="tracker/jalon",
            sujet=format_lazy(_("Pacte : une nouvelle étape pour l'action {code}"), code=jalon.action.code),
            context={"jalon": jalon},
        )
    return jalon


def jalon_add(
    *,
    action: Action,
    actor,
    date_on: dt.date,
    titre: str,
    note: str = "",
    preuve_url: str = "",
    is_published: bool = True,
) -> Jalon:
    """Add a milestone to an action (see `jalon_save`)."""
    jalon = Jalon(
        action=action,
        date_on=date_on,
        titre=titre,
        note=note,
        preuve_url=preuve_url,
        is_published=is_published,
    )
    return jalon_save(jalon=jalon, actor=actor)


@transaction.atomic
def mesure_record(
    *,
    indicateur: IndicateurSaisi,
    actor,
    periode_on: dt.date,
    cible: Decimal | None,
    realise: Decimal | None,
    commentaire: str = "",
) -> MesureIndicateur:
    """Enter (or correct) the target and actual value of a manual indicator at a date."""
    mesure, _ = MesureIndicateur.objects.update_or_create(
        indicateur=indicateur,
        periode_on=periode_on,
        defaults={"cible": cible, "realise": realise, "commentaire": commentaire},
    )
    journal_record(
        action="tracker.mesure",
        actor=actor,
        obj=indicateur.action,
        message=f"Mesure « {indicateur.titre} » au {periode_on:%d/%m/%Y}",
        data={"cible": str(cible), "realise": str(realise)},
    )
    return mesure


def abonnements_non_confirmes_purge() -> int:
    """Delete subscriptions never confirmed after TRACKER_ABONNEMENT_NON_CONFIRME_JOURS days (data
    minimisation). Returns the count."""
    limit = timezone.now() - dt.timedelta(days=settings.TRACKER_ABONNEMENT_NON_CONFIRME_JOURS)
    ids = list(
        Abonnement.objects.filter(confirmed_at__isnull=True, created_at__lt=limit).values_list(
            "pk", flat=True
        )
    )
    # The confirmation email (address, link) goes with the row.
    return erase(Abonnement, ids, ["email"], delete=True)
