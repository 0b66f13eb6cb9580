"""``docgen serve`` in a child process on a free port, for tests that need real HTTP (a browser, chunked bodies)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
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


@contextlib.contextmanager
def serve_process(
    data: Path, env: dict[str, str] | None = None, port: int | None = None, log: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run ``docgen serve`` (uvicorn + ``api.app.create_app``) on SQLite in ``data``; yield its base URL and process.

    ``env`` adds ``DOCGEN_*`` settings (e.g. the admin's name and password). The server's output goes to
    ``log`` (default ``data/server.log``; ``data`` must then exist). Stopped (SIGTERM, then SIGKILL) on exit.
    """
    port = port or free_port()
    full_env = {**os.environ, "DOCGEN_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env.pop("DOCGEN_DATABASE_URL", None)
    full_env.pop("DOCGEN_BLOB_STORE", None)
    command = [sys.executable, "-m", "cli",
               "serve", "--host", "127.0.0.1", "--port", str(port), "--data", str(data)]  # fmt: skip
    log = log or data / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/", proc, log)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def docgen_serve(data: Path, env: dict[str, str] | None = None, port: int | None = None) -> Iterator[str]:
    """:func:`serve_process` when only the base URL matters."""
    with serve_process(data, env, port) as (base, _):
        yield base
