"""Statistical disclosure control for the observatory's public figures (secret statistique).

What is published
-----------------
The public surfaces (the page `/non-recours/`, its CSV, the tracker's indicators of the
observatory) show figures taken from **one fixed publication per calendar year**: a small set of
linked two-way tables built from the monthly roll-up (see `stats.publication`). A visitor only
chooses *which year* to read; no filter recomputes a figure. So the union of everything every
visitor can ever request for a year is a fixed, finite set of figures F, and any differencing or
subtraction a visitor can do between two queries (or between a query and its margins) is a linear
combination of figures of F. Protecting F as a whole protects every pair of queries at once.

The model
---------
Each table has *interior cells* (the unknowns x ≥ 0) and *figures*: the interior cells, the row
totals, the column totals and the grand total, each a sum of interior cells. Linked tables
describe the same observations, so some of their figures are equal (e.g. the type totals of the
period × type and the arrondissement × type tables); the attacker knows these links. Equal
figures form one *class*: it is published or hidden as a whole (the same number never shows in
one table and hides in another).

Rules
-----
1. **Primary suppression**: every class whose value is between 1 and `threshold - 1` is hidden
   (shown « < 11 »). Zeros are published: they concern nobody, and hiding them would hide most
   of a sparse table for no protection. Secondary cells (shown « secret ») are never zeros.
2. **Secondary suppression by exact audit**: the attacker's knowledge is the linear system
   "each published figure = its value" plus "linked figures are equal". A hidden class is
   *determined* exactly when its vector, restricted to the hidden interior cells, lies in the
   span of those equations (restricted the same way; see "Bounds" below for the view used). We
   compute that span (reduced row echelon
   form, keeping for each row the equations it combines) and, while some hidden class is
   determined, hide one more published, non-zero class: the cheapest figure of its row or column
   whose hiding alone makes it undetermined, otherwise the cheapest figure of the certificate that
   determines it (interior cells before totals, totals before grand totals, small before large).
   Each step hides one more class, so this ends; when it ends the audit has checked *every*
   hidden class against *all* published figures of the publication.

Why this is a proof, not a heuristic
------------------------------------
- Linear recovery: "undetermined" is checked exactly for every hidden class against the whole
  published system, so no combination of published figures — the difference of two queries, a
  total minus its visible parts, or any longer chain — yields a hidden figure. The span is
  computed modulo the prime 2^61 - 1: a vector in the span over the rationals is also in it
  modulo p, so a class found undetermined modulo p is undetermined over the rationals (the check
  can only over-protect, never under-protect).
- Bounds (interval attack): the attacker also knows what the labels say — « < 11 » is 1 to 10,
  « secret » is 11 or more (secondary cells are never zeros nor small), zeros are shown. The three
  linked tables of a year (quarter × démarche, quarter × type, type × arrondissement) form a chain
  D–Q–T–A, i.e. a network flow: its constraint matrix is totally unimodular, so the attacker's
  bounds on a hidden cell are integers. A hidden class is only in danger from its bounds through
  hidden classes whose value sits *on* a bound (1, 10 or 11): those can move one way only. So the
  audit is run in each class's *conservative view*, where every other hidden class on a bound
  counts as known. Undetermined there means a null direction exists that leaves them all still and
  moves the class away from its own bound, every other figure keeping slack: the class is not
  pinned, and by unimodularity at least two integer values remain possible. When a class is
  determined only in that view and every figure it relies on is hidden already (nothing more can
  be hidden), it is *waived*: it keeps the linear guarantee (listed in `Resultat.waived`).
- The right × type table counts *mentions* (an observation can name several rights): it is not
  additive with the others and is protected on its own. It bounds the other tables only by
  inequalities (mentions of one right ≤ observations), which cannot expose a count below the
  threshold (a published mention count is 0 or at least the threshold).

Limits (docs/nonrecours.md): successive versions of the publication (the figures of the current
year change as observations are recorded, and a situation may be recorded up to a year later) are
not compared with each other.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django.conf import settings

SECRET = "secret"
PRIME = 2**61 - 1
TOTAL = -1  # row or column index of a margin


def threshold_default() -> int:
    return settings.DISCLOSURE_THRESHOLD


# --- Specification of a publication ---------------------------------------------------------------


@dataclass
class TableSpec:
    """One two-way table of counts (interior cells only; margins are derived)."""

    key: str
    titre: str
    row_labels: list[str]
    col_labels: list[str]
    values: list[list[int]]
    row_header: str = ""


FigureId = tuple[str, int, int]  # (table key, row or TOTAL, column or TOTAL)


def _table_figures(spec: TableSpec) -> dict[FigureId, frozenset]:
    """Every figure a table shows (cells and margins), as the set of interior cells it sums."""
    rows, cols = len(spec.row_labels), len(spec.col_labels)
    cell = lambda r, c: (spec.key, r, c)  # noqa: E731
    figures: dict[FigureId, frozenset] = {}
    for r in range(rows):
        for c in range(cols):
            figures[(spec.key, r, c)] = frozenset({cell(r, c)})
        figures[(spec.key, r, TOTAL)] = frozenset(cell(r, c) for c in range(cols))
    for c in range(cols):
        figures[(spec.key, TOTAL, c)] = frozenset(cell(r, c) for r in range(rows))
    figures[(spec.key, TOTAL, TOTAL)] = frozenset(cell(r, c) for r in range(rows) for c in range(cols))
    return {fid: cells for fid, cells in figures.items() if cells}


class _Classes:
    """Union-find of figures that are equal: same interior cells in one table, or linked."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


