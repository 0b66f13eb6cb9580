"""DOCX → PDF through LibreOffice: persistent, pooled, time-boxed converters.

    with ConverterPool(workers=2) as pool:
        for r in pool.convert_many([("甲.docx", data1), ("乙.docx", data2)]):
            r.name, r.pdf, r.pages, r.error          # in input order; r.pdf is None when r.error is set

How it works (details and measurements in docs/pdf.md):

* A ``LibreOfficeConverter`` runs ``uno_bridge.py`` under the system Python that has ``uno``; the bridge
  starts one headless soffice with its own profile directory and converts documents on request (one JSON
  line each way). Everything runs in one new session/process group, so a time-out kills soffice,
  oosplash and the bridge together; the converter restarts and reports that document as failed. When
  ``unshare -rn`` works, the group runs in a network namespace with no network, so linked images cannot
  be fetched.
* ``FONTCONFIG_FILE`` points soffice at ``fonts.conf`` beside this module: 仿宋_GB2312 → FandolFang,
  方正小标宋简体 → Noto Serif CJK SC SemiBold, 黑体 → Noto Sans CJK SC, 楷体 → FandolKai, 宋体 → FandolSong,
  with full-coverage fallbacks (FandolFang lacks 濛).
* ``ConverterPool`` runs one converter per worker thread. It merges chunks of documents into one .docx
  (``merge.merge_documents``), converts each chunk in one load and cuts the PDF at bookmarks exported as named
  destinations; a chunk that fails or does not split cleanly is converted again one document at a time, so a
  bad document fails alone.

Both implement :class:`docgen.render.converter.PdfConverter`, the interface the batch and the service use.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import json
import math
import os
import queue
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pypdfium2 as pdfium

from docgen.errors import ConversionError
from docgen.layout import PdfPage
from docgen.render.converter import ConversionResult, DocumentCheck
from docgen.render.merge import MergeError, merge_documents, split_merged_pdf
from docgen.render.pdf_text import PDFIUM_LOCK, read_pages

HERE = Path(__file__).resolve().parent
BRIDGE = HERE / "uno_bridge.py"
FONTS_CONF = HERE / "fonts.conf"
UNO_PYTHON = "/usr/bin/python3"
MISSING_OFFICE = "LibreOffice 未安装: run `make setup`"


def find_soffice() -> str:
    """Path of ``soffice``; raises ``ConversionError`` naming the fix when LibreOffice is missing."""
    path = shutil.which("soffice")
    if path is None:
        raise ConversionError(MISSING_OFFICE)
    return path


@functools.cache
def network_isolation_available() -> bool:
    """True when ``unshare -rn`` can run a command without network (user + network namespaces)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    try:
        done = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def pdf_page_count(pdf: bytes) -> int:
    """The number of pages of a PDF (recorded in the manifest)."""
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf)
        try:
            return len(doc)
        finally:
            doc.close()


