"""Statistical disclosure control for published tables (secret statistique).

Rules, applied to a two-way table *with its margins* (row totals, column totals, grand total):

1. **Primary suppression**: every count between 1 and `threshold - 1` (cells and totals alike) is
   hidden and shown as « < 11 ». Cells hidden by the secondary rules show « secret » (they may
   be large: « < 11 » would be false). **Zeros are published**: an empty cell says that no situation of
   that kind was recorded, which reveals nothing about a person (the observations hold no
   identity), and hiding zeros would hide most of a sparse table for no protection.
2. **Secondary suppression**, iterated to a fixed point, so that no hidden cell can be recomputed:
   - *line rule*: a row or column (margins included) never holds exactly one hidden cell; when it
     does, the smallest visible cell of that line is hidden too (non-zero interior cells first);
   - *cycle rule*: seen as a graph (rows and columns are nodes, hidden cells are edges), every
     hidden cell must lie on a cycle; a hidden cell that is a bridge could be solved by adding
     and subtracting visible totals along a path, so the smallest visible cell closing a cycle
     through it is hidden too.
   With both rules, the linear system "visible margins = sums of cells" leaves every hidden cell
   undetermined (a cell of a two-way table is determined exactly when it is a bridge).

Limits (documented in the README): tables are protected one by one; range (interval) attacks
using non-negativity are not prevented; differences between two filtered queries (e.g. two
overlapping periods) are not controlled — hence only quarters/months are offered as periods.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

SECRET = "secret"


def threshold_default() -> int:
    return settings.DISCLOSURE_THRESHOLD


def suppress_grid(grid: list[list[int]], threshold: int, forced=frozenset()) -> list[list[bool]]:
    """Hidden-cell mask for a grid whose rows and columns are each additive lines.

    `grid` is the table *including* its margins: for the caller's convenience `protect()` builds it.
    Every row and every column of `grid` is one linear constraint (its last cell is the sum of the
    others); the rules above are applied on those lines. `forced` cells are hidden from the start
    (margins shared with a linked table that hid them).
    """
    rows = len(grid)
    cols = len(grid[0]) if rows else 0
    hidden = [[0 < grid[r][c] < threshold or (r, c) in forced for c in range(cols)] for r in range(rows)]
    interior = {
        (r, c) for r in range(rows - 1 if rows > 1 else rows) for c in range(cols - 1 if cols > 1 else cols)
    }

    def cost(cell):
        r, c = cell
        value = grid[r][c]
        # Prefer non-zero interior cells, then the smallest value, then zeros, then margins.
        return (cell not in interior, value == 0, value, r, c)

    changed = True
    while changed:
        changed = False
        # Line rule.
        lines = [[(r, c) for c in range(cols)] for r in range(rows)] if cols > 1 else []
        lines += [[(r, c) for r in range(rows)] for c in range(cols)] if rows > 1 else []
        for line in lines:
            hidden_cells = [cell for cell in line if hidden[cell[0]][cell[1]]]
            if len(hidden_cells) == 1:
                candidates = [cell for cell in line if not hidden[cell[0]][cell[1]]]
                if candidates:
                    r, c = min(candidates, key=cost)
                    hidden[r][c] = True
                    changed = True
        if changed or rows < 2 or cols < 2:
            continue
        # Cycle rule: find a hidden cell that is a bridge of the hidden-cell graph.
        bridge = _find_bridge(hidden, rows, cols)
        if bridge is not None:
            r0, c0 = bridge
            side_row = _component(hidden, rows, cols, ("r", r0), skip=bridge)
            candidates = [
                (r, c)
                for r in range(rows)
                for c in range(cols)
                if not hidden[r][c] and ("r", r) not in side_row and ("c", c) in side_row
            ]
            if not candidates:  # cannot happen with the line rule satisfied; be safe anyway
                candidates = [(r, c) for r in range(rows) for c in range(cols) if not hidden[r][c]]
            r, c = min(candidates, key=cost)
            hidden[r][c] = True
            changed = True
    return hidden


def _neighbours(hidden, rows, cols, node, skip=None):
    kind, index = node
    if kind == "r":
        for c in range(cols):
            if hidden[index][c] and (index, c) != skip:
                yield ("c", c)
    else:
        for r in range(rows):
            if hidden[r][index] and (r, index) != skip:
                yield ("r", r)


def _component(hidden, rows, cols, start, skip=None) -> set:
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        for other in _neighbours(hidden, rows, cols, node, skip):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen


def _find_bridge(hidden, rows, cols):
    for r in range(rows):
        for c in range(cols):
            if hidden[r][c] and ("c", c) not in _component(hidden, rows, cols, ("r", r), skip=(r, c)):
                return (r, c)
    return None


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
    """A two-way table with margins, protected (or raw when `raw=True`)."""

    titre: str
    row_labels: list[str]
    col_labels: list[str]
    cells: list[list[Cellule]] = field(default_factory=list)
    row_totals: list[Cellule] = field(default_factory=list)
    col_totals: list[Cellule] = field(default_factory=list)
    total: Cellule | None = None
    row_header: str = ""
    total_label: str = "Total"

    @property
    def rows(self):
        for label, cells, total in zip(self.row_labels, self.cells, self.row_totals, strict=True):
            yield {"label": label, "cells": cells, "total": total}

    @property
    def has_hidden(self) -> bool:
        return any(c.hidden for row in self.cells for c in row) or any(c.hidden for c in self.col_totals)


def protect(
    titre: str,
    row_labels: list[str],
    col_labels: list[str],
    values: list[list[int]],
    *,
    threshold: int | None = None,
    raw: bool = False,
    row_header: str = "",
    forced_col_totals=frozenset(),
    forced_total: bool = False,
) -> Tableau:
    """Build the table with its margins and apply primary and secondary suppression (unless raw)."""
    threshold = threshold_default() if threshold is None else threshold
    rows, cols = len(row_labels), len(col_labels)
    row_totals = [sum(values[r]) for r in range(rows)]
    col_totals = [sum(values[r][c] for r in range(rows)) for c in range(cols)]
    total = sum(row_totals)
    grid = extended_grid(values)
    if raw or rows == 0 or cols == 0:
        mask = [[False] * len(grid[0]) for _ in grid] if grid and grid[0] else []
    else:
        margin_row = rows if rows > 1 else 0
        margin_col = cols if cols > 1 else 0
        forced = {(margin_row, c) for c in forced_col_totals}
        if forced_total:
            forced.add((margin_row, margin_col))
        mask = suppress_grid(grid, threshold, frozenset(forced))

    def hidden(r, c):
        if not mask:
            return False
        # Map onto the extended grid: degenerate dimensions have no separate margin.
        rr = min(r, len(mask) - 1)
        cc = min(c, len(mask[0]) - 1)
        return mask[rr][cc]

    tableau = Tableau(titre=titre, row_labels=row_labels, col_labels=col_labels, row_header=row_header)
    tableau.cells = [
        [Cellule(values[r][c], hidden(r, c), threshold) for c in range(cols)] for r in range(rows)
    ]
    tableau.row_totals = [Cellule(row_totals[r], hidden(r, cols), threshold) for r in range(rows)]
    tableau.col_totals = [Cellule(col_totals[c], hidden(rows, c), threshold) for c in range(cols)]
    tableau.total = Cellule(total, hidden(rows, cols), threshold)
    return tableau


def extended_grid(values: list[list[int]]) -> list[list[int]]:
    """The table with a total column (if more than one column) and a total row (if more than one row)."""
    rows = len(values)
    cols = len(values[0]) if rows else 0
    grid = [list(row) + ([sum(row)] if cols > 1 else []) for row in values]
    if rows > 1:
        width = len(grid[0]) if grid else 0
        grid.append([sum(grid[r][c] for r in range(rows)) for c in range(width)])
    return grid
