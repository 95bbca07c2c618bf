"""Live indicator of the annual report (Pacte action D2: annual report to the council)."""

from __future__ import annotations

from pacte.tracker.registry import Indicateur

from .models import VersionRapport


def rapports_publies(debut=None, fin=None):
    """Annual reports published (a version made available to the council) in the period."""
    qs = VersionRapport.objects.filter(is_published=True)
    if debut:
        qs = qs.filter(published_at__date__gte=debut)
    if fin:
        qs = qs.filter(published_at__date__lte=fin)
    return qs.values("rapport").distinct().count()


INDICATEURS = [
    Indicateur(
        code="mediation_rapports_publies",
        titre="Rapports annuels du médiateur publiés pour le conseil municipal",
        unite="rapports",
        calcul=rapports_publies,
        actions=("D2",),
        url_name="rapport:conseil",
        description="Rapport d'activité généré par le portail et publié par le médiateur.",
    ),
]
