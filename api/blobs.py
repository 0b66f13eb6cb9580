"""Content-addressed blob storage: the bytes of uploads, documents and archives, keyed by their sha256.

    store = open_blob_store("var/blobs")          # or "s3://bucket/prefix"; the service: blob_store_of(settings)
    key = store.put(data)                          # "3f/a9/3fa9…" — the same bytes always get the same key
    with store.open(key) as f: ...

A key is ``ab/cd/<sha256>``: it never contains a user-supplied name, so nothing uploaded can choose a path.
The local store writes to a temporary file in the same folder and renames it, so a crash never leaves a
half-written blob under a real key. The S3 store (boto3) keeps the same keys under a prefix, shared by every
machine of a multi-machine set-up (docs/deploy.md).

Errors (:class:`BlobError`, each with a Chinese ``message``): :class:`BlobNotFound` — no blob under that key
(the API answers 410); :class:`BlobStoreUnavailable` — the store cannot be reached or refuses (503: nothing
of the request is committed, so no row ever points at a blob that was not written).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from api.settings import Settings

_KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")
CHUNK = 1 << 20
MIN_PART_SIZE = 5 << 20  # S3's smallest part of a multipart upload (but the last)
DEFAULT_PART_SIZE = 8 << 20


class BlobError(Exception):
    """The blob store could not do what was asked. ``message`` says what, in Chinese, for the log and for the
    people who see it."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class BlobNotFound(BlobError, KeyError):
    """No blob under that key (a malformed key is one too). ``key`` is the key asked for."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"文件内容在存储中缺失（{key}）")


class BlobStoreUnavailable(BlobError):
    """The store cannot be reached, refuses the request (credentials, permissions) or has no such bucket. What
    was being written is not stored; the caller commits nothing that would point at it."""


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

    def delete(self, key: str) -> None: ...

    def check(self) -> None: ...


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

    def check(self) -> None:
        """Nothing to check: the folder was made by the constructor."""

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

    def delete(self, key: str) -> None:
        """Remove ``key`` (nothing to do when it is not stored). The caller knows nothing references it."""
        self.path(key).unlink(missing_ok=True)


class S3BlobStore:
    """The same keys in an S3-compatible bucket (AWS, MinIO, Ceph …) under ``prefix``. Needs boto3.

    Tested against moto's S3 server over HTTP (``tests/test_blobs_s3.py``). An object at or above
    ``part_size`` bytes goes up as a multipart upload in parts of that size (S3: at least 5 MiB); below, as
    one ``PutObject``. Either way the object appears whole or not at all under its key, and a failed
    multipart upload is aborted by boto3 (a bucket lifecycle rule cleans up what an abort could not reach:
    docs/deploy.md). Credentials: the explicit keys when given, else boto3's standard chain
    (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, an instance role …). Errors are
    :class:`BlobNotFound` (no such object) or :class:`BlobStoreUnavailable` (anything else: unreachable,
    refused, no bucket), never a botocore exception.
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
        part_size: int = DEFAULT_PART_SIZE,
        connect_timeout: float = 5.0,
        max_attempts: int = 3,
    ) -> None:
        try:
            import boto3
            from boto3.s3.transfer import TransferConfig
            from botocore.config import Config
        except ImportError:
            raise RuntimeError("S3 对象存储需要安装 boto3：pip install 'docgen[s3]'（或 pip install boto3）") from None
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"S3 分块大小 {part_size} 字节小于 S3 的下限 {MIN_PART_SIZE} 字节（5 MiB）")
        if not bucket:
            raise ValueError("S3 对象存储地址缺少存储桶名：应为 s3://存储桶/前缀")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.part_size = part_size
        self.transfer = TransferConfig(multipart_threshold=part_size, multipart_chunksize=part_size)
        config = Config(
            connect_timeout=connect_timeout,
            read_timeout=60,
            retries={"max_attempts": max_attempts, "mode": "standard"},
            # MinIO, Ceph and moto serve buckets by path; virtual hosts need DNS for every bucket name
            s3={"addressing_style": "path"} if endpoint_url else {},
        )
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=config,
        )
        self.endpoint = str(self.client.meta.endpoint_url)  # as resolved: the setting, AWS_ENDPOINT_URL or AWS's

    def _name(self, key: str) -> str:
        _check(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _failure(self, exc: Exception, key: str | None, doing: str) -> BlobError:
        """The typed error for a boto3 failure while ``doing`` (Chinese, e.g. "写入") ``key``."""
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import ClientError, NoCredentialsError

        if isinstance(exc, BlobError):
            return exc  # ours already, e.g. a malformed key refused before any request: not the store's failure
        if isinstance(exc, S3UploadFailedError) and isinstance(exc.__cause__, Exception):
            exc = exc.__cause__  # upload_file wraps the ClientError that says why
        where = f"S3 对象存储（{self.endpoint}，存储桶 {self.bucket}）"
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if key is not None and code in _MISSING:
                return BlobNotFound(key)
            if code == "NoSuchBucket" or (key is None and code in _MISSING):
                return BlobStoreUnavailable(f"{where}：存储桶不存在")
            if code in _DENIED or status == 403:
                return BlobStoreUnavailable(f"{where}拒绝{doing}：凭据或权限不对（{code}）")
            return BlobStoreUnavailable(f"{where}{doing}失败：{code or status} {error.get('Message', '')}".rstrip())
        if isinstance(exc, NoCredentialsError):
            return BlobStoreUnavailable(
                f"{where}：没有凭据，请设置 AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY（或 DOCGEN_S3_ACCESS_KEY_ID…）"
            )
        return BlobStoreUnavailable(f"{where}无法访问，{doing}未完成：{exc}")

    def check(self) -> None:
        """Raise :class:`BlobStoreUnavailable` unless the bucket answers (called once at startup)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as exc:
            raise self._failure(exc, None, "访问") from exc

    def _upload(self, key: str, source: IO[bytes]) -> str:
        """Write ``source`` under ``key`` unless that key is stored already (the same bytes)."""
        if self.exists(key):
            return key
        try:
            self.client.upload_fileobj(source, self.bucket, self._name(key), Config=self.transfer)
        except Exception as exc:
            raise self._failure(exc, None, "写入") from exc
        return key

    def put(self, data: bytes) -> str:
        """Store ``data``; returns its key (the same bytes always get the same key, and are stored once)."""
        return self._upload(key_for(hashlib.sha256(data).hexdigest()), io.BytesIO(data))

    def put_file(self, path: Path) -> str:
        """Store a file by streaming it (hash pass, then upload in parts); memory does not hold the file."""
        key = key_for(_hash_file(path))
        with path.open("rb") as src:
            return self._upload(key, src)

    def open(self, key: str) -> IO[bytes]:
        """The blob's bytes as a readable file (in memory up to 8 MB, then on disk); :class:`BlobNotFound` when
        missing, :class:`BlobStoreUnavailable` when the store cannot be read."""
        name = self._name(key)
        spool = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)  # noqa: SIM115 - returned open
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=name)["Body"]
            try:
                shutil.copyfileobj(body, spool, CHUNK)
            finally:
                body.close()
        except Exception as exc:
            spool.close()
            raise self._failure(exc, key, "读取") from exc
        spool.seek(0)
        return spool

    def read(self, key: str) -> bytes:
        """The blob's bytes, whole (blobs are uploads within the size limit, documents, ZIPs)."""
        with self.open(key) as f:
            return f.read()

    def _head(self, key: str) -> dict[str, Any]:
        try:
            head: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as exc:
            raise self._failure(exc, key, "读取") from exc
        return head

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored; :class:`BlobStoreUnavailable` when the store cannot tell (never False
        for "down": a caller would write again, or report a blob missing that is not)."""
        try:
            self._head(key)
        except BlobNotFound:
            return False
        return True

    def size(self, key: str) -> int:
        """The stored size of ``key`` in bytes; :class:`BlobNotFound` when missing."""
        return int(self._head(key)["ContentLength"])

    def delete(self, key: str) -> None:
        """Remove ``key`` (S3 answers the same for a key that is not there). The caller knows nothing references
        it; :class:`BlobStoreUnavailable` when the store cannot be written."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as exc:
            raise self._failure(exc, key, "删除") from exc


_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
_DENIED = frozenset({"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"})


def open_blob_store(
    location: str,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    part_size: int = DEFAULT_PART_SIZE,
    connect_timeout: float = 5.0,
    max_attempts: int = 3,
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
            part_size=part_size,
            connect_timeout=connect_timeout,
            max_attempts=max_attempts,
        )
    return LocalBlobStore(Path(location))


def blob_store_of(settings: Settings) -> BlobStore:
    """The blob store ``settings`` name (``blob_store`` and the ``s3_*`` settings): every process — API or
    worker — opens its store here, so all of them see the same blobs."""
    return open_blob_store(
        settings.resolved_blob_store(),
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
        part_size=settings.s3_part_size_bytes,
        connect_timeout=settings.s3_connect_timeout_seconds,
        max_attempts=settings.s3_max_attempts,
    )
