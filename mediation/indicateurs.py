"""Live indicators of the médiateur (Pacte actions D1 and D2)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from pacte.tracker.registry import Indicateur

from .enums import Issue, StatutProposition, StatutSaisine
from .models import Proposition, Saisine


def _periode(qs, field, debut, fin):
    if debut:
        qs = qs.filter(**{f"{field}__gte": debut})
    if fin:
        qs = qs.filter(**{f"{field}__lte": fin})
    return qs


def saisines_traitees(debut=None, fin=None):
    """Saisines received in the period (every channel)."""
    return _periode(Saisine.objects.all(), "recue_at__date", debut, fin).count()


def part_accord(debut=None, fin=None):
    """Share (%) of cases closed in the period with an accord (full or partial)."""
    agg = _periode(
        Saisine.objects.filter(statut=StatutSaisine.CLOTUREE), "cloturee_at__date", debut, fin
    ).aggregate(
        total=Count("id"), accords=Count("id", filter=Q(issue__in=[Issue.ACCORD, Issue.ACCORD_PARTIEL]))
    )
    if not agg["total"]:
        return None
    return round(100 * agg["accords"] / agg["total"], 1)


def propositions_mises_en_oeuvre(debut=None, fin=None):
    """Proposals formulated in the period that have been implemented."""
    return _periode(
        Proposition.objects.filter(statut=StatutProposition.MISE_EN_OEUVRE), "formulee_on", debut, fin
    ).count()


INDICATEURS = [
    Indicateur(
        code="mediation_saisines",
        titre=_("Saisines reçues par le médiateur"),
        unite=_("saisines"),
        calcul=saisines_traitees,
        actions=("D1",),
        url_name="mediation:accueil",
        description=_("Toutes les demandes reçues, quel que soit le canal."),
    ),
    Indicateur(
        code="mediation_part_accord",
        titre=_("Part des dossiers clôturés avec un accord (total ou partiel)"),
        unite="%",
        calcul=part_accord,
        actions=("D1",),
        url_name="mediation:accueil",
    ),
    Indicateur(
        code="mediation_propositions_mises_en_oeuvre",
        titre=_("Propositions du médiateur mises en œuvre"),
        unite=_("propositions"),
        calcul=propositions_mises_en_oeuvre,
        actions=("D2",),
        url_name="mediation:propositions",
    ),
]
