"""Clean official documents regenerated from records: a typed 统计表 from a returned one, and the 台账.

* :func:`record_form` — the record's blank form, exactly as the batch prints it for its pair (for a 统计表
  ``templates/forms/activity_stats.docx``), filled with the record's fields and rows and rendered by the
  batch's own :func:`docgen.batch.render_document`; no second renderer: what cannot be rendered is an error.
* :func:`ledger_rows` — the 台账's rows (the rule is :func:`docgen.ledger.ledger_rows`; this loads the
  program, its pairs and records), written by :func:`ledger_xlsx` and :func:`ledger_docx` (PDF through the
  converter pool).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Program, Record, Upload, beijing_today
from api.services import collection, programs, records, rosters
from api.services.errors import Conflict, Invalid, rendering_failed
from docgen import ledger
from docgen.batch import DocumentResult, job_context, load_template, plan_document, render_document
from docgen.errors import DocgenError
from docgen.extraction import Extraction
from docgen.files import template_reader
from docgen.forms import FormSchema, load_schemas
from docgen.forms.generate import KIND_PREFIX, filled_context
from docgen.ledger import LedgerRow, ReturnedForm, ledger_header
from docgen.render.cjk import cjk_run
from docgen.render.converter import PdfConverter
from docgen.sheets import xlsx_row
from docgen.targets import (
    TARGET_HEADER,
    TargetProgress,
    pair_target_header,
    pair_target_rows,
    target_rows,
)

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
    # A form made per school has a pair label naming the school too: ``03.2`` is the second school of pair 03
    # (a 回执, or a 2:1 group's second 备案表 or 统计表).
    label, _, school = (record.pair_label or "").partition(".")
    current = record.pair_id is not None and record.pair_id in rosters.current_ids(session, program_row)
    group = rosters.unit(session, program_row, program.group_policy, label) if label and current else None
    if group is None:
        shown = record.pair_label or "未识别"
        raise Conflict(f"{what}：结对序号“{shown}”不在当前花名册中，无法按模板生成；请先在校对中改正结对序号")
    kind = f"{KIND_PREFIX}{schema.kind}" + (f"#{school}" if school else "")
    job = plan_document(program, group, kind)
    if job is None:
        raise Conflict(f"{what}：本项目不下发这种表单（{kind}），无法按模板生成")
    try:
        template = load_template(job.kind, template_reader(builtin=templates))
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
    cjk_run(p, text, font, size=size, bold=bold)


def _table(
    doc: Any, header: Sequence[str], rows: Sequence[Sequence[str]], size: float = 10.5, widths: Sequence[int] = ()
) -> None:
    """A grid table; ``widths``: relative column widths over the section's text width (else Word's default)."""
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    if widths:
        section = doc.sections[-1]
        usable = section.page_width - section.left_margin - section.right_margin
        table.autofit = False
        for i, w in enumerate(widths):
            width = int(usable * w / sum(widths))
            table.columns[i].width = width  # the grid (LibreOffice lays out by it) and every cell (Word does)
            for cell in table.columns[i].cells:
                cell.width = width
    # the header row repeats on every page of a long table
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for i, text in enumerate(header):
        cell = table.rows[0].cells[i]
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cjk_run(cell.paragraphs[0], text, "黑体", size=size)
    for r, row in enumerate(rows, start=1):
        for i, text in enumerate(row):
            cjk_run(table.rows[r].cells[i].paragraphs[0], str(text), "仿宋_GB2312", size=size)


def _save(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- the 台账 ------------------------------------------------------------------------------------------


def ledger_rows(session: Session, program_row: Program, as_of: date) -> list[LedgerRow]:
    """One row per pair of the program (:func:`docgen.ledger.ledger_rows` over its stored pairs and records)."""
    pairs = [rosters.group(p) for p in rosters.list_pairs(session, program_row)]
    return ledger.ledger_rows(programs.domain(program_row), pairs, returned_forms(session, program_row), as_of)


def returned_forms(session: Session, program_row: Program) -> list[ReturnedForm]:
    """The program's records that count (:func:`api.services.collection.counted_records`: no excluded upload,
    no second copy of a form) as the domain's returned forms — the 台账, the targets and the periodic reports
    count these —, each with the Beijing day its upload arrived."""
    counted = collection.counted_records(session, program_row)
    query = select(Upload.id, Upload.created_at).where(Upload.id.in_({r.upload_id for r in counted}))
    arrived_at = {upload_id: at for upload_id, at in session.execute(query)}
    rows = [(r, arrived_at[r.upload_id]) for r in counted]
    current = rosters.current_ids(session, program_row)
    # a record counts for the pair it belongs to (by its label, which follows the pair): a removed pair's
    # records, or ones filed under no pair, count for none — even when their label is a current pair's now
    return [
        ReturnedForm(
            r.pair_label if r.pair_id in current else None,
            _extraction(r),
            beijing_today(arrived.replace(tzinfo=UTC)),
        )
        for r, arrived in rows
    ]


def _extraction(record: Record) -> Extraction | None:
    """The record as typed data; None for a file that could not be read at all (it still was returned)."""
    try:
        return records.extraction_of(record)
    except Invalid:
        return None


def _as_of_text(as_of: date) -> str:
    return f"{as_of.year}年{as_of.month}月{as_of.day}日"


def ledger_xlsx(
    program: Program, rows: list[LedgerRow], as_of: date, goals: Sequence[TargetProgress] = ()
) -> bytes:
    """The 台账 as an xlsx workbook: a title line, then the header (one column per task) and a row per pair;
    with ``goals`` (the program's targets) a second sheet 目标完成情况."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(xlsx_row(ws, [f"{program.name} 工作台账（截至 {_as_of_text(as_of)}）"]))
    ws.append(xlsx_row(ws, ledger_header(programs.domain(program))))
    for r in rows:
        ws.append(xlsx_row(ws, r.cells()))
    if goals:
        sheet = wb.create_sheet("目标完成情况")
        sheet.append(xlsx_row(sheet, [f"{program.name} 目标完成情况（截至 {_as_of_text(as_of)}）"]))
        sheet.append(xlsx_row(sheet, list(TARGET_HEADER)))
        for cells in target_rows(goals):
            sheet.append(xlsx_row(sheet, cells))
        sheet.append([])
        sheet.append(xlsx_row(sheet, list(pair_target_header(goals))))
        for cells in pair_target_rows(goals):
            sheet.append(xlsx_row(sheet, cells))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# relative widths of the fixed columns (序号, two school columns, three counts); each task column gets TASK_WIDTH
_LEDGER_WIDTHS = (11, 27, 27, 9, 9, 17)
_TASK_WIDTH = 20


def ledger_docx(
    program: Program, rows: list[LedgerRow], as_of: date, goals: Sequence[TargetProgress] = ()
) -> bytes:
    """The 台账 as a landscape A4 docx (and, converted, PDF): title, 截至 date, one table whose columns are
    :func:`docgen.ledger.ledger_header` — the schools wrap inside their columns, one short cell per task; with
    ``goals`` (the program's targets) a 目标完成情况 table after it."""
    doc = _new(landscape=True)
    section = doc.sections[0]
    section.top_margin = section.bottom_margin = Mm(15)
    normal = doc.styles["Normal"].paragraph_format
    normal.space_before, normal.space_after, normal.line_spacing = Pt(0), Pt(0), 1.15  # rows no taller than text
    _para(doc, f"{program.name}工作台账", "方正小标宋简体", 18, center=True)
    _para(doc, f"截至 {_as_of_text(as_of)}", "楷体_GB2312", 12, center=True)
    doc.paragraphs[-1].paragraph_format.space_after = Pt(6)
    header = ledger_header(programs.domain(program))
    widths = [*_LEDGER_WIDTHS, *[_TASK_WIDTH] * (len(header) - len(_LEDGER_WIDTHS))]
    _table(doc, header, [[str(c) for c in r.cells()] for r in rows], size=9, widths=widths)
    if goals:
        _para(doc, "目标完成情况", "黑体", 14)
        _table(doc, TARGET_HEADER, [[str(c) for c in cells] for cells in target_rows(goals)], size=9)
    return _save(doc)
