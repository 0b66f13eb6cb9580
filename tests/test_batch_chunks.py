"""A batch in chunks (issue 13): two ``docgen worker`` processes make one batch together.

The domain part (no service): :func:`docgen.batch.split_plan` cuts the plan between pair groups and
``generate_batch(part=…)`` over the chunks makes exactly the documents of the whole batch; a chunk of a plan
that changed is refused. The service part (slow): a real Redis on a free port, PostgreSQL, two real worker
processes — the chunks of one batch are split between both workers, every document is stored once, the ZIP is
byte-identical to ``docgen serve``'s in-process one; PDF conversion runs on the ``docgen.pdf`` queue of the
other worker; a worker killed with SIGKILL mid-chunk loses nothing and nothing is made twice.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import signal
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest

from docgen.batch import (
    BatchPart,
    BatchReport,
    DocumentJob,
    DocumentResult,
    generate_batch,
    plan_batch,
    plan_digest,
    split_plan,
)
from docgen.errors import PlanChanged
from docgen.model import PairGroup, Program, Roster, School
from docgen.render.docx import CompiledTemplate
from tests.api_fixtures import (
    TestClient,
    _pg_connect,
    create_pengzhou,
    fresh_postgresql,
    make_settings,
    running_client,
    wait_for,
)
from tests.test_workers import WorkerProcess, _ready, redis_server, start_worker, stop

# --- the domain: parts of one plan ----------------------------------------------------------------------


def roster_of(groups: int) -> Roster:
    """``groups`` pair groups, every third a 2:1 group (its per-school forms make more documents)."""
    units = []
    for n in range(1, groups + 1):
        supporting = (School(f"彭州市第{n}小学"),) + ((School(f"彭州市第{n}中学"),) if n % 3 == 0 else ())
        units.append(PairGroup(n, supporting, (School(f"黑水县第{n}小学"),)))
    return Roster(tuple(units), source="test")


@dataclass
class Collected:
    """A sink that keeps each document's files by name and sha256, and what ``finish`` was given."""

    files: dict[str, str]
    finished: list[tuple[int, int]]

    def is_done(self, job: DocumentJob, fingerprint: str) -> bool:
        return False

    def record(self, result: DocumentResult) -> None:
        for f in result.files:
            assert f.name not in self.files, f"{f.name} made twice"
            self.files[f.name] = f.sha256

    def finish(self, jobs: Sequence[DocumentJob], report: BatchReport) -> str:
        self.finished.append((len(jobs), report.generated))
        return ""


def test_split_plan_cuts_between_pair_groups_and_covers_the_plan(pengzhou_program: Program) -> None:
    jobs = plan_batch(pengzhou_program, roster_of(7), with_forms=True)
    ranges = split_plan(jobs, 2)
    assert [i for r in ranges for i in r] == list(range(len(jobs)))  # every job once, in plan order
    labels = [[jobs[i].group.label for i in r] for r in ranges]
    assert [len(set(chunk)) for chunk in labels] == [2, 2, 2, 1]  # 2 groups a chunk, the rest in the last
    for a, b in itertools.pairwise(labels):
        assert not set(a) & set(b)  # a group's documents are never split
    assert len({jobs[i].group.label for i in ranges[1]}) == 2 and len(ranges[1]) > len(ranges[0])  # 2:1 group


def test_a_batch_made_in_parts_is_the_batch_made_whole(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate]
) -> None:
    roster = roster_of(4)
    whole = Collected({}, [])
    generate_batch(pengzhou_program, roster, pengzhou_templates, whole, kinds=[], with_forms=True)
    jobs = plan_batch(pengzhou_program, roster, [], with_forms=True)
    parts = Collected({}, [])
    for r in split_plan(jobs, 3):
        generate_batch(pengzhou_program, roster, pengzhou_templates, parts, kinds=[], with_forms=True,
                       part=BatchPart(r.start, r.stop, plan_digest(jobs)))  # fmt: skip
    assert parts.files == whole.files and len(whole.files) == len(jobs)
    assert [n for n, _ in parts.finished] == [len(r) for r in split_plan(jobs, 3)]  # each part's own report


