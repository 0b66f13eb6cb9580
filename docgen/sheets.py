"""Cells of the spreadsheets docgen writes (CSV and xlsx): text is never taken for a formula.

Values in our exports come from returned forms, rosters and program files — text someone else typed. A
spreadsheet program evaluates a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after a leading tab
or carriage return, still does), so ``=HYPERLINK("http://…")`` typed into a form would become a live link
or worse in the bureau's Excel (CSV/formula injection, OWASP). Every writer goes through this module:

* CSV (:func:`csv_writer`): such text gets a leading ``'`` (OWASP's advice); Excel shows it as text.
* xlsx (:func:`xlsx_row`): every text cell is written as a string cell (``t="inlineStr"``/shared string,
  never ``<f>``), and formula-like text also gets Excel's *quote prefix* style, so the cell shows the text
  exactly as typed and stays text when edited.

Numbers that are numbers stay numbers: an ``int``/``float`` (``-2``) is written as is, and so is text that
is only a decimal number (``-2``, ``+3.5``: nothing to evaluate).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def formula_like(value: object) -> bool:
    """Whether a spreadsheet could evaluate ``value``: text starting with ``= + - @``, a tab or a CR, and not
    just a decimal number."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and _PLAIN_NUMBER.fullmatch(value) is None


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV cell: formula-like text gets a leading ``'``; anything else is unchanged."""
    return "'" + value if formula_like(value) else value


class _Writer(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class CsvWriter:
    """:func:`csv.writer` whose rows pass through :func:`csv_cell`."""

    def __init__(self, writer: _Writer) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row, every cell neutralised."""
        self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write rows, every cell neutralised."""
        for row in rows:
            self.writerow(row)


def csv_writer(stream: Any, **kwargs: Any) -> CsvWriter:
    """A :func:`csv.writer` on ``stream`` (same keyword arguments) that never writes a formula-like cell."""
    import csv

    return CsvWriter(csv.writer(stream, **kwargs))


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Cell]:
    """Cells for ``sheet.append`` (a normal or write-only openpyxl sheet): text as string cells, formula-like
    text with the quote prefix; numbers, dates and empty cells as openpyxl types them."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl would type "=…" as a formula ("f")
            if formula_like(value):
                cell.quotePrefix = True
        cells.append(cell)
    return cells


__all__ = ["FORMULA_STARTS", "CsvWriter", "csv_cell", "csv_writer", "formula_like", "xlsx_row"]
