"""A program's school name table in the service (``school_names`` rows): read it, replace it, render with it.

Every rule — what looks abbreviated, how an entry is validated, how a roster name resolves — is
:mod:`docgen.school_names`; this module stores the table and attaches it to the program a batch or a
regenerated document renders with (:func:`program_with_names`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.models import Program, SchoolNameRow, User
from api.services import audit, programs, rosters
from api.services.accounts import Role, require_admin
from api.services.errors import Invalid, NotFound
from docgen.errors import SchoolNamesError
from docgen.model import Program as DomainProgram
from docgen.model import Roster
from docgen.school_names import (
    SHORT_NAME_SEPARATOR,
    SchoolName,
    SchoolNames,
    build_school_names,
    missing_party_orgs,
    school_name_entry,
    unresolved_names,
)


def table_of(session: Session, program_id: int) -> SchoolNames:
    """The program's table as stored (already validated when it was written)."""
    rows = session.scalars(
        select(SchoolNameRow).where(SchoolNameRow.program_id == program_id).order_by(SchoolNameRow.position)
    )
    return SchoolNames(
        tuple(
            SchoolName(r.full_name, tuple(n for n in r.short_names.split(SHORT_NAME_SEPARATOR) if n), r.party_org)
            for r in rows
        )
    )


def visible_table(session: Session, user: User, program: Program) -> SchoolNames:
    """The table for a reader of the whole program: its answer lists every school of the roster, so a school
    account gets the 404 it gets for the 台账 (it sees its own pairs only)."""
    if user.role == Role.SCHOOL:
        raise NotFound(f"项目 {program.id} 的学校全称表不存在")
    return table_of(session, program.id)


def program_with_names(session: Session, program: Program) -> DomainProgram:
    """The docgen program of ``program`` with its school name table: what batches and regeneration render."""
    return replace(programs.domain(program), school_names=table_of(session, program.id))


def _roster(session: Session, program: Program) -> Roster:
    """The program's current pairs as a roster (empty before a roster is imported)."""
    pairs = rosters.list_pairs(session, program)
    return Roster(tuple(rosters.group(p) for p in pairs))


def unresolved(session: Session, program: Program, table: SchoolNames | None = None) -> list[dict[str, str]]:
    """The roster's names documents cannot sign with yet (abbreviated, placeholders), with the reason."""
    table = table if table is not None else table_of(session, program.id)
    return [{"name": n, "reason": r} for n, r in unresolved_names(_roster(session, program), table)]


def missing_party(session: Session, program: Program, table: SchoolNames | None = None) -> list[dict[str, str]]:
    """The roster's schools whose party organisation still needs a name, with the reason — for a program whose
    agreements party organisations sign (empty otherwise: nobody signs with those names)."""
    if not programs.domain(program).signed_by_party_orgs:
        return []
    table = table if table is not None else table_of(session, program.id)
    return [{"name": n, "reason": r} for n, r in missing_party_orgs(_roster(session, program), table)]


def _error(exc: SchoolNamesError, index: int | None) -> dict[str, Any]:
    return {
        "source": "school_names",
        "row": index,
        "field": exc.field,
        "value": exc.value,
        "message": exc.message,
    }


def replace_table(
    session: Session, user: User, program: Program, entries: Iterable[tuple[str, Iterable[str], str]]
) -> SchoolNames:
    """Replace the program's table with ``entries`` ((full name, short names, party organisation), in order;
    admins only). Every entry is validated (:func:`docgen.school_names.school_name_entry`, then the whole table);
    :class:`Invalid` (422) names the entry (1-based ``row``) and field, and nothing is stored then."""
    require_admin(user)
    programs.require_active(program)
    checked: list[SchoolName] = []
    for index, (full, shorts, party) in enumerate(entries, start=1):
        try:
            checked.append(school_name_entry(full, shorts, party, source="学校全称表", row=index))
        except SchoolNamesError as exc:
            raise Invalid(f"学校全称表第{index}条有误：{exc.message}", [_error(exc, index)]) from None
    try:
        table = build_school_names(checked, source="学校全称表")
    except SchoolNamesError as exc:
        raise Invalid(f"学校全称表第{exc.row}条有误：{exc.message}", [_error(exc, exc.row)]) from None
    session.execute(delete(SchoolNameRow).where(SchoolNameRow.program_id == program.id))
    for position, entry in enumerate(table.entries):
        session.add(
            SchoolNameRow(
                program_id=program.id,
                position=position,
                full_name=entry.full_name,
                short_names=SHORT_NAME_SEPARATOR.join(entry.short_names),
                party_org=entry.party_org,
            )
        )
    session.flush()
    audit.record(session, user, "school_names.replace", f"program:{program.id}", entries=len(table))
    return table
