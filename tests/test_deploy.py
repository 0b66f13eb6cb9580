"""The multi-machine set-up of docs/deploy.md: what every process does at start when many start at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from api.db import MIGRATIONS, Database, migrate
from api.services.accounts import ensure_admin
from api.services.passwords import PasswordHasherGate
from tests.api_fixtures import ADMIN_PASSWORD, fresh_postgresql


@pytest.fixture
def postgresql() -> Iterator[str]:
    with fresh_postgresql() as url:
        yield url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.mark.slow
def test_processes_starting_together_on_one_postgresql_migrate_it_and_create_the_admin_once(postgresql: str) -> None:
    """Every API process migrates at start (``alembic upgrade head``) and creates the admin named by
    ``DOCGEN_ADMIN_PASSWORD`` when missing (the app's lifespan). Started together by systemd on several machines
    with one api.env: one migrates and the others wait for it, then find the database at head; one creates the
    admin and the others find it (without the lock 4 upgrades hung for good; without the check a process died
    of the unique username)."""
    databases = [Database(postgresql) for _ in range(4)]
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
