"""Reads for the tracker's screens."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Avg, Count, Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from pacte.charts import bar_chart
from pacte.models import Direction

from .enums import Statut
from .models import Action, Axe, IndicateurSaisi, Jalon, MesureIndicateur, Orientation
from .registry import SECRET_STATISTIQUE, Indicateur, indicateurs_for_action, indicateurs_globaux

logger = logging.getLogger(__name__)


def orientations_overview() -> list[dict]:
    """The three orientations with their published actions' counts by status and mean progress."""
    rows = (
        Action.objects.publiees()
        .order_by()
        .values("orientation_id", "statut")
        .annotate(n=Count("id"), avancement=Avg("avancement"))
    )
    stats: dict[int, dict] = {}
    for row in rows:
        entry = stats.setdefault(row["orientation_id"], {"total": 0, "somme": 0.0, "statuts": {}})
        entry["total"] += row["n"]
        entry["somme"] += row["avancement"] * row["n"]
        entry["statuts"][row["statut"]] = row["n"]
    result = []
    for orientation in Orientation.objects.all():
        entry = stats.get(orientation.pk, {"total": 0, "somme": 0.0, "statuts": {}})
        result.append(
            {
                "orientation": orientation,
                "total": entry["total"],
                "avancement": round(entry["somme"] / entry["total"]) if entry["total"] else 0,
                "statuts": [
                    (value, label, entry["statuts"].get(value, 0)) for value, label in Statut.choices
                ],
            }
        )
    return result


def statuts_overview() -> list[tuple[str, str, int]]:
    counts = Action.objects.publiees().par_statut()
    return [(value, label, counts[value]) for value, label in Statut.choices]


def actions_list(*, orientation: str = "", statut: str = "", direction: str = ""):
    """Published actions, filtered by orientation code, status and pilot direction's sigle."""
    qs = Action.objects.publiees().select_related("orientation", "axe", "direction")
    if orientation:
        qs = qs.filter(orientation__code=orientation)
    if statut:
        qs = qs.filter(statut=statut)
    if direction:
        qs = qs.filter(direction__sigle=direction)
    return qs


def directions_pilotes():
    """Directions piloting at least one published action (for the filter)."""
    return Direction.objects.filter(actions_pacte__is_published=True).distinct().order_by("nom")


def action_public(code: str):
    """A published action with its published milestones and manual indicators (with measures)."""
    return (
        Action.objects.publiees()
        .select_related("orientation", "axe", "direction")
        .prefetch_related(
            Prefetch("jalons", queryset=Jalon.objects.filter(is_published=True), to_attr="jalons_publies"),
            Prefetch(
                "indicateurs_saisis",
                queryset=IndicateurSaisi.objects.prefetch_related(
                    Prefetch("mesures", queryset=MesureIndicateur.objects.order_by("periode_on"))
                ),
            ),
        )
        .filter(code=code)
    )


# --- Indicators ----------------------------------------------------------------------------------


def trimestres(today: dt.date | None = None, n: int = 4) -> list[tuple[str, dt.date, dt.date]]:
    """The last `n` quarters, the current one (to date) last: (label, first day, last day)."""
    today = today or timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    result = []
    for _i in range(n):
        debut = dt.date(year, 3 * quarter - 2, 1)
        fin = (dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)) - dt.timedelta(days=1)
        result.append(
            (
                _("%(n)se trimestre %(annee)s") % {"n": quarter, "annee": year}
                if quarter > 1
                else _("1er trimestre %(annee)s") % {"annee": year},
                debut,
                min(fin, today),
            )
        )
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return list(reversed(result))


def _fmt(value, unite: str) -> str:
    if value is None:
        return _("non disponible")
    if value is SECRET_STATISTIQUE:
        return _("secret statistique (trop peu de situations)")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:n}".replace(",", " ") if isinstance(value, int) else f"{value:.1f}".replace(".", ",")
    return f"{text} %" if unite == "%" else f"{text} {unite}".strip()


def _safe(indicateur: Indicateur, debut=None, fin=None):
    try:
        return indicateur.valeur(debut, fin)
    except Exception:  # a feature app's bug must not break the Pacte's public page
        logger.exception("Indicator %s failed", indicateur.code)
        return None


@dataclass
class IndicateurLive:
    indicateur: Indicateur
    valeur: float | int | None
    affichage: str
    url: str = ""
    chart: object = None
    periodes: list = field(default_factory=list)


def indicateur_live(indicateur: Indicateur, *, today: dt.date | None = None) -> IndicateurLive:
    """Compute an indicator now (and over the last 4 quarters when it supports periods)."""
    valeur = _safe(indicateur)
    try:
        url = reverse(indicateur.url_name) if indicateur.url_name else ""
    except NoReverseMatch:
        url = ""
    live = IndicateurLive(
        indicateur=indicateur, valeur=valeur, affichage=_fmt(valeur, indicateur.unite), url=url
    )
    if indicateur.periodique:
        for label, debut, fin in trimestres(today):
            value = _safe(indicateur, debut, fin)
            live.periodes.append((label, value, _fmt(value, indicateur.unite)))
        short = "%" if indicateur.unite == "%" else ""  # the unit goes in the table header
        live.chart = bar_chart(
            _("%(titre)s, par trimestre") % {"titre": indicateur.titre},
            [
                (label, None if value is SECRET_STATISTIQUE else value, _fmt(value, short))
                for label, value, _ in live.periodes
            ],
            chart_id=f"graphique-{indicateur.code}"[:60],
            label_header=_("Trimestre"),
            value_header=_("Valeur (%(unite)s)") % {"unite": indicateur.unite}
            if indicateur.unite
            else _("Valeur"),
        )
    return live


