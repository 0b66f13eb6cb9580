"""A program's school name table (学校全称表): read it with the roster's names that still lack a full name,
replace it (admins). The rules are docgen's (``docgen/school_names.py``); storage is
``api.services.school_names``."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentUser, IdPath, SessionDep
from api.models import Program
from api.schemas import SchoolNameOut, SchoolNamesIn, SchoolNamesOut, UnresolvedName
from api.services import programs, school_names
from docgen.school_names import SchoolNames

router = APIRouter(prefix="/api", tags=["programs"])


def _out(session: SessionDep, program: Program, table: SchoolNames) -> SchoolNamesOut:
    return SchoolNamesOut(
        entries=[
            SchoolNameOut(full_name=e.full_name, short_names=list(e.short_names), party_org=e.party_org)
            for e in table.entries
        ],
        unresolved=[UnresolvedName(**u) for u in school_names.unresolved(session, program, table)],
        missing_party_orgs=[UnresolvedName(**u) for u in school_names.missing_party(session, program, table)],
    )


@router.get("/programs/{program_id}/school-names")
def get_school_names(program_id: IdPath, user: CurrentUser, session: SessionDep) -> SchoolNamesOut:
    """The table, and the current roster's names that look abbreviated and have no full name yet (the roster's
    every school: admins and read-only accounts of the program, like the 台账)."""
    program = programs.get_program(session, user, program_id)
    return _out(session, program, school_names.visible_table(session, user, program))


@router.put("/programs/{program_id}/school-names")
def put_school_names(program_id: IdPath, body: SchoolNamesIn, user: CurrentUser, session: SessionDep) -> SchoolNamesOut:
    """Replace the table (admins; audited). 422 names the first bad entry (1-based) and field; nothing is
    stored then. Documents use the new names from the next batch or regeneration on."""
    program = programs.get_program(session, user, program_id)
    table = school_names.replace_table(
        session, user, program, ((e.full_name, e.short_names, e.party_org) for e in body.entries)
    )
    out = _out(session, program, table)
    session.commit()
    return out
