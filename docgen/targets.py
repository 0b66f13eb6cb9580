"""How far a program is from its quantitative targets: returned forms summed per pair and for the program.

    progress(program, pairs, [ReturnedForm("03", extraction), …], as_of=date(2019, 6, 30))
    → [TargetProgress(target=…, span=Span(2019-03-01, 2019-08-31, "2019年春季学期"), done=35, quantity=100, …)]

Pure: no I/O. A target (:class:`docgen.model.Target`, from ``targets:`` in program.yaml) counts the filled
rows of a returned form (the 统计表's activities, found by the schema's column keys like the 台账 does) whose
activity names one of the target's words, each row adding 1 (次), the people a column names (人, 人次) or a
count column's amount. Rows dated outside the target's period (or after ``as_of``) do not count; a row without
a date counts only for a target over the whole program period (it cannot be placed in a semester).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from docgen.chinese import format_date
from docgen.extraction import Extraction, Table, Value
from docgen.ledger import ACTIVITY_COLUMN, WHEN_COLUMN, ReturnedForm, activity_date
from docgen.model import PairGroup, Program, Target, TargetMeasure, TargetPeriod, TargetScope
from docgen.values import is_blank


@dataclass(frozen=True)
class Span:
    """A stretch of days (both ends included) and how a report names it (``2019年春季学期``)."""

    start: date
    end: date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def semester_of(day: date) -> Span:
    """The school semester ``day`` falls in: 春季学期 1 March – 31 August, 秋季学期 1 September – the end of
    February of the next year (the Chinese school year; January and February belong to the autumn before)."""
    if 3 <= day.month <= 8:
        return Span(date(day.year, 3, 1), date(day.year, 8, 31), f"{day.year}年春季学期")
    year = day.year if day.month >= 9 else day.year - 1
    return Span(date(year, 9, 1), date(year + 1, 3, 1) - timedelta(days=1), f"{year}年秋季学期")


def month_span(year: int, month: int) -> Span:
    """The calendar month ``year``-``month``."""
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Span(date(year, month, 1), following - timedelta(days=1), f"{year}年{month}月")


def half_year_span(year: int, half: int) -> Span:
    """The first (1: January–June) or second (2: July–December) half of ``year``."""
    if half == 1:
        return Span(date(year, 1, 1), date(year, 6, 30), f"{year}年上半年")
    return Span(date(year, 7, 1), date(year, 12, 31), f"{year}年下半年")


def period_span(program: Program, period: TargetPeriod, as_of: date) -> Span:
    """The period of kind ``period`` that ``as_of`` falls in: the program's whole period (its start and end;
    without them every day up to ``as_of``), the calendar year, or the school semester."""
    if period is TargetPeriod.YEAR:
        return Span(date(as_of.year, 1, 1), date(as_of.year, 12, 31), f"{as_of.year}年")
    if period is TargetPeriod.SEMESTER:
        return semester_of(as_of)
    start = program.period_start or date.min
    end = program.period_end or as_of
    return Span(start, end, "项目期内")


_PEOPLE_SPLIT = re.compile(r"[、，,；;／/\s]+")
# 等3人, 教师5名, 12人次: a stated number of people (NFKC first: ３人); names alone are counted one by one
_PEOPLE_COUNT = re.compile(r"(\d+)\s*(?:人次|人|名)")


def people(value: Value) -> int:
    """How many people a cell names: the count it states (``3名``, ``教师5人``, ``12人次``), else the names it
    lists (``张三、李四`` → 2); 0 for a blank cell."""
    if is_blank(value.raw):
        return 0
    norm = value.normalized
    if isinstance(norm, dict) and isinstance(norm.get("amount"), int | float):
        return int(norm["amount"])
    stated = _PEOPLE_COUNT.findall(unicodedata.normalize("NFKC", value.raw))
    if stated:
        return sum(int(n) for n in stated)
    return len([name for name in _PEOPLE_SPLIT.split(value.raw.strip()) if name])


def _amount(value: Value) -> int:
    """A count cell's amount (``120人次`` → 120; a range counts its lower end; unreadable or blank → 0)."""
    norm = value.normalized
    if isinstance(norm, dict) and isinstance(norm.get("amount"), int | float):
        return int(norm["amount"])
    return 0


