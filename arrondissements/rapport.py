"""The commitments report: per arrondissement and per direction, computed by the database.

It measures the City's commitments to élus, never individual agents: there is no per-person
figure anywhere. Definitions (also shown on the page):
- reçues: requests received in the period;
- évaluables: received in the period and either answered or already past their deadline;
- dans le délai: answered (first answer) on or before the deadline; the % is over évaluables;
- médianes: time from reception to the first response / to the answer, in calendar days, both
  over the same requests (those answered): a request closed without a separate first response
  counts its answer as its first response. Over different populations (every request with a
  first response vs. the answered ones) the first median could exceed the full one;
- en retard aujourd'hui: open requests past their deadline now, whatever their reception date.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Aggregate, Count, ExpressionWrapper, F, FloatField, Func, Q
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from pacte.models import Arrondissement, Direction

from .enums import OUVERTS
from .models import DemandeAppui


class Mediane(Aggregate):
    """PostgreSQL's PERCENTILE_CONT(0.5), with an optional FILTER clause."""

    function = "PERCENTILE_CONT"
    name = "Mediane"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = FloatField()


def _heures(fin):
    fin = F(fin) if isinstance(fin, str) else fin
    return ExpressionWrapper(
        Func(fin - F("created_at"), template="EXTRACT(EPOCH FROM %(expressions)s)") / 3600.0,
        output_field=FloatField(),
    )


# The first response of an answered request: its own first response, or the answer itself, never
# later than the answer. Per request first ≤ full, so the medians over the same set keep that order.
PREMIERE_REPONSE = Least(Coalesce(F("premiere_reponse_at"), F("resolue_at")), F("resolue_at"))


@dataclass
class Ligne:
    libelle: str
    cle: int | None = None
    recues: int = 0
    evaluables: int = 0
    dans_delai: int = 0
    repondues: int = 0
    mediane_premiere_reponse_h: float | None = None
    mediane_resolution_h: float | None = None
    en_retard: int = 0
    is_mise_en_avant: bool = False

    @property
    def taux(self) -> float | None:
        return round(100 * self.dans_delai / self.evaluables, 1) if self.evaluables else None


@dataclass
class Rapport:
    debut: dt.date
    fin: dt.date
    par_arrondissement: list[Ligne] = field(default_factory=list)
    par_direction: list[Ligne] = field(default_factory=list)
    total: Ligne | None = None


def _metrics(debut, fin, today):
    periode = Q(created_at__date__gte=debut, created_at__date__lte=fin)
    retard = Q(statut__in=OUVERTS, echeance__lt=today)
    metrics = {
        "recues": Count("id", filter=periode),
        "evaluables": Count("id", filter=periode & (Q(resolue_at__isnull=False) | retard)),
        "dans_delai": Count("id", filter=periode & Q(is_dans_delai=True)),
        "repondues": Count("id", filter=periode & Q(resolue_at__isnull=False)),
        "en_retard": Count("id", filter=retard),
    }
    if connection.vendor == "postgresql":
        metrics["mediane_premiere_reponse_h"] = Mediane(
            _heures(PREMIERE_REPONSE), filter=periode & Q(resolue_at__isnull=False)
        )
        metrics["mediane_resolution_h"] = Mediane(
            _heures("resolue_at"), filter=periode & Q(resolue_at__isnull=False)
        )
    return metrics


def _python_medians(base, debut, fin, cle: str | None) -> dict:
    """Fallback for SQLite (the zero-setup dev default): one query, medians computed in Python."""
    rows = base.filter(created_at__date__gte=debut, created_at__date__lte=fin).values_list(
        cle or "id", "created_at", "premiere_reponse_at", "resolue_at"
    )
    groups: dict = {}
    for key, created, premiere, resolue in rows:
        group = groups.setdefault(key if cle else None, ([], []))
        if resolue:  # the same set for both medians, as PREMIERE_REPONSE
            premiere = min(premiere or resolue, resolue)
            group[0].append((premiere - created).total_seconds() / 3600)
            group[1].append((resolue - created).total_seconds() / 3600)
    return {
        k: (statistics.median(a) if a else None, statistics.median(b) if b else None)
        for k, (a, b) in groups.items()
    }


def _fill(ligne: Ligne, values: dict) -> Ligne:
    for name, value in values.items():
        if hasattr(ligne, name) and value is not None:
            setattr(ligne, name, value)
    return ligne


def rapport_build(
    *, base=None, debut: dt.date, fin: dt.date, arrondissement_id=None, direction_id=None
) -> Rapport:
    """The report over `base` (already scoped; all requests by default) for the period [debut, fin].

    Constant number of queries: one grouped aggregate per table, one for the total, and the lists
    of arrondissements and directions. `arrondissement_id`/`direction_id` highlight a row.
    """
    base = DemandeAppui.objects.all() if base is None else base
    today = timezone.localdate()
    metrics = _metrics(debut, fin, today)
    rapport = Rapport(debut=debut, fin=fin)
    python = connection.vendor != "postgresql"
    for cle, modele, cible, highlight in (
        ("arrondissement_id", Arrondissement, rapport.par_arrondissement, arrondissement_id),
        ("direction_id", Direction, rapport.par_direction, direction_id),
    ):
        grouped = {row[cle]: row for row in base.order_by().values(cle).annotate(**metrics)}
        medians = _python_medians(base, debut, fin, cle) if python else {}
        objets = modele.objects.all()
        if modele is Direction:
            objets = [d for d in objets if d.is_active or d.pk in grouped]
        for objet in objets:
            libelle = f"{objet.ordinal} arrondissement" if modele is Arrondissement else objet.nom
            ligne = _fill(Ligne(libelle=libelle, cle=objet.pk), grouped.get(objet.pk, {}))
            if python and objet.pk in medians:
                ligne.mediane_premiere_reponse_h, ligne.mediane_resolution_h = medians[objet.pk]
            ligne.is_mise_en_avant = objet.pk == highlight
            if modele is Direction and not (ligne.recues or ligne.en_retard) and direction_id is None:
                continue  # directions nobody wrote to in the period stay out of the table
            cible.append(ligne)
    total = base.order_by().aggregate(**metrics)
    rapport.total = _fill(Ligne(libelle="Ensemble"), total)
    if python:
        rapport.total.mediane_premiere_reponse_h, rapport.total.mediane_resolution_h = _python_medians(
            base, debut, fin, None
        ).get(None, (None, None))
    return rapport


def duree(heures: float | None) -> str:
    """A duration for people: '5 h' under a day, '2,5 j' (calendar days) otherwise, '—' if none."""
    if heures is None:
        return "—"
    if heures < 24:
        return f"{round(heures)} h"
    return f"{heures / 24:.1f} j".replace(".", ",")


def trimestres(today: dt.date | None = None, nombre: int = 4) -> list[tuple[str, dt.date, dt.date]]:
    """The current and previous quarters, most recent first: (label, first day, last day)."""
    today = today or timezone.localdate()
    annee, trimestre = today.year, (today.month - 1) // 3 + 1
    found = []
    for _ in range(nombre):
        debut = dt.date(annee, 3 * (trimestre - 1) + 1, 1)
        fin = (dt.date(annee + (trimestre == 4), (3 * trimestre) % 12 + 1, 1)) - dt.timedelta(days=1)
        found.append((f"T{trimestre} {annee}", debut, fin))
        trimestre -= 1
        if trimestre == 0:
            annee, trimestre = annee - 1, 4
    return found
