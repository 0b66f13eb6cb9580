"""Records (what was read from an upload): list, correct one value, export.

A correction names a value by a path into the record's extraction JSON (``Extraction.to_json()``):
``fields/<key>`` (``fields/filled_on``; the printed label ``fields/填报时间`` works too) or
``tables/<t>/rows/<r>/<c>`` (0-based). The rule — how the text is normalised, when it counts as certain,
what problem stays, the record's status — is :func:`docgen.review.correct`; this module loads the record as
an :class:`~docgen.extraction.Extraction`, passes the program's year and the service's review threshold,
and keeps the old value, who and when in a :class:`~api.models.Correction` and an
:class:`~api.models.AuditEvent`.
"""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.models import Correction, Pair, Program, Record, Upload, User, utcnow
from api.services import audit, programs, rosters
from api.services.accounts import require_writer
from api.services.errors import Conflict, Invalid, NotFound
from api.services.uploads import MISMATCH_NOTICE
from docgen import review
from docgen.errors import BadPath, NoSuchValue
from docgen.extraction import Extraction, FormStatus
from docgen.forms import FormSchema, load_schemas
from docgen.sheets import csv_writer, xlsx_row
from docgen.values import shown


def _visible(session: Session, user: User, record: Record, program: Program) -> bool:
    if user.role != "school":
        return True
    if record.pair_id is not None:
        return rosters.pair_visible_to(rosters.visible_pairs(session, program, user), record.pair_id)
    upload = session.get(Upload, record.upload_id)
    return upload is not None and upload.uploaded_by == user.id


def get_record(session: Session, user: User, record_id: int) -> Record:
    """A record the user may see; 404 otherwise."""
    return programs.get_in_program(session, user, Record, record_id, "记录", lambda r, p: _visible(session, user, r, p))


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
    """The records the user may see, filtered by program, pair, form, status and identity mismatch.

    ``pair`` is a label of the current roster: a removed pair's records that had the same label are not its.
    """
    ids = [program.id] if program else [p.id for p in user.programs]
    query = select(Record).where(Record.program_id.in_(ids)).order_by(Record.id)
    if pair:
        current = select(Pair.id).where(Pair.program_id.in_(ids), Pair.removed_at.is_(None))
        query = query.where(Record.pair_label == pair, or_(Record.pair_id.is_(None), Record.pair_id.in_(current)))
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


def _schema(record: Record) -> FormSchema | None:
    return load_schemas().get(record.form or "")


def extraction_of(record: Record) -> Extraction:
    """The record's extraction as typed domain data (one stored before fields were keyed is re-keyed);
    :class:`Invalid` when the stored JSON is not an extraction (a file that could not be read at all)."""
    try:
        extraction = Extraction.from_json(record.extraction)
    except (KeyError, TypeError, ValueError):
        raise Invalid(f"记录 {record.id} 没有可修改的值（文件未能读取）", [{"field": "path"}]) from None
    return review.with_schema_keys(extraction, _schema(record))


def correct(
    session: Session, user: User, record: Record, path: str, text: str, *, threshold: float
) -> tuple[Record, Correction]:
    """Set one value of ``record`` from ``text`` (:func:`docgen.review.correct` with the program's year and
    the service's review ``threshold``); the old value, who and when are kept in a Correction."""
    require_writer(user)
    if record.mismatch is not None and user.role == "school":  # held for the bureau: filed under no pair yet
        raise Conflict(f"记录 {record.id} 的表单识别码不属于本校结对（{MISMATCH_NOTICE}），暂不能修改")
    program = session.get(Program, record.program_id)
    assert program is not None
    programs.require_active(program)
    schema = _schema(record)
    before = extraction_of(record)
    try:
        old = review.value_at(before, path, schema=schema)
        after = review.correct(
            before, path, text, schema=schema, context_year=programs.domain(program).year, threshold=threshold
        )
        canonical = review.canonical_path(path)
    except BadPath as exc:
        raise Invalid(str(exc), [{"field": "path", "value": path}]) from None
    except NoSuchValue as exc:
        raise NotFound(f"记录 {record.id} {exc}") from None
    correction = Correction(
        record_id=record.id,
        path=canonical,
        old_value=old.raw if old is not None else None,
        new_value=text,
        user_id=user.id,
        username=user.username,
    )
    session.add(correction)
    record.extraction = after.to_json()
    record.status = after.status.value
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
        status=record.status,
    )
    return record, correction


# --- export -------------------------------------------------------------------------------------------


def as_read(value: Any) -> str:
    """A value of a record's JSON as the export writes it: its normalised form in the words the web UI shows
    (``docgen.values.shown``), or the text as read when it has none (unreadable, a vague date, a blank)."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    return shown(value.get("type"), value.get("normalized")) or str(value.get("value") or "")


def table_rows(records: list[Record]) -> tuple[list[str], list[list[Any]]]:
    """One row per table row of every record (the record's fields repeated); one row for a record without one."""
    field_labels: list[str] = []  # field keys, in order of appearance
    names: dict[str, str] = {}  # field key → its printed label (the header)
    column_labels: list[str] = []
    for r in records:
        for label, value in (r.extraction.get("fields") or {}).items():
            if label not in field_labels:
                field_labels.append(label)
                names[label] = str((value or {}).get("label") or label)
        for t in r.extraction.get("tables") or []:
            for c in t.get("columns") or []:
                if c not in column_labels:
                    column_labels.append(c)
    header = ["记录", "结对", "表单", "状态", "来源文件", *(names[k] for k in field_labels), "表格", "行",
              *column_labels]
    out: list[list[Any]] = []
    for r in records:
        fields = r.extraction.get("fields") or {}
        schema = _schema(r)
        base = [
            r.id,
            r.pair_label or "",
            # a clerk opens this in Excel: the form's title and the status in words, never their codes
            schema.title if schema is not None else (r.form or ""),
            FormStatus(r.status).label,
            r.extraction.get("source", ""),
            *[as_read(fields.get(label)) for label in field_labels],
        ]
        wrote = False
        for ti, t in enumerate(r.extraction.get("tables") or []):
            columns = list(t.get("columns") or [])
            values = t.get("values") or []
            for ri, row in enumerate(t.get("rows") or []):
                # a row read before values were kept beside the text: its text as read
                shown_row = [as_read(v) for v in values[ri]] if ri < len(values) else row
                cells = dict(zip(columns, shown_row, strict=False))
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
