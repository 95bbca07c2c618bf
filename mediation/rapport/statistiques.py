"""The figures of the annual report for a year and the previous one, by database aggregation.

Every figure is computed with a fixed number of queries whatever the volume (GROUP BY in
PostgreSQL, medians with `percentile_cont`), and every list has a deterministic order, so the same
data always gives the same figures. The result is a plain JSON-serialisable dict: it is stored on
each version (`VersionRapport.statistiques`) and rendered in the PDF.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from collections import defaultdict

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Func, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy

from mediation.enums import (
    CanalSaisine,
    Issue,
    MotifIrrecevabilite,
    Niveau,
    OrganismeReorientation,
    RequerantType,
    StatutProposition,
    StatutSaisine,
    Theme,
)
from mediation.models import Proposition, Saisine
from pacte.francais import decimal_texte, pourcentage
from pacte.models import Arrondissement

MOIS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
RECEVABLES = [
    StatutSaisine.RECEVABLE,
    StatutSaisine.EN_INSTRUCTION,
    StatutSaisine.PROPOSITION,
    StatutSaisine.CLOTUREE,
]
NON_RENSEIGNE = "Non renseigné"


class Median(Aggregate):
    """PostgreSQL's exact median (`percentile_cont(0.5)`)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class EpochDays(Func):
    """A duration in days (float)."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)"
    output_field = FloatField()


def _duration(end: str, start: str):
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def year_bounds(annee: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January, next 1 January) of `annee` in the City's time zone."""
    tz = timezone.get_current_timezone()
    return dt.datetime(annee, 1, 1, tzinfo=tz), dt.datetime(annee + 1, 1, 1, tzinfo=tz)


def saisines_of_years(annee: int):
    """The saisines received during `annee - 1` and `annee`."""
    debut, _ = year_bounds(annee - 1)
    _, fin = year_bounds(annee)
    return Saisine.objects.filter(recue_at__gte=debut, recue_at__lt=fin).order_by()


def _pct(part: int, total: int) -> float | None:
    return None if not total else round(100.0 * part / total, 1)


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)


def _medians_python(qs, annee: int) -> dict[int, dict[str, float | None]]:
    """Medians where the database has no percentile function (SQLite, embedded default)."""
    durations: dict[int, dict[str, list[float]]] = defaultdict(lambda: {"accuse": [], "cloture": []})
    tz = timezone.get_current_timezone()
    for recue, accuse, cloturee in qs.values_list("recue_at", "accuse_at", "cloturee_at"):
        year = timezone.localtime(recue, tz).year
        if accuse:
            durations[year]["accuse"].append((accuse - recue).total_seconds() / 86400)
        if cloturee:
            durations[year]["cloture"].append((cloturee - recue).total_seconds() / 86400)
    return {
        year: {k: (pystats.median(v) if v else None) for k, v in values.items()}
        for year, values in durations.items()
    }


