"""Reads for the screens, always scoped to the acting user (G8: outside scope → 404)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, QuerySet, Value, When

from pacte.roles import Role, has_role, profil_of

from .enums import Statut
from .models import DemandeAppui, ReponseType


def demande_visible_to(user) -> QuerySet[DemandeAppui]:
    """Requests `user` may open: coordination all; élu their arrondissement; référent their direction."""
    qs = DemandeAppui.objects.all()
    if has_role(user, Role.COORDINATION) and not user.is_superuser:
        return qs
    if user.is_superuser:
        return qs
    profil = profil_of(user)
    scope = DemandeAppui.objects.none()
    if has_role(user, Role.ELU) and profil.arrondissement_id:
        scope = scope | qs.filter(arrondissement_id=profil.arrondissement_id)
    if has_role(user, Role.REFERENT) and profil.direction_id:
        scope = scope | qs.filter(direction_id=profil.direction_id)
    return scope


def demande_list_for(user, *, filtres: dict | None = None, boite: str = "elu") -> QuerySet[DemandeAppui]:
    """The inbox list: scoped, filtered, with what the rows show, overdue and new first for directions."""
    filtres = filtres or {}
    qs = demande_visible_to(user).select_related("arrondissement", "direction", "auteur", "assignee")
    profil = profil_of(user)
    if boite == "direction":
        qs = qs.filter(direction_id=profil.direction_id)
    elif boite == "elu" and not has_role(user, Role.COORDINATION) and profil.arrondissement_id:
        qs = qs.filter(arrondissement_id=profil.arrondissement_id)
    for key in ("statut", "categorie", "urgence"):
        if filtres.get(key):
            qs = qs.filter(**{key: filtres[key]})
    if filtres.get("direction"):
        qs = qs.filter(direction_id=filtres["direction"])
    if filtres.get("arrondissement"):
        qs = qs.filter(arrondissement__numero=filtres["arrondissement"])
    if filtres.get("en_retard"):
        qs = qs.en_retard()
    if filtres.get("q"):
        qs = qs.filter(objet__icontains=filtres["q"]) | qs.filter(reference__iexact=filtres["q"])
    if boite == "direction":
        from django.utils import timezone

        today = timezone.localdate()
        qs = qs.annotate(
            rang=Case(
                When(statut__in=[Statut.NOUVELLE, Statut.PRISE_EN_CHARGE], echeance__lt=today, then=Value(0)),
                When(statut=Statut.NOUVELLE, then=Value(1)),
                When(statut=Statut.PRISE_EN_CHARGE, then=Value(2)),
                When(statut=Statut.EN_ATTENTE_ELU, then=Value(3)),
                default=Value(4),
                output_field=IntegerField(),
            )
        ).order_by("rang", "echeance", "created_at")
    return qs


def collegues_of(user):
    """Référents of the same direction (for assignment)."""
    profil = profil_of(user)
    return (
        get_user_model()
        .objects.filter(groups__name=Role.REFERENT, profil__direction_id=profil.direction_id, is_active=True)
        .order_by("last_name", "first_name")
        .distinct()
    )


def referents_of(direction_id) -> list:
    """Active référents of a direction (the notification recipients when nobody is assigned)."""
    return list(
        get_user_model()
        .objects.filter(groups__name=Role.REFERENT, profil__direction_id=direction_id, is_active=True)
        .distinct()
    )


def reponses_types_for(user) -> QuerySet[ReponseType]:
    """Canned replies of the user's direction."""
    return ReponseType.objects.filter(direction_id=profil_of(user).direction_id)
