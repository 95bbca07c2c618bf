"""Reads for the médiation screens, always scoped to the acting user (G8: outside scope → 404)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from .enums import StatutProposition, StatutSaisine
from .models import DemandePosition, Proposition, Saisine
from .perms import direction_of_referent, is_equipe


def saisine_visible_to(user):
    """All cases for the médiateur team, none for anybody else."""
    if not is_equipe(user):
        return Saisine.objects.none()
    return Saisine.objects.all()


def saisine_list_for(
    user, *, q="", statut="", theme="", canal="", assignee="", arrondissement="", retard=False, compteurs=True
):
    """The team's case list, filtered, with what the table shows, in a constant number of queries.

    `compteurs` adds the number of unanswered requests for position (the screen); the export skips it.
    """
    qs = saisine_visible_to(user).select_related("arrondissement", "direction", "assignee")
    if compteurs:
        qs = qs.annotate(
            nb_dp_en_attente=Count("demandes_position", filter=Q(demandes_position__repondue_at__isnull=True))
        )
    qs = qs.order_by("-recue_at", "-id")
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(reference__icontains=q)
            | Q(nom__icontains=q)
            | Q(prenom__icontains=q)
            | Q(organisme_nom__icontains=q)
            | Q(email__icontains=q)
            | Q(telephone__icontains=q)
            | Q(service_concerne__icontains=q)
            | Q(recit__icontains=q)
        )
    if statut == "ouvertes":
        qs = qs.ouvertes()
    elif statut:
        qs = qs.filter(statut=statut)
    if theme:
        qs = qs.filter(theme=theme)
    if canal:
        qs = qs.filter(canal=canal)
    if assignee == "moi":
        qs = qs.filter(assignee=user)
    elif assignee == "personne":
        qs = qs.filter(assignee__isnull=True)
    if arrondissement:
        qs = qs.filter(arrondissement__numero=arrondissement)
    if retard:
        qs = qs.en_retard(timezone.localdate())
    return qs


def saisine_detail_for(user, uuid):
    """One case with its timeline relations prefetched (caller does get_object_or_404)."""
    return (
        saisine_visible_to(user)
        .select_related("arrondissement", "direction", "assignee", "saisie_par")
        .prefetch_related(
            "transitions__par",
            "messages__auteur",
            "documents__depose_par",
            "demandes_position__direction",
            "demandes_position__repondue_par",
            "propositions",
        )
    )


def demande_position_visible_to(user):
    """The team sees every request for position; a référent only those addressed to their direction."""
    qs = DemandePosition.objects.select_related("saisine", "direction", "repondue_par")
    if is_equipe(user):
        return qs
    direction = direction_of_referent(user)
    if direction is None:
        return qs.none()
    return qs.filter(direction=direction)


def proposition_visible_to(user):
    """Staff view of proposals: the team sees all, a référent those addressed to their direction."""
    qs = Proposition.objects.select_related("direction")
    if is_equipe(user):
        return qs
    direction = direction_of_referent(user)
    if direction is None:
        return qs.none()
    return qs.filter(direction=direction)


def proposition_public_list(*, annee=None, statut="", direction=""):
    """Every proposal, for the public accountability page (no personal data is selected)."""
    qs = Proposition.objects.select_related("direction").prefetch_related("saisines")
    if annee:
        qs = qs.filter(annee=annee)
    if statut in StatutProposition.values:
        qs = qs.filter(statut=statut)
    if direction:
        qs = qs.filter(direction__sigle=direction)
    return qs.order_by("-annee", "numero")


def decision_explication(saisine) -> str:
    """The médiateur's explanation of the saisine's final decision, as written to the requester.

    The `motif` of the last transition into the current status when that status is final
    (clôturée, irrecevable, réorientée); "" otherwise or when none was written. The follow-up page
    shows it under « Résultat », so a requester without email reads what the letter says.
    """
    if saisine.statut not in (StatutSaisine.CLOTUREE, StatutSaisine.IRRECEVABLE, StatutSaisine.REORIENTEE):
        return ""
    last = saisine.transitions.filter(vers=saisine.statut).order_by("-at", "-id").first()
    return last.motif.strip() if last else ""
