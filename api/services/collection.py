"""The collection board (回收情况) and the clerk's hold on what counts: excluded uploads, linked copies, forms
filed by hand.

The rule — which copies a pair owes, and whether each is complete, waiting for review, missing or late — is
:func:`docgen.collection.board`; this module loads the program, its pair units and the records that count
(:func:`counted_records`: not of an excluded upload, not a linked copy of another record, filed under a current
pair) and passes Beijing's date. A school account sees the rows of its own pairs only.

The same filled form returned twice (a Word file, then a scan of it) is linked when the second is read
(:func:`link_copy`, rule :func:`docgen.collection.same_form`): one record, the other upload linked to it, never
counted twice. An upload can be excluded (kept and audited, out of the 台账 and the board) and brought back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Program, Record, Upload, User, beijing_today, utcnow
from api.services import audit, programs, records, rosters
from api.services.accounts import require_admin
from api.services.errors import Conflict, Invalid
from docgen import collection
from docgen.collection import STATE_TEXT, Returned, Row, SlotState
from docgen.extraction import FormStatus
from docgen.forms import load_schemas
from docgen.model import PairGroup, owner
from docgen.sheets import xlsx_row


def counted_records(session: Session, program: Program) -> list[Record]:
    """The program's records that count in the 台账 and on the board (oldest first): one per filled form — of a
    record and its linked copies (:attr:`Record.duplicate_of`), the first whose upload is not excluded (so
    excluding the Word file lets its scan count instead, and excluding both counts neither)."""
    rows = session.execute(
        select(Record, Upload.excluded_at)
        .join(Upload, Upload.id == Record.upload_id)
        .where(Record.program_id == program.id)
        .order_by(Record.id)
    ).all()
    chosen: dict[int, Record] = {}  # the first record of the form (its root id) -> the one that counts
    for record, excluded_at in rows:
        root = record.duplicate_of if record.duplicate_of is not None else record.id
        if excluded_at is None and root not in chosen:
            chosen[root] = record
    return sorted(chosen.values(), key=lambda r: r.id)


def _received_on(upload: Upload) -> date:
    return beijing_today(upload.created_at.replace(tzinfo=UTC))


@dataclass(frozen=True)
class Board:
    """The board of one program as one user may see it: its rows, each with the stored pair it belongs to."""

    program: Program
    today: date
    rows: list[Row]
    pair_ids: dict[str, int]  # unit label -> the stored pair's id


def _units(session: Session, program: Program) -> list[PairGroup]:
    pairs = rosters.list_pairs(session, program)
    if not pairs:
        return []
    return list(rosters.roster_of(session, program).units(programs.domain(program).group_policy))


def board(session: Session, user: User, program: Program, today: date | None = None) -> Board:
    """The program's board on ``today`` (default: Beijing's date), with only the rows of pairs ``user`` may see."""
    today = today or beijing_today()
    domain = programs.domain(program)
    current = rosters.list_pairs(session, program)
    current_ids = {p.id for p in current}
    visible = rosters.visible_pairs(session, program, user)
    owners: dict[str, int] = {}  # unit label -> the stored pair it is (or is part of)
    units = []
    for unit in _units(session, program):
        pair = owner(current, unit.label)
        if pair is not None and rosters.pair_visible_to(visible, pair.id):
            owners[unit.label] = pair.id
            units.append(unit)
    uploads = {u.id: u for u in session.scalars(select(Upload).where(Upload.program_id == program.id))}
    returned = [
        Returned(r.pair_label, r.form, FormStatus(r.status), _received_on(uploads[r.upload_id]))
        for r in counted_records(session, program)
        if r.pair_id in current_ids and r.pair_label and r.form
    ]
    rows = collection.board(domain, units, returned, today=today)
    return Board(program, today, rows, owners)


def only(rows: list[Row], which: str | None) -> list[Row]:
    """The rows with a slot in the state ``which`` asks for: ``open`` (missing or late), ``late``; all for None."""
    if which == "late":
        return [r for r in rows if r.has(SlotState.LATE)]
    if which == "open":
        return [r for r in rows if r.open_slots]
    return rows


MISSING_HEADER = ("结对序号", "支援学校", "受援学校", "表格", "份", "状态", "截止日期", "学校", "联系人", "电话")


def missing_rows(program: Program, rows: list[Row]) -> list[list[str]]:
    """One line per school to phone per copy not returned (missing or late), under :data:`MISSING_HEADER`."""
    schemas = load_schemas()
    out = []
    for row in rows:
        for result in row.open_slots:
            slot = result.slot
            for school in slot.schools:
                out.append([
                    row.unit,
                    "、".join(s.name for s in row.supporting),
                    "、".join(s.name for s in row.supported),
                    schemas[slot.form].title,
                    slot.label,
                    STATE_TEXT[result.state],
                    slot.due.isoformat() if slot.due else "",
                    school.name,
                    school.contact,
                    school.phone,
                ])
    return out


def missing_xlsx(found: Board) -> bytes:
    """The phone round's list: every copy not returned with whom to call, as an xlsx workbook."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "未回收"
    ws.append(xlsx_row(ws, [f"{found.program.name} 未回收表格清单（截至 {found.today.isoformat()}）"]))
    ws.append(xlsx_row(ws, list(MISSING_HEADER)))
    for line in missing_rows(found.program, found.rows):
        ws.append(xlsx_row(ws, line))
    for column, width in zip("ABCDEFGHIJ", (9, 24, 24, 22, 8, 10, 12, 24, 10, 14), strict=True):
        ws.column_dimensions[column].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- one form returned twice --------------------------------------------------------------------------


