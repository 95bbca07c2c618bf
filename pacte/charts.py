"""Accessible SVG bar charts (rendered by templates/components/bar_chart.html), for pages and PDFs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.text import slugify

BAR_AREA = 330  # px available for the longest bar
ROW_HEIGHT = 26


@dataclass
class BarChart:
    title: str
    id: str
    rows: list[dict] = field(default_factory=list)
    height: int = 0
    label_header: str = "Catégorie"
    value_header: str = "Nombre"


def bar_chart(
    title: str,
    rows: Iterable[
        tuple[str, float | int | None] | tuple[str, float | int | None, str]
    ],  # label: or a Traduit
    *,
    chart_id: str | None = None,
    label_header: str = "Catégorie",
    value_header: str = "Nombre",
) -> BarChart:
    """Build a horizontal bar chart. Each row is (label, value[, display text]).

    A value of None (for instance a suppressed small count) draws no bar and shows its display text.
    """
    prepared = []
    rows = list(rows)
    largest = max((r[1] for r in rows if r[1] is not None), default=0) or 1
    for index, row in enumerate(rows):
        label, value = row[0], row[1]
        display = row[2] if len(row) > 2 else ("" if value is None else f"{value:n}".replace(",", " "))
        width = 0 if value is None else max(1, round(BAR_AREA * value / largest)) if value else 0
        prepared.append(
            {
                "label": str(label),
                # A label shown in French on a page in another language (pacte.traductions.Traduit).
                "lang": getattr(label, "lang", ""),
                "value": value,
                "display": display,
                "width": width,
                "text_x": 240 + width + 6,
                "y": index * ROW_HEIGHT,
            }
        )
    return BarChart(
        title=title,
        id=chart_id or "graphique-" + slugify(title)[:40],
        rows=prepared,
        height=max(ROW_HEIGHT, len(prepared) * ROW_HEIGHT),
        label_header=label_header,
        value_header=value_header,
    )
