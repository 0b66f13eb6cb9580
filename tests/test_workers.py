"""Two ``docgen worker`` processes ("two machines": their own data, scratch and cache folders and TMPDIR) take
the service's work from one Redis broker, against one PostgreSQL database and one blob store; the API runs
with ``DOCGEN_BROKER_URL`` and only queues (api/tasks.py).

What must hold: the uploads are split between both workers and each is read exactly once (one record, one
attempt, one worker named on it); a worker killed with SIGKILL in the middle of a read loses nothing — the
other worker takes the upload back after the lease and reads it, the uploads read before the kill are not
read again. Real parts: a real Redis (a redis-server started on a free port), PostgreSQL on 127.0.0.1:5432,
real worker processes reading with the warm fork server.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont

from api.models import Upload
from testkit.forms import stats_docx
from tests.api_fixtures import (
    TestClient,
    _pg_connect,
    create_pengzhou,
    fresh_postgresql,
    make_settings,
    running_client,
    wait_for,
)
from tests.live_server import ROOT, free_port

pytestmark = pytest.mark.slow  # PostgreSQL, Redis and two worker processes

LEASE = 3.0  # seconds without a heartbeat before a dead worker's row goes back to the queue
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A redis-server of the caller's own on a free port (nothing persisted), as a broker URL; skips the
    test when redis-server is not installed."""
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server not installed: the Celery worker tests did not run")
    port = free_port()
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        wait_for(lambda: _answers(client), 10, "redis-server to answer")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of this module's own."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def _answers(client: Any) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A new PostgreSQL database for the module, dropped afterwards."""
    with fresh_postgresql() as url:
        yield url


@dataclass
class WorkerProcess:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path


@dataclass
class Cluster:
    api: TestClient
    program_id: int
    workers: dict[str, WorkerProcess]
    pg_url: str


def start_worker(name: str, folder: Path, env: dict[str, str], extra: Sequence[str] = ()) -> WorkerProcess:
    """``docgen worker --concurrency 1`` as machine ``name``: its own data folder (scratch, cache) and TMPDIR;
    ``extra`` options after those (a later ``--concurrency`` wins)."""
    (folder / "tmp").mkdir(parents=True)
    log = folder / "worker.log"
    full = {**os.environ, **env, "DOCGEN_DATA_DIR": str(folder / "data"), "TMPDIR": str(folder / "tmp"),
            "PYTHONUNBUFFERED": "1"}  # fmt: skip
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "worker", "--concurrency", "1", "--name", name, *extra],
            cwd=ROOT, env=full, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    return WorkerProcess(name, proc, log)


