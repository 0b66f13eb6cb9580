"""Run a parser on untrusted input in a child process with a time limit and a memory limit.

    from extractors._sandbox import Limits, SandboxError, run_limited
    doc = run_limited(parse_pdf_bytes, data, name, limits=Limits(seconds=60, memory_bytes=1536 << 20))

Why: pdfplumber can loop forever on a PDF whose object references form a loop, and pdfium can abort the whole
process (SIGABRT) on a Flate bomb (docs: /work/shared/NOTES.md "Hostile input"). A child process is the only
boundary that survives both. ``run_limited``

* starts the child from a *forkserver* (fork of a clean server process, never of the caller, so it is safe in
  a threaded service and costs a few milliseconds instead of a fresh interpreter per call); the modules named
  in ``PRELOAD`` are imported once in the server,
* sets ``RLIMIT_AS`` (address space) in the child before calling ``func``, so a bomb ends in ``MemoryError``
  or a killed child, never in the caller swapping,
* waits at most ``limits.seconds`` and then kills the child,
* returns what ``func`` returned (it must be picklable: plain data or frozen dataclasses), re-raises in the
  caller an exception ``func`` raised when it pickles (``DocgenError`` subclasses do), and otherwise raises
  :class:`SandboxError` with ``reason`` ``"timeout"``, ``"memory"`` or ``"crashed"``.

``func`` must be a module-level function (the child imports it by name). Used by the PDF reader; the image
reader and the service use it the same way.

The same answer whatever ran before and however the program was started (a terminal, ``timeout``, cron with
stdin closed, a service): the child depends on nothing of its caller but ``sys.path``. multiprocessing would
normally re-run the caller's ``__main__`` in every child (a script without a ``__main__`` guard runs again,
or fails) and ``chdir`` to the caller's directory; the fork server imports :mod:`extractors._sandbox_server`
first, which turns both off. In the child, ``func`` runs on a thread with a fixed stack
(:data:`CHILD_STACK_BYTES`) under a fixed recursion limit (:data:`RECURSION_LIMIT`), so a deeply nested
file ends in the same ``RecursionError`` whatever ``ulimit -s`` the caller had, never in a segfault; library
log lines (pdfminer's warnings about a damaged file) are not printed on the caller's stderr; a
``MemoryError`` wrapped by a library (pdfplumber's ``PdfminerException``) is still ``"memory"``.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import pickle
import resource
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

T = TypeVar("T")

# Imported once in the forkserver so that each child starts warm. Extend, don't replace; the first one
# makes the children independent of the caller's __main__ and working directory (see the module docstring).
# ``encodings.utf_16_be``: pdfminer decodes a PDF's UTF-16 text strings with it, imported on first use otherwise.
PRELOAD = ["extractors._sandbox_server", "pdfplumber", "pdfminer.high_level", "extractors.pdf", "encodings.utf_16_be"]

RECURSION_LIMIT = 1000
"""Python's default, set explicitly in every child: deep nesting fails the same way in every environment."""

CHILD_STACK_BYTES = 64 << 20
"""The C stack of the thread ``func`` runs on: ample for :data:`RECURSION_LIMIT` frames of any parser."""

_context: Any = None


@dataclass(frozen=True)
class Limits:
    """Limits for one child: wall-clock seconds and address space in bytes (None: no memory limit)."""

    seconds: float = 60.0
    memory_bytes: int | None = 1536 << 20


