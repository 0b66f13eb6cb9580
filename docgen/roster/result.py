"""What a roster import gives back: the groups it could read, every problem as data, and the column mapping.

A roster import never throws away valid rows because of bad ones. :class:`RosterImport` carries

* ``roster`` — the groups of every row that could be read (possibly none);
* ``problems`` — every :class:`RosterProblem`, each with file, sheet, row (as Excel shows it), column,
  value, reason and a :class:`ProblemKind`; hard kinds (:data:`HARD_KINDS`) dropped their row, the others
  are warnings and their row imported;
* ``tables`` — each table the reader looked at, with the header mapping it detected (:class:`TableMapping`),
  so a person can check it and change it (:data:`COLUMN_ROLES`) before importing.

Only a file that cannot be read at all raises (:class:`~docgen.errors.RosterError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from docgen.model import Roster


class ProblemKind(StrEnum):
    """What is wrong with a row (the vocabulary scripts and the UI key on)."""

    EMPTY = "empty"  # a school cell left empty
    SAME_SCHOOL = "same_school"  # one school on both sides
    DUPLICATE = "duplicate"  # a pair already listed (the later row is the bad one)
    PLACEHOLDER = "placeholder"  # a template's xxx / ****** left in a school cell
    REPEATED_IN_CELL = "repeated_in_cell"  # one school twice in one cell
    COUNT_MISMATCH = "count_mismatch"  # N contacts for M schools in one side's cells
    UNREADABLE_LINE = "unreadable_line"  # a prose pairing line that does not fit the grammar
    INCONSISTENT = "inconsistent"  # rows of one 组号 disagree on level/stage/lead school
    PHONE = "phone"  # a number that is neither a mobile nor a landline
    UNKNOWN_STAGE = "unknown_stage"  # a 学段 outside the four stages (职高)
    UNKNOWN_LEVEL = "unknown_level"  # a 层级 outside 市–县 / 县–乡 / 乡–村
    ABBREVIATED = "abbreviated"  # a school name that looks like a short name (市一中)
    CHECK_MAPPING = "check_mapping"  # the sides of two school columns taken by position: the clerk checks them
    IGNORED = "ignored"  # a footer / note / total row recognised and left out (a note, not an error)


HARD_KINDS: frozenset[ProblemKind] = frozenset(
    {
        ProblemKind.EMPTY,
        ProblemKind.SAME_SCHOOL,
        ProblemKind.DUPLICATE,
        ProblemKind.PLACEHOLDER,
        ProblemKind.REPEATED_IN_CELL,
        ProblemKind.COUNT_MISMATCH,
        ProblemKind.UNREADABLE_LINE,
        ProblemKind.INCONSISTENT,
    }
)
"""Kinds that drop their row; every other kind is a warning (the row imports)."""


@dataclass(frozen=True)
class RosterProblem:
    """One problem of one row: where (file, sheet, row as the user sees it, column header), what, and how bad."""

    kind: ProblemKind
    message: str
    source: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    table: int | None = None  # a Word/PDF table's number (1-based); its rows count from the header row as 1

    @property
    def is_error(self) -> bool:
        """Whether the row was dropped (a hard problem) rather than imported with a warning."""
        return self.kind in HARD_KINDS

    def describe(self) -> str:
        """``roster.xlsx 工作表“名单” 第7行 “受援学校”：message（值：'…'）``."""
        where = [self.source] if self.source else []
        if self.sheet:
            where.append(f"工作表“{self.sheet}”")
        if self.table is not None:
            where.append(f"表{self.table}")
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"“{self.column}”")
        shown = f"（值：{self.value!r}）" if self.value else ""
        return f"{' '.join(where)}：{self.message}{shown}" if where else f"{self.message}{shown}"

    def as_json(self) -> dict[str, Any]:
        """The problem as ``docgen roster --json`` and the API print it."""
        return {
            "kind": self.kind.value,
            "severity": "error" if self.is_error else ("note" if self.kind is ProblemKind.IGNORED else "warning"),
            "message": self.message,
            "source": self.source,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "table": self.table,
        }


COLUMN_ROLES: Mapping[str, str] = {
    "supporting.school": "支援学校",
    "supporting.contact": "支援学校联系人",
    "supporting.phone": "支援学校联系电话",
    "supporting.contact_phone": "支援学校联系人及电话",
    "supporting.region": "支援学校所在地区",
    "supporting.party_org": "支援学校党组织名称",
    "supporting.title": "支援学校联系人职务",
    "supported.school": "受援学校",
    "supported.contact": "受援学校联系人",
    "supported.phone": "受援学校联系电话",
    "supported.contact_phone": "受援学校联系人及电话",
    "supported.region": "受援学校所在地区",
    "supported.party_org": "受援学校党组织名称",
    "supported.title": "受援学校联系人职务",
    "stage": "学段",
    "level": "层级",
    "coordinator": "牵头指导学校",
    "group": "组号",
    "serial": "序号",
    "extra": "其他（保留）",
    "ignore": "不导入",
}
"""What a column can be mapped to (role key → its Chinese label in the preview's dropdown)."""


@dataclass(frozen=True)
class ColumnMapping:
    """One column of a table: its 0-based index, its header as written, the role given to it."""

    index: int
    header: str
    role: str  # a key of COLUMN_ROLES


@dataclass(frozen=True)
class TableMapping:
    """A table the reader looked at: ``table`` identifies it (a sheet name, ``表2`` in a Word file), ``header_rows``
    are its header rows as the user sees them, ``used`` says whether its rows became groups (a 县区 table or a
    cover sheet is looked at and not used), ``reason`` why not."""

    table: str
    header_rows: tuple[int, ...]
    columns: tuple[ColumnMapping, ...]
    used: bool = True
    reason: str = ""


ColumnOverrides = Mapping[str, Mapping[int, str]]
"""A person's corrections to the detected mapping: table id → {column index → role key}."""


@dataclass(frozen=True)
class RosterImport:
    """The result of one roster import (see the module docstring)."""

    roster: Roster
    problems: tuple[RosterProblem, ...] = ()
    tables: tuple[TableMapping, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[RosterProblem, ...]:
        """Problems that dropped their row."""
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[RosterProblem, ...]:
        """Problems whose row still imported (notes about ignored rows included)."""
        return tuple(p for p in self.problems if not p.is_error)
