"""Resource abuse and hygiene (security issue 7): each test performs the attack against the real app —
TestClient over ``create_app``, or real HTTP to ``docgen serve`` — and asserts that it fails cleanly."""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from PIL import Image

import api.services.uploads as uploads_service
from api.scheduling import next_upload
from testkit.forms import stats_docx
from tests.api_fixtures import (
    ADMIN_PASSWORD,
    PENGZHOU,
    TestClient,
    browser_like,
    create_pengzhou,
    login_client,
    make_settings,
    running_client,
    wait_for,
    wait_record,
)
from tests.live_server import docgen_server

ROOT = Path(__file__).resolve().parent.parent


def create_program(client: TestClient) -> int:
    """The 彭州·黑水 program without a roster (when the roster limits of the app are the point of the test)."""
    r = client.post("/api/programs", files={"file": ("program.yaml", (PENGZHOU / "program.yaml").read_bytes())})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def sqlite_settings(tmp_path: Path, **overrides: Any) -> Any:
    data = tmp_path / "data"
    return make_settings(data, f"sqlite:///{data / 'docgen.db'}", **overrides)


# --------------------------------------------------------------------------------------------- 1. rosters


def xlsx_bomb(rows: int = 0, shared_strings: int = 0, *, wide: bool = False) -> bytes:
    """A small xlsx that expands to ``rows`` rows (``wide``: each with a cell in column XFD, 16,384 columns)
    and ``shared_strings`` texts, with a huge ``<dimension>``."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        with z.open("xl/sharedStrings.xml", "w") as f:
            f.write(f'<sst xmlns="{main}">'.encode())
            for _ in range(shared_strings // 1000):
                f.write(b"<si><t>x</t></si>" * 1000)
            f.write(b"</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(f'<worksheet xmlns="{main}"><dimension ref="A1:XFD1048576"/><sheetData>'.encode())
            far = b'<c r="XFD1" t="inlineStr"><is><t>1</t></is></c>' if wide else b""
            row = b'<row><c t="s"><v>0</v></c>' + far + b"</row>"
            for _ in range(rows // 1000):
                f.write(row * 1000)
            f.write(b"</sheetData></worksheet>")
    return out.getvalue()


BOMBS = {
    "rows": {"rows": 900_000, "shared_strings": 1000},
    "columns": {"rows": 300_000, "shared_strings": 1000, "wide": True},
    "shared_strings": {"rows": 1000, "shared_strings": 2_700_000},
}


@pytest.mark.parametrize("bomb", BOMBS)
def test_an_xlsx_bomb_roster_is_refused_quickly_without_growing_the_service(tmp_path: Path, bomb: str) -> None:
    data = xlsx_bomb(**BOMBS[bomb])  # type: ignore[arg-type]
    assert len(data) < 500_000
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sum(i.file_size for i in z.infolist()) > 100 * len(data)
    me = psutil.Process()
    with running_client(sqlite_settings(tmp_path)) as admin:
        program_id = create_pengzhou(admin)
        before = me.memory_info().rss
        started = time.monotonic()
        r = admin.post(f"/api/programs/{program_id}/roster", files={"file": ("花名册.xlsx", data)})
        elapsed = time.monotonic() - started
        grown = me.memory_info().rss - before
        assert r.status_code in (413, 422), r.text
        assert len(r.content) < 100_000
        detail = r.json()["detail"]
        assert "花名册.xlsx" in detail and "拒绝读取" in detail, detail
        assert len(detail) < 300
        assert elapsed < 15, f"{elapsed:.1f} s"
        assert grown < 150 << 20, f"the service grew by {grown >> 20} MiB"
        assert len(admin.get(f"/api/programs/{program_id}/pairs").json()) == 14  # the old roster stands


@pytest.mark.parametrize(
    ("limit", "reason"),
    [({"roster_timeout_seconds": 0.5}, "解析超时"), ({"roster_memory_bytes": 40 << 20}, "")],
)
def test_a_roster_past_the_childs_limits_is_a_clean_422(tmp_path: Path, limit: dict[str, Any], reason: str) -> None:
    """Below every size cap, but past the child's time or memory limit: 422 naming the file, not a crash."""
    data = xlsx_bomb(rows=40_000, shared_strings=1000)
    with running_client(sqlite_settings(tmp_path, **limit)) as admin:
        program_id = create_program(admin)
        r = admin.post(f"/api/programs/{program_id}/roster", files={"file": ("大表.xlsx", data)})
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        assert detail.startswith("大表.xlsx：无法读取花名册（") and reason in detail, detail


