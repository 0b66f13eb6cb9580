"""THE roster importer: tables (:class:`~docgen.roster.grid.Grid`) and pairing prose → a :class:`RosterImport`.

Valid rows import whatever the other rows say; every problem is a :class:`RosterProblem` with its kind
(docs/roster.md, *Import rules*). The steps, per table:

1. merged ranges are filled (a merged cell's text stands in every position it covers) and remembered: a school
   cell merged down over several rows ties those rows into one group (1:N, N:1);
2. the header: the first row naming both a supporting and a supported school column (:mod:`headers`), with the
   row below it when that row holds sub-headers (支援学校 over 学校名称 / 联系人 / 联系电话), and a header cell
   left empty taking the text above it; a table pairing 县区 instead of schools is reported, not used;
3. the rows: blank rows are skipped, footer rows (合计, 注：…, 填报单位…) and lone notes are ``ignored`` notes, a
   row that only names a stage (``小学``, ``（三）建立普通高中的结对帮扶``) starts a section of that stage, a
   repeated header row starts a new layout;
4. every data row becomes an :class:`Entry` (names split and completed, contacts split), checked, grouped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from docgen import school_names  # the one placeholder rule (a module import: school_names imports this package)
from docgen.errors import RosterError, RosterErrors
from docgen.model import Level, PairGroup, Roster, School, Side, Stage, school_key
from docgen.roster.contacts import Person, parse_contacts, parse_phones
from docgen.roster.grid import Grid, cell_text
from docgen.roster.headers import Role, classify, combine, region_of, respondent_side, stated_side
from docgen.roster.names import clean, clean_name, infer_stage, inherit_prefix, split_names
from docgen.roster.notice import FIELD as PROSE_FIELD
from docgen.roster.notice import is_pairing_line, parse_pairing_line
from docgen.roster.result import (
    ColumnMapping,
    ColumnOverrides,
    ProblemKind,
    RosterImport,
    RosterProblem,
    TableMapping,
)
from docgen.roster.values import parse_level, parse_stage

MAX_MERGED_CELLS = 1_000_000
"""Cells all merged ranges of a table may cover together (a range over a whole sheet is not a roster)."""
CONTEXT_LINES = 3
"""How many lines above a Word/PDF/text table may name its stage (its title or heading; not the body text)."""
DITTO = frozenset({"同上", "〃", "”", '"', "同左"})
"""A cell that repeats the one above (a separate row all the same: its own group)."""
HEADER_SEARCH_ROWS = 30
"""How many non-blank rows above the header a table may have (titles, notes)."""

STAGE_HINT = "应为 学前教育、义务教育、普通高中 或 特殊教育（或 幼儿园、小学、初中、高中、特教）"
_FOOTER = re.compile(
    r"^(?:合\s*计|总\s*计|小\s*计|共\s*计|(?:注|说明|备注|附注|填表说明)\s*(?:[：:0-9１-９一]|$)|填报单位|填报人|填表人|制表人?"
    r"|审核人?[：:]|单位[（(]盖章[)）]|负责人[：:]|联系人[：:]|联系电话[：:])"
)
_FOOTER_ANYWHERE = re.compile(r"填报人[：:]|填表人[：:]|[（(]盖章[)）]")
# Stage words in a title, heading or section row; a line naming several stages decides nothing.
_STAGE_TEXT: tuple[tuple[str, Stage], ...] = (
    ("学前教育", Stage.PRESCHOOL), ("幼儿园", Stage.PRESCHOOL), ("幼教", Stage.PRESCHOOL),
    ("义务教育", Stage.COMPULSORY), ("小学", Stage.COMPULSORY), ("初中", Stage.COMPULSORY),
    ("初级中学", Stage.COMPULSORY), ("九年", Stage.COMPULSORY),
    ("普通高中", Stage.HIGH_SCHOOL), ("高中", Stage.HIGH_SCHOOL), ("高级中学", Stage.HIGH_SCHOOL),
    ("特殊教育", Stage.SPECIAL), ("特教", Stage.SPECIAL),
)  # fmt: skip
_NUMBERING = re.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十\d]{1,3}[、.．])\s*")


def stage_of_text(text: str) -> tuple[bool, Stage | None]:
    """Whether ``text`` names any stage, and the one stage it names (``None`` when it names several).

    中小学 is every school, not a stage (``XX市中小学结对帮扶名单``)."""
    text = re.sub(r"中小学(?:校)?(?:[（(]幼儿园[)）])?", "", text)
    found = {stage for word, stage in _STAGE_TEXT if word in text}
    return bool(found), (found.pop() if len(found) == 1 else None)


def section_stage(text: str) -> Stage | None:
    """The stage a section row or heading names: ``小学``, ``一、幼儿园``, ``（三）建立普通高中的结对帮扶``."""
    body = _NUMBERING.sub("", clean(text))
    if not body or len(body) > 40:
        return None
    direct = parse_stage(body) or parse_stage(re.sub(r"[（(][^）)]*[)）]", "", body))  # 幼儿园（4所）
    if direct is not None:
        return direct
    if not re.search(r"(结对|帮扶|学段|阶段|组|部分)$|结对|帮扶", body):
        return None
    return stage_of_text(body)[1]


def parse_stages(text: str) -> tuple[tuple[Stage, ...], list[str]]:
    """A 学段 cell: ``高中、初中`` → (普通高中, 义务教育); ``小学、初中`` → (义务教育,).

    Unknown words come back apart."""
    stages: list[Stage] = []
    unknown: list[str] = []
    for word in re.split(r"[、，,/／；;和及+＋\s]+", text):
        if not word:
            continue
        stage = parse_stage(word)
        if stage is None:
            unknown.append(word)
        elif stage not in stages:
            stages.append(stage)
    return tuple(stages), unknown


# --------------------------------------------------------------------------------------------- entries


@dataclass
class SideCell:
    """One side of one row: the header, the cell text and the schools read from it."""

    header: str
    text: str
    schools: tuple[School, ...]


@dataclass
class Entry:
    """One row or pairing line, read but not yet checked against the others."""

    line: int
    sheet: str
    table: int | None
    supporting: SideCell
    supported: SideCell
    stages: tuple[Stage, ...] = ()
    level: Level | None = None
    coordinator: str = ""
    group_key: str = ""  # rows with one key form one group (a merged school cell, a 组号)
    stage_field: str = "学段"
    level_field: str = "层级"
    coordinator_field: str = "牵头指导学校"
    problems: list[RosterProblem] = field(default_factory=list)


_JOINED = ("contact", "phone", "title")  # a second person for one school on another row of its group is kept


def _merge_school(first: School, later: School) -> School:
    """One school named on two rows of a group: its empty fields are filled from the later row, and a contact,
    phone or title the later row adds is joined to the first's (``、``), so nothing written is dropped."""
    changes: dict[str, Any] = {}
    for f in fields(School):
        have, new = getattr(first, f.name), getattr(later, f.name)
        if have in ("", None) and new not in ("", None):
            changes[f.name] = new
        elif f.name in _JOINED and new and have != new:
            parts = dict.fromkeys([*str(have).split("、"), *str(new).split("、")])
            changes[f.name] = "、".join(p for p in parts if p)
    return replace(first, **changes) if changes else first


