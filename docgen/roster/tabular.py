"""Spreadsheet rosters: find the header row, map Chinese headers to fields, turn rows into entries.

Input is already-decoded rows of cell values (from openpyxl or csv, see ``docgen.roster.files``); this
module opens no files. The header layout, its synonyms and the side rule for plain columns are documented
in ``docs/roster.md`` and in :data:`HEADERS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from docgen.errors import RosterError
from docgen.labels import label_key
from docgen.model import Level, Roster, School, Side, Stage
from docgen.roster.names import clean, clean_name, infer_stage, inherit_prefix, split_names
from docgen.roster.validate import Entry, build_roster
from docgen.roster.values import parse_level, parse_stage, split_contact
from docgen.values import bad_phones


class Role(StrEnum):
    """What a column holds."""

    SCHOOL = "学校"
    REGION = "地区"
    PARTY_ORG = "党组织名称"
    CONTACT = "联系人"
    PHONE = "联系电话"
    CONTACT_PHONE = "联系人及电话"
    STAGE = "学段"
    LEVEL = "层级"
    COORDINATOR = "牵头指导学校"
    GROUP = "组号"
    SERIAL = "序号"


_SCHOOL_HEADERS: dict[Side, tuple[str, ...]] = {
    Side.SUPPORTING: (
        "支援学校", "帮扶学校", "甲方", "支援校", "帮扶校", "支援方", "帮扶方", "甲方学校", "结对帮扶学校"
    ),
    Side.SUPPORTED: (
        "受援学校", "被帮扶学校", "乙方", "受援校", "被帮扶校", "受援方", "乙方学校", "受帮扶学校"
    ),
}
# Prefixes that make a per-side column: 支援学校联系人, 受援地区, 甲方党组织名称, 被帮扶学校联系电话, …
_SIDE_PREFIXES: dict[Side, tuple[str, ...]] = {
    Side.SUPPORTING: ("支援学校", "支援", "帮扶学校", "甲方"),
    Side.SUPPORTED: ("受援学校", "受援", "被帮扶学校", "乙方"),
}
_SIDE_FIELDS: dict[Role, tuple[str, ...]] = {
    Role.REGION: ("地区", "县市区", "县区", "所在地区", "所在地"),
    Role.PARTY_ORG: ("党组织名称", "党组织"),
    Role.CONTACT: ("联系人", "负责人"),
    Role.PHONE: ("联系电话", "电话", "手机"),
    Role.CONTACT_PHONE: ("联系人及电话", "联系人和电话", "联系人电话", "联系方式"),
}
_GROUP_FIELDS: dict[Role, tuple[str, ...]] = {
    Role.STAGE: ("学段",),
    Role.LEVEL: ("层级", "结对层级", "帮扶层级"),
    Role.COORDINATOR: ("牵头指导学校", "帮扶牵头指导学校", "牵头学校"),
    Role.GROUP: ("组号", "结对组号", "结对组"),
    Role.SERIAL: ("序号", "编号"),
}

HEADERS: dict[str, tuple[str, ...]] = {
    "支援学校": _SCHOOL_HEADERS[Side.SUPPORTING],
    "受援学校": _SCHOOL_HEADERS[Side.SUPPORTED],
    **{names[0]: names for names in _GROUP_FIELDS.values()},
    **{names[0]: names for names in _SIDE_FIELDS.values()},
}
"""The header layout: each field's canonical header → every header accepted for it.

