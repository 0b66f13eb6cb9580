"""The 台账 (work ledger): one row per pair, from the program, its pairs and the forms they returned.

    rows = ledger_rows(program, roster.groups, [ReturnedForm("03", extraction), …], as_of=date(2019, 6, 30))
    [row.cells() for row in rows]     # under LEDGER_HEADER, as the xlsx / docx table prints them

Pure: no I/O, no database. Activities are the filled rows of returned 统计表 (``activity_stats``),
found by the schema's column keys (``activity``, ``when``), never by the printed labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from docgen.extraction import Extraction, Value
from docgen.model import PairGroup, Program
from docgen.values import is_blank

STATS_FORM = "activity_stats"
"""The form whose table rows are the pairs' activities."""

ACTIVITY_COLUMN = "activity"
"""The key of the 统计表 column that names an activity: a row with it filled is one activity."""

WHEN_COLUMN = "when"
"""The key of the 统计表 column with the activity's date."""

LEDGER_HEADER = ("结对序号", "支援学校", "受援学校", "回传表单", "活动次数", "最近活动日期", "逾期任务")


@dataclass(frozen=True)
class ReturnedForm:
    """One returned form: the pair it was filed under (``"03"``, a split pair ``"03.1"``; None when
    unknown) and what was read from it (None when the file could not be read at all: still returned)."""

    pair: str | None
    extraction: Extraction | None
    received: date | None = None  # the day it arrived (periodic reports: who reported by the due day)

    def belongs_to(self, pair: PairGroup) -> bool:
        """Whether the form was filed under ``pair``: its pair label up to the first dot is the pair's label
        (``03.2``, a per-school form of pair 03, is pair 03's)."""
        return bool(self.pair) and (self.pair or "").split(".")[0] == pair.label


@dataclass(frozen=True)
class LedgerRow:
    """One pair's line of the 台账."""

    pair: str
    supporting: str  # the schools, joined with 、
    supported: str
    forms: int  # forms returned under this pair
    activities: int  # filled rows of its returned 统计表
    last_activity: date | None
    overdue: tuple[str, ...]  # 任务（截止 日期）

    def cells(self) -> list[str | int]:
        """The row under :data:`LEDGER_HEADER` (counts as numbers, the date as ``YYYY-MM-DD``)."""
        last = self.last_activity.isoformat() if self.last_activity else ""
        return [self.pair, self.supporting, self.supported, self.forms, self.activities, last, "；".join(self.overdue)]


def activity_date(value: Value) -> date | None:
    """The day a date value points at: the date, or a range's last day; None for a partial date or none."""
    norm = value.normalized
    if isinstance(norm, date):
        return norm
    if isinstance(norm, dict):
        day = norm.get("end") or norm.get("start")
        return day if isinstance(day, date) else None
    return None


def activities(extraction: Extraction) -> tuple[int, date | None]:
    """How many activities a returned 统计表 lists (rows with the activity named) and the latest one's date.
    Any other form counts none."""
    count, last = 0, None
    if extraction.form != STATS_FORM:
        return 0, None
    for table in extraction.tables:
        a_col, w_col = table.column(ACTIVITY_COLUMN), table.column(WHEN_COLUMN)
        if a_col is None:
            continue  # the extra columns a school added, or a table no schema claims
        for row in table.rows:
            if a_col >= len(row) or is_blank(row[a_col].raw):
                continue
            count += 1
            day = activity_date(row[w_col]) if w_col is not None and w_col < len(row) else None
            if day is not None and (last is None or day > last):
                last = day
    return count, last


def ledger_rows(
    program: Program, pairs: Sequence[PairGroup], returned: Sequence[ReturnedForm], as_of: date
) -> list[LedgerRow]:
    """One row per pair, in the order given. A form belongs to the pair whose label is its pair label up to
    the first dot. A task is overdue when its due date is before ``as_of`` and the pair shows no evidence:
    fewer recorded activities than the task's ``min_per_year``, or — for a task without a yearly quantity —
    no returned form at all. Optional tasks are never overdue. (A heuristic: forms do not say which task
    an activity served.)"""
    out = []
    for pair in pairs:
        mine = [f for f in returned if f.belongs_to(pair)]
        count, last = 0, None
        for form in mine:
            if form.extraction is None:
                continue
            n, day = activities(form.extraction)
            count += n
            if day is not None and (last is None or day > last):
                last = day
        overdue = []
        for task in program.tasks:
            if task.optional or task.due is None or task.due >= as_of:
                continue
            missing = count < task.min_per_year if task.min_per_year is not None else not mine
            if missing:
                overdue.append(f"{task.title}（截止 {task.due.isoformat()}）")
        out.append(LedgerRow(
            pair.label,
            "、".join(s.name for s in pair.supporting),
            "、".join(s.name for s in pair.supported),
            len(mine),
            count,
            last,
            tuple(overdue),
        ))
    return out
