"""Reads of the annual report for screens, scoped to the acting user."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from mediation.enums import StatutSaisine
from mediation.models import Saisine
from pacte.roles import Role, has_role

from .enums import StatutVersion
from .models import RapportAnnuel, VersionRapport, Vignette
from .statistiques import chiffres_cles, year_bounds


def rapport_list_for(user):
    """Reports the user may prepare (médiateur team), with their version counts."""
    if not has_role(user, Role.MEDIATEUR):
        return RapportAnnuel.objects.none()
    return RapportAnnuel.objects.annotate(
        nb_versions=Count("versions", distinct=True),
        nb_vignettes=Count("vignettes", distinct=True),
        nb_publiees=Count("versions", filter=Q(versions__is_published=True), distinct=True),
    ).order_by("-annee")


def rapport_publies_for(user):
    """Published reports with their published version, for the council page."""
    if not has_role(user, Role.CONSEILLER, Role.MEDIATEUR):
        return RapportAnnuel.objects.none()
    published = VersionRapport.objects.filter(is_published=True).select_related("published_by")
    return (
        RapportAnnuel.objects.filter(versions__is_published=True)
        .prefetch_related(Prefetch("versions", queryset=published, to_attr="publiees"))
        .order_by("-annee")
        .distinct()
    )


def rapports_publics() -> list[VersionRapport]:
    """Published versions whose report has its public link on, newest year first (one query).

    For the public médiateur page (no account): an unpublished report, or one whose public link is
    off, never appears. Each version carries `chiffres` (its key figures, from its own snapshot).
    """
    versions = list(
        VersionRapport.objects.filter(
            is_published=True, statut=StatutVersion.PRET, rapport__public_link_enabled=True
        )
        .select_related("rapport")
        .order_by("-rapport__annee")
    )
    for version in versions:
        version.chiffres = chiffres_cles(version.statistiques or {})
    return versions


def version_visible_to(user):
    """Versions the user may see: all for the team, published ones for conseillers."""
    qs = VersionRapport.objects.select_related("rapport")
    if has_role(user, Role.MEDIATEUR):
        return qs
    if has_role(user, Role.CONSEILLER):
        return qs.filter(is_published=True, statut=StatutVersion.PRET)
    return qs.none()


def versions_of(rapport):
    return rapport.versions.select_related("created_by", "published_by").order_by("-numero")


def vignettes_of(rapport):
    return Vignette.objects.filter(rapport=rapport).select_related("saisine").order_by("ordre", "id")


def saisines_illustrables(annee: int):
    """Closed saisines of the year (received or closed during it), the candidates for a vignette."""
    debut, fin = year_bounds(annee)
    return (
        Saisine.objects.filter(statut=StatutSaisine.CLOTUREE, is_anonymised=False)
        .filter(Q(recue_at__gte=debut, recue_at__lt=fin) | Q(cloturee_at__gte=debut, cloturee_at__lt=fin))
        .order_by("recue_at", "id")
    )


def annees_proposables() -> list[int]:
    """Years a report can be prepared for: the current one and the five before."""
    today: dt.date = timezone.localdate()
    return list(range(today.year, today.year - 6, -1))
