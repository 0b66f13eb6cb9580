"""The task queue: Celery with a Redis broker (``DOCGEN_BROKER_URL``), for several worker machines.

    docgen serve                          # DOCGEN_BROKER_URL set: the API only stores and queues
    docgen worker --concurrency 2         # on any machine sharing the database and the blob store

A message only says that there is work; it carries the id of the row it announces (for the log) and the
worker takes a row by the queue rule — the next upload round-robin by uploader (:mod:`api.scheduling`), the
oldest batch job — with the conditional UPDATE of :mod:`api.services.queue`. So a message delivered twice,
or two workers woken for one row, do the work once; the database row stays the truth. Each task calls the
same entry point as ``docgen serve``'s own threads (:class:`api.worker.Jobs`).

Reading comes before batches. They go to two queues (:data:`READ_QUEUE`, :data:`BATCH_QUEUE`), so a clerk's
single upload is never behind a 500-page batch in one queue, and reading machines can be kept for reading
(``-Q docgen.read``); and a worker running a batch reads the uploads waiting between two of its documents
(:meth:`api.worker.Jobs.batch_next`), so even a worker whose every slot runs a batch reads an upload within a
document's time.

Nothing is lost when a worker dies. Messages are acknowledged late (after the task), and a task whose pool
process was killed is given back (``task_reject_on_worker_lost``). A row a dead worker was running keeps a
heartbeat that stops; every worker sweeps every quarter lease (:class:`Sweeper`): a row whose heartbeat is
older than ``DOCGEN_TASK_LEASE_SECONDS`` goes back to the queue and is announced again, and rows waiting
without a message (the broker was down when they were stored) are announced. A reading killed half-way wrote
nothing (the record is written in one transaction at the end), so the upload is read once.

A batch is made by several workers together. The worker that takes a batch job cuts it into chunks of
``DOCGEN_BATCH_CHUNK_PAIRS`` pairs (:mod:`api.services.chunks`) and announces each (``docgen.run_chunk``, on
the batch queue); any worker takes a chunk by the same conditional UPDATE and lease and renders its
documents; the one that ends the last chunk writes the ZIP. PDF conversion has its own queue
(:data:`PDF_QUEUE`): a worker that consumes it converts its chunks' PDFs in its own LibreOffice pool; a
worker started without it (``-Q docgen.read,docgen.batch``) sends each slice of documents to be converted
by one that has it (:class:`RemoteConverter`), so DOCX rendering and LibreOffice can be on other machines.

A worker's reads are warm: the process starts a fork server that loaded the OCR models once
(:func:`api.sandbox.start_warm`), and each upload is read in a child forked from it under the same time and
memory limits as a fresh child (``docgen serve`` reads with the same warm server by default).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from celery import Celery
from sqlalchemy import select

from api.blobs import BlobStore, BlobStoreUnavailable
from api.models import BatchChunk, BatchJob, Upload
from api.services import batches, uploads
from api.services.errors import ServerFailure, ServiceError
from api.settings import Settings
from api.worker import Jobs, StoreOutage
from docgen.layout import PdfPage, PdfRun
from docgen.render.converter import ConversionResult, PdfConverter

log = logging.getLogger("docgen.worker")

READ_QUEUE = "docgen.read"
BATCH_QUEUE = "docgen.batch"
READ_TASK = "docgen.read_upload"
PDF_QUEUE = "docgen.pdf"
BATCH_TASK = "docgen.run_batch"
CHUNK_TASK = "docgen.run_chunk"
CONVERT_TASK = "docgen.convert_pdf"  # a chunk waits for it: with a result
REGENERATE_TASK = "docgen.regenerate_document"  # a person waits for it: on the reading queue, with a result
REGENERATE_WAIT = 300.0  # seconds a route waits for a regenerated document before it answers 500
# seconds a chunk waits for a slice of documents converted on the docgen.pdf queue (it may wait behind other
# chunks' slices there) before it records them as not converted
CONVERT_WAIT = 600.0
QUEUES = (READ_QUEUE, BATCH_QUEUE, PDF_QUEUE)

_jobs: Jobs | None = None  # this worker process's jobs (run_worker sets it before the first task)
_outage = StoreOutage(1.0)  # the blob store as this worker process's slots found it
_outage_lock = threading.Lock()


def make_app(broker_url: str) -> Celery:
    """The Celery app of ``broker_url`` with its tasks (both the API and the workers make one). The tasks are
    not shared: Celery would add a shared task of every app made before to this one (a second app in one
    process, as in the tests, warned of a task name registered to another callable)."""
    app = Celery("docgen", broker=broker_url, backend=broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,  # acknowledged after the task: a worker that dies mid-task does not lose it
        task_reject_on_worker_lost=True,  # … and a killed pool process gives its message back
        worker_prefetch_multiplier=1,  # a busy worker holds no more messages than it runs
        task_ignore_result=True,  # the database row is the result
        task_routes={READ_TASK: {"queue": READ_QUEUE}, BATCH_TASK: {"queue": BATCH_QUEUE},
                     CHUNK_TASK: {"queue": BATCH_QUEUE}, CONVERT_TASK: {"queue": PDF_QUEUE},
                     REGENERATE_TASK: {"queue": READ_QUEUE}},
        result_expires=3600,  # only the regenerated documents' ids are kept, for the route waiting on them
        task_default_queue=READ_QUEUE,
        broker_connection_retry_on_startup=True,
        worker_send_task_events=False,
    )

    @app.task(name=READ_TASK, shared=False)  # type: ignore[untyped-decorator]
    def read_upload(upload_id: int) -> int | None:
        """There is an upload to read (``upload_id`` announced it): read the next one by the queue rule. While
        the blob store is down the upload goes back to the queue (a sweep announces it again) and the slot
        waits before its next message, logged as :class:`~api.worker.StoreOutage` does (one traceback)."""
        try:
            read = _worker_jobs().read_next()
        except BlobStoreUnavailable as exc:
            with _outage_lock:
                wait = _outage.failed(exc)
            time.sleep(wait)
            return None
        with _outage_lock:
            _outage.passed()
        return read

    @app.task(name=BATCH_TASK, shared=False)  # type: ignore[untyped-decorator]
    def run_batch(job_id: int) -> int | None:
        """There is a batch job to run (``job_id`` announced it): run the oldest queued one."""
        return _worker_jobs().batch_next()

    @app.task(name=CHUNK_TASK, shared=False)  # type: ignore[untyped-decorator]
    def run_chunk(chunk_id: int) -> int | None:
        """There is a chunk of a batch to run (``chunk_id`` announced it): run the next queued one."""
        return _worker_jobs().chunk_next()

    @app.task(name=CONVERT_TASK, ignore_result=False, shared=False)  # type: ignore[untyped-decorator]
    def convert_pdf(names: list[str], keys: list[str]) -> list[dict[str, Any]]:
        """Convert the .docx documents stored under ``keys`` to PDF; each result with its PDF stored (by
        key) and its text read for the proof (:func:`conversion_to_json`). Nothing but the content-addressed
        store is written: a message delivered twice converts twice and changes nothing."""
        jobs = _worker_jobs()
        results = jobs.convert([(n, jobs.blobs.read(k)) for n, k in zip(names, keys, strict=True)])
        return [conversion_to_json(jobs.blobs, r) for r in results]

    @app.task(name=REGENERATE_TASK, ignore_result=False, shared=False)  # type: ignore[untyped-decorator]
    def regenerate_document(document_id: int, user_id: int) -> dict[str, Any]:
        """Render one document again (the route waits): ``{"documents": [ids]}`` or ``{"error": …}`` with the
        service error's status and message, raised again in the route."""
        try:
            return {"documents": _worker_jobs().regenerate(document_id, user_id)}
        except ServiceError as exc:
            return {"error": {"status": exc.status, "message": exc.message}}

    return app


