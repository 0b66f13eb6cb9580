"""Batch jobs: enqueue, run (in the worker thread) into a storage-backed sink, cancel, progress.

A job runs :func:`docgen.batch.generate_batch` into :class:`StorageSink`: every finished document goes to
the blob store and a :class:`~api.models.Document` row at once (so a restart resumes, skipping documents
whose fingerprint is unchanged), and the ZIP is written to a temporary file, stored whole, and only then is
the job marked done — a client never sees a half-written archive.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import IO

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from api.blobs import BlobStore
from api.db import Database
from api.models import BatchChunk, BatchJob, Document, Pair, Program, User, utcnow
from api.services import audit, programs, queue, rosters, school_names
from api.services import templates as template_store
from api.services.accounts import require_admin
from api.services.errors import Conflict, public_text
from docgen.batch import (
    FIRST_WINDOW,
    BatchReport,
    DocumentJob,
    DocumentResult,
    UploadLinks,
    generate_batch,
    load_templates,
    pace_known,
    plan_batch,
    progress_fraction,
)
from docgen.batch import eta_seconds as pace_eta
from docgen.errors import DocgenError
from docgen.manifest import ManifestRow, manifest_row
from docgen.model import Program as DomainProgram
from docgen.model import Roster
from docgen.output import write_archive
from docgen.render.converter import ConversionResult, PdfConverter
from docgen.render.docx import CompiledTemplate

log = logging.getLogger("docgen.api")


class BatchStatus(StrEnum):
    """Where a batch job is (``batch_jobs.status``); the web UI shows it in words from /api/vocabulary."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


QUEUED, RUNNING, DONE, FAILED, CANCELLED = (BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.DONE,
                                            BatchStatus.FAILED, BatchStatus.CANCELLED)
FINISHED = (DONE, FAILED, CANCELLED)


class JobCancelled(Exception):
    """Raised from the progress callback when a cancel was asked for (between documents)."""


def enqueue(session: Session, program: Program, by: User, *, with_pdf: bool) -> BatchJob:
    """Queue a batch of every agreement of ``program`` (admins; 422 without a roster)."""
    require_admin(by)
    programs.require_active(program)
    rosters.roster_of(session, program)  # 422 now rather than a failed job later
    job = BatchJob(program_id=program.id, status=QUEUED, with_pdf=with_pdf, created_by=by.id)
    session.add(job)
    session.flush()
    audit.record(session, by, "batch.create", f"batch:{job.id}", program=program.id, pdf=with_pdf)
    return job


def get_job(session: Session, user: User, job_id: int) -> BatchJob:
    """A batch job of one of the user's programs; school users see none (404)."""
    return programs.get_in_program(session, user, BatchJob, job_id, "批量任务", lambda _j, _p: user.role != "school")


def cancel(session: Session, user: User, job: BatchJob) -> BatchJob:
    """Cancel a queued job, or ask a running one to stop between documents (admins)."""
    require_admin(user)
    if job.status in FINISHED:
        raise Conflict(f"批量任务 {job.id} 已结束（{job.status}），不能取消")
    if job.status == QUEUED:
        job.status = CANCELLED
    job.cancel_requested = True
    job.updated_at = utcnow()
    audit.record(session, user, "batch.cancel", f"batch:{job.id}")
    return job


def list_jobs(session: Session, user: User, program: Program) -> list[BatchJob]:
    """Every batch of ``program``, newest first (staff; a school account sees none, as with one job)."""
    if user.role == "school":
        return []
    query = select(BatchJob).where(BatchJob.program_id == program.id).order_by(BatchJob.id.desc())
    return list(session.scalars(query))


def progress(job: BatchJob) -> float:
    """How far the job is, 0–1 (:func:`docgen.batch.progress_fraction`); 1 once done."""
    if job.status == DONE:
        return 1.0
    return progress_fraction(
        job.total, rendered=job.rendered, converted=job.converted, done=job.done, with_pdf=job.with_pdf
    )