支援学校 and 受援学校 are required; all else is optional and unknown columns are ignored. 地区,
党组织名称, 联系人, 联系电话 and 联系人及电话 exist per side (``支援学校联系人``, ``受援地区``,
``甲方党组织名称`` — prefix 支援学校/支援/帮扶学校/甲方 or 受援学校/受援/被帮扶学校/乙方) and plain; a
plain one belongs to the nearest school column on its left, else to the first school column on its right
(柳州's table: 帮扶学校 | 联系人及电话 | 受援学校 | 联系人及电话). Matching ignores spaces, full/half
width, ``：``, ``*``, quotes and notes in brackets (``学段（小学/初中）``): :func:`docgen.labels.label_key`.
"""


def _build_lookup() -> dict[str, tuple[Role, Side | None]]:
    table: dict[str, tuple[Role, Side | None]] = {}
    for side, names in _SCHOOL_HEADERS.items():
        for name in names:
            table[name] = (Role.SCHOOL, side)
    for role, names in _GROUP_FIELDS.items():
        for name in names:
            table[name] = (role, None)
    for role, names in _SIDE_FIELDS.items():
        for name in names:
            table[name] = (role, None)
            for side, prefixes in _SIDE_PREFIXES.items():
                for prefix in prefixes:
                    table[prefix + name] = (role, side)
    return table


_LOOKUP = {label_key(name): found for name, found in _build_lookup().items()}


def match_header(text: str) -> tuple[Role, Side | None] | None:
    """``"帮扶学校"`` → (SCHOOL, 支援); ``"受援学校联系人"`` → (CONTACT, 受援); ``"联系人"`` → (CONTACT,
    None): the side of a plain column is decided by its position (:func:`find_layout`). Headers compare by
    :func:`docgen.labels.label_key`."""
    return _LOOKUP.get(label_key(text))


@dataclass(frozen=True)
class Column:
    """A recognised column: its 0-based index, the header as written, its role and side."""

    index: int
    header: str
    role: Role
    side: Side | None


@dataclass(frozen=True)
class Layout:
    """The header row (0-based index into the rows) and its recognised columns."""

    row: int
    columns: tuple[Column, ...]
    _by_field: dict[tuple[Role, Side | None], Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for col in self.columns:
            self._by_field.setdefault((col.role, col.side), col)

    def school(self, side: Side) -> Column:
        return self._by_field[(Role.SCHOOL, side)]

    def find(self, role: Role, side: Side | None = None) -> Column | None:
        return self._by_field.get((role, side))


EXPECTED = "“支援学校”（或 帮扶学校、甲方）和“受援学校”（或 被帮扶学校、乙方）"
HEADER_SEARCH_ROWS = 30
"""How many non-blank rows above the header a sheet may have (titles, notes)."""


def _texts(row: Sequence[object]) -> list[str]:
    return [clean(v) for v in row]


def _recognise(texts: Sequence[str], above: Sequence[str]) -> list[tuple[int, str, Role, Side | None]]:
    found = []
    for i in range(max(len(texts), len(above))):
        header = texts[i] if i < len(texts) else ""
        if not header and i < len(above):
            header = above[i]  # a header cell merged down from the row above (柳州's 牵头指导学校)
        match = match_header(header) if header else None
        if match:
            found.append((i, header, match[0], match[1]))
    return found


def _assign_sides(found: list[tuple[int, str, Role, Side | None]]) -> tuple[Column, ...]:
    schools = [(i, side) for i, _, role, side in found if role is Role.SCHOOL]
    columns = []
    for i, header, role, side in found:
        if side is None and role in _SIDE_FIELDS:
            left = [s for j, s in schools if j < i]
            right = [s for j, s in schools if j > i]
            side = left[-1] if left else right[0]
        columns.append(Column(i, header, role, side))
    return tuple(columns)


def find_layout(rows: Sequence[Sequence[object]], *, source: str) -> Layout:
    """The first row with both a supporting and a supported school column, within the first rows.

    Raises :class:`RosterError` naming the headers found when there is none, or when a field's column
    appears twice (two 支援学校 columns, two 受援学校联系人 columns).
    """
    above: list[str] = []
    first_seen: list[str] = []
    looked = 0
    for r, row in enumerate(rows):
        texts = _texts(row)
        if not any(texts):
            above = []
            continue
        looked += 1
        if not first_seen:
            first_seen = [t for t in texts if t]
        found = _recognise(texts, above)
        sides = {side for _, _, role, side in found if role is Role.SCHOOL}
        if sides == {Side.SUPPORTING, Side.SUPPORTED}:
            columns = _assign_sides(found)
            seen: dict[tuple[Role, Side | None], Column] = {}
            for col in columns:
                key = (col.role, col.side)
                if key in seen and col.role is not Role.SERIAL:
                    raise RosterError(
                        f"表头重复：第{seen[key].index + 1}列和第{col.index + 1}列是同一项",
                        source=source,
                        row=r + 1,
                        field=col.header,
                        value=col.header,
                    )
                seen[key] = col
            return Layout(r, columns)
        if looked >= HEADER_SEARCH_ROWS:
            break
        above = texts
    if not first_seen:
        raise RosterError("文件为空：没有任何内容", source=source)
    raise RosterError(
        f"无法识别表头：前{looked}个非空行中没有一行同时含{EXPECTED}；找到的第一行见“值”",
        source=source,
        value="｜".join(first_seen),
    )


class _Row:
    """One data row being read; collects its errors into the shared list."""

    def __init__(self, cells: Sequence[object], line: int, source: str, errors: list[RosterError]) -> None:
        self.cells = cells
        self.line = line
        self.source = source
        self.errors = errors

    def text(self, col: Column | None) -> str:
        if col is None or col.index >= len(self.cells):
            return ""
        return clean(self.cells[col.index])

    def fail(self, message: str, col: Column, value: str) -> None:
        error = RosterError(message, source=self.source, row=self.line, field=col.header, value=value)
        self.errors.append(error)


def _per_school(row: _Row, col: Column | None, count: int) -> list[str]:
    """A side's cell spread over its ``count`` schools: one value → every school; N values → one each."""
    text = row.text(col)
    if not text or col is None:
        return [""] * count
    if count == 1:
        return [text]
    parts = [clean(p) for p in re.split(r"[、；;]", text)]
    if len(parts) == 1:
        return parts * count
    if len(parts) != count:
        row.fail(f"这一格有{len(parts)}项，但同一方列出了{count}所学校；请每校一项或只写一项", col, text)
        return [""] * count
    return parts


def _side(row: _Row, layout: Layout, side: Side, stage: Stage | None) -> tuple[School, ...]:
    school_col = layout.school(side)
    cell = row.text(school_col)
    names = inherit_prefix(split_names(cell))
    if not names:
        row.fail(f"{side.value}学校为空", school_col, cell)
        return ()
    n = len(names)
    regions = [clean_name(r) for r in _per_school(row, layout.find(Role.REGION, side), n)]
    party_orgs = [clean_name(p) for p in _per_school(row, layout.find(Role.PARTY_ORG, side), n)]
    contacts = _per_school(row, layout.find(Role.CONTACT, side), n)
    phone_col = layout.find(Role.PHONE, side)
    phones = [(p, phone_col) for p in _per_school(row, phone_col, n)]
    combined_col = layout.find(Role.CONTACT_PHONE, side)
    for i, combined in enumerate(_per_school(row, combined_col, n)):
        name, phone = split_contact(combined)
        contacts[i] = contacts[i] or name
        if phone and not phones[i][0]:
            phones[i] = (phone, combined_col)
    for phone, col in dict.fromkeys(phones):
        wrong = bad_phones(phone)
        if wrong and col is not None:
            row.fail(f"电话号码格式不对：“{'、'.join(wrong)}”不是手机号或固定电话", col, phone)
    return tuple(
        School(
            name=name,
            region=regions[i],
            stage=stage if stage is not None else infer_stage(name),
            party_org=party_orgs[i],
            contact=contacts[i],
            phone=phones[i][0],
        )
        for i, name in enumerate(names)
    )


def _entry(row: _Row, layout: Layout, coordinator: str) -> Entry:
    stage: Stage | None = None
    stage_col = layout.find(Role.STAGE)
    stage_text = row.text(stage_col)
    if stage_text and stage_col is not None:
        stage = parse_stage(stage_text)
        if stage is None:
            row.fail(
                "未知学段：应为 学前教育、义务教育、普通高中 或 特殊教育"
                "（或 幼儿园、小学、初中、高中、特教）",
                stage_col,
                stage_text,
            )
    level: Level | None = None
    level_col = layout.find(Role.LEVEL)
    level_text = row.text(level_col)
    if level_text and level_col is not None:
        level = parse_level(level_text)
        if level is None:
            row.fail("未知层级：应为 市–县、县–乡 或 乡–村", level_col, level_text)
    sup, supd = layout.school(Side.SUPPORTING), layout.school(Side.SUPPORTED)
    coordinator_col = layout.find(Role.COORDINATOR)
    return Entry(
        line=row.line,
        supporting=_side(row, layout, Side.SUPPORTING, stage),
        supported=_side(row, layout, Side.SUPPORTED, stage),
        level=level,
        stage=stage,
        coordinator=coordinator,
        group_key=row.text(layout.find(Role.GROUP)),
        supporting_field=sup.header,
        supported_field=supd.header,
        level_field=level_col.header if level_col else "层级",
        stage_field=stage_col.header if stage_col else "学段",
        coordinator_field=coordinator_col.header if coordinator_col else "牵头指导学校",
    )


def parse_roster_rows(rows: Iterable[Sequence[object]], *, source: str = "", first_row: int = 1) -> Roster:
    """A roster from spreadsheet rows (cell values as openpyxl or csv give them).

    ``rows`` are consecutive, the first being row ``first_row`` of the sheet, so errors name the row the
    user sees. Title rows above the header are skipped, blank rows too. A blank 牵头指导学校 cell repeats
    the one above it (the column is usually merged over its pairs). Raises :class:`RosterError` for a file
    without a header or without rows, :class:`RosterErrors` with every row problem otherwise.
    """
    materialised = [list(r) for r in rows]
    layout = find_layout(materialised, source=source)
    errors: list[RosterError] = []
    entries: list[Entry] = []
    coordinator = ""
    coordinator_col = layout.find(Role.COORDINATOR)
    for r in range(layout.row + 1, len(materialised)):
        cells = materialised[r]
        if not any(clean(v) for v in cells):
            continue
        row = _Row(cells, r + first_row, source, errors)
        coordinator = row.text(coordinator_col) or coordinator
        sup, supd = row.text(layout.school(Side.SUPPORTING)), row.text(layout.school(Side.SUPPORTED))
        if not sup and not supd and coordinator_col is not None and row.text(coordinator_col):
            continue  # a coordinator on a line of its own, above the pairs it leads
        entries.append(_entry(row, layout, coordinator))
    return build_roster(entries, source=source, errors=errors)