# --- Exact linear audit (modulo a large prime) -----------------------------------------------------


class _Span:
    """Reduced row echelon basis of sparse vectors modulo PRIME.

    Each basis row remembers which original equations it combines, so that a vector found in the
    span comes with a certificate: the published figures that determine it.
    """

    def __init__(self):
        self.basis: dict = {}  # pivot variable -> (row, combination), pivot coef 1

    @staticmethod
    def _axpy(target: dict, factor: int, source: dict) -> None:
        """target -= factor * source (mod PRIME), dropping zeros."""
        for key, coef in source.items():
            value = (target.get(key, 0) - factor * coef) % PRIME
            if value:
                target[key] = value
            else:
                target.pop(key, None)

    def reduce(self, vector: dict, combination: dict | None = None) -> tuple[dict, dict]:
        vector = dict(vector)
        combination = dict(combination or {})
        for var in [v for v in vector if v in self.basis]:
            factor = vector.get(var, 0)
            if factor:
                row, combo = self.basis[var]
                self._axpy(vector, factor, row)
                self._axpy(combination, factor, combo)
        return vector, combination

    def add(self, vector: dict, equation) -> None:
        row, combo = self.reduce(vector, {equation: 1})
        if not row:
            return
        pivot = min(row)
        inverse = pow(row[pivot], PRIME - 2, PRIME)
        row = {v: coef * inverse % PRIME for v, coef in row.items()}
        combo = {e: coef * inverse % PRIME for e, coef in combo.items()}
        for other_row, other_combo in self.basis.values():
            factor = other_row.get(pivot, 0)
            if factor:
                self._axpy(other_row, factor, row)
                self._axpy(other_combo, factor, combo)
        self.basis[pivot] = (row, combo)

    def certificate(self, vector: dict) -> set | None:
        """None when `vector` is outside the span; else the equations that express it."""
        residual, combination = self.reduce(vector)
        return None if residual else set(combination)


def _vector(cells, hidden_cells) -> dict:
    return {cell: 1 for cell in cells if cell in hidden_cells}


class Audit:
    """The attacker's linear knowledge about a publication with a given hidden set of classes."""

    def __init__(self, figures: dict[FigureId, frozenset], members: dict, klass_of: dict, hidden: set):
        self.figures, self.members, self._klass_of = figures, members, klass_of
        # An interior cell is unknown when the class of its one-cell figure is hidden.
        self.hidden_cells = {
            next(iter(cells))
            for fid, cells in figures.items()
            if len(cells) == 1 and self.klass(fid) in hidden
        }
        self.span = _Span()
        for klass, fids in members.items():
            vectors = [_vector(figures[f], self.hidden_cells) for f in fids]
            if klass not in hidden:
                for vector in vectors:  # each published figure: sum of unknowns = a known number
                    self.span.add(vector, klass)
            else:
                for vector in vectors[1:]:  # linked hidden figures: their difference is 0
                    difference = dict(vector)
                    for cell, coef in vectors[0].items():
                        difference[cell] = (difference.get(cell, 0) - coef) % PRIME
                    self.span.add({c: v for c, v in difference.items() if v}, ("lien", klass))

    def klass(self, fid):
        return self._klass_of[fid]

    def knowing(self, classes) -> Audit:
        """The same audit when the attacker also knows the values of hidden `classes`."""
        other = copy.copy(self)
        other.span = _Span()
        other.span.basis = {var: (dict(row), dict(combo)) for var, (row, combo) in self.span.basis.items()}
        for klass in classes:
            for f in self.members[klass]:
                other.span.add(_vector(self.figures[f], self.hidden_cells), klass)
        return other

    def certificate(self, klass) -> set | None:
        """None when `klass` is undetermined; else the classes whose equations determine it (published
        figures, and hidden linked ones whose other member's published cells give it away)."""
        found = self.span.certificate(_vector(self.figures[self.members[klass][0]], self.hidden_cells))
        if found is None:
            return None
        return {e[1] if e[:1] == ("lien",) else e for e in found}

    def determined(self, klass) -> bool:
        """True when the class's value follows from the published figures by linear algebra."""
        return self.certificate(klass) is not None


