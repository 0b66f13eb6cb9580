"""A roster from any file a user hands in: THE bytes → roster path of the CLI and the service.

    result = import_roster(data, "安排表.pdf")    # RosterImport: groups + every problem as data + mappings
    roster = load_roster(data, "名单.xlsx")       # the strict form: RosterErrors when any row is wrong

Spreadsheets (xlsx, xls, ods), csv/text and the notice text are turned into tables by
:func:`docgen.roster.files.file_tables`; a Word file or a PDF (told by content: :func:`extractors.detect.detect`)
is read by :func:`extractors.read.read` (PDFs in the sandboxed child) and its tables and lines become the same
tables (:class:`~docgen.roster.grid.Grid`) and prose. :func:`docgen.roster.importer.import_grids` does the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docgen.errors import RosterError, UnreadableDocument
from docgen.extraction import InputKind, ReadDocument, ReadTable
from docgen.model import Roster
from docgen.roster.files import file_tables, source_name
from docgen.roster.grid import Grid, Merge
from docgen.roster.importer import find_header, import_grids, no_roster, strict_roster
from docgen.roster.names import clean
from docgen.roster.result import ColumnOverrides, ProblemKind, RosterImport
from extractors.detect import detect
from extractors.read import read

if TYPE_CHECKING:
    from extractors.ocr import OcrEngine

__all__ = ["document_tables", "import_roster", "load_roster"]


def load_roster(data: bytes, name: str, *, ocr: OcrEngine | None = None) -> Roster:
    """The roster of ``data`` when every row is right (the strict import, ``--strict``).

    Raises :class:`~docgen.errors.RosterError` for a file that cannot be read or has no pairs, and
    :class:`~docgen.errors.RosterErrors` listing every problem (warnings too) otherwise.
    """
    return strict_roster(import_roster(data, name, ocr=ocr))


def import_roster(
    data: bytes,
    name: str,
    *,
    overrides: ColumnOverrides | None = None,
    ocr: OcrEngine | None = None,
) -> RosterImport:
    """THE roster import: every readable group of ``data`` with every problem as data (:class:`RosterImport`).

    ``overrides`` are a person's corrections to the detected column mapping (table id → {column index → role
    key}). Raises :class:`~docgen.errors.RosterError` only for a file that cannot be read at all, or that holds
    no table and no pairing line.
    """
    source = source_name(name)
    if detect(data).input_kind is None:
        grids, prose = file_tables(data, name)
    else:
        try:
            document = read(data, source, ocr=ocr)
        except UnreadableDocument as exc:
            raise RosterError(exc.reason, source=source) from None
        grids, prose = document_tables(document)
    result = import_grids(grids, source=source, overrides=overrides, prose=prose)
    if not result.roster.groups and all(p.kind is ProblemKind.IGNORED for p in result.problems):
        raise no_roster(grids, result)
    return result


def _grid_of(table: ReadTable, number: int, context: list[str]) -> Grid:
    rows = [[""] * table.n_cols for _ in range(table.n_rows)]
    merges = []
    for cell in table.cells:
        if 0 <= cell.row < table.n_rows and 0 <= cell.col < table.n_cols:
            rows[cell.row][cell.col] = cell.text
            if cell.rowspan > 1 or cell.colspan > 1:
                merges.append(Merge(cell.row, cell.col, cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
    return Grid(f"表{number}", rows, merges=merges, word_table=number, context=context)


def _lines_before(document: ReadDocument, table: ReadTable) -> int:
    if table.lines_before is not None:
        return table.lines_before
    if table.page is None or table.bbox is None:
        return len(document.lines)
    count = 0
    for line in document.lines:
        page, box = line.where.page, line.where.bbox
        if page is not None and (page < table.page or (page == table.page and box is not None
                                                       and box[1] < table.bbox[1])):  # fmt: skip
            count += 1
    return count


def document_tables(document: ReadDocument) -> tuple[list[Grid], list[tuple[int, str]]]:
    """A read Word file or PDF as tables (with the lines above each as its context) and prose lines.

    A PDF table continued on the next page (no header of its own, as many columns as the table before it) is
    joined to it; a first row whose school cells are empty there continues the last row's cells (a cell cut
    by the page break).
    """
    grids: list[Grid] = []
    previous = 0
    for table in document.tables:
        at = _lines_before(document, table)
        context = [line.text for line in document.lines[previous:at]]
        previous = max(previous, at)
        grid = _grid_of(table, len(grids) + 1, context)
        if document.input_kind is InputKind.PDF and grids and _continues(grids[-1], grid):
            _join(grids[-1], grid)
            continue
        grids.append(grid)
    prose = [(i, line.text) for i, line in enumerate(document.lines, start=1)]
    return grids, prose


def _continues(before: Grid, grid: Grid) -> bool:
    width = max((len(r) for r in before.rows), default=0)
    if not grid.rows or max(len(r) for r in grid.rows) != width:
        return False
    return find_header([list(r) for r in grid.rows])[0] is None and find_header(before.rows)[0] is not None


def _join(before: Grid, grid: Grid) -> None:
    layout = find_header(before.rows)[0]
    assert layout is not None
    school_cols = [c.index for c in layout.columns if c.role.value == "school"]
    rows = grid.rows
    offset = len(before.rows)
    if rows and before.rows and all(not clean(rows[0][c]) for c in school_cols) and any(clean(v) for v in rows[0]):
        last = before.rows[-1]
        before.rows[-1] = [a + b if b else a for a, b in zip(last, rows[0], strict=False)]
        rows = rows[1:]
        offset -= 1
    before.rows += rows
    before.numbers = list(range(1, len(before.rows) + 1))
    before.merges += [Merge(m.top + offset, m.left, m.bottom + offset, m.right) for m in grid.merges]