def _add(schools: list[School], school: School) -> None:
    for i, known in enumerate(schools):
        if school_key(known.name) == school_key(school.name):
            schools[i] = _merge_school(known, school)
            return
    schools.append(school)


@dataclass
class _Group:
    first: Entry
    supporting: list[School] = field(default_factory=list)
    supported: list[School] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    level: Level | None = None
    coordinator: str = ""


def _problem(entry: Entry, kind: ProblemKind, message: str, column: str, value: str, source: str) -> RosterProblem:
    return RosterProblem(kind, message, source, entry.sheet, entry.line, column, value, table=entry.table)


def _hard_problems(entry: Entry, source: str) -> list[RosterProblem]:
    out: list[RosterProblem] = []
    for cell, side in ((entry.supporting, Side.SUPPORTING), (entry.supported, Side.SUPPORTED)):
        if not cell.schools:
            out.append(_problem(entry, ProblemKind.EMPTY, f"{side.value}学校为空", cell.header, cell.text, source))
            continue
        seen: set[str] = set()
        for school in cell.schools:
            if school_names.unfilled_reason(school.name):
                out.append(_problem(entry, ProblemKind.PLACEHOLDER, "模板里的占位学校名没有改成真实校名",
                                    cell.header, school.name, source))  # fmt: skip
            if school_key(school.name) in seen:
                out.append(_problem(entry, ProblemKind.REPEATED_IN_CELL, "同一格中重复列出了这所学校",
                                    cell.header, school.name, source))  # fmt: skip
            seen.add(school_key(school.name))
    helped = {school_key(s.name) for s in entry.supported.schools}
    for school in entry.supporting.schools:
        if school_key(school.name) in helped:
            out.append(_problem(entry, ProblemKind.SAME_SCHOOL, "同一所学校不能既是支援学校又是受援学校",
                                entry.supported.header, school.name, source))  # fmt: skip
    return out


def _disagreements(group: _Group, entry: Entry, source: str) -> list[RosterProblem]:
    """Rows of one 组号 must not contradict each other on 学段, 层级 or the lead school."""
    checks = (
        (entry.stage_field, "、".join(s.value for s in group.stages), "、".join(s.value for s in entry.stages)),
        (entry.level_field, group.level.value if group.level else "", entry.level.value if entry.level else ""),
        (entry.coordinator_field, group.coordinator, entry.coordinator),
    )
    first = group.first.line
    return [
        _problem(entry, ProblemKind.INCONSISTENT, f"与同组第{first}行不一致（第{first}行为“{have}”）", header, new,
                 source)
        for header, have, new in checks
        if have and new and have != new
    ]  # fmt: skip


def assemble(entries: Iterable[Entry], *, source: str) -> tuple[Roster, list[RosterProblem]]:
    """Check, group and number ``entries``: rows with a hard problem are dropped, the others become groups.

    A pair already listed by an earlier group is a ``duplicate`` (the later row is dropped). Rows sharing a
    ``group_key`` form one group.
    """
    problems: list[RosterProblem] = []
    groups: list[_Group] = []
    by_key: dict[str, _Group] = {}
    pair_rows: dict[tuple[str, str], tuple[int, str]] = {}
    for entry in entries:
        dropped = any(p.is_error for p in entry.problems)  # found while reading (a contact count mismatch …)
        hard = [] if dropped else _hard_problems(entry, source)
        key = entry.group_key or f"\x00{id(entry)}"
        if not hard:
            for a in entry.supporting.schools:
                for b in entry.supported.schools:
                    first = pair_rows.get((school_key(a.name), school_key(b.name)))
                    if first is not None and first[1] != key:
                        hard.append(_problem(entry, ProblemKind.DUPLICATE,
                                             f"结对重复：第{first[0]}行和第{entry.line}行都是“{a.name}”支援“{b.name}”",
                                             entry.supported.header, b.name, source))  # fmt: skip
                        break
                if hard:
                    break
        problems += entry.problems
        if hard or dropped:
            problems += hard
            continue
        for a in entry.supporting.schools:
            for b in entry.supported.schools:
                pair_rows.setdefault((school_key(a.name), school_key(b.name)), (entry.line, key))
        group = by_key.get(key)
        if group is not None and key.startswith("g"):
            hard = _disagreements(group, entry, source)
            if hard:
                problems += hard
                continue
        if group is None:
            group = _Group(entry, level=entry.level, coordinator=entry.coordinator)
            groups.append(group)
            by_key[key] = group
        for s in entry.supporting.schools:
            _add(group.supporting, s)
        for s in entry.supported.schools:
            _add(group.supported, s)
        for stage in entry.stages:
            if stage not in group.stages:
                group.stages.append(stage)
        group.level = group.level or entry.level
        group.coordinator = group.coordinator or entry.coordinator
    out: list[PairGroup] = []
    for number, g in enumerate(groups, start=1):
        one = g.stages[0] if len(g.stages) == 1 else None
        schools = [tuple(s if s.stage is not None else replace(s, stage=one or infer_stage(s.name)) for s in side)
                   for side in (g.supporting, g.supported)]  # fmt: skip
        where = f"{source}:{g.first.sheet + '!' if g.first.sheet else ''}{g.first.line}"
        out.append(PairGroup(number, schools[0], schools[1], level=g.level, stage=g.stages[0] if g.stages else None,
                             source=where, coordinator=g.coordinator, stages=tuple(g.stages)))  # fmt: skip
    problems.sort(key=lambda p: (p.sheet, p.table or 0, p.row or 0))
    return Roster(tuple(out), source=source), problems


