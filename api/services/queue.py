"""The queue rule shared by batch jobs and uploads: how a worker takes a row, and what a dead worker leaves.

A row is taken with a conditional UPDATE (``… WHERE id = ? AND status = <queued>``): of several worker
processes racing for it, exactly one sees a row count of 1 — so a task delivered twice, or two machines told
about the same row, do its work once. The taker writes its name (``worker``) and a heartbeat
(``heartbeat_at``), which :func:`heartbeat` refreshes while the work runs. Rows a dead worker left in the
running state go back to the queue: all of them when the single process of ``docgen serve`` starts
(:func:`requeue_interrupted`), or — with several workers sharing the database — those whose heartbeat is
older than the lease (:func:`requeue_stale`), so a live worker's row is never taken from it. Which row to try
is the caller's choice (oldest first for batches; round-robin by uploader for uploads, :mod:`api.scheduling`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Result, or_, select, update
from sqlalchemy.orm import Session

from api.db import Database
from api.models import BatchChunk, BatchJob, Upload, utcnow

QueuedModel = type[BatchJob] | type[Upload] | type[BatchChunk]  # the tables a worker takes rows from
log = logging.getLogger("docgen.worker")


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (0 when the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)


def requeue_interrupted(db: Database, model: QueuedModel, *, running: str, queued: str) -> int:
    """Rows left ``running`` by a stopped process go back to ``queued``; returns how many.

    Only for a process that is the database's one worker (``docgen serve`` without a broker): with several,
    another worker's live row would be taken from it — use :func:`requeue_stale`."""
    with db.session() as s:
        return rows_changed(s.execute(update(model).where(model.status == running).values(status=queued)))


def requeue_stale(
    db: Database,
    model: QueuedModel,
    *,
    running: str,
    queued: str,
    lease: float,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[int]:
    """Rows ``running`` whose heartbeat is older than ``lease`` seconds (their worker died) go back to
    ``queued``; returns their ids. Each row is moved by a conditional UPDATE, so of several workers sweeping
    at once exactly one returns it (and announces it again). ``where`` narrows the rows (a batch job split
    into chunks is leased through its chunks, not its own heartbeat)."""
    cutoff = utcnow() - timedelta(seconds=lease)
    stale = (model.status == running, or_(model.heartbeat_at.is_(None), model.heartbeat_at < cutoff), *where)
    moved = []
    with db.session() as s:
        for row_id in s.scalars(select(model.id).where(*stale).order_by(model.id)):
            if rows_changed(s.execute(update(model).where(model.id == row_id, *stale).values(status=queued))) == 1:
                moved.append(int(row_id))
    return moved


def take(
    session: Session, model: QueuedModel, row_id: int, *, queued: str, running: str, worker: str = "", **values: Any
) -> bool:
    """Move row ``row_id`` from ``queued`` to ``running`` (setting ``values`` too) unless another worker did first.

    ``worker`` names the taker (kept on the row); its heartbeat starts now. True when this call took it. The
    caller's session commits the change.
    """
    claim = {"worker": worker or None, "heartbeat_at": utcnow()}
    result = session.execute(
        update(model).where(model.id == row_id, model.status == queued).values(status=running, **claim, **values)
    )
    return rows_changed(result) == 1


def release(session: Session, model: QueuedModel, row_id: int, *, running: str, queued: str) -> bool:
    """Put row ``row_id`` back from ``running`` to ``queued`` (its work could not start: try again later).

    True when it was ``running``. The caller's session commits the change.
    """
    result = session.execute(update(model).where(model.id == row_id, model.status == running).values(status=queued))
    return rows_changed(result) == 1


@contextlib.contextmanager
def heartbeat(db: Database, model: QueuedModel, row_id: int, *, running: str, every: float) -> Iterator[None]:
    """While the block runs, refresh the row's ``heartbeat_at`` every ``every`` seconds (while it is still
    ``running``), from a thread: the block may wait minutes on a child process. A failed beat (the database
    briefly gone) is logged and tried again at the next one."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                with db.session() as s:
                    s.execute(
                        update(model).where(model.id == row_id, model.status == running).values(heartbeat_at=utcnow())
                    )
            except Exception:  # the next beat tries again; a lease many beats long survives a blip
                log.warning("heartbeat of %s %d failed", model.__tablename__, row_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__tablename__}-{row_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
