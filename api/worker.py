"""The worker's jobs, and the in-process way of running them.

:class:`Jobs` holds the one entry point of each job — read the next upload, run the next batch, put back
what a dead worker left — whoever runs it: the two daemon threads of ``docgen serve`` without a broker
(:class:`Worker`, here), or the Celery tasks of ``docgen worker`` (:mod:`api.tasks`). A job takes its row by
the queue rule (:mod:`api.services.queue`: a conditional UPDATE, round-robin by uploader for uploads), keeps a
heartbeat on it while it runs, and writes the result in the row's own transaction — the database row is the
truth, a message only says that there is work.

In-process (:class:`Worker`): both threads poll the database (``worker_poll_seconds``; a route wakes them at
once), and the process's children are forks of the warm server it starts (:func:`api.sandbox.start_warm`,
``warm_reader``), as a ``docgen worker``'s are. On start, work left half-done by a stopped process goes back
to the queue: batch jobs ``running`` → ``queued`` (they resume from the documents already stored), uploads
``processing`` → ``received``. The PDF
converter pool is started on first use and closed on stop.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

from api.blobs import BlobStore, BlobStoreUnavailable
from api.db import Database
from api.models import BatchChunk, BatchJob, Program, Upload, User
from api.services import batches, chunks, documents, phone_links, programs, queue, uploads
from api.services.errors import NotFound, public_text
from api.settings import Settings
from docgen.batch import UploadLinks
from docgen.errors import DocgenError
from docgen.render.converter import ConversionResult, PdfConverter

log = logging.getLogger("docgen.worker")


class Converters:
    """The service's :class:`~docgen.render.pdf.PdfConverter`: a :class:`~docgen.render.pdf.ConverterPool`
    started on first use and shared by the worker and the routes (nothing starts LibreOffice at import)."""

    def __init__(self, settings: Settings, tmp: Path | None = None) -> None:
        self.settings = settings
        self.tmp = tmp  # LibreOffice work folders and profiles go here (the data dir's scratch folder)
        self._pool: PdfConverter | None = None
        self._lock = threading.Lock()

    def _get(self) -> PdfConverter:
        with self._lock:
            if self._pool is None:
                from docgen.render.pdf import ConverterPool

                self._pool = ConverterPool(
                    workers=self.settings.pdf_workers, timeout=self.settings.pdf_timeout_seconds, tmp_root=self.tmp
                )
            return self._pool

    def convert_many(self, items: Iterable[tuple[str, bytes]]) -> list[ConversionResult]:
        """Convert through the pool (started now if it was not); see :class:`~docgen.render.pdf.PdfConverter`."""
        return self._get().convert_many(items)

    def close(self) -> None:
        """Stop the converter pool if it was started; the next conversion starts a new one."""
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


class Dispatch(Protocol):
    """How a route says, after its commit, that work was queued: wake the in-process threads (:class:`Worker`)
    or send a message per row to the broker (:class:`api.tasks.CeleryDispatch`)."""

    def uploads_queued(self, upload_ids: Sequence[int]) -> None:
        """``upload_ids`` were stored ``received``."""

    def batch_queued(self, job_id: int) -> None:
        """Batch job ``job_id`` was stored ``queued``."""

    def regenerate(self, document_id: int, user_id: int) -> list[int]:
        """Render document ``document_id`` again for user ``user_id`` and wait: the ids of its stored rows, or
        the :class:`~api.services.errors.ServiceError` the job ended with."""
        ...


def worker_name() -> str:
    """This process's name on the rows it takes, for the in-process threads: ``serve@<host>:<pid>``."""
    return f"serve@{socket.gethostname()}:{os.getpid()}"


