"""Live indicators of the observatory for the Pacte tracker (action A13)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pacte.tracker.registry import SECRET_STATISTIQUE, Indicateur

from .models import Observation
from .stats import annees_publiees, publications, trimestre_bounds, trimestre_code, trimestre_of

# The tracker is public: its figures about observations come from the observatory's publication
# (the same protected tables as /non-recours/), so that comparing the tracker with the page (for
# instance a quarter's total here with a suppressed margin there) recovers nothing. A period that
# is not one of the publication's (a quarter, or the whole of the published years) has no value.


def _quarter(debut, fin):
    """The quarter (year, index 0-3) that the tracker's period covers, or None."""
    if debut is None or fin is None:
        return None
    year, quarter = trimestre_of(debut)
    start, end = trimestre_bounds(trimestre_code(year, quarter))
    # The tracker ends the current quarter today; nothing can be observed after today.
    if debut != start or not (min(end, timezone.localdate()) <= fin <= end):
        return None
    return year, quarter - 1


def _published(debut, fin, *figures):
    """For each `figure(pub, quarter index or None)`, its published sum over the period
    (`SECRET_STATISTIQUE` if hidden, None if the period is not one of the publication's). Reads the
    publication once (two queries)."""
    if debut is None and fin is None:
        pubs = publications()
        places = [(pub, None) for pub in pubs.values()]
    else:
        found = _quarter(debut, fin)
        if found is None or found[0] not in annees_publiees():
            return [None] * len(figures)
        places = [(publications()[found[0]], found[1])]
    sums = []
    for figure in figures:
        cells = [figure(pub, q) for pub, q in places]
        sums.append(SECRET_STATISTIQUE if any(c.hidden for c in cells) else sum(c.value for c in cells))
    return sums


def _total(pub, q):
    return pub.total if q is None else pub.par_trimestre.row_totals[q]


def _liees(pub, q):
    return pub.demarche.col_totals[0] if q is None else pub.demarche.cells[q][0]


def observations_enregistrees(debut: dt.date | None = None, fin: dt.date | None = None):
    """Situations recorded over a published quarter, or over all the published years."""
    return _published(debut, fin, _total)[0]


def part_liee_demarche(debut=None, fin=None) -> float | None:
    """Share of the situations linked to a démarche, from the published démarche table."""
    total, liees = _published(debut, fin, _total, _liees)
    if SECRET_STATISTIQUE in (total, liees):
        return SECRET_STATISTIQUE
    if liees is None or not total:
        return None
    return round(100 * liees / total, 1)


def _period(debut=None, fin=None):
    qs = Observation.objects.all()
    if debut:
        qs = qs.filter(observed_on__gte=debut)
    if fin:
        qs = qs.filter(observed_on__lte=fin)
    return qs


def part_droit_ouvert(debut=None, fin=None) -> float | None:
    """Share of followed-up situations where the right was opened; none below the threshold."""
    counts = _period(debut, fin).aggregate(
        suivies=Count("id", filter=Q(droit_ouvert__in=["oui", "non"])),
        ouverts=Count("id", filter=Q(droit_ouvert="oui")),
    )
    # A share of very few situations would tell what happened to identifiable people.
    if 0 < counts["suivies"] < settings.DISCLOSURE_THRESHOLD:
        return SECRET_STATISTIQUE
    if not counts["suivies"]:
        return None
    return round(100 * counts["ouverts"] / counts["suivies"], 1)


INDICATEURS = [
    Indicateur(
        code="nonrecours_observations",
        titre=_("Situations de non-recours signalées à l'observatoire"),
        unite=_("situations"),
        calcul=observations_enregistrees,
        actions=("A13",),
        url_name="nonrecours:statistiques",
        description=_(
            "Toutes sources : accueil, téléphone, écrivains publics, médiation, CCAS, usagers, partenaires. "
            "Chiffres de l'observatoire, avec le même secret statistique (sur les années publiées)."
        ),
    ),
    Indicateur(
        code="nonrecours_part_demarche",
        titre=_("Part des situations liées à une démarche en ligne du catalogue"),
        unite="%",
        calcul=part_liee_demarche,
        actions=("A13", "A1"),
        url_name="nonrecours:statistiques",
    ),
    Indicateur(
        code="nonrecours_droits_ouverts",
        titre=_("Part des situations suivies où le droit a finalement été ouvert"),
        unite="%",
        calcul=part_droit_ouvert,
        actions=("A13",),
        url_name="nonrecours:statistiques",
        description=_("Parmi les situations dont le suivi est connu (oui ou non)."),
    ),
]