@dataclass(frozen=True)
class CountedRow:
    """One row of a returned form that counts for a target: the activity, its day (None: undated), what it adds."""

    activity: str
    day: date | None
    amount: int


def _matches(target: Target, activity: str) -> bool:
    return not target.match or any(word in activity for word in target.match)


def counted_rows(target: Target, extraction: Extraction) -> Iterator[CountedRow]:
    """Every filled row of ``extraction`` that counts for ``target`` (a target made of ``parts`` counts none
    itself), whatever its date."""
    if target.parts or extraction.form != target.form:
        return
    for table in extraction.tables:
        yield from _table_rows(target, table)


def _table_rows(target: Target, table: Table) -> Iterator[CountedRow]:
    a_col, w_col = table.column(ACTIVITY_COLUMN), table.column(WHEN_COLUMN)
    if a_col is None:
        return  # the extra columns a school added, or a table no schema claims
    v_col = table.column(target.column) if target.column else None
    for row in table.rows:
        if a_col >= len(row) or is_blank(row[a_col].raw):
            continue
        activity = row[a_col].raw.strip()
        if not _matches(target, activity):
            continue
        day = activity_date(row[w_col]) if w_col is not None and w_col < len(row) else None
        if target.measure is TargetMeasure.ROWS:
            amount = 1
        elif v_col is None or v_col >= len(row):
            amount = 0
        elif target.measure is TargetMeasure.PEOPLE:
            amount = people(row[v_col])
        else:
            amount = _amount(row[v_col])
        yield CountedRow(activity, day, amount)


@dataclass(frozen=True)
class PairCount:
    """One pair's count for a target: what it did, and for a per-pair target what it should (``quantity``)."""

    pair: str
    supporting: str
    supported: str
    done: int
    quantity: int | None

    @property
    def reached(self) -> bool | None:
        """Whether the pair reached its own quantity (None: the target has none for a pair)."""
        return None if self.quantity is None else self.done >= self.quantity


@dataclass(frozen=True)
class TargetProgress:
    """A target against what the returned forms show, for the period that ``as_of`` falls in.

    ``quantity`` is the program's number: the target's own for a program target, the pairs' quantities
    added up for a per-pair target (None when the notice gives no number); ``done`` the program's count;
    ``pairs`` each pair's share (and, for a per-pair target, its own quantity).
    """

    target: Target
    span: Span
    as_of: date
    done: int
    quantity: int | None
    pairs: tuple[PairCount, ...]

    @property
    def percent(self) -> int | None:
        """``done`` as a whole percentage of ``quantity`` (may pass 100); None without a quantity."""
        return None if not self.quantity else self.done * 100 // self.quantity

    @property
    def reached(self) -> bool | None:
        """Whether the program reached the target: the count for a program target, every pair for a
        per-pair one (None without a quantity)."""
        if self.quantity is None:
            return None
        if self.target.per is TargetScope.PAIR:
            return all(p.reached for p in self.pairs)
        return self.done >= self.quantity

    @property
    def pairs_reached(self) -> int:
        """How many pairs reached their own quantity (0 for a program target)."""
        return sum(1 for p in self.pairs if p.reached)


def _in_window(row: CountedRow, span: Span, as_of: date, whole: bool) -> bool:
    if row.day is None:
        return whole
    return row.day in span and row.day <= as_of


def pair_done(
    target: Target, program: Program, forms: Sequence[ReturnedForm], span: Span, as_of: date
) -> int:
    """What ``forms`` (one pair's returned forms) add up to for ``target`` within ``span`` up to ``as_of``."""
    whole = target.period is TargetPeriod.WHOLE
    counting = [t for t in program.targets if t.key in target.parts] if target.parts else [target]
    total = 0
    for part in counting:
        for form in forms:
            if form.extraction is None:
                continue
            total += sum(r.amount for r in counted_rows(part, form.extraction) if _in_window(r, span, as_of, whole))
    return total