def eta_seconds(job: BatchJob) -> float | None:
    """Seconds left for a running job: the pace at its last progress update, counted down since then
    (:func:`docgen.batch.eta_seconds`: it settles instead of rising while a window converts); None when
    unknown (:func:`docgen.batch.pace_known`: with PDF, before the first PDF is made)."""
    if job.status != RUNNING or not job.started_at or not job.total:
        return None
    if not pace_known(with_pdf=job.with_pdf, converted=job.converted, done=job.done):
        return None
    elapsed = (job.updated_at - job.started_at).total_seconds()
    return pace_eta(elapsed, progress(job), (utcnow() - job.updated_at).total_seconds())


def archive_key(job: BatchJob) -> str:
    """The blob key of a finished job's ZIP; :class:`Conflict` until the job is done."""
    if job.status != DONE or not job.archive_key:
        raise Conflict(f"批量任务 {job.id} 尚未完成（{job.status}，{job.done}/{job.total}），ZIP 还不能下载")
    return job.archive_key


def requeue_interrupted(db: Database) -> int:
    """Jobs left ``running`` by a stopped process go back to the queue (they resume from stored documents)."""
    return queue.requeue_interrupted(db, BatchJob, running=RUNNING, queued=QUEUED)


def requeue_stale(db: Database, lease: float) -> list[int]:
    """Jobs a dead worker left ``running`` (no heartbeat for ``lease`` seconds) go back to the queue; they
    resume from the documents already stored. A job split into chunks is not one of them: its chunks carry
    the leases (:func:`api.services.chunks.requeue_stale`)."""
    split = exists().where(BatchChunk.job_id == BatchJob.id)
    return queue.requeue_stale(db, BatchJob, running=RUNNING, queued=QUEUED, lease=lease, where=[~split])


def claim_next(db: Database, worker: str = "") -> int | None:
    """Atomically take the oldest queued job (safe with several worker processes: :func:`api.services.queue.take`).
    ``worker`` names the taker on the row."""
    with db.session() as s:
        for job_id in s.scalars(select(BatchJob.id).where(BatchJob.status == QUEUED).order_by(BatchJob.id).limit(5)):
            now = utcnow()
            values = {"started_at": now, "updated_at": now, "done": 0}
            if queue.take(s, BatchJob, job_id, queued=QUEUED, running=RUNNING, worker=worker, **values):
                return int(job_id)
    return None


class StorageSink:
    """A :class:`~docgen.batch.BatchSink` writing documents into the blob store and the ``documents`` table."""

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        program_id: int,
        job_id: int,
        archive_name: str,
        tmp: Path | None = None,
        labels: Collection[str] | None = None,
    ) -> None:
        """``labels``: only these pairs' stored documents are looked up (a chunk's), None: the program's."""
        self.tmp = tmp  # where the ZIP is written before it is stored (the data dir's scratch folder)
        self.db = db
        self.blobs = blobs
        self.program_id = program_id
        self.job_id = job_id
        self.archive_name = archive_name
        # (pair, kind) -> {format: (fingerprint, blob key, file name, pages, sha256, proof summary)}
        self.entries: dict[tuple[str, str], dict[str, tuple[str, str, str, int | None, str, str]]] = {}
        with db.session() as s:
            current = select(Pair.id).where(Pair.program_id == program_id, Pair.removed_at.is_(None))
            query = select(Document).where(Document.program_id == program_id, Document.pair_id.in_(current))
            if labels is not None:
                query = query.where(Document.pair_label.in_(sorted(labels)))
            for d in s.scalars(query):  # a removed pair's documents may carry a label a current pair has now
                self.entries.setdefault((d.pair_label, d.kind), {})[d.format] = (
                    d.fingerprint,
                    d.blob_key,
                    d.file_name,
                    d.pages,
                    d.sha256,
                    d.proof,
                )
        self.failed: set[tuple[str, str]] = set()

    def is_done(self, job: DocumentJob, fingerprint: str) -> bool:
        """Whether every stored format of this document has ``fingerprint`` and its blob exists."""
        entry = self.entries.get((job.group.label, job.document_kind))
        if not entry or "docx" not in entry:
            return False
        return all(fp == fingerprint and self.blobs.exists(key) for fp, key, *_ in entry.values())

    def record(self, result: DocumentResult) -> None:
        """Store one finished document (every format) in the blob store and the ``documents`` table."""
        job = result.job
        ident = (job.group.label, job.document_kind)
        if not result.files:
            self.failed.add(ident)
            return
        self.failed.discard(ident)
        with self.db.session() as s:
            stored = store_result(s, self.blobs, self.program_id, result, self.job_id)
            self.entries[ident] = {
                d.format: (d.fingerprint, d.blob_key, d.file_name, d.pages, d.sha256, d.proof) for d in stored
            }

    def finish(self, jobs: Sequence[DocumentJob], report: BatchReport) -> str:
        """Write the ZIP (:func:`docgen.output.write_archive`, as the CLI) to a temp file, then store it."""
        tmpdir = Path(tempfile.mkdtemp(prefix="docgen-zip-", dir=self.tmp))
        try:
            path = tmpdir / f"{self.archive_name}.zip"
            write_archive(path, self._files(jobs), report.failures, tmpdir)
            return self.blobs.put_file(path)
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)

    def _files(self, jobs: Sequence[DocumentJob]) -> Iterator[tuple[ManifestRow, Callable[[], IO[bytes]]]]:
        """The stored files of the finished documents among ``jobs``, in plan order (.docx before .pdf)."""
        for job in jobs:
            ident = (job.group.label, job.document_kind)
            if ident in self.failed:
                continue
            for fmt, (_, key, name, pages, digest, proof) in sorted(self.entries.get(ident, {}).items()):
                yield manifest_row(job, name, fmt, pages, digest, proof), partial(self.blobs.open, key)