# ------------------------------------------------------------------------------------------------ tables


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    role: Role
    side: Side | None
    guessed: bool = False  # a side given by position: no header word and no text of the file states it
    respondent: bool = False  # an online form's 您所在的学校: its side is who the title says fills the form in


@dataclass
class Layout:
    header_rows: tuple[int, ...]  # grid row indexes
    columns: list[Column]

    def school(self, side: Side) -> Column:
        return next(c for c in self.columns if c.role is Role.SCHOOL and c.side is side)

    def of(self, role: Role, side: Side | None = None) -> list[Column]:
        return [c for c in self.columns if c.role is role and c.side is side]

    def one(self, role: Role) -> Column | None:
        found = self.of(role)
        return found[0] if found else None


ROLE_KEYS: dict[tuple[Role, Side | None], str] = {
    (Role.STAGE, None): "stage", (Role.LEVEL, None): "level", (Role.COORDINATOR, None): "coordinator",
    (Role.GROUP, None): "group", (Role.SERIAL, None): "serial", (Role.EXTRA, None): "extra",
    **{(Role.SCHOOL, s): f"{s.name.lower()}.school" for s in Side},
    **{(Role.CONTACT, s): f"{s.name.lower()}.contact_phone" for s in Side},
    **{(Role.PHONE, s): f"{s.name.lower()}.phone" for s in Side},
    **{(Role.TITLE, s): f"{s.name.lower()}.title" for s in Side},
    **{(Role.REGION, s): f"{s.name.lower()}.region" for s in Side},
    **{(Role.PARTY_ORG, s): f"{s.name.lower()}.party_org" for s in Side},
}  # fmt: skip
"""Column role → its key in :data:`~docgen.roster.result.COLUMN_ROLES` (the mapping a person may change)."""
_KEY_ROLES: dict[str, tuple[Role, Side | None]] = {
    **{v: k for k, v in ROLE_KEYS.items()},
    **{f"{s.name.lower()}.contact": (Role.CONTACT, s) for s in Side},
}


def _filled(grid: Grid) -> tuple[list[list[str]], dict[tuple[int, int], tuple[int, int]]]:
    """The grid with every merged range's text in each cell it covers, and cell → its range's top-left."""
    width = max((len(r) for r in grid.rows), default=0)
    rows = [list(r) + [""] * (width - len(r)) for r in grid.rows]
    anchor: dict[tuple[int, int], tuple[int, int]] = {}
    area = 0
    for m in grid.merges:
        if m.top >= len(rows) or m.left >= width:
            continue
        area += (min(m.bottom, len(rows) - 1) - m.top + 1) * (min(m.right, width - 1) - m.left + 1)
        if area > MAX_MERGED_CELLS:
            raise RosterError(f"合并单元格覆盖超过 {MAX_MERGED_CELLS:,} 个单元格，不像花名册，拒绝读取",
                              source=grid.table)  # fmt: skip
        text = rows[m.top][m.left]
        for r in range(m.top, min(m.bottom, len(rows) - 1) + 1):
            for c in range(m.left, min(m.right, width - 1) + 1):
                if (r, c) != (m.top, m.left):
                    rows[r][c] = text
                    anchor[(r, c)] = (m.top, m.left)
    return rows, anchor


def _recognise(rows: list[list[str]], r: int) -> list[Column] | None:
    """The columns of row ``r`` as a header (with the row below when it holds sub-headers), or None."""
    width = len(rows[r])
    above = rows[r - 1] if r > 0 else [""] * width
    found: list[Column] = []
    for c in range(width):
        text = rows[r][c] or above[c]
        role = classify(text) if text else None
        if role is not None:
            found.append(Column(c, clean(text), role[0], role[1]))
    return found


def _sides(found: list[Column]) -> list[Column] | None:
    """The columns with neutral school columns and plain per-side columns given their side; None without both
    school sides."""
    sided = {c.side for c in found if c.role is Role.SCHOOL}
    neutral = [c for c in found if c.role is Role.NEUTRAL_SCHOOL]
    own = [c for c in found if c.role is Role.OWN_SCHOOL]
    respondent: Column | None = None
    if len(own) == 1 and len(sided) == 1 and not neutral:
        # 您所在的学校 beside a sided partner column (帮扶学校): the respondent is the other side.
        partner_side = next(iter(sided))
        own_side = Side.SUPPORTED if partner_side is Side.SUPPORTING else Side.SUPPORTING
        respondent = replace(own[0], role=Role.SCHOOL, side=own_side)
        found = [respondent if c is own[0] else c for c in found]
    elif len(own) == 1 and not sided and len(neutral) == 1:
        # An online form's export (您所在的学校 | 结对学校名称): by position for now (left = supporting);
        # read_grid then takes the respondent's side from the title (由…帮扶学校填写) or asks the clerk.
        own_side, partner_side = (Side.SUPPORTING, Side.SUPPORTED) if own[0].index < neutral[0].index else \
            (Side.SUPPORTED, Side.SUPPORTING)  # fmt: skip
        respondent = replace(own[0], role=Role.SCHOOL, side=own_side, guessed=True, respondent=True)
        partner = replace(neutral[0], role=Role.SCHOOL, side=partner_side, guessed=True)
        found = [respondent if c is own[0] else partner if c is neutral[0] else c for c in found]
    elif len(sided) == 1 and len(neutral) == 1:
        other = Side.SUPPORTED if Side.SUPPORTING in sided else Side.SUPPORTING
        found = [replace(c, role=Role.SCHOOL, side=other) if c is neutral[0] else c for c in found]
    elif not sided and len(neutral) == 2:
        # Two school columns without a side word (滨江区结对学校 | 建始县结对学校): the left one is taken as the
        # supporting side for now; read_grid then takes the sides from the sheet's text or asks the clerk.
        given = {neutral[0].index: Side.SUPPORTING, neutral[1].index: Side.SUPPORTED}
        found = [replace(c, role=Role.SCHOOL, side=given[c.index], guessed=True) if c.index in given else c
                 for c in found]  # fmt: skip
    found = [replace(c, role=Role.EXTRA) if c.role in (Role.NEUTRAL_SCHOOL, Role.OWN_SCHOOL) else c for c in found]
    schools = [(c.index, c.side) for c in found if c.role is Role.SCHOOL]
    if {s for _, s in schools} != {Side.SUPPORTING, Side.SUPPORTED}:
        return None
    out: list[Column] = []
    seen_school: set[Side | None] = set()
    seen_group: set[Role] = set()
    for c in found:
        if c.role in (Role.STAGE, Role.LEVEL, Role.COORDINATOR, Role.GROUP):
            if c.role in seen_group:
                c = replace(c, role=Role.EXTRA)  # a second 学段 column: shown, the first one is read
            seen_group.add(c.role)
        elif c.role is Role.SCHOOL:
            if c.side in seen_school:
                c = replace(c, role=Role.EXTRA, side=None)  # a second 支援学校 column: shown, not read
            seen_school.add(c.side)
        elif c.side is None and c.role in (Role.CONTACT, Role.PHONE, Role.TITLE, Role.REGION, Role.PARTY_ORG) \
                and respondent is not None:
            c = replace(c, side=respondent.side)  # a form asks the respondent for its own contact
        elif c.side is None and c.role in (Role.CONTACT, Role.PHONE, Role.TITLE, Role.REGION, Role.PARTY_ORG):
            left = [s for i, s in schools if i < c.index]
            right = [s for i, s in schools if i > c.index]
            c = replace(c, side=left[-1] if left else right[0])
        out.append(c)
    return out


