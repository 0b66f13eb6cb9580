"""Targets and periodic reports of a program, from its stored pairs and records (rules: docgen/targets.py,
docgen/reports.py). A school account sees its own pairs' counts only; the reports are the bureau's."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from api.models import Program, User
from api.services import programs, regeneration, rosters
from api.services.errors import Invalid, NotFound, rendering_failed
from docgen.errors import DocgenError, ProgramError
from docgen.files import template_reader
from docgen.model import ReportEvery, ReportRule, TargetScope
from docgen.render.converter import PdfConverter
from docgen.render.docx import CompiledTemplate
from docgen.reports import REPORT_TEMPLATE, RenderedReport, build_report, find_rule, render_report, report_rules
from docgen.reports import report_span as domain_report_span
from docgen.targets import TargetProgress, progress


def _progress_json(p: TargetProgress) -> dict[str, Any]:
    t = p.target
    return {
        "key": t.key,
        "title": t.title,
        "unit": t.unit,
        "quantity": p.quantity,
        "per_pair": t.quantity if t.per is TargetScope.PAIR else None,
        "span": {"start": p.span.start.isoformat(), "end": p.span.end.isoformat(), "label": p.span.label},
        "done": p.done,
        "percent": p.percent,
        "reached": p.reached,
        "pairs_reached": p.pairs_reached,
        "note": t.note,
        "source": t.source,
        "parts": list(t.parts),
        "pairs": [
            {
                "pair": c.pair,
                "supporting": c.supporting,
                "supported": c.supported,
                "done": c.done,
                "quantity": c.quantity,
                "reached": c.reached,
            }
            for c in p.pairs
        ],
    }


def _rule_json(rule: ReportRule, as_of: date) -> dict[str, Any]:
    """A report the program has, with the periods a clerk picks from (words, never codes) and the one to
    offer first: the period ``as_of`` falls in."""
    if rule.every is ReportEvery.MONTH:
        parts = [{"part": m, "label": f"{m}月"} for m in range(1, 13)]
        current = as_of.month
    else:
        parts = [{"part": 1, "label": "上半年"}, {"part": 2, "label": "下半年"}]
        current = 1 if as_of.month <= 6 else 2
    due = f"每月{rule.due_day}日前报送" if rule.due_day else ""
    return {
        "key": rule.key, "title": rule.title, "due": due, "parts": parts, "year": as_of.year, "part": current,
    }


def program_progress(session: Session, program_row: Program, as_of: date) -> list[TargetProgress]:
    """Every target of the program over all its pairs up to ``as_of`` (the 台账's 目标完成情况)."""
    pairs = [rosters.group(p) for p in rosters.list_pairs(session, program_row)]
    return progress(programs.domain(program_row), pairs, regeneration.returned_forms(session, program_row), as_of)


def targets(session: Session, user: User, program_row: Program, as_of: date) -> dict[str, Any]:
    """The program's targets against its records up to ``as_of`` (JSON-ready), over the pairs ``user`` may
    see (a school: its own), and the periodic reports the program has."""
    program = programs.domain(program_row)
    pairs = [rosters.group(p) for p in rosters.list_pairs(session, program_row, user)]
    rows = progress(program, pairs, regeneration.returned_forms(session, program_row), as_of)
    return {
        "as_of": as_of.isoformat(),
        "pairs": len(pairs),
        "targets": [_progress_json(p) for p in rows],
        "reports": [_rule_json(r, as_of) for r in report_rules(program)],
    }


def report(
    session: Session,
    program_row: Program,
    key: str,
    year: int,
    part: int,
    templates: Path | None,
    *,
    converter: PdfConverter | None = None,
) -> RenderedReport:
    """The periodic report ``key`` for month (or half-year) ``part`` of ``year``, rendered from the report
    template (DOCX, and PDF with ``converter``). 404 for a report the program does not have, 422 for a
    period that does not exist, for a template that does not fit."""
    program = programs.domain(program_row)
    try:
        rule = find_rule(program, key)
    except ProgramError as exc:
        raise NotFound(exc.message) from None
    try:
        span = domain_report_span(rule, year, part)
    except ValueError as exc:
        raise Invalid(str(exc), [{"field": "part", "message": str(exc)}]) from None
    pairs = [rosters.group(p) for p in rosters.list_pairs(session, program_row)]
    built = build_report(program, rule, pairs, regeneration.returned_forms(session, program_row), span)
    what = f"{rule.title}（{span.label}）"
    try:
        template = CompiledTemplate.compile(template_reader(builtin=templates)(REPORT_TEMPLATE), REPORT_TEMPLATE)
        return render_report(program, built, template, converter=converter)
    except DocgenError as exc:
        raise rendering_failed(f"{what}生成失败", exc) from None
