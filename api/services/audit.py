"""Every write leaves an :class:`~api.models.AuditEvent`: who, what, on which target, when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import AuditEvent, User


def record(session: Session, user: User | None, action: str, target: str = "", **detail: Any) -> AuditEvent:
    """Add an audit event (committed with the caller's transaction)."""
    event = AuditEvent(
        user_id=user.id if user else None,
        username=user.username if user else "system",
        action=action,
        target=target,
        detail=detail,
    )
    session.add(event)
    return event


def list_events(session: Session, *, action: str | None = None, limit: int = 500) -> list[AuditEvent]:
    """The newest ``limit`` events, optionally of one ``action``."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))
