"""Small-cell suppression: primary and secondary rules, property-tested on random tables."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from nonrecours.suppression import extended_grid, protect, suppress_grid

T = 11


def _lines(grid):
    rows, cols = len(grid), len(grid[0])
    lines = [[(r, c) for c in range(cols)] for r in range(rows)] if cols > 1 else []
    lines += [[(r, c) for r in range(rows)] for c in range(cols)] if rows > 1 else []
    return lines


def _rank(matrix):
    m = [list(map(Fraction, row)) for row in matrix]
    rank, cols = 0, len(m[0]) if m else 0
    for c in range(cols):
        pivot = next((r for r in range(rank, len(m)) if m[r][c] != 0), None)
        if pivot is None:
            continue
        m[rank], m[pivot] = m[pivot], m[rank]
        for r in range(len(m)):
            if r != rank and m[r][c] != 0:
                factor = m[r][c] / m[rank][c]
                m[r] = [a - factor * b for a, b in zip(m[r], m[rank], strict=True)]
        rank += 1
    return rank


def _determined_cells(grid, mask):
    """Hidden cells whose value follows from the visible cells by linear algebra on the margins."""
    hidden = [(r, c) for r in range(len(grid)) for c in range(len(grid[0])) if mask[r][c]]
    index = {cell: i for i, cell in enumerate(hidden)}
    equations = []
    rows, cols = len(grid), len(grid[0])
    for line in _lines(grid):
        total = line[-1]
        row = [0] * len(hidden)
        for cell in line:
            if cell in index:
                row[index[cell]] += -1 if cell == total else 1
        if any(row):
            equations.append(row)
    assert rows and cols
    if not equations:
        return []
    base = _rank(equations)
    determined = []
    for cell, i in index.items():
        unit = [0] * len(hidden)
        unit[i] = 1
        if _rank([*equations, unit]) == base:
            determined.append(cell)
    return determined


def test_primary_small_cells_hidden_zero_shown():
    """Counts 1–10 are hidden as « < 11 », zeros and counts ≥ 11 are shown."""
    table = protect("t", ["a", "b"], ["x", "y"], [[0, 50], [40, 60]], threshold=T)
    assert [c.display for c in table.cells[0]] == ["0", "50"]
    table = protect("t", ["a", "b"], ["x", "y", "z"], [[3, 50, 20], [40, 60, 30]], threshold=T)
    assert table.cells[0][0].display == "< 11"


def test_secondary_suppression_in_row_and_column():
    """A lone hidden cell drags the smallest cell of its row and of its column with it."""
    table = protect(
        "t", ["a", "b", "c"], ["x", "y", "z"], [[3, 50, 20], [40, 60, 30], [90, 80, 70]], threshold=T
    )
    hidden = {(r, c) for r in range(3) for c in range(3) if table.cells[r][c].hidden}
    assert (0, 0) in hidden and (0, 2) in hidden  # row partner: 20 is the smallest of the row
    assert (1, 0) in hidden  # column partner: 40
    assert (1, 2) in hidden  # closes the rectangle
    assert table.cells[0][0].display == "< 11" and table.cells[0][2].display == "secret"
    assert not table.total.hidden


def test_small_total_is_hidden():
    """A total below the threshold is hidden, and so is every cell it sums."""
    table = protect("t", ["a"], ["x", "y"], [[4, 3]], threshold=T)
    assert table.total.hidden and all(c.hidden for c in table.cells[0])


def test_one_dimensional_series():
    """A single column series never has exactly one hidden value with a visible total."""
    table = protect("t", ["q1", "q2", "q3"], ["n"], [[5], [100], [200]], threshold=T)
    shown = [c.hidden for row in table.cells for c in row]
    assert shown == [True, True, False] and not table.total.hidden


def test_raw_table_hides_nothing():
    """Analysts' raw tables show every figure."""
    table = protect("t", ["a", "b"], ["x", "y"], [[1, 2], [3, 4]], threshold=T, raw=True)
    assert not any(c.hidden for row in table.cells for c in row) and table.total.display == "10"


small_values = st.one_of(st.integers(0, 12), st.integers(0, 200))


@st.composite
def tables(draw):
    rows = draw(st.integers(1, 6))
    cols = draw(st.integers(1, 6))
    return [[draw(small_values) for _ in range(cols)] for _ in range(rows)]


@settings(max_examples=300, deadline=None)
@given(tables(), st.integers(2, 15))
def test_property_no_small_visible_no_recomputable_hidden(values, threshold):
    """On random tables: no visible count below the threshold except 0, no line with a single hidden
    cell, and no hidden cell determined by the visible cells and margins (exact linear algebra)."""
    grid = extended_grid(values)
    mask = suppress_grid(grid, threshold)
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if not mask[r][c]:
                assert value == 0 or value >= threshold
    for line in _lines(grid):
        assert sum(mask[r][c] for r, c in line) != 1
    assert _determined_cells(grid, mask) == []


@settings(max_examples=100, deadline=None)
@given(tables())
def test_property_protect_matches_grid(values):
    """The Tableau built by protect() hides exactly the cells of the grid mask."""
    table = protect(
        "t", [str(i) for i in range(len(values))], [str(j) for j in range(len(values[0]))], values
    )
    grid = extended_grid(values)
    mask = suppress_grid(grid, T)
    rows, cols = len(values), len(values[0])
    for r in range(rows):
        for c in range(cols):
            assert table.cells[r][c].hidden == mask[r][c]
            assert table.cells[r][c].published in (None, values[r][c])
    if rows > 1:
        assert [c.hidden for c in table.col_totals] == mask[rows][:cols]