class SandboxError(Exception):
    """The child did not return: it ran past its time, ran out of memory, or died (``signal`` when killed)."""

    def __init__(self, reason: Literal["timeout", "memory", "crashed"], detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def _get_context() -> Any:
    global _context
    if _context is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        _context = ctx
    return _context


_forking = False  # fork_children() was called: children are forks of this process


def fork_children() -> None:
    """From now on, this process's children are forks of itself, not of a fork server.

    Only for a process that is single-threaded and already holds the readers: the child that reads one upload
    in ``docgen worker``, forked from its warm server (:mod:`api.sandbox`). A fork server there would be a
    fresh interpreter started for every PDF it reads (measured: 1.9 s for a PDF whose parse takes 0.3 s). A
    forked child stays in the caller's process group, so it dies with the read's group; its memory limit
    counts from the address space it inherits (:func:`run_limited`)."""
    global _context, _forking
    _context = multiprocessing.get_context("fork")
    _forking = True


def _address_space() -> int:
    """This process's address space now, in bytes (``/proc/self/statm``)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def exception_chain(exc: BaseException, limit: int = 32) -> list[BaseException]:
    """``exc`` and what it wraps — its cause, its context, exceptions among its args (pdfplumber's
    ``PdfminerException(error)``) — breadth first, at most ``limit``."""
    out: list[BaseException] = []
    todo = [exc]
    while todo and len(out) < limit:
        item = todo.pop(0)
        if any(item is seen for seen in out):
            continue
        out.append(item)
        todo.extend(x for x in (item.__cause__, item.__context__, *item.args) if isinstance(x, BaseException))
    return out


def _call(func: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    """``func(*args)`` as an outcome: ``("ok", result)``, ``("memory", why)`` or ``("raised", exception)``."""
    try:
        return "ok", func(*args)
    except BaseException as exc:
        if any(isinstance(e, MemoryError) for e in exception_chain(exc)):
            return "memory", "MemoryError"
        return "raised", exc


def _child(
    conn: multiprocessing.connection.Connection,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    memory_bytes: int | None,
) -> None:
    if memory_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    logging.getLogger().addHandler(logging.NullHandler())  # no library warnings on the caller's stderr
    sys.setrecursionlimit(RECURSION_LIMIT)
    outcome: list[tuple[str, Any]] = [("crashed", "no result")]
    try:
        threading.stack_size(CHILD_STACK_BYTES)
        worker = threading.Thread(target=lambda: outcome.__setitem__(0, _call(func, args)), name="sandboxed")
        worker.start()
    except (RuntimeError, MemoryError, ValueError):  # no thread (its stack could not be mapped): run it here
        outcome[0] = _call(func, args)
    else:
        worker.join()
    try:
        payload = pickle.dumps(outcome[0])
    except MemoryError:
        payload = pickle.dumps(("memory", "MemoryError while sending the result"))
    except Exception as exc:  # an unpicklable result or exception: say what it was
        payload = pickle.dumps(("crashed", f"result not picklable: {type(exc).__name__}: {exc}"))
    conn.send_bytes(payload)
    conn.close()


def run_limited(func: Callable[..., T], *args: Any, limits: Limits | None = None) -> T:
    """``func(*args)`` in a child process under ``limits``; see the module docstring for what it raises."""
    limits = limits or Limits()
    ctx = _get_context()
    memory = limits.memory_bytes
    if memory is not None and _forking:  # the same room to parse in as a fork server's small child has …
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        memory += _address_space()
        if hard != resource.RLIM_INFINITY:  # … within this process's own limit (it cannot be raised)
            memory = min(memory, hard)
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(sender, func, args, memory), daemon=True)
    proc.start()
    sender.close()
    try:
        if not receiver.poll(limits.seconds):
            raise SandboxError("timeout", f"no result within {limits.seconds:g} s")
        try:
            payload = receiver.recv_bytes()
        except EOFError:
            proc.join(5)
            code = proc.exitcode
            if code is not None and code < 0:
                try:
                    name = signal.Signals(-code).name
                except ValueError:
                    name = str(-code)
                reason: Literal["memory", "crashed"] = "memory" if -code == signal.SIGKILL else "crashed"
                raise SandboxError(reason, f"child killed by {name}") from None
            raise SandboxError("crashed", f"child exited with code {code} without a result") from None
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        with contextlib.suppress(ValueError):
            proc.close()
    kind, value = pickle.loads(payload)
    if kind == "ok":
        return value  # type: ignore[no-any-return]
    if kind == "raised":
        raise value
    raise SandboxError(kind, str(value))