def same_pair(pair_id: int | None) -> ColumnElement[bool]:
    """The documents of pair ``pair_id`` (None: of no pair)."""
    return Document.pair_id.is_(None) if pair_id is None else Document.pair_id == pair_id


def store_result(
    s: Session, blobs: BlobStore, program_id: int, result: DocumentResult, job_id: int | None
) -> list[Document]:
    """Put every file of a generated document into the blob store and insert or update its ``documents`` row
    (one per format); returns the rows. ``job_id``: the batch job that made it (None: regenerated alone).
    The document is its current pair's, and the label printed on it is noted for that pair
    (:func:`api.services.rosters.issue`)."""
    job = result.job
    pair = rosters.issue(s, program_id, job.group.label)
    pair_id = pair.id if pair is not None else None
    out = []
    for file in result.files:
        key = blobs.put(file.data)
        doc = s.scalar(
            select(Document).where(
                Document.program_id == program_id,
                same_pair(pair_id),
                Document.pair_label == job.group.label,
                Document.kind == job.document_kind,
                Document.format == file.format,
            )
        )
        if doc is None:
            doc = Document(
                program_id=program_id,
                pair_id=pair_id,
                pair_label=job.group.label,
                kind=job.document_kind,
                format=file.format,
            )
            s.add(doc)
        doc.title, doc.file_name, doc.blob_key, doc.sha256, doc.size = (
            job.title,
            file.name,
            key,
            file.sha256,
            len(file.data),
        )
        doc.pages, doc.fingerprint, doc.job_id, doc.updated_at = file.pages, result.fingerprint, job_id, utcnow()
        doc.draft, doc.draft_reasons = job.draft, "；".join(job.draft_reasons)
        doc.proof = result.proof.summary() if result.proof is not None else ""
        s.flush()
        out.append(doc)
    return out


def end(db: Database, job_id: int, status: str, error: str | None = None) -> None:
    """Mark a job finished (``failed``/``cancelled``) in its own transaction."""
    with db.session() as s:
        current = s.get(BatchJob, job_id)
        assert current is not None
        current.status, current.updated_at = status, utcnow()
        if error is not None:
            current.error = error


