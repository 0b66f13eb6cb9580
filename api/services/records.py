"""Records (what was read from an upload): list, correct one value, export.

A correction names a value by a path into the record's extraction JSON (``Extraction.to_json()``):

* ``fields/<label>`` — a key–value field by its printed label, e.g. ``fields/填报单位``;
* ``tables/<t>/rows/<r>/<c>`` — a table cell, all 0-based, e.g. ``tables/0/rows/2/3``.

The new text is normalised by the value type the form schema gives that field or column (docgen.values), the
value's confidence becomes 1 (a person typed it) unless normalising doubts it, the problems about that value
are dropped, and the record's status is computed again. The old value, who and when are kept in a
:class:`~api.models.Correction` and an :class:`~api.models.AuditEvent`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Correction, Program, Record, Upload, User, utcnow
from api.services import audit, programs, rosters
from api.services.accounts import require_writer
from api.services.errors import Conflict, Invalid, NotFound
from api.services.uploads import MISMATCH_NOTICE
from docgen.forms import ColumnSpec, FieldSpec, FormSchema, ValueType, load_schemas
from docgen.sheets import csv_writer, xlsx_row
from docgen.values import SURE, normalize


def _visible(session: Session, user: User, record: Record, program: Program) -> bool:
    if user.role != "school":
        return True
    if record.pair_label is not None:
        return rosters.label_visible(rosters.visible_labels(session, program, user) or set(), record.pair_label)
    upload = session.get(Upload, record.upload_id)
    return upload is not None and upload.uploaded_by == user.id


def get_record(session: Session, user: User, record_id: int) -> Record:
    """A record the user may see; 404 otherwise."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(f"记录 {record_id} 不存在")
    program = programs.get_program(session, user, record.program_id)
    if not _visible(session, user, record, program):
        raise NotFound(f"记录 {record_id} 不存在")
    return record


def list_records(
    session: Session,
    user: User,
    *,
    program: Program | None = None,
    pair: str | None = None,
    form: str | None = None,
    status: str | None = None,
    mismatch: bool | None = None,
) -> list[Record]:
    """The records the user may see, filtered by program, pair, form, status and identity mismatch."""
    ids = [program.id] if program else [p.id for p in user.programs]
    query = select(Record).where(Record.program_id.in_(ids)).order_by(Record.id)
    if pair:
        query = query.where(Record.pair_label == pair)
    if form:
        query = query.where(Record.form == form)
    if status:
        query = query.where(Record.status == status)
    if mismatch is not None:
        query = query.where(Record.mismatch.is_not(None) if mismatch else Record.mismatch.is_(None))
    cache: dict[int, Program] = {}
    out = []
    for r in session.scalars(query):
        p = cache.setdefault(r.program_id, program or session.get(Program, r.program_id))  # type: ignore[arg-type]
        if _visible(session, user, r, p):
            out.append(r)
    return out


def list_corrections(session: Session, record: Record) -> list[Correction]:
    """The corrections of ``record``, oldest first."""
    return list(session.scalars(select(Correction).where(Correction.record_id == record.id).order_by(Correction.id)))


# --- correcting ---------------------------------------------------------------------------------------


def _json_value(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _json_value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_json_value(x) for x in v]
    return v


def _schema(record: Record) -> FormSchema | None:
    return load_schemas().get(record.form or "")


def _type_for(schema: FormSchema | None, label: str) -> ValueType:
    if schema is None:
        return ValueType.TEXT
    for f in schema.fields:
        if label in f.labels or label == f.key:
            return f.type
    if schema.table is not None:
        for c in schema.table.columns:
            if label in c.labels or label == c.key:
                return c.type
    return ValueType.TEXT


def _keys_of(schema: FormSchema | None, label: str) -> set[str]:
    keys = {label}
    if schema is not None:
        specs: list[FieldSpec | ColumnSpec] = [*schema.fields, *(schema.table.columns if schema.table else ())]
        for spec in specs:
            if label in spec.labels or label == spec.key:
                keys |= {spec.key, *spec.labels}
    return keys


def parse_path(path: str) -> tuple[str, ...]:
    """A correction path split into its parts; :class:`Invalid` (field ``path``) when malformed."""
    parts = tuple(p for p in (path.split("/") if "/" in path else path.split(".")) if p != "")
    if len(parts) == 2 and parts[0] == "fields":
        return parts
    if (
        len(parts) == 5
        and parts[0] == "tables"
        and parts[2] == "rows"
        and all(p.isdigit() for p in (parts[1], parts[3], parts[4]))
    ):
        return parts
    raise Invalid(
        f"路径 {path!r} 无效：应为 fields/<标签> 或 tables/<表>/rows/<行>/<列>（从 0 开始）", [{"field": "path"}]
    )


