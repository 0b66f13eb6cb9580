"""Periodic reports a program's notice requires (建始: 工作进展 every month, a half-year summary), from records.

    rule = program.report("monthly")
    report = build_report(program, rule, pairs, returned, report_span(rule, 2019, 5))
    report_context(program, report)   # what docgen/templates/reports/progress_report.docx prints

Pure: no I/O. A pair has reported for a period when a form filed under it arrived within the period; on time
when it arrived by the rule's day of the month (the period's last day when the notice names none). The
activities are the 统计表 rows dated within the period; the targets are :func:`docgen.targets.progress` at
the period's last day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from docgen.chinese import format_date
from docgen.context import citation
from docgen.errors import ConversionError, ProgramError, TextMismatch
from docgen.extraction import Table
from docgen.ledger import ACTIVITY_COLUMN, STATS_FORM, WHEN_COLUMN, ReturnedForm, activity_date
from docgen.model import PairGroup, Program, ReportEvery, ReportRule
from docgen.naming import safe_component
from docgen.proof import FindingKind, ProofReport, proofread
from docgen.render.converter import PdfConverter
from docgen.render.docx import CompiledTemplate
from docgen.targets import Span, TargetProgress, describe, half_year_span, month_span, progress
from docgen.values import is_blank

REPORT_TEMPLATE = "reports/progress_report.docx"
"""The Word template every periodic report renders with (docgen/templates/reports/; a clerk may edit it — a
folder of its own, so it is never offered as an agreement template)."""


class Reported(StrEnum):
    """Whether a pair reported for a period."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"


@dataclass(frozen=True)
class PairReport:
    """One pair's reporting for the period: when its first form arrived (None: nothing arrived)."""

    pair: str
    supporting: str
    supported: str
    status: Reported
    received: date | None

    @property
    def name(self) -> str:
        """``03（滨江区A学校—建始县B学校）``: how a report names the pair."""
        return f"{self.pair}（{self.supporting}—{self.supported}）"


@dataclass(frozen=True)
class Activity:
    """One activity a pair's returned 统计表 lists within the period."""

    pair: str
    day: date | None
    name: str
    staff: str
    beneficiaries: str

    def sentence(self) -> str:
        """``5月12日，结对03开展“专题讲座”，派出人员：张三、李四，受援人次：120人次。``"""
        when = f"{self.day.month}月{self.day.day}日，" if self.day else ""
        parts = [f"{when}结对{self.pair}开展“{self.name}”"]
        if self.staff:
            parts.append(f"派出人员：{self.staff}")
        if self.beneficiaries:
            parts.append(f"受援人次：{self.beneficiaries}")
        return "，".join(parts) + "。"


@dataclass(frozen=True)
class PeriodicReport:
    """A report for one period: who reported, what was done, how far the targets are."""

    rule: ReportRule
    span: Span
    due: date
    pairs: tuple[PairReport, ...]
    activities: tuple[Activity, ...]
    targets: tuple[TargetProgress, ...]

    def with_status(self, status: Reported) -> tuple[PairReport, ...]:
        """The pairs whose reporting is ``status``, in roster order."""
        return tuple(p for p in self.pairs if p.status is status)

    @property
    def dated(self) -> date:
        """The day the report is dated: the bureau's roll-up day in the period's last month (20日), else the
        period's last day."""
        if self.rule.rollup_day is not None:
            return date(self.span.end.year, self.span.end.month, self.rule.rollup_day)
        return self.span.end


def default_rules(program: Program) -> tuple[ReportRule, ...]:
    """The reports of a program whose notice names none: a monthly progress report and a half-year summary
    under the program's name, due at the end of their period (no day is invented)."""
    name = program.forms_heading or program.name
    return (
        ReportRule("monthly", f"{name}工作进展情况", ReportEvery.MONTH),
        ReportRule("half_year", f"{name}半年工作总结", ReportEvery.HALF_YEAR),
    )


def report_rules(program: Program) -> tuple[ReportRule, ...]:
    """The periodic reports of ``program``: its notice's (``reports:``), else :func:`default_rules`."""
    return program.reports or default_rules(program)


def find_rule(program: Program, key: str) -> ReportRule:
    """The program's report ``key`` (:func:`report_rules`); :class:`ProgramError` naming its reports otherwise."""
    rules = report_rules(program)
    for rule in rules:
        if rule.key == key:
            return rule
    known = "、".join(f"{r.key}（{r.title}）" for r in rules)
    raise ProgramError(f"本项目没有报告 {key!r}（本项目的定期报告：{known}）", source=program.key, key="reports")


def report_span(rule: ReportRule, year: int, part: int) -> Span:
    """The period of ``rule`` numbered ``part`` in ``year``: a month 1–12, or a half-year 1–2.
    :class:`ValueError` names the range for another number."""
    if rule.every is ReportEvery.MONTH:
        if not 1 <= part <= 12:
            raise ValueError(f"月份应为 1–12，实际为 {part}")
        return month_span(year, part)
    if part not in (1, 2):
        raise ValueError(f"半年应为 1（上半年）或 2（下半年），实际为 {part}")
    return half_year_span(year, part)


def due_date(rule: ReportRule, span: Span) -> date:
    """When the schools' reports for ``span`` are due: the rule's day in the period's last month, else its
    last day."""
    if rule.due_day is None:
        return span.end
    return date(span.end.year, span.end.month, rule.due_day)