def test_a_roster_with_5000_bad_rows_lists_the_first_200_errors_and_the_count(tmp_path: Path) -> None:
    rows = "".join(f"彭州市甲{i}小学,彭州市甲{i}小学,13800000000\n" for i in range(5000))
    bad = ("支援学校,受援学校,联系电话\n" + rows).encode()
    with running_client(sqlite_settings(tmp_path)) as admin:
        program_id = create_pengzhou(admin)
        r = admin.post(f"/api/programs/{program_id}/roster", files={"file": ("roster.csv", bad)})
        assert r.status_code == 422
        body = r.json()
        assert body["error_count"] == 5000
        assert len(body["errors"]) == 200
        assert body["detail"] == "花名册有 5000 处错误，未导入（列出前 200 处）"
        assert [e["row"] for e in body["errors"]] == list(range(2, 202))
        assert len(r.content) < 100_000


def test_a_good_roster_still_imports_through_the_child(tmp_path: Path) -> None:
    with running_client(sqlite_settings(tmp_path)) as admin:
        program_id = create_pengzhou(admin)
        r = admin.post(
            f"/api/programs/{program_id}/roster",
            files={"file": ("roster.xlsx", (PENGZHOU / "roster.xlsx").read_bytes())},
        )
        assert r.status_code == 200, r.text
        pairs = r.json()["pairs"]
        assert len(pairs) == 14 and pairs[2]["label"] == "03" and pairs[2]["supporting"][0] == "彭州市西郊小学"


# ---------------------------------------------------------------------------------------------- 2. crops