def _sub_header(rows: list[list[str]], r: int, columns: list[Column]) -> list[Column] | None:
    """Row ``r + 1`` read as the second row of a two-row header under row ``r``, when it is one."""
    if r + 1 >= len(rows):
        return None
    top, sub = rows[r], rows[r + 1]
    named = [c for c in range(len(sub)) if sub[c] and sub[c] != top[c] and classify(sub[c]) is not None]
    if len(named) < 2:
        return None
    found = []
    for c in range(len(sub)):
        role = combine(top[c], sub[c])
        if role is not None:
            found.append(Column(c, clean(sub[c] if sub[c] and sub[c] != top[c] else top[c]), role[0], role[1]))
    return _sides(found)


def _under_bands(rows: list[list[str]], r: int) -> list[Column] | None:
    """Row ``r``'s columns with the sides the row above names over them (``丙县（受援）`` over ``学校名称 |
    联系人``): a two-row header whose top row names no school column itself. ``None`` when the row above gives
    no side to both school columns."""
    if r == 0:
        return None
    found = []
    for c in range(len(rows[r])):
        role = combine(rows[r - 1][c], rows[r][c]) if rows[r][c] else None
        if role is not None:
            found.append(Column(c, clean(rows[r][c]), role[0], role[1]))
    columns = _sides(found)
    return columns if columns is not None and not any(c.guessed for c in columns) else None


def find_header(rows: list[list[str]]) -> tuple[Layout | None, bool]:
    """The header of a filled table, and whether the table pairs 县区 instead of schools."""
    looked = 0
    for r, row in enumerate(rows):
        if not any(row):
            continue
        looked += 1
        found = _recognise(rows, r) or []
        columns = _sides(found)
        if columns is not None:
            sub = _sub_header(rows, r, columns)
            if sub is not None:
                return Layout((r, r + 1), sub), False
            banded = _under_bands(rows, r) if any(c.guessed for c in columns) else None
            if banded is not None:
                return Layout((r - 1, r), banded), False
            return Layout((r,), columns), False
        counties = {c.side for c in found if c.role is Role.COUNTY}
        if counties == {Side.SUPPORTING, Side.SUPPORTED}:
            return Layout((r,), found), True
        if looked >= HEADER_SEARCH_ROWS:
            break
    return None, False


def _apply_overrides(layout: Layout, width: int, header: list[str], overrides: Mapping[int, str]) -> Layout:
    columns = {c.index: c for c in layout.columns}
    for index, key in overrides.items():
        if not 0 <= index < width or (key not in _KEY_ROLES and key != "ignore"):
            continue
        if key == "ignore":
            columns.pop(index, None)
            continue
        role, side = _KEY_ROLES[key]
        columns[index] = Column(index, clean(header[index]) if index < len(header) else "", role, side)
    return Layout(layout.header_rows, sorted(columns.values(), key=lambda c: c.index))


def _mapping(grid: Grid, layout: Layout, rows: list[list[str]], used: bool, reason: str = "") -> TableMapping:
    width = len(rows[0]) if rows else 0
    by_index = {c.index: c for c in layout.columns}
    header = rows[layout.header_rows[-1]] if rows else []
    cols = []
    for i in range(width):
        col = by_index.get(i)
        if col is None:
            if any(rows[r][i] for r in layout.header_rows):
                cols.append(ColumnMapping(i, clean(header[i]) or clean(rows[layout.header_rows[0]][i]), "extra"))
            continue
        cols.append(ColumnMapping(i, col.header, ROLE_KEYS.get((col.role, col.side), "extra")))
    numbers = tuple(_number(grid, layout, r) for r in layout.header_rows)
    return TableMapping(grid.table, numbers, tuple(cols), used, reason)


def _number(grid: Grid, layout: Layout | None, r: int) -> int:
    if grid.word_table is not None and layout is not None:
        return r - layout.header_rows[0] + 1
    return grid.numbers[r]


def _context_stage(grid: Grid, rows: list[list[str]], layout: Layout) -> Stage | None:
    """The stage a title row above the header or a heading above the table names (nearest first)."""
    texts = [" ".join(dict.fromkeys(x for x in rows[r] if x)) for r in range(layout.header_rows[0] - 1, -1, -1)]
    for text in [*texts, *reversed(grid.context[-CONTEXT_LINES:])]:
        named, stage = stage_of_text(text)
        if named:
            return stage
    return None


