"""Untrusted files are parsed in a child process with a time limit and a memory limit.

    result = run_child("extract", data, name, timeout=120, memory=3 << 30)   # bytes the child printed

The child is a fresh interpreter (``python -m api.sandbox MODE NAME [ARGS]``) that lowers its own
``RLIMIT_AS`` first, reads the file from stdin and writes its answer to stdout. It is a plain subprocess,
not a multiprocessing daemon, so the extractors may still use ``extractors._sandbox.run_limited`` inside it
(that module time-boxes single PDF parses; this one time-boxes a whole upload, OCR included). A child that
runs past its time is killed with its whole process group.

A process that reads many files (``docgen worker``; ``docgen serve`` reading in its own threads, setting
``warm_reader``) calls :func:`start_warm` once: from then on each child is *forked* from a warm server process
that imported the readers and loaded the OCR models before any upload arrived (``multiprocessing``'s
forkserver with :data:`WARM_PRELOAD`), instead of starting a fresh interpreter (≈ 0.4 s alone, 2–3 s on a
busy machine, before any work) — and forked ahead of the read (:class:`WarmServer`: a spare child waits for
one file). The boundary is the same: the forked child starts its own session (process group), lowers its own
``RLIMIT_AS`` to the same limit before it receives the file, runs the same mode function, and is killed with
its process group past the same time limit; a memory error, a crash or a kill
gives the same :class:`ChildFailed` reasons. It is not a daemon either (the PDF parse sandbox still works in
it), and it never writes anywhere but its answer pipe. Modes:

* ``extract [MAX_PIXELS [THRESHOLD [PRINTED]]]`` — ``docgen.extract.extract(data, name, reader=extractors.read,
  threshold=THRESHOLD, printed=PRINTED).to_json()`` as JSON (PRINTED: JSON ``{form kind: [sentences]}``);
* ``roster [OVERRIDES]`` — ``api.services.rosters.parse_local`` (``extractors.roster.import_roster``): a
  roster file (xlsx, csv, text, or a returned 安排表) read with a person's column mapping ``OVERRIDES`` (JSON
  ``{table: {column index: role}}``, checked by the service) as JSON — its groups, its problems and their
  count, its tables with their column mapping (an xlsx bomb dies here, not in the service);
* ``crop PAGE X0 Y0 X1 Y1 MAX_PIXELS [FIT]`` — a PNG of that box of an image or a PDF page (pypdfium2), for the
  review screen; a PDF renders only the box (at :data:`CROP_PDF_SCALE`), never the whole page. With ``FIT``
  the box may be the whole page (the original viewer) and the PNG is shrunk to at most ``FIT`` pixels.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import Any

_CHILD_ENV: dict[str, str] = {}


def set_child_env(**values: str) -> None:
    """Extra environment for every child from now on (the app sets ``XDG_CACHE_HOME`` inside its data
    directory at start, so onnxruntime's cache does not land in ~/.cache)."""
    _CHILD_ENV.update(values)


CROP_PDF_SCALE = 2.0
"""PDF crops are rendered at 144 dpi: a box of PDF points becomes ``CROP_PDF_SCALE`` × as many pixels."""


class ChildFailed(Exception):
    """The child did not answer: ``reason`` is a Chinese phrase for the record (超时, 内存不足, 解析进程崩溃)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}：{detail}" if detail else reason)


def _failure(returncode: int, tail: str) -> ChildFailed:
    """The reason of a child that exited with ``returncode`` after printing ``tail`` (its last stderr line)."""
    if returncode == -signal.SIGKILL or "MemoryError" in tail:
        return ChildFailed("内存不足", tail)
    return ChildFailed("解析进程异常退出", f"退出码 {returncode} {tail}".strip())


READ_THREADS_ENV = "DOCGEN_READ_THREADS"
"""How a child learns the threads of its read (:func:`read_threads`); applied by :func:`use_read_threads`."""


def read_threads(reads_at_once: int = 1, *, forked: bool = False) -> int:
    """The threads one read uses (onnxruntime, OpenCV, OpenMP): the one rule, for both kinds of child.

    A fresh child shares the cores this process may run on among the reads running at once (``docgen serve``
    without its warm reader reads one upload at a time: all of them). A child forked from the warm server
    reads on one thread: the server's thread pools do not survive the fork (onnxruntime's calling thread then
    does the pool's work alone — measured: the CPU seconds of one thread), so ``docgen worker`` uses its cores
    through its concurrency (default: the cores), and the reads of its slots do not fight over the cores."""
    if forked:
        return 1
    return max(1, len(os.sched_getaffinity(0)) // max(1, reads_at_once))


def thread_env(threads: int) -> dict[str, str]:
    """The environment that gives a child's read ``threads`` threads (the libraries that read it at start)."""
    n = str(threads)
    return {READ_THREADS_ENV: n, "OMP_NUM_THREADS": n, "OPENCV_FOR_THREADS_NUM": n}


def use_read_threads() -> None:
    """In a child (or the warm server, before it loads the OCR models): read with the threads its parent
    chose (:data:`READ_THREADS_ENV`; :func:`read_threads` of one read when unset)."""
    from extractors.ocr import use_threads

    use_threads(int(os.environ.get(READ_THREADS_ENV) or read_threads()))


def run_child(mode: str, data: bytes, name: str, args: Sequence[str] = (), *, timeout: float, memory: int) -> bytes:
    """Run mode ``mode`` on ``data`` in a limited child — a fork of the warm server after :func:`start_warm`,
    else ``python -m api.sandbox MODE``; the child's answer, or :class:`ChildFailed`."""
    if _warm is not None:
        return _warm.run(mode, data, name, args, timeout=timeout, memory=memory)
    cmd = [sys.executable, "-m", "api.sandbox", mode, name, str(memory), *args]
    env = {**os.environ, "PYTHONWARNINGS": "ignore", **thread_env(read_threads()), **_CHILD_ENV}
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
    )
    try:
        out, err = proc.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ChildFailed("解析超时", f"{timeout:g} 秒内未完成") from None
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # grandchildren (forkserver, OCR threads) go too
    if proc.returncode != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise _failure(proc.returncode, tail[0])
    return out


