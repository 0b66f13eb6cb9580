"""A batch job in chunks, for ``docgen worker`` processes (with a broker): several workers make one batch.

* :func:`split` (run by the worker that took the job): plans the batch once and writes one ``batch_chunks``
  row per chunk of ``pairs`` pair groups (:func:`docgen.batch.split_plan`) and one for the job's ZIP, in one
  transaction. Every chunk is announced; the job stays ``running`` while its chunks run, leased through them.
* :func:`claim_next` / :func:`run`: a worker takes a chunk like any queued row (conditional UPDATE,
  heartbeat, lease: :mod:`api.services.queue`) and runs :func:`docgen.batch.generate_batch` on its part of
  the plan (:class:`docgen.batch.BatchPart`) into :class:`ChunkSink`: each document goes to the blob store
  (content-addressed) and its ``documents`` row at once, in one transaction — a chunk run again after its
  worker died skips them by fingerprint, so no document is stored twice — and the chunk's outcome (counts,
  failures, proof findings) is written with its ``done`` in one transaction.
* the worker that ends the last chunk moves the ZIP's chunk from ``waiting`` to ``queued`` (a conditional
  UPDATE: exactly one does, :func:`archive_ready`) and takes it: :func:`run` then writes the ZIP from the
  stored documents and the chunks' outcomes (:class:`~api.services.batches.StorageSink`, as a job run whole)
  and marks the job ``done`` — only if it is still ``running``: exactly once. A worker killed in between
  leaves the ZIP's chunk for a sweep (:func:`archives_ready`, :func:`requeue_stale`).

Progress: each chunk stores its counts and the job's counts are their sums, so the batch screen reads the job
as before. Cancel: every chunk looks at the job's ``cancel_requested`` at its progress points; a queued chunk
of a job that ended (cancelled, failed) is not run. ``docgen serve`` without a broker does not split batches
(:func:`api.services.batches.run_job`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from api.blobs import BlobStore
from api.db import Database
from api.models import BatchChunk, BatchJob, Program, utcnow
from api.services import batches, queue
from api.services.batches import CANCELLED, DONE, FAILED, QUEUED, RUNNING, JobCancelled, RunTools, StorageSink
from api.services.errors import public_text
from docgen.batch import FIRST_WINDOW, BatchPart, BatchReport, DocumentJob, UploadLinks, generate_batch, plan_digest
from docgen.batch import split_plan as split_jobs
from docgen.errors import DocgenError

log = logging.getLogger("docgen.worker")

DOCUMENTS, ARCHIVE = "documents", "archive"  # a chunk's kind: a range of the plan's documents, or the ZIP
WAITING = "waiting"  # the ZIP's chunk until every chunk of documents is done


def split(
    db: Database,
    blobs: BlobStore,
    job_id: int,
    *,
    templates: Path | None,
    pairs: int,
    links: Callable[[Program], UploadLinks | None] | None = None,
) -> list[int]:
    """Cut claimed job ``job_id`` into chunks of ``pairs`` pair groups (once: a job split already keeps its
    chunks); the ids of its chunks waiting to be taken, to announce."""
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(BatchChunk).where(BatchChunk.job_id == job_id)):
            return _queued(s, job_id)
    loaded = batches.load(db, blobs, job_id, templates=templates, links=links)
    jobs = batches.plan(loaded)
    digest = plan_digest(jobs)
    ranges = split_jobs(jobs, pairs)
    now = utcnow()
    try:
        with db.session() as s:
            rows = [
                BatchChunk(job_id=job_id, seq=i, kind=DOCUMENTS, start=r.start, stop=r.stop, plan=digest,
                           labels=list(dict.fromkeys(jobs[k].group.label for k in r)), status=QUEUED,
                           created_at=now, updated_at=now)
                for i, r in enumerate(ranges)
            ]  # fmt: skip
            rows.append(BatchChunk(job_id=job_id, seq=len(ranges), kind=ARCHIVE, start=0, stop=len(jobs),
                                   plan=digest, labels=[], status=WAITING if ranges else QUEUED, created_at=now,
                                   updated_at=now))  # fmt: skip
            s.add_all(rows)
            job = s.get(BatchJob, job_id)
            assert job is not None
            job.total, job.done, job.rendered, job.converted, job.updated_at = len(jobs), 0, 0, 0, now
            s.flush()
            return [r.id for r in rows if r.status == QUEUED]
    except IntegrityError:  # another worker split it first (the job went back to the queue under this one)
        with db.session() as s:
            return _queued(s, job_id)


def _queued(s: Session, job_id: int) -> list[int]:
    query = select(BatchChunk.id).where(BatchChunk.job_id == job_id, BatchChunk.status == QUEUED)
    return [int(i) for i in s.scalars(query.order_by(BatchChunk.seq))]


def _end_job(s: Session, job_id: int, status: str, error: str | None = None) -> None:
    """End a running job ``failed``/``cancelled`` (a job another chunk ended already keeps its end)."""
    values: dict[str, object] = {"status": status, "updated_at": utcnow()}
    if error is not None:
        values["error"] = error
    s.execute(update(BatchJob).where(BatchJob.id == job_id, BatchJob.status == RUNNING).values(**values))


def _end_chunk(db: Database, chunk_id: int, status: str, error: str | None = None) -> None:
    """End chunk ``chunk_id`` (and, but for a chunk merely stopped, its job) in one transaction."""
    with db.session() as s:
        chunk = s.get(BatchChunk, chunk_id)
        assert chunk is not None
        chunk.status, chunk.updated_at = status, utcnow()
        if status == FAILED:
            _end_job(s, chunk.job_id, FAILED, error)
        elif status == CANCELLED:
            job = s.get(BatchJob, chunk.job_id)
            if job is not None and job.cancel_requested:
                _end_job(s, chunk.job_id, CANCELLED)


def claim_next(db: Database, worker: str = "") -> int | None:
    """Take the next queued chunk (the oldest job's first); its id, or None. A queued chunk of a job that
    ended or is being cancelled is not taken: it is cancelled (and the job, if a cancel was asked for)."""
    with db.session() as s:
        query = (
            select(BatchChunk.id, BatchChunk.job_id, BatchJob.status, BatchJob.cancel_requested)
            .join(BatchJob, BatchJob.id == BatchChunk.job_id)
            .where(BatchChunk.status == QUEUED)
            .order_by(BatchChunk.job_id, BatchChunk.seq)
            .limit(20)
        )
        for chunk_id, job_id, job_status, cancel in s.execute(query).all():
            if job_status != RUNNING or cancel:
                s.execute(
                    update(BatchChunk)
                    .where(BatchChunk.id == chunk_id, BatchChunk.status == QUEUED)
                    .values(status=CANCELLED, updated_at=utcnow())
                )
                if cancel:
                    _end_job(s, job_id, CANCELLED)
                continue
            if take(s, chunk_id, worker):
                return int(chunk_id)
    return None


def take(s: Session, chunk_id: int, worker: str) -> bool:
    """Take queued chunk ``chunk_id`` (a conditional UPDATE); True when this call took it."""
    return queue.take(
        s, BatchChunk, chunk_id, queued=QUEUED, running=RUNNING, worker=worker, attempts=BatchChunk.attempts + 1,
        updated_at=utcnow(),
    )  # fmt: skip


def archive_ready(db: Database, job_id: int) -> int | None:
    """Once every chunk of documents of ``job_id`` is done, move its ZIP's chunk from ``waiting`` to
    ``queued``: its id when this call moved it (of workers ending chunks at once, exactly one does)."""
    with db.session() as s:
        other = aliased(BatchChunk)
        unfinished = exists().where(other.job_id == job_id, other.kind == DOCUMENTS, other.status != DONE)
        archive = s.scalar(
            select(BatchChunk.id).where(
                BatchChunk.job_id == job_id, BatchChunk.kind == ARCHIVE, BatchChunk.status == WAITING, ~unfinished
            )
        )
        if archive is None:
            return None
        moved = s.execute(
            update(BatchChunk)
            .where(BatchChunk.id == archive, BatchChunk.status == WAITING)
            .values(status=QUEUED, updated_at=utcnow())
        )
        return int(archive) if queue.rows_changed(moved) == 1 else None


def archives_ready(db: Database) -> list[int]:
    """:func:`archive_ready` for every job waiting for its ZIP (a worker died between its last chunk and the
    ZIP): the ZIP chunks moved to the queue, to announce."""
    with db.session() as s:
        waiting = (
            select(BatchChunk.job_id)
            .join(BatchJob, BatchJob.id == BatchChunk.job_id)
            .where(BatchChunk.kind == ARCHIVE, BatchChunk.status == WAITING, BatchJob.status == RUNNING)
        )  # a job that ended failed or cancelled never gets its ZIP
        job_ids = list(s.scalars(waiting))
    return [a for a in (archive_ready(db, j) for j in job_ids) if a is not None]


def requeue_stale(db: Database, lease: float) -> list[int]:
    """Chunks a dead worker left ``running`` (no heartbeat for ``lease`` seconds) go back to the queue; run
    again, they skip the documents already stored."""
    return queue.requeue_stale(db, BatchChunk, running=RUNNING, queued=QUEUED, lease=lease)


def job_of(db: Database, chunk_id: int) -> int:
    """The batch job chunk ``chunk_id`` belongs to."""
    with db.session() as s:
        job_id = s.scalar(select(BatchChunk.job_id).where(BatchChunk.id == chunk_id))
    assert job_id is not None
    return int(job_id)


class ChunkSink(StorageSink):
    """:class:`~api.services.batches.StorageSink` for one chunk: documents are stored as in a job run whole;
    ``finish`` writes the chunk's outcome — failures and findings by plan index — and its ``done``."""

    def __init__(
        self, db: Database, blobs: BlobStore, program_id: int, job_id: int, chunk_id: int, part: BatchPart,
        labels: set[str], with_pdf: bool,
    ) -> None:  # fmt: skip
        super().__init__(db, blobs, program_id, job_id, "", labels=labels)
        self.chunk_id = chunk_id
        self.part = part
        self.with_pdf = with_pdf

    def finish(self, jobs: Sequence[DocumentJob], report: BatchReport) -> str:
        index: dict[str, list[int]] = {}
        for i, job in enumerate(jobs, start=self.part.start):
            index.setdefault(job.label, []).append(i)

        def by_index(entries: Sequence[tuple[str, str]]) -> list[list[object]]:
            # The report names documents by label (as the lists print them); a label is the plan's at one index
            # (or, were two documents ever to share a label, at the next of its indexes).
            taken: dict[str, int] = {}
            out: list[list[object]] = []
            for label, text in entries:
                k = taken.get(label, 0)
                taken[label] = k + 1
                out.append([index[label][k], text])
            return out

        with self.db.session() as s:
            s.execute(
                update(BatchChunk)
                .where(BatchChunk.id == self.chunk_id, BatchChunk.status == RUNNING)
                .values(
                    status=DONE, done=report.planned, rendered=report.planned,
                    converted=report.planned if self.with_pdf else 0, generated=report.generated,
                    skipped=report.skipped, proofread=report.proofread, failures=by_index(report.failures),
                    findings=by_index(report.findings), updated_at=utcnow(),
                )
            )  # fmt: skip
        return ""


def run(db: Database, blobs: BlobStore, chunk_id: int, tools: RunTools) -> str:
    """Run claimed chunk ``chunk_id`` to its end (its documents, or the job's ZIP); its final status. Never
    raises for a bad batch: as :func:`api.services.batches.run_job`, whatever goes wrong ends the job
    ``failed`` with the reason; a cancel ends the chunk (and the job) ``cancelled``."""
    with db.session() as s:
        chunk = s.get(BatchChunk, chunk_id)
        assert chunk is not None
        job_id, kind, seq, labels = chunk.job_id, chunk.kind, chunk.seq, set(chunk.labels)
        part = BatchPart(chunk.start, chunk.stop, chunk.plan)
    try:
        if kind == ARCHIVE:
            return _assemble(db, blobs, chunk_id, job_id, part, tools)
        return _run(db, blobs, chunk_id, job_id, seq, part, labels, tools)
    except JobCancelled:
        _end_chunk(db, chunk_id, CANCELLED)
        return CANCELLED
    except DocgenError as exc:
        _end_chunk(db, chunk_id, FAILED, public_text(str(exc)))
        return FAILED
    except Exception as exc:  # a crash inside the chunk fails its batch, not the worker
        log.exception("chunk %s of batch %s crashed", chunk_id, job_id)
        _end_chunk(db, chunk_id, FAILED, f"内部错误（{type(exc).__name__}）：{public_text(str(exc))}")
        return FAILED


def _run(
    db: Database,
    blobs: BlobStore,
    chunk_id: int,
    job_id: int,
    seq: int,
    part: BatchPart,
    labels: set[str],
    tools: RunTools,
) -> str:
    loaded = batches.load(db, blobs, job_id, templates=tools.templates, links=tools.links)
    sink = ChunkSink(db, blobs, loaded.program_id, job_id, chunk_id, part, labels, loaded.with_pdf)

    def save(counts: dict[str, int]) -> None:
        with db.session() as s:
            s.execute(
                update(BatchChunk)
                .where(BatchChunk.id == chunk_id, BatchChunk.status == RUNNING)
                .values(done=counts["done"], rendered=counts["rendered"], converted=counts["converted"],
                        updated_at=utcnow())
            )  # fmt: skip
            mine = BatchChunk.job_id == job_id, BatchChunk.kind == DOCUMENTS
            sums = s.execute(
                select(func.sum(BatchChunk.done), func.sum(BatchChunk.rendered), func.sum(BatchChunk.converted))
                .where(*mine)
            ).one()  # fmt: skip
            current = s.get(BatchJob, job_id)
            assert current is not None
            if current.status == RUNNING:
                current.done, current.rendered, current.converted = (int(n or 0) for n in sums)
                current.updated_at = utcnow()
            if current.cancel_requested or current.status != RUNNING:
                raise JobCancelled

    progress = batches.Progress(save, tools.progress_interval, tools.between)
    generate_batch(
        loaded.program,
        loaded.roster,
        loaded.templates,
        sink,
        converter=progress.converter(tools.converter, loaded.with_pdf),
        with_forms=batches.WITH_FORMS,
        first_window=FIRST_WINDOW if seq == 0 else None,  # the first chunk's first PDFs within seconds
        on_progress=progress.on_progress,
        on_rendered=progress.on_rendered,
        links=loaded.links,
        part=part,
    )
    return DONE


def _assemble(
    db: Database,
    blobs: BlobStore,
    chunk_id: int,
    job_id: int,
    part: BatchPart,
    tools: RunTools,
) -> str:
    """The job's last step: its ZIP and lists from the stored documents and the chunks' outcomes, then the
    job ``done`` (only if it is still running: exactly once)."""
    loaded = batches.load(db, blobs, job_id, templates=tools.templates, links=tools.links)
    jobs = part.jobs(batches.plan(loaded))
    with db.session() as s:
        query = select(BatchChunk).where(BatchChunk.job_id == job_id, BatchChunk.kind == DOCUMENTS)
        done = list(s.scalars(query.order_by(BatchChunk.seq)))
        failures = sorted((int(i), str(text)) for c in done for i, text in c.failures)
        findings = sorted((int(i), str(text)) for c in done for i, text in c.findings)
        report = BatchReport(
            planned=len(jobs),
            generated=sum(c.generated for c in done),
            skipped=sum(c.skipped for c in done),
            failures=[(jobs[i].label, text) for i, text in failures],  # in plan order
            drafts=sum(job.draft for job in jobs),
            proofread=sum(c.proofread for c in done),
            findings=[(jobs[i].label, text) for i, text in findings],
        )
    sink = StorageSink(db, blobs, loaded.program_id, job_id, loaded.program.key, tools.tmp)
    sink.failed = {(jobs[i].group.label, jobs[i].document_kind) for i, _ in failures}
    report.archive = sink.finish(jobs, report)
    with db.session() as s:
        current = s.get(BatchJob, job_id, with_for_update=True)
        assert current is not None
        if current.status == RUNNING:
            batches.end_done(current, report)
        s.execute(update(BatchChunk).where(BatchChunk.id == chunk_id).values(status=DONE, updated_at=utcnow()))
    return DONE