@dataclass
class _TableReader:
    grid: Grid
    source: str
    rows: list[list[str]]
    anchor: dict[tuple[int, int], tuple[int, int]]
    layout: Layout
    notes: list[RosterProblem] = field(default_factory=list)
    reported: set[tuple[int, int]] = field(default_factory=set)
    _merged: tuple[Layout, dict[int, int]] | None = None
    previous: list[str] | None = None
    sections: dict[int, int] = field(default_factory=dict)  # row → first row of its section block

    def number(self, r: int) -> int:
        return _number(self.grid, self.layout, r)

    def note(self, r: int, message: str, value: str) -> None:
        self.notes.append(RosterProblem(ProblemKind.IGNORED, message, self.source, self.grid.sheet, self.number(r),
                                        "", value[:200], table=self.grid.word_table))  # fmt: skip

    def is_anchor(self, r: int, c: int) -> bool:
        return (r, c) not in self.anchor

    def entries(self) -> list[Entry]:
        out: list[Entry] = []
        section: Stage | None = _context_stage(self.grid, self.rows, self.layout)
        coordinator = ""
        r = self.layout.header_rows[-1]
        while r + 1 < len(self.rows):
            r += 1
            row = self.rows[r]
            significant = [c for c in self.layout.columns if c.role not in (Role.SERIAL, Role.EXTRA)]
            values = [(c, row[c]) for c in range(len(row)) if clean(row[c])]
            if not values:
                continue
            first = clean(values[0][1])
            pair = self.pair_cells(r)
            if _FOOTER.match(first) or any(_FOOTER_ANYWHERE.search(v) for c, v in values if c not in pair):
                self.note(r, "表尾的合计、说明或填报信息，未导入", " ".join(dict.fromkeys(clean(v) for _, v in values)))
                continue
            distinct = list(dict.fromkeys(clean(v) for _, v in values))
            stage = section_stage(distinct[0]) if len(distinct) == 1 else None
            if stage is not None:  # a section row: 小学, （三）建立普通高中的结对帮扶
                section = stage
                continue
            if len(values) > 1 and len({self.anchor.get((r, c), (r, c)) for c, _ in values}) == 1:
                self.note(r, "这一行只有说明文字，未导入", distinct[0])  # one merged cell across the row
                continue
            if not any(clean(row[c.index]) for c in significant if c.index < len(row)):
                if not all(self.layout_role(c) is Role.SERIAL for c, _ in values):
                    self.note(r, "这一行没有学校，未导入", " ".join(distinct))
                continue
            school_cols = {self.layout.school(s).index for s in Side}
            if len(distinct) == 1 and not any(c in school_cols for c, _ in values):
                coord = self.layout.one(Role.COORDINATOR)
                if coord is not None and clean(row[coord.index]):
                    coordinator = clean(row[coord.index])  # a lead school on a line above the pairs it leads
                    continue
                self.note(r, "这一行只有说明文字，未导入", distinct[0])
                continue
            head = classify(row[self.layout.school(Side.SUPPORTING).index])  # a header repeated further down?
            columns = _recognise(self.rows, r) if head is not None and head[0] is Role.SCHOOL else None
            if columns and _sides(columns) is not None and r > self.layout.header_rows[-1] + 1:
                layout, _county = find_header(self.rows[r:])
                if layout is not None:  # a header repeated (a second table on the sheet): read on with it
                    self.layout = Layout(tuple(h + r for h in layout.header_rows), layout.columns)
                    r = self.layout.header_rows[-1]
                    section = None
                    continue
            coord = self.layout.one(Role.COORDINATOR)
            if coord is not None:
                coordinator = clean(row[coord.index]) or coordinator
            out.append(self.entry(r, section, coordinator))
        return out

    def pair_cells(self, r: int) -> set[int]:
        """The school columns of row ``r`` when both hold a name in cells of their own: a pair row, where a
        school cell's ``（盖章）`` is the template's stamp note after the name (``东明县第一中学（盖章）``), not a
        footer's 单位（盖章）."""
        cols = [self.layout.school(s).index for s in Side]
        cells = [(self.anchor.get((r, c), (r, c)), clean_name(self.rows[r][c])) for c in cols]
        if all(name for _, name in cells) and cells[0][0] != cells[1][0]:
            return set(cols)
        return set()

    def layout_role(self, c: int) -> Role | None:
        return next((col.role for col in self.layout.columns if col.index == c), None)

    def warn(self, entry: Entry, kind: ProblemKind, message: str, col: Column, value: str) -> None:
        entry.problems.append(_problem(entry, kind, message, col.header, value, self.source))

    def entry(self, r: int, section: Stage | None, coordinator: str) -> Entry:
        row = self.rows[r]
        if self.previous is not None:  # 同上 / 〃 in a school or 学段 cell: the cell of the row above
            cols = [self.layout.school(s).index for s in Side] + [c.index for c in self.layout.of(Role.STAGE)]
            for c in cols:
                if clean(row[c]) in DITTO:
                    row[c] = self.previous[c]
        self.previous = row
        stages: tuple[Stage, ...] = (section,) if section is not None else ()
        entry = Entry(self.number(r), self.grid.sheet, self.grid.word_table, SideCell("", "", ()),
                      SideCell("", "", ()), coordinator=coordinator)  # fmt: skip
        stage_col = self.layout.one(Role.STAGE)
        if stage_col is not None and clean(row[stage_col.index]):
            text = clean(row[stage_col.index])
            found, unknown = parse_stages(text)
            if unknown:
                if self.is_anchor(r, stage_col.index):
                    self.warn(entry, ProblemKind.UNKNOWN_STAGE, f"未知学段：{STAGE_HINT}", stage_col, text)
                stages = ()
            else:
                stages = found
        entry.stages = stages
        entry.stage_field = stage_col.header if stage_col is not None else entry.stage_field
        coord_col = self.layout.one(Role.COORDINATOR)
        entry.coordinator_field = coord_col.header if coord_col is not None else entry.coordinator_field
        level_col = self.layout.one(Role.LEVEL)
        if level_col is not None:
            entry.level_field = level_col.header
        if level_col is not None and clean(row[level_col.index]):
            entry.level = parse_level(clean(row[level_col.index]))
            if entry.level is None and self.is_anchor(r, level_col.index):
                self.warn(entry, ProblemKind.UNKNOWN_LEVEL, "未知层级：应为 市–县、县–乡 或 乡–村", level_col,
                          clean(row[level_col.index]))  # fmt: skip
        keys = []
        for side in Side:
            col = self.layout.school(side)
            cell = SideCell(col.header, clean(row[col.index]), self.side(entry, r, side))
            if side is Side.SUPPORTING:
                entry.supporting = cell
            else:
                entry.supported = cell
        if r in self.merged_rows():
            keys.append(f"m{self.grid.table}:{self.merged_rows()[r]}")
        if r in self.sections:
            keys.append(f"s{self.grid.table}:{self.sections[r]}")
        group_col = self.layout.one(Role.GROUP)
        if group_col is not None and clean(row[group_col.index]):
            keys.insert(0, f"g{self.grid.table}:{clean(row[group_col.index])}")
        entry.group_key = keys[0] if keys else ""
        return entry

    def merged_rows(self) -> dict[int, int]:
        """Row → the first row of its group, for rows tied by a school cell merged down over them."""
        if self._merged is None or self._merged[0] is not self.layout:
            parent: dict[int, int] = {}

            def find(x: int) -> int:
                while parent.setdefault(x, x) != x:
                    x = parent[x]
                return x

            school_cols = {c.index for c in self.layout.columns if c.role is Role.SCHOOL}
            for m in self.grid.merges:
                if m.bottom > m.top and any(m.left <= c <= m.right for c in school_cols):
                    for x in range(m.top + 1, m.bottom + 1):
                        a, b = find(m.top), find(x)
                        parent[max(a, b)] = min(a, b)
            self._merged = (self.layout, {x: find(x) for x in parent})
        return self._merged[1]

    def side(self, entry: Entry, r: int, side: Side) -> tuple[School, ...]:
        row = self.rows[r]
        col = self.layout.school(side)
        names = inherit_prefix(split_names(row[col.index]))
        n = len(names)
        if not n:
            return ()
        people: list[Person] = []
        for c in self.layout.of(Role.CONTACT, side):
            found_people = parse_contacts(_unjustify(row[c.index]))
            people += found_people
            self.check_phones(entry, r, c, [p for person in found_people for p in person.bad])
        phones: list[list[str]] = [[] for _ in names]
        titles: list[list[str]] = [[] for _ in names]
        for c in self.layout.of(Role.PHONE, side):
            found, bad = parse_phones(row[c.index])
            if people_in_cell(row[c.index]):
                extra = parse_contacts(row[c.index])  # a name written in the phone column
                people += [p for p in extra if p.name]
                found = tuple(x for p in extra if not p.name for x in p.phones)
                bad = tuple(x for p in extra for x in p.bad)
            self.check_phones(entry, r, c, list(bad))
            if n == 1 and found and not people_in_cell(row[c.index]):
                found = (clean(row[c.index]),)  # one school's phone cell: kept as written
            for i, part in enumerate(_spread(list(found), n)):
                phones[i] += part
        for c in self.layout.of(Role.TITLE, side):
            words = [w for w in re.split(r"[、，,；;/\n]+", clean(row[c.index])) if w]
            for i, part in enumerate(_spread(words, n)):
                titles[i] += part
        per_school: list[list[Person]] = [[] for _ in names]
        if n == 1 or len(people) <= 1:
            for i in range(n):
                per_school[i] = list(people)
        elif len(people) == n:
            per_school = [[p] for p in people]
        else:
            col0 = self.layout.of(Role.CONTACT, side)[0]
            entry.problems.append(_problem(entry, ProblemKind.COUNT_MISMATCH,
                                           f"这一格写了{len(people)}位联系人，但同一方列出了{n}所学校；请每校一位或只写一位",
                                           col0.header, clean(row[col0.index]), self.source))  # fmt: skip
            per_school[0] = list(people)
        regions = _per_school(row, self.layout.of(Role.REGION, side), n)
        party = _per_school(row, self.layout.of(Role.PARTY_ORG, side), n)
        out = []
        for i, name in enumerate(names):
            ps = per_school[i]
            all_phones = [p for person in ps for p in person.phones] + phones[i]
            all_titles = [person.title for person in ps if person.title] + titles[i]
            out.append(School(
                name=name, region=clean_name(regions[i]), party_org=clean_name(party[i]),
                contact="、".join(p.name for p in ps if p.name), phone="、".join(dict.fromkeys(all_phones)),
                title="、".join(dict.fromkeys(all_titles)),
            ))  # fmt: skip
        return tuple(out)

    def check_phones(self, entry: Entry, r: int, col: Column, bad: list[str]) -> None:
        if bad and self.is_anchor(r, col.index) and (r, col.index) not in self.reported:
            self.reported.add((r, col.index))
            self.warn(entry, ProblemKind.PHONE,
                      f"电话号码格式不对：“{'、'.join(bad)}”不是手机号或固定电话（已原样保留）", col,
                      clean(self.rows[r][col.index]))  # fmt: skip


