"""Program set-up from the web UI: the 新建项目 form's defaults, create and edit from the form's JSON, copy,
export, archive and delete.

The form sends the mapping a ``program.yaml`` holds (``docgen.program_file``): the server parses it with the
one loader (``docgen.program.parse_program``), so the form and the file obey the same rules and the same
Chinese errors; what is stored is the program file the loader reads (``Program.yaml_text``, the export).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.blobs import BlobError, BlobStore
from api.models import (
    AuditEvent,
    BatchJob,
    Correction,
    Document,
    Pair,
    Program,
    Record,
    SchoolNameRow,
    Template,
    Upload,
    User,
    utcnow,
)
from api.services import audit, programs, templates
from api.services.accounts import require_admin
from api.services.errors import Conflict, Invalid
from docgen.errors import ProgramError
from docgen.model import Program as DomainProgram
from docgen.model import Stage
from docgen.program import parse_program
from docgen.program_file import dump_program_yaml, json_data
from docgen.program_setup import MEASURE_COLUMN, TARGET_FORM, new_program, suggest_key, template_defaults

log = logging.getLogger(__name__)

FORM_SOURCE = "项目表单"


def _taken(session: Session) -> set[str]:
    return set(session.scalars(select(Program.key)))


def defaults(session: Session, user: User, templates_dir: Path | None) -> dict[str, Any]:
    """What the 新建项目 form starts from: a new program on the first template (a free key suggested), every
    template the admin may name with its defaults, and the stages a program may default to."""
    require_admin(user)
    listed = templates.list_templates(session, user, templates_dir)
    # 学校党建共建协议书 (seed 000) first when it is there: the kind most programs sign
    names = [t.name for t in listed]
    first = "party_building" if "party_building" in names or not names else names[0]
    return {
        "program": new_program(first, key=suggest_key(None, _taken(session))),
        "templates": [
            {"name": t.name, "source": t.source, "title": t.title, "defaults": template_defaults(t.name, t.title)}
            for t in listed
        ],
        "stages": [s.value for s in Stage],
        "measure_columns": dict(MEASURE_COLUMN),
        "target_form": TARGET_FORM,
    }


def suggested_key(session: Session, user: User, year: int | None) -> str:
    """A free key for a new program of ``year``."""
    require_admin(user)
    return suggest_key(year, _taken(session))


def parse_data(data: Any) -> DomainProgram:
    """The program of the form's JSON; :class:`Invalid` naming the field in Chinese (docgen.program_file)."""
    try:
        return parse_program(data, source=FORM_SOURCE)
    except ProgramError as exc:
        raise programs.invalid_program(exc) from None


def create(
    session: Session, user: User, data: Any, blobs: BlobStore, templates_dir: Path | None
) -> Program:
    """A new program from the form (admins): validated as a program file is, stored as the file it makes."""
    require_admin(user)
    parsed = parse_data(data)
    return programs.create_program(session, dump_program_yaml(parsed), user, blobs, templates_dir=templates_dir)


@dataclass(frozen=True)
class Contents:
    """What a program holds: shown before it is deleted, and why its key is fixed once forms went out."""

    pairs: int
    documents: int
    batches: int
    uploads: int
    records: int
    corrections: int
    school_names: int
    files: int = 0  # stored files (uploads, generated documents, ZIPs, roster files) no other program shares

    @property
    def issued(self) -> bool:
        """Documents or forms went out, or returns came in: the key is printed on them (``DG1:<key>:…``)."""
        return bool(self.documents or self.batches or self.uploads)


def contents(session: Session, program: Program) -> Contents:
    """The counts of everything that belongs to ``program``."""

    def count(model: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(model.program_id == program.id)) or 0)

    corrections = session.scalar(
        select(func.count()).select_from(Correction).join(Record, Record.id == Correction.record_id)
        .where(Record.program_id == program.id)
    )
    return Contents(
        pairs=count(Pair),
        documents=count(Document),
        batches=count(BatchJob),
        uploads=count(Upload),
        records=count(Record),
        corrections=int(corrections or 0),
        school_names=count(SchoolNameRow),
        files=len(own_files(session, program.id)),
    )


# the audit events that keep a stored roster file (api.services.roster_preview: ``blob`` in their detail)
_ROSTER_FILE_EVENTS = ("roster.confirm",)


def _file_keys(session: Session, program_id: int | None, *, other: bool) -> set[str]:
    """The blob keys the rows of ``program_id`` reference (``other``: the rows of every other program, the
    uploaded templates and the roster files audited outside it)."""

    def where(column: Any) -> Any:
        return column != program_id if other else column == program_id

    keys: set[str] = set()
    keys.update(session.scalars(select(Document.blob_key).where(where(Document.program_id))))
    keys.update(session.scalars(select(Upload.blob_key).where(where(Upload.program_id))))
    keys.update(
        k for k in session.scalars(select(BatchJob.archive_key).where(where(BatchJob.program_id))) if k is not None
    )
    events = select(AuditEvent.program_id, AuditEvent.detail).where(AuditEvent.action.in_(_ROSTER_FILE_EVENTS))
    for event_program, detail in session.execute(events):
        mine = event_program == program_id
        if mine != other and isinstance(detail, dict) and isinstance(detail.get("blob"), str):
            keys.add(detail["blob"])
    if other:
        keys.update(session.scalars(select(Template.blob_key)))
    return keys