def test_a_part_of_a_plan_that_changed_is_refused(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate]
) -> None:
    jobs = plan_batch(pengzhou_program, roster_of(4), [], with_forms=True)
    part = BatchPart(0, 3, plan_digest(jobs))
    sink = Collected({}, [])
    with pytest.raises(PlanChanged, match="名单、项目或学校全称已修改"):
        generate_batch(pengzhou_program, roster_of(5), pengzhou_templates, sink, kinds=[], with_forms=True, part=part)
    assert sink.files == {} and sink.finished == []


def test_the_labels_that_can_own_a_label_are_exactly_those_owns_label_accepts() -> None:
    from docgen.model import owner_labels, owns_label

    pairs = {"05", "05-2", "05-2.1", "5", "050", "05.1", "05-20", "0", "05-"}
    for label in ["05", "05-2", "05-2.1", "05.1", "050", "05-20.3", "12"]:
        found = set(owner_labels(label))
        assert all(owns_label(p, label) for p in found), label
        assert {p for p in pairs if owns_label(p, label)} <= found, label  # no owner missed
    assert owner_labels("05-2.1") == ["05-2.1", "05-2", "05"]
    assert owner_labels("12") == ["12"]


# --- the service's chunks, run by hand (no broker): progress and cancel --------------------------------


@contextlib.contextmanager
def chunk_jobs(tmp_path: Path) -> Iterator[tuple[TestClient, Any, int]]:
    """A service on SQLite without its own threads, the 彭州 program, and a worker's :class:`~api.worker.Jobs`
    cutting batches in chunks of 2 pairs (the chunk ids it announces are kept on ``jobs.announced``)."""
    from api.worker import Jobs

    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}", start_worker=False)
    with running_client(settings) as api:
        program_id = create_pengzhou(api)
        services = api.app.state.services
        announced: list[int] = []
        jobs = Jobs(settings, services.db, services.blobs, services.converters, "w@test", chunk_pairs=2,
                    announce_chunks=announced.extend)  # fmt: skip
        jobs.announced = announced  # type: ignore[attr-defined]
        yield api, jobs, program_id


def test_a_chunked_batch_shows_its_progress_and_stops_when_cancelled(tmp_path: Path) -> None:
    with chunk_jobs(tmp_path) as (api, jobs, program_id):
        r = api.post(f"/api/programs/{program_id}/batches", json={"pdf": False})
        job_id = int(r.json()["id"])
        assert jobs.batch_next() == job_id  # split, not run
        assert len(jobs.announced) == 7
        first = api.get(f"/api/batches/{job_id}").json()
        assert (first["status"], first["done"], first["total"]) == ("running", 0, 73)
        jobs.chunk_next()
        jobs.chunk_next()
        seen = api.get(f"/api/batches/{job_id}").json()
        assert seen["status"] == "running" and 0 < seen["done"] < 73 and 0 < seen["progress"] < 1  # two chunks' sum
        assert api.post(f"/api/batches/{job_id}/cancel").status_code == 200
        jobs.chunk_next()  # finds the cancel before running anything
        ended = api.get(f"/api/batches/{job_id}").json()
        assert (ended["status"], ended["done"]) == ("cancelled", seen["done"])
        assert api.get(f"/api/batches/{job_id}/download").status_code == 409
        assert jobs.chunk_next() is None  # nothing left to run
        documents = api.get(f"/api/programs/{program_id}/documents").json()
        assert len(documents) == seen["done"]  # only the two chunks' documents were made


# --- the service: two worker processes ------------------------------------------------------------------

CHUNK_PAIRS = 2  # the 14 pairs of 彭州 in 7 chunks
LEASE = 3.0


