"""The service's settings: one pydantic-settings class, read from ``DOCGEN_*`` environment variables.

Nothing reads the environment elsewhere: routes reach the settings through :func:`get_settings` (cached,
overridable in tests) and :func:`api.app.create_app` takes a :class:`Settings` instance.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from docgen.values import SURE

MB = 1024 * 1024


class Settings(BaseSettings):
    """Every knob of ``docgen serve``. Environment: ``DOCGEN_<NAME>`` (e.g. ``DOCGEN_DATABASE_URL``)."""

    model_config = SettingsConfigDict(env_prefix="DOCGEN_", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""  # default: sqlite:///<data_dir>/docgen.db
    blob_store: str = ""  # default: <data_dir>/blobs ; or s3://bucket/prefix
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None

    secret_key: str = ""  # HMAC key for session/API token hashes; default: generated once into <data_dir>/secret
    session_days: int = 14
    cookie_secure: bool = False
    # origins besides the server's own (scheme + Host) whose pages may write with the session cookie, e.g.
    # "https://docgen.example.org" behind a TLS proxy that does not send X-Forwarded-Proto (JSON list in env)
    trusted_origins: list[str] = []
    admin_password: str | None = None  # with admin_username: create that admin on startup if missing
    admin_username: str = "admin"

    # Login throttling (state in the database: every process agrees). After `login_max_failures` failures of
    # one account name (or `login_max_failures_per_address` from one client address; 0 = off) within
    # `login_failure_window_seconds`, attempts wait `login_backoff_seconds`, doubling per further failure up
    # to `login_backoff_max_seconds`: 429 with Retry-After.
    login_max_failures: int = 5
    login_max_failures_per_address: int = 50
    login_backoff_seconds: float = 30.0
    login_backoff_max_seconds: float = 3600.0
    login_failure_window_seconds: float = 86400.0
    # argon2 needs 64 MiB per hash: at most this many at once, this many more waiting, the rest 429 at once
    password_hash_concurrency: int = 2
    password_hash_queue: int = 4

    max_upload_bytes: int = 50 * MB  # one file
    max_request_bytes: int = 200 * MB  # one request body (several files)
    zip_max_members: int = 200
    zip_max_total_bytes: int = 200 * MB
    zip_max_ratio: float = 100.0
    image_max_pixels: int = 100_000_000  # Pillow decompression-bomb limit (a 200-megapixel photo is refused)

    extract_timeout_seconds: float = 120.0
    extract_memory_bytes: int = 3 * 1024 * MB
    crop_timeout_seconds: float = 20.0
    crop_memory_bytes: int = 1536 * MB  # one crop child (a 100-megapixel image decodes to ≈ 400 MB)
    crop_concurrency: int = 2  # crops rendered at once; more wait …
    crop_queue: int = 4  # … up to this many, and further requests get 503 at once
    crop_max_pixels: int = 4_000_000  # a crop's output (box × scale); a larger box is 422
    crop_cache_bytes: int = 32 * MB  # rendered crops kept in memory (LRU by upload sha, page, box)
    roster_timeout_seconds: float = 60.0  # roster parsing runs in a limited child too
    roster_memory_bytes: int = 2048 * MB  # a scanned 安排表 is OCRed in it
    max_queued_uploads_per_user: int = 200  # received + processing uploads of one user; more is 429

    pdf_workers: int = 1
    pdf_timeout_seconds: float = 60.0
    worker_poll_seconds: float = 0.5
    start_worker: bool = True
    templates_dir: Path | None = None  # built-in templates; default: docgen's package data (docgen/templates/)

    review_threshold: float = SURE  # values less sure than this wait for review: interpret, correct, status, UI

    def resolved_database_url(self) -> str:
        """The database URL (default SQLite under data_dir; postgresql:// → psycopg 3)."""
        url = self.database_url or f"sqlite:///{(self.data_dir / 'docgen.db').resolve()}"
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    def resolved_blob_store(self) -> str:
        """The blob store location (default ``<data_dir>/blobs``)."""
        return self.blob_store or str((self.data_dir / "blobs").resolve())

    def resolved_secret(self) -> str:
        """The configured secret, else one generated once and kept in ``<data_dir>/secret`` (mode 600)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(".secret.part")
            tmp.write_text(secrets.token_hex(32))
            tmp.chmod(0o600)
            tmp.replace(path)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    """The process's settings (cached). Tests build their own :class:`Settings` and pass it to ``create_app``."""
    return Settings()
