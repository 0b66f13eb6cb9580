"""The HTTP service end to end: real requests through the app, on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest
import uvicorn
from openpyxl import load_workbook
from pypdf import PdfReader

from api.app import create_app
from api.settings import Settings
from testkit.docx_text import docx_text
from testkit.forms import PENGZHOU, stats_docx
from tests.api_fixtures import (
    ADMIN_PASSWORD,
    TestClient,
    admin,
    blob_count,
    browser_like,
    create_pengzhou,
    database_url,
    encrypted_pdf,
    login_client,
    make_settings,
    pdf_of,
    running_client,
    settings,
    wait_batch,
    wait_for,
    wait_record,
    zip_of,
)

__all__ = ["admin", "database_url", "settings"]  # fixtures used by name


def test_login_sets_an_http_only_cookie_and_a_token_works_without_it(admin: TestClient) -> None:
    r = admin.post("/api/auth/login", json={"username": "admin", "password": "wrong-password"})
    assert r.status_code == 401 and "密码" in r.json()["detail"]
    login = admin.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert "httponly" in login.headers["set-cookie"].lower()
    assert admin.get("/api/me").json()["role"] == "admin"
    token = admin.post("/api/tokens", json={"name": "script"}).json()["token"]
    bare = TestClient(admin.app)
    assert bare.get("/api/me").status_code == 401
    me = bare.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "admin"
    admin.post("/api/auth/logout")
    assert admin.get("/api/me").status_code == 401


def test_readonly_user_can_read_but_not_write(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    r = admin.post(
        "/api/users",
        json={"username": "viewer", "password": "glass-orchid-58", "role": "readonly", "programs": [program_id]},
    )
    assert r.status_code == 201, r.text
    viewer = login_client(admin, "viewer", "glass-orchid-58")
    assert viewer.get(f"/api/programs/{program_id}/pairs").status_code == 200
    assert viewer.post("/api/programs", json={"yaml": "key: x"}).status_code == 403
    assert viewer.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).status_code == 403
    assert viewer.post("/api/users", json={"username": "x", "password": "12345678", "role": "admin"}).status_code == 403
    assert viewer.get("/api/audit").status_code == 403


def test_pengzhou_roster_gives_14_pairs_with_the_inherited_prefix(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    pairs = admin.get(f"/api/programs/{program_id}/pairs").json()
    assert len(pairs) == 14
    assert pairs[2]["supporting"] == ["彭州市西郊小学", "彭州市九尺镇小学"]
    assert admin.get(f"/api/programs/{program_id}").json()["pairs"] == 14


def test_a_roster_with_errors_is_refused_with_every_row_named_when_strict(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    bad = "支援学校,受援学校,联系电话\n彭州市甲小学,彭州市甲小学,13800000000\n彭州市乙小学,黑水县丙小学,12345\n"
    r = admin.post(
        f"/api/programs/{program_id}/roster", files={"file": ("roster.csv", bad.encode())}, params={"strict": "true"}
    )
    assert r.status_code == 422
    body = r.json()
    assert "未导入" in body["detail"]
    rows = {e["row"] for e in body["errors"]}
    assert rows == {2, 3}, body
    assert all(e["source"] == "roster.csv" for e in body["errors"])
    assert len(admin.get(f"/api/programs/{program_id}/pairs").json()) == 14  # the old roster stands


def test_docx_batch_runs_to_done_and_the_zip_holds_every_agreement(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    r = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False})
    assert r.status_code == 202
    job = wait_batch(admin, r.json()["id"])
    assert job["status"] == "done", job.get("error")
    archive = admin.get(f"/api/batches/{job['id']}/download")
    assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert {m["format"] for m in manifest} == {"docx"}
        # 14 agreements, 备案表 + 统计表 per pair, a 回执 per school (29 schools): as `docgen generate`
        assert len([m for m in manifest if m["kind"] == "party_building"]) == 14
        assert len(manifest) == 14 + 2 * 14 + 2 + 29  # + 2: group 03 (2:1) files per supporting school
        assert len({m["file"] for m in manifest}) == len(manifest)
        third = next(m for m in manifest if m["pair"] == "03" and m["kind"] == "party_building")
        text = docx_text(zf.read(third["file"]))
    # seed 000 names no party organisation, and they sign this agreement: blanks and a draft naming each school
    assert "甲方：____________、____________" in text and "党组织：\n彭州市西郊小学党组织" not in text
    assert third["draft"] is True
    named = [r.split("”")[0] for r in third["draft_reasons"]]
    assert named == ["“彭州市西郊小学", "“彭州市九尺镇小学", "“黑水县芦花完全小学校"]
    docs = admin.get(f"/api/programs/{program_id}/documents", params={"pair": "03"}).json()
    assert sorted(d["kind"] for d in docs) == [
        # 03 is 2:1: each supporting school files its own 统计表 and 备案表; every school its 回执
        "form:activity_stats#1", "form:activity_stats#2", "form:filing#1", "form:filing#2",
        "form:liaison_reply#1", "form:liaison_reply#2", "form:liaison_reply#3", "party_building",
    ]
    reply = next(d for d in docs if d["kind"] == "form:liaison_reply#3")
    assert "黑水县芦花完全小学校" in docx_text(admin.get(f"/api/documents/{reply['id']}/download").content)
    again = admin.post(f"/api/documents/{reply['id']}/regenerate")
    assert again.status_code == 200, again.text
    docs = [d for d in docs if d["kind"] == "party_building"]
    assert "“黑水县芦花完全小学校”没有党组织名称" in docs[0]["draft_reasons"]
    regenerated = admin.post(f"/api/documents/{docs[0]['id']}/regenerate")
    assert regenerated.status_code == 200 and regenerated.json()[0]["sha256"] == docs[0]["sha256"]


def test_a_batch_that_crashes_outside_the_batch_ends_failed_not_running(
    admin: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.services import batches

    def broken_store(*_: object, **__: object) -> None:
        raise OSError("blob store unreachable")

    program_id = create_pengzhou(admin)
    monkeypatch.setattr(batches.StorageSink, "__init__", broken_store)
    r = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False})
    job = wait_batch(admin, r.json()["id"], timeout=30)
    assert job["status"] == "failed" and "blob store unreachable" in (job["error"] or "")
    monkeypatch.undo()
    again = wait_batch(admin, admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()["id"])
    assert again["status"] == "done"  # the worker thread lived on


@pytest.mark.slow  # two app lifetimes with a worker each
def test_a_queued_job_survives_a_restart_and_completes(tmp_path: Path, database_url: str) -> None:
    data = tmp_path / "data"
    with running_client(make_settings(data, database_url, start_worker=False)) as first:
        program_id = create_pengzhou(first)
        job_id = first.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()["id"]
        time.sleep(0.3)
        assert first.get(f"/api/batches/{job_id}").json()["status"] == "queued"
        assert first.get(f"/api/batches/{job_id}/download").status_code == 409
    with running_client(make_settings(data, database_url)) as second:
        job = wait_batch(second, job_id)
        assert job["status"] == "done" and job["done"] == 14 + 2 * 14 + 2 + 29
        assert second.get(f"/api/batches/{job_id}/download").status_code == 200


def test_a_cancelled_job_never_runs(tmp_path: Path, database_url: str) -> None:
    data = tmp_path / "data"
    with running_client(make_settings(data, database_url, start_worker=False)) as first:
        program_id = create_pengzhou(first)
        job_id = first.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()["id"]
        r = first.post(f"/api/batches/{job_id}/cancel")
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
        assert first.post(f"/api/batches/{job_id}/cancel").status_code == 409
    with running_client(make_settings(data, database_url)) as second:
        time.sleep(0.5)
        assert second.get(f"/api/batches/{job_id}").json()["status"] == "cancelled"
        assert second.get(f"/api/programs/{program_id}/documents").json() == []


def test_returned_forms_are_read_corrected_exported_and_regenerated(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    form = stats_docx("03", activities=("送教下乡", "同课异构"))
    r = admin.post(f"/api/programs/{program_id}/uploads", files=[("files", ("../../etc/统计表.docx", form))])
    assert r.status_code == 202, r.text
    [entry] = r.json()
    assert entry["duplicate"] is False and entry["name"] == "统计表.docx"
    record = wait_record(admin, entry["id"])
    assert (record["pair_label"], record["form"], record["status"]) == ("03", "activity_stats", "complete")
    assert record["extraction"]["tables"][0]["rows"][1][1] == "同课异构"

    again = admin.post(f"/api/programs/{program_id}/uploads", files=[("files", ("copy.docx", form))]).json()
    assert again[0]["id"] == entry["id"] and again[0]["duplicate"] is True

    archive = zip_of(
        {
            "a/05.docx": stats_docx("05", "彭州市清平小学"),
            "06.docx": stats_docx("06", "彭州市濛阳七一竹瓦九年制学校"),
            "__MACOSX/._06.docx": b"junk",
        }
    )
    r = admin.post(f"/api/programs/{program_id}/uploads", files=[("files", ("回传.zip", archive))])
    assert r.status_code == 202
    members = r.json()
    assert [m["name"] for m in members] == ["05.docx", "06.docx"] and all(m["archive"] == "回传.zip" for m in members)
    for m in members:
        wait_record(admin, m["id"])

    listed = admin.get("/api/records", params={"program": program_id}).json()
    assert len(listed) == 3
    only = admin.get("/api/records", params={"program": program_id, "pair": "05", "form": "activity_stats"}).json()
    assert len(only) == 1 and only[0]["pair_label"] == "05"

    patched = admin.patch(f"/api/records/{record['id']}", json={"path": "tables/0/rows/1/6", "value": "300人次"})
    assert patched.status_code == 200, patched.text
    cell = patched.json()["extraction"]["tables"][0]["values"][1][6]
    assert cell["value"] == "300人次" and cell["normalized"]["amount"] == 300 and "corrected" in cell["flags"]
    [correction] = admin.get(f"/api/records/{record['id']}/corrections").json()
    assert (correction["old_value"], correction["new_value"], correction["username"]) == ("120人次", "300人次", "admin")
    audit = admin.get("/api/audit", params={"action": "record.correct"}).json()
    assert audit[0]["detail"]["old"] == "120人次" and audit[0]["target"] == f"record:{record['id']}"
    bad_path = admin.patch(f"/api/records/{record['id']}", json={"path": "tables/9/rows/0/0", "value": "x"})
    assert bad_path.status_code == 404

    rows = list(
        csv.reader(
            io.StringIO(
                admin.get(f"/api/programs/{program_id}/records/export", params={"format": "csv"}).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert "活动名称" in rows[0] and "300人次" in [c for row in rows for c in row] and len(rows) == 1 + 4
    sheet = load_workbook(
        io.BytesIO(admin.get(f"/api/programs/{program_id}/records/export", params={"format": "xlsx"}).content)
    ).active
    assert sheet.max_row == 5 and "同课异构" in [c.value for row in sheet.iter_rows() for c in row]

    document = admin.get(f"/api/records/{record['id']}/document", params={"format": "docx"})
    assert document.status_code == 200
    text = docx_text(document.content)
    assert "300人次" in text and "同课异构" in text and "彭州市西郊小学" in text

    ledger = load_workbook(
        io.BytesIO(
            admin.get(f"/api/programs/{program_id}/ledger", params={"format": "xlsx", "as_of": "2019-12-31"}).content
        )
    ).active
    by_pair = {row[0]: row for row in ledger.iter_rows(min_row=3, values_only=True)}
    assert len(by_pair) == 14
    assert by_pair["03"][3:6] == (1, 2, "2019年4月12日")
    # one column per task (签订学校党建共建协议书 first): pair 01 returned nothing, 03 returned a form
    assert by_pair["01"][6] == "逾期" and by_pair["03"][6] == "已完成"
    ledger_docx = admin.get(f"/api/programs/{program_id}/ledger", params={"format": "docx"})
    assert "黑水县芦花完全小学校" in docx_text(ledger_docx.content)


def test_a_correction_typed_as_the_school_wrote_it_completes_the_record(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    form = stats_docx("04", activities=("送教下乡", "同课异构"), dates=("4月中旬",))
    [entry] = admin.post(f"/api/programs/{program_id}/uploads", files=[("files", ("统计表.docx", form))]).json()
    record = wait_record(admin, entry["id"])
    assert (record["status"], record["review_threshold"]) == ("needs_review", 0.9)
    [problem] = record["extraction"]["problems"]
    assert (problem["key"], problem["field"], problem["row"]) == ("when", "活动时间", 1)
    assert record["extraction"]["tables"][0]["keys"][3] == "when"
    assert record["extraction"]["fields"]["unit"]["label"] == "填报单位"

    url = f"/api/records/{record['id']}"
    r = admin.patch(url, json={"path": "tables/0/rows/0/3", "value": "2019年4月中旬"})
    assert r.status_code == 200, r.text
    done = r.json()
    cell = done["extraction"]["tables"][0]["values"][0][3]
    assert cell["normalized"] == {"year": 2019, "month": 4} and cell["confidence"] == 1.0
    assert "corrected" in cell["flags"]
    assert (done["status"], done["extraction"]["status"]) == ("complete", "complete")
    assert done["extraction"]["problems"] == []
    assert admin.get("/api/records", params={"program": program_id, "status": "complete"}).json()[0]["id"] == done["id"]

    # an invalid value stays flagged, with the reason; a field is named by its key (or its label)
    bad = admin.patch(url, json={"path": "tables/0/rows/1/3", "value": "2019.2.30"}).json()
    assert bad["status"] == "needs_review"
    [problem] = bad["extraction"]["problems"]
    assert problem["message"] == "第2行「活动时间」：日期无效（“2019.2.30”，修改后仍无效）"
    unit = admin.patch(url, json={"path": "fields/unit", "value": "彭州市 西郊小学"}).json()
    assert unit["extraction"]["fields"]["unit"]["normalized"] == "彭州市西郊小学"
    by_label = admin.patch(url, json={"path": "fields/填报单位", "value": "彭州市西郊小学"})
    assert by_label.status_code == 200 and len(admin.get(f"{url}/corrections").json()) == 4
    missing = admin.patch(url, json={"path": "fields/不存在", "value": "x"})
    assert missing.status_code == 404 and "不存在" in missing.json()["detail"]
    bad_path = admin.patch(url, json={"path": "tables/0/x", "value": "x"})
    assert bad_path.status_code == 422 and "tables/0/x" in bad_path.json()["detail"]


def test_the_review_threshold_setting_reaches_the_reading_and_the_record(tmp_path: Path, database_url: str) -> None:
    with running_client(make_settings(tmp_path / "data", database_url, review_threshold=0.8)) as client:
        program_id = create_pengzhou(client)
        form = stats_docx("05", dates=("19.4.23",))  # a two-digit year: 0.85 sure
        [entry] = client.post(f"/api/programs/{program_id}/uploads", files=[("files", ("统计表.docx", form))]).json()
        record = wait_record(client, entry["id"])
        cell = record["extraction"]["tables"][0]["values"][0][3]
        assert cell["confidence"] == 0.85 and "two_digit_year" in cell["flags"]
        assert (record["status"], record["review_threshold"]) == ("complete", 0.8)


def test_hostile_uploads_get_clear_errors_and_store_nothing(tmp_path: Path, database_url: str) -> None:
    with running_client(make_settings(tmp_path / "data", database_url, max_upload_bytes=200_000)) as client:
        program_id = create_pengzhou(client)
        url = f"/api/programs/{program_id}/uploads"
        exe = client.post(url, files=[("files", ("统计表.pdf", b"MZ\x90\x00" + b"\x00" * 500))])
        assert exe.status_code == 415 and "统计表.pdf" in exe.json()["detail"] and "可执行" in exe.json()["detail"]
        big = client.post(url, files=[("files", ("big.pdf", b"%PDF-1.7\n" + b"0" * 300_000))])
        assert big.status_code == 413 and "big.pdf" in big.json()["detail"]
        bomb = zip_of({"a.docx": b"\x00" * 150_000_000})
        r = client.post(url, files=[("files", ("bomb.zip", bomb))])
        assert r.status_code == 422 and "bomb.zip" in r.json()["detail"]
        encrypted = client.post(url, files=[("files", ("x.pdf", b"%PDF-1.4\n1 0 obj<</Encrypt 2 0 R>>endobj\n%%EOF"))])
        assert encrypted.status_code == 202
        record = wait_record(client, encrypted.json()[0]["id"])
        assert record["status"] == "unreadable" and record["extraction"]["problems"][0]["message"]
        uploads = client.get("/api/uploads", params={"program": program_id}).json()
        assert {u["original_name"] for u in uploads} == {"x.pdf"}  # nothing of the refused files, the bomb included
        assert blob_count(tmp_path / "data") == 1


@pytest.mark.slow
def test_a_real_password_protected_pdf_is_recorded_unreadable_as_encrypted(tmp_path: Path, database_url: str) -> None:
    plain = pdf_of(stats_docx("03"))  # LibreOffice's PDF of a typed 统计表: one page, a text layer
    assert len(PdfReader(io.BytesIO(plain)).pages) == 1
    locked = encrypted_pdf(plain, "secret")
    assert PdfReader(io.BytesIO(locked)).is_encrypted
    with running_client(make_settings(tmp_path / "data", database_url)) as client:
        program_id = create_pengzhou(client)
        r = client.post(f"/api/programs/{program_id}/uploads", files=[("files", ("加密统计表.pdf", locked))])
        assert r.status_code == 202, r.text
        record = wait_record(client, r.json()[0]["id"])
        assert record["status"] == "unreadable"
        assert [p["message"] for p in record["extraction"]["problems"]] == ["PDF 已加密（需要密码）"]
        assert client.get(f"/api/uploads/{r.json()[0]['id']}").json()["status"] == "done"


def test_one_bad_file_does_not_refuse_the_good_ones_sent_with_it(tmp_path: Path, database_url: str) -> None:
    data = tmp_path / "data"
    with running_client(make_settings(data, database_url, max_upload_bytes=200_000)) as client:
        program_id = create_pengzhou(client)
        url = f"/api/programs/{program_id}/uploads"
        first, second = stats_docx("03"), stats_docx("05", "彭州市清平小学")
        sent = [
            ("03.docx", first),
            ("统计表.pdf", b"MZ\x90\x00" + b"\x00" * 500),
            ("big.pdf", b"%PDF-1.7\n" + b"0" * 300_000),
            ("bomb.zip", zip_of({"a.docx": b"\x00" * 150_000_000})),
            ("05.docx", second),
            ("copy.docx", first),
        ]
        r = client.post(url, files=[("files", f) for f in sent])
        assert r.status_code == 202, r.text
        body = r.json()
        assert [e["name"] for e in body] == [name for name, _ in sent]
        assert [e["status"] for e in body[1:4]] == ["rejected"] * 3
        assert all(e["id"] is None and e["sha256"] is None for e in body[1:4])
        assert "统计表.pdf" in body[1]["error"] and "可执行" in body[1]["error"]
        assert "big.pdf" in body[2]["error"] and "超过上限" in body[2]["error"]
        assert "bomb.zip" in body[3]["error"] and "压缩炸弹" in body[3]["error"]
        assert body[0]["duplicate"] is False and body[4]["duplicate"] is False and body[0]["id"] != body[4]["id"]
        assert body[5]["duplicate"] is True and body[5]["id"] == body[0]["id"]
        pairs = {wait_record(client, body[i]["id"])["pair_label"] for i in (0, 4)}
        assert pairs == {"03", "05"}
        uploads = client.get("/api/uploads", params={"program": program_id}).json()
        assert sorted(u["original_name"] for u in uploads) == ["03.docx", "05.docx"]
        assert blob_count(data) == 2
        assert len(client.get("/api/audit", params={"action": "upload.create"}).json()) == 2

        # none accepted: the per-file reasons, 415 when every file is of a refused type, 422 when reasons differ
        two_bad = client.post(url, files=[("files", sent[1]), ("files", ("x.exe.docx", b"\x7fELF" + b"\x00" * 40))])
        assert two_bad.status_code == 415
        assert [e["status"] for e in two_bad.json()["files"]] == ["rejected", "rejected"]
        assert "统计表.pdf" in two_bad.json()["detail"] and "x.exe.docx" in two_bad.json()["detail"]
        mixed = client.post(url, files=[("files", sent[1]), ("files", sent[2])])
        assert mixed.status_code == 422 and "2 个文件都未接收" in mixed.json()["detail"]
        assert [e["name"] for e in mixed.json()["files"]] == ["统计表.pdf", "big.pdf"]
        useless = client.post(url, files=[("files", ("回传.zip", zip_of({"说明.txt": "请查收".encode()})))])
        assert useless.status_code == 422
        assert "回传.zip" in useless.json()["detail"] and "说明.txt" in useless.json()["detail"]
        assert len(client.get("/api/uploads", params={"program": program_id}).json()) == 2
        assert blob_count(data) == 2


def test_a_school_user_sees_only_its_own_pairs(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    r = admin.post(
        "/api/users",
        json={
            "username": "xijiao",
            "password": "school-pass",
            "role": "school",
            "school_name": "彭州市西郊小学",
            "programs": [program_id],
        },
    )
    assert r.status_code == 201, r.text
    ours = admin.post(f"/api/programs/{program_id}/uploads", files=[("files", ("03.docx", stats_docx("03")))]).json()
    theirs = admin.post(
        f"/api/programs/{program_id}/uploads", files=[("files", ("07.docx", stats_docx("07", "彭州市通济镇蓝天小学")))]
    ).json()
    ours_record, theirs_record = wait_record(admin, ours[0]["id"]), wait_record(admin, theirs[0]["id"])
    job = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()
    wait_batch(admin, job["id"])
    other_doc = admin.get(f"/api/programs/{program_id}/documents", params={"pair": "07"}).json()[0]

    school = login_client(admin, "xijiao", "school-pass")
    assert [p["label"] for p in school.get(f"/api/programs/{program_id}/pairs").json()] == ["03"]
    assert [r["id"] for r in school.get("/api/records").json()] == [ours_record["id"]]
    assert school.get(f"/api/records/{ours_record['id']}").status_code == 200
    assert school.get(f"/api/records/{theirs_record['id']}").status_code == 404
    assert (
        school.patch(f"/api/records/{theirs_record['id']}", json={"path": "fields/填报单位", "value": "x"}).status_code
        == 404
    )
    assert school.get(f"/api/uploads/{theirs[0]['id']}").status_code == 404
    assert school.get(f"/api/documents/{other_doc['id']}/download").status_code == 404
    assert {d["pair_label"] for d in school.get(f"/api/programs/{program_id}/documents").json()} == {"03"}
    assert school.get(f"/api/batches/{job['id']}").status_code == 404
    mine = school.post(
        f"/api/programs/{program_id}/uploads", files=[("files", ("mine.docx", stats_docx("03", activities=("家访",))))]
    )
    assert mine.status_code == 202


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow  # a real uvicorn process
def test_through_a_real_uvicorn_server(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path / "data", database_url)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, 20, "uvicorn")
        with browser_like(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)) as http:
            assert (
                http.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}).status_code == 200
            )
            token = http.post("/api/tokens", json={}).json()["token"]
            http.cookies.clear()
            del http.headers["Origin"]  # a script with a token sends neither Origin nor a CSRF token
            http.headers["Authorization"] = f"Bearer {token}"
            program_id = http.post("/api/programs", json={"yaml": (PENGZHOU / "program.yaml").read_text()}).json()["id"]
            roster = http.post(
                f"/api/programs/{program_id}/roster",
                files={"file": ("roster.xlsx", (PENGZHOU / "roster.xlsx").read_bytes())},
            )
            assert roster.status_code == 200 and len(roster.json()["pairs"]) == 14
            upload = http.post(f"/api/programs/{program_id}/uploads", files=[("files", ("f.docx", stats_docx()))])
            assert upload.status_code == 202
            upload_id = upload.json()[0]["id"]
            done = wait_for(lambda: http.get(f"/api/uploads/{upload_id}").json()["record_id"], 60, "record")
            assert http.get(f"/api/records/{done}").json()["pair_label"] == "03"
            assert http.get("/docs").status_code == 200
            assert "/api/records/{record_id}" in http.get("/openapi.json").json()["paths"]
    finally:
        server.should_exit = True
        thread.join(20)


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_pdf_batch_converts_every_agreement(tmp_path: Path, database_url: str) -> None:
    roster = "\n".join((PENGZHOU / "roster.txt").read_text("utf-8").splitlines()[:2])
    with running_client(make_settings(tmp_path / "data", database_url)) as client:
        r = client.post("/api/programs", files={"file": ("program.yaml", (PENGZHOU / "program.yaml").read_bytes())})
        program_id = r.json()["id"]
        r = client.post(f"/api/programs/{program_id}/roster", files={"file": ("roster.txt", roster.encode())})
        assert len(r.json()["pairs"]) == 2
        job = client.post(f"/api/programs/{program_id}/batches", json={"pdf": True}).json()
        done = wait_batch(client, job["id"], timeout=240)
        assert done["status"] == "done" and done["failed"] == 0, done
        with zipfile.ZipFile(io.BytesIO(client.get(f"/api/batches/{job['id']}/download").content)) as zf:
            pdfs = [n for n in zf.namelist() if n.endswith(".pdf")]
            # 2 agreements + 备案表 and 统计表 per pair + a 回执 per school (4 schools) = 10
            assert len(pdfs) == 2 + 2 * 2 + 4 and all(zf.read(n).startswith(b"%PDF") for n in pdfs)
        doc = client.get(f"/api/programs/{program_id}/documents", params={"pair": "01"}).json()[0]
        pdf = client.get(f"/api/documents/{doc['id']}/download", params={"format": "pdf"})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_settings_default_to_sqlite_and_local_blobs_under_the_data_dir(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    assert s.resolved_database_url() == f"sqlite:///{tmp_path.resolve() / 'docgen.db'}"
    assert s.resolved_blob_store() == str((tmp_path / "blobs").resolve())
    assert Settings(database_url="postgresql://u@h/db").resolved_database_url() == "postgresql+psycopg://u@h/db"