@dataclass
class Cluster:
    api: TestClient
    pg_url: str
    workers: dict[str, WorkerProcess]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """The API (it only queues) and two workers sharing PostgreSQL, a Redis of their own and a blob store:
    ``r1@test`` renders (``-Q docgen.read,docgen.batch``: its PDFs are converted elsewhere), ``a2@test``
    consumes every queue with two slots."""
    root = tmp_path_factory.mktemp("chunks")
    with redis_server(root) as broker, fresh_postgresql() as pg_url:
        blobs = root / "blobs"
        settings = make_settings(root / "api", pg_url, broker_url=broker, blob_store=str(blobs))
        env = {"DOCGEN_DATABASE_URL": pg_url, "DOCGEN_BLOB_STORE": str(blobs), "DOCGEN_BROKER_URL": broker,
               "DOCGEN_SECRET_KEY": "test-secret", "DOCGEN_TASK_LEASE_SECONDS": str(LEASE),
               "DOCGEN_BATCH_CHUNK_PAIRS": str(CHUNK_PAIRS)}  # fmt: skip
        with running_client(settings) as api:
            workers = {
                "r1@test": start_worker("r1@test", root / "r1", env, ["-Q", "docgen.read,docgen.batch"]),
                "a2@test": start_worker("a2@test", root / "a2", env, ["--concurrency", "2"]),
            }
            try:
                for w in workers.values():
                    wait_for(lambda w=w: _ready(w), 120, f"worker {w.name} to be ready")  # type: ignore[misc]
                yield Cluster(api, pg_url, workers)
            finally:
                for w in workers.values():
                    stop(w)


def rows(cluster: Cluster, query: str, *args: object) -> list[tuple[Any, ...]]:
    with _pg_connect(cluster.pg_url) as conn:
        return list(conn.execute(query, args).fetchall())


def run_batch(api: TestClient, program_id: int, *, pdf: bool, timeout: float = 240) -> dict[str, Any]:
    r = api.post(f"/api/programs/{program_id}/batches", json={"pdf": pdf})
    assert r.status_code == 202, r.text
    job_id = int(r.json()["id"])
    return wait_for(lambda: (j := api.get(f"/api/batches/{job_id}").json())["status"] not in ("queued", "running")
                    and j, timeout, "the batch to end")  # fmt: skip


def in_process_zip(tmp_path: Path) -> bytes:
    """The same program's batch made by ``docgen serve`` alone (no broker, SQLite): the reference ZIP."""
    settings = make_settings(tmp_path / "inproc", f"sqlite:///{tmp_path / 'inproc.db'}")
    with running_client(settings) as api:
        program_id = create_pengzhou(api)
        job = run_batch(api, program_id, pdf=False)
        assert (job["status"], job["failed"]) == ("done", 0), job
        return api.get(f"/api/batches/{job['id']}/download").content


@pytest.mark.slow
def test_two_workers_make_one_batch_in_chunks_each_document_once_and_the_zip_of_serve(
    cluster: Cluster, tmp_path: Path
) -> None:
    api = cluster.api
    program_id = create_pengzhou(api)
    job = run_batch(api, program_id, pdf=False)
    assert (job["status"], job["done"], job["total"], job["failed"], job["progress"]) == ("done", 73, 73, 0, 1.0)
    chunks = rows(cluster, "SELECT seq, kind, status, worker, attempts, stop - start FROM batch_chunks "
                           "WHERE job_id = %s ORDER BY seq", job["id"])  # fmt: skip
    documents = [c for c in chunks if c[1] == "documents"]
    print("chunks per worker:", [(c[0], c[3]) for c in chunks])
    assert len(documents) == 7 and sum(int(c[5]) for c in documents) == 73
    assert {c[2] for c in chunks} == {"done"} and {c[4] for c in chunks} == {1}  # each taken once
    assert {c[3] for c in documents} == set(cluster.workers)  # both workers made documents of this batch
    [archive] = [c for c in chunks if c[1] == "archive"]  # the ZIP: one chunk, made once, by a worker
    assert archive[3] in cluster.workers
    # every document stored once, by this batch
    stored = rows(cluster, "SELECT pair_label, kind, format, job_id, sha256 FROM documents WHERE program_id = %s",
                  program_id)  # fmt: skip
    assert len(stored) == len({(a, b, c) for a, b, c, *_ in stored}) == 73
    assert {r[3] for r in stored} == {job["id"]}
    archive_zip = api.get(f"/api/batches/{job['id']}/download").content
    members = zipfile.ZipFile(io.BytesIO(archive_zip))
    listed = json.loads(members.read("manifest.json"))  # one row per file
    assert sorted(str(d["sha256"]) for d in listed) == sorted(str(r[4]) for r in stored)
    assert archive_zip == in_process_zip(tmp_path)  # byte for byte what docgen serve alone makes


