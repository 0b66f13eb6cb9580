"""Every write leaves an :class:`~api.models.AuditEvent`: who, what, on which target, when — and in which program.

The program is resolved once, when the event is written, from its target (``program:3``, ``upload:5``,
``record:7``, ``batch:2``, ``document:9``), so the log can be scoped like everything else: an admin reads
only the events of its own programs, plus the account events (no program) it made itself or that were made
by the school and read-only accounts of its programs (docs/security.md, "Scoping").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from api.models import AuditEvent, BatchJob, Document, Record, Upload, User, user_programs

# target prefix -> the table whose row carries the program
_OWNED: dict[str, type[Upload] | type[Record] | type[BatchJob] | type[Document]] = {
    "upload": Upload,
    "record": Record,
    "batch": BatchJob,
    "document": Document,
}


def program_of(session: Session, target: str) -> int | None:
    """The id of the program ``target`` (``<kind>:<id>``) belongs to; None for account targets (user, token)."""
    kind, _, raw = target.partition(":")
    if not raw.isdigit():
        return None
    if kind == "program":
        return int(raw)
    model = _OWNED.get(kind)
    if model is None:
        return None
    owner = session.scalar(select(model.program_id).where(model.id == int(raw)))
    return int(owner) if owner is not None else None


def record(
    session: Session, user: User | None, action: str, target: str = "", *, program_id: int | None = None, **detail: Any
) -> AuditEvent:
    """Add an audit event (committed with the caller's transaction); its program is ``program_id`` or the
    target's."""
    event = AuditEvent(
        user_id=user.id if user else None,
        username=user.username if user else "system",
        action=action,
        target=target,
        program_id=program_id if program_id is not None else program_of(session, target),
        detail=detail,
    )
    session.add(event)
    return event


def list_events(
    session: Session,
    admin: User,
    *,
    action: str | None = None,
    program_id: int | None = None,
    before: int | None = None,
    limit: int = 500,
) -> list[AuditEvent]:
    """The newest ``limit`` events ``admin`` may read, optionally of one ``action`` or one of its programs,
    older than event ``before`` (the id of the last event of the previous page)."""
    mine = [p.id for p in admin.programs]
    staff_of_mine = (
        select(user_programs.c.user_id)
        .join(User, User.id == user_programs.c.user_id)
        .where(user_programs.c.program_id.in_(mine), User.role != "admin")
    )
    visible = or_(
        AuditEvent.program_id.in_(mine),
        and_(
            AuditEvent.program_id.is_(None),
            or_(AuditEvent.user_id == admin.id, AuditEvent.user_id.in_(staff_of_mine)),
        ),
    )
    query = select(AuditEvent).where(visible).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEvent.action == action)
    if program_id is not None:
        query = query.where(AuditEvent.program_id == program_id)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    return list(session.scalars(query))