# --- the warm fork server (docgen worker, docgen serve) ----------------------------------------------------

WARM_PRELOAD = ["extractors._sandbox_server", "api.sandbox", "api.sandbox_warm"]
"""Imported once in the fork server: :mod:`extractors._sandbox_server` first (children need nothing of the
caller but ``sys.path``: no second import of its ``__main__``, no change to its working directory), this
module (the child's entry) and :mod:`api.sandbox_warm` (the readers, pdfplumber, pypdfium2, OpenCV,
onnxruntime, and the OCR engine with its models loaded)."""


class WarmServer:
    """This process's warm fork server and its spare children: :meth:`run` is :func:`run_child` through it.

    A read does not wait for a fork. A *spare* child is forked ahead of time (from the server: the readers
    and models already in memory), has started its own session (process group) and waits on its pipe for
    one file; :meth:`run` hands the file to a spare and, while it reads, a thread forks the next spare and
    reaps the last child — the fork, the child's start-up and its reaping are off the read's path (measured:
    ≈ 45 ms a file at load 29, most of the overhead around a .docx read). There are as many spares as reads
    ran at once. A spare holds no file and no limit until it is given one; then it lowers ``RLIMIT_AS`` to the
    read's limit before it unpickles the file, reads once and exits, and its process group is killed after
    the answer or past the time limit, as before. One spare serves one file: no state of one upload can
    reach the next."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self._spares: list[tuple[Any, Any]] = []  # (process, the parent's end of its pipe), ready to read
        self._lock = threading.Lock()
        self._closed = False
        # at exit multiprocessing joins every child it started, and a spare waits for a file: its finalizers
        # with an exit priority run before that join (an atexit handler may run after it: Celery's worker)
        from multiprocessing import util

        util.Finalize(self, self.close, exitpriority=10)

    def run(self, mode: str, data: bytes, name: str, args: Sequence[str], *, timeout: float, memory: int) -> bytes:
        """Run ``mode`` on ``data`` in a spare: :func:`run_child`'s answers and failures."""
        proc, conn = self._take()
        job = pickle.dumps((mode, name, str(memory), list(args)), protocol=pickle.HIGHEST_PROTOCOL)
        reaped = False
        try:
            try:
                conn.send_bytes(job)  # a few bytes: the pipe takes them at once
            except OSError:  # the spare died waiting (the OOM killer, an operator): read in a new one
                _kill(proc)
                proc.join(5)
                conn.close()
                proc, conn = self._fork()
                conn.send_bytes(job)
            with contextlib.suppress(OSError):  # it died taking the file: its answer, or its end, is read below
                conn.send_bytes(data)
            if not conn.poll(timeout):
                raise ChildFailed("解析超时", f"{timeout:g} 秒内未完成")
            try:
                payload = conn.recv_bytes()
            except EOFError:  # died without an answer: killed (the memory limit), or crashed
                proc.join(5)
                reaped = True
                raise _failure(proc.exitcode if proc.exitcode is not None else -signal.SIGKILL, "") from None
        finally:
            conn.close()
            _kill(proc)  # past its time, or its grandchildren (PDF parse sandbox)
            if not reaped:
                self._behind(proc)
        code, body = payload[0], bytes(payload[1:])
        if code == 0:
            return body
        raise _failure(code, body.decode("utf-8", "replace"))

    def _take(self) -> tuple[Any, Any]:
        """A ready spare (a new one when none is), and a thread forks the next."""
        with self._lock:
            spare = self._spares.pop() if self._spares else None
        threading.Thread(target=self._add_spare, name="docgen-warm-spare", daemon=True).start()
        return spare if spare is not None else self._fork()

    def _fork(self) -> tuple[Any, Any]:
        parent, child = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(target=_warm_spare, args=(child,), daemon=False)
        proc.start()
        child.close()
        return proc, parent

    def _add_spare(self) -> None:
        try:
            spare = self._fork()
        except Exception:  # the next read forks its own (and logs nothing here: it fails there, with a reason)
            return
        with self._lock:
            if not self._closed:
                self._spares.append(spare)
                return
        spare[1].close()
        _kill(spare[0])

    def _behind(self, proc: Any) -> None:
        """Reap a killed child without the caller waiting for it."""
        threading.Thread(target=proc.join, args=(5,), name="docgen-warm-reap", daemon=True).start()

    def spare_pids(self) -> list[int]:
        """The spares waiting for a file now."""
        with self._lock:
            return sorted(int(proc.pid) for proc, _ in self._spares)

    def close(self) -> None:
        """End the spares."""
        with self._lock:
            self._closed = True
            spares, self._spares = self._spares, []
        for proc, conn in spares:
            conn.close()
            _kill(proc)
            proc.join(5)