def progress(
    program: Program, pairs: Sequence[PairGroup], returned: Sequence[ReturnedForm], as_of: date
) -> list[TargetProgress]:
    """Every target of ``program``, in program order, summed over ``pairs`` (the pairs the caller may see)
    from the forms they returned, for the period ``as_of`` falls in (a form counts for the pair it was filed
    under: :meth:`ReturnedForm.belongs_to`; forms filed under no pair count for none)."""
    out = []
    for target in program.targets:
        span = period_span(program, target.period, as_of)
        counts = []
        for pair in pairs:
            mine = [f for f in returned if f.belongs_to(pair)]
            counts.append(
                PairCount(
                    pair.label,
                    "、".join(s.name for s in pair.supporting),
                    "、".join(s.name for s in pair.supported),
                    pair_done(target, program, mine, span, as_of),
                    target.quantity if target.per is TargetScope.PAIR else None,
                )
            )
        if target.quantity is None:
            quantity = None
        elif target.per is TargetScope.PAIR:
            quantity = target.quantity * len(pairs)
        else:
            quantity = target.quantity
        out.append(TargetProgress(target, span, as_of, sum(c.done for c in counts), quantity, tuple(counts)))
    return out


def describe(p: TargetProgress) -> str:
    """One sentence a report prints for a target: ``滨江教师支教建始：目标100人次，截至2019年5月31日完成35人次
    （35%）。`` — for a per-pair target how many pairs reached it, without a quantity only the count."""
    t = p.target
    day = format_date(p.as_of)
    period = "" if t.period is TargetPeriod.WHOLE else f"{p.span.label}"
    wording = f"（{t.note}）" if t.note else ""
    if p.quantity is None:
        return f"{t.title}：截至{day}，{period}已开展{p.done}{t.unit}（通知未规定数量）。"
    if t.per is TargetScope.PAIR:
        return (
            f"{t.title}：目标每个结对{period}{t.quantity}{t.unit}{wording}，截至{day}，"
            f"{len(p.pairs)}个结对中{p.pairs_reached}个已完成，合计{p.done}{t.unit}。"
        )
    return f"{t.title}：目标{period}{t.quantity}{t.unit}{wording}，截至{day}完成{p.done}{t.unit}（{p.percent}%）。"


# --- the 台账's target section (api/services/regeneration.py writes it into the xlsx and docx) -------------

TARGET_HEADER = ("目标", "统计期间", "目标数", "已完成", "完成情况")
"""The columns of the 台账's 目标完成情况 table: one row per target."""


def target_rows(rows: Sequence[TargetProgress]) -> list[list[str | int]]:
    """One row per target under :data:`TARGET_HEADER` (counts as numbers; words where there is no number)."""
    out: list[list[str | int]] = []
    for p in rows:
        t = p.target
        if p.quantity is None:
            goal: str | int = "通知未规定"
            state = "—"
        elif t.per is TargetScope.PAIR:
            goal = f"每个结对{t.quantity}{t.unit}"
            state = f"{p.pairs_reached}/{len(p.pairs)} 个结对达标"
        else:
            goal = f"{t.quantity}{t.unit}"
            state = f"{p.percent}%"
        out.append([t.title, p.span.label, goal, f"{p.done}{t.unit}", state])
    return out


def pair_target_header(rows: Sequence[TargetProgress]) -> tuple[str, ...]:
    """The columns of the 台账's per-pair target table: 结对序号, then one per target (``滨江教师支教建始（人次）``)."""
    return ("结对序号", *(f"{p.target.title}（{p.target.unit}）" for p in rows))


def pair_target_rows(rows: Sequence[TargetProgress]) -> list[list[str | int]]:
    """One row per pair under :func:`pair_target_header`: its count for every target."""
    if not rows:
        return []
    return [[pair.pair, *(p.pairs[i].done for p in rows)] for i, pair in enumerate(rows[0].pairs)]
