"""The commitments report: per arrondissement, per direction and per direction × arrondissement.

It measures the City's commitments to élus, never individual agents: there is no per-person
figure anywhere. Definitions (also shown on the page):
- reçues: requests received in the period;
- évaluables: received in the period and either answered or already past their deadline;
- dans le délai: answered (first answer) on or before the deadline; the % is over évaluables;
- médianes: time from reception to the first response / to the answer, in business days
  (`pacte.calendrier.business_days_between`: Saturdays, Sundays and French public holidays
  skipped, the day of reception not counted: an answer the same day is 0, the next business day
  1), both over the same requests (those answered): a request closed without a separate first
  response counts its answer as its first response. Over different populations (every request
  with a first response vs. the answered ones) the first median could exceed the full one;
- en retard aujourd'hui: open requests past their deadline now, whatever their reception date.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from pacte.calendrier import business_days_between
from pacte.francais import decimal_texte
from pacte.models import Arrondissement, Direction

from .enums import OUVERTS
from .models import DemandeAppui

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
    mediane_premiere_reponse_j: float | None = None
    mediane_resolution_j: float | None = None
    en_retard: int = 0
    is_mise_en_avant: bool = False
    # Direction × arrondissement table: the second header of the row.
    sous_libelle: str = ""

    @property
    def taux(self) -> float | None:
        return round(100 * self.dans_delai / self.evaluables, 1) if self.evaluables else None


@dataclass
class Rapport:
    debut: dt.date
    fin: dt.date
    par_arrondissement: list[Ligne] = field(default_factory=list)
    par_direction: list[Ligne] = field(default_factory=list)
    # One row per (direction, arrondissement) with requests in the period or overdue today.
    par_direction_arrondissement: list[Ligne] = field(default_factory=list)
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
    return metrics


def jours_ouvres_ecoules():
    """A function (start, end instants) → business days between their local dates.

    `pacte.calendrier.business_days_between` on the City's dates (the day of reception not
    counted), memoised per pair of dates so a large period costs one computation per distinct pair.
    """
    tz = timezone.get_current_timezone()
    entre = cache(business_days_between)

    def jours(debut_at: dt.datetime, fin_at: dt.datetime) -> int:
        return entre(timezone.localtime(debut_at, tz).date(), timezone.localtime(fin_at, tz).date())

    return jours


def _medians(base, debut, fin) -> dict:
    """Medians in business days of the requests answered in the period, in one query.

    Returns {(group key, value): (median to first response, median to answer)} for the keys
    "arrondissement_id", "direction_id", "croise" ((direction_id, arrondissement_id)) and
    ("total", None). Business days come from `pacte.calendrier` (one place for holidays), on the
    City's local dates; a pair of dates is computed once whatever the volume.
    """
    rows = (
        base.order_by()
        .filter(created_at__date__gte=debut, created_at__date__lte=fin, resolue_at__isnull=False)
        .annotate(premiere=PREMIERE_REPONSE)
        .values_list("arrondissement_id", "direction_id", "created_at", "premiere", "resolue_at")
    )
    jours = jours_ouvres_ecoules()
    groups: dict = defaultdict(lambda: ([], []))
    for arrondissement_id, direction_id, created, premiere, resolue in rows:
        premiere_j, reponse_j = jours(created, premiere), jours(created, resolue)
        for key in (
            ("arrondissement_id", arrondissement_id),
            ("direction_id", direction_id),
            ("croise", (direction_id, arrondissement_id)),
            ("total", None),
        ):
            groups[key][0].append(premiere_j)
            groups[key][1].append(reponse_j)
    return {
        key: (float(statistics.median(premieres)), float(statistics.median(reponses)))
        for key, (premieres, reponses) in groups.items()
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
    medians = _medians(base, debut, fin)
    rapport = Rapport(debut=debut, fin=fin)
    arrondissements = list(Arrondissement.objects.all())
    for cle, objets, cible, highlight in (
        ("arrondissement_id", arrondissements, rapport.par_arrondissement, arrondissement_id),
        ("direction_id", Direction.objects.all(), rapport.par_direction, direction_id),
    ):
        grouped = {row[cle]: row for row in base.order_by().values(cle).annotate(**metrics)}
        if cle == "direction_id":
            objets = [d for d in objets if d.is_active or d.pk in grouped]
            directions = {d.pk: d for d in objets}
        for objet in objets:
            libelle = objet.nom if cle == "direction_id" else f"{objet.ordinal} arrondissement"
            ligne = _fill(Ligne(libelle=libelle, cle=objet.pk), grouped.get(objet.pk, {}))
            ligne.mediane_premiere_reponse_j, ligne.mediane_resolution_j = medians.get(
                (cle, objet.pk), (None, None)
            )
            ligne.is_mise_en_avant = objet.pk == highlight
            if cle == "direction_id" and not (ligne.recues or ligne.en_retard) and direction_id is None:
                continue  # directions nobody wrote to in the period stay out of the table
            cible.append(ligne)
    rapport.par_direction_arrondissement = _croise(
        base, metrics, medians, directions, arrondissements, arrondissement_id
    )
    total = base.order_by().aggregate(**metrics)
    rapport.total = _fill(Ligne(libelle="Ensemble"), total)
    rapport.total.mediane_premiere_reponse_j, rapport.total.mediane_resolution_j = medians.get(
        ("total", None), (None, None)
    )
    return rapport


def _croise(base, metrics, medians, directions, arrondissements, highlight) -> list[Ligne]:
    """Direction × arrondissement: one grouped query, rows by direction name then arrondissement."""
    rang = {a.pk: (a.numero, a) for a in arrondissements}
    lignes = []
    for row in base.order_by().values("direction_id", "arrondissement_id").annotate(**metrics):
        direction, (numero, arrondissement) = (
            directions.get(row["direction_id"]),
            rang[row["arrondissement_id"]],
        )
        ligne = _fill(
            Ligne(
                libelle=direction.nom if direction else "",
                sous_libelle=f"{arrondissement.ordinal} arrondissement",
                cle=numero,
            ),
            row,
        )
        if not (ligne.recues or ligne.en_retard) or direction is None:
            continue
        ligne.mediane_premiere_reponse_j, ligne.mediane_resolution_j = medians.get(
            ("croise", (row["direction_id"], row["arrondissement_id"])), (None, None)
        )
        ligne.is_mise_en_avant = row["arrondissement_id"] == highlight
        lignes.append(ligne)
    return sorted(lignes, key=lambda ligne: (ligne.libelle, ligne.cle))


def jours_ouvres(jours: float | None) -> str:
    """A median in business days for people: « 0 », « 2,5 », « — » if none (the unit is in the header)."""
    return "—" if jours is None else decimal_texte(jours)


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