def _kill(proc: Any) -> None:
    """Kill ``proc``'s process group (its session: the child and what it started)."""
    if proc.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


_warm: WarmServer | None = None  # this process's warm server once start_warm() ran: every child is its fork
_warm_lock = threading.Lock()


def start_warm() -> WarmServer:
    """From now on, children of this process are forked from a warm fork server (started here once per
    process; returns once it has loaded the readers and models, ≈ 3 s, and forked the first spare).

    For a process that reads many files: ``docgen worker``, and ``docgen serve`` reading in its own thread
    (``DOCGEN_WARM_READER``, on by default). The server takes this process's environment now, with the
    children's additions (:func:`set_child_env`) and one thread a read (:func:`read_threads`). A second
    call returns the same server."""
    global _warm
    import multiprocessing
    import multiprocessing.forkserver

    with _warm_lock:
        if _warm is not None:
            return _warm
        os.environ.update({"PYTHONWARNINGS": "ignore", **thread_env(read_threads(forked=True)), **_CHILD_ENV})
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(WARM_PRELOAD)
        _short_socket_folder()
        multiprocessing.forkserver.ensure_running()
        warmed = ctx.Process(target=_noop)  # returns once the server has loaded everything: the worker starts warm
        warmed.start()
        warmed.join()
        server = WarmServer(ctx)
        server._add_spare()
        _warm = server
        return server