class _Stopping(PdfConverter):
    """The job's converter, fed in slices so that a cancel is seen between two slices (within about a second,
    not after a whole window) and conversions are counted as they finish.

    The first slice has at most ``slice_size`` documents; every later one — in this call or the next (a
    batch converts each window per template) — is sized from the last slice's pace to take about
    :data:`CONVERT_SLICE_SECONDS`: on a busy machine, where 12 documents take several seconds, a cancel still
    stops the batch within 2 s; on an idle one the slices grow and LibreOffice is called less often."""

    def __init__(self, inner: PdfConverter, step: Callable[[int], None], slice_size: int) -> None:
        self.inner = inner
        self.step = step  # called with the documents just converted; raises JobCancelled to stop
        self.slice_size = slice_size
        self.size = slice_size  # the next slice's size, learnt from the pace

    def convert_many(self, items: Iterable[tuple[str, bytes]]) -> list[ConversionResult]:
        listed = list(items)
        out: list[ConversionResult] = []
        start = 0
        while start < len(listed):
            part_items = listed[start : start + self.size]
            began = time.monotonic()
            part = self.inner.convert_many(part_items)
            took = time.monotonic() - began
            out.extend(part)
            start += len(part_items)
            if took > 0:
                per_doc = took / len(part_items)
                paced = round(CONVERT_SLICE_SECONDS / per_doc)
                self.size = max(CONVERT_SLICE_MIN, min(paced, self.slice_size * 4))
            self.step(len(part))
        return out

    def close(self) -> None:  # the service's pool outlives the job
        pass


CONVERT_SLICE = 12  # documents in a job's first converter call: ≈ 1 s of LibreOffice on an idle machine
CONVERT_SLICE_SECONDS = 1.0  # what later slices aim at (paced): a cancel waits about this long, never 2 s
CONVERT_SLICE_MIN = 2  # one document for each of the pool's two converters


@dataclass(frozen=True)
class RunTools:
    """What running a batch — a whole job (:func:`run_job`) or one chunk of it
    (:func:`api.services.chunks.run`) — needs besides the database, the store and the row's id."""

    templates: Path | None  # the program's own templates folder (None: the bundled ones)
    converter: PdfConverter | None  # None: no PDF
    tmp: Path | None = None  # where the ZIP is written before it is stored
    links: Callable[[Program], UploadLinks | None] | None = None
    """The program's blank forms' phone upload links (:func:`api.services.phone_links.link_maker`)."""
    between: Callable[[], None] | None = None
    """Called at every progress point (a document made, a slice converted): a worker reads waiting uploads
    there, so a clerk's upload does not wait for the end of a 500-page batch."""
    progress_interval: float = 0.25  # seconds between progress writes


def run_job(db: Database, blobs: BlobStore, job_id: int, tools: RunTools) -> str:
    """Run a claimed job to its end; returns the final status. Never raises for a bad job.

    Whatever goes wrong (the program, the roster, a template, the batch, the ZIP, the store) ends the job
    ``failed`` with the reason — a claimed job is never left ``running``.
    """
    try:
        return _run_job(db, blobs, job_id, tools)
    except JobCancelled:
        end(db, job_id, CANCELLED)
        return CANCELLED
    except DocgenError as exc:
        end(db, job_id, FAILED, public_text(str(exc)))
        return FAILED
    except Exception as exc:  # a crash inside the batch fails this job, not the worker
        log.exception("batch %s crashed", job_id)
        end(db, job_id, FAILED, f"内部错误（{type(exc).__name__}）：{public_text(str(exc))}")
        return FAILED


@dataclass(frozen=True)
class LoadedJob:
    """What running a batch job (or one of its chunks) needs, read from the database in one session."""

    program_id: int
    with_pdf: bool
    program: DomainProgram  # with the school name table's full names: documents sign with them
    roster: Roster
    templates: Mapping[str, CompiledTemplate]
    links: UploadLinks | None


def load(
    db: Database,
    blobs: BlobStore,
    job_id: int,
    *,
    templates: Path | None,
    links: Callable[[Program], UploadLinks | None] | None = None,
) -> LoadedJob:
    """Job ``job_id``'s program, roster, compiled templates and phone links, as a batch of it sees them now."""
    with db.session() as s:
        job = s.get(BatchJob, job_id)
        assert job is not None
        program_row = s.get(Program, job.program_id)
        assert program_row is not None
        program = school_names.program_with_names(s, program_row)
        return LoadedJob(
            program_row.id,
            job.with_pdf,
            program,
            rosters.roster_of(s, program_row),
            load_templates(program, template_store.reader(s, blobs, templates, program_id=program_row.id)),
            links(program_row) if links is not None else None,
        )