def stop(worker: WorkerProcess) -> None:
    """Stop the worker and whatever is left of its process group (its fork server)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.proc.pid, signal.SIGTERM)
    try:
        worker.proc.wait(20)
    except subprocess.TimeoutExpired:
        worker.proc.kill()
        worker.proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, redis_url: str, pg_url: str) -> Iterator[Cluster]:
    """The API (TestClient, with the broker: it only queues) and two workers, sharing db, broker and store."""
    root = tmp_path_factory.mktemp("cluster")
    blobs = root / "blobs"  # the shared blob store
    settings = make_settings(root / "api", pg_url, broker_url=redis_url, blob_store=str(blobs))
    env = {"DOCGEN_DATABASE_URL": pg_url, "DOCGEN_BLOB_STORE": str(blobs), "DOCGEN_BROKER_URL": redis_url,
           "DOCGEN_SECRET_KEY": "test-secret", "DOCGEN_TASK_LEASE_SECONDS": str(LEASE),
           "DOCGEN_EXTRACT_TIMEOUT_SECONDS": "60"}  # fmt: skip
    with running_client(settings) as api:  # migrates the database before any worker starts
        program_id = create_pengzhou(api)
        workers = {name: start_worker(name, root / name.split("@")[0], env) for name in ("w1@test", "w2@test")}
        try:
            for w in workers.values():
                wait_for(lambda w=w: _ready(w), 120, f"worker {w.name} to be ready")  # type: ignore[misc]
            yield Cluster(api, program_id, workers, pg_url)
        finally:
            for w in workers.values():
                stop(w)


def _ready(worker: WorkerProcess) -> bool:
    if worker.proc.poll() is not None:
        raise AssertionError(f"worker {worker.name} exited:\n{worker.log.read_text(errors='replace')[-3000:]}")
    return " ready." in worker.log.read_text(errors="replace")


def rows(pg_url: str, query: str, *args: Any) -> list[tuple[Any, ...]]:
    with _pg_connect(pg_url) as conn:
        return list(conn.execute(query, args).fetchall())


def upload(cluster: Cluster, name: str, data: bytes) -> int:
    r = cluster.api.post(f"/api/programs/{cluster.program_id}/uploads", files=[("files", (name, data))])
    assert r.status_code == 202, r.text
    [entry] = r.json()
    assert entry["duplicate"] is False
    return int(entry["id"])


def all_read(cluster: Cluster, ids: list[int]) -> bool:
    found = rows(cluster.pg_url, "SELECT id, status FROM uploads WHERE id = ANY(%s)", ids)
    return len(found) == len(ids) and all(status == "done" for _, status in found)


def test_two_workers_split_the_uploads_and_read_each_exactly_once(cluster: Cluster) -> None:
    ids = [upload(cluster, f"统计表{n}.docx", stats_docx("03", activities=(f"送教下乡第{n}次",))) for n in range(16)]
    wait_for(lambda: all_read(cluster, ids), 120, "every upload read")
    read = rows(cluster.pg_url, "SELECT id, worker, attempts FROM uploads WHERE id = ANY(%s)", ids)
    by_worker: dict[str, list[int]] = {}
    for upload_id, worker, attempts in read:
        assert attempts == 1, (upload_id, attempts)  # taken once
        by_worker.setdefault(worker, []).append(upload_id)
    print("uploads read per worker:", {w: len(v) for w, v in by_worker.items()})
    assert set(by_worker) == {"w1@test", "w2@test"}  # both machines read, nobody else did
    assert sorted(i for v in by_worker.values() for i in v) == sorted(ids)
    records = rows(cluster.pg_url, "SELECT upload_id, COUNT(*), MIN(status) FROM records WHERE upload_id = ANY(%s) "
                                   "GROUP BY upload_id", ids)  # fmt: skip
    assert {u: (n, status) for u, n, status in records} == dict.fromkeys(ids, (1, "complete"))
    # what was read is the form that was sent: each record holds its own upload's activity
    texts = rows(cluster.pg_url, "SELECT u.original_name, r.extraction FROM records r JOIN uploads u "
                                 "ON u.id = r.upload_id WHERE u.id = ANY(%s)", ids)  # fmt: skip
    for name, extraction in texts:
        n = name.removeprefix("统计表").removesuffix(".docx")
        assert f"送教下乡第{n}次" in json.dumps(extraction, ensure_ascii=False), name


def test_a_batch_and_a_regenerated_document_run_on_the_workers(cluster: Cluster) -> None:
    api = cluster.api
    r = api.post(f"/api/programs/{cluster.program_id}/batches", json={"pdf": False})
    assert r.status_code == 202, r.text
    job_id = int(r.json()["id"])
    job = wait_for(lambda: (j := api.get(f"/api/batches/{job_id}").json())["status"] not in ("queued", "running")
                   and j, 120, "the batch to end")  # fmt: skip
    assert (job["status"], job["done"], job["total"], job["failed"]) == ("done", 73, 73, 0), job
    [(worker,)] = rows(cluster.pg_url, "SELECT worker FROM batch_jobs WHERE id = %s", job_id)
    assert worker in cluster.workers  # a worker ran it, not the API
    assert api.get(f"/api/batches/{job_id}/download").status_code == 200
    docs = api.get(f"/api/programs/{cluster.program_id}/documents").json()
    # one document again, rendered by a worker while the route waits: the same bytes from the same data
    again = api.post(f"/api/documents/{docs[0]['id']}/regenerate")
    assert again.status_code == 200, again.text
    assert [(d["id"], d["sha256"]) for d in again.json()] == [(docs[0]["id"], docs[0]["sha256"])]
    # its errors come back as the service's: an unknown document is 404 before anything is queued
    assert api.post("/api/documents/999999/regenerate").status_code == 404


def slow_scan() -> bytes:
    """Printed lines as a PNG: seconds of OCR, so a kill lands in the middle of its reading."""
    image = Image.new("L", (1600, 800), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 42) if Path(
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc").exists() else ImageFont.load_default(42)  # fmt: skip
    for line in range(10):
        draw.text((120, 80 + line * 66), f"第{line + 1}行 送教下乡活动 2019年5月{line % 28 + 1}日 参加 {line * 7} 人次",
                  fill=0, font=font)  # fmt: skip
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_a_worker_killed_9_mid_read_loses_nothing_and_reads_nothing_twice(cluster: Cluster) -> None:
    before = [upload(cluster, f"回执{n}.docx", stats_docx("05", activities=(f"结对活动第{n}次",))) for n in range(4)]
    wait_for(lambda: all_read(cluster, before), 120, "the first uploads read")
    read_before = dict(rows(cluster.pg_url, "SELECT upload_id, updated_at FROM records WHERE upload_id = ANY(%s)",
                            before))  # fmt: skip
    scan = upload(cluster, "扫描件.png", slow_scan())

    def holder() -> str | None:
        [(status, worker)] = rows(cluster.pg_url, "SELECT status, worker FROM uploads WHERE id = %s", scan)
        return str(worker) if status == "processing" else None

    victim = cluster.workers[wait_for(holder, 60, "the scan to be taken")]
    time.sleep(0.3)  # inside its reading (OCR of 10 lines takes seconds)
    [(status,)] = rows(cluster.pg_url, "SELECT status FROM uploads WHERE id = %s", scan)
    assert status == "processing"  # killed mid-read, not after it
    os.kill(victim.proc.pid, signal.SIGKILL)
    victim.proc.wait(10)
    assert victim.proc.returncode == -signal.SIGKILL
    after = [upload(cluster, f"回执{n}.docx", stats_docx("05", activities=(f"结对活动第{n}次",))) for n in range(4, 7)]

    survivor = next(w for w in cluster.workers.values() if w is not victim)
    wait_for(lambda: all_read(cluster, [scan, *after]), 180, "the scan read again after the lease, and the rest")
    [(worker, attempts)] = rows(cluster.pg_url, "SELECT worker, attempts FROM uploads WHERE id = %s", scan)
    assert (worker, attempts) == (survivor.name, 2)  # taken back from the dead worker, read by the other
    every = [*before, scan, *after]
    records = rows(cluster.pg_url, "SELECT upload_id, COUNT(*) FROM records WHERE upload_id = ANY(%s) "
                                   "GROUP BY upload_id", every)  # fmt: skip
    assert dict(records) == dict.fromkeys(every, 1)  # one record each: nothing lost, nothing read twice
    again = dict(rows(cluster.pg_url, "SELECT upload_id, updated_at FROM records WHERE upload_id = ANY(%s)", before))
    assert again == read_before  # read before the kill: not read again
    assert {w for (w,) in rows(cluster.pg_url, "SELECT worker FROM uploads WHERE id = ANY(%s)", after)} == {
        survivor.name
    }


def test_a_worker_running_a_batch_reads_an_upload_that_arrives_before_the_batch_goes_on(tmp_path: Path) -> None:
    """Reading comes first: a worker whose one slot runs a batch reads the waiting upload at the batch's next
    progress point (here the first: the plan made), before any of its documents."""
    from api.worker import Jobs

    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}", start_worker=False)
    with running_client(settings) as api:
        program_id = create_pengzhou(api)
        r = api.post(f"/api/programs/{program_id}/batches", json={"pdf": False})
        assert r.status_code == 202, r.text
        job_id = int(r.json()["id"])
        upload_id = int(api.post(f"/api/programs/{program_id}/uploads",
                                 files=[("files", ("统计表.docx", stats_docx("03")))]).json()[0]["id"])  # fmt: skip
        services = api.app.state.services  # type: ignore[attr-defined]
        jobs = Jobs(settings, services.db, services.blobs, services.converters, "w@test", reads_between_documents=True)
        ran: list[int | None] = []
        slot = threading.Thread(target=lambda: ran.append(jobs.batch_next()))  # the worker's one slot
        slot.start()
        wait_for(lambda: api.get(f"/api/uploads/{upload_id}").json()["record_id"], 60, "the upload read")
        assert api.post(f"/api/batches/{job_id}/cancel").status_code == 200  # the rest of the batch is not needed
        slot.join(60)
        assert ran == [job_id]
        assert api.get(f"/api/batches/{job_id}").json()["status"] == "cancelled"
        with services.db.session() as s:
            from sqlalchemy import func, select

            from api.models import Document, Record

            read_at = s.scalar(select(Record.updated_at).where(Record.upload_id == upload_id))
            first_document = s.scalar(select(func.min(Document.updated_at)).where(Document.job_id == job_id))
            worker = s.scalar(select(Upload.worker).where(Upload.id == upload_id))
        assert read_at is not None and (first_document is None or read_at < first_document)
        assert worker == "w@test"


def test_a_worker_stops_at_once_on_sigterm_with_its_spare_reader_waiting(cluster: Cluster, tmp_path: Path) -> None:
    """The warm server keeps a spare child waiting for the next file; a stopping worker ends it instead of
    waiting for it (multiprocessing joins every child it started at exit: a hang before the spare's finalizer)."""
    broker = str(cluster.api.app.state.services.settings.broker_url)  # type: ignore[attr-defined]
    env = {"DOCGEN_DATABASE_URL": cluster.pg_url, "DOCGEN_BROKER_URL": broker, "DOCGEN_SECRET_KEY": "test-secret"}
    worker = start_worker("w3@test", tmp_path / "w3", env, ["--queues", "docgen.pdf"])  # takes none of the reads
    try:
        wait_for(lambda: _ready(worker), 120, "worker w3 to be ready")
        worker.proc.terminate()  # the worker alone (not its group): it ends its server and spare itself
        assert worker.proc.wait(20) == 0, worker.log.read_text(errors="replace")[-3000:]
    finally:
        stop(worker)
