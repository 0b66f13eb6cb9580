"""The in-process worker: two daemon threads, one running batch jobs, one reading uploads.

Both poll the database (``worker_poll_seconds``) and claim work with a conditional UPDATE, so several
service processes could share a database. On start, work left half-done by a stopped process goes back to
the queue: batch jobs ``running`` → ``queued`` (they resume from the documents already stored), uploads
``processing`` → ``received``. The PDF converter pool is started on first use and closed on stop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from api.blobs import BlobStore
from api.db import Database
from api.models import Program
from api.services import batches, phone_links, uploads
from api.settings import Settings
from docgen.batch import UploadLinks
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


class Worker:
    def __init__(self, settings: Settings, db: Database, blobs: BlobStore, converters: Converters) -> None:
        self.settings = settings
        self.db = db
        self.blobs = blobs
        self.converters = converters
        self.secret = settings.resolved_secret() if settings.public_base_url else ""
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Re-queue interrupted work and start the two threads."""
        requeued = batches.requeue_interrupted(self.db), uploads.requeue_interrupted(self.db)
        if any(requeued):
            log.info("re-queued %d batch jobs and %d uploads left by a stopped process", *requeued)
        for name, step in (("batches", self._batch_step), ("uploads", self._upload_step)):
            t = threading.Thread(target=self._loop, args=(step,), name=f"docgen-{name}", daemon=True)
            t.start()
            self._threads.append(t)

    def wake(self) -> None:
        """Poll now (new work was queued)."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop both threads (each finishes its current item) and wait for them."""
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()

    def _loop(self, step: Callable[[], bool]) -> None:
        while not self._stop.is_set():
            try:
                worked = step()
            except Exception:  # keep the worker alive; the item itself records its failure
                log.exception("worker step failed")
                worked = False
            if not worked:
                self._wake.wait(self.settings.worker_poll_seconds)
                self._wake.clear()

    def _batch_step(self) -> bool:
        job_id = batches.claim_next(self.db)
        if job_id is None:
            return False
        batches.run_job(
            self.db,
            self.blobs,
            job_id,
            templates=self.settings.templates_dir,
            converter=self.converters,
            tmp=self.converters.tmp,
            links=self._links,
        )
        return True

    def _links(self, program: Program) -> UploadLinks | None:
        """The phone upload links of ``program``'s blank forms (none without ``public_base_url``)."""
        return phone_links.link_maker(self.settings, program, self.secret)

    def _upload_step(self) -> bool:
        upload_id = uploads.claim_next(self.db)
        if upload_id is None:
            return False
        s = self.settings
        uploads.process(
            self.db,
            self.blobs,
            upload_id,
            timeout=s.extract_timeout_seconds,
            memory=s.extract_memory_bytes,
            max_pixels=s.image_max_pixels,
            review_threshold=s.review_threshold,
        )
        return True