@dataclass
class Resultat:
    """Values and hidden classes of a publication, by figure."""

    specs: list[TableSpec]
    values: dict[FigureId, int]
    hidden: dict[FigureId, bool]
    threshold: int
    # Hidden figures checked against the linear system only (see `_secondary`): every figure their
    # determination relies on is hidden already, so no further figure could be hidden for them.
    waived: set = field(default_factory=set)


def suppress(
    specs: list[TableSpec],
    links: list[tuple[FigureId, FigureId]] = (),
    *,
    threshold: int | None = None,
    raw: bool = False,
) -> Resultat:
    """Primary and secondary suppression computed jointly over linked tables (see the module doc).

    `links` pairs figures of different tables that are equal by construction (shared margins).
    """
    threshold = threshold_default() if threshold is None else threshold
    value_of_cell = {
        (s.key, r, c): s.values[r][c]
        for s in specs
        for r in range(len(s.row_labels))
        for c in range(len(s.col_labels))
    }
    figures: dict[FigureId, frozenset] = {}
    for spec in specs:
        figures.update(_table_figures(spec))
    classes = _Classes()
    by_cells: dict[frozenset, FigureId] = {}
    for fid, cells in figures.items():
        if cells in by_cells:
            classes.union(fid, by_cells[cells])
        else:
            by_cells[cells] = fid
    for a, b in links:
        if a in figures and b in figures:
            classes.union(a, b)
    members: dict = {}
    for fid in figures:
        members.setdefault(classes.find(fid), []).append(fid)
    klass_of = {fid: classes.find(fid) for fid in figures}
    values = {fid: sum(value_of_cell[c] for c in cells) for fid, cells in figures.items()}
    class_value = {k: values[fids[0]] for k, fids in members.items()}
    for k, fids in members.items():
        if any(values[f] != class_value[k] for f in fids):
            raise ValueError(f"Linked figures {fids} are not equal")

    hidden: set = set()
    waived: set = set()
    if not raw:
        hidden = {k for k, v in class_value.items() if 0 < v < threshold}
        hidden, waived = _secondary(figures, members, klass_of, class_value, hidden, threshold)
    return Resultat(
        specs=list(specs),
        values=values,
        hidden={fid: klass_of[fid] in hidden for fid in figures},
        threshold=threshold,
        waived={fid for fid in figures if klass_of[fid] in waived},
    )


def _secondary(figures, members, klass_of, class_value, hidden: set, threshold: int) -> tuple[set, set]:
    is_margin = {k: all(len(figures[f]) > 1 for f in fids) for k, fids in members.items()}
    # Interior cells are hidden before totals, totals before grand totals (the headline figures).
    tier = {
        k: 0 if not is_margin[k] else 2 if any(f[1] == f[2] == TOTAL for f in fids) else 1
        for k, fids in members.items()
    }
    order = {fid: i for i, fid in enumerate(figures)}

    def cost(k):
        return (tier[k], class_value[k], min(order[f] for f in members[k]))

    def lines_of(k):
        """Published, non-zero classes sharing a row or a column (margins included) with class k."""
        spots = {(f[0], f[1], "r") for f in members[k]} | {(f[0], f[2], "c") for f in members[k]}
        found = {
            other
            for fid, other in klass_of.items()
            if other not in hidden
            and class_value[other]
            and ((fid[0], fid[1], "r") in spots or (fid[0], fid[2], "c") in spots)
        }
        return sorted(found, key=cost)

    def at_bound(k) -> bool:
        """The class's value sits on a bound its label tells (« < 11 »: 1 to 10; « secret »: 11 or more)."""
        value = class_value[k]
        return value in (1, threshold - 1) if value < threshold else value == threshold

    def _view(hidden_now, target) -> Audit:
        """What the attacker knows when probing `target`: the published figures, and the hidden
        classes that sit on a bound of their label (a move along a null direction could change them
        in one direction only; counting them as known is the conservative side)."""
        bound = {k for k in hidden_now if k != target and at_bound(k)}
        return Audit(figures, members, klass_of, hidden_now).knowing(bound)

    def first_exposed(hidden_now, waived):
        """The first hidden class (small counts first) determined in its attacker's view, with the
        certificate that determines it; None when every hidden class is safe."""
        targets = sorted((k for k in hidden_now if k not in waived), key=lambda k: (tier[k], cost(k)))
        bound = {k for k in hidden_now if at_bound(k)}
        plain = Audit(figures, members, klass_of, hidden_now)
        shared = plain.knowing(bound)
        for target in targets:
            audit = plain.knowing(bound - {target}) if target in bound else shared
            certificate = audit.certificate(target)
            if certificate is not None:
                return target, certificate
        return None

    waived: set = set()
    while True:
        found = first_exposed(hidden, waived)
        if found is None:
            return hidden, waived
        target, certificate = found
        # First choice: the cheapest figure sharing a row or column with it whose hiding alone
        # makes it undetermined (the classic complementary cell).
        chosen = next(
            (k for k in lines_of(target) if not _view(hidden | {k}, target).determined(target)),
            None,
        )
        if chosen is not None:
            hidden = hidden | {chosen}
            continue
        # Otherwise break its certificate: hide the cheapest published figure it relies on (a
        # published figure of the certificate, or a published cell summed in one of them).
        plain = Audit(figures, members, klass_of, hidden).certificate(target)
        for cert in (certificate, plain):
            if cert is None:
                continue
            involved = {target} | cert
            cells = {cell for k in involved for f in members[k] for cell in figures[f]}
            candidates = {k for k in involved if k not in hidden}
            candidates |= {klass_of[cell] for cell in cells if klass_of[cell] not in hidden}
            candidates = [k for k in candidates if class_value[k]]
            if candidates:
                hidden = hidden | {min(candidates, key=cost)}
                break
        else:
            if plain is not None:  # cannot happen: a positive hidden class is never fixed by zeros alone
                raise RuntimeError("Secondary suppression found no figure to hide")
            # Every figure it relies on is hidden already; only the conservative reading of the
            # bounds flags it: nothing more can be hidden for it (see the module docstring).
            waived.add(target)