def people_in_cell(text: str) -> bool:
    """Whether a phone cell also names a person (two CJK characters outside the labels)."""
    return re.search(r"[\u4e00-\u9fff]{2,}", _strip_labels(text)) is not None


def _strip_labels(text: str) -> str:
    return re.sub(r"(办公室|办公电话|手机|电话|座机|固话|联系电话)\s*[:：]?", "", text)


def _unjustify(text: str) -> str:
    """``李 云`` → ``李云``: a justified two-character name inside a contact cell."""
    return re.sub(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])[ \u3000\u00a0]+([\u4e00-\u9fff])(?![\u4e00-\u9fff])",
                  r"\1\2", text)  # fmt: skip


def _spread(items: list[str], n: int) -> list[list[str]]:
    """Values of one cell over ``n`` schools: one each when there are ``n``, else all to every school."""
    if n > 1 and len(items) == n:
        return [[x] for x in items]
    return [list(items) for _ in range(n)]


def _per_school(row: Sequence[str], cols: list[Column], n: int) -> list[str]:
    if not cols:
        return [""] * n
    text = clean(row[cols[0].index])
    parts = [p for p in re.split(r"[、；;\n]", text) if p.strip()] if n > 1 else [text]
    return parts if len(parts) == n else [text] * n


def read_grid(
    grid: Grid, *, source: str, overrides: Mapping[int, str] | None = None, statements: Sequence[str] = ()
) -> tuple[list[Entry], list[RosterProblem], TableMapping | None]:
    """One table's entries, its notes and its mapping (``None`` for a table that is nothing like a roster).

    ``statements`` are texts of the file outside any table (a cover sheet's 填表说明, the notice's lines) that may
    say which region helps which (:func:`_settle_sides`)."""
    rows, anchor = _filled(grid)
    rows = [[cell if isinstance(cell, str) else str(cell) for cell in row] for row in rows]
    if not any(clean(v) for row in rows for v in row):
        return [], [], None
    layout, county = find_header(rows)
    sections: dict[int, int] = {}
    if layout is None:
        blocks = section_blocks(rows)
        if blocks is not None:
            rows, sections = blocks
            layout, county = find_header(rows)
    if layout is None and overrides:
        first = next(r for r, row in enumerate(rows) if any(clean(v) for v in row))
        layout = Layout((first,), [])
    if layout is None:
        return [], [], None
    if overrides:
        layout = _apply_overrides(layout, len(rows[0]), rows[layout.header_rows[-1]], overrides)
        county = False
    if county:
        return [], [], _mapping(grid, layout, rows, False, "这是县区之间的结对安排，不是学校名单，未导入")
    if _sides(list(layout.columns)) is None and not all(
        any(c.role is Role.SCHOOL and c.side is s for c in layout.columns) for s in Side
    ):
        return [], [], _mapping(grid, layout, rows, False, "没有同时指定支援学校列和受援学校列，未导入")
    layout, check = _settle_sides(grid, rows, layout, statements)
    reader = _TableReader(grid, source, rows, anchor, layout, sections=sections)
    entries = reader.entries()
    notes = reader.notes
    if check:
        notes = [RosterProblem(ProblemKind.CHECK_MAPPING,
                               f"表头没有写明哪一方是支援学校：已按{check}导入，请在预览中核对各列的对应关系"
                               "（标题或填表说明写明“甲地帮扶乙地”时会自动识别）",
                               source, grid.sheet, _number(grid, layout, layout.header_rows[-1]),
                               layout.school(Side.SUPPORTING).header, check, table=grid.word_table),
                 *notes]  # fmt: skip
    return entries, notes, _mapping(grid, layout, rows, True)


