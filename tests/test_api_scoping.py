"""Scoping attacks against the real app (docs/security.md, "Scoping"), on SQLite and on PostgreSQL: one bureau's
audit log, another school's pair, another uploader's file, and formulas hidden in exported cells."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from testkit.forms import PENGZHOU, stats_docx
from tests.api_fixtures import (
    TestClient,
    admin,
    blob_count,
    create_pengzhou,
    database_url,
    login_client,
    settings,
    wait_batch,
    wait_record,
)

__all__ = ["admin", "database_url", "settings"]  # fixtures used by name

XIJIAO = "彭州市西郊小学"  # pair 03
LANTIAN = "彭州市通济镇蓝天小学"  # pair 07


def _user(admin: TestClient, username: str, role: str, programs: list[int], school: str | None = None) -> TestClient:
    body: dict[str, Any] = {"username": username, "password": "orchid-lantern-73", "role": role, "programs": programs}
    if school:
        body["school_name"] = school
    r = admin.post("/api/users", json=body)
    assert r.status_code == 201, r.text
    return login_client(admin, username, "orchid-lantern-73")


def _upload(client: TestClient, program_id: int, name: str, data: bytes) -> dict[str, Any]:
    r = client.post(f"/api/programs/{program_id}/uploads", files=[("files", (name, data))])
    assert r.status_code == 202, r.text
    [entry] = r.json()
    return dict(entry)


def _all_audit(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    """Every audit event ``client`` may read, page by page (3 a page, ``before`` = the last id seen)."""
    out: list[dict[str, Any]] = []
    before: int | None = None
    while True:
        query = {**params, "limit": 3, **({"before": before} if before else {})}
        r = client.get("/api/audit", params=query)
        assert r.status_code == 200, r.text
        page = r.json()
        if not page:
            return out
        out += page
        before = page[-1]["id"]


# --- 1. the audit log -----------------------------------------------------------------------------------


def test_an_admin_reads_only_the_audit_events_of_its_own_programs(admin: TestClient) -> None:
    ours = create_pengzhou(admin)
    bureau_b = _user(admin, "bureau-b", "admin", [])
    theirs = create_pengzhou(bureau_b)
    assert admin.get(f"/api/programs/{theirs}").status_code == 404  # two bureaus, nothing shared
    school = _user(admin, "xijiao", "school", [ours], XIJIAO)
    their_school = _user(bureau_b, "lantian-b", "school", [theirs], LANTIAN)
    mine = wait_record(admin, _upload(school, ours, "03.docx", stats_docx("03"))["id"])
    other = wait_record(bureau_b, _upload(their_school, theirs, "07.docx", stats_docx("07", LANTIAN))["id"])
    assert (
        admin.patch(f"/api/records/{mine['id']}", json={"path": "fields/填报单位", "value": XIJIAO}).status_code == 200
    )
    fix = bureau_b.patch(f"/api/records/{other['id']}", json={"path": "fields/填报单位", "value": LANTIAN})
    assert fix.status_code == 200

    seen_a, seen_b = _all_audit(admin), _all_audit(bureau_b)
    assert [e["id"] for e in seen_a] == sorted((e["id"] for e in seen_a), reverse=True)  # pages neither skip nor repeat
    assert len({e["id"] for e in seen_a}) == len(seen_a)
    for seen, own, foreign, me, stranger in (
        (seen_a, ours, theirs, "admin", "bureau-b"),
        (seen_b, theirs, ours, "bureau-b", "admin"),
    ):
        assert {e["program_id"] for e in seen} <= {own, None}
        assert all(
            e["username"] in (me, "xijiao" if own == ours else "lantian-b") for e in seen if e["program_id"] is None
        )
        assert stranger not in {e["username"] for e in seen}
        assert f"program:{foreign}" not in {e["target"] for e in seen}
        assert {"program.create", "roster.import", "upload.create", "record.correct"} <= {e["action"] for e in seen}
    # each bureau sees its own school's upload and correction, never the other's
    assert {e["target"] for e in seen_a if e["action"] == "record.correct"} == {f"record:{mine['id']}"}
    assert {e["target"] for e in seen_b if e["action"] == "record.correct"} == {f"record:{other['id']}"}
    assert [e["username"] for e in seen_a if e["action"] == "upload.create"] == ["xijiao"]
    assert "lantian-b" in {e["username"] for e in seen_b if e["action"] == "auth.login"}
    assert "lantian-b" not in {e["username"] for e in seen_a}
    # the filters cannot reach across either
    uploads_a = _all_audit(admin, action="upload.create")
    assert [e["target"] for e in uploads_a] == [f"upload:{mine['upload_id']}"]
    assert admin.get("/api/audit", params={"program": theirs}).status_code == 404
    assert bureau_b.get("/api/audit", params={"program": ours}).status_code == 404
    only = _all_audit(admin, program=ours)
    assert only and {e["program_id"] for e in only} == {ours}
    assert school.get("/api/audit").status_code == 403


# --- 2. a form printed for another school's pair ---------------------------------------------------------


def test_a_school_uploading_another_schools_form_files_an_identity_mismatch_for_the_admin(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    job = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()
    assert wait_batch(admin, job["id"])["status"] == "done"
    [blank] = [
        d
        for d in admin.get(f"/api/programs/{program_id}/documents", params={"pair": "07"}).json()
        if d["kind"] == "form:activity_stats"
    ]
    form_07 = admin.get(f"/api/documents/{blank['id']}/download").content  # the blank 统计表 docgen printed for 07
    school_a = _user(admin, "xijiao", "school", [program_id], XIJIAO)
    school_b = _user(admin, "lantian", "school", [program_id], LANTIAN)

    entry = _upload(school_a, program_id, "我们的统计表.docx", form_07)
    assert entry["duplicate"] is False
    record = wait_record(admin, entry["id"])
    assert record["extraction"]["identity"]["pair"] == "07"  # the form does name pair 07 …
    assert record["pair_label"] is None  # … but is filed under no pair
    assert record["mismatch"] == "pengzhou-heishui-2019:07" and record["notice"] == "身份不符，待管理员处理"
    held = admin.get("/api/records", params={"program": program_id, "mismatch": "true"}).json()
    assert [r["id"] for r in held] == [record["id"]]

    # school B, whose pair the form names, never sees it: not the record, the upload, a list, an export
    assert school_b.get(f"/api/records/{record['id']}").status_code == 404
    assert school_b.get(f"/api/uploads/{entry['id']}").status_code == 404
    assert school_b.get(f"/api/records/{record['id']}/document").status_code == 404
    assert record["id"] not in [r["id"] for r in school_b.get("/api/records").json()]
    assert record["id"] not in [r["id"] for r in school_b.get("/api/records", params={"pair": "07"}).json()]
    assert entry["id"] not in [u["id"] for u in school_b.get("/api/uploads").json()]
    export = school_b.get(f"/api/programs/{program_id}/records/export", params={"format": "csv"})
    assert export.status_code == 200
    assert [row[0] for row in csv.reader(io.StringIO(export.content.decode("utf-8-sig")))] == ["记录"]
    assert school_b.get(f"/api/programs/{program_id}/ledger").status_code == 404
    ledger = load_workbook(io.BytesIO(admin.get(f"/api/programs/{program_id}/ledger").content)).active
    assert {row[0]: row[3] for row in ledger.iter_rows(min_row=3, values_only=True)}["07"] == 0

    # school A sees its own upload, on hold, and cannot move it into B's pair or edit it meanwhile
    assert school_a.get(f"/api/uploads/{entry['id']}").status_code == 200
    own = school_a.get(f"/api/records/{record['id']}").json()
    assert own["pair_label"] is None and own["notice"] == "身份不符，待管理员处理"
    edit = school_a.patch(f"/api/records/{record['id']}", json={"path": "fields/填报单位", "value": LANTIAN})
    assert edit.status_code == 409 and "身份不符" in edit.json()["detail"]
    assert school_a.patch(f"/api/records/{record['id']}", json={"path": "pair", "value": "07"}).status_code == 409
    assert school_a.post(f"/api/records/{record['id']}/pair", json={"pair": "07"}).status_code == 403
    assert school_a.get(f"/api/records/{record['id']}").json()["pair_label"] is None
    assert school_b.get("/api/records", params={"pair": "07"}).json() == []

    # the bureau resolves it
    assert admin.post(f"/api/records/{record['id']}/pair", json={"pair": "99"}).status_code == 422
    assigned = admin.post(f"/api/records/{record['id']}/pair", json={"pair": "07"})
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["pair_label"], assigned.json()["mismatch"], assigned.json()["notice"]) == ("07", None, None)
    assert school_b.get(f"/api/records/{record['id']}").status_code == 200
    assert school_a.get(f"/api/records/{record['id']}").status_code == 404
    [event] = admin.get("/api/audit", params={"action": "record.assign"}).json()
    assert event["detail"]["mismatch"] == "pengzhou-heishui-2019:07" and event["program_id"] == program_id


def test_a_school_form_naming_its_own_pair_is_filed_there_and_another_programs_form_is_held(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    school_a = _user(admin, "xijiao", "school", [program_id], XIJIAO)
    own = wait_record(admin, _upload(school_a, program_id, "03.docx", stats_docx("03"))["id"])
    assert (own["pair_label"], own["mismatch"], own["notice"]) == ("03", None, None)
    foreign = stats_docx("03", activities=("家访",), program="another-program-2020")
    held = wait_record(admin, _upload(school_a, program_id, "x.docx", foreign)["id"])
    assert (held["pair_label"], held["mismatch"]) == (None, "another-program-2020:03")
    by_admin = wait_record(admin, _upload(admin, program_id, "07.docx", stats_docx("07", LANTIAN))["id"])
    assert (by_admin["pair_label"], by_admin["mismatch"]) == ("07", None)  # the bureau may file any pair


# --- 3. the duplicate answer ---------------------------------------------------------------------------


def test_the_same_bytes_from_another_school_are_a_fresh_upload_of_its_own(admin: TestClient, tmp_path: Path) -> None:
    program_id = create_pengzhou(admin)
    school_a = _user(admin, "xijiao", "school", [program_id], XIJIAO)
    school_b = _user(admin, "lantian", "school", [program_id], LANTIAN)
    form = stats_docx("03")
    first = _upload(school_a, program_id, "西郊统计表.docx", form)
    record_a = wait_record(admin, first["id"])

    second = _upload(school_b, program_id, "蓝天.docx", form)
    assert second["duplicate"] is False and second["id"] != first["id"] and second["status"] == "received"
    assert second["name"] == "蓝天.docx" and "西郊" not in str(second)
    assert [u["id"] for u in school_b.get("/api/uploads").json()] == [second["id"]]
    assert school_b.get(f"/api/uploads/{first['id']}").status_code == 404
    record_b = wait_record(school_b, second["id"])
    assert record_b["id"] != record_a["id"] and record_b["upload_id"] == second["id"]
    assert record_b["pair_label"] is None and record_b["mismatch"] == "pengzhou-heishui-2019:03"  # not B's pair
    assert [r["id"] for r in school_b.get("/api/records").json()] == [record_b["id"]]
    assert school_b.get(f"/api/records/{record_a['id']}").status_code == 404
    again_b = _upload(school_b, program_id, "again.docx", form)
    assert again_b["duplicate"] is True and again_b["id"] == second["id"]  # the same uploader: read once

    # school A: unchanged, and its own re-upload is still the duplicate of its own
    assert [u["id"] for u in school_a.get("/api/uploads").json()] == [first["id"]]
    assert [r["id"] for r in school_a.get("/api/records").json()] == [record_a["id"]]
    again_a = _upload(school_a, program_id, "copy.docx", form)
    assert again_a["duplicate"] is True and again_a["id"] == first["id"]

    # the bureau sees both; the bytes are stored once
    assert sorted(u["id"] for u in admin.get("/api/uploads", params={"program": program_id}).json()) == sorted(
        [first["id"], second["id"]]
    )
    assert blob_count(tmp_path / "data") == 1


# --- 4. formulas in exports ----------------------------------------------------------------------------

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "\t=1", "\r=1"]


def test_exported_csv_and_xlsx_cells_never_carry_a_formula(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    form = stats_docx("03", activities=tuple(f"活动{i}" for i in range(len(PAYLOADS))))
    record = wait_record(admin, _upload(admin, program_id, "03.docx", form)["id"])
    for row, payload in enumerate(PAYLOADS):  # a person typing them in review, exactly
        r = admin.patch(f"/api/records/{record['id']}", json={"path": f"tables/0/rows/{row}/1", "value": payload})
        assert r.status_code == 200, r.text
    r = admin.patch(f"/api/records/{record['id']}", json={"path": "fields/填报单位", "value": "=1+2"})
    assert r.status_code == 200, r.text

    text = admin.get(f"/api/programs/{program_id}/records/export", params={"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    cells = [c for row in rows for c in row]
    for payload in [*PAYLOADS, "=1+2"]:
        # review keeps a corrected text without its surrounding white space (docgen.review), so "\t=1" is "=1"
        kept = payload if payload.strip() == payload else payload.strip()
        assert "'" + kept in cells, payload
        assert kept not in cells, payload
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)

    book = load_workbook(io.BytesIO(admin.get(f"/api/programs/{program_id}/records/export").content))
    typed = {c.value: c for row in book.active.iter_rows() for c in row if c.value is not None}
    for payload in [*PAYLOADS, "=1+2"]:
        kept = payload if payload.strip() == payload else payload.strip()
        cell = typed[kept]  # the text as kept, as a string cell Excel will not evaluate
        assert cell.data_type == "s" and cell.quotePrefix, payload
    assert not [c for c in typed.values() if c.data_type == "f"]
    assert isinstance(typed[record["id"]].value, int)  # numbers stay numbers


def test_the_ledger_xlsx_never_carries_a_formula(admin: TestClient) -> None:
    yaml_text = (PENGZHOU / "program.yaml").read_text("utf-8")
    r = admin.post("/api/programs", json={"yaml": yaml_text})
    assert r.status_code == 201, r.text
    program_id = r.json()["id"]
    roster = "支援学校,受援学校\n=1+2小学,@SUM(A1)中学\n-2+3小学,+1+1中学\n"
    r = admin.post(f"/api/programs/{program_id}/roster", files={"file": ("roster.csv", roster.encode())})
    assert r.status_code == 200, r.text
    book = load_workbook(io.BytesIO(admin.get(f"/api/programs/{program_id}/ledger", params={"format": "xlsx"}).content))
    cells = [c for row in book.active.iter_rows() for c in row if c.value is not None]
    texts = {c.value: c for c in cells}
    for name in ("=1+2小学", "@SUM(A1)中学", "-2+3小学", "+1+1中学"):
        assert texts[name].data_type == "s" and texts[name].quotePrefix, name
    assert not [c for c in cells if c.data_type == "f"]
    assert {c.value for c in cells if c.data_type == "n"} >= {0}  # the counts stay numbers


# --- the migration keeps what was there -----------------------------------------------------------------


def test_the_scoping_migration_keeps_every_row_and_fills_the_new_columns(database_url: str) -> None:
    from sqlalchemy import text

    from api.db import make_engine, migrate
    from api.settings import Settings

    engine = make_engine(Settings(database_url=database_url).resolved_database_url())
    migrate(engine, "0001")
    now = "2026-01-01 00:00:00"
    with engine.begin() as conn:
        conn.execute(
            text(f"INSERT INTO programs (id, key, name, yaml_text, created_at) VALUES (1, 'p', 'P', '', '{now}')")
        )
        for uid, role in ((1, "admin"), (2, "school")):
            conn.execute(
                text(
                    "INSERT INTO users (id, username, password_hash, role, active, created_at) "
                    f"VALUES ({uid}, 'u{uid}', 'x', '{role}', true, '{now}')"
                )
            )
        for upload_id, by in ((1, 1), (2, 2)):
            conn.execute(
                text(
                    "INSERT INTO uploads (id, program_id, original_name, sha256, size, detected_type, blob_key, status,"
                    f" attempts, uploaded_by, created_at, updated_at) VALUES ({upload_id}, 1, 'f.docx', 'h{upload_id}',"
                    f" 1, 'docx', 'k', 'done', 1, {by}, '{now}', '{now}')"
                )
            )
        conn.execute(
            text(
                "INSERT INTO records (id, upload_id, program_id, pair_label, status, extraction, created_at,"
                f" updated_at) VALUES (7, 2, 1, '03', 'complete', '{{}}', '{now}', '{now}')"
            )
        )
        for i, target in enumerate(("program:1", "upload:2", "record:7", "user:2"), start=1):
            conn.execute(
                text(
                    "INSERT INTO audit_events (id, user_id, username, action, target, at, detail) "
                    f"VALUES ({i}, 1, 'u1', 'a', '{target}', '{now}', '{{}}')"
                )
            )
    try:
        migrate(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT id, upload_id FROM records")).all() == [(7, 2)]  # no cascade on rebuild
            scopes = conn.execute(text("SELECT id, scope FROM uploads ORDER BY id")).all()
            assert scopes == [(1, "staff"), (2, "user:2")]
            programs = conn.execute(text("SELECT target, program_id FROM audit_events ORDER BY id")).all()
            assert programs == [("program:1", 1), ("upload:2", 1), ("record:7", 1), ("user:2", None)]
            assert conn.execute(text("SELECT mismatch FROM records")).scalar() is None
            if engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


# --- 4. another bureau's rows ---------------------------------------------------------------------------


def test_another_bureaus_rows_answer_exactly_like_rows_that_do_not_exist(admin: TestClient) -> None:
    """A job, document, upload or record of a program the user was not given is a 404 worded like a missing id:
    the answer names neither the owning program nor whether the row exists (api.services.programs.get_in_program)."""
    create_pengzhou(admin)
    bureau_b = _user(admin, "bureau-b", "admin", [])
    theirs = create_pengzhou(bureau_b)
    their_school = _user(bureau_b, "lantian-b", "school", [theirs], LANTIAN)
    record = wait_record(bureau_b, _upload(their_school, theirs, "07.docx", stats_docx("07", LANTIAN))["id"])
    job = wait_batch(bureau_b, bureau_b.post(f"/api/programs/{theirs}/batches", json={"pdf": False}).json()["id"])
    document = bureau_b.get(f"/api/programs/{theirs}/documents").json()[0]
    missing = 10**6
    for path, noun, row_id in (
        ("/api/batches/{}", "批量任务", job["id"]),
        ("/api/documents/{}/download", "文书", document["id"]),
        ("/api/uploads/{}", "上传文件", record["upload_id"]),
        ("/api/records/{}", "记录", record["id"]),
    ):
        assert bureau_b.get(path.format(row_id)).status_code == 200  # the owner sees it
        foreign, absent = admin.get(path.format(row_id)), admin.get(path.format(missing))
        assert (foreign.status_code, absent.status_code) == (404, 404)
        assert foreign.json()["detail"] == f"{noun} {row_id} 不存在"
        assert absent.json()["detail"] == f"{noun} {missing} 不存在"
        assert f"项目 {theirs}" not in foreign.text