class Jobs:
    """The worker's jobs, one entry point each (the in-process threads and the Celery tasks call these).

    ``name`` is written on every row this worker takes (``uploads.worker``, ``batch_jobs.worker``).

    ``chunk_pairs`` set (``docgen worker``): a batch is not run whole by the worker that takes it but cut into
    chunks of that many pairs (:mod:`api.services.chunks`), announced by ``announce_chunks`` and run by any
    worker (:meth:`chunk_next`), each converting its PDFs with ``batch_converter`` (default ``converters``;
    a worker that does not convert sends them to the ``docgen.pdf`` queue: :class:`api.tasks.RemoteConverter`).
    """

    def __init__(
        self,
        settings: Settings,
        db: Database,
        blobs: BlobStore,
        converters: Converters,
        name: str,
        *,
        reads_between_documents: bool = False,
        chunk_pairs: int | None = None,
        announce_chunks: Callable[[Sequence[int]], None] | None = None,
        batch_converter: PdfConverter | None = None,
    ) -> None:
        self.settings = settings
        self.chunk_pairs = chunk_pairs
        self.announce_chunks = announce_chunks
        self.batch_converter: PdfConverter = batch_converter if batch_converter is not None else converters
        # a worker whose slots may all be running batches reads waiting uploads between a batch's documents
        self.reads_between_documents = reads_between_documents
        self._next_look = 0.0
        self.db = db
        self.blobs = blobs
        self.converters = converters
        self.name = name
        self.secret = settings.resolved_secret() if settings.public_base_url else ""
        self.beat = max(settings.task_lease_seconds / 4, 0.05)  # four heartbeats per lease

    def read_next(self) -> int | None:
        """Take the next upload (round-robin by uploader) and read it into a record; its id, or None when
        nothing was waiting (or another worker took it first)."""
        claimed = uploads.take_next(self.db, self.name)
        if claimed is None:
            return None
        upload_id = claimed.upload_id
        s = self.settings
        with queue.heartbeat(self.db, Upload, upload_id, running=uploads.PROCESSING, every=self.beat):
            status = uploads.read_claimed(
                self.db,
                self.blobs,
                claimed,
                timeout=s.extract_timeout_seconds,
                memory=s.extract_memory_bytes,
                max_pixels=s.image_max_pixels,
                review_threshold=s.review_threshold,
            )
        log.info("upload %d read by %s: %s", upload_id, self.name, status)
        return upload_id

    def batch_next(self) -> int | None:
        """Take the oldest queued batch job and run it to its end — or, with ``chunk_pairs``, cut it into
        chunks and announce them; its id, or None when none was queued."""
        job_id = batches.claim_next(self.db, self.name)
        if job_id is None:
            return None
        if self.chunk_pairs is not None:
            self._split(job_id, self.chunk_pairs)
            return job_id
        with queue.heartbeat(self.db, BatchJob, job_id, running=batches.RUNNING, every=self.beat):
            status = batches.run_job(self.db, self.blobs, job_id, self._run_tools(self.converters))
        log.info("batch %d run by %s: %s", job_id, self.name, status)
        return job_id

    def _split(self, job_id: int, pairs: int) -> None:
        try:
            with queue.heartbeat(self.db, BatchJob, job_id, running=batches.RUNNING, every=self.beat):
                ids = chunks.split(
                    self.db, self.blobs, job_id, templates=self.settings.templates_dir, pairs=pairs, links=self._links
                )
        except DocgenError as exc:  # the program, roster or a template: the batch cannot be planned
            batches.end(self.db, job_id, batches.FAILED, public_text(str(exc)))
            return
        log.info("batch %d split by %s: %d chunks to run", job_id, self.name, len(ids))
        if self.announce_chunks is not None:
            self.announce_chunks(ids)

    def chunk_next(self) -> int | None:
        """Take the next queued chunk of a batch and run it; the worker that ends a batch's last chunk writes
        its ZIP too (:mod:`api.services.chunks`). The chunk's id, or None when none was queued."""
        chunk_id = chunks.claim_next(self.db, self.name)
        if chunk_id is None:
            return None
        self._run_chunk(chunk_id)
        archive = chunks.archive_ready(self.db, chunks.job_of(self.db, chunk_id))
        if archive is not None:
            with self.db.session() as s:
                took = chunks.take(s, archive, self.name)
            if took:  # else another worker's claim took it between the two: it writes the ZIP
                self._run_chunk(archive)
        return chunk_id

    def _run_chunk(self, chunk_id: int) -> None:
        with queue.heartbeat(self.db, BatchChunk, chunk_id, running=batches.RUNNING, every=self.beat):
            status = chunks.run(self.db, self.blobs, chunk_id, self._run_tools(self.batch_converter))
        log.info("batch chunk %d run by %s: %s", chunk_id, self.name, status)

    def _run_tools(self, converter: PdfConverter) -> batches.RunTools:
        return batches.RunTools(
            templates=self.settings.templates_dir,
            converter=converter,
            tmp=self.converters.tmp,
            links=self._links,
            between=self._read_waiting if self.reads_between_documents else None,
        )

    def convert(self, items: Sequence[tuple[str, bytes]]) -> list[ConversionResult]:
        """Convert .docx documents to PDF with this worker's converter pool (the ``docgen.pdf`` queue's job)."""
        return self.converters.convert_many(items)

    def regenerate(self, document_id: int, user_id: int) -> list[int]:
        """Render one document again from its pair's current data (:func:`api.services.documents.regenerate`,
        as user ``user_id``) and store it; the ids of its rows (one per format). Its errors are the service's
        (404, 409, 422, 500), raised."""
        with self.db.session() as s:
            user = s.get(User, user_id)
            if user is None:
                raise NotFound(f"文书 {document_id} 不存在")
            doc = documents.get_document(s, user, document_id)
            program = programs.get_program(s, user, doc.program_id)
            links = phone_links.link_maker(self.settings, program, self.secret)
            out = documents.regenerate(
                s, user, doc, self.blobs, templates=self.settings.templates_dir, converter=self.converters,
                links=links,
            )
            return [d.id for d in out]

    def _read_waiting(self) -> None:
        """Between two documents of a batch: read the uploads waiting now (looking at most once a second).
        Reading comes first — a clerk's single upload waits for one document, not for the batch."""
        now = time.monotonic()
        if now < self._next_look:
            return
        while self.read_next() is not None:
            pass
        self._next_look = time.monotonic() + 1.0

    def _links(self, program: Program) -> UploadLinks | None:
        """The phone upload links of ``program``'s blank forms (none without ``public_base_url``)."""
        return phone_links.link_maker(self.settings, program, self.secret)

    def requeue_stale(self) -> tuple[list[int], list[int], list[int]]:
        """Uploads, batch jobs and chunks a dead worker left running (heartbeat older than the lease) go back
        to the queue, and so does the ZIP of a batch whose last chunk's worker died before taking it; their ids
        ``(uploads, jobs, chunks)``, to be announced again."""
        lease = self.settings.task_lease_seconds
        found = (
            uploads.requeue_stale(self.db, lease),
            batches.requeue_stale(self.db, lease),
            chunks.requeue_stale(self.db, lease) + chunks.archives_ready(self.db),
        )
        if any(found):
            log.warning("re-queued uploads %s, batch jobs %s and chunks %s left by a dead worker", *found)
        return found


