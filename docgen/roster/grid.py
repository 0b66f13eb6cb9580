"""A table as every reader hands it to the importer: cell texts, merged ranges, row numbers, text above it.

Spreadsheets (xlsx, xls, ods), csv/text, Word tables, PDF tables and the one-cell-per-line tables of a notice
text all become a :class:`Grid`, so one importer (:mod:`docgen.roster.importer`) reads them all the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Merge:
    """A merged range, 0-based and inclusive, in grid coordinates (row index into :attr:`Grid.rows`)."""

    top: int
    left: int
    bottom: int
    right: int


@dataclass
class Grid:
    """One table of a file.

    ``rows`` are cell texts (line breaks inside a cell kept); a merged range's text is only in its top-left
    cell (the importer fills the rest). ``numbers[i]`` is the row number the user sees for ``rows[i]`` (the
    spreadsheet row, the csv/text line). ``table`` identifies the table in the mapping (a sheet name, ``表2``);
    ``sheet`` is what problems name (empty for a one-sheet file); ``word_table`` is the 1-based number of a
    Word/PDF table, whose rows are counted from its header row as 1 (docs/roster.md). ``context`` is the text
    written above the table, nearest last (a heading that names the stage).
    """

    table: str
    rows: list[list[str]]
    numbers: list[int] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    sheet: str = ""
    word_table: int | None = None
    context: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.numbers:
            self.numbers = list(range(1, len(self.rows) + 1))


def cell_text(value: object) -> str:
    """A cell value as text: ``None`` → ``""``, a whole float without ``.0`` (phones stored as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
