"""Batches (issue 11, item 7): progress from the first document, an ETA that settles, cancel within 2 s, a
batch list that persists.

Domain: the plan's size is reported before anything renders, each .docx is reported as it is made, windows
start small, the ETA counts down between updates. Service: a running batch with a slow converter stops
within 2 s of a cancel (measured); every batch of a program is listed with its counts and ZIP.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from api.services import batches
from docgen.batch import FIRST_WINDOW, eta_seconds, generate_batch, load_templates, pace_known, progress_fraction
from docgen.files import load_program, template_reader
from docgen.render.converter import ConversionResult
from docgen.roster import read_roster
from testkit.forms import PENGZHOU
from tests.api_fixtures import TestClient, create_pengzhou, make_settings, running_client, wait_batch, wait_for


class SlowPdf:
    """A converter that takes ``per_doc`` seconds a document and records each call's size."""

    def __init__(self, per_doc: float = 0.0) -> None:
        self.per_doc = per_doc
        self.calls: list[int] = []

    def convert_many(self, items: Iterable[tuple[str, bytes]]) -> list[ConversionResult]:
        names = [n for n, _ in items]
        self.calls.append(len(names))
        time.sleep(self.per_doc * len(names))
        return [ConversionResult(n, b"%PDF-1.7 fake", 1) for n in names]

    def close(self) -> None:
        pass


class MemorySink:
    def __init__(self) -> None:
        self.recorded = 0

    def is_done(self, job: Any, fingerprint: str) -> bool:
        return False

    def record(self, result: Any) -> None:
        self.recorded += 1

    def finish(self, jobs: Any, report: Any) -> str:
        return "archive"


def test_the_plan_is_counted_before_anything_renders_and_each_docx_is_reported() -> None:
    program = load_program(PENGZHOU / "program.yaml")
    roster = read_roster((PENGZHOU / "roster.txt").read_bytes(), "roster.txt")
    templates = load_templates(program, template_reader(None))
    events: list[tuple[str, int, int]] = []
    rendered = 0
    converter = SlowPdf()

    def on_rendered() -> None:
        nonlocal rendered
        rendered += 1
        events.append(("rendered", rendered, 0))

    report = generate_batch(
        program, roster, templates, MemorySink(), converter=converter, with_forms=True, first_window=FIRST_WINDOW,
        on_progress=lambda done, total: events.append(("progress", done, total)), on_rendered=on_rendered,
    )
    assert report.planned == 73
    assert events[0] == ("progress", 0, 73)  # 0/73 before the first document: no "0/0 估算中"
    assert [e for e in events if e[0] == "rendered"][-1][1] == 73  # one report per .docx, not per window
    # the first window is small: the first documents are finished once the second window (24) converts —
    # a window is proofread while the next converts — so after 36 documents, not after 240 + 240
    first_done = next(i for i, e in enumerate(events) if e[0] == "progress" and e[1] == 1)
    assert sum(1 for e in events[:first_done] if e[0] == "rendered") == 12 + 24
    assert converter.calls[0] <= 12 and sum(converter.calls) == 73
    # a batch nobody watches (docgen generate) converts full windows: fewer LibreOffice loads
    unwatched = SlowPdf()
    generate_batch(program, roster, templates, MemorySink(), converter=unwatched, with_forms=True)
    assert len(unwatched.calls) < len(converter.calls) and sum(unwatched.calls) == 73


def test_progress_moves_per_document_and_the_eta_counts_down_between_updates() -> None:
    assert progress_fraction(100, rendered=10, converted=0, done=0, with_pdf=True) == 0.02
    assert round(progress_fraction(100, rendered=24, converted=12, done=0, with_pdf=True), 6) == 0.144
    assert progress_fraction(100, rendered=30, converted=0, done=30, with_pdf=False) == 0.3
    assert progress_fraction(0, rendered=0, converted=0, done=0, with_pdf=True) == 0.0
    assert eta_seconds(0.0, 0.0, 5.0) is None
    # 10 s for a quarter: 30 s left at the update, then counted down while nothing new is reported
    assert eta_seconds(10.0, 0.25, 0.0) == 30.0
    left = [eta_seconds(10.0, 0.25, s) for s in (0.0, 2.0, 4.0, 8.0, 40.0)]
    assert left == [30.0, 28.0, 26.0, 22.0, 0.0]  # never rising while a window converts


