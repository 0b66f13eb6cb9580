"""Tables as they are printed: THE rule for whether a table's headers mean a form's columns, and the header
of a table no form claims (a generic table).

    header = generic_header(table.grid())        # rows, columns and their names, 上/下 joined
    reason = schema_mismatch(matched, others, spec)   # None: the headers mean the schema's columns

Pure: grids in (:meth:`docgen.extraction.ReadTable.grid`), plain data out. :mod:`docgen.interpret` uses
both — the first for tables no schema claims, the second wherever a schema is tried on a table (recognising
the form by its headers, and finding the form's table).

**When a schema applies** (:func:`may_name`, :func:`schema_mismatch`; issue 12 item 3: 县区 ≠ 学校). A header
names a column when its :func:`~docgen.labels.label_key` is the column's label or a synonym (or contains
one — :mod:`docgen.interpret` scores that), *and* it does not name another kind of thing: the thing a label
names is its last word (:func:`entity`: ``帮扶县区`` a 县区, ``帮扶学校`` a 学校, ``联系人及电话`` nothing),
and a header naming a 县区 never fills a 学校 column, whatever synonyms say. On top, a table is the schema's
table only when some required column is there, no other header names what a required column names (a
table with a third school column — 帮扶牵头指导学校 beside 帮扶学校 and 受援学校 — pairs schools in roles the
form does not have), and, to *recognise* a form by its headers alone, every required column is there.

**A generic table's header** (:func:`generic_header`). The header starts at the first row with two filled
cells (title rows above it are not headers). It takes in the row below when that row subdivides a header
cell merged across (``县级结对帮扶安排`` over ``帮扶学校`` / ``受援学校``) and every other column of it is a
header cell merged down into it (``帮扶牵头指导学校``) — so a key–value table whose label is merged down
beside its rows (``援藏活动情况``) keeps one header row. Each column of its bottom row is one column of the
table; its name is every header cell above it, top to bottom, joined by ``/``
(``县级结对帮扶安排/帮扶学校``), spaces between Chinese characters taken out (``对 象`` → ``对象``). A header
cell merged across columns that nothing subdivides is one column (the cells under it are read together).
A cell merged down over data rows is in each row it covers (the interpreter repeats its value).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from docgen.extraction import Cell
from docgen.forms.schema import ColumnSpec, TableSpec, ValueType
from docgen.labels import label_key, remembered
from docgen.values import is_blank, join_lines

__all__ = [
    "HEADER_SCAN_ROWS",
    "Entity",
    "GenericColumn",
    "GenericHeader",
    "entity",
    "generic_header",
    "generic_type",
    "header_text",
    "may_name",
    "schema_mismatch",
]

HEADER_SCAN_ROWS = 6
"""The header row of a table is looked for among its first rows (title rows may sit above it)."""

MAX_HEADER_ROWS = 3
"""At most this many rows make one header (a merged header over sub-headers over sub-sub-headers)."""

Grid = Sequence[Sequence[Cell | None]]


# -------------------------------------------------------------------------------------- what a label names


class Entity(StrEnum):
    """The kind of thing a header or label names, by its last word; the value is the word a clerk reads."""

    SCHOOL = "学校"
    AREA = "县区"


_ENTITY_WORDS: tuple[tuple[str, Entity], ...] = tuple(
    sorted(
        [(w, Entity.SCHOOL) for w in ("学校", "幼儿园", "中学", "小学", "高中", "初中", "中心校", "校区", "学院")]
        + [(w, Entity.AREA) for w in ("县市区", "县区", "区县", "县", "区", "市", "乡镇", "镇", "乡", "街道",
                                       "地区", "片区")],
        key=lambda pair: -len(pair[0]),
    )
)  # longest first: 校区 is a school's campus, not a 区
_NAME_NOTES = ("名称", "名单", "全称")  # 学校名称 names a 学校


@remembered  # every header is compared with every column's label
def entity(label: str) -> Entity | None:
    """What ``label`` names, by its last word: ``帮扶县区``, ``受援县（区）``, ``县市区`` → AREA; ``帮扶学校``,
    ``学校名称``, ``帮扶幼儿园`` → SCHOOL; ``联系人及电话``, ``帮扶单位`` (a school or a bureau), ``学段`` → None."""
    key = label_key(label)
    for note in _NAME_NOTES:
        if key.endswith(note) and len(key) > len(note):
            key = key[: -len(note)]
    for word, kind in _ENTITY_WORDS:
        if key.endswith(word):
            return kind
    return None


def may_name(header: str, column: ColumnSpec) -> bool:
    """False when ``header`` names another kind of thing than ``column`` (a 县区 for a 学校 column): then it
    never fills that column, whatever its words or the schema's synonyms."""
    want, got = entity(column.label), entity(header)
    return want is None or got is None or want is got