class LibreOfficeConverter:
    """One worker: a bridge process and its soffice, restarted after a crash or a time-out.

    ``timeout`` is the limit in seconds for one document; a request's limit grows with its size
    (``+ timeout_per_mb`` per MB of .docx) and, for merged chunks, with the number of documents
    (``+ timeout_per_doc`` each). ``profile_dir`` is the soffice profile; it is created on the first start and
    reused by every restart (the first start of a new profile costs seconds). It must not be shared with
    another live converter. ``tmp_root`` holds the work folder (and the default profile); default: the
    system temp folder. Not thread-safe: one thread per converter.
    """

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        timeout_per_mb: float = 10.0,
        timeout_per_doc: float = 2.0,
        start_timeout: float = 120.0,
        profile_dir: Path | None = None,
        soffice: str | None = None,
        uno_python: str = UNO_PYTHON,
        isolate_network: bool | None = None,
        tmp_root: Path | None = None,
    ) -> None:
        self.soffice = soffice or find_soffice()
        if not Path(uno_python).exists():
            raise ConversionError(
                f"{uno_python} (Python with the LibreOffice `uno` module) not found: run `make setup`"
            )
        self.uno_python = uno_python
        self.timeout = timeout
        self.timeout_per_mb = timeout_per_mb
        self.timeout_per_doc = timeout_per_doc
        self.start_timeout = start_timeout
        self.isolate_network = network_isolation_available() if isolate_network is None else isolate_network
        self._workdir = Path(tempfile.mkdtemp(prefix="docgen-pdf-", dir=tmp_root))
        self.profile_dir = profile_dir or self._workdir / "profile"
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self._log: Any = None
        self.restarts = 0

    # -- life cycle --------------------------------------------------------------------------------
    @property
    def pgid(self) -> int | None:
        """Process group of the running bridge + soffice (None when not started)."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def start(self) -> None:
        if self.pgid is not None:
            return
        self._stop(kill=True)
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            self.uno_python,
            str(BRIDGE),
            "--soffice",
            self.soffice,
            "--profile",
            self.profile_dir.resolve().as_uri(),
            "--pipe",
            f"docgen_{os.getpid()}_{uuid.uuid4().hex[:12]}",
            "--start-timeout",
            str(self.start_timeout),
        ]
        if self.isolate_network:
            cmd = [shutil.which("unshare") or "unshare", "-rn", *cmd]
        env = dict(os.environ)
        env["FONTCONFIG_FILE"] = str(FONTS_CONF)
        env["SAL_USE_VCLPLUGIN"] = "svp"
        env.pop("PYTHONPATH", None)
        env.pop("PYTHONHOME", None)
        self._log = open(self._workdir / "office.log", "ab")  # noqa: SIM115 - closed in _stop
        self._buffer = b""
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            start_new_session=True,
        )
        try:
            hello = self._read_reply(time.monotonic() + self.start_timeout + 5)
        except ConversionError as exc:
            self._stop(kill=True)
            raise ConversionError(f"LibreOffice did not start: {exc}{self._log_tail()}") from None
        if not hello.get("ready"):
            self._stop(kill=True)
            raise ConversionError(f"LibreOffice did not start: {hello.get('error')}{self._log_tail()}")

    def restart(self) -> None:
        self._stop(kill=True)
        self.restarts += 1
        self.start()

    def close(self) -> None:
        """End the bridge and soffice (politely, then by killing the process group) and remove temp files."""
        self._stop(kill=False)
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _stop(self, *, kill: bool) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if not kill and proc.poll() is None and proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=15)
            # Whatever is left of the group (soffice.bin, oosplash, helpers) goes too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            _wait_group_gone(proc.pid, 10)
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def _log_tail(self) -> str:
        try:
            tail = (self._workdir / "office.log").read_bytes()[-600:].decode("utf-8", "replace").strip()
        except OSError:
            return ""
        return f" — log: {tail}" if tail else ""

    # -- protocol ----------------------------------------------------------------------------------
    def _read_reply(self, deadline: float) -> dict[str, Any]:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        fd = proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ConversionError("time limit exceeded")
                if not sel.select(left):
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise ConversionError(f"LibreOffice bridge exited (code {proc.wait()})")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def time_limit(self, size: int, documents: int = 1) -> float:
        return self.timeout + self.timeout_per_mb * size / 1e6 + self.timeout_per_doc * (documents - 1)

    def convert_file(self, src: Path, dst: Path, *, bookmarks: bool = False, time_limit: float | None = None) -> int:
        """Convert ``src`` (.docx) to ``dst`` (.pdf); return LibreOffice's page count.

        Raises ``ConversionError`` on failure; after a time-out or a crash the converter has been restarted.
        """
        self.start()
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        limit = time_limit if time_limit is not None else self.time_limit(src.stat().st_size)
        request = {"in": str(src.resolve()), "out": str(dst.resolve()), "options": {"bookmarks": bookmarks}}
        try:
            proc.stdin.write((json.dumps(request, ensure_ascii=False) + "\n").encode())
            proc.stdin.flush()
            reply = self._read_reply(time.monotonic() + limit)
        except (ConversionError, OSError, ValueError) as exc:
            reason = f"time limit of {limit:.3g} s exceeded" if "time limit" in str(exc) else str(exc)
            self.restart_quietly()
            raise ConversionError(f"{src.name}: {reason}; LibreOffice restarted") from None
        if not reply.get("ok"):
            raise ConversionError(f"{src.name}: {reply.get('error')}")
        if not dst.exists():
            raise ConversionError(f"{src.name}: LibreOffice wrote no PDF")
        return int(reply.get("pages") or 0)

    def restart_quietly(self) -> None:
        """Kill and restart; a failing start is left for the next request to report."""
        self._stop(kill=True)
        self.restarts += 1
        with contextlib.suppress(ConversionError):
            self.start()

    # -- documents ---------------------------------------------------------------------------------
    def convert(self, name: str, docx: bytes, *, time_limit: float | None = None) -> ConversionResult:
        """Convert one document given as bytes; never raises for a bad document."""
        src, dst = self._paths()
        try:
            src.write_bytes(docx)
            self.convert_file(src, dst, time_limit=time_limit)
            pdf = dst.read_bytes()
            [layout] = read_pages(pdf)
            return ConversionResult(name, pdf, len(layout), layout=tuple(layout))
        except (ConversionError, OSError) as exc:
            return ConversionResult(name, None, 0, f"{name}: {exc}")
        except Exception as exc:  # a PDF pdfium cannot read
            return ConversionResult(name, None, 0, f"{name}: {type(exc).__name__}: {exc}")
        finally:
            _unlink(src, dst)

    def convert_merged(self, items: Sequence[tuple[str, bytes]]) -> list[ConversionResult]:
        """Convert documents from one template in a single LibreOffice load; raises on any mismatch."""
        results, read = self._convert_merged(items)
        return _with_layouts(results, read())

    def _convert_merged(
        self, items: Sequence[tuple[str, bytes]]
    ) -> tuple[list[ConversionResult], Callable[[], list[list[PdfPage]]]]:
        """:meth:`convert_merged` without reading the PDF's text: the results, and how to read it."""
        merged = merge_documents([d for _, d in items])
        src, dst = self._paths()
        try:
            src.write_bytes(merged)
            self.convert_file(src, dst, bookmarks=True, time_limit=self.time_limit(len(merged), len(items)))
            pdf = dst.read_bytes()
        finally:
            _unlink(src, dst)
        starts, parts, total = split_merged_pdf(pdf, len(items))
        pages = [b - a for a, b in itertools.pairwise([*starts, total])]
        results = [
            ConversionResult(name, part, count)
            for (name, _), part, count in zip(items, parts, pages, strict=True)
        ]
        # The chunk's text is read once, before the cut: pdfium parses the fonts once for every document.
        return results, functools.partial(read_pages, pdf, starts)

    def convert_many(self, items: Iterable[tuple[str, bytes]], *, chunk_size: int = 1) -> list[ConversionResult]:
        """Convert in order; ``chunk_size`` > 1 merges that many documents per load (``convert_chunk``)."""
        listed = list(items)
        out: list[ConversionResult] = []
        for i in range(0, len(listed), max(1, chunk_size)):
            out.extend(self.convert_chunk(listed[i : i + max(1, chunk_size)]))
        return out

    def convert_chunk(self, items: Sequence[tuple[str, bytes]]) -> list[ConversionResult]:
        """Merged conversion when there are several documents; one by one if that fails."""
        results, read = self.convert_chunk_deferred(items)
        return _with_layouts(results, read())

    def convert_chunk_deferred(
        self, items: Sequence[tuple[str, bytes]]
    ) -> tuple[list[ConversionResult], Callable[[], list[list[PdfPage]]]]:
        """:meth:`convert_chunk`, with the reading of the PDFs' text left for later: the results (without
        ``layout``) and a function that reads the layouts, one per result (the pool reads while this
        converter's soffice goes on with the next chunk)."""
        if len(items) > 1:
            # A merge LibreOffice rejects, or a PDF that cannot be cut: the one-by-one path then reports
            # each document on its own, so one bad document fails alone.
            with contextlib.suppress(MergeError, ConversionError, pdfium.PdfiumError, ValueError, KeyError):
                return self._convert_merged(items)
        results = [self.convert(name, data) for name, data in items]
        return results, lambda: [list(r.layout or ()) for r in results]

    def _paths(self) -> tuple[Path, Path]:
        stem = uuid.uuid4().hex
        return self._workdir / f"{stem}.docx", self._workdir / f"{stem}.pdf"


