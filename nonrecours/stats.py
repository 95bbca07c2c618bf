"""Statistics of the observatory, read from the monthly roll-up (two small queries per page).

`statistiques(filtres, raw=False)` returns the protected tables (see suppression.py) shared by the
public page, its CSV export and (raw) the analysts' back office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django import forms
from django.db.models import Sum
from django.utils import timezone

from pacte.models import Arrondissement

from .enums import TypeOdenore
from .models import Dispositif, StatMensuelle
from .suppression import Tableau, protect, threshold_default

TYPES = [(c, str(label)) for c, label in TypeOdenore.choices if c] + [("", "Non qualifié")]
MOIS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


def trimestre_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def trimestre_code(year: int, quarter: int) -> str:
    return f"{year}-T{quarter}"


def trimestre_bounds(code: str) -> tuple[dt.date, dt.date]:
    year, quarter = int(code[:4]), int(code[-1])
    start = dt.date(year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    end = dt.date(year + (end_month == 12), end_month % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def trimestres_recents(n: int = 12, today: dt.date | None = None) -> list[str]:
    """The last `n` quarters, most recent first (no database query)."""
    year, quarter = trimestre_of(today or timezone.localdate())
    codes = []
    for _ in range(n):
        codes.append(trimestre_code(year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return codes


def trimestre_label(code: str) -> str:
    return f"{code[-1]}{'er' if code[-1] == '1' else 'e'} trimestre {code[:4]}"


class FiltresForm(forms.Form):
    """GET filters: they work without JavaScript (a plain form and a submit button)."""

    debut = forms.ChoiceField(label="Du trimestre", required=False)
    fin = forms.ChoiceField(label="Au trimestre (inclus)", required=False)
    dispositif = forms.ChoiceField(label="Droit ou aide", required=False)
    type = forms.ChoiceField(label="Type de non-recours", required=False)
    arrondissement = forms.ChoiceField(label="Arrondissement", required=False)
    pas = forms.ChoiceField(
        label="Évolution par", required=False, choices=[("trimestre", "trimestre"), ("mois", "mois")]
    )

    def __init__(self, *args, dispositifs=(), arrondissements=(), **kwargs):
        super().__init__(*args, **kwargs)
        quarters = [(c, trimestre_label(c)) for c in trimestres_recents()]
        self.fields["debut"].choices = list(reversed(quarters))
        self.fields["fin"].choices = quarters
        self.fields["dispositif"].choices = [("", "Tous")] + [(d.code, d.nom) for d in dispositifs]
        self.fields["type"].choices = [("", "Tous")] + [(c or "non_qualifie", label) for c, label in TYPES]
        self.fields["arrondissement"].choices = [("", "Tous")] + [
            (str(a.numero), str(a)) for a in arrondissements
        ]

    def clean(self):
        data = super().clean()
        quarters = trimestres_recents()
        data["debut"] = data.get("debut") or quarters[7]
        data["fin"] = data.get("fin") or quarters[0]
        if data["debut"] > data["fin"]:
            self.add_error("fin", "Le trimestre de fin doit être après le trimestre de début.")
        data["pas"] = data.get("pas") or "trimestre"
        return data


@dataclass
class Filtres:
    debut: dt.date
    fin: dt.date
    dispositif: str = ""
    type: str | None = None  # None = all types; "" = non qualifié
    arrondissement: int | None = None
    pas: str = "trimestre"
    debut_code: str = ""
    fin_code: str = ""

    @classmethod
    def from_form(cls, form: FiltresForm) -> Filtres:
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        quarters = trimestres_recents()
        debut_code = data.get("debut") or quarters[7]
        fin_code = data.get("fin") or quarters[0]
        if debut_code > fin_code:
            debut_code, fin_code = fin_code, debut_code
        type_code = data.get("type") or None
        return cls(
            debut=trimestre_bounds(debut_code)[0],
            fin=trimestre_bounds(fin_code)[1],
            dispositif=data.get("dispositif") or "",
            type="" if type_code == "non_qualifie" else type_code,
            arrondissement=int(data["arrondissement"]) if data.get("arrondissement") else None,
            pas=data.get("pas") or "trimestre",
            debut_code=debut_code,
            fin_code=fin_code,
        )


@dataclass
class Statistiques:
    filtres: Filtres
    par_dispositif: Tableau
    par_arrondissement: Tableau
    par_periode: Tableau
    demarche: Tableau
    raw: bool
    threshold: int
    tableaux: list[Tableau] = field(default_factory=list)

    @property
    def part_demarche(self) -> str:
        linked, total = self.demarche.cells[0][0], self.demarche.total
        if linked.hidden or total.hidden or not total.value:
            return "non publiée (effectif trop faible)" if total.value else "sans objet"
        return f"{round(100 * linked.value / total.value)} %"


def _rollup(filtres: Filtres):
    qs = StatMensuelle.objects.filter(mois__gte=filtres.debut.replace(day=1), mois__lte=filtres.fin)
    if filtres.type is not None:
        qs = qs.filter(type_odenore=filtres.type)
    if filtres.arrondissement is not None:
        qs = qs.filter(arrondissement=filtres.arrondissement)
    return qs.order_by()


def _periodes(filtres: Filtres) -> list[tuple[dt.date, str]]:
    """Every month (or quarter) of the range, so that empty periods show as 0."""
    periods = []
    day = filtres.debut.replace(day=1)
    while day <= filtres.fin:
        if filtres.pas == "mois":
            periods.append((day, f"{MOIS[day.month - 1]} {day.year}"))
        elif day.month % 3 == 1:
            periods.append((day, trimestre_label(trimestre_code(*trimestre_of(day)))))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return periods


def statistiques(
    filtres: Filtres, *, raw: bool = False, dispositifs=None, arrondissements=None
) -> Statistiques:
    threshold = threshold_default()
    dispositifs = list(Dispositif.objects.all()) if dispositifs is None else dispositifs
    arrondissements = list(Arrondissement.objects.all()) if arrondissements is None else arrondissements

    # Query 1: observations (or mentions of the filtered right) by month × type × arrondissement × démarche.
    groups = (
        _rollup(filtres)
        .filter(dispositif_code=filtres.dispositif)
        .values_list("mois", "type_odenore", "arrondissement", "has_demarche", "n")
    )
    # Query 2: mentions by right × type.
    mentions = (
        _rollup(filtres)
        .exclude(dispositif_code="")
        .values_list("dispositif_code", "type_odenore")
        .annotate(total=Sum("n"))
    )

    type_index = {code: i for i, (code, _) in enumerate(TYPES)}
    periods = _periodes(filtres)
    period_index = {day: i for i, (day, _) in enumerate(periods)}
    arr_ids = [a.numero for a in arrondissements]
    arr_index = {pk: i for i, pk in enumerate(arr_ids)}
    by_arr = [[0] * len(TYPES) for _ in range(len(arr_ids) + 1)]
    by_period = [[0] * len(TYPES) for _ in periods]
    by_demarche = [0, 0]
    for month, type_code, arr_id, has_demarche, n in groups.iterator():
        t = type_index[type_code]
        by_arr[arr_index.get(arr_id, len(arr_ids))][t] += n
        if filtres.pas == "trimestre":
            month = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        if month in period_index:
            by_period[period_index[month]][t] += n
        by_demarche[0 if has_demarche else 1] += n

    if filtres.dispositif:
        shown = [d for d in dispositifs if d.code == filtres.dispositif]
    else:
        shown = [d for d in dispositifs if d.is_active]
    disp_index = {d.code: i for i, d in enumerate(shown)}
    by_disp = [[0] * len(TYPES) for _ in shown]
    for code, type_code, n in mentions:
        if filtres.dispositif and code != filtres.dispositif:
            continue
        if code not in disp_index:  # an inactive right with old observations
            disp_index[code] = len(shown)
            shown.append(next((d for d in dispositifs if d.code == code), Dispositif(code=code, nom=code)))
            by_disp.append([0] * len(TYPES))
        by_disp[disp_index[code]][type_index[type_code]] += n

    col_labels = [label for _, label in TYPES]
    par_dispositif = protect(
        "Situations par droit et type de non-recours",
        [d.nom for d in shown],
        col_labels,
        by_disp,
        raw=raw,
        row_header="Droit ou aide",
    )
    # The arrondissement and period tables share their margins (column totals, grand total): hide
    # a margin in both when either hides it, until both agree (linked tables).
    forced_cols: set[int] = set()
    forced_total = False
    for _ in range(10):
        par_arrondissement = protect(
            "Situations par arrondissement et type de non-recours",
            [str(a) for a in arrondissements] + ["Arrondissement non précisé"],
            col_labels,
            by_arr,
            raw=raw,
            row_header="Arrondissement",
            forced_col_totals=frozenset(forced_cols),
            forced_total=forced_total,
        )
        par_periode = protect(
            f"Évolution par {'mois' if filtres.pas == 'mois' else 'trimestre'} et type de non-recours",
            [label for _, label in periods],
            col_labels,
            by_period,
            raw=raw,
            row_header="Période",
            forced_col_totals=frozenset(forced_cols),
            forced_total=forced_total,
        )
        hidden_cols = {
            c
            for c in range(len(col_labels))
            if par_arrondissement.col_totals[c].hidden or (periods and par_periode.col_totals[c].hidden)
        }
        hidden_total = par_arrondissement.total.hidden or bool(periods and par_periode.total.hidden)
        if hidden_cols == forced_cols and hidden_total == forced_total:
            break
        forced_cols, forced_total = hidden_cols, hidden_total
    demarche = protect(
        "Situations liées à une démarche en ligne du catalogue",
        ["Situations"],
        ["Liées à une démarche", "Sans démarche précisée"],
        [by_demarche],
        raw=raw,
        row_header="",
        forced_total=forced_total,
    )
    result = Statistiques(filtres, par_dispositif, par_arrondissement, par_periode, demarche, raw, threshold)
    result.tableaux = [par_dispositif, par_arrondissement, par_periode, demarche]
    return result


CSV_HEADER = [
    "tableau",
    "ligne",
    "colonne",
    "effectif",
    "periode_debut",
    "periode_fin",
    "filtre_droit",
    "filtre_type",
    "filtre_arrondissement",
]


def csv_rows(stats: Statistiques):
    """The open-data export: every published cell of the page's tables, one per line (long format).

    The header is `CSV_HEADER`.
    """
    f = stats.filtres
    context = [
        f.debut.isoformat(),
        f.fin.isoformat(),
        f.dispositif,
        "tous" if f.type is None else (f.type or "non_qualifie"),
        str(f.arrondissement or ""),
    ]
    for tableau in stats.tableaux:
        for row in tableau.rows:
            for label, cell in zip(tableau.col_labels, row["cells"], strict=True):
                yield [tableau.titre, row["label"], label, cell.csv, *context]
            yield [
                tableau.titre,
                row["label"],
                tableau.total_label,
                row["total"].csv,
                *context,
            ]
        for label, cell in zip(tableau.col_labels, tableau.col_totals, strict=True):
            yield [tableau.titre, tableau.total_label, label, cell.csv, *context]
        yield [
            tableau.titre,
            tableau.total_label,
            tableau.total_label,
            tableau.total.csv,
            *context,
        ]
