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
from api.services.errors import Invalid, NotFound
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


def create_program(
    session: Session, yaml_text: str, by: User, blobs: BlobStore, *, templates_dir: Path | None = None
) -> Program:
    """A new program from the text of a program.yaml. Every template it names must be a built-in or an
    uploaded template, and pass the template check with this program's data (422 lists the findings)."""
    require_admin(by)
    try:
        parsed = parse_program_yaml(yaml_text, source="program.yaml")
    except ProgramError as exc:
        raise Invalid(
            f"项目文件有误：{exc}", [{"source": exc.source, "field": exc.key, "message": exc.message}]
        ) from None
    read = templates.reader(session, blobs, templates_dir, user=by)  # never another bureau's template
    for kind in parsed.agreements:
        field = f"agreements.{kind.key}.template"
        try:
            compiled = CompiledTemplate.compile(read(kind.template), kind.template)
        except TemplateError as exc:
            raise Invalid(
                f"项目文件 agreements 中的模板 {kind.template!r} 无法使用：{exc.message}",
                [{"source": "program.yaml", "field": field, "value": kind.template, "message": exc.message}],
            ) from None
        result = check_template(compiled, agreement_context(parsed, SAMPLE_GROUP, kind))
        if not result.ok:
            raise Invalid(
                f"项目文件 agreements 中的模板 {kind.template!r} 未通过检查（按“{kind.title}”的数据核对）",
                [{"source": "program.yaml", "field": field, **f} for f in result.findings()],
            )
    program = Program(key=parsed.key, name=parsed.name, yaml_text=yaml_text)
    session.add(program)
    session.flush()
    by.programs.append(program)
    audit.record(session, by, "program.create", f"program:{program.id}", key=parsed.key, name=parsed.name)
    return program


def list_programs(session: Session, user: User) -> list[Program]:
    """The programs the user was given (or created)."""
    ids = [p.id for p in user.programs]
    if not ids:
        return []
    return list(session.scalars(select(Program).where(Program.id.in_(ids)).order_by(Program.id)))


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


__all__ = ["Role", "create_program", "domain", "get_in_program", "get_program", "list_programs"]