_SECTION_LABEL = re.compile(r"^(?P<label>[^：:]{1,12})[：:]\s*(?P<name>.+)$")
_SECTION_NOTE = re.compile(r"^(?P<name>.+?)[（(](?P<label>[^（）()]{1,8})[）)]$")
SECTION_COLUMN = "（分段标题行）"
"""The note after the side's header on the column a section-block table gets (``支援学校（分段标题行）``)."""


def section_row(row: Sequence[str]) -> tuple[Side, str] | None:
    """The side and school a section row names, when ``row`` holds one text (a merged row or a single cell):
    ``帮扶学校：融安县幼儿园`` / ``支援学校：X`` / ``X（帮扶）`` / ``X（帮扶学校）`` → (支援, X); ``受援学校：Y`` /
    ``Y（受援）`` → (受援, Y). ``None`` for any other row."""
    texts = list(dict.fromkeys(clean(v) for v in row if clean(v)))
    if len(texts) != 1:
        return None
    for pattern in (_SECTION_LABEL, _SECTION_NOTE):
        match = pattern.match(texts[0])
        if match is None:
            continue
        label = classify(match.group("label"))
        name = clean_name(match.group("name"))
        if label is not None and label[0] is Role.SCHOOL and label[1] is not None and name:
            return label[1], name
    return None


def section_blocks(rows: list[list[str]]) -> tuple[list[list[str]], dict[int, int]] | None:
    """A table of section blocks read as a roster with both school columns: the rows with one more column,
    the side's school of each section row (``帮扶学校：X``) written on every row of its block, as if X's cell were
    merged down over them, and row → the block's first row (the block is one group: X and the schools it
    lists). ``None`` unless the table has section rows of one side and a header with a school column of the
    other side only (``受援学校 | 联系人 | 电话``, or a plain ``学校名称``), above or under the first one.

    Section rows and header rows repeated inside the blocks are blanked in the copy: what they say is in the
    new column."""
    found = {r: sec for r, row in enumerate(rows) if (sec := section_row(row)) is not None}
    sides = {side for side, _name in found.values()}
    if len(sides) != 1:
        return None
    side = sides.pop()
    header = school_col = None
    looked = 0
    for r, row in enumerate(rows):
        if r in found or not any(row):
            continue
        looked += 1
        columns = [c for c in (_recognise(rows, r) or []) if c.role in (Role.SCHOOL, Role.NEUTRAL_SCHOOL)]
        if len(columns) == 1 and columns[0].side in (None, _flip(side)):
            header, school_col = r, columns[0].index
            break
        if looked >= HEADER_SEARCH_ROWS:
            break
    if header is None or school_col is None:
        return None
    width = len(rows[0]) if rows else 0
    out = [[*row, ""] for row in rows]
    out[header][width] = f"{side.value}学校{SECTION_COLUMN}"
    groups: dict[int, int] = {}
    starts = sorted(found)
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(rows)
        out[start] = [""] * (width + 1)
        first = None
        for r in range(start + 1, end):
            cell = rows[r][school_col]
            if r == header or not clean(cell):
                continue
            if clean(cell) == clean(rows[header][school_col]):
                out[r] = [""] * (width + 1)  # the header repeated under a section row
                continue
            out[r][width] = found[start][1]
            first = r if first is None else first
            groups[r] = first
    return out, groups


def _settle_sides(grid: Grid, rows: list[list[str]], layout: Layout, statements: Sequence[str]) -> tuple[Layout, str]:
    """``layout`` with the sides of two school columns named by region only (``滨江区结对学校`` | ``建始县结对学校``,
    or ``学校名称`` under a band ``滨江区``) taken from what the file states (its title, 填表说明, a cover sheet:
    :func:`headers.stated_side`); and, when nothing is stated, what the clerk must check (left = supporting,
    as :func:`_sides` put it), else ``""``."""
    schools = [c for c in layout.columns if c.role is Role.SCHOOL and c.guessed]
    if len(schools) != 2:
        return layout, ""
    top = layout.header_rows[0]

    def region(col: Column) -> str:  # the header's own region, else the band above it (滨江区 over 学校名称)
        above = [rows[r][col.index] for r in (*layout.header_rows, top - 1) if 0 <= r < len(rows)]
        return region_of(col.header) or next((region_of(t) for t in above if region_of(t)), "")

    texts = [" ".join(dict.fromkeys(v for v in rows[r] if v)) for r in range(top)]
    texts += [*grid.context, *statements]
    own = next((c for c in schools if c.respondent), None)
    if own is not None:  # an online form: the title says who filled it in (由…帮扶学校填写, 请被帮扶学校填写)
        said = respondent_side(texts)
        if said is None:
            partner = next(c for c in schools if c is not own)
            first, second = (own, partner) if own.side is Side.SUPPORTING else (partner, own)
            return layout, f"“{first.header}”为支援学校、“{second.header}”为受援学校"
        side: Side | None = Side.SUPPORTING if said is own.side else Side.SUPPORTED
        return _with_side(layout, side), ""
    regions = [region(c) for c in schools]
    side = stated_side(texts, regions[0], regions[1])
    if side is None:
        left, right = (c.header if r in c.header else r + c.header for r, c in zip(regions, schools, strict=True))
        return layout, f"“{left}”为支援学校、“{right}”为受援学校"
    return _with_side(layout, side), ""


