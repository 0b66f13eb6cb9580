"""The audit log (admins only)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AdminUser, SessionDep
from api.schemas import AuditOut
from api.services import audit

router = APIRouter(prefix="/api", tags=["admin"])


@router.get("/audit")
def list_audit(_: AdminUser, session: SessionDep, action: str | None = None, limit: int = 500) -> list[AuditOut]:
    return [AuditOut.model_validate(e) for e in audit.list_events(session, action=action, limit=min(limit, 5000))]
