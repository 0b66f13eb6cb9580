"""Content-addressed blob storage: the bytes of uploads, documents and archives, keyed by their sha256.

    store = open_blob_store("var/blobs")          # or "s3://bucket/prefix"
    key = store.put(data)                          # "3f/a9/3fa9…" — the same bytes always get the same key
    with store.open(key) as f: ...

A key is ``ab/cd/<sha256>``: it never contains a user-supplied name, so nothing uploaded can choose a path.
The local store writes to a temporary file in the same folder and renames it, so a crash never leaves a
half-written blob under a real key. The S3 store (boto3, only when installed) keeps the same keys under a
prefix; it is untested here (no S3 server in the test environment).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol

_KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")
CHUNK = 1 << 20


class BlobNotFound(KeyError):
    """No blob under that key."""


def key_for(digest: str) -> str:
    """The blob key of a sha256 hex digest: ``ab/cd/<digest>``."""
    return f"{digest[:2]}/{digest[2:4]}/{digest}"


def _check(key: str) -> str:
    if not _KEY.match(key):
        raise BlobNotFound(key)
    return key


class BlobStore(Protocol):
    """What the service needs from storage. Keys come only from ``put``/``put_file``."""

    def put(self, data: bytes) -> str: ...

    def put_file(self, path: Path) -> str: ...

    def open(self, key: str) -> IO[bytes]: ...

    def read(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


class LocalBlobStore:
    """Blobs as files under ``root/ab/cd/<sha256>``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(mode=0o700, parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """The file of ``key`` (a malformed key is :class:`BlobNotFound`, never a path)."""
        return self.root / _check(key)

    def _write(self, key: str, fill: Callable[[IO[bytes]], object]) -> str:
        """Write ``key`` once: ``fill`` writes a ``.part-*`` file in the same folder, fsync'd, then renamed."""
        target = self.root / key
        if not target.exists():
            for folder in (target.parent.parent, target.parent):  # parents=True would ignore the mode
                folder.mkdir(mode=0o700, exist_ok=True)
            # mkstemp: mode 0600; the pid lets the next start tell a dead process's part (api.datadir)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".part-{os.getpid()}-")
            try:
                with os.fdopen(fd, "wb") as out:
                    fill(out)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return key

    def put(self, data: bytes) -> str:
        """Store ``data``; returns its key (the same bytes always get the same key)."""
        return self._write(key_for(hashlib.sha256(data).hexdigest()), lambda out: out.write(data))

    def put_file(self, path: Path) -> str:
        """Store a file by streaming it (hash pass, then copy); memory does not hold the file."""

        def copy(out: IO[bytes]) -> None:
            with path.open("rb") as src:
                shutil.copyfileobj(src, out, CHUNK)

        return self._write(key_for(_hash_file(path)), copy)

    def open(self, key: str) -> IO[bytes]:
        """The blob's bytes as a readable file; :class:`BlobNotFound` when missing."""
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    def read(self, key: str) -> bytes:
        """The blob's bytes, whole (blobs are uploads within the size limit, documents, ZIPs)."""
        with self.open(key) as f:
            return f.read()

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored."""
        try:
            return self.path(key).is_file()
        except BlobNotFound:
            return False

    def size(self, key: str) -> int:
        """The stored size of ``key`` in bytes; :class:`BlobNotFound` when missing."""
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(key) from None


class S3BlobStore:
    """The same keys in an S3-compatible bucket (AWS, MinIO, Ceph …) under ``prefix``. Needs boto3.

    Untested in this repository (no S3 server here); written against boto3's documented client API.
    A put is one ``put_object`` (atomic on S3: an object is visible whole or not at all).
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        try:
            import boto3  # type: ignore[import-not-found, import-untyped, unused-ignore]
        except ImportError:
            raise RuntimeError("S3 对象存储需要安装 boto3：pip install boto3") from None
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
        )

    def _name(self, key: str) -> str:
        _check(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, data: bytes) -> str:
        key = key_for(hashlib.sha256(data).hexdigest())
        if not self.exists(key):
            self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data)
        return key

    def put_file(self, path: Path) -> str:
        key = key_for(_hash_file(path))
        if not self.exists(key):
            self.client.upload_file(str(path), self.bucket, self._name(key))  # multipart for large files
        return key

    def open(self, key: str) -> IO[bytes]:
        """The blob's bytes as a readable file; :class:`BlobNotFound` when missing."""
        spool = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)  # noqa: SIM115 - returned open
        try:
            self.client.download_fileobj(self.bucket, self._name(key), spool)
        except Exception as exc:
            spool.close()
            raise BlobNotFound(key) from exc
        spool.seek(0)
        return spool

    def read(self, key: str) -> bytes:
        """The blob's bytes, whole (blobs are uploads within the size limit, documents, ZIPs)."""
        with self.open(key) as f:
            return f.read()

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except Exception:
            return False
        return True

    def size(self, key: str) -> int:
        """The stored size of ``key`` in bytes; :class:`BlobNotFound` when missing."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as exc:
            raise BlobNotFound(key) from exc
        return int(head["ContentLength"])


def open_blob_store(
    location: str,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
) -> BlobStore:
    """``s3://bucket/prefix`` → :class:`S3BlobStore`; anything else is a local folder."""
    if location.startswith("s3://"):
        bucket, _, prefix = location[len("s3://") :].partition("/")
        return S3BlobStore(
            bucket,
            prefix,
            endpoint_url=endpoint_url,
            region=region,
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
        )
    return LocalBlobStore(Path(location))
