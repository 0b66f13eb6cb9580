"""The S3 blob store against a real S3 server over HTTP (moto's server mode, tests/s3_server.py): round trip,
content addressing, multipart upload, a missing object, a store that is down or has no bucket, and the
worker's side of both. ``docgen serve`` on S3 over HTTP: tests/test_deploy.py."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from api.blobs import (
    MIN_PART_SIZE,
    BlobNotFound,
    BlobStoreUnavailable,
    S3BlobStore,
    blob_store_of,
    key_for,
)
from api.services import uploads
from api.settings import MB, Settings
from testkit.forms import stats_docx
from tests.api_fixtures import (
    create_pengzhou,
    make_settings,
    running_client,
)
from tests.live_server import free_port
from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, S3Server, s3_server


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """One S3 server for the tests that do not stop it."""
    with s3_server(tmp_path_factory.mktemp("moto")) as server:
        yield server


def store_on(server: S3Server, bucket: str, prefix: str = "blobs", **options: Any) -> S3BlobStore:
    return S3BlobStore(bucket, prefix, endpoint_url=server.endpoint, region=REGION, access_key_id=ACCESS_KEY,
                       secret_access_key=SECRET_KEY, **options)  # fmt: skip


def objects(server: S3Server, bucket: str) -> list[str]:
    listing = server.client().list_objects_v2(Bucket=bucket)
    return sorted(o["Key"] for o in listing.get("Contents", []))


def test_the_same_bytes_get_the_same_key_and_are_stored_once(s3: S3Server, tmp_path: Path) -> None:
    bucket = s3.bucket("round-trip")
    store = store_on(s3, bucket)
    data = "彭州市西郊小学 统计表".encode() * 100
    digest = hashlib.sha256(data).hexdigest()

    key = store.put(data)

    assert key == f"{digest[:2]}/{digest[2:4]}/{digest}"
    assert store.exists(key) is True
    assert store.read(key) == data
    assert store.size(key) == len(data)
    with store.open(key) as f:
        assert f.read() == data
    (tmp_path / "same.bin").write_bytes(data)
    assert store.put(data) == key
    assert store.put_file(tmp_path / "same.bin") == key
    assert objects(s3, bucket) == [f"blobs/{key}"]  # under the prefix, once
    other = store.put(b"other bytes")
    assert objects(s3, bucket) == sorted([f"blobs/{key}", f"blobs/{other}"])
    assert store.exists(key_for("0" * 64)) is False


def test_a_large_object_goes_up_in_parts_of_the_configured_size(s3: S3Server, tmp_path: Path) -> None:
    bucket = s3.bucket("multipart")
    settings = Settings(data_dir=tmp_path, blob_store=f"s3://{bucket}/big", s3_endpoint_url=s3.endpoint,
                        s3_region=REGION, s3_access_key_id=ACCESS_KEY, s3_secret_access_key=SECRET_KEY,
                        s3_part_size_bytes=MIN_PART_SIZE)  # fmt: skip
    store = blob_store_of(settings)  # what the service opens
    rng = random.Random(13)
    large = rng.randbytes(2 * MIN_PART_SIZE + 123)  # three parts: 5 MiB, 5 MiB, 123 bytes
    (tmp_path / "scan.pdf").write_bytes(rng.randbytes(MIN_PART_SIZE + 1))  # two parts, streamed from the file
    small = rng.randbytes(MIN_PART_SIZE - 1)  # one PutObject

    keys = store.put(large), store.put_file(tmp_path / "scan.pdf"), store.put(small)

    heads = [s3.client().head_object(Bucket=bucket, Key=f"big/{k}") for k in keys]
    # S3's ETag of a multipart object is "<md5 of the part md5s>-<number of parts>"
    assert [h["ETag"].strip('"').partition("-")[2] for h in heads] == ["3", "2", ""]
    assert [h["ContentLength"] for h in heads] == [len(large), MIN_PART_SIZE + 1, len(small)]
    assert store.read(keys[0]) == large
    assert store.read(keys[1]) == (tmp_path / "scan.pdf").read_bytes()
    assert keys[0] == key_for(hashlib.sha256(large).hexdigest())


def test_a_part_size_below_the_s3_minimum_is_refused_before_anything_connects(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="s3_part_size_bytes"):
        Settings(data_dir=tmp_path, s3_part_size_bytes=4 * MB)
    with pytest.raises(ValueError, match="S3 分块大小 4194304 字节小于 S3 的下限 5242880 字节（5 MiB）"):
        S3BlobStore("bucket", part_size=4 * MB)


def test_deleting_a_blob_removes_that_object_only(s3: S3Server) -> None:
    """A program deleted takes the blobs only it used (``api.services.programs``): ``delete`` over HTTP removes
    its object and nothing else, says nothing for an object already gone, and never sends a non-key."""
    bucket = s3.bucket("delete")
    store = store_on(s3, bucket)
    kept, dropped = store.put(b"kept: another program's template"), store.put(b"dropped: this program's only")

    store.delete(dropped)

    assert objects(s3, bucket) == [f"blobs/{kept}"]
    assert store.exists(dropped) is False and store.read(kept) == b"kept: another program's template"
    store.delete(dropped)  # already gone: S3 answers the same, so does the store
    assert objects(s3, bucket) == [f"blobs/{kept}"]
    with pytest.raises(BlobNotFound):
        store.delete("../blobs")  # not a key: refused before any request
    assert objects(s3, bucket) == [f"blobs/{kept}"]
    down = S3BlobStore(bucket, "blobs", endpoint_url=f"http://127.0.0.1:{free_port()}", region=REGION,
                       access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY, max_attempts=1)  # fmt: skip
    with pytest.raises(BlobStoreUnavailable, match="无法访问"):
        down.delete(kept)


def test_a_missing_object_is_blob_not_found_in_chinese(s3: S3Server) -> None:
    store = store_on(s3, s3.bucket("missing"))
    key = key_for("ab" * 32)

    with pytest.raises(BlobNotFound) as caught:
        store.read(key)
    assert str(caught.value) == f"文件内容在存储中缺失（{key}）"
    assert caught.value.key == key
    with pytest.raises(BlobNotFound):
        store.size(key)
    for call in (store.read, store.size, store.delete):
        with pytest.raises(BlobNotFound):
            call("../../etc/passwd")  # not a key: never a request, never "the store is down"
    assert store.exists("../../etc/passwd") is False


def test_a_store_that_is_down_or_has_no_bucket_is_unavailable_not_missing(s3: S3Server, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    down = S3BlobStore("docgen", endpoint_url=f"http://127.0.0.1:{port}", region=REGION, access_key_id=ACCESS_KEY,
                       secret_access_key=SECRET_KEY, max_attempts=1)  # fmt: skip
    unreachable = f"S3 对象存储（http://127.0.0.1:{port}，存储桶 docgen）无法访问"
    for call in (lambda: down.put(b"x"), lambda: down.exists(key_for("ab" * 32)), lambda: down.read(key_for("ab" * 32)),
                 down.check):  # fmt: skip
        with pytest.raises(BlobStoreUnavailable) as caught:
            call()
        assert str(caught.value).startswith(unreachable), caught.value

    no_bucket = store_on(s3, "never-created")
    no_such_bucket = f"S3 对象存储（{s3.endpoint}，存储桶 never-created）：存储桶不存在"
    with pytest.raises(BlobStoreUnavailable) as caught:
        no_bucket.check()
    assert str(caught.value) == no_such_bucket
    with pytest.raises(BlobStoreUnavailable, match="存储桶不存在"):
        no_bucket.put(b"x")
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'docgen.db'}",
                        blob_store="s3://never-created/blobs", s3_endpoint_url=s3.endpoint, s3_region=REGION,
                        s3_access_key_id=ACCESS_KEY, s3_secret_access_key=SECRET_KEY)  # fmt: skip
    with pytest.raises(BlobStoreUnavailable) as refused, running_client(settings, login=None):
        pass  # the service does not start on a bucket that is not there
    assert str(refused.value) == f"文件存储不可用，服务未启动：{no_such_bucket}"


def test_reading_waits_while_the_store_is_down_and_a_lost_blob_fails_the_upload(s3: S3Server, tmp_path: Path) -> None:
    """The worker's side: a store that is down puts the upload back in the queue (it is read later); a blob that
    is gone fails that upload with the reason in Chinese."""
    bucket = s3.bucket("reading")
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}", start_worker=False,
                             blob_store=f"s3://{bucket}", s3_endpoint_url=s3.endpoint, s3_region=REGION,
                             s3_access_key_id=ACCESS_KEY, s3_secret_access_key=SECRET_KEY)  # fmt: skip
    down = S3BlobStore(bucket, endpoint_url=f"http://127.0.0.1:{free_port()}", region=REGION,
                       access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY, max_attempts=1)  # fmt: skip
    limits: dict[str, Any] = {"timeout": 60, "memory": 3 << 30, "max_pixels": 100_000_000}
    with running_client(settings) as admin:
        services = admin.app.state.services  # type: ignore[attr-defined]
        program = create_pengzhou(admin)
        forms = {"03": stats_docx("03"), "05": stats_docx("05", "彭州市清平小学")}
        sent = admin.post(f"/api/programs/{program}/uploads",
                          files=[("files", (f"{p}.docx", data)) for p, data in forms.items()])  # fmt: skip
        assert sent.status_code == 202, sent.text
        first, second = (u["id"] for u in sent.json())

        assert uploads.claim_next(services.db) == first
        with pytest.raises(BlobStoreUnavailable):
            uploads.process(services.db, down, first, **limits)
        waiting = admin.get(f"/api/uploads/{first}").json()
        assert (waiting["status"], waiting["record_id"], waiting["error"]) == ("received", None, None)
        assert uploads.claim_next(services.db) == first  # taken again …
        assert uploads.process(services.db, services.blobs, first, **limits) == "done"  # … and read, store back
        assert admin.get(f"/api/records/{admin.get(f'/api/uploads/{first}').json()['record_id']}").json()[
            "pair_label"] == "03"  # fmt: skip

        s3.client().delete_object(Bucket=bucket, Key=key_for(hashlib.sha256(forms["05"]).hexdigest()))
        assert uploads.claim_next(services.db) == second
        assert uploads.process(services.db, services.blobs, second, **limits) == "failed"
        upload = admin.get(f"/api/uploads/{second}").json()
        key = key_for(hashlib.sha256(forms["05"]).hexdigest())
        assert upload["error"] == f"文件内容在存储中缺失（{key}）"
        record = admin.get(f"/api/records/{upload['record_id']}").json()
        assert record["status"] == "unreadable"
        assert record["extraction"]["problems"][0]["message"] == f"无法读取：文件内容在存储中缺失（{key}）"