# --- Display ---------------------------------------------------------------------------------------


@dataclass
class Cellule:
    value: int
    hidden: bool
    threshold: int

    @property
    def primary(self) -> bool:
        """A small count (1 to threshold - 1): the reason for the secret."""
        return 0 < self.value < self.threshold

    @property
    def display(self) -> str:
        if self.hidden:
            # A secondary cell may be large: saying « < 11 » would be false, it is marked « secret ».
            return f"< {self.threshold}" if self.primary else SECRET
        return f"{self.value:,}".replace(",", " ")

    @property
    def csv(self) -> str:
        if self.hidden:
            return self.display
        return str(self.value)

    @property
    def published(self) -> int | None:
        """The value as published (None when hidden)."""
        return None if self.hidden else self.value

    def __str__(self) -> str:
        return self.display


@dataclass
class Tableau:
    """A two-way table with margins, protected (or raw)."""

    titre: str
    row_labels: list[str]
    col_labels: list[str]
    cells: list[list[Cellule]] = field(default_factory=list)
    row_totals: list[Cellule] = field(default_factory=list)
    col_totals: list[Cellule] = field(default_factory=list)
    total: Cellule | None = None
    row_header: str = ""
    total_label: str = "Total"
    key: str = ""

    @property
    def rows(self):
        for label, cells, total in zip(self.row_labels, self.cells, self.row_totals, strict=True):
            yield {"label": label, "cells": cells, "total": total}

    @property
    def has_hidden(self) -> bool:
        return any(c.hidden for row in self.cells for c in row) or any(c.hidden for c in self.col_totals)


def tableaux(resultat: Resultat) -> dict[str, Tableau]:
    """The display tables of a suppression result, by table key."""
    out = {}
    for spec in resultat.specs:
        rows, cols = len(spec.row_labels), len(spec.col_labels)

        def cellule(r, c, spec=spec):
            fid = (spec.key, r, c)
            if fid not in resultat.values:  # an empty table's margin
                return Cellule(0, False, resultat.threshold)
            return Cellule(resultat.values[fid], resultat.hidden[fid], resultat.threshold)

        tableau = Tableau(
            titre=spec.titre,
            row_labels=spec.row_labels,
            col_labels=spec.col_labels,
            row_header=spec.row_header,
            key=spec.key,
        )
        tableau.cells = [[cellule(r, c) for c in range(cols)] for r in range(rows)]
        tableau.row_totals = [cellule(r, TOTAL) for r in range(rows)]
        tableau.col_totals = [cellule(TOTAL, c) for c in range(cols)]
        tableau.total = cellule(TOTAL, TOTAL)
        out[spec.key] = tableau
    return out


def protect(
    titre: str,
    row_labels: list[str],
    col_labels: list[str],
    values: list[list[int]],
    *,
    threshold: int | None = None,
    raw: bool = False,
    row_header: str = "",
) -> Tableau:
    """One table on its own, with its margins, protected (or raw for the analysts)."""
    spec = TableSpec("t", titre, row_labels, col_labels, values, row_header)
    return tableaux(suppress([spec], threshold=threshold, raw=raw))["t"]
