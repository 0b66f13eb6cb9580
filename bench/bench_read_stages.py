"""Where the time of one read goes in a warm worker: ``Jobs.read_next`` of a filled .docx, stage by stage.

    PYTHONPATH=. .venv/bin/python bench/bench_read_stages.py [--reads 30] [--database postgresql://…/db]

The service of ``docgen worker`` in this process (warm fork server, ``api.worker.Jobs``; no Celery: it costs
≈ 2 ms CPU a task) against an empty database of its own (default: a new PostgreSQL database on
127.0.0.1:5432, dropped afterwards): the 彭州 program, ``--reads`` + 2 uploads of filled 统计表, two reads to
warm up, then ``--reads`` reads one after another. Prints the medians of a read's wall time and of this
process's CPU time — whole, and for taking the upload (``uploads.take_next``) and the child's read
(``run_child``) — the statements a read sends to the database, and the reading itself in this process.
Not a test; on a loaded machine, compare two runs back to back.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from api import sandbox  # noqa: E402
from api.app import create_app  # noqa: E402
from api.services import uploads  # noqa: E402
from api.settings import Settings  # noqa: E402
from api.worker import Jobs  # noqa: E402
from docgen.extract import extract  # noqa: E402
from extractors import read  # noqa: E402
from testkit.forms import PENGZHOU, stats_docx  # noqa: E402

PASSWORD = "lantern-river-4821"
Timed = dict[str, list[tuple[float, float]]]  # stage → (wall, CPU) seconds of each call


@contextlib.contextmanager
def fresh_database(url: str | None) -> Iterator[str]:
    """``url``, or a new PostgreSQL database dropped afterwards."""
    if url:
        yield url
        return
    import psycopg

    name = f"docgen_stages_{secrets.token_hex(4)}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(times: Timed, stage: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            times.setdefault(stage, []).append((time.perf_counter() - wall, time.process_time() - cpu))

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reads", type=int, default=30)
    parser.add_argument("--database", default="", help="an empty database (default: a new PostgreSQL one)")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's TestClient warns about httpx at import
        from fastapi.testclient import TestClient
    sandbox.start_warm()
    count_forms = range(args.reads + 2)
    forms = [(f"统计表{i}.docx", stats_docx(f"{i % 14 + 1:02d}", activities=(f"活动{i}",))) for i in count_forms]
    with fresh_database(args.database) as url, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=url, admin_password=PASSWORD, secret_key="bench",
                            start_worker=False)  # fmt: skip
        with TestClient(create_app(settings)) as client:
            client.headers["Origin"] = str(client.base_url).rstrip("/")
            client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD}).raise_for_status()
            client.headers["X-CSRF-Token"] = client.cookies["docgen_csrf"]
            r = client.post("/api/programs", files={"file": ("program.yaml", (PENGZHOU / "program.yaml").read_bytes())})
            program_id = int(r.json()["id"])
            roster = {"file": ("roster.txt", (PENGZHOU / "roster.txt").read_bytes())}
            client.post(f"/api/programs/{program_id}/roster", files=roster).raise_for_status()
            files = [("files", form) for form in forms]
            client.post(f"/api/programs/{program_id}/uploads", files=files).raise_for_status()
            services = client.app.state.services  # type: ignore[attr-defined]
            jobs = Jobs(settings, services.db, services.blobs, services.converters, "stages@bench")
            jobs.read_next()
            jobs.read_next()
            times: Timed = {}
            statements = [0]

            def count(*_: Any) -> None:
                statements[0] += 1

            event.listen(services.db.engine, "before_cursor_execute", count)
            event.listen(services.db.engine, "commit", count)
            uploads.take_next = timed(times, "take the upload", uploads.take_next)  # type: ignore[method-assign]
            uploads.run_child = timed(times, "the child's read", uploads.run_child)
            step = timed(times, "read_next (whole)", jobs.read_next)
            for _ in range(args.reads):
                step()
    itself: Timed = {}
    for name, data in forms[:10]:
        timed(itself, "reading itself (this process)", lambda d=data, n=name: extract(d, n, reader=read))()
    print(f"{args.reads} reads of a .docx, load {os.getloadavg()[0]:.1f}; "
          f"{statements[0] / args.reads:.1f} statements and commits a read")  # fmt: skip
    for stage, calls in {**times, **itself}.items():
        wall = statistics.median(t for t, _ in calls) * 1000
        cpu = statistics.median(c for _, c in calls) * 1000
        print(f"  {stage:<32} wall {wall:7.1f} ms   CPU of this process {cpu:6.1f} ms")


if __name__ == "__main__":
    main()
