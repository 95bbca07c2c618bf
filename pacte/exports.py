"""CSV exports: one writer for every CSV file the portal serves.

Two dialects:

- `OPEN_DATA`: UTF-8 without BOM, comma, CRLF line ends (RFC 4180) — for open data and for files
  meant to be read by programs (the tracker's import format);
- `SPREADSHEET`: UTF-8 with a BOM and a semicolon, what French Excel and LibreOffice open by a
  double click without garbling accents or putting every column in one.

Every text cell that a spreadsheet would read as a formula (starting with ``= + - @``, a tab or a
carriage return, or their full-width forms) is neutralised by a leading apostrophe (OWASP « CSV
injection »): a saisine named ``=HYPERLINK("http://evil.example","x")`` stays text. Numbers are
written as they are (``-3`` is a number, not a formula). `cell_restore` undoes the neutralisation
for files read back by the portal (the tracker's import).

`csv_response` streams the file (no whole file in memory), marks it ``Cache-Control: no-store`` (it
may hold personal data and must not stay in a shared cache) and, when asked, journals the export
before the first byte is sent.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from .journal import journal_record

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is laid out: separator, BOM, line end."""

    delimiter: str
    bom: bool
    lineterminator: str = "\r\n"


OPEN_DATA = CsvDialect(delimiter=",", bom=False)
SPREADSHEET = CsvDialect(delimiter=";", bom=True)


def cell(value: Any) -> Any:
    """One cell as written: numbers unchanged, None empty, text neutralised if it reads as a formula."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):  # bool is an int: written True/False as before
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def cell_restore(text: str) -> str:
    """Undo `cell` for a file the portal reads back (an apostrophe before a formula character)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class _Echo:
    """A file-like object whose write() returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[Any]], header: Sequence[str], dialect: CsvDialect) -> Iterator[str]:
    """The file as text chunks: BOM (spreadsheet dialect), header line, then one line per row."""
    writer = csv.writer(_Echo(), delimiter=dialect.delimiter, lineterminator=dialect.lineterminator)
    if dialect.bom:
        yield "\ufeff"
    yield writer.writerow([cell(value) for value in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def csv_text(rows: Iterable[Sequence[Any]], header: Sequence[str], dialect: CsvDialect) -> str:
    """The whole file as one string (for callers that need the text, e.g. an import round trip)."""
    return "".join(csv_lines(rows, header, dialect))


def csv_response(
    rows: Iterable[Sequence[Any]],
    header: Sequence[str],
    filename: str,
    *,
    dialect: CsvDialect,
    journal: dict[str, Any] | None = None,
) -> StreamingHttpResponse:
    """Stream `rows` as a CSV attachment named `filename`.

    `rows` may be a generator reading the database lazily (e.g. ``qs.iterator()``): it runs while
    the response is sent. `journal`, when given, holds the keyword arguments of
    `pacte.journal.journal_record` (action, actor, obj, message, data): the export is journaled now,
    before the file is sent, so an interrupted download is journaled too.
    """
    if journal is not None:
        journal_record(**journal)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(rows, header, dialect)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response