# a Unix socket's path holds at most 107 bytes; multiprocessing puts the fork server's in a pymp-… folder of
# TMPDIR, and a worker given its own deep TMPDIR (one per machine, a test's tmp_path) could not start:
# "OSError: AF_UNIX path too long"
_SOCKET_PATH_MAX = 100


def _short_socket_folder() -> None:
    """Make multiprocessing's own folder (its sockets) under /tmp when TMPDIR is too deep for a socket path.
    Files the readers write still go to TMPDIR; the folder is this process's, mode 0700, removed at exit."""
    import tempfile
    from multiprocessing import util

    probe = os.path.join(tempfile.gettempdir(), "pymp-xxxxxxxx", "listener-xxxxxxxx")
    if len(os.fsencode(probe)) <= _SOCKET_PATH_MAX:
        return
    saved = tempfile.tempdir
    tempfile.tempdir = "/tmp"
    try:
        util.get_temp_dir()  # made now, kept for the process: the fork server's listener goes there
    finally:
        tempfile.tempdir = saved


def warm_server_pid() -> int | None:
    """The pid of this process's warm fork server (None before :func:`start_warm`)."""
    if _warm is None:
        return None
    import multiprocessing.forkserver

    pid = multiprocessing.forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    return int(pid) if pid else None


def _noop() -> None:
    """The first child of the warm server (its start waits for the server's preload)."""


def _warm_spare(conn: Any) -> None:
    """A spare forked from the warm server: its own process group at once, then one file from ``conn`` —
    read under the memory limit, answered as status byte + body — and exit."""
    os.setsid()
    from extractors._sandbox import fork_children

    fork_children()  # its PDF parses fork from it (it holds the readers), no fork server of its own
    try:
        mode, name, memory, args = pickle.loads(conn.recv_bytes())
    except EOFError:  # the worker ended before giving it a file
        return
    try:
        limit = int(memory)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # before the file is in this process
        out = bytes([0]) + _run_mode(mode, name, memory, args, conn.recv_bytes())
    except MemoryError:
        out = bytes([3]) + b"MemoryError"
    except Exception as exc:  # one short line, as the fresh child's stderr: it may reach a user
        out = bytes([2]) + f"{type(exc).__name__}: {str(exc)[:300]}".encode()
    try:
        conn.send_bytes(out)
    except MemoryError:
        conn.send_bytes(bytes([3]) + b"MemoryError")
    conn.close()


# --- the child side ------------------------------------------------------------------------------------


def _extract(data: bytes, name: str, args: Sequence[str]) -> bytes:
    from PIL import Image

    from docgen.extract import extract
    from docgen.values import SURE
    from extractors import read

    if args:
        Image.MAX_IMAGE_PIXELS = int(args[0])  # the service's limit, not Pillow's default
    threshold = float(args[1]) if len(args) > 1 else SURE  # the service's review threshold, when given
    # the program's printed sentences per form kind (JSON), never read as values
    printed: dict[str, list[str]] = json.loads(args[2]) if len(args) > 2 else {}
    result = extract(data, name, reader=read, threshold=threshold, printed=printed)
    return json.dumps(result.to_json(), ensure_ascii=False).encode()