def test_with_pdf_no_time_left_is_given_before_the_first_pdf_is_made() -> None:
    """The .docx come in milliseconds and LibreOffice's first start stalls: a time left from the .docx alone
    rose when the first PDFs arrived (14 s → 61 s), so there is none until a PDF is made."""
    assert not pace_known(with_pdf=True, converted=0, done=0)
    assert pace_known(with_pdf=True, converted=1, done=0)
    assert pace_known(with_pdf=False, converted=0, done=0)


def test_a_running_batch_stops_within_2_seconds_of_a_cancel(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}", start_worker=False)
    with running_client(settings) as admin:
        program_id = create_pengzhou(admin)
        job = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": True}).json()
        services = admin.app.state.services
        job_id = batches.claim_next(services.db)
        assert job_id == job["id"]
        outcome: list[str] = []
        converter = SlowPdf(per_doc=0.1)  # 73 documents: ≈ 7 s of conversion, 1.2 s a slice
        runner = threading.Thread(
            target=lambda: outcome.append(
                batches.run_job(services.db, services.blobs, job_id,
                                batches.RunTools(templates=None, converter=converter, progress_interval=0.05))
            )
        )
        runner.start()
        wait_for(lambda: admin.get(f"/api/batches/{job_id}").json()["converted"] >= 12, 30, "a converted slice")
        running = admin.get(f"/api/batches/{job_id}").json()
        assert running["status"] == "running" and running["total"] == 73 and 0 < running["progress"] < 1
        asked = time.monotonic()
        assert admin.post(f"/api/batches/{job_id}/cancel").status_code == 200
        runner.join(10)
        stopped = time.monotonic() - asked
        assert outcome == ["cancelled"] and stopped < 2.0, f"cancel took {stopped:.2f} s"
        print(f"cancel took {stopped:.2f} s")
        assert admin.get(f"/api/batches/{job_id}").json()["status"] == "cancelled"


def test_on_a_busy_machine_a_cancel_still_stops_the_batch_within_2_seconds(tmp_path: Path) -> None:
    """A document takes 0.3 s here (a loaded machine, or slow LibreOffice; 12 take 3.6 s): the slices after the
    first are sized from that pace, so a cancel waits about a second, not a whole 12-document slice."""
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}", start_worker=False)
    with running_client(settings) as admin:
        program_id = create_pengzhou(admin)
        job = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": True}).json()
        services = admin.app.state.services
        assert batches.claim_next(services.db) == job["id"]
        outcome: list[str] = []
        converter = SlowPdf(per_doc=0.3)
        runner = threading.Thread(
            target=lambda: outcome.append(
                batches.run_job(services.db, services.blobs, job["id"],
                                batches.RunTools(templates=None, converter=converter, progress_interval=0.05))
            )
        )  # fmt: skip
        runner.start()
        wait_for(lambda: sum(converter.calls) >= 16, 60, "slices converted at the learnt pace")
        asked = time.monotonic()
        assert admin.post(f"/api/batches/{job['id']}/cancel").status_code == 200
        runner.join(15)
        stopped = time.monotonic() - asked
        assert outcome == ["cancelled"] and stopped < 2.0, f"cancel took {stopped:.2f} s (slices {converter.calls})"
        assert max(converter.calls[1:]) <= 4, converter.calls  # ≈ 1 s each once the pace is known


def test_every_batch_of_the_program_is_listed_with_its_counts_and_zip(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}")
    with running_client(settings) as admin:
        program_id = create_pengzhou(admin)
        first = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()
        wait_batch(admin, first["id"])
        second = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()
        wait_batch(admin, second["id"])
        other = TestClient(admin.app)  # another browser: nothing of the first tab's state
        listed = admin.get(f"/api/programs/{program_id}/batches").json()
        assert [b["id"] for b in listed] == [second["id"], first["id"]]
        for b in listed:
            assert b["status"] == "done" and b["done"] == b["total"] == 73 and b["archive_ready"]
            assert b["started_at"] and b["progress"] == 1.0
        assert other.get(f"/api/programs/{program_id}/batches").status_code == 401