def _worker_jobs() -> Jobs:
    if _jobs is None:
        raise RuntimeError("docgen 任务只能在 docgen worker 中运行")
    return _jobs


class CeleryDispatch:
    """The routes' :class:`~api.worker.Dispatch` with a broker: one message per stored row, after the commit.

    A message that cannot be sent (the broker is down) is logged; the row waits in the database and a
    worker's sweep announces it (:class:`Sweeper`) — the upload was acknowledged and is not lost.
    """

    def __init__(self, broker_url: str) -> None:
        self.app = make_app(broker_url)

    def uploads_queued(self, upload_ids: Sequence[int]) -> None:
        for upload_id in upload_ids:
            self._send(READ_TASK, upload_id)

    def batch_queued(self, job_id: int) -> None:
        self._send(BATCH_TASK, job_id)

    def regenerate(self, document_id: int, user_id: int) -> list[int]:
        """Send the job to a worker and wait for it (:data:`REGENERATE_WAIT` at most)."""
        try:
            result = self.app.send_task(REGENERATE_TASK, args=[document_id, user_id]).get(timeout=REGENERATE_WAIT)
        except Exception as exc:
            log.exception("regenerating document %d through the queue failed", document_id)
            raise ServerFailure(f"文书 {document_id} 重新生成失败：工作进程未完成（{type(exc).__name__}）") from None
        if "error" in result:
            error = ServiceError(str(result["error"]["message"]))
            error.status = int(result["error"]["status"])
            raise error
        return [int(i) for i in result["documents"]]

    def _send(self, task: str, row_id: int) -> None:
        try:
            self.app.send_task(task, args=[row_id], retry=True, retry_policy={"max_retries": 2})
        except Exception:
            log.exception("could not queue %s for row %d: a worker's sweep will announce it", task, row_id)

    def close(self) -> None:
        """Close the broker connections."""
        self.app.close()


