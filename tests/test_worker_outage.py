"""``docgen serve``'s own worker while the blob store is down: the upload waits in the queue, the log gets one
traceback and then a short line a try, and the tries back off instead of running every poll; when the store
answers again the upload is read and the end of the outage is logged once.

Real parts: the S3 store (boto3) pointed at a port nobody listens on is the store that is down; the uploads
are stored first in the service's local store, which the worker is given back to end the outage.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from api.blobs import S3BlobStore
from api.worker import StoreOutage, Worker
from testkit.forms import stats_docx
from tests.api_fixtures import create_pengzhou, make_settings, running_client
from tests.live_server import free_port


def test_a_store_that_is_down_is_logged_once_and_retried_with_back_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    poll = 0.05
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}", start_worker=False,
                             worker_poll_seconds=poll)  # fmt: skip
    down = S3BlobStore("docgen", endpoint_url=f"http://127.0.0.1:{free_port()}", region="us-east-1",
                       access_key_id="test", secret_access_key="test", max_attempts=1)  # fmt: skip
    with running_client(settings) as admin:
        services = admin.app.state.services  # type: ignore[attr-defined]
        program = create_pengzhou(admin)
        sent = admin.post(f"/api/programs/{program}/uploads", files=[("files", ("03.docx", stats_docx("03")))])
        assert sent.status_code == 202, sent.text
        upload_id = sent.json()[0]["id"]

        worker = Worker(settings, services.db, down, services.converters)
        outage_for = 2.0
        with caplog.at_level(logging.INFO, logger="docgen.worker"):
            worker.start()
            try:
                time.sleep(outage_for)
                for _ in range(20):  # new uploads' wake-ups do not make it try at every poll
                    worker.wake()
                    time.sleep(0.01)
                waiting = admin.get(f"/api/uploads/{upload_id}").json()
                failures = [r for r in caplog.records if "blob store" in r.getMessage()]
                worker.jobs.blobs = services.blobs  # the store answers again
                deadline = time.monotonic() + 60
                while admin.get(f"/api/uploads/{upload_id}").json()["status"] != "done":
                    assert time.monotonic() < deadline, "the upload was not read once the store answered"
                    time.sleep(0.1)
            finally:
                worker.stop()

    assert (waiting["status"], waiting["record_id"], waiting["error"]) == ("received", None, None)
    # one traceback, then one short line a try
    assert [r.exc_info is not None for r in failures] == [True] + [False] * (len(failures) - 1)
    assert "uploads wait in the queue" in failures[0].getMessage()
    assert all("still unavailable" in r.getMessage() for r in failures[1:])
    # the waits double from the poll interval: 0.05 + 0.1 + 0.2 + 0.4 + 0.8 (+ 1.6) s — not one try every poll
    # (≈ 40 in two seconds)
    assert 3 <= len(failures) <= 7, [r.getMessage() for r in failures]
    back = [r.getMessage() for r in caplog.records if "answers again" in r.getMessage()]
    assert len(back) == 1, back


def test_the_wait_between_tries_doubles_up_to_its_ceiling_and_resets_when_the_store_answers() -> None:
    from api.blobs import BlobStoreUnavailable

    outage = StoreOutage(0.5)
    waits = [outage.failed(BlobStoreUnavailable("文件存储不可用")) for _ in range(9)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    outage.passed()
    assert outage.failed(BlobStoreUnavailable("文件存储不可用")) == 0.5


def test_a_celery_read_task_waits_for_a_store_that_is_down_with_one_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``docgen worker``'s read task: the upload goes back to the queue, the task ends quietly (no exception for
    Celery to log with its traceback at every message the sweeper sends again), one traceback in all."""
    from api import tasks
    from api.worker import Jobs

    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}", start_worker=False)
    down = S3BlobStore("docgen", endpoint_url=f"http://127.0.0.1:{free_port()}", region="us-east-1",
                       access_key_id="test", secret_access_key="test", max_attempts=1)  # fmt: skip
    with running_client(settings) as admin:
        services = admin.app.state.services  # type: ignore[attr-defined]
        program = create_pengzhou(admin)
        sent = admin.post(f"/api/programs/{program}/uploads", files=[("files", ("03.docx", stats_docx("03")))])
        upload_id = sent.json()[0]["id"]
        monkeypatch.setattr(tasks, "_jobs", Jobs(settings, services.db, down, services.converters, "w@test"))
        monkeypatch.setattr(tasks, "_outage", StoreOutage(0.01))
        read = tasks.make_app("memory://").tasks[tasks.READ_TASK]
        with caplog.at_level(logging.INFO, logger="docgen.worker"):
            answers = [read.run(upload_id) for _ in range(4)]
        waiting = admin.get(f"/api/uploads/{upload_id}").json()

    assert answers == [None] * 4
    assert (waiting["status"], waiting["record_id"]) == ("received", None)
    failures = [r for r in caplog.records if "blob store" in r.getMessage()]
    assert [r.exc_info is not None for r in failures] == [True, False, False, False]
