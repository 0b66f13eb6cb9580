"""The queue rule shared by batch jobs and uploads: how a worker takes a row, and what a restart does.

A row is taken with a conditional UPDATE (``… WHERE id = ? AND status = <queued>``): of several worker
processes racing for it, exactly one sees a row count of 1. Rows a stopped process left in the running
state go back to the queue when a worker starts (:func:`requeue_interrupted`). Which row to try is the
caller's choice (oldest first for batches; round-robin by uploader for uploads, :mod:`api.scheduling`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Result, update
from sqlalchemy.orm import Session

from api.db import Database
from api.models import BatchJob, Upload

QueuedModel = type[BatchJob] | type[Upload]  # the tables a worker takes rows from


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (0 when the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)


def requeue_interrupted(db: Database, model: QueuedModel, *, running: str, queued: str) -> int:
    """Rows left ``running`` by a stopped process go back to ``queued``; returns how many."""
    with db.session() as s:
        return rows_changed(s.execute(update(model).where(model.status == running).values(status=queued)))


def take(session: Session, model: QueuedModel, row_id: int, *, queued: str, running: str, **values: Any) -> bool:
    """Move row ``row_id`` from ``queued`` to ``running`` (setting ``values`` too) unless another worker did first.

    True when this call took it. The caller's session commits the change.
    """
    result = session.execute(
        update(model).where(model.id == row_id, model.status == queued).values(status=running, **values)
    )
    return rows_changed(result) == 1


def release(session: Session, model: QueuedModel, row_id: int, *, running: str, queued: str) -> bool:
    """Put row ``row_id`` back from ``running`` to ``queued`` (its work could not start: try again later).

    True when it was ``running``. The caller's session commits the change.
    """
    result = session.execute(update(model).where(model.id == row_id, model.status == running).values(status=queued))
    return rows_changed(result) == 1