def link_copy(session: Session, record: Record) -> Record | None:
    """Link ``record`` to an earlier record of the same pair that is the same filled form
    (:func:`docgen.collection.same_form`); returns that record, or None when there is none (or it is filed
    under no pair: nothing to compare it with)."""
    if record.form is None or (record.pair_id is None and not record.pair_label) or record.mismatch:
        return None
    try:
        mine = records.extraction_of(record)
    except Invalid:
        return None
    query = (
        select(Record)
        .join(Upload, Upload.id == Record.upload_id)
        .where(
            Record.program_id == record.program_id,
            Record.id != record.id,
            Record.form == record.form,
            Record.pair_label == record.pair_label,
            Record.duplicate_of.is_(None),
            Upload.excluded_at.is_(None),
        )
        .order_by(Record.id)
    )
    if record.pair_id is not None:
        query = query.where(Record.pair_id == record.pair_id)
    for other in session.scalars(query):
        try:
            theirs = records.extraction_of(other)
        except Invalid:
            continue
        if collection.same_form(theirs, mine):
            record.duplicate_of = other.id
            audit.record(session, None, "record.link_copy", f"record:{record.id}", of=other.id)
            return other
    return None


def copies_of(session: Session, record: Record) -> list[Record]:
    """The records linked to ``record`` as other copies of it."""
    return list(session.scalars(select(Record).where(Record.duplicate_of == record.id).order_by(Record.id)))


def unlink(session: Session, user: User, record: Record) -> Record:
    """``record`` is not a copy of another after all: it counts on its own again (admins)."""
    require_admin(user)
    if record.duplicate_of is None:
        raise Conflict(f"记录 {record.id} 不是其他记录的副本")
    old, record.duplicate_of, record.updated_at = record.duplicate_of, None, utcnow()
    audit.record(session, user, "record.unlink_copy", f"record:{record.id}", of=old)
    return record


# --- excluding an upload ------------------------------------------------------------------------------


def exclude(session: Session, user: User, upload: Upload, reason: str) -> Upload:
    """Keep ``upload`` but count its record nowhere (admins); audited, undone by :func:`include`."""
    require_admin(user)
    if upload.excluded_at is not None:
        raise Conflict(f"上传文件“{upload.original_name}”已被排除")
    upload.excluded_at, upload.excluded_by, upload.exclude_reason = utcnow(), user.username, reason.strip()
    audit.record(session, user, "upload.exclude", f"upload:{upload.id}", reason=upload.exclude_reason)
    return upload


def include(session: Session, user: User, upload: Upload) -> Upload:
    """Undo :func:`exclude`: the upload's record counts again (admins)."""
    require_admin(user)
    if upload.excluded_at is None:
        raise Conflict(f"上传文件“{upload.original_name}”未被排除")
    upload.excluded_at, upload.excluded_by, upload.exclude_reason = None, "", ""
    audit.record(session, user, "upload.include", f"upload:{upload.id}")
    return upload


# --- filing by hand -----------------------------------------------------------------------------------


def set_form(session: Session, user: User, record: Record, form: str) -> Record:
    """Say by hand which of the program's forms ``record`` is (admins): for a file nothing recognised."""
    require_admin(user)
    program = session.get(Program, record.program_id)
    assert program is not None
    sent = programs.domain(program).forms
    if form not in sent:
        schemas = load_schemas()
        known = "、".join(schemas[f].title for f in sent) or "无"
        message = f"项目“{program.name}”不下发所选的表格；可选：{known}"
        raise Invalid(message, [{"field": "form", "value": form}])
    old, record.form, record.updated_at = record.form, form, utcnow()
    audit.record(session, user, "record.set_form", f"record:{record.id}", old=old, new=form)
    return record


def record_upload(session: Session, record: Record) -> Upload:
    upload = session.get(Upload, record.upload_id)
    assert upload is not None
    return upload


def collection_info(session: Session, record: Record) -> dict[str, Any]:
    """What the record screen shows about how ``record`` counts: its upload (excluded?), the record it is a copy
    of, its own linked copies, the pages of its original."""
    upload = record_upload(session, record)
    copies = []
    for c in copies_of(session, record):
        cu = record_upload(session, c)
        copies.append({"record_id": c.id, "upload_id": cu.id, "name": cu.original_name, "type": cu.detected_type})
    original = session.get(Record, record.duplicate_of) if record.duplicate_of is not None else None
    return {
        "record_id": record.id,
        "upload_id": upload.id,
        "name": upload.original_name,
        "type": upload.detected_type,
        "pages": int(record.extraction.get("pages") or 1),
        "excluded": upload.excluded_at is not None,
        "excluded_by": upload.excluded_by,
        "exclude_reason": upload.exclude_reason,
        "excluded_at": upload.excluded_at,
        "duplicate_of": original.id if original is not None else None,
        "duplicate_of_name": record_upload(session, original).original_name if original is not None else None,
        "copies": copies,
    }