def indicateurs_live_for(code: str) -> list[IndicateurLive]:
    return [indicateur_live(i) for i in indicateurs_for_action(code)]


def indicateurs_live_globaux() -> list[IndicateurLive]:
    return [indicateur_live(i) for i in indicateurs_globaux()]


def indicateur_saisi_chart(indicateur: IndicateurSaisi):
    """Bar chart of the actual values of a manual indicator, by date (targets are in the table)."""
    rows = [
        (
            f"{m.periode_on:%d/%m/%Y}",
            float(m.realise) if m.realise is not None else None,
            _fmt_decimal(m.realise, ""),
        )
        for m in indicateur.mesures.all()
    ]
    if not rows:
        return None
    return bar_chart(
        _("%(titre)s : valeurs réalisées") % {"titre": indicateur.titre},
        rows,
        chart_id=f"graphique-saisi-{indicateur.pk}",
        label_header=_("Date"),
        value_header=_("Réalisé (%(unite)s)") % {"unite": indicateur.unite}
        if indicateur.unite
        else _("Réalisé"),
    )


def _fmt_decimal(value, unite: str) -> str:
    if value is None:
        return _("non renseigné")
    number = int(value) if value == value.to_integral_value() else float(value)
    return _fmt(number, unite)


# --- Public change history -----------------------------------------------------------------------

HISTORY_FIELDS = {
    "titre": gettext_lazy("Titre"),
    "description": gettext_lazy("Description"),
    "statut": gettext_lazy("Statut"),
    "avancement": gettext_lazy("Avancement"),
    "direction_id": gettext_lazy("Direction pilote"),
    "partenaires": gettext_lazy("Partenaires"),
    "debut_on": gettext_lazy("Date de début"),
    "cible_on": gettext_lazy("Date cible"),
}


@dataclass
class Changement:
    date: dt.datetime
    action: Action
    resume: str
    details: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)


def _jalon_label(titre: str, date_on: dt.date) -> str:
    """« Titre » (01/03/2026): a milestone's title is written in French only (lang="fr" elsewhere)."""
    if get_language() != settings.LANGUAGE_CODE:
        titre = format_html('<span lang="{}">{}</span>', settings.LANGUAGE_CODE, titre)
    return format_html(_("« {titre} » ({date})"), titre=titre, date=f"{date_on:%d/%m/%Y}")


def _display(name: str, value, directions: dict) -> str:
    if value in (None, ""):
        return "—"
    if name == "statut":
        return Statut(value).label
    if name == "avancement":
        return f"{value} %"
    if name == "direction_id":
        return directions.get(value, "—")
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def historique(*, code: str = "") -> list[Changement]:
    """Public changes of published actions and their milestones, newest first (no agent names)."""
    actions = {a.pk: a for a in Action.objects.publiees().select_related("orientation")}
    if code:
        actions = {pk: a for pk, a in actions.items() if a.code == code}
    directions = dict(Direction.objects.values_list("pk", "nom"))
    changes: list[Changement] = []
    records = (
        Action.history.filter(id__in=actions)
        .order_by("id", "history_date", "history_id")
        .values("id", "history_type", "history_date", "is_published", *HISTORY_FIELDS)
    )
    previous: dict[int, dict] = {}
    for record in records:
        before = previous.get(record["id"])
        previous[record["id"]] = record
        action = actions[record["id"]]
        if not record["is_published"]:
            continue
        if before is None or not before["is_published"]:
            changes.append(Changement(record["history_date"], action, _("Action publiée")))
            continue
        details = [
            (label, _display(name, before[name], directions), _display(name, record[name], directions))
            for name, label in HISTORY_FIELDS.items()
            if before[name] != record[name]
        ]
        if details:
            changes.append(Changement(record["history_date"], action, _("Action mise à jour"), details))
    jalons = (
        Jalon.history.filter(action_id__in=actions)
        .order_by("id", "history_date", "history_id")
        .values("id", "action_id", "history_type", "history_date", "titre", "date_on", "note", "is_published")
    )
    previous = {}
    for record in jalons:
        before = previous.get(record["id"])
        previous[record["id"]] = record
        action = actions[record["action_id"]]
        label = _jalon_label(record["titre"], record["date_on"])
        if record["history_type"] == "-":
            if before and before["is_published"]:
                changes.append(
                    Changement(
                        record["history_date"], action, format_html(_("Jalon retiré : {jalon}"), jalon=label)
                    )
                )
        elif record["is_published"] and (before is None or not before["is_published"]):
            changes.append(
                Changement(
                    record["history_date"], action, format_html(_("Nouveau jalon : {jalon}"), jalon=label)
                )
            )
        elif record["is_published"] and before:
            details = [
                (name, str(before[key] or "—"), str(record[key] or "—"))
                for key, name in (("titre", _("Titre")), ("date_on", _("Date")), ("note", _("Note")))
                if before[key] != record[key]
            ]
            if details:
                changes.append(
                    Changement(
                        record["history_date"],
                        action,
                        format_html(_("Jalon modifié : {jalon}"), jalon=label),
                        details,
                    )
                )
    changes.sort(key=lambda c: c.date, reverse=True)
    return changes


def axes_for(orientation: Orientation):
    return Axe.objects.filter(orientation=orientation)
