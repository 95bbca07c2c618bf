"""Live indicators of the observatory for the Pacte tracker (action A13)."""

from __future__ import annotations

from django.db.models import Count, Q

from pacte.tracker.registry import Indicateur

from .models import Observation


def _period(debut=None, fin=None):
    qs = Observation.objects.all()
    if debut:
        qs = qs.filter(observed_on__gte=debut)
    if fin:
        qs = qs.filter(observed_on__lte=fin)
    return qs


def observations_enregistrees(debut=None, fin=None) -> int:
    return _period(debut, fin).count()


def part_liee_demarche(debut=None, fin=None) -> float | None:
    counts = _period(debut, fin).aggregate(total=Count("id"), liees=Count("id", filter=~Q(demarche_slug="")))
    if not counts["total"]:
        return None
    return round(100 * counts["liees"] / counts["total"], 1)


def part_droit_ouvert(debut=None, fin=None) -> float | None:
    counts = _period(debut, fin).aggregate(
        suivies=Count("id", filter=Q(droit_ouvert__in=["oui", "non"])),
        ouverts=Count("id", filter=Q(droit_ouvert="oui")),
    )
    if not counts["suivies"]:
        return None
    return round(100 * counts["ouverts"] / counts["suivies"], 1)


INDICATEURS = [
    Indicateur(
        code="nonrecours_observations",
        titre="Situations de non-recours signalées à l'observatoire",
        unite="situations",
        calcul=observations_enregistrees,
        actions=("A13",),
        url_name="nonrecours:statistiques",
        description="Toutes sources : accueil, téléphone, écrivains publics, médiation, CCAS, usagers, partenaires.",
    ),
    Indicateur(
        code="nonrecours_part_demarche",
        titre="Part des situations liées à une démarche en ligne du catalogue",
        unite="%",
        calcul=part_liee_demarche,
        actions=("A13", "A1"),
        url_name="nonrecours:statistiques",
    ),
    Indicateur(
        code="nonrecours_droits_ouverts",
        titre="Part des situations suivies où le droit a finalement été ouvert",
        unite="%",
        calcul=part_droit_ouvert,
        actions=("A13",),
        url_name="nonrecours:statistiques",
        description="Parmi les situations dont le suivi est connu (oui ou non).",
    ),
]
