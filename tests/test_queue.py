"""The worker queue (api/services/queue.py): a row is taken by exactly one worker, oldest first for batch jobs,
and a restart puts what a stopped process was running back in the queue. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from api.db import Database, migrate
from api.models import BatchJob, Program, Upload, utcnow
from api.services import batches, queue, uploads
from tests.api_fixtures import database_url

__all__ = ["database_url"]  # fixture used by name


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    migrate(database.engine)
    yield database
    database.dispose()


def _program(db: Database) -> int:
    with db.session() as s:
        program = Program(key="p", name="项目", yaml_text="")
        s.add(program)
        s.flush()
        return program.id


def _jobs(db: Database, program_id: int, *statuses: str) -> list[int]:
    with db.session() as s:
        jobs = [BatchJob(program_id=program_id, status=status) for status in statuses]
        s.add_all(jobs)
        s.flush()
        return [j.id for j in jobs]


def _uploads(db: Database, program_id: int, *statuses: str) -> list[int]:
    with db.session() as s:
        rows = [
            Upload(
                program_id=program_id,
                original_name=f"{k}.docx",
                sha256=f"{k:064x}",
                size=1,
                detected_type="docx",
                blob_key=f"b{k}",
                status=status,
            )
            for k, status in enumerate(statuses)
        ]
        s.add_all(rows)
        s.flush()
        return [u.id for u in rows]


def _status(db: Database, model: type[BatchJob] | type[Upload], row_id: int) -> str:
    with db.session() as s:
        row = s.get(model, row_id)
        assert row is not None
        return row.status


def test_queued_batch_jobs_are_taken_oldest_first_and_each_only_once(db: Database) -> None:
    first, done, second = _jobs(db, _program(db), batches.QUEUED, batches.DONE, batches.QUEUED)
    assert batches.claim_next(db) == first
    assert batches.claim_next(db) == second
    assert batches.claim_next(db) is None  # nothing queued is left; the done job is never taken
    with db.session() as s:
        job = s.get(BatchJob, first)
        assert job is not None and job.status == batches.RUNNING and job.started_at is not None and job.done == 0
    assert _status(db, BatchJob, done) == batches.DONE


def test_a_row_another_worker_took_first_is_not_taken_again(db: Database) -> None:
    (job_id,) = _jobs(db, _program(db), batches.QUEUED)
    with db.session() as a, db.session() as b:  # two workers saw the same queued row
        assert queue.take(a, BatchJob, job_id, queued=batches.QUEUED, running=batches.RUNNING)
        a.commit()
        assert not queue.take(b, BatchJob, job_id, queued=batches.QUEUED, running=batches.RUNNING, done=7)
    with db.session() as s:
        job = s.get(BatchJob, job_id)
        assert job is not None and job.status == batches.RUNNING and job.done == 0  # the loser changed nothing


def test_taking_an_upload_counts_the_attempt(db: Database) -> None:
    (upload_id,) = _uploads(db, _program(db), uploads.RECEIVED)
    assert uploads.claim_next(db) == upload_id
    assert uploads.claim_next(db) is None
    with db.session() as s:
        upload = s.get(Upload, upload_id)
        assert upload is not None and upload.status == uploads.PROCESSING and upload.attempts == 1


def test_a_restart_puts_running_jobs_and_uploads_back_in_the_queue_and_nothing_else(db: Database) -> None:
    program_id = _program(db)
    running, finished = _jobs(db, program_id, batches.RUNNING, batches.DONE)
    processing, failed = _uploads(db, program_id, uploads.PROCESSING, uploads.FAILED)
    assert batches.requeue_interrupted(db) == 1
    assert uploads.requeue_interrupted(db) == 1
    assert (_status(db, BatchJob, running), _status(db, BatchJob, finished)) == (batches.QUEUED, batches.DONE)
    assert (_status(db, Upload, processing), _status(db, Upload, failed)) == (uploads.RECEIVED, uploads.FAILED)
    assert batches.requeue_interrupted(db) == 0  # nothing left running


def test_a_dead_workers_row_goes_back_once_its_heartbeat_is_older_than_the_lease_and_a_live_one_stays(
    db: Database,
) -> None:
    program_id = _program(db)
    dead, live = _uploads(db, program_id, uploads.RECEIVED, uploads.RECEIVED)
    assert uploads.claim_next(db, "w1@a") == dead
    assert uploads.claim_next(db, "w2@b") == live
    with db.session() as s:  # both last beat a minute ago: w1 died then, w2 is about to beat again
        for row_id, name in ((dead, "w1@a"), (live, "w2@b")):
            row = s.get(Upload, row_id)
            assert row is not None and row.worker == name
            row.heartbeat_at = utcnow() - timedelta(seconds=60)
    with queue.heartbeat(db, Upload, live, running=uploads.PROCESSING, every=0.05):
        time.sleep(0.3)  # w2 beats while it reads
        assert uploads.requeue_stale(db, lease=30) == [dead]
        assert uploads.requeue_stale(db, lease=30) == []  # a second sweeper finds nothing to move
    assert (_status(db, Upload, dead), _status(db, Upload, live)) == (uploads.RECEIVED, uploads.PROCESSING)
    assert uploads.claim_next(db, "w2@b") == dead  # taken again by a live worker, the attempt counted
    with db.session() as s:
        row = s.get(Upload, dead)
        assert row is not None and (row.worker, row.attempts, row.status) == ("w2@b", 2, uploads.PROCESSING)