def conversion_to_json(blobs: BlobStore, result: ConversionResult) -> dict[str, Any]:
    """A conversion as the ``docgen.pdf`` task answers it: the PDF by its key in the blob store (not through
    the broker), its pages, error and text (:class:`~docgen.layout.PdfPage` as lists)."""
    layout = None
    if result.layout is not None:
        layout = [
            [p.number, p.width, p.height, list(p.lines),
             [[c.text, c.x0, c.x1, c.top, c.bottom, c.size, c.baseline] for c in p.chars]]
            for p in result.layout
        ]  # fmt: skip
    key = blobs.put(result.pdf) if result.pdf is not None else None
    return {"name": result.name, "pdf": key, "pages": result.pages, "error": result.error, "layout": layout}


def conversion_from_json(blobs: BlobStore, data: dict[str, Any]) -> ConversionResult:
    """The :class:`~docgen.render.converter.ConversionResult` :func:`conversion_to_json` sent."""
    layout = None
    if data["layout"] is not None:
        layout = tuple(
            PdfPage(int(n), float(w), float(h), tuple(PdfRun(str(t), *map(float, rest)) for t, *rest in chars),
                    tuple(lines))
            for n, w, h, lines, chars in data["layout"]
        )  # fmt: skip
    pdf = blobs.read(data["pdf"]) if data["pdf"] is not None else None
    return ConversionResult(str(data["name"]), pdf, int(data["pages"]), data["error"], layout)


class RemoteConverter(PdfConverter):
    """The converter of a worker that does not consume :data:`PDF_QUEUE`: each call (a slice of a chunk's
    documents) is a ``docgen.convert_pdf`` task done by a worker that does, the .docx and PDF going through
    the shared blob store. A slice not converted within :data:`CONVERT_WAIT` seconds (no worker consumes
    the queue) comes back as failed documents, with the reason."""

    def __init__(self, app: Celery, blobs: BlobStore, wait: float = CONVERT_WAIT) -> None:
        self.app = app
        self.blobs = blobs
        self.wait = wait

    def convert_many(self, items: Iterable[tuple[str, bytes]]) -> list[ConversionResult]:
        listed = list(items)
        names = [name for name, _ in listed]
        keys = [self.blobs.put(docx) for _, docx in listed]  # the same bytes the document's row will keep
        try:
            message = self.app.send_task(CONVERT_TASK, args=[names, keys])
            # A chunk task waits for the conversion it sent: allowed, since a worker that converts never waits.
            answer = message.get(timeout=self.wait, disable_sync_subtasks=False)
        except Exception as exc:
            log.warning("converting %d documents on %s failed: %s", len(names), PDF_QUEUE, exc)
            why = f"PDF 转换未完成：{self.wait:.0f} 秒内没有处理 {PDF_QUEUE} 队列的工作进程应答（{type(exc).__name__}）"
            return [ConversionResult(name, None, 0, why) for name in names]
        return [conversion_from_json(self.blobs, data) for data in answer]

    def close(self) -> None:  # nothing of its own runs
        pass