def _cell(table: Table, row: Sequence[Any], key: str) -> str:
    col = table.column(key)
    if col is None or col >= len(row) or is_blank(row[col].raw):
        return ""
    return str(row[col].raw).strip()


def _activities(pair: PairGroup, forms: Sequence[ReturnedForm], span: Span) -> list[Activity]:
    out = []
    for form in forms:
        if form.extraction is None or form.extraction.form != STATS_FORM:
            continue
        for table in form.extraction.tables:
            a_col, w_col = table.column(ACTIVITY_COLUMN), table.column(WHEN_COLUMN)
            if a_col is None:
                continue
            for row in table.rows:
                name = _cell(table, row, ACTIVITY_COLUMN)
                day = activity_date(row[w_col]) if w_col is not None and w_col < len(row) else None
                if name and day in span:
                    out.append(Activity(pair.label, day, name, _cell(table, row, "staff"),
                                        _cell(table, row, "beneficiaries")))
    return out


def build_report(
    program: Program, rule: ReportRule, pairs: Sequence[PairGroup], returned: Sequence[ReturnedForm], span: Span
) -> PeriodicReport:
    """The report of ``rule`` for ``span`` over ``pairs`` (roster order) from the forms they returned."""
    due = due_date(rule, span)
    pair_reports, activities = [], []
    for pair in pairs:
        mine = [f for f in returned if f.belongs_to(pair)]
        arrived = sorted(f.received for f in mine if f.received is not None and f.received in span)
        first = arrived[0] if arrived else None
        status = Reported.MISSING if first is None else Reported.ON_TIME if first <= due else Reported.LATE
        pair_reports.append(PairReport(
            pair.label,
            "、".join(s.name for s in pair.supporting),
            "、".join(s.name for s in pair.supported),
            status,
            first,
        ))
        activities += _activities(pair, mine, span)
    activities.sort(key=lambda a: (a.day or span.end, a.pair))
    targets = progress(program, pairs, returned, span.end)
    return PeriodicReport(rule, span, due, tuple(pair_reports), tuple(activities), tuple(targets))


def report_context(program: Program, report: PeriodicReport) -> dict[str, Any]:
    """What the report template prints (every value text, so a clerk's template edit needs no code)."""
    rule, span = report.rule, report.span
    on_time, late, missing = (report.with_status(s) for s in Reported)
    cited = citation(program)
    basis = f"根据{cited}要求，" if cited else ""
    summary = (
        f"本期应报送的结对{len(report.pairs)}个，按时报送{len(on_time)}个，逾期报送{len(late)}个，"
        f"未报送{len(missing)}个（报送截止日期：{format_date(report.due)}）。"
    )
    return {
        "title": rule.title,
        "period": span.label,
        "issuer": program.issuer or program.name,
        "receivers": "、".join(rule.rollup_to),
        "intro": f"{basis}现将{program.name}{span.label}工作情况报告如下。",
        "summary": summary,
        "missing": [p.name for p in missing],
        "late": [f"{p.name}，{format_date(p.received)}报送" for p in late],
        "activities": [a.sentence() for a in report.activities],
        "targets": [f"{i}．{describe(t)}" for i, t in enumerate(report.targets, start=1)],
        "date": format_date(report.dated),
    }


# --- rendering: the same template engine, converter and proof as every other document ----------------------


@dataclass(frozen=True)
class RenderedReport:
    """A rendered report: its .docx, its PDF (None without a converter) and the proofreading of it."""

    name: str  # the file stem: 东西部教育扶贫协作工作进展情况（2019年5月）
    docx: bytes
    pdf: bytes | None
    pages: int | None
    proof: ProofReport


def report_name(report: PeriodicReport) -> str:
    """The report's file stem (no path characters: titles and period labels are program data)."""
    return safe_component(f"{report.rule.title}（{report.span.label}）")


def render_report(
    program: Program, report: PeriodicReport, template: CompiledTemplate, *, converter: PdfConverter | None = None
) -> RenderedReport:
    """The report as a .docx from ``template`` (:data:`REPORT_TEMPLATE`, compiled like every template) and,
    with ``converter``, its PDF, proofread like an agreement (text lost between DOCX and PDF, placeholders,
    grid, title, seal). Raises :class:`~docgen.errors.TemplateError` for a template that does not fit the data,
    :class:`~docgen.errors.ConversionError` when the PDF cannot be made and
    :class:`~docgen.errors.TextMismatch` when it lost text the .docx has."""
    name = report_name(report)
    docx = template.render(report_context(program, report))
    if converter is None:
        return RenderedReport(name, docx, None, None, proofread(f"{name}.docx", docx, None))
    [converted] = converter.convert_many([(name, docx)])
    if converted.pdf is None:
        raise ConversionError(f"{name}：PDF 转换失败：{converted.error}")
    proof = proofread(f"{name}.pdf", docx, converted.layout)
    lost = [f for f in proof.findings if f.kind is FindingKind.TEXT]
    if lost:  # as in the batch: a PDF that does not say what the .docx says is not sent
        raise TextMismatch(f"{name}：PDF 与 DOCX 文字不一致：{lost[0].message}")
    return RenderedReport(name, docx, converted.pdf, converted.pages, proof)
