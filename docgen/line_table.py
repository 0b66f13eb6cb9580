"""A form's table rebuilt from where its text lies, when no ruling was found (issue 12: photos).

A phone photo of a 统计表 whose rulings were lost (a faded print, a shadow, a table typed without borders)
reaches the interpreter as text lines with boxes: the header's labels on one row, the values below them.
Read as ``标签：值`` lines they give nothing right — a row of values becomes the value of the label above
it. When the form has a table, this module puts those lines back into a grid:

* the **header** is the visual row (:func:`docgen.line_fields.visual_rows`) whose pieces name most of
  the schema's columns (at least three, or all of a smaller table); each of its pieces is a column, the
  boundary between two columns halfway between their labels;
* **rows**: with a 序号 column, a data row starts at a number in it; otherwise at text in the first column —
  unless the first column's text above opened a bracket it did not close, or this text closes one
  (``威海市帮扶初中（待`` | ``定）``: one school's name wrapped).
  Lines in between (a cell wrapped over several lines) belong to the row above; lines before the first
  row start (a header label wrapped over two lines) belong to the header;
* the table **ends** at the footer (``备注：``), at a ``标签：`` line in the first column (``填报人：``), at a
  line wider than half the table (a sentence under it), or at a gap of more than four lines.

Where a piece lies decides its column, so nothing here is certain: every cell is at most
:data:`REBUILT_CONFIDENCE` sure, and one piece that reaches over a column boundary (two cells' text read as
one) at most :data:`STRADDLE_CONFIDENCE` — a reviewer compares each value with the photo.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from docgen.extraction import BBox, Cell, Provenance, ReadTable, TextLine, union_box
from docgen.line_fields import visual_rows

REBUILT_CONFIDENCE = 0.6
"""A cell placed by where its text lies, not by rulings: always reviewed."""

STRADDLE_CONFIDENCE = 0.3
"""A piece of text over a column boundary: its column is a guess, and it may hold two cells' text."""

MIN_HEADER_COLUMNS = 3
_NUMBER = re.compile(r"^\s*\d{1,3}\s*[.、．]?\s*$")
_LABEL_COLON = re.compile(r"^[^\d：:]{1,12}[：:]")
_CLOSING = re.compile(r"^\s*[)）]")


def _unclosed(text: str) -> bool:
    """Does ``text`` open a bracket it does not close (``威海市帮扶初中（待``): the cell wraps onto the next line."""
    return text.count("(") + text.count("（") > text.count(")") + text.count("）")


@dataclass(frozen=True)
class _Piece:
    index: int  # in the lines given
    line: TextLine
    box: BBox

    @property
    def centre(self) -> float:
        return (self.box[0] + self.box[2]) / 2


@dataclass(frozen=True)
class LineTable:
    """A table rebuilt from lines: the table (row 0 its header) and the indexes of the lines it took."""

    table: ReadTable
    used: frozenset[int]