def _roster(data: bytes, name: str, args: Sequence[str]) -> bytes:
    from api.services.rosters import parse_local

    raw: dict[str, dict[str, str]] = json.loads(args[0]) if args else {}
    overrides = {table: {int(i): role for i, role in columns.items()} for table, columns in raw.items()}
    return json.dumps(parse_local(data, name, overrides or None), ensure_ascii=False).encode()


def _crop(data: bytes, args: Sequence[str]) -> bytes:
    from PIL import Image

    from extractors.detect import FileKind, detect

    page, x0, y0, x1, y1, max_pixels = int(args[0]), *(float(a) for a in args[1:5]), int(args[5])
    # FIT (optional): a whole page for the original viewer, shrunk to at most this many pixels
    fit = int(args[6]) if len(args) > 6 else 0
    Image.MAX_IMAGE_PIXELS = max_pixels
    if detect(data).kind is FileKind.PDF:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        if not 1 <= page <= min(len(pdf), 10_000):
            raise ValueError(f"页码 {page} 超出范围（共 {len(pdf)} 页）")
        pdf_page = pdf[page - 1]
        width, height = pdf_page.get_size()
        # bbox is in PDF points, top-left origin (pdfplumber's convention); clamp it to the page and
        # render only that part (pdfium's crop = points cut from left, bottom, right, top), so a huge
        # page costs no more than its box.
        left, top, right, bottom = max(0.0, x0), max(0.0, y0), min(width, x1), min(height, y1)
        if right <= left or bottom <= top:
            raise ValueError("裁剪区域为空或超出页面")
        scale = CROP_PDF_SCALE
        if fit:
            scale = min(scale, ((fit / ((right - left) * (bottom - top))) ** 0.5))
        if (right - left) * (bottom - top) * scale**2 > max_pixels:
            raise ValueError("裁剪区域过大")
        crop = (left, height - bottom, width - right, top)
        image = pdf_page.render(scale=scale, crop=crop).to_pil()
    else:
        from PIL import ImageOps

        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
        if not 1 <= page <= frames:
            raise ValueError(f"页码 {page} 超出范围（共 {frames} 页）")
        image.seek(page - 1)  # a multi-page TIFF: the page the value was read on
        image.load()
        # The reader reports boxes on the image as a viewer shows it (EXIF orientation applied).
        image = ImageOps.exif_transpose(image)
        box = (int(x0), int(y0), int(x1), int(y1))
        box = (max(0, box[0]), max(0, box[1]), min(image.width, box[2]), min(image.height, box[3]))
        if box[2] <= box[0] or box[3] <= box[1]:
            raise ValueError("裁剪区域为空或超出页面")
        image = image.crop(box)
        if fit and image.width * image.height > fit:
            shrink = (fit / (image.width * image.height)) ** 0.5
            image = image.resize((max(1, int(image.width * shrink)), max(1, int(image.height * shrink))))
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG")
    return out.getvalue()


def _run_mode(mode: str, name: str, memory: str, args: Sequence[str], data: bytes) -> bytes:
    """Lower RLIMIT_AS to ``memory``, then run ``mode`` on ``data`` (both kinds of child)."""
    limit = int(memory)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if mode == "extract":
        use_read_threads()
        return _extract(data, name, args)
    if mode == "roster":
        return _roster(data, name, args)
    if mode == "crop":
        return _crop(data, args)
    raise ValueError(f"unknown mode {mode}")


def main(argv: Sequence[str]) -> int:
    """The fresh child: lower RLIMIT_AS to ``memory``, read stdin, run ``mode``, write the answer."""
    mode, name, memory, *args = argv
    resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))  # before reading the file
    out = _run_mode(mode, name, memory, args, sys.stdin.buffer.read())
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    try:
        code = main(sys.argv[1:])
    except MemoryError:
        sys.stderr.write("MemoryError\n")
        code = 3
    except Exception as exc:
        sys.stderr.write(f"{type(exc).__name__}: {str(exc)[:300]}\n")  # one short line: it may reach a user
        code = 2
    sys.exit(code)
