"""The tracker's own live indicators (about the Pacte as a whole), computed from its data."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .enums import Statut
from .registry import Indicateur


def part_actions_realisees(debut=None, fin=None):
    """Share (%) of the published actions whose status is « réalisée » today (a snapshot)."""
    from .models import Action

    counts = Action.objects.publiees().aggregate(
        total=Count("id"), realisees=Count("id", filter=Q(statut=Statut.REALISEE))
    )
    if not counts["total"]:
        return None
    return round(100 * counts["realisees"] / counts["total"], 1)


def jalons_publies(debut=None, fin=None):
    """Number of published milestones of published actions dated within the period."""
    from .models import Jalon

    qs = Jalon.objects.filter(is_published=True, action__is_published=True)
    if debut:
        qs = qs.filter(date_on__gte=debut)
    if fin:
        qs = qs.filter(date_on__lte=fin)
    return qs.count()


INDICATEURS = [
    Indicateur(
        code="tracker_part_actions_realisees",
        titre=_("Part des actions du Pacte réalisées"),
        unite="%",
        calcul=part_actions_realisees,
        url_name="tracker:liste",
        description=_("Actions publiées au statut « réalisée », rapportées à toutes les actions publiées."),
        periodique=False,
    ),
    Indicateur(
        code="tracker_jalons_publies",
        titre=_("Étapes franchies et publiées"),
        unite=_("étapes"),
        calcul=jalons_publies,
        url_name="tracker:historique",
        description=_("Jalons publiés sur les pages des actions, par date de l'étape."),
    ),
]
