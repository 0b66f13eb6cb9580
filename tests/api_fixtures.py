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
from typing import Any, TypeVar

import httpx
import pytest

from api.app import create_app
from api.security import CSRF_COOKIE, CSRF_HEADER, SAFE_METHODS
from api.settings import Settings
from testkit.forms import PENGZHOU

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient warns about httpx at import
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
ADMIN_PASSWORD = "lantern-river-4821"  # passes the password rule (api.services.passwords)
ClientT = TypeVar("ClientT", bound=httpx.Client)


def _pg_connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=3)


@contextlib.contextmanager
def fresh_postgresql() -> Iterator[str]:
    """The URL of a new empty PostgreSQL database, dropped afterwards; skips the test (visibly) when there is
    no PostgreSQL at :data:`PG_ADMIN_URL`."""
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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database for one test: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'docgen.db'}"
        return
    with fresh_postgresql() as url:
        yield url


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """A fresh empty PostgreSQL database for one test that is about a multi-machine set-up (mark it slow)."""
    with fresh_postgresql() as url:
        yield url


def make_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "admin_password": ADMIN_PASSWORD,
        "secret_key": "test-secret",
        "worker_poll_seconds": 0.05,
        "extract_timeout_seconds": 60,
        # the warm reader switches the whole process to forks of its server: the test session's own children
        # stay fresh; tests/test_serve_warm.py runs the default in a process of its own
        "warm_reader": False,
    }
    values.update(overrides)
    return Settings(**values)


def browser_like(client: ClientT) -> ClientT:
    """Make ``client`` send what the web UI sends: its own ``Origin`` on every call and, on every write, the CSRF
    token of its current session (``X-CSRF-Token`` = the ``docgen_csrf`` cookie, read at each call, so a new
    login is followed). Returns ``client``."""
    client.headers["Origin"] = str(client.base_url).rstrip("/")

    def add_token(request: httpx.Request) -> None:
        token = client.cookies.get(CSRF_COOKIE)
        if token and request.method not in SAFE_METHODS and CSRF_HEADER not in request.headers:
            request.headers[CSRF_HEADER] = token

    if add_token.__qualname__ not in {getattr(h, "__qualname__", "") for h in client.event_hooks["request"]}:
        client.event_hooks["request"] = [*client.event_hooks["request"], add_token]
    return client


def taken_over(app: Any, username: str, password: str) -> None:
    """Record that ``username`` set ``password`` itself, as after its own change on 我的账号: an account an
    admin made (whose password the API holds back until its user replaces it, api.deps) can then be used
    by tests about something else. Ends the user's sessions, like any password change."""
    from sqlalchemy import select

    from api.models import User
    from api.services import accounts

    services = app.state.services
    with services.db.factory() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        accounts.set_password(session, user, password, hasher=services.hasher, by=user)
        session.commit()


def login_as(client: TestClient, username: str, password: str, *, take_over: bool = True) -> TestClient:
    """Log ``client`` in as the web UI does (same Origin, then the session's CSRF token on later calls).

    ``take_over``: an account still holding a password an admin set is first made its user's own
    (:func:`taken_over`) — pass False to test that state."""
    r = browser_like(client).post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    if take_over and r.json().get("must_change_password"):
        taken_over(client.app, username, password)
        r = client.post("/api/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200 and not r.json()["must_change_password"], r.text
    return client


@contextlib.contextmanager
def running_client(
    settings: Settings, *, login: str | None = "admin", password: str = ADMIN_PASSWORD
) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        if login:
            login_as(client, login, password)
        yield client


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path / "data", database_url)


@pytest.fixture
def admin(settings: Settings) -> Iterator[TestClient]:
    with running_client(settings) as client:
        yield client


def login_client(app_client: TestClient, username: str, password: str, *, take_over: bool = True) -> TestClient:
    """A second client on the same app, logged in as another user (``take_over``: see :func:`login_as`)."""
    return login_as(TestClient(app_client.app), username, password, take_over=take_over)


def create_pengzhou(client: TestClient, key: str | None = None) -> int:
    """The 彭州 sample program with its 14 pairs; ``key`` gives a second copy its own key (one bureau's keys are
    unique)."""
    data = (PENGZHOU / "program.yaml").read_bytes()
    if key is not None:
        data = data.replace(b"\nkey: pengzhou-heishui-2019\n", f"\nkey: {key}\n".encode())
    r = client.post("/api/programs", files={"file": ("program.yaml", data)})
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


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


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