class Worker:
    """``docgen serve``'s own worker (no broker): two daemon threads running :class:`Jobs`; a :class:`Dispatch`."""

    def __init__(self, settings: Settings, db: Database, blobs: BlobStore, converters: Converters) -> None:
        self.settings = settings
        self.jobs = Jobs(settings, db, blobs, converters, worker_name())
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the warm reader (``warm_reader``), re-queue interrupted work and start the two threads."""
        if self.settings.warm_reader:
            from api.sandbox import start_warm

            start_warm()  # the models load once, before the first upload: every read is a fork of it
        db = self.jobs.db
        requeued = batches.requeue_interrupted(db), uploads.requeue_interrupted(db)
        if any(requeued):
            log.info("re-queued %d batch jobs and %d uploads left by a stopped process", *requeued)
        for name, step in (("batches", self.jobs.batch_next), ("uploads", self.jobs.read_next)):
            t = threading.Thread(target=self._loop, args=(step,), name=f"docgen-{name}", daemon=True)
            t.start()
            self._threads.append(t)

    def wake(self) -> None:
        """Poll now (new work was queued)."""
        self._wake.set()

    def uploads_queued(self, upload_ids: Sequence[int]) -> None:
        """New uploads: wake the threads."""
        self.wake()

    def batch_queued(self, job_id: int) -> None:
        """A new batch job: wake the threads."""
        self.wake()

    def regenerate(self, document_id: int, user_id: int) -> list[int]:
        """In this process, now (the request's thread waits, as for any interactive job)."""
        return self.jobs.regenerate(document_id, user_id)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop both threads (each finishes its current item) and wait for them."""
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()

    def _loop(self, step: Callable[[], int | None]) -> None:
        outage = StoreOutage(self.settings.worker_poll_seconds)
        while not self._stop.is_set():
            try:
                worked = step() is not None
            except BlobStoreUnavailable as exc:  # the upload went back to the queue: wait for the store
                self._stop.wait(outage.failed(exc))  # not woken by new uploads: they would fail alike
                continue
            except Exception:  # keep the worker alive; the item itself records its failure
                log.exception("worker step failed")
                worked = False
            outage.passed()
            if not worked:
                self._wake.wait(self.settings.worker_poll_seconds)
                self._wake.clear()


class StoreOutage:
    """The worker's view of a blob store that is down: the first failure logged with its traceback, the next
    ones in one short line each, and a wait that doubles from ``first`` up to :attr:`longest` seconds between
    tries (not a traceback and a retry every poll); its end is logged once."""

    longest = 30.0

    def __init__(self, first: float) -> None:
        self.first = max(first, 0.05)
        self.failures = 0

    def failed(self, exc: BlobStoreUnavailable) -> float:
        """One more failed try: log it; the seconds to wait before the next."""
        self.failures += 1
        wait: float = min(self.first * 2.0 ** (self.failures - 1), self.longest)
        if self.failures == 1:
            log.error("blob store unavailable: uploads wait in the queue until it answers", exc_info=exc)
        else:
            log.warning("blob store still unavailable (%d tries): %s; next try in %.1f s", self.failures, exc, wait)
        return wait

    def passed(self) -> None:
        """A step ran without the store failing: an outage, if there was one, is over."""
        if self.failures:
            log.warning("blob store answers again after %d failed tries", self.failures)
            self.failures = 0
