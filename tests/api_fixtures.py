"""Fixtures for the HTTP API tests: a database per test (SQLite file or a fresh PostgreSQL database), an app
on it, logged-in clients, and returned forms made with python-docx."""

from __future__ import annotations

import contextlib
import io
import secrets
import shutil
import subprocess
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from api.app import create_app
from api.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient warns about httpx at import
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
PENGZHOU = ROOT / "samples" / "pengzhou_heishui"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
ADMIN_PASSWORD = "admin-pass-123"


def _pg_connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=3)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database for one test: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'docgen.db'}"
        return
    try:
        admin = _pg_connect(PG_ADMIN_URL)
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL} ({exc}): PostgreSQL tests did not run")
    name = f"docgen_test_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with _pg_connect(PG_ADMIN_URL) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "admin_password": ADMIN_PASSWORD,
        "secret_key": "test-secret",
        "worker_poll_seconds": 0.05,
        "extract_timeout_seconds": 60,
    }
    values.update(overrides)
    return Settings(**values)


@contextlib.contextmanager
def running_client(
    settings: Settings, *, login: str | None = "admin", password: str = ADMIN_PASSWORD
) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        if login:
            r = client.post("/api/auth/login", json={"username": login, "password": password})
            assert r.status_code == 200, r.text
        yield client


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path / "data", database_url)


@pytest.fixture
def admin(settings: Settings) -> Iterator[TestClient]:
    with running_client(settings) as client:
        yield client


def login_client(app_client: TestClient, username: str, password: str) -> TestClient:
    """A second client on the same app, logged in as another user."""
    other = TestClient(app_client.app)
    r = other.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return other


def create_pengzhou(client: TestClient) -> int:
    r = client.post("/api/programs", files={"file": ("program.yaml", (PENGZHOU / "program.yaml").read_bytes())})
    assert r.status_code == 201, r.text
    program_id = int(r.json()["id"])
    r = client.post(
        f"/api/programs/{program_id}/roster", files={"file": ("roster.txt", (PENGZHOU / "roster.txt").read_bytes())}
    )
    assert r.status_code == 200, r.text
    return program_id


def wait_for(check: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def wait_batch(client: TestClient, job_id: int, timeout: float = 120.0) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        body: dict[str, Any] = client.get(f"/api/batches/{job_id}").json()
        return body if body["status"] in ("done", "failed", "cancelled") else None

    result: dict[str, Any] = wait_for(finished, timeout, f"batch {job_id}")
    return result


def wait_record(client: TestClient, upload_id: int, timeout: float = 60.0) -> dict[str, Any]:
    def ready() -> dict[str, Any] | None:
        body: dict[str, Any] = client.get(f"/api/uploads/{upload_id}").json()
        return body if body["status"] in ("done", "failed") and body["record_id"] else None

    upload = wait_for(ready, timeout, f"upload {upload_id}")
    record: dict[str, Any] = client.get(f"/api/records/{upload['record_id']}").json()
    return record


STATS_HEADER = [
    "序号",
    "活动名称",
    "派出人员",
    "活动时间",
    "活动地点",
    "活动安排",
    "受援人次",
    "开展项目涉及到的资金、物品",
    "取得效果",
    "备注",
]


def stats_docx(
    pair: str = "03",
    unit: str = "彭州市西郊小学",
    activities: tuple[str, ...] = ("送教下乡",),
    program: str = "pengzhou-heishui-2019",
    dates: tuple[str, ...] = (),
) -> bytes:
    """A returned 活动情况统计表 as a school would type it in Word, with the printed identity code; ``dates``
    replaces the 活动时间 of the first rows (default ``2019年4月11日``, ``…12日`` …)."""
    doc = Document()
    doc.add_paragraph("彭州·黑水“校校结对”教育交流活动情况统计表")
    doc.add_paragraph(f"表单识别码：DG1:{program}:{pair}:activity_stats:1")
    doc.add_paragraph(f"填报单位：{unit}        填报时间：2019年5月6日")
    table = doc.add_table(rows=1 + len(activities), cols=len(STATS_HEADER))
    for i, h in enumerate(STATS_HEADER):
        table.rows[0].cells[i].text = h
    for r, name in enumerate(activities, start=1):
        row = [
            str(r),
            name,
            "张三",
            dates[r - 1] if r <= len(dates) else f"2019年4月{10 + r}日",
            "黑水县芦花完全小学校",
            "示范课",
            "120人次",
            "图书500册",
            "良好",
            "",
        ]
        for i, v in enumerate(row):
            table.rows[r].cells[i].text = v
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


@lru_cache(maxsize=4)
def pdf_of(docx: bytes) -> bytes:
    """The PDF LibreOffice prints of ``docx`` (a real born-digital PDF); skips the test without LibreOffice."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    with tempfile.TemporaryDirectory(prefix="docgen-pdf-") as tmp:
        work = Path(tmp)
        (work / "form.docx").write_bytes(docx)
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile", "--convert-to", "pdf",
             "--outdir", str(work), str(work / "form.docx")],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        return (work / "form.pdf").read_bytes()


def encrypted_pdf(pdf: bytes, password: str = "secret") -> bytes:
    """``pdf`` with a user password (pypdf's default algorithm): it cannot be opened without it."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blob_count(data_dir: Path) -> int:
    """How many blobs the local store under ``data_dir`` holds (temporary ``.part-*`` files excluded)."""
    root = data_dir / "blobs"
    return sum(1 for f in root.rglob("*") if f.is_file() and not f.name.startswith(".")) if root.exists() else 0
