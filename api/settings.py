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
    admin_password: str | None = None  # with admin_username: create that admin on startup if missing
    admin_username: str = "admin"

    max_upload_bytes: int = 50 * MB  # one file
    max_request_bytes: int = 200 * MB  # one request body (several files)
    zip_max_members: int = 200
    zip_max_total_bytes: int = 200 * MB
    zip_max_ratio: float = 100.0
    image_max_pixels: int = 100_000_000  # Pillow decompression-bomb limit (a 200-megapixel photo is refused)

    extract_timeout_seconds: float = 120.0
    extract_memory_bytes: int = 3 * 1024 * MB
    crop_timeout_seconds: float = 20.0

    pdf_workers: int = 1
    pdf_timeout_seconds: float = 60.0
    worker_poll_seconds: float = 0.5
    start_worker: bool = True
    templates_dir: Path | None = None  # default: docgen's templates/ (docgen.files.templates_dir)

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
