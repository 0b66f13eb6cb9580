"""``docgen serve`` in a child process on a free port, for tests that need real HTTP (a browser, chunked bodies)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    """Return once ``url`` answers (any status); raise with the server's log when it exits or never answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}):\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    tail = log.read_text(errors="replace")[-4000:]
    raise RuntimeError(f"the server did not answer {url} within {seconds} s:\n{tail}")


@dataclass
class Server:
    """A running ``docgen serve``: its base URL, its process and the file its output goes to."""

    base: str
    proc: subprocess.Popen[bytes]
    log: Path


@contextlib.contextmanager
def docgen_server(data: Path, env: dict[str, str] | None = None, port: int | None = None) -> Iterator[Server]:
    """Run ``docgen serve`` (uvicorn + ``api.app.create_app``) on SQLite in ``data``; yield it once it answers.

    ``env`` adds ``DOCGEN_*`` settings (e.g. the admin's name and password; a database or blob store instead
    of SQLite and ``data/blobs``) and any other environment (``AWS_ACCESS_KEY_ID`` …). The server's output goes to
    ``data/server.log``. It runs in its own process group: the children it started (upload readers) are
    killed with it at the end, even when a test killed the server itself with ``SIGKILL``.
    """
    port = port or free_port()
    full_env = {**os.environ, "DOCGEN_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    full_env.pop("DOCGEN_DATABASE_URL", None)  # the test's own environment never chooses the server's storage …
    full_env.pop("DOCGEN_BLOB_STORE", None)
    full_env.update(env or {})  # … the test itself may (tests/test_blobs_s3.py: PostgreSQL and S3)
    command = [sys.executable, "-m", "cli",
               "serve", "--host", "127.0.0.1", "--port", str(port), "--data", str(data)]  # fmt: skip
    data.mkdir(parents=True, exist_ok=True)
    log = data / "server.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/", proc, log)
        yield Server(base, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # what is left of its group (children of a killed server)


@contextlib.contextmanager
def docgen_serve(data: Path, env: dict[str, str] | None = None, port: int | None = None) -> Iterator[str]:
    """:func:`docgen_server`, yielding only its base URL."""
    with docgen_server(data, env, port) as server:
        yield server.base
