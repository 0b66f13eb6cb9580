"""The multi-machine set-up of docs/deploy.md: an API process as deployed (PostgreSQL, S3, behind a proxy) over
real HTTP, and what every process does at start when many start at once."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import httpx
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from api.blobs import key_for
from api.db import MIGRATIONS, Database, migrate
from api.services.accounts import ensure_admin
from api.services.passwords import PasswordHasherGate
from api.settings import Settings
from testkit.forms import stats_docx
from tests.api_fixtures import (
    ADMIN_PASSWORD,
    browser_like,
    create_pengzhou,
    postgresql_url,
    wait_record,
)
from tests.live_server import docgen_serve
from tests.s3_server import s3_server

__all__ = ["postgresql_url"]  # fixture used by name

STORE_DOWN = "文件存储暂时无法访问，本次操作未完成（没有保存任何内容），请稍后重试"
BLOB_GONE = "文件内容在存储中缺失，请联系管理员"


@pytest.mark.slow
def test_processes_starting_together_on_one_postgresql_migrate_it_and_create_the_admin_once(
    postgresql_url: str,
) -> None:
    """Every API process migrates at start (``alembic upgrade head``) and creates the admin named by
    ``DOCGEN_ADMIN_PASSWORD`` when missing (the app's lifespan). Started together by systemd on several machines
    with one api.env: one migrates and the others wait for it, then find the database at head; one creates the
    admin and the others find it (without the lock 4 upgrades hung for good; without the check a process died
    of the unique username)."""
    url = Settings(database_url=postgresql_url).resolved_database_url()
    databases = [Database(url) for _ in range(4)]
    start = threading.Barrier(len(databases))
    failures: list[BaseException] = []

    def start_process(db: Database) -> None:
        start.wait()
        try:
            migrate(db.engine)
            with db.session() as s:
                ensure_admin(s, "admin", ADMIN_PASSWORD, hasher=PasswordHasherGate())
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=start_process, args=(db,), daemon=True) for db in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    try:
        assert [t.is_alive() for t in threads] == [False] * len(threads)  # (without the lock: stuck for good)
        assert failures == []
        with databases[0].engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
            assert conn.execute(text("SELECT username, role FROM users")).all() == [("admin", "admin")]
    finally:
        for db in databases:
            db.dispose()


def check_forwarded_for_is_trusted_only_from_the_proxy(http: httpx.Client, base: str, program: int) -> None:
    """``docgen serve`` (uvicorn) takes the client address from ``X-Forwarded-For`` only on a connection from
    a proxy address (``FORWARDED_ALLOW_IPS``, default 127.0.0.1 and ::1: nginx on the same machine), and then
    the rightmost address the proxy did not add itself — so a client cannot choose the address its failed
    logins count against. Seen in the audit: a locked account's ``failures_from`` (docs/deploy.md)."""
    for name in ("via-proxy", "direct"):
        made = http.post("/api/users", json={"username": name, "password": "quiet-meadow-7315", "role": "readonly",
                                             "programs": [program]})  # fmt: skip
        assert made.status_code == 201, made.text
    forged = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}  # the client wrote the first, the proxy the last
    proxy = httpx.Client(base_url=base, timeout=60)  # from 127.0.0.1, like nginx beside the API process
    elsewhere = httpx.HTTPTransport(local_address="127.0.0.2")  # a client that is not a proxy
    direct = httpx.Client(base_url=base, timeout=60, transport=elsewhere)
    for client, name in ((proxy, "via-proxy"), (direct, "direct")):
        with client:
            for _ in range(2):  # the second failure locks the account (DOCGEN_LOGIN_MAX_FAILURES=2 below)
                wrong = client.post("/api/auth/login", json={"username": name, "password": "wrong"}, headers=forged)
                assert wrong.status_code == 401, wrong.text
    locked = http.get("/api/audit", params={"action": "auth.locked"}).json()
    assert sorted((e["username"], e["detail"]["failures_from"]) for e in locked) == [
        ("direct", "127.0.0.2"), ("via-proxy", "203.0.113.9")]  # fmt: skip


