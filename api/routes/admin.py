"""The audit log (admins only), scoped to the admin's programs (docs/security.md, "Scoping")."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AdminUser, IdQuery, QueryText, SessionDep
from api.schemas import AuditOut
from api.services import audit, programs

router = APIRouter(prefix="/api", tags=["admin"])


@router.get("/audit")
def list_audit(
    user: AdminUser,
    session: SessionDep,
    action: QueryText = None,
    program: IdQuery = None,
    before: IdQuery = None,
    limit: int = 500,
) -> list[AuditOut]:
    """The newest audit events first that this admin may read: those of its programs, and the account events
    it made or its programs' school/read-only accounts made. ``program`` keeps one program (404 when not the
    admin's); ``before`` pages on (events older than that id); ``limit`` is kept within 1…5000."""
    if program is not None:
        programs.get_program(session, user, program)
    events = audit.list_events(
        session, user, action=action, program_id=program, before=before, limit=max(1, min(limit, 5000))
    )
    return [AuditOut.model_validate(e) for e in events]
