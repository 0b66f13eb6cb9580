"""The audit log (admins only)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AdminUser, QueryText, SessionDep
from api.schemas import AuditOut
from api.services import audit

router = APIRouter(prefix="/api", tags=["admin"])


@router.get("/audit")
def list_audit(_: AdminUser, session: SessionDep, action: QueryText = None, limit: int = 500) -> list[AuditOut]:
    """The newest audit events first, optionally of one ``action``; ``limit`` is kept within 1…5000."""
    events = audit.list_events(session, action=action, limit=max(1, min(limit, 5000)))  # LIMIT -1 = no limit
    return [AuditOut.model_validate(e) for e in events]
