"""Programs: stored as their YAML text (the source of truth) and parsed with docgen on use."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.blobs import BlobStore
from api.models import BatchJob, Document, Program, Record, Upload, User
from api.services import audit, templates
from api.services.accounts import Role, can_see_program, require_admin
from api.services.errors import Conflict, Invalid, NotFound
from docgen import program_file
from docgen.context import agreement_context
from docgen.errors import ProgramError, TemplateError
from docgen.model import Program as DomainProgram
from docgen.program import parse_program_yaml
from docgen.render.docx import CompiledTemplate
from docgen.template_check import SAMPLE_GROUP, check_template


@lru_cache(maxsize=64)
def _parse(text: str, digest: str) -> DomainProgram:
    return parse_program_yaml(text, source="program.yaml")


def domain(program: Program) -> DomainProgram:
    """The docgen :class:`~docgen.model.Program` of a stored program (parsed once per YAML text)."""
    return _parse(program.yaml_text, hashlib.sha256(program.yaml_text.encode()).hexdigest())


def invalid_program(exc: ProgramError, text: str | None = None) -> Invalid:
    """A loader error as the 422 a clerk reads: the line (of a file) and the field in Chinese, then what is
    wrong (docgen.program_file) — never the parser's English or a bare key path."""
    key = program_file.where(text, exc.key) if text is not None else exc.key
    shown = program_file.describe(ProgramError(exc.message, source=exc.source, key=key))
    return Invalid(
        f"项目设置有误：{shown}",
        [{"source": exc.source, "field": exc.key, "label": program_file.field_words(exc.key) if exc.key and
          not exc.key.startswith("第") else key, "message": exc.message}],
    )


def parse_text(yaml_text: str) -> DomainProgram:
    """The program of a program file's text; :class:`Invalid` naming the line and field."""
    try:
        return parse_program_yaml(yaml_text, source="program.yaml")
    except ProgramError as exc:
        raise invalid_program(exc, yaml_text) from None


def check_templates(
    session: Session, parsed: DomainProgram, by: User, blobs: BlobStore, templates_dir: Path | None
) -> None:
    """Every template ``parsed`` names must be a built-in or an uploaded template ``by`` may see, and pass the
    template check with this program's data (422 lists the findings)."""
    read = templates.reader(session, blobs, templates_dir, user=by)  # never another bureau's template
    for i, kind in enumerate(parsed.agreements):
        field = f"agreements[{i}].template"
        label = program_file.field_words(field)
        try:
            compiled = CompiledTemplate.compile(read(kind.template), kind.template)
        except TemplateError as exc:
            raise Invalid(
                f"{label}：模板 {kind.template!r} 无法使用：{exc.message}",
                [{"source": "program.yaml", "field": field, "label": label, "value": kind.template,
                  "message": exc.message}],
            ) from None
        result = check_template(compiled, agreement_context(parsed, SAMPLE_GROUP, kind))
        if not result.ok:
            raise Invalid(
                f"{label}：模板 {kind.template!r} 未通过检查（按“{kind.title}”的数据核对）",
                [{"source": "program.yaml", "field": field, "label": label, **f} for f in result.findings()],
            )


def refuse_taken_key(session: Session, key: str, by: User, *, own: int | None = None) -> None:
    """409 when another program of ``by``'s (its bureau's programs: the ones it sees) has ``key``: the key is
    printed in every form identity (``DG1:<key>:…``), so two such programs would take each other's returned
    forms. Another bureau's programs are not looked at — their keys are none of this bureau's business."""
    other = next((p for p in by.programs if p.key == key and p.id != own), None)
    if other is None:
        return
    raise Conflict(
        f"项目代号 {key} 已被项目“{other.name}”使用：同一代号的两个项目会收走彼此的回收表，请换一个代号"
        "（“复制为新项目”会自动给出新代号）"
    )


def create_program(
    session: Session, yaml_text: str, by: User, blobs: BlobStore, *, templates_dir: Path | None = None
) -> Program:
    """A new program from the text of a program.yaml. Its key must be free (409), and every template it names
    must be a built-in or an uploaded template and pass the template check with this program's data (422)."""
    require_admin(by)
    parsed = parse_text(yaml_text)
    refuse_taken_key(session, parsed.key, by)
    check_templates(session, parsed, by, blobs, templates_dir)
    program = Program(key=parsed.key, name=parsed.name, yaml_text=yaml_text)
    session.add(program)
    session.flush()
    by.programs.append(program)
    audit.record(session, by, "program.create", f"program:{program.id}", key=parsed.key, name=parsed.name)
    return program


def list_programs(session: Session, user: User, *, archived: bool = False) -> list[Program]:
    """The programs the user was given (or created); archived ones only with ``archived``."""
    ids = [p.id for p in user.programs]
    if not ids:
        return []
    query = select(Program).where(Program.id.in_(ids)).order_by(Program.id)
    if not archived:
        query = query.where(Program.archived_at.is_(None))
    return list(session.scalars(query))


def require_active(program: Program) -> None:
    """409 for a change to an archived program: it stays as it was archived until an admin restores it."""
    if program.archived_at is not None:
        raise Conflict(f"项目“{program.name}”已归档，只能查看：如需修改，请先在项目列表中取消归档")


def get_program(session: Session, user: User, program_id: int) -> Program:
    """One of the user's programs; 404 for any other (existence does not leak). An object of a program is
    looked up with :func:`get_in_program`, whose 404 names the object, never its program."""
    program = session.get(Program, program_id)
    if program is None or not can_see_program(user, program):
        raise NotFound(f"项目 {program_id} 不存在")
    return program


Row = TypeVar("Row", BatchJob, Document, Record, Upload)  # the rows that belong to one program


def get_in_program(
    session: Session,
    user: User,
    model: type[Row],
    row_id: int,
    noun: str,
    visible: Callable[[Row, Program], bool] | None = None,
) -> Row:
    """Row ``row_id`` of ``model`` when it belongs to one of the user's programs and ``visible(row, program)``.

    Otherwise :class:`NotFound` "<noun> <id> 不存在" — the same answer for a missing row, a row of another
    program and one the user may not see, so neither existence nor the owning program leaks.
    """
    row = session.get(model, row_id)
    program = session.get(Program, row.program_id) if row is not None else None
    if row is None or program is None or not can_see_program(user, program):
        raise NotFound(f"{noun} {row_id} 不存在")
    if visible is not None and not visible(row, program):
        raise NotFound(f"{noun} {row_id} 不存在")
    return row


__all__ = [
    "Role",
    "check_templates",
    "create_program",
    "domain",
    "get_in_program",
    "get_program",
    "invalid_program",
    "list_programs",
    "parse_text",
    "refuse_taken_key",
    "require_active",
]