def _with_side(layout: Layout, side: Side | None) -> Layout:
    """``layout`` with its guessed sides confirmed (``side`` is supporting: the left column helps) or flipped."""
    flip = side is Side.SUPPORTED
    columns = [replace(c, guessed=False, side=(_flip(c.side) if flip and c.side is not None else c.side))
               for c in layout.columns]  # fmt: skip
    return Layout(layout.header_rows, columns)


def _flip(side: Side) -> Side:
    return Side.SUPPORTED if side is Side.SUPPORTING else Side.SUPPORTING


def import_grids(
    grids: Sequence[Grid],
    *,
    source: str,
    overrides: ColumnOverrides | None = None,
    prose: Sequence[tuple[int, str]] = (),
) -> RosterImport:
    """The import of a file's tables (and, when none is a roster, its pairing prose ``(line number, text)``)."""
    entries: list[Entry] = []
    notes: list[RosterProblem] = []
    tables: list[TableMapping] = []
    # Text outside any roster table (a 填表说明 cover sheet, the notice's lines) may say which region helps which.
    loose = [g for g in grids if find_header(_filled(g)[0])[0] is None]
    statements = [text for _n, text in prose] + [" ".join(v for v in row if v) for g in loose for row in g.rows]
    for grid in grids:
        found, table_notes, mapping = read_grid(grid, source=source, overrides=(overrides or {}).get(grid.table),
                                                statements=statements)  # fmt: skip
        entries += found
        notes += table_notes
        if mapping is not None:
            tables.append(mapping)
        elif any(clean(v) for row in grid.rows for v in row):
            tables.append(TableMapping(grid.table, (), (), False, "找不到同时含支援学校和受援学校的表头，未导入"))
    if not any(t.used for t in tables) and prose:
        entries = prose_entries(prose, source=source)
    roster, problems = assemble(entries, source=source)
    return RosterImport(roster, tuple(problems + notes), tuple(tables))


def prose_entries(lines: Sequence[tuple[int, str]], *, source: str) -> list[Entry]:
    """Entries of a notice's pairing lines (``A、B与C结对；``); a pairing line that does not fit the grammar is an
    ``unreadable_line`` problem (its entry has no schools and carries the problem)."""
    out: list[Entry] = []
    joined: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):  # a pairing line wrapped over two or three lines (a PDF's text layer) is read whole
        number, line = lines[i]
        step = 1
        if not is_pairing_line(line) and line.strip() and not re.search(r"[。；;！？:：]\s*$", line):
            for extra in (1, 2):
                if i + extra < len(lines):
                    candidate = line.strip() + "".join(t.strip() for _, t in lines[i + 1 : i + extra + 1])
                    if is_pairing_line(candidate) and "与" in candidate and parse_pairing_line(candidate):
                        line, step = candidate, extra + 1
                        break
        joined.append((number, line))
        i += step
    for number, line in joined:
        parsed = parse_pairing_line(line)
        if parsed is None and not is_pairing_line(line):
            continue  # body text: only a 与…结对 line that fails the grammar is reported
        if parsed is None:
            problem = RosterProblem(ProblemKind.UNREADABLE_LINE,
                                    "无法识别的结对句：应写作“甲校与乙校结对；”，同一方的多所学校用“、”分隔",
                                    source, "", number, PROSE_FIELD, line.strip())  # fmt: skip
            out.append(Entry(number, "", None, SideCell(PROSE_FIELD, "", ()), SideCell(PROSE_FIELD, "", ()),
                             problems=[problem]))  # fmt: skip
            continue
        helping, helped = parsed
        out.append(Entry(number, "", None,
                         SideCell(PROSE_FIELD, "", tuple(School(n) for n in helping)),
                         SideCell(PROSE_FIELD, "", tuple(School(n) for n in helped))))  # fmt: skip
    return out


def strict_roster(result: RosterImport, grids: Sequence[Grid] = ()) -> Roster:
    """``result``'s roster when it has no problem (notes about ignored rows aside): the strict import.

    Raises :class:`~docgen.errors.RosterErrors` listing every error and warning in row order, or
    :class:`~docgen.errors.RosterError` when no table or line of the file is a roster.
    """
    problems = [p for p in result.problems if p.kind is not ProblemKind.IGNORED]
    if problems:
        raise RosterErrors([RosterError(p.message, source=p.source, row=p.row, field=p.column, value=p.value)
                            for p in problems])  # fmt: skip
    if not result.roster.groups:
        raise no_roster(grids, result)
    return result.roster


EXPECTED = "“支援学校”（或 帮扶学校、甲方）和“受援学校”（或 被帮扶学校、乙方）"


def no_roster(grids: Sequence[Grid], result: RosterImport) -> RosterError:
    """The error for a file that holds no roster at all: which table was not one and why, or the first row of
    the first table when no header was recognised."""
    source = result.roster.source
    if any(p.kind is not ProblemKind.IGNORED for p in result.problems) or any(t.used for t in result.tables):
        return RosterError("没有任何结对：文件中找不到结对行或数据行", source=source)
    county = next((t.reason for t in result.tables if t.header_rows), "")
    if county:
        return RosterError(f"没有任何结对：{county}", source=source)
    for grid in grids:
        rows = [[clean(v) for v in row] for row in grid.rows]
        nonblank = [row for row in rows if any(row)]
        if nonblank:
            looked = min(len(nonblank), HEADER_SEARCH_ROWS)
            return RosterError(f"无法识别表头：前{looked}个非空行中没有一行同时含{EXPECTED}；找到的第一行见“值”",
                               source=source, value="｜".join(v for v in nonblank[0] if v))  # fmt: skip
    if grids:
        return RosterError("文件为空：没有任何内容", source=source)
    return RosterError("没有任何结对：文件中没有表格，也没有“甲校与乙校结对”的句子", source=source)


def parse_roster_rows(rows: Iterable[Sequence[object]], *, source: str = "", first_row: int = 1) -> Roster:
    """The strict import of spreadsheet rows (cell values as openpyxl or csv give them); ``rows`` are
    consecutive, the first being row ``first_row`` of the sheet, so problems name the row the user sees."""
    materialised = [[cell_text(v) for v in row] for row in rows]
    grid = Grid(source, materialised, list(range(first_row, first_row + len(materialised))))
    return strict_roster(import_grids([grid], source=source), [grid])


def parse_notice_text(text: str, *, source: str = "") -> Roster:
    """The strict import of a notice's pairing lines (``A、B与C结对；``), one group per line, in order."""
    result = import_grids([], source=source, prose=list(enumerate(text.splitlines(), start=1)))
    return strict_roster(result)