def _iter_values(extraction: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from (extraction.get("fields") or {}).values()
    for table in extraction.get("tables") or []:
        for row in table.get("values") or []:
            yield from row


def recompute_status(extraction: dict[str, Any], threshold: float = SURE) -> str:
    """complete when no problem remains and every value is sure enough; unreadable stays when nothing was read."""
    if extraction.get("status") == "unreadable" and not extraction.get("fields") and not extraction.get("tables"):
        return "unreadable"
    unsure = any(float(v.get("confidence", 1.0)) < threshold for v in _iter_values(extraction))
    return "needs_review" if unsure or extraction.get("problems") else "complete"


def correct(
    session: Session, user: User, record: Record, path: str, text: str, *, threshold: float = SURE
) -> tuple[Record, Correction]:
    """Set one value of ``record`` from ``text`` (normalised), keep the old one in a Correction."""
    require_writer(user)
    if record.mismatch is not None and user.role == "school":  # held for the bureau: filed under no pair yet
        raise Conflict(f"记录 {record.id} 的表单识别码不属于本校结对（{MISMATCH_NOTICE}），暂不能修改")
    parts = parse_path(path)
    extraction = dict(record.extraction)
    schema = _schema(record)
    if parts[0] == "fields":
        label = parts[1]
        fields = dict(extraction.get("fields") or {})
        known = schema is not None and any(label in f.labels or label == f.key for f in schema.fields)
        if label not in fields and not known:
            raise NotFound(f"记录 {record.id} 没有字段“{label}”")
        old = fields.get(label) or {}
        row_no: int | None = None
        column = label
    else:
        t, r, c = int(parts[1]), int(parts[3]), int(parts[4])
        tables = [dict(x) for x in extraction.get("tables") or []]
        if t >= len(tables):
            raise NotFound(f"记录 {record.id} 没有第 {t + 1} 个表格")
        table = tables[t]
        values = [list(row) for row in table.get("values") or []]
        columns = list(table.get("columns") or [])
        if r >= len(values) or c >= len(columns):
            raise NotFound(f"记录 {record.id} 表格 {t + 1} 没有第 {r + 1} 行第 {c + 1} 列")
        old = values[r][c]
        row_no = r + 1
        column = columns[c]
    kind = _type_for(schema, column)
    normal = normalize(kind, text)
    flags = [*normal.flags, "corrected"]
    new_value = {
        "value": text,
        "normalized": _json_value(normal.normalized),
        "confidence": round(1.0 * normal.factor, 3),
        "flags": flags,
        "where": old.get("where") or {"page": None, "bbox": None, "ref": None},
    }
    if parts[0] == "fields":
        fields[label] = new_value
        extraction["fields"] = fields
    else:
        values[r][c] = new_value
        rows = [list(x) for x in table.get("rows") or []]
        if r < len(rows) and c < len(rows[r]):
            rows[r][c] = text
        table["values"], table["rows"] = values, rows
        tables[t] = table
        extraction["tables"] = tables
    names = _keys_of(schema, column)
    extraction["problems"] = [
        p for p in extraction.get("problems") or [] if not (p.get("field") in names and p.get("row") == row_no)
    ]
    status = recompute_status(extraction, threshold)
    extraction["status"] = status
    correction = Correction(
        record_id=record.id,
        path="/".join(parts),
        old_value=old.get("value"),
        new_value=text,
        user_id=user.id,
        username=user.username,
    )
    session.add(correction)
    record.extraction = extraction
    record.status = status
    record.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        user,
        "record.correct",
        f"record:{record.id}",
        path=correction.path,
        old=correction.old_value,
        new=text,
        status=status,
    )
    return record, correction


# --- export -------------------------------------------------------------------------------------------


def table_rows(records: list[Record]) -> tuple[list[str], list[list[Any]]]:
    """One row per table row of every record (the record's fields repeated); one row for a record without one."""
    field_labels: list[str] = []
    column_labels: list[str] = []
    for r in records:
        for label in r.extraction.get("fields") or {}:
            if label not in field_labels:
                field_labels.append(label)
        for t in r.extraction.get("tables") or []:
            for c in t.get("columns") or []:
                if c not in column_labels:
                    column_labels.append(c)
    header = ["记录", "结对", "表单", "状态", "来源文件", *field_labels, "表格", "行", *column_labels]
    out: list[list[Any]] = []
    for r in records:
        fields = r.extraction.get("fields") or {}
        base = [
            r.id,
            r.pair_label or "",
            r.form or "",
            r.status,
            r.extraction.get("source", ""),
            *[(fields.get(label) or {}).get("value", "") for label in field_labels],
        ]
        wrote = False
        for ti, t in enumerate(r.extraction.get("tables") or []):
            columns = list(t.get("columns") or [])
            for ri, row in enumerate(t.get("rows") or []):
                cells = dict(zip(columns, row, strict=False))
                out.append([*base, ti + 1, ri + 1, *[cells.get(c, "") for c in column_labels]])
                wrote = True
        if not wrote:
            out.append([*base, "", "", *[""] * len(column_labels)])
    return header, out


def export(records: list[Record], fmt: str) -> bytes:
    """``records`` as an xlsx or csv table (:func:`table_rows`)."""
    header, rows = table_rows(records)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv_writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("记录")
        ws.append(xlsx_row(ws, header))
        for row in rows:
            ws.append(xlsx_row(ws, row))
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    raise Invalid(f"导出格式应为 xlsx 或 csv，实际为 {fmt!r}", [{"field": "format", "value": fmt}])
