"""The 台账 (work ledger): one row per pair, from the program, its pairs and the forms they returned.

    rows = ledger_rows(program, roster.groups, [ReturnedForm("03", extraction), …], as_of=date(2019, 6, 30))
    [row.cells() for row in rows]     # under ledger_header(program), as the xlsx / docx / PDF table prints them

One column per task of the program's checklist: 已完成 / 逾期 / 未到期 / 自选 (with the activities counted
against a yearly quantity), never a wall of overdue text.

Pure: no I/O, no database. Activities are the filled rows of returned 统计表 (``activity_stats``),
found by the schema's column keys (``activity``, ``when``), never by the printed labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from docgen.chinese import format_date
from docgen.extraction import Extraction, Value
from docgen.model import PairGroup, Program, Task
from docgen.values import is_blank

STATS_FORM = "activity_stats"
"""The form whose table rows are the pairs' activities."""

ACTIVITY_COLUMN = "activity"
"""The key of the 统计表 column that names an activity: a row with it filled is one activity."""

WHEN_COLUMN = "when"
"""The key of the 统计表 column with the activity's date."""

LEDGER_HEADER = ("结对序号", "支援学校", "受援学校", "回传表单", "活动次数", "最近活动日期")
"""The 台账's fixed columns; one column per task of the program follows (:func:`ledger_header`)."""


class TaskState(StrEnum):
    """Where a pair stands on one task of the checklist, as of the 台账's 截至 date."""

    DONE = "done"
    OVERDUE = "overdue"
    OPEN = "open"
    OPTIONAL = "optional"

    @property
    def label(self) -> str:
        """The words a clerk reads (the 台账 cell starts with them)."""
        return TASK_STATE_TEXT[self]


TASK_STATE_TEXT: dict[TaskState, str] = {
    TaskState.DONE: "已完成",
    TaskState.OVERDUE: "逾期",
    TaskState.OPEN: "未到期",
    TaskState.OPTIONAL: "自选",
}


@dataclass(frozen=True)
class TaskCell:
    """One pair's standing on one task: the state and what it rests on (``count`` activities of
    ``needed``, when the task has a yearly quantity)."""

    state: TaskState
    count: int | None = None
    needed: int | None = None

    def text(self) -> str:
        """``已完成``, ``逾期（1/2次）``, ``未到期``, ``自选``."""
        if self.needed is not None and self.state is not TaskState.OPTIONAL:
            return f"{self.state.label}（{self.count}/{self.needed}次）"
        return self.state.label


def task_heading(task: Task) -> str:
    """A task's column heading: its title and due date (``互派教师开展教研交流活动（11月30日前）``)."""
    if task.due is None:
        return task.title
    return f"{task.title}（{format_date(task.due)}前）"


def ledger_header(program: Program) -> list[str]:
    """The 台账's columns for ``program``: :data:`LEDGER_HEADER`, then one per task in checklist order."""
    return [*LEDGER_HEADER, *(task_heading(t) for t in program.tasks)]


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
    """One pair's line of the 台账: counts, and one :class:`TaskCell` per task of the program."""

    pair: str
    supporting: str  # the schools, joined with 、
    supported: str
    forms: int  # forms returned under this pair
    activities: int  # filled rows of its returned 统计表
    last_activity: date | None
    tasks: tuple[TaskCell, ...] = ()

    def cells(self) -> list[str | int]:
        """The row under :func:`ledger_header` (counts as numbers, the date as ``2019年4月23日``)."""
        last = format_date(self.last_activity) if self.last_activity else ""
        return [self.pair, self.supporting, self.supported, self.forms, self.activities, last,
                *(t.text() for t in self.tasks)]  # fmt: skip

    @property
    def overdue(self) -> tuple[int, ...]:
        """The indexes (in the program's task list) of the tasks this pair is late on."""
        return tuple(i for i, t in enumerate(self.tasks) if t.state is TaskState.OVERDUE)


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


def task_cell(task: Task, mine: Sequence[ReturnedForm], activities_done: int, as_of: date) -> TaskCell:
    """A pair's standing on ``task`` from the forms it returned (``mine``) and its activities, as of ``as_of``.

    The evidence: for a task with a yearly quantity (``min_per_year``), that many recorded activities; for a
    task that returns a form (``form``), that form returned; otherwise any returned form (a heuristic: forms do
    not say which task an activity served). Without the evidence a task is overdue once its due date is
    before ``as_of``; an optional task is never overdue."""
    needed = task.min_per_year
    if needed is not None:
        done = activities_done >= needed
    elif task.form:
        done = any(f.extraction is not None and f.extraction.form == task.form for f in mine)
    else:
        done = bool(mine)
    count = activities_done if needed is not None else None
    if done:
        return TaskCell(TaskState.DONE, count, needed)
    if task.optional:
        return TaskCell(TaskState.OPTIONAL, count, needed)
    if task.due is not None and task.due < as_of:
        return TaskCell(TaskState.OVERDUE, count, needed)
    return TaskCell(TaskState.OPEN, count, needed)


def ledger_rows(
    program: Program, pairs: Sequence[PairGroup], returned: Sequence[ReturnedForm], as_of: date
) -> list[LedgerRow]:
    """One row per pair, in the order given, with one :class:`TaskCell` per task (:func:`task_cell`). A form
    belongs to the pair whose label is its pair label up to the first dot."""
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
        out.append(LedgerRow(
            pair.label,
            "、".join(s.name for s in pair.supporting),
            "、".join(s.name for s in pair.supported),
            len(mine),
            count,
            last,
            tuple(task_cell(task, mine, count, as_of) for task in program.tasks),
        ))
    return out
