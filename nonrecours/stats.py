"""Statistics of the observatory, read from the monthly roll-up (two small queries per page).

- `publication(annee)`: the **only** source of public figures (page, open-data CSV, tracker
  indicators): a fixed set of linked tables per calendar year, protected jointly by
  `suppression.suppress` (see its docstring for the proof). A visitor chooses a year, nothing else.
- `statistiques(filtres)`: the analysts' raw tables under free filters (staff only, journaled export).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field

from django import forms
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from pacte.models import Arrondissement

from .enums import TypeOdenore
from .models import Dispositif, StatMensuelle
from .suppression import TOTAL, Cellule, Tableau, TableSpec, protect, suppress, tableaux, threshold_default

logger = logging.getLogger(__name__)

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
    for _i in range(n):
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


def statistiques(filtres: Filtres, *, dispositifs=None, arrondissements=None) -> Statistiques:
    """The analysts' raw (unsuppressed) tables under any filters. Never shown to the public: the
    public figures come only from `publication()`, whose filters cannot be combined freely."""
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
        raw=True,
        row_header="Droit ou aide",
    )
    par_arrondissement = protect(
        "Situations par arrondissement et type de non-recours",
        [str(a) for a in arrondissements] + ["Arrondissement non précisé"],
        col_labels,
        by_arr,
        raw=True,
        row_header="Arrondissement",
    )
    par_periode = protect(
        f"Évolution par {'mois' if filtres.pas == 'mois' else 'trimestre'} et type de non-recours",
        [label for _, label in periods],
        col_labels,
        by_period,
        raw=True,
        row_header="Période",
    )
    demarche = protect(
        "Situations liées à une démarche en ligne du catalogue",
        ["Situations"],
        ["Liées à une démarche", "Sans démarche précisée"],
        [by_demarche],
        raw=True,
        row_header="",
    )
    result = Statistiques(filtres, par_dispositif, par_arrondissement, par_periode, demarche, True, threshold)
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
    """The analysts' raw export: every cell of the tables, one per line (header `CSV_HEADER`)."""
    f = stats.filtres
    context = [
        f.debut.isoformat(),
        f.fin.isoformat(),
        f.dispositif,
        "tous" if f.type is None else (f.type or "non_qualifie"),
        str(f.arrondissement or ""),
    ]
    return tableaux_csv_rows(stats.tableaux, context)


def tableaux_csv_rows(tableaux: list[Tableau], context: list[str]):
    """Long format: one line per cell and margin (`tableau,ligne,colonne,effectif,<context>`)."""
    for tableau in tableaux:
        for row in tableau.rows:
            for label, cell in zip(tableau.col_labels, row["cells"], strict=True):
                yield [tableau.titre, row["label"], label, cell.csv, *context]
            yield [tableau.titre, row["label"], tableau.total_label, row["total"].csv, *context]
        for label, cell in zip(tableau.col_labels, tableau.col_totals, strict=True):
            yield [tableau.titre, tableau.total_label, label, cell.csv, *context]
        yield [tableau.titre, tableau.total_label, tableau.total_label, tableau.total.csv, *context]


# --- The public publication ---------------------------------------------------------------------

PUBLIC_CSV_HEADER = ["tableau", "ligne", "colonne", "effectif", "annee"]

# The publication keeps its labels in French (the open-data CSV, one cache for every language); the
# page shows them in the visitor's language through `pacte.traductions.libelle` (|libelle). These are
# its fixed labels, for the catalogues.
LIBELLES_PUBLICS = [
    gettext_noop("Situations par trimestre et type de non-recours"),
    gettext_noop("Situations par arrondissement et type de non-recours"),
    gettext_noop("Situations liées à une démarche en ligne du catalogue, par trimestre"),
    gettext_noop("Situations par droit et type de non-recours"),
    gettext_noop("Arrondissement non précisé"),
    gettext_noop("Trimestre"),
    gettext_noop("Arrondissement"),
    gettext_noop("Droit ou aide"),
    gettext_noop("Total"),
    gettext_noop("secret"),
    gettext_noop("Liées à une démarche"),
    gettext_noop("Sans démarche précisée"),
    gettext_noop("non publiée (secret statistique)"),
    gettext_noop("sans objet"),
]
ANNEES_PUBLIEES = 3  # the current calendar year and the two before
DEMARCHE_COLS = ["Liées à une démarche", "Sans démarche précisée"]