class ConverterPool:
    """``workers`` converters (default: CPU count) fed from one queue of chunks; results in input order.

    ``chunk_size`` is the most documents merged into one LibreOffice load; chunks are made smaller so every
    worker gets work. ``profile_root`` keeps soffice profiles between pools (``worker<i>`` below it); by
    default each converter has a temporary one. Other keyword arguments go to ``LibreOfficeConverter``.
    """

    def __init__(
        self,
        workers: int | None = None,
        timeout: float = 30.0,
        *,
        chunk_size: int = 40,
        profile_root: Path | None = None,
        **converter_options: Any,
    ) -> None:
        count = workers or os.cpu_count() or 1
        self.chunk_size = max(1, chunk_size)
        self.converters = [
            LibreOfficeConverter(
                timeout=timeout,
                profile_dir=(profile_root / f"worker{i}") if profile_root is not None else None,
                **converter_options,
            )
            for i in range(count)
        ]
        self._lock = threading.Lock()

    def convert_many(self, items: Iterable[tuple[str, bytes]]) -> list[ConversionResult]:
        return self._convert_many(items, None)

    def convert_many_checked(self, items: Iterable[tuple[str, bytes]], check: DocumentCheck) -> list[ConversionResult]:
        """:meth:`convert_many`, with ``check(i, result)`` run on each converted document by the thread that
        reads the PDFs' text, right after its chunk is read (:class:`~docgen.render.converter.CheckingConverter`)."""
        return self._convert_many(items, check)

    def _convert_many(self, items: Iterable[tuple[str, bytes]], check: DocumentCheck | None) -> list[ConversionResult]:
        listed = list(items)
        if not listed:
            return []
        workers = len(self.converters)
        size = max(1, min(self.chunk_size, math.ceil(len(listed) / workers)))
        chunks: queue.Queue[tuple[int, list[tuple[str, bytes]]]] = queue.Queue()
        for start in range(0, len(listed), size):
            chunks.put((start, listed[start : start + size]))
        results: list[ConversionResult | None] = [None] * len(listed)

        reads: queue.Queue[tuple[int, list[ConversionResult], Callable[[], list[list[PdfPage]]]] | None] = queue.Queue()

        def convert(conv: LibreOfficeConverter) -> None:
            while True:
                try:
                    start, chunk = chunks.get_nowait()
                except queue.Empty:
                    return
                try:
                    done, read = conv.convert_chunk_deferred(chunk)
                except Exception as exc:  # a converter that cannot start fails its chunk, not the batch
                    done = [ConversionResult(n, None, 0, f"{n}: {exc}") for n, _ in chunk]
                    read = _no_layouts(len(done))
                results[start : start + len(done)] = done
                reads.put((start, done, read))

        failures: list[BaseException] = []

        def read_text() -> None:
            # One reader for the pool (pdfium is not thread-safe): a converter hands its chunk's PDF over
            # and starts the next chunk while this thread reads the text the proof checks need — and runs
            # ``check`` (the batch's proof) on the chunk, so that too overlaps the conversions.
            while (item := reads.get()) is not None:
                start, done, read = item
                try:
                    read_back = _with_layouts(done, read())
                except Exception as exc:  # a PDF whose text cannot be checked is not sent out as checked
                    read_back = [
                        r
                        if r.pdf is None
                        else ConversionResult(r.name, None, 0, f"{r.name}: 无法读取生成的 PDF 以核对文字（{exc}）")
                        for r in done
                    ]
                results[start : start + len(done)] = read_back
                if check is None or failures:
                    continue
                try:
                    for offset, result in enumerate(read_back):
                        if result.pdf is not None and result.layout is not None:
                            check(start + offset, result)
                except BaseException as exc:  # raised in the caller's thread once the pool is done
                    failures.append(exc)

        with self._lock:
            threads = [threading.Thread(target=convert, args=(c,), daemon=True) for c in self.converters]
            reader = threading.Thread(target=read_text, daemon=True)
            reader.start()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            reads.put(None)
            reader.join()
        if failures:
            raise failures[0]
        return [
            r if r is not None else ConversionResult(n, None, 0, f"{n}: not converted")
            for r, (n, _) in zip(results, listed, strict=True)
        ]

    def start(self) -> None:
        """Start every converter now (in parallel) instead of on first use."""
        threads = [threading.Thread(target=c.start, daemon=True) for c in self.converters]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def close(self) -> None:
        for c in self.converters:
            c.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _with_layouts(results: list[ConversionResult], layouts: list[list[PdfPage]]) -> list[ConversionResult]:
    """``results`` with each converted one's PDF text (``layout``) filled in."""
    return [
        dataclasses.replace(r, layout=tuple(pages)) if r.pdf is not None and pages else r
        for r, pages in zip(results, layouts, strict=True)
    ]


def _no_layouts(count: int) -> Callable[[], list[list[PdfPage]]]:
    return lambda: [[] for _ in range(count)]


def _unlink(*paths: Path) -> None:
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _wait_group_gone(pgid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            return
        time.sleep(0.02)