def schema_mismatch(
    matched: Mapping[int, str], others: Sequence[str], spec: TableSpec, *, recognising: bool = False
) -> str | None:
    """Why a table's headers do not mean ``spec``'s columns (in Chinese), or None when they do.

    ``matched``: column index → the header that fills it; ``others``: the table's other filled headers.
    ``recognising``: the form is being recognised by these headers alone (no identity code, no title), so
    every required column must be there; for a form known otherwise one is enough (a missing column is then
    a problem of the form, not another table), none is another table.
    """
    for i, header in matched.items():
        column = spec.columns[i]
        if not may_name(header, column):
            return f"表头「{header}」指{entity(header)}，不是「{column.label}」"
    required = [(i, c) for i, c in enumerate(spec.columns) if c.required]
    missing = [c.label for i, c in required if i not in matched]
    if missing and (recognising or len(missing) == len(required)):
        return "缺少" + "、".join(f"「{m}」" for m in missing)
    roles = {entity(c.label) for i, c in enumerate(spec.columns) if c.required and i in matched} - {None}
    for header in others:
        kind = entity(header)
        if kind is not None and kind in roles:
            return f"表头「{header}」是表单没有的{kind}列"
    return None


# ------------------------------------------------------------------------------------------ generic header


@dataclass(frozen=True)
class GenericColumn:
    """A column of a generic table: its name (header rows joined by ``/``) and the grid columns it covers."""

    name: str
    c0: int
    c1: int  # inclusive


@dataclass(frozen=True)
class GenericHeader:
    """The header of a table no schema claims: its rows ``first``…``last`` (inclusive) and its columns."""

    first: int
    last: int
    columns: tuple[GenericColumn, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def header_text(text: str) -> str:
    """A header as a column name: wrapped lines joined, spaces between Chinese characters taken out
    (``责 任 股 室`` → ``责任股室``, the printed letter-spacing), other text as written."""
    return _CJK_SPACE.sub("", join_lines(text)).strip()


def _distinct(cells: Sequence[Cell | None]) -> list[Cell]:
    out: list[Cell] = []
    for cell in cells:
        if cell is not None and all(cell is not seen for seen in out):
            out.append(cell)
    return out


def _filled(cells: Sequence[Cell | None]) -> list[Cell]:
    return [c for c in _distinct(cells) if not is_blank(c.text)]


def _header_start(grid: Grid) -> int | None:
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        filled = _filled(row)
        if len(filled) >= 2 or (len(filled) == 1 and len(row) == 1):
            return r
    return None


def _subdivides(grid: Grid, first: int, last: int) -> bool:
    """Row ``last + 1`` belongs to the header ``first…last``: in every column it is either a header cell
    reaching down into it, or a cell under a header cell merged across that it is narrower than — and at
    least one such sub-header is filled."""
    below, bottom = grid[last + 1], grid[last]
    split = False
    for k, cell in enumerate(below):
        if cell is not None and cell.row < last + 1 and cell.row >= first:
            continue  # a header cell merged down into this row
        above = bottom[k]
        if above is None or cell is None or above.colspan <= 1 or cell.colspan >= above.colspan:
            return False
        split = split or not is_blank(cell.text)
    return split


def generic_header(grid: Grid) -> GenericHeader | None:
    """The header of a table no schema claims (module docstring), or None when no row has two filled cells."""
    first = _header_start(grid)
    if first is None:
        return None
    last = first
    while last + 1 < len(grid) and last - first + 1 < MAX_HEADER_ROWS and _subdivides(grid, first, last):
        last += 1
    columns: list[GenericColumn] = []
    bottom = grid[last]
    k = 0
    while k < len(bottom):
        cell = bottom[k]
        c1 = k
        while cell is not None and c1 + 1 < len(bottom) and bottom[c1 + 1] is cell:
            c1 += 1
        parts: list[str] = []
        for r in range(first, last + 1):
            for above in _filled(grid[r][k : c1 + 1]):
                text = header_text(above.text)
                if text and text not in parts:
                    parts.append(text)
        columns.append(GenericColumn("/".join(parts), k, c1))
        k = c1 + 1
    return GenericHeader(first, last, tuple(columns))


# ------------------------------------------------------------------------------------------- value types

_GENERIC_TYPES: tuple[tuple[tuple[str, ...], ValueType], ...] = (
    (("联系人及电话", "联系人及手机"), ValueType.TEXT),
    (("电话", "手机", "联系方式"), ValueType.PHONE),
    (("序号", "编号"), ValueType.INTEGER),
    (("姓名", "负责人", "联系人", "校长", "联络员", "带队"), ValueType.NAME),
    (("学校", "单位", "县市区", "区县", "县区", "地区"), ValueType.SCHOOL),
    (("日期", "时间"), ValueType.DATE),
    (("人次", "人数"), ValueType.COUNT),
    (("资金", "物品", "金额"), ValueType.MONEY_GOODS),
)


def generic_type(header: str) -> ValueType:
    """How a generic column's values are typed, by the words of its header (电话 → phone, 负责人 → name,
    学校 → school, …); for a joined header (``县级结对帮扶安排/帮扶学校``) its bottom part decides first."""
    for part in (header.rsplit("/", 1)[-1], header):
        key = label_key(part)
        for words, kind in _GENERIC_TYPES:
            if any(w in key for w in words):
                return kind
    return ValueType.TEXT