def annees_publiees(today: dt.date | None = None) -> list[int]:
    """The years a visitor can choose, most recent first (no database query)."""
    year = (today or timezone.localdate()).year
    return [year - i for i in range(ANNEES_PUBLIEES)]


class AnneeForm(forms.Form):
    """The public page's only filter: the year. It works without JavaScript (GET form)."""

    annee = forms.TypedChoiceField(label=_("Année"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(y, str(y)) for y in annees_publiees()]

    def annee_choisie(self) -> int:
        if self.is_valid() and self.cleaned_data["annee"]:
            return self.cleaned_data["annee"]
        return annees_publiees()[0]


@dataclass
class Publication:
    """The protected tables of one year: everything the public can see about that year."""

    annee: int
    threshold: int
    par_trimestre: Tableau
    par_arrondissement: Tableau
    par_dispositif: Tableau
    demarche: Tableau
    trimestres: list[tuple[dt.date, dt.date]]

    @property
    def tableaux(self) -> list[Tableau]:
        return [self.par_trimestre, self.par_dispositif, self.par_arrondissement, self.demarche]

    @property
    def total(self) -> Cellule:
        return self.par_trimestre.total

    @property
    def part_demarche(self) -> str:
        linked, total = self.demarche.col_totals[0], self.demarche.total
        if linked.hidden or total.hidden or not total.value:
            return "non publiée (secret statistique)" if total.value else "sans objet"
        return f"{round(100 * linked.value / total.value)} %"

    def csv_rows(self):
        """The open-data export of the year (header `PUBLIC_CSV_HEADER`)."""
        return tableaux_csv_rows(self.tableaux, [str(self.annee)])


def _publication_specs(annee: int, dispositifs, arrondissements) -> tuple[list[TableSpec], list]:
    """Read the roll-up of one year (two queries) and lay out the linked tables and their links."""
    debut, fin = dt.date(annee, 1, 1), dt.date(annee, 12, 31)
    rollup = StatMensuelle.objects.filter(mois__gte=debut, mois__lte=fin).order_by()
    groups = rollup.filter(dispositif_code="").values_list(
        "mois", "type_odenore", "arrondissement", "has_demarche", "n"
    )
    mentions = (
        rollup.exclude(dispositif_code="")
        .values_list("dispositif_code", "type_odenore")
        .annotate(total=Sum("n"))
    )
    return publication_layout(annee, groups, mentions, dispositifs, arrondissements)


def publication_layout(
    annee: int, groups, mentions, dispositifs, arrondissements
) -> tuple[list[TableSpec], list]:
    """The fixed tables of a year and their links, from the roll-up's rows (no query).

    `groups`: (month, type code, arrondissement number or 0, linked to a démarche, count);
    `mentions`: (right code, type code, count).
    """
    type_index = {code: i for i, (code, _) in enumerate(TYPES)}
    arr_ids = [a.numero for a in arrondissements]
    arr_index = {pk: i for i, pk in enumerate(arr_ids)}
    by_quarter = [[0] * len(TYPES) for _ in range(4)]
    by_arr = [[0] * len(TYPES) for _ in range(len(arr_ids) + 1)]
    by_demarche = [[0, 0] for _ in range(4)]
    for month, type_code, arr_id, has_demarche, n in groups:
        q, t = (month.month - 1) // 3, type_index[type_code]
        by_quarter[q][t] += n
        by_arr[arr_index.get(arr_id, len(arr_ids))][t] += n
        by_demarche[q][0 if has_demarche else 1] += n
    counts: dict[str, list[int]] = {}
    for code, type_code, n in mentions:
        counts.setdefault(code, [0] * len(TYPES))[type_index[type_code]] += n
    shown = [d for d in dispositifs if d.is_active or d.code in counts]
    shown += [Dispositif(code=c, nom=c) for c in counts if c not in {d.code for d in shown}]
    quarter_labels = [trimestre_label(trimestre_code(annee, q + 1)) for q in range(4)]
    type_labels = [label for _, label in TYPES]
    specs = [
        TableSpec(
            "trimestre",
            "Situations par trimestre et type de non-recours",
            quarter_labels,
            type_labels,
            by_quarter,
            "Trimestre",
        ),
        TableSpec(
            "arrondissement",
            "Situations par arrondissement et type de non-recours",
            [str(a) for a in arrondissements] + ["Arrondissement non précisé"],
            type_labels,
            by_arr,
            "Arrondissement",
        ),
        TableSpec(
            "demarche",
            "Situations liées à une démarche en ligne du catalogue, par trimestre",
            quarter_labels,
            DEMARCHE_COLS,
            by_demarche,
            "Trimestre",
        ),
        TableSpec(
            "dispositif",
            "Situations par droit et type de non-recours",
            [d.nom for d in shown],
            type_labels,
            [counts.get(d.code, [0] * len(TYPES)) for d in shown],
            "Droit ou aide",
        ),
    ]
    # Linked figures: the same observations counted in two tables (the right × type table counts
    # mentions, not observations: it has no equality link, see suppression.py).
    links = [(("trimestre", TOTAL, t), ("arrondissement", TOTAL, t)) for t in range(len(TYPES))]
    links += [(("trimestre", q, TOTAL), ("demarche", q, TOTAL)) for q in range(4)]
    links += [(("trimestre", TOTAL, TOTAL), ("arrondissement", TOTAL, TOTAL))]
    links += [(("trimestre", TOTAL, TOTAL), ("demarche", TOTAL, TOTAL))]
    return specs, links


def _publication_build(annee: int, dispositifs, arrondissements, threshold: int) -> Publication:
    specs, links = _publication_specs(annee, dispositifs, arrondissements)
    tables = tableaux(suppress(specs, links, threshold=threshold))
    return Publication(
        annee=annee,
        threshold=threshold,
        par_trimestre=tables["trimestre"],
        par_arrondissement=tables["arrondissement"],
        par_dispositif=tables["dispositif"],
        demarche=tables["demarche"],
        trimestres=[trimestre_bounds(trimestre_code(annee, q + 1)) for q in range(4)],
    )


def publications(*, dispositifs=None) -> dict[int, Publication]:
    """The public tables of every published year, each year suppressed jointly on its own.

    Two queries when the data have not changed (the roll-up's version per year and, unless given,
    the rights catalogue); a year whose data changed is read again (two queries) and suppressed,
    then cached under its version. The cache is only an optimisation: without Redis the tables are
    computed on the spot, with the same result (the suppression is deterministic).
    """
    dispositifs = list(Dispositif.objects.all()) if dispositifs is None else dispositifs
    annees = annees_publiees()
    threshold = threshold_default()
    versions = {
        row["annee"]: row
        for row in StatMensuelle.objects.filter(
            mois__gte=dt.date(annees[-1], 1, 1), mois__lte=dt.date(annees[0], 12, 31)
        )
        .annotate(annee=ExtractYear("mois"))
        .values("annee")
        .annotate(lignes=Count("id"), situations=Sum("n"), dernier=Max("id"))
        .order_by()
    }
    catalogue = [(d.code, d.nom, d.is_active) for d in dispositifs]
    keys = {
        annee: "nonrecours:publication:"
        + hashlib.sha256(
            json.dumps(
                [threshold, annee, versions.get(annee), catalogue], sort_keys=True, default=str
            ).encode()
        ).hexdigest()
        for annee in annees
    }
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:  # the cache is an optimisation: Redis down must not break a public page
        logger.warning("Cache unavailable, computing the observatory's publication on the spot")
        found = {}
    result = {annee: found[key] for annee, key in keys.items() if key in found}
    missing = [annee for annee in annees if annee not in result]
    if missing:
        arrondissements = list(Arrondissement.objects.all())
        built = {
            annee: _publication_build(annee, dispositifs, arrondissements, threshold) for annee in missing
        }
        result.update(built)
        try:
            cache.set_many({keys[annee]: pub for annee, pub in built.items()}, timeout=7 * 24 * 3600)
        except Exception:
            logger.warning("Cache unavailable, the observatory's publication is not cached")
    return {annee: result[annee] for annee in annees}


def publication(annee: int, *, dispositifs=None) -> Publication:
    """The public tables of one published year (see `publications`)."""
    return publications(dispositifs=dispositifs)[annee]
