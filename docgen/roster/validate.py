"""From parsed lines to a :class:`~docgen.model.Roster`: grouping, numbering and the cross-row checks.

Both readers (``tabular`` for spreadsheets, ``notice`` for prose) turn each row or line into an
:class:`Entry`; :func:`build_roster` joins entries that share a 组号, numbers the groups, and checks what
only the whole file can show: a pair listed twice, a school on both sides, a school listed twice in one
cell, rows of one group that disagree. Every problem becomes a :class:`RosterError`; all of them are
raised together as :class:`RosterErrors`, and nothing is imported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace

from docgen.errors import RosterError, RosterErrors
from docgen.model import Level, PairGroup, Roster, School, Stage


@dataclass(frozen=True)
class Entry:
    """One roster row or notice line, parsed but not yet checked against the others.

    ``line`` is the spreadsheet row or text line as the user sees it. The ``*_field`` names are the headers
    as the user wrote them, so errors found later can point at the right column. ``group_key`` is the 组号
    cell: entries with the same non-empty key form one group.
    """

    line: int
    supporting: tuple[School, ...]
    supported: tuple[School, ...]
    level: Level | None = None
    stage: Stage | None = None
    coordinator: str = ""
    group_key: str = ""
    supporting_field: str = "支援学校"
    supported_field: str = "受援学校"
    level_field: str = "层级"
    stage_field: str = "学段"
    coordinator_field: str = "牵头指导学校"


def raise_if_any(errors: Sequence[RosterError]) -> None:
    """Raise every collected error at once, in row order."""
    if errors:
        raise RosterErrors(sorted(errors, key=lambda e: (e.row or 0)))


def merge_school(first: School, later: School) -> School:
    """The same school named on two rows of one group: fields empty in ``first`` are taken from ``later``."""
    changes = {
        f.name: getattr(later, f.name)
        for f in fields(School)
        if getattr(first, f.name) in ("", None) and getattr(later, f.name) not in ("", None)
    }
    return replace(first, **changes) if changes else first


def _add(schools: list[School], school: School) -> None:
    for i, known in enumerate(schools):
        if known.name == school.name:
            schools[i] = merge_school(known, school)
            return
    schools.append(school)


@dataclass
class _Group:
    first: Entry
    supporting: list[School]
    supported: list[School]
    level: Level | None
    stage: Stage | None
    coordinator: str


def _check_repeats(entry: Entry, source: str, errors: list[RosterError]) -> None:
    sides = ((entry.supporting, entry.supporting_field), (entry.supported, entry.supported_field))
    for schools, header in sides:
        seen: set[str] = set()
        for school in schools:
            if school.name in seen:
                errors.append(
                    RosterError("同一格中重复列出了这所学校", source=source, row=entry.line, field=header,
                                value=school.name)
                )
            seen.add(school.name)
    helped = {s.name for s in entry.supported}
    for school in entry.supporting:
        if school.name in helped:
            errors.append(
                RosterError(
                    "同一所学校不能既是支援学校又是受援学校",
                    source=source,
                    row=entry.line,
                    field=entry.supported_field,
                    value=school.name,
                )
            )


def _agree(group: _Group, entry: Entry, source: str, errors: list[RosterError]) -> None:
    """Rows of one 组号 must not contradict each other on level, stage or coordinator."""
    checks: tuple[tuple[str, object, object, str], ...] = (
        ("level", group.level, entry.level, entry.level_field),
        ("stage", group.stage, entry.stage, entry.stage_field),
        ("coordinator", group.coordinator, entry.coordinator, entry.coordinator_field),
    )
    for attr, have, new, header in checks:
        if new in (None, ""):
            continue
        if have in (None, ""):
            setattr(group, attr, new)
        elif have != new:
            errors.append(
                RosterError(
                    f"与同组第{group.first.line}行不一致（第{group.first.line}行为“{have}”）",
                    source=source,
                    row=entry.line,
                    field=header,
                    value=str(new),
                )
            )


def build_roster(entries: Iterable[Entry], *, source: str, errors: list[RosterError] | None = None) -> Roster:
    """Group, number and check ``entries``; raise :class:`RosterErrors` with every problem found.

    ``errors`` may carry problems the reader already found (bad phone, unknown 学段); they are raised
    together with the ones found here. No entry at all is a single :class:`RosterError` (a roster without
    pairs).
    """
    errors = list(errors or [])
    groups: list[_Group] = []
    by_key: dict[str, _Group] = {}
    pair_rows: dict[tuple[str, str], int] = {}
    count = 0
    for entry in entries:
        count += 1
        _check_repeats(entry, source, errors)
        for a in entry.supporting:
            for b in entry.supported:
                first_row = pair_rows.setdefault((a.name, b.name), entry.line)
                if first_row != entry.line:
                    errors.append(
                        RosterError(
                            f"结对重复：第{first_row}行和第{entry.line}行都是“{a.name}”支援“{b.name}”",
                            source=source,
                            row=entry.line,
                            field=entry.supported_field,
                            value=b.name,
                        )
                    )
        group = by_key.get(entry.group_key) if entry.group_key else None
        if group is None:
            group = _Group(entry, [], [], entry.level, entry.stage, entry.coordinator)
            groups.append(group)
            if entry.group_key:
                by_key[entry.group_key] = group
        else:
            _agree(group, entry, source, errors)
            helped = {s.name for s in group.supported} | {s.name for s in entry.supported}
            helping = {s.name for s in group.supporting} | {s.name for s in entry.supporting}
            for name in sorted(helped & helping):
                errors.append(
                    RosterError(
                        f"同一组号“{entry.group_key}”中，这所学校既是支援学校又是受援学校",
                        source=source,
                        row=entry.line,
                        field=entry.supported_field,
                        value=name,
                    )
                )
        for school in entry.supporting:
            _add(group.supporting, school)
        for school in entry.supported:
            _add(group.supported, school)
    raise_if_any(errors)
    if count == 0:
        raise RosterError("没有任何结对：文件中找不到结对行或数据行", source=source)
    return Roster(
        groups=tuple(
            PairGroup(
                number=i,
                supporting=tuple(g.supporting),
                supported=tuple(g.supported),
                level=g.level,
                stage=g.stage,
                source=f"{source}:{g.first.line}",
                coordinator=g.coordinator,
            )
            for i, g in enumerate(groups, start=1)
        ),
        source=source,
    )
