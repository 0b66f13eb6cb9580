"""Clean official documents regenerated from records: a typed 统计表 from a returned one, and the 台账.

* :func:`record_form` — the record's blank form, exactly as the batch prints it for its pair (for a 统计表
  ``templates/forms/activity_stats.docx``), filled with the record's fields and rows and rendered by the
  batch's own :func:`docgen.batch.render_document`; no second renderer: what cannot be rendered is an error.
* :func:`ledger` — one row per pair: schools, forms received, activities, last activity date and the
  overdue tasks of the program's checklist, as xlsx, docx (and PDF through the converter pool).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from sqlalchemy.orm import Session

from api.models import Program, Record
from api.services import programs, rosters
from api.services.errors import Conflict, rendering_failed
from docgen.batch import DocumentResult, job_context, load_template, plan_document, render_document
from docgen.errors import DocgenError
from docgen.files import template_reader
from docgen.forms import FormSchema, load_schemas
from docgen.forms.generate import KIND_PREFIX, filled_context
from docgen.render.converter import PdfConverter

STATS = "activity_stats"


def _schema(record: Record) -> FormSchema:
    return load_schemas().get(record.form or "") or load_schemas()[STATS]


def record_rows(record: Record, schema: FormSchema) -> list[dict[str, str]]:
    """The record's table rows keyed by the schema's column keys (by label or synonym)."""
    if schema.table is None:
        return []
    out: list[dict[str, str]] = []
    for table in record.extraction.get("tables") or []:
        columns = list(table.get("columns") or [])
        keys = []
        for label in columns:
            spec = next((c for c in schema.table.columns if label in c.labels or label == c.key), None)
            keys.append(spec.key if spec else None)
        for row in table.get("rows") or []:
            cells = {k: str(v or "") for k, v in zip(keys, row, strict=False) if k}
            out.append({c.key: cells.get(c.key, "") for c in schema.table.columns})
    return out


def record_fields(record: Record, schema: FormSchema) -> dict[str, str]:
    """The record's field values keyed by the schema's field keys (by label or synonym)."""
    fields = record.extraction.get("fields") or {}
    out = {}
    for spec in schema.fields:
        value = next((fields[label] for label in (spec.label, *spec.synonyms, spec.key) if label in fields), None)
        out[spec.key] = str((value or {}).get("value") or "")
    return out


def record_form(
    session: Session, record: Record, templates: Path | None, *, converter: PdfConverter | None = None
) -> DocumentResult:
    """The record as a clean official form: the batch's blank form for its pair (same template, QR code
    and identity) filled with the values read and corrected, rendered by :func:`docgen.batch.render_document`
    (and converted to PDF when ``converter`` is given).

    409 when the record's pair or form is not one the program's batches make (there is no form to fill);
    422 when the template does not fit the values, 500 when the PDF conversion failed.
    """
    schema = _schema(record)
    program_row = session.get(Program, record.program_id)
    assert program_row is not None
    program = programs.domain(program_row)
    what = f"记录 {record.id} 的{schema.title}"
    # A per-school form's pair label names the school too: ``03.2`` is the second school of pair 03.
    label, _, school = (record.pair_label or "").partition(".")
    group = rosters.unit(session, program_row, program.group_policy, label) if label else None
    if group is None:
        shown = record.pair_label or "未识别"
        raise Conflict(f"{what}：结对序号“{shown}”不在当前花名册中，无法按模板生成；请先在校对中改正结对序号")
    kind = f"{KIND_PREFIX}{schema.kind}" + (f"#{school}" if schema.per_school and school else "")
    job = plan_document(program, group, kind)
    if job is None:
        raise Conflict(f"{what}：本项目不下发这种表单（{kind}），无法按模板生成")
    try:
        template = load_template(job.kind, template_reader(programs.template_folder(templates)))
    except DocgenError as exc:
        raise rendering_failed(f"{what}生成失败", exc) from None
    context = filled_context(
        job_context(program, job), schema, record_fields(record, schema), record_rows(record, schema)
    )
    result = render_document(program, job, template, converter=converter, context=context)
    if result.error is not None:
        raise rendering_failed(f"{what}生成失败", result.error)
    return result


# --- python-docx builders (official layout: A4, GB/T 9704 margins, 仿宋 body, 小标宋 title) ------------------


def _fonts(run: Any, east_asia: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = east_asia
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    lang = rpr.makeelement(qn("w:lang"), {qn("w:eastAsia"): "zh-CN"})
    rpr.append(lang)


def _new(landscape: bool) -> Any:
    doc = new_docx()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin = section.right_margin = Mm(20)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    return doc


def _para(doc: Any, text: str, font: str, size: float, *, bold: bool = False, center: bool = False) -> None:
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(p.add_run(text), font, size, bold)


def _table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[str]], size: float = 10.5) -> None:
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for i, text in enumerate(header):
        cell = table.rows[0].cells[i]
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(cell.paragraphs[0].add_run(text), "黑体", size)
    for r, row in enumerate(rows, start=1):
        for i, text in enumerate(row):
            _fonts(table.rows[r].cells[i].paragraphs[0].add_run(str(text)), "仿宋_GB2312", size)


def _save(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- the 台账 ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    pair: str
    supporting: str
    supported: str
    forms: int
    activities: int
    last_activity: str
    overdue: list[str]


LEDGER_HEADER = ["结对序号", "支援学校", "受援学校", "回传表单", "活动次数", "最近活动日期", "逾期任务"]


def _activity_date(value: dict[str, Any]) -> str | None:
    norm = value.get("normalized")
    if isinstance(norm, str) and len(norm) == 10:
        return norm
    if isinstance(norm, dict):
        for k in ("end", "start"):
            if isinstance(norm.get(k), str):
                return str(norm[k])
    return None


def ledger_rows(session: Session, program_row: Program, as_of: date) -> list[LedgerRow]:
    """One row per pair. A task is overdue when its due date has passed and the pair shows no evidence:
    fewer recorded activities than the task's ``min_per_year`` (or none at all), and — for tasks without a
    yearly quantity — no returned form. Optional tasks are never overdue. (A heuristic: forms do not say
    which task an activity served.)"""
    program = programs.domain(program_row)
    stats_schema = load_schemas()[STATS]
    activity_labels = set(stats_schema.table.columns[1].labels) if stats_schema.table else set()
    when_labels = set(stats_schema.table.columns[3].labels) if stats_schema.table else set()
    records = session.query(Record).filter(Record.program_id == program_row.id).all()
    out = []
    for pair in rosters.list_pairs(session, program_row):
        mine = [r for r in records if r.pair_label and r.pair_label.split(".")[0] == pair.label]
        activities, last = 0, ""
        for r in mine:
            if r.form != STATS:
                continue
            for table in r.extraction.get("tables") or []:
                columns = list(table.get("columns") or [])
                a_col = next((i for i, c in enumerate(columns) if c in activity_labels), None)
                w_col = next((i for i, c in enumerate(columns) if c in when_labels), None)
                for row_values in table.get("values") or []:
                    if a_col is None or a_col >= len(row_values):  # a short row: nothing in that column
                        continue
                    if str((row_values[a_col] or {}).get("value") or "").strip():
                        activities += 1
                        if w_col is not None and w_col < len(row_values) and row_values[w_col]:
                            d = _activity_date(row_values[w_col])
                            if d and d > last:
                                last = d
        overdue = []
        for task in program.tasks:
            if task.optional or task.due is None or task.due >= as_of:
                continue
            if task.min_per_year is not None:
                if activities < task.min_per_year:
                    overdue.append(f"{task.title}（截止 {task.due.isoformat()}）")
            elif not mine:
                overdue.append(f"{task.title}（截止 {task.due.isoformat()}）")
        out.append(
            LedgerRow(
                pair.label, "、".join(pair.supporting), "、".join(pair.supported), len(mine), activities, last, overdue
            )
        )
    return out


def ledger_xlsx(program: Program, rows: list[LedgerRow], as_of: date) -> bytes:
    """The 台账 as an xlsx workbook."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append([f"{program.name} 工作台账（截至 {as_of.isoformat()}）"])
    ws.append(LEDGER_HEADER)
    for r in rows:
        ws.append([r.pair, r.supporting, r.supported, r.forms, r.activities, r.last_activity, "；".join(r.overdue)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ledger_docx(program: Program, rows: list[LedgerRow], as_of: date) -> bytes:
    """The 台账 as a landscape docx table."""
    doc = _new(landscape=True)
    _para(doc, f"{program.name}工作台账", "方正小标宋简体", 22, center=True)
    _para(doc, f"截至 {as_of.year}年{as_of.month}月{as_of.day}日", "楷体_GB2312", 14, center=True)
    _table(
        doc,
        LEDGER_HEADER,
        [
            [r.pair, r.supporting, r.supported, str(r.forms), str(r.activities), r.last_activity, "；".join(r.overdue)]
            for r in rows
        ],
        size=10,
    )
    return _save(doc)
