"""Live indicators for the Pacte tracker (action P1: support of the directions to the élus)."""

from __future__ import annotations

import statistics

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from pacte.tracker.registry import Indicateur

from .enums import OUVERTS
from .models import DemandeAppui
from .rapport import jours_ouvres_ecoules


def _periode(debut, fin):
    qs = DemandeAppui.objects.all()
    if debut:
        qs = qs.filter(created_at__date__gte=debut)
    if fin:
        qs = qs.filter(created_at__date__lte=fin)
    return qs


def part_dans_delai(debut=None, fin=None):
    """% of assessable requests (answered or past due) answered within the commitment."""
    from django.utils import timezone

    retard = Q(statut__in=OUVERTS, echeance__lt=timezone.localdate())
    data = _periode(debut, fin).aggregate(
        evaluables=Count("id", filter=Q(resolue_at__isnull=False) | retard),
        dans_delai=Count("id", filter=Q(is_dans_delai=True)),
    )
    if not data["evaluables"]:
        return None
    return round(100 * data["dans_delai"] / data["evaluables"], 1)


def mediane_premiere_reponse(debut=None, fin=None):
    """Median time to the first response, in business days (as the report), one decimal; one query."""
    jours = jours_ouvres_ecoules()
    qs = _periode(debut, fin).filter(premiere_reponse_at__isnull=False).order_by()
    values = [jours(c, p) for c, p in qs.values_list("created_at", "premiere_reponse_at")]
    return round(float(statistics.median(values)), 1) if values else None


INDICATEURS = [
    Indicateur(
        code="arrondissements_reponse_dans_delai",
        titre=_("Part des demandes d'appui des élus répondues dans le délai promis"),
        unite="%",
        calcul=part_dans_delai,
        actions=("P1",),
        url_name="arrondissements:rapport",
        description=_("Délai en jours ouvrés selon l'urgence (2, 5 ou 10 par défaut)."),
    ),
    Indicateur(
        code="arrondissements_mediane_premiere_reponse",
        titre=_("Délai médian de première réponse aux élus d'arrondissement"),
        unite=_("jours ouvrés"),
        calcul=mediane_premiere_reponse,
        actions=("P1",),
        url_name="arrondissements:rapport",
    ),
]