def table_from_lines(
    lines: Sequence[TextLine],
    names: Callable[[str], set[int]],
    n_columns: int,
    serial: int | None = None,
    footer_keys: Sequence[str] = (),
) -> LineTable | None:
    """The form's table in ``lines`` (see the module), or None when no row of them is its header.

    ``names(text)`` gives the schema columns a header text may name (indexes); ``n_columns`` is how many
    the schema has; ``serial`` the index of its 序号 column, if any; ``footer_keys`` the footer's labels
    (``备注``) as compared (NFKC, no spaces).
    """
    rows = [[_Piece(i, lines[i], box) for i in row if (box := lines[i].where.layout_box) is not None]
            for row in visual_rows(lines)]
    rows = [r for r in rows if r]
    header_at = _header_row(rows, names, n_columns)
    if header_at is None:
        return None
    header = rows[header_at]
    page = header[0].line.where.page
    bounds = [(a.box[2] + b.box[0]) / 2 for a, b in pairwise(header)]
    left, right = header[0].box[0], header[-1].box[2]
    width = right - left
    height = sorted(p.box[3] - p.box[1] for p in header)[len(header) // 2]
    serial_col = next((k for k, p in enumerate(header) if serial is not None and serial in names(p.line.text)), None)
    start_col = serial_col if serial_col is not None else 0

    def column(p: _Piece) -> int:
        return sum(1 for b in bounds if p.centre > b)

    def straddles(p: _Piece) -> bool:
        inner = [b for b in bounds if p.box[0] < b < p.box[2]]
        return any(min(b - p.box[0], p.box[2] - b) > 0.25 * (p.box[2] - p.box[0]) for b in inner)

    def ends(row: list[_Piece], previous_bottom: float) -> bool:
        first = unicodedata.normalize("NFKC", row[0].line.text).replace(" ", "")
        if any(first.startswith(k) for k in footer_keys if k):
            return True
        if row[0].line.where.page != page or row[0].box[1] - previous_bottom > 4 * height:
            return True
        if any(p.box[2] - p.box[0] > 0.5 * width for p in row):
            return True
        return bool(_LABEL_COLON.match(first))  # 填报人：… under the table

    def starts(row: list[_Piece], above: list[_Piece] | None) -> bool:
        here = [p for p in row if column(p) == start_col]
        if not here:
            return False
        if serial_col is not None:
            return bool(_NUMBER.match(here[0].line.text))
        before = "".join(p.line.text for p in above or () if column(p) == start_col)
        return not (_unclosed(before) or _CLOSING.match(here[0].line.text))  # （待 | 定）: one cell wrapped

    header_extra: list[_Piece] = []
    data: list[list[_Piece]] = []
    bottom = max(p.box[3] for p in header)
    for row in rows[header_at + 1:]:
        if ends(row, bottom):
            break
        bottom = max(p.box[3] for p in row)
        if starts(row, data[-1] if data else None):
            data.append(list(row))
        elif data:
            data[-1].extend(row)
        else:
            header_extra.extend(row)
    if not data:
        return None
    cells = [_cell(0, k, [header[k], *(p for p in header_extra if column(p) == k)], 1.0, straddles)
             for k in range(len(header))]
    for r, pieces in enumerate(data, start=1):
        for k in range(len(header)):
            mine = [p for p in pieces if column(p) == k]
            if mine:
                cells.append(_cell(r, k, mine, REBUILT_CONFIDENCE, straddles))
    used = frozenset(p.index for p in (*header, *header_extra, *(p for row in data for p in row)))
    bbox = union_box(p.line.where.bbox for p in (*header, *header_extra, *(p for row in data for p in row)))
    table = ReadTable(cells=tuple(cells), n_rows=len(data) + 1, n_cols=len(header), page=page, bbox=bbox)
    return LineTable(table, used)


def _header_row(rows: Sequence[Sequence[_Piece]], names: Callable[[str], set[int]], n_columns: int) -> int | None:
    """The visual row whose pieces name most columns (each piece at most one more), if it names enough."""
    need = min(MIN_HEADER_COLUMNS, n_columns)
    best: tuple[int, int] | None = None
    for i, row in enumerate(rows):
        named: set[int] = set()
        for p in row:
            named |= names(p.line.text)
        count = min(len(named), len(row))
        if count >= need and (best is None or count > best[0]):
            best = (count, i)
    return best[1] if best is not None else None


def _cell(row: int, col: int, pieces: Sequence[_Piece], cap: float, straddles: Callable[[_Piece], bool]) -> Cell:
    """One cell of the pieces that fell in it, top to bottom (wrapped lines joined by a line break)."""
    pieces = sorted(pieces, key=lambda p: (p.box[1], p.box[0]))
    confidence = min(min(p.line.confidence for p in pieces), cap)
    if cap < 1.0 and any(straddles(p) for p in pieces):
        confidence = min(confidence, STRADDLE_CONFIDENCE)
    where = Provenance(pieces[0].line.where.page, union_box(p.line.where.bbox for p in pieces),
                       upright=union_box(p.line.where.upright for p in pieces))
    return Cell("\n".join(p.line.text.strip() for p in pieces), row, col, confidence=round(confidence, 4),
                where=where)