def _cles(annee: int) -> dict[str, dict]:
    qs = saisines_of_years(annee)
    aggregates = {
        "total": Count("id"),
        "irrecevables": Count("id", filter=Q(statut=StatutSaisine.IRRECEVABLE)),
        "reorientees": Count("id", filter=Q(statut=StatutSaisine.REORIENTEE)),
        "recevables": Count("id", filter=Q(statut__in=RECEVABLES)),
        "cloturees": Count("id", filter=Q(statut=StatutSaisine.CLOTUREE)),
        "mediation_formelle": Count("id", filter=Q(niveau=Niveau.MEDIATION_FORMELLE)),
        "premier_niveau": Count("id", filter=Q(niveau=Niveau.PREMIER_NIVEAU)),
        "elu_implique": Count("id", filter=Q(elu_implique=True)),
        "particuliers": Count("id", filter=Q(requerant_type=RequerantType.PARTICULIER)),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        aggregates["median_accuse"] = Median(
            EpochDays(_duration("accuse_at", "recue_at")), filter=Q(accuse_at__isnull=False)
        )
        aggregates["median_cloture"] = Median(
            EpochDays(_duration("cloturee_at", "recue_at")), filter=Q(cloturee_at__isnull=False)
        )
    rows = {
        row["an"]: row for row in qs.annotate(an=ExtractYear("recue_at")).values("an").annotate(**aggregates)
    }
    medians = {} if postgres else _medians_python(qs, annee)
    result = {}
    for key, year in (("annee", annee), ("precedente", annee - 1)):
        row = rows.get(year, {})
        total = row.get("total", 0)
        decided = row.get("recevables", 0) + row.get("irrecevables", 0) + row.get("reorientees", 0)
        median_accuse = row.get("median_accuse") if postgres else medians.get(year, {}).get("accuse")
        median_cloture = row.get("median_cloture") if postgres else medians.get(year, {}).get("cloture")
        result[key] = {
            "annee": year,
            "total": total,
            "recevables": row.get("recevables", 0),
            "irrecevables": row.get("irrecevables", 0),
            "reorientees": row.get("reorientees", 0),
            "cloturees": row.get("cloturees", 0),
            "mediation_formelle": row.get("mediation_formelle", 0),
            "premier_niveau": row.get("premier_niveau", 0),
            "elu_implique": row.get("elu_implique", 0),
            "particuliers": row.get("particuliers", 0),
            "taux_recevabilite": _pct(row.get("recevables", 0), decided),
            "part_mediation_formelle": _pct(row.get("mediation_formelle", 0), row.get("recevables", 0)),
            "part_elu": _pct(row.get("elu_implique", 0), total),
            "part_particuliers": _pct(row.get("particuliers", 0), total),
            "median_accuse_jours": _round(median_accuse),
            "median_cloture_jours": _round(median_cloture),
        }
    return result


def _rows(counts: dict[tuple, int], annee: int, keys: list[tuple[str, str]]) -> list[dict]:
    """One row per key in the given order: {cle, libelle, n (year), n_prec (previous year)}."""
    return [
        {
            "cle": key,
            "libelle": str(label),
            "n": counts.get((annee, key), 0),
            "n_prec": counts.get((annee - 1, key), 0),
        }
        for key, label in keys
    ]


def _grouped(qs, annee: int, field) -> dict[tuple, int]:
    """{(year, value): count} for the two years, in one GROUP BY query."""
    expression = F(field) if isinstance(field, str) else field
    return {
        (row["an"], row["k"] if row["k"] is not None else ""): row["n"]
        for row in qs.annotate(an=ExtractYear("recue_at"), k=expression)
        .values("an", "k")
        .annotate(n=Count("id"))
    }


def _choices(enum, counts: dict[tuple, int]) -> list[tuple[str, str]]:
    keys = [(value, label) for value, label in enum.choices]
    if any(k[1] == "" for k in counts):
        keys.append(("", NON_RENSEIGNE))
    return keys


def _par_choix(qs, annee: int, field: str, enum) -> list[dict]:
    counts = _grouped(qs, annee, field)
    return _rows(counts, annee, _choices(enum, counts))


def _propositions(annee: int) -> dict:
    base = Proposition.objects.order_by()
    statuts = list(StatutProposition.choices)

    def by_direction(qs) -> list[dict]:
        table: dict[tuple[str, str], dict[str, int]] = {}
        for row in qs.values("direction__sigle", "direction__nom", "statut").annotate(n=Count("id")):
            key = (row["direction__sigle"], row["direction__nom"])
            table.setdefault(key, {s: 0 for s, _ in statuts})[row["statut"]] = row["n"]
        return [
            {
                "sigle": sigle,
                "direction": nom,
                "par_statut": [table[(sigle, nom)][s] for s, _ in statuts],
                "total": sum(table[(sigle, nom)].values()),
            }
            for sigle, nom in sorted(table)
        ]

    de_l_annee = by_direction(base.filter(annee=annee))
    anterieures = by_direction(base.filter(annee__lt=annee))
    liste = [
        {
            "numero": p["numero"],
            "titre": p["titre"],
            "texte": p["texte"],
            "direction": p["direction__nom"],
            "sigle": p["direction__sigle"],
            "statut": str(StatutProposition(p["statut"]).label),
        }
        for p in base.filter(annee=annee)
        .values("numero", "titre", "texte", "direction__nom", "direction__sigle", "statut")
        .order_by("numero")
    ]
    totals = {s: sum(d["par_statut"][i] for d in anterieures) for i, (s, _) in enumerate(statuts)}
    return {
        "statuts": [str(label) for _, label in statuts],
        "annee_par_direction": de_l_annee,
        "annee_total": sum(d["total"] for d in de_l_annee),
        "anterieures_par_direction": anterieures,
        "anterieures_total": sum(d["total"] for d in anterieures),
        "anterieures_mises_en_oeuvre": totals[StatutProposition.MISE_EN_OEUVRE],
        "anterieures_acceptees": totals[StatutProposition.ACCEPTEE],
        "liste": liste,
    }


def statistiques_annee(annee: int) -> dict:
    """Every figure of the report for `annee` and `annee - 1` (constant number of queries)."""
    qs = saisines_of_years(annee)
    mois = _grouped(qs, annee, ExtractMonth("recue_at"))
    arrondissements = list(Arrondissement.objects.order_by("numero").values_list("id", "nom"))
    par_arr = _grouped(qs, annee, "arrondissement_id")
    arr_keys = [(pk, nom) for pk, nom in arrondissements]
    if any(k[1] == "" for k in par_arr):
        arr_keys.append(("", NON_RENSEIGNE))
    par_dir = {
        (row["an"], row["direction__sigle"] or ""): (row["direction__nom"] or NON_RENSEIGNE, row["n"])
        for row in qs.annotate(an=ExtractYear("recue_at"))
        .values("an", "direction__sigle", "direction__nom")
        .annotate(n=Count("id"))
    }
    dir_labels = {key: label for (_, key), (label, _) in par_dir.items()}
    dir_counts = {k: n for k, (_, n) in par_dir.items()}
    # Directions: most concerned first this year, then by name (deterministic).
    dir_keys = sorted(dir_labels, key=lambda k: (-dir_counts.get((annee, k), 0), k == "", dir_labels[k]))
    decided = qs.filter(statut=StatutSaisine.IRRECEVABLE)
    reorientees = qs.filter(statut=StatutSaisine.REORIENTEE)
    cloturees = qs.filter(statut=StatutSaisine.CLOTUREE)
    issues = _grouped(cloturees, annee, "issue")
    return {
        "annee": annee,
        "annee_precedente": annee - 1,
        "cles": _cles(annee),
        "par_mois": _rows(mois, annee, [(i, MOIS[i - 1]) for i in range(1, 13)]),
        "par_canal": _par_choix(qs, annee, "canal", CanalSaisine),
        "par_type": _par_choix(qs, annee, "requerant_type", RequerantType),
        "par_theme": sorted(
            _par_choix(qs, annee, "theme", Theme), key=lambda r: (-r["n"], -r["n_prec"], r["libelle"])
        ),
        "par_arrondissement": _rows(par_arr, annee, arr_keys),
        "par_direction": _rows(dir_counts, annee, [(k, dir_labels[k]) for k in dir_keys]),
        "motifs_irrecevabilite": _par_choix(decided, annee, "motif_irrecevabilite", MotifIrrecevabilite),
        "reorientations": _par_choix(reorientees, annee, "organisme_reorientation", OrganismeReorientation),
        "issues": _rows(issues, annee, [(v, str(label)) for v, label in Issue.choices]),
        "propositions": _propositions(annee),
    }


def chiffres_cles(statistiques: dict) -> list[dict]:
    """The key figures of a stored snapshot, formatted in French, for the public HTML summary (labels in the page's language).

    Each row: {libelle, annee, precedente} (strings). Reads only the snapshot of the published
    version, so the page shows exactly the figures printed in its PDF.
    """
    cles = statistiques.get("cles") or {}
    courante, precedente = cles.get("annee") or {}, cles.get("precedente") or {}

    def entier(d, k):
        return "—" if d.get(k) is None else str(d[k])

    def jours(d, k):
        return "—" if d.get(k) is None else decimal_texte(d[k])

    lignes = [
        (gettext_lazy("Saisines reçues"), entier, "total"),
        (gettext_lazy("Saisines recevables"), entier, "recevables"),
        (gettext_lazy("Taux de recevabilité"), lambda d, k: pourcentage(d.get(k)), "taux_recevabilite"),
        (gettext_lazy("Dossiers clôturés"), entier, "cloturees"),
        (gettext_lazy("Médiations formelles avec les services"), entier, "mediation_formelle"),
        (gettext_lazy("Délai médian d'accusé de réception (jours)"), jours, "median_accuse_jours"),
        (gettext_lazy("Délai médian de clôture (jours)"), jours, "median_cloture_jours"),
    ]
    rows = [
        {"libelle": libelle, "annee": fmt(courante, k), "precedente": fmt(precedente, k)}
        for libelle, fmt, k in lignes
    ]
    propositions = (statistiques.get("propositions") or {}).get("annee_total")
    if propositions is not None:
        rows.append(
            {
                "libelle": gettext_lazy("Propositions d'amélioration formulées"),
                "annee": str(propositions),
                "precedente": "—",
            }
        )
    return rows
