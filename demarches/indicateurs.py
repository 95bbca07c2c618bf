"""Live indicators of the Pacte's action A1 (alternative to every e-service), for the tracker."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from pacte.tracker.registry import Indicateur

from .models import Alternative, Demarche
from .selectors import rappel_promesse_mesure


def alternative_garantie(debut=None, fin=None):
    """Share (%) of published e-services with ≥ 1 active alternative, now (the period is ignored)."""
    active = Exists(Alternative.objects.filter(demarche=OuterRef("pk"), is_active=True))
    result = Demarche.objects.publiees().aggregate(total=Count("id"), ok=Count("id", filter=Q(active)))
    if not result["total"]:
        return None
    return round(100 * result["ok"] / result["total"], 1)


def rappels_promesse_tenue(debut=None, fin=None):
    """Share (%) of due callback requests created in the period that were made within the promise."""
    mesure = rappel_promesse_mesure(debut, fin)
    if not mesure["total"]:
        return None
    return round(100 * mesure["tenues"] / mesure["total"], 1)


INDICATEURS = [
    Indicateur(
        code="demarches_alternative_garantie",
        titre=_("Part des démarches en ligne publiées avec une alternative garantie"),
        unite="%",
        calcul=alternative_garantie,
        actions=("A1",),
        url_name="demarches:engagement",
        description=_(
            "Démarches publiées ayant au moins une alternative active (guichet, téléphone, rappel, courrier)."
        ),
    ),
    Indicateur(
        code="rappels_promesse_tenue",
        titre=_("Part des rappels faits dans le délai promis"),
        unite="%",
        calcul=rappels_promesse_tenue,
        actions=("A1", "A11"),
        url_name="demarches:rappel_engagement",
        description=_(
            "Demandes de rappel échues dont la personne a été jointe avant l'échéance promise (jours ouvrés)."
        ),
    ),
]