def own_files(session: Session, program_id: int) -> set[str]:
    """The stored files only ``program_id`` references: what deleting it removes from the blob store. The store
    is content-addressed — the same bytes uploaded to two programs are one file — so a file another program,
    an uploaded template or another program's roster import still references is kept."""
    return _file_keys(session, program_id, other=False) - _file_keys(session, program_id, other=True)


def remove_files(session: Session, blobs: BlobStore, candidates: set[str]) -> int:
    """Delete the ``candidates`` (:func:`own_files` taken before the program was deleted and committed) that
    nothing references now — looked up again, so that a file another program received meanwhile is kept.
    Returns how many were removed; a file the store cannot delete stays (logged: unreferenced, harmless)."""
    if not candidates:
        return 0
    still = _file_keys(session, None, other=True)
    removed = 0
    for key in sorted(candidates - still):
        try:
            blobs.delete(key)
        except BlobError as exc:
            log.warning("could not delete the stored file %s of a deleted program: %s", key, exc)
            continue
        removed += 1
    return removed


def data(session: Session, user: User, program: Program) -> dict[str, Any]:
    """The program as the form edits it, whether its key may still change, and a free key for a copy."""
    require_admin(user)
    domain = programs.domain(program)
    return {
        "program": json_data(domain),
        "archived": program.archived,
        "key_locked": contents(session, program).issued,
        "copy_key": suggest_key(None, _taken(session), base=program.key),
    }


def update(
    session: Session, user: User, program: Program, data: Any, blobs: BlobStore, templates_dir: Path | None
) -> Program:
    """Replace the program's settings with the form's (admins; not an archived program). The key may change only
    while nothing was issued (it is printed in every form's identity code) and never to another program's key."""
    require_admin(user)
    programs.require_active(program)
    parsed = parse_data(data)
    if parsed.key != program.key:
        if contents(session, program).issued:
            raise Conflict(
                f"已生成文书或收到回收表，项目代号 {program.key} 已印在发出的表单上，不能再改"
                "（名称等其他设置仍可修改）"
            )
        programs.refuse_taken_key(session, parsed.key, user, own=program.id)
    programs.check_templates(session, parsed, user, blobs, templates_dir)
    old = {"key": program.key, "name": program.name}
    program.key, program.name, program.yaml_text = parsed.key, parsed.name, dump_program_yaml(parsed)
    audit.record(session, user, "program.update", f"program:{program.id}", old=old, key=parsed.key, name=parsed.name)
    return program


def rename(session: Session, user: User, program: Program, name: str) -> Program:
    """Give the program another name (admins; not archived): the same program file with ``name:`` changed."""
    require_admin(user)
    programs.require_active(program)
    changed = dict(json_data(programs.domain(program)), name=name.strip())
    parsed = parse_data(changed)
    old = program.name
    program.name, program.yaml_text = parsed.name, dump_program_yaml(parsed)
    audit.record(session, user, "program.rename", f"program:{program.id}", old=old, name=parsed.name)
    return program


def archive(session: Session, user: User, program: Program, archived: bool) -> Program:
    """Archive (hidden from the list by default, read-only) or restore a program (admins)."""
    require_admin(user)
    if archived != program.archived:
        program.archived_at = utcnow() if archived else None
        audit.record(session, user, "program.archive" if archived else "program.restore", f"program:{program.id}")
    return program


def remove(session: Session, user: User, program: Program, confirm: str) -> tuple[Contents, set[str]]:
    """Delete the program and everything of it (admins), once ``confirm`` repeats its key — the UI sends it after
    showing :func:`contents`. Returns the counts and the stored files only it referenced (:func:`own_files`):
    the caller removes them with :func:`remove_files` once this is committed."""
    require_admin(user)
    if confirm != program.key:
        raise Invalid("删除项目需要确认：请先查看将删除的内容，再确认删除", [{"field": "confirm"}])
    counts = contents(session, program)
    files = own_files(session, program.id)
    program_id, key, name = program.id, program.key, program.name
    session.execute(delete(Program).where(Program.id == program_id))  # the database cascades to its rows
    session.expire_all()
    # the target names the key, not the id: an event pointing at the deleted row would break its foreign key
    audit.record(session, user, "program.delete", f"program:{key}", id=program_id, name=name, **vars(counts))
    return counts, files


__all__ = [
    "Contents",
    "archive",
    "contents",
    "create",
    "data",
    "defaults",
    "parse_data",
    "remove",
    "rename",
    "suggested_key",
    "update",
]
