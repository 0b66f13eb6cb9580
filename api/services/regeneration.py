"""Clean official documents regenerated from records: a typed 统计表 from a returned one, and the 台账.

* :func:`stats_form_docx` — the program's blank 统计表 template (built-in ``forms/activity_stats``,
  the same one the batch prints) filled with the record's fields and rows; python-docx builds the form in
  the official layout when the template or the record's pair is not available.
* :func:`ledger_rows` — the 台账's rows (the rule is :func:`docgen.ledger.ledger_rows`; this loads the
  program, its pairs and records), written by :func:`ledger_xlsx` and :func:`ledger_docx` (PDF through the
  converter pool).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from sqlalchemy.orm import Session

from api.models import Pair, Program, Record
from api.services import programs, records, rosters
from api.services.errors import Invalid
from docgen import ledger
from docgen.errors import DocgenError
from docgen.extraction import Extraction
from docgen.files import template_reader
from docgen.forms import FormSchema, load_schemas
from docgen.forms.generate import FormKind, form_context, form_media, identity_for
from docgen.ledger import LEDGER_HEADER, LedgerRow, ReturnedForm
from docgen.model import Program as DomainProgram
from docgen.render.docx import CompiledTemplate
from docgen.sheets import xlsx_row

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


def stats_form_docx(session: Session, record: Record, templates: Path | None) -> bytes:
    """The record as a clean typed 统计表 (.docx bytes)."""
    schema = _schema(record)
    program_row = session.get(Program, record.program_id)
    assert program_row is not None
    program = programs.domain(program_row)
    fields, rows = record_fields(record, schema), record_rows(record, schema)
    pair = _pair(session, program_row, record.pair_label)
    if pair is not None and schema.table is not None:
        group = rosters.group(pair)
        context = form_context(program, group, schema)
        context["fields"] = {**context["fields"], **{k: v for k, v in fields.items() if v}}
        blank = dict.fromkeys((c.key for c in schema.table.columns), "")
        padding = [dict(blank) for _ in range(max(0, schema.table.blank_rows - len(rows)))]
        context["table"] = {**(context["table"] or {}), "rows": rows + padding}
        kind = FormKind(schema)
        try:
            compiled = CompiledTemplate.compile(template_reader(builtin=templates)(kind.template), kind.template)
            return compiled.render(context, media=form_media(identity_for(program, group, schema)))
        except DocgenError:
            pass  # no such template, or one that does not fit the record: build the form instead
    return _build_form(program, schema, fields, rows)


def _pair(session: Session, program: Program, label: str | None) -> Pair | None:
    if not label:
        return None
    base = label.split(".")[0]
    return next((p for p in rosters.list_pairs(session, program) if p.label == base), None)


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


def _build_form(
    program: DomainProgram, schema: FormSchema, fields: dict[str, str], rows: list[dict[str, str]]
) -> bytes:
    doc = _new(landscape=True)
    _para(doc, f"{program.name}{schema.title}", "方正小标宋简体", 22, center=True)
    _para(doc, "    ".join(f"{f.label}：{fields.get(f.key, '')}" for f in schema.fields), "仿宋_GB2312", 14)
    if schema.table is not None:
        header = [c.label for c in schema.table.columns]
        _table(doc, header, [[row.get(c.key, "") for c in schema.table.columns] for row in rows])
    return _save(doc)


# --- the 台账 ------------------------------------------------------------------------------------------


def ledger_rows(session: Session, program_row: Program, as_of: date) -> list[LedgerRow]:
    """One row per pair of the program (:func:`docgen.ledger.ledger_rows` over its stored pairs and records)."""
    records = session.query(Record).filter(Record.program_id == program_row.id).order_by(Record.id).all()
    returned = [ReturnedForm(r.pair_label, _extraction(r)) for r in records]
    pairs = [rosters.group(p) for p in rosters.list_pairs(session, program_row)]
    return ledger.ledger_rows(programs.domain(program_row), pairs, returned, as_of)


def _extraction(record: Record) -> Extraction | None:
    """The record as typed data; None for a file that could not be read at all (it still was returned)."""
    try:
        return records.extraction_of(record)
    except Invalid:
        return None


def ledger_xlsx(program: Program, rows: list[LedgerRow], as_of: date) -> bytes:
    """The 台账 as an xlsx workbook."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(xlsx_row(ws, [f"{program.name} 工作台账（截至 {as_of.isoformat()}）"]))
    ws.append(xlsx_row(ws, list(LEDGER_HEADER)))
    for r in rows:
        ws.append(xlsx_row(ws, r.cells()))
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
        [[str(c) for c in r.cells()] for r in rows],
        size=10,
    )
    return _save(doc)