def plan(loaded: LoadedJob) -> list[DocumentJob]:
    """The job's documents, as :func:`docgen.batch.generate_batch` plans them for the service (with forms)."""
    return plan_batch(loaded.program, loaded.roster, with_forms=WITH_FORMS)


WITH_FORMS = True  # as `docgen generate`: the program's blank forms come with its agreements


def end_done(current: BatchJob, report: BatchReport) -> None:
    """Write a finished batch's report on its row: done (cancelled if a cancel came too late to stop it)."""
    current.done = current.total = current.rendered = report.planned
    current.converted = report.planned if current.with_pdf else 0
    current.failed = len(report.failures)
    current.archive_key = report.archive
    current.error = public_text("；".join(f"{k}: {r}" for k, r in report.failures[:20])) or None
    current.proof = report.proof_summary() or None
    current.status, current.updated_at = DONE, utcnow()
    if current.cancel_requested:
        current.status = CANCELLED


class Progress:
    """A running batch's (or chunk's) counts, stored at most every ``interval`` seconds by ``save`` (which
    raises :class:`JobCancelled` to stop); ``between`` is called at every progress point."""

    def __init__(
        self, save: Callable[[dict[str, int]], None], interval: float, between: Callable[[], None] | None
    ) -> None:
        self.save = save
        self.interval = interval
        self.between = between
        self.last = 0.0
        self.counts = {"done": 0, "total": 0, "rendered": 0, "converted": 0}

    def store(self, force: bool = False) -> None:
        """Store the progress (at most every ``interval`` seconds); a cancel asked for stops the batch here."""
        if self.between is not None:
            self.between()
        now = time.monotonic()
        if now - self.last < self.interval and not force:
            return
        self.last = now
        self.save(self.counts)

    def on_progress(self, done: int, total: int) -> None:
        self.counts["done"], self.counts["total"] = done, total
        self.store(force=done == 0 or done >= total)  # the plan's size at once; the end at once

    def on_rendered(self) -> None:
        self.counts["rendered"] += 1
        self.store()

    def on_converted(self, n: int) -> None:
        self.counts["converted"] += n
        self.store()

    def converter(self, converter: PdfConverter | None, with_pdf: bool) -> PdfConverter | None:
        """The job's converter, counting conversions and seeing a cancel between slices (None without PDF)."""
        return _Stopping(converter, self.on_converted, CONVERT_SLICE) if with_pdf and converter is not None else None


def _run_job(db: Database, blobs: BlobStore, job_id: int, tools: RunTools) -> str:
    loaded = load(db, blobs, job_id, templates=tools.templates, links=tools.links)
    sink = StorageSink(db, blobs, loaded.program_id, job_id, loaded.program.key, tools.tmp)

    def save(counts: dict[str, int]) -> None:
        with db.session() as s:
            current = s.get(BatchJob, job_id)
            assert current is not None
            current.done, current.total = counts["done"], counts["total"]
            current.rendered, current.converted, current.updated_at = counts["rendered"], counts["converted"], utcnow()
            if current.cancel_requested:
                raise JobCancelled

    progress = Progress(save, tools.progress_interval, tools.between)
    report = generate_batch(
        loaded.program,
        loaded.roster,
        loaded.templates,
        sink,
        converter=progress.converter(tools.converter, loaded.with_pdf),
        with_forms=WITH_FORMS,
        first_window=FIRST_WINDOW,  # a clerk watches it: the first PDFs within seconds
        on_progress=progress.on_progress,
        on_rendered=progress.on_rendered,
        links=loaded.links,
    )
    with db.session() as s:
        current = s.get(BatchJob, job_id)
        assert current is not None
        end_done(current, report)
    return DONE