def waiting_messages(app: Celery, queue: str) -> int:
    """How many messages wait in ``queue`` on the broker (0 when it cannot say)."""
    try:
        with app.connection_for_write() as conn:
            return int(conn.default_channel.queue_declare(queue=queue, passive=True).message_count)
    except Exception:
        return 0


class Sweeper:
    """Every worker's safety net, a thread run every quarter lease: rows a dead worker left running go back
    to the queue (:meth:`api.worker.Jobs.requeue_stale`), and rows waiting with fewer messages than rows in
    the broker are announced (a message is cheap: one that finds nothing to take does nothing)."""

    def __init__(self, app: Celery, jobs: Jobs) -> None:
        self.app = app
        self.jobs = jobs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="docgen-sweeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        every = max(self.jobs.settings.task_lease_seconds / 4, 0.2)
        while True:
            try:
                self.sweep()
            except Exception:  # the database or broker is briefly gone: the next sweep tries again
                log.warning("sweep failed", exc_info=True)
            if self._stop.wait(every):
                return

    def sweep(self) -> None:
        """One sweep: put back what dead workers left, announce what waits unannounced."""
        self.jobs.requeue_stale()
        with self.jobs.db.session() as s:
            received = s.scalars(select(Upload.id).where(Upload.status == uploads.RECEIVED).order_by(Upload.id))
            queued = s.scalars(select(BatchJob.id).where(BatchJob.status == batches.QUEUED).order_by(BatchJob.id))
            chunks = s.scalars(select(BatchChunk.id).where(BatchChunk.status == batches.QUEUED).order_by(BatchChunk.id))
            waiting = {
                READ_QUEUE: [(READ_TASK, int(i)) for i in received],
                BATCH_QUEUE: [(BATCH_TASK, int(i)) for i in queued] + [(CHUNK_TASK, int(i)) for i in chunks],
            }
        for queue, rows in waiting.items():
            missing = len(rows) - waiting_messages(self.app, queue)
            for task, row_id in rows[: max(missing, 0)]:
                self.app.send_task(task, args=[row_id])


def node_name(name: str | None) -> str:
    """The worker's node name (``worker<pid>@<host>`` unless given): on its log lines and the rows it takes."""
    return name or f"worker{os.getpid()}@{socket.gethostname()}"


def run_worker(
    settings: Settings, *, concurrency: int, queues: Sequence[str] = QUEUES, name: str | None = None
) -> None:
    """``docgen worker``: start the warm fork server, then a Celery worker (a thread per slot: the reading
    itself runs in forked children) consuming ``queues``, with the sweeper. Returns when it is stopped."""
    global _jobs
    from api.app import build_services
    from api.sandbox import start_warm

    services = build_services(settings)  # this machine's scratch and cache folders, the shared db and store
    start_warm()  # before any thread: the fork server is forked from a single-threaded process
    node = node_name(name)
    app = make_app(settings.broker_url)

    def announce(chunk_ids: Sequence[int]) -> None:
        for chunk_id in chunk_ids:  # one unsent (the broker is down) is announced by a sweep
            app.send_task(CHUNK_TASK, args=[chunk_id])

    _jobs = Jobs(
        settings, services.db, services.blobs, services.converters, node, reads_between_documents=True,
        chunk_pairs=settings.batch_chunk_pairs, announce_chunks=announce,
        batch_converter=None if PDF_QUEUE in queues else RemoteConverter(app, services.blobs),
    )  # fmt: skip
    sweeper = Sweeper(app, _jobs)
    sweeper.start()
    argv: list[Any] = [
        "worker", "--pool=threads", f"--concurrency={concurrency}", f"--queues={','.join(queues)}",
        f"--hostname={node}", "--loglevel=INFO", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    try:
        app.worker_main(argv)
    finally:
        sweeper.stop()
        services.converters.close()
        services.db.dispose()