@pytest.mark.slow
def test_an_api_process_of_the_multi_machine_set_up(postgresql_url: str, tmp_path: Path) -> None:
    """``docgen serve`` as docs/deploy.md runs it, configured from the environment only — PostgreSQL,
    DOCGEN_BLOB_STORE and DOCGEN_S3_ENDPOINT_URL, the standard AWS_* credentials — over real HTTP: uploads go
    to S3 and are read from it; a lost blob is 410; X-Forwarded-For counts only from the proxy; while the store
    is down an upload is refused (503) and nothing of it is kept. (SQLite with S3: tests/test_blobs_s3.py; the
    database is not what this is about, so it does not run twice.)"""
    with s3_server(tmp_path / "moto") as s3:
        bucket = s3.bucket("docgen-service")
        env = {**s3.aws_env(), "DOCGEN_BLOB_STORE": f"s3://{bucket}/blobs", "DOCGEN_S3_ENDPOINT_URL": s3.endpoint,
               "DOCGEN_DATABASE_URL": postgresql_url, "DOCGEN_ADMIN_PASSWORD": ADMIN_PASSWORD,
               "DOCGEN_SECRET_KEY": "test-secret", "DOCGEN_WORKER_POLL_SECONDS": "0.05",
               "DOCGEN_S3_MAX_ATTEMPTS": "1", "DOCGEN_LOGIN_MAX_FAILURES": "2"}  # fmt: skip
        serving = docgen_serve(tmp_path / "data", env)
        with serving as base, browser_like(httpx.Client(base_url=base, timeout=60)) as http:
            login = {"username": "admin", "password": ADMIN_PASSWORD}
            assert http.post("/api/auth/login", json=login).status_code == 200
            program = create_pengzhou(http)  # type: ignore[arg-type]
            form = stats_docx("03")
            key = key_for(hashlib.sha256(form).hexdigest())

            sent = http.post(f"/api/programs/{program}/uploads", files={"files": ("03_统计表.docx", form)})

            assert sent.status_code == 202, sent.text
            upload_id = sent.json()[0]["id"]
            record = wait_record(http, upload_id)  # type: ignore[arg-type]
            assert (record["form"], record["pair_label"], record["status"]) == ("activity_stats", "03", "complete")
            stored = s3.client().get_object(Bucket=bucket, Key=f"blobs/{key}")["Body"].read()
            assert stored == form
            assert not (tmp_path / "data" / "blobs").exists()  # nothing went to a local folder
            assert http.get(f"/api/uploads/{upload_id}/original").content == form

            s3.client().delete_object(Bucket=bucket, Key=f"blobs/{key}")  # lost behind the service's back
            gone = http.get(f"/api/uploads/{upload_id}/original")
            assert (gone.status_code, gone.json()) == (410, {"detail": BLOB_GONE})

            check_forwarded_for_is_trusted_only_from_the_proxy(http, base, program)

            s3.stop()
            later = stats_docx("05", "彭州市清平小学")
            refused = http.post(f"/api/programs/{program}/uploads", files={"files": ("05_统计表.docx", later)})

            assert (refused.status_code, refused.json()) == (503, {"detail": STORE_DOWN})
            assert refused.headers["retry-after"] == "30"
            listed = http.get("/api/uploads", params={"program": program}).json()
            assert [u["id"] for u in listed] == [upload_id]  # no row for the refused file
            assert [e["target"] for e in http.get("/api/audit", params={"action": "upload.create"}).json()] == [
                f"upload:{upload_id}"]  # fmt: skip
            down = http.get(f"/api/uploads/{upload_id}/original")
            assert (down.status_code, down.json()) == (503, {"detail": STORE_DOWN})  # down is not missing
            assert http.get("/api/me").status_code == 200  # the service itself is up