def conversions(worker_log: Path, what: str) -> int:
    """How many ``docgen.convert_pdf`` tasks a worker's log shows ``received`` or ``succeeded``."""
    text = worker_log.read_text(errors="replace")
    return sum(1 for line in text.splitlines() if "Task docgen.convert_pdf[" in line and what in line)


@pytest.mark.slow
def test_a_worker_killed_9_mid_chunk_loses_nothing_and_makes_nothing_twice(cluster: Cluster) -> None:
    api = cluster.api
    program_id = create_pengzhou(api, key="pengzhou-chunks-kill")
    r = api.post(f"/api/programs/{program_id}/batches", json={"pdf": True})
    assert r.status_code == 202, r.text
    job_id = int(r.json()["id"])
    renderer = cluster.workers["r1@test"]

    def holding() -> tuple[int, int] | None:  # the renderer's chunk, once its first .docx are made
        found = rows(cluster, "SELECT id, seq FROM batch_chunks WHERE job_id = %s AND status = 'running' AND "
                              "worker = 'r1@test' AND rendered > 0", job_id)  # fmt: skip
        return (int(found[0][0]), int(found[0][1])) if found else None

    chunk_id, _ = wait_for(holding, 180, "the renderer to be inside a chunk")
    converter = cluster.workers["a2@test"]
    # the renderer has no converter: its chunk's .docx go to the docgen.pdf queue, where the other worker
    # takes them; the kill lands while the renderer waits for them
    wait_for(lambda: conversions(converter.log, "received"), 120, "the renderer's PDFs sent")
    before = dict(rows(cluster, "SELECT id, updated_at FROM documents WHERE program_id = %s", program_id))
    os.killpg(renderer.proc.pid, signal.SIGKILL)  # the machine is gone
    renderer.proc.wait(10)
    [(status,)] = rows(cluster, "SELECT status FROM batch_chunks WHERE id = %s", chunk_id)
    assert status == "running"  # killed mid-chunk, not after it

    job = wait_for(lambda: (j := api.get(f"/api/batches/{job_id}").json())["status"] not in ("queued", "running")
                   and j, 300, "the batch to end without the killed worker")  # fmt: skip
    assert (job["status"], job["done"], job["total"], job["failed"]) == ("done", 73, 73, 0), job
    [(worker, attempts, chunk_status)] = rows(
        cluster, "SELECT worker, attempts, status FROM batch_chunks WHERE id = %s", chunk_id
    )
    assert (worker, attempts, chunk_status) == ("a2@test", 2, "done")  # taken back after the lease, made by the other
    stored = rows(cluster, "SELECT id, pair_label, kind, format, updated_at, pages FROM documents "
                           "WHERE program_id = %s", program_id)  # fmt: skip
    assert len(stored) == len({(b, c, d) for _, b, c, d, *_ in stored}) == 146  # .docx and PDF, once each
    assert all(r[5] for r in stored if r[3] == "pdf")
    after = {r[0]: r[4] for r in stored}
    assert {k: after[k] for k in before} == before  # stored before the kill: not made again
    archive = zipfile.ZipFile(io.BytesIO(api.get(f"/api/batches/{job_id}/download").content))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 73
    sums = {str(r[0]) for r in rows(cluster, "SELECT sha256 FROM documents WHERE program_id = %s", program_id)}
    assert {sha256(archive.read(n)).hexdigest() for n in archive.namelist() if n.endswith((".pdf", ".docx"))} == sums
    assert conversions(converter.log, "succeeded") > 0
    assert conversions(renderer.log, "received") == 0