def big_jpeg(width: int = 6000, height: int = 8000) -> bytes:
    """A 48-megapixel photo that compresses to little (a gradient): ≈ 144 MB once decoded."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=50)
    return out.getvalue()


def test_a_crop_box_larger_than_the_pixel_cap_is_422(tmp_path: Path) -> None:
    png = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(png, "PNG")
    with running_client(sqlite_settings(tmp_path, start_worker=False)) as admin:
        program_id = create_pengzhou(admin)
        r = admin.post(f"/api/programs/{program_id}/uploads", files=[("files", ("scan.png", png.getvalue()))])
        upload_id = r.json()[0]["id"]
        huge = admin.get(f"/api/uploads/{upload_id}/crop", params={"x0": 0, "y0": 0, "x1": 1e6, "y1": 1e6})
        assert huge.status_code == 422
        assert "裁剪区域过大" in huge.json()["detail"]
        ok = admin.get(f"/api/uploads/{upload_id}/crop", params={"x0": 10, "y0": 10, "x1": 110, "y1": 60})
        assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"
        again = admin.get(f"/api/uploads/{upload_id}/crop", params={"x0": 10, "y0": 10, "x1": 110, "y1": 60})
        assert again.content == ok.content  # (from the cache)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """``docgen serve`` on a free port with a fresh data dir (default limits)."""
    data = tmp_path / "data"
    env = {"DOCGEN_ADMIN_USERNAME": "admin", "DOCGEN_ADMIN_PASSWORD": ADMIN_PASSWORD}
    with docgen_server(data, env) as server:
        base, proc = server.base, server.proc
        yield base, proc, data


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a child that ended meanwhile
            total += p.memory_info().rss
    return total


def test_eight_concurrent_crops_of_a_big_photo_stay_bounded(served: tuple[str, Any, Path]) -> None:
    base, proc, _ = served
    with browser_like(httpx.Client(base_url=base, timeout=120)) as http:
        assert http.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}).status_code == 200
        program = http.post("/api/programs", files={"file": ("program.yaml", (PENGZHOU / "program.yaml").read_bytes())})
        program_id = program.json()["id"]
        r = http.post(f"/api/programs/{program_id}/uploads", files=[("files", ("photo.jpg", big_jpeg()))])
        assert r.status_code == 202, r.text
        upload_id = r.json()[0]["id"]
        wait_for(lambda: http.get(f"/api/uploads/{upload_id}").json()["status"] in ("done", "failed"), 180, "OCR")
        cookies = dict(http.cookies)
    server = psutil.Process(proc.pid)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(server))
            time.sleep(0.05)

    results: list[int] = []

    def one(i: int) -> None:
        with httpx.Client(base_url=base, timeout=120, cookies=cookies) as c:
            box = {"x0": 100 + i, "y0": 100, "x1": 900 + i, "y1": 700, "page": 1}  # different boxes: no cache hits
            results.append(c.get(f"/api/uploads/{upload_id}/crop", params=box).status_code)

    sampler = threading.Thread(target=sample)
    sampler.start()
    baseline = _tree_rss(server)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    sampler.join()
    grown = peak - baseline
    print(f"crops: {sorted(results)}; server + children grew by {grown >> 20} MiB (peak {peak >> 20} MiB)")
    assert len(results) == 8 and set(results) <= {200, 503}, results
    assert results.count(200) >= 2, results  # two render at once, four more may wait
    assert results.count(503) >= 1, results  # eight at once: the queue is full for some
    # each crop child decodes ≈ 144 MB (+ its copies); 8 at once took 3.9 GiB before the gate
    assert grown < 1536 << 20, f"server + children grew by {grown >> 20} MiB (peak {peak >> 20} MiB)"


# ------------------------------------------------------------------------------------ 3. fair extraction


def test_next_upload_is_the_oldest_of_the_uploader_served_least_recently() -> None:
    t = datetime(2026, 11, 30, 9, 0)
    queued = [(11, "a"), (12, "a"), (13, "a"), (20, "b")]
    assert next_upload(queued, {"a": t}) == 20  # b was never served
    assert next_upload(queued, {"a": t, "b": t.replace(minute=5)}) == 11  # a waited longer
    assert next_upload(queued, {}) == 11  # nobody served yet: the older head
    assert next_upload([], {"a": t}) is None


def test_one_users_slow_files_do_not_hold_up_another_users_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A queues 5 files that each take the whole time limit; B's form, uploaded after, is read second."""
    order: list[str] = []
    real = uploads_service.run_child

    def slow_reader(mode: str, data: bytes, name: str, *args: Any, **kwargs: Any) -> bytes:
        order.append(name)
        if name.startswith("慢"):
            time.sleep(1.0)  # a file that runs to the time limit
        return real(mode, data, name, *args, **kwargs)

    monkeypatch.setattr(uploads_service, "run_child", slow_reader)
    with running_client(sqlite_settings(tmp_path)) as admin:
        program_id = create_pengzhou(admin)
        r = admin.post(
            "/api/users",
            json={"username": "school-b", "password": "orchid-lantern-73", "role": "school",
                  "school_name": "彭州市西郊小学", "programs": [program_id]},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        b = login_client(admin, "school-b", "orchid-lantern-73")
        slow = [("files", (f"慢{i}.docx", stats_docx("01", activities=(f"活动{i}",)))) for i in range(5)]
        assert admin.post(f"/api/programs/{program_id}/uploads", files=slow).status_code == 202
        wait_for(lambda: order, 30, "the first slow file to be taken")
        r = b.post(f"/api/programs/{program_id}/uploads", files=[("files", ("西郊统计表.docx", stats_docx("03")))])
        assert r.status_code == 202, r.text
        record = wait_record(b, r.json()[0]["id"], timeout=60)
        assert record["pair_label"] == "03"
        assert order.index("西郊统计表.docx") <= 1, order  # right after the slow file being read
        wait_for(lambda: len(order) == 6, 60, "every file read")


def test_a_users_queue_is_capped_with_429(tmp_path: Path) -> None:
    with running_client(sqlite_settings(tmp_path, start_worker=False, max_queued_uploads_per_user=3)) as admin:
        program_id = create_pengzhou(admin)
        files = [("files", (f"表{i}.docx", stats_docx("01", activities=(f"活动{i}",)))) for i in range(5)]
        r = admin.post(f"/api/programs/{program_id}/uploads", files=files)
        assert r.status_code == 202
        body = r.json()
        assert [e["status"] for e in body] == ["received"] * 3 + ["rejected"] * 2
        assert body[3]["error"] == "表3.docx：您排队等待识别的文件已达上限 3 个，请等已上传的文件识别完成后再上传"
        more = admin.post(f"/api/programs/{program_id}/uploads", files=[("files", ("再一个.docx", stats_docx("02")))])
        assert more.status_code == 429 and more.headers["Retry-After"] == "5"  # a client knows when to send it again
        assert "已达上限 3 个" in more.json()["detail"]
        dup = admin.post(f"/api/programs/{program_id}/uploads", files=[files[0]])  # a duplicate takes no room
        assert dup.status_code == 202 and dup.json()[0]["duplicate"] is True


# ------------------------------------------------------------------------------------ 4. input validation

BAD_IDS = ["99999999999999999999999", "9223372036854775808", "1e20", "-1", "0", "1.5", "NaN", "%ED%A0%80"]


def _every_route(client: TestClient) -> list[tuple[str, str]]:
    """(method, path template) of every API route, from the OpenAPI document."""
    paths: dict[str, dict[str, Any]] = client.get("/openapi.json").json()["paths"]
    routes = [(method.upper(), path) for path, ops in paths.items() for method in ops]
    assert len(routes) > 20
    return routes


def test_bad_ids_on_every_route_are_4xx(tmp_path: Path) -> None:
    with running_client(sqlite_settings(tmp_path, start_worker=False)) as admin:
        create_pengzhou(admin)
        checked = 0
        for method, path in _every_route(admin):
            if "{" not in path:
                continue
            for bad in BAD_IDS:
                url = path.replace("{", "").replace("}", "")
                for name in [p.split("}")[0] for p in path.split("{")[1:]]:
                    url = url.replace(name, bad)
                r = admin.request(method, url, params={"x0": 0, "y0": 0, "x1": 1, "y1": 1})
                assert r.status_code < 500, (method, url, r.status_code, r.text[:300])
                checked += 1
        big = admin.get("/api/records/99999999999999999999999")
        assert big.status_code == 422
        assert admin.get("/api/records", params={"program": "99999999999999999999999"}).status_code == 422
        assert admin.get("/api/uploads", params={"program": "-5"}).status_code == 422
        assert checked > 100


def test_hostile_json_bodies_are_4xx(tmp_path: Path) -> None:
    with running_client(sqlite_settings(tmp_path, start_worker=False)) as admin:
        create_pengzhou(admin)
        deep = b"[" * 100_000 + b"]" * 100_000
        surrogate = b'{"yaml": "\\ud800", "path": "fields/\\ud800", "value": "\\udfff", "pdf": false, "name": "x"}'
        long = json.dumps({"yaml": "x" * 2_000_000, "path": "p" * 100_000, "value": "v" * 100_000}).encode()
        for method, path in _every_route(admin):
            if method not in ("POST", "PATCH", "PUT") or path == "/api/auth/logout":
                continue
            url = path.replace("{program_id}", "1").replace("{record_id}", "1").replace("{document_id}", "1")
            url = url.replace("{job_id}", "1")
            for body in (deep, surrogate, long, b'{"yaml": ' * 50_000):
                r = admin.request(method, url, content=body, headers={"content-type": "application/json"})
                assert r.status_code < 500, (method, url, body[:30], r.status_code, r.text[:300])
        r = admin.post("/api/programs", content=surrogate, headers={"content-type": "application/json"})
        assert r.status_code == 422
        yaml_deep = json.dumps({"yaml": "a: " + "[" * 50_000}).encode()
        r = admin.post("/api/programs", content=yaml_deep, headers={"content-type": "application/json"})
        assert 400 <= r.status_code < 500, r.text[:300]


def test_surrogates_and_long_text_in_query_and_multipart_are_4xx(tmp_path: Path) -> None:
    with running_client(sqlite_settings(tmp_path, start_worker=False)) as admin:
        program_id = create_pengzhou(admin)
        for path in ("/api/records", f"/api/programs/{program_id}/documents", "/api/audit"):
            for value in ("%ED%A0%80", "%F0%28%8C%28", "长" * 1000):
                r = admin.get(f"{path}?pair={value}&form={value}&action={value}")
                assert r.status_code < 500, (path, r.status_code, r.text[:200])
        assert admin.get("/api/records", params={"pair": "长" * 1000}).status_code == 422
        raw_name = "表\udcff.docx".encode("utf-8", "surrogateescape")
        boundary = "XyZ"
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"".encode()
            + raw_name
            + b"\"; filename*=UTF-8''%ED%A0%80.docx\r\nContent-Type: application/octet-stream\r\n\r\n"
            + stats_docx("03")
            + f"\r\n--{boundary}--\r\n".encode()
        )
        r = admin.post(
            f"/api/programs/{program_id}/uploads",
            content=body,
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
        assert r.status_code < 500, r.text[:300]
        listed = admin.get("/api/uploads", params={"program": program_id})
        assert listed.status_code == 200
        for u in listed.json():
            u["original_name"].encode("utf-8")  # stored and sent back as valid UTF-8


# ---------------------------------------------------------------------------------------------- 5. hygiene


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_dir_and_its_files_are_private(tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path, start_worker=False, secret_key="")
    data = settings.data_dir
    with running_client(settings) as admin:
        program_id = create_pengzhou(admin)
        r = admin.post(f"/api/programs/{program_id}/uploads", files=[("files", ("表.docx", stats_docx("03")))])
        assert r.status_code == 202
        assert _mode(data) == 0o700
        assert _mode(data / "docgen.db") == 0o600
        assert _mode(data / "secret") == 0o600
        blobs = [p for p in (data / "blobs").rglob("*") if p.is_file()]
        assert blobs and all(_mode(p) == 0o600 for p in blobs), [oct(_mode(p)) for p in blobs]
        assert all(_mode(p) == 0o700 for p in (data / "blobs").rglob("*") if p.is_dir())
        scratch = list((data / "tmp").iterdir())
        assert len(scratch) == 1 and scratch[0].name.startswith(f"{os.getpid()}-") and _mode(scratch[0]) == 0o700
    assert not scratch[0].exists()  # removed at shutdown


def test_an_existing_world_readable_data_dir_is_tightened_at_start(tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path, start_worker=False, secret_key="")
    data = settings.data_dir
    with running_client(settings):
        pass
    data.chmod(0o755)
    (data / "docgen.db").chmod(0o644)
    (data / "secret").chmod(0o644)
    with running_client(settings):
        assert _mode(data) == 0o700 and _mode(data / "docgen.db") == 0o600 and _mode(data / "secret") == 0o600


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_scratch_files_of_a_killed_process_are_removed_at_the_next_start(tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path, start_worker=False)
    data = settings.data_dir
    with running_client(settings) as admin:
        program_id = create_pengzhou(admin)
        r = admin.post(f"/api/programs/{program_id}/uploads", files=[("files", ("表.docx", stats_docx("03")))])
        assert r.status_code == 202
    real_blobs = sorted(p for p in (data / "blobs").rglob("*") if p.is_file())
    dead = _dead_pid()
    # what `kill -9` during a batch leaves: a partial ZIP, a LibreOffice profile, a half-written blob
    left = data / "tmp" / f"{dead}-k1ll3d"
    (left / "docgen-zip-x").mkdir(parents=True)
    (left / "docgen-zip-x" / "pengzhou.zip").write_bytes(b"PK\x03\x04" + b"\0" * 100_000)
    (left / "docgen-pdf-y" / "profile" / "user").mkdir(parents=True)
    (left / "docgen-pdf-y" / "profile" / "user" / "registrymodifications.xcu").write_text("<x/>")
    part = real_blobs[0].parent / f".part-{dead}-abc"
    part.write_bytes(b"half")
    live = data / "tmp" / f"{os.getppid()}-still-running"  # a live process's scratch is not touched
    live.mkdir()
    with running_client(settings) as admin:
        assert not left.exists()
        assert not part.exists()
        assert live.exists()
        assert sorted(p for p in (data / "blobs").rglob("*") if p.is_file()) == real_blobs
        assert len(admin.get(f"/api/programs/{program_id}/pairs").json()) == 14  # the database is intact


def test_sandbox_children_keep_onnxruntime_cache_in_the_data_dir(tmp_path: Path) -> None:
    from api.sandbox import _CHILD_ENV

    settings = sqlite_settings(tmp_path, start_worker=False)
    with running_client(settings):
        assert _CHILD_ENV["XDG_CACHE_HOME"] == str(settings.data_dir / "cache")
        assert _mode(settings.data_dir / "cache") == 0o700
