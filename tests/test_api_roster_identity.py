"""Issue 9: records belong to schools, not to pair numbers (docs/service.md, "Pairs keep their schools").

Against the real app on SQLite and PostgreSQL: a 统计表 returned for pair 05, then a re-import that inserts a
pair before it (its schools become 06), then one that drops it. The record, the 台账, the documents and what
each school account sees must follow the schools every time.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from testkit.forms import PENGZHOU, stats_docx
from tests.api_fixtures import (
    TestClient,
    admin,
    create_pengzhou,
    database_url,
    login_client,
    settings,
    wait_batch,
    wait_record,
)

__all__ = ["admin", "database_url", "settings"]  # fixtures used by name

MENGYANG = "彭州市濛阳七一竹瓦九年制学校"  # pair 05 of the 彭州 roster
MENGYANG_PAIR = "彭州市濛阳七一竹瓦九年制学校与黑水县七一维古小学结对；"
LICHUN = "彭州市丽春镇小学"  # pair 06, then 07, then 06 again when 濛阳 is dropped
XINJIAN = "彭州市新建小学"  # the pair inserted before 濛阳: 05 after the first re-import
XINJIAN_PAIR = "彭州市新建小学与黑水县新建小学结对；"
PASSWORD = "orchid-lantern-73"


def _roster(*, insert: bool, drop_mengyang: bool = False) -> bytes:
    lines = (PENGZHOU / "roster.txt").read_text("utf-8").splitlines()
    assert lines[4] == MENGYANG_PAIR  # the sample's pair 05
    if drop_mengyang:
        del lines[4]
    if insert:
        lines.insert(4, XINJIAN_PAIR)
    return "\n".join(lines).encode("utf-8")


def _import(admin: TestClient, program_id: int, roster: bytes) -> list[dict[str, Any]]:
    r = admin.post(f"/api/programs/{program_id}/roster", files={"file": ("roster.txt", roster)})
    assert r.status_code == 200, r.text
    pairs: list[dict[str, Any]] = r.json()["pairs"]
    return pairs


def _school(admin: TestClient, username: str, program_id: int, school: str) -> TestClient:
    body = {"username": username, "password": PASSWORD, "role": "school", "programs": [program_id],
            "school_name": school}  # fmt: skip
    r = admin.post("/api/users", json=body)
    assert r.status_code == 201, r.text
    return login_client(admin, username, PASSWORD)


def _upload(client: TestClient, program_id: int, name: str, data: bytes) -> int:
    r = client.post(f"/api/programs/{program_id}/uploads", files=[("files", (name, data))])
    assert r.status_code == 202, r.text
    return int(r.json()[0]["id"])


def _ledger(admin: TestClient, program_id: int) -> dict[str, tuple[Any, ...]]:
    r = admin.get(f"/api/programs/{program_id}/ledger", params={"format": "xlsx", "as_of": "2019-12-31"})
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content)).active
    return {str(row[0]): tuple(row) for row in sheet.iter_rows(min_row=3, values_only=True)}


def _record_ids(client: TestClient, program_id: int, **params: str) -> set[int]:
    r = client.get("/api/records", params={"program": str(program_id), **params})
    assert r.status_code == 200, r.text
    return {int(x["id"]) for x in r.json()}


def _documents(client: TestClient, program_id: int, **params: str) -> dict[int, dict[str, Any]]:
    r = client.get(f"/api/programs/{program_id}/documents", params=params)
    assert r.status_code == 200, r.text
    return {int(d["id"]): d for d in r.json()}


def _document_ids(client: TestClient, program_id: int, **params: str) -> set[int]:
    return set(_documents(client, program_id, **params))


def test_issue_9_a_reimport_never_moves_a_returned_form_to_another_school(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    mengyang = _school(admin, "mengyang", program_id, MENGYANG)
    lichun = _school(admin, "lichun", program_id, LICHUN)
    job = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()
    assert wait_batch(admin, job["id"])["status"] == "done"
    mengyang_docs = _document_ids(admin, program_id, pair="05")
    assert mengyang_docs and mengyang_docs == _document_ids(mengyang, program_id)
    upload = _upload(mengyang, program_id, "统计表.docx", stats_docx("05", MENGYANG, ("送教下乡", "同课异构")))
    record = wait_record(admin, upload)
    assert (record["pair_label"], record["mismatch"], record["pair_removed"]) == ("05", None, False)
    assert _ledger(admin, program_id)["05"][1:5] == (MENGYANG, "黑水县七一维古小学", 1, 2)

    # a pair inserted before it: the same schools are 06 now, the new school is 05
    pairs = {p["label"]: p for p in _import(admin, program_id, _roster(insert=True))}
    # 新建 is on the roster only now: a school account is made for a school of the roster (api/services/people.py)
    xinjian = _school(admin, "xinjian", program_id, XINJIAN)
    assert pairs["06"]["supporting"] == [MENGYANG] and pairs["05"]["supporting"] == [XINJIAN]
    moved = admin.get(f"/api/records/{record['id']}").json()
    assert (moved["pair_label"], moved["pair_removed"]) == ("06", False)
    ledger = _ledger(admin, program_id)
    assert ledger["06"][1:5] == (MENGYANG, "黑水县七一维古小学", 1, 2)  # credited to the schools that sent it
    assert ledger["05"][1:5] == (XINJIAN, "黑水县新建小学", 0, 0)
    assert mengyang.get(f"/api/records/{record['id']}").status_code == 200
    assert record["id"] in _record_ids(mengyang, program_id)
    assert xinjian.get(f"/api/records/{record['id']}").status_code == 404  # the school now labelled 05
    assert xinjian.get(f"/api/uploads/{upload}").status_code == 404
    assert _record_ids(xinjian, program_id) == set()
    assert _record_ids(admin, program_id, pair="05") == set() and _record_ids(admin, program_id, pair="06") == {
        record["id"]
    }
    # the documents generated for 05 before the re-import are the 濛阳 pair's: listed under 06, not 05
    assert _document_ids(admin, program_id, pair="05") == set()
    assert _document_ids(admin, program_id, pair="06") == mengyang_docs
    assert _document_ids(xinjian, program_id) == set()
    assert all(xinjian.get(f"/api/documents/{d}/download").status_code == 404 for d in mengyang_docs)
    assert _document_ids(mengyang, program_id) == mengyang_docs
    doc = _documents(admin, program_id)[min(mengyang_docs)]
    assert (doc["pair_label"], doc["pair_removed"]) == ("06", False)
    assert mengyang.get(f"/api/documents/{min(mengyang_docs)}/download").status_code == 200

    # the pair dropped: the record is kept, marked, and 06 (丽春 now) does not get it
    pairs = {p["label"]: p for p in _import(admin, program_id, _roster(insert=True, drop_mengyang=True))}
    assert pairs["06"]["supporting"] == [LICHUN] and all(p["supporting"] != [MENGYANG] for p in pairs.values())
    listed = admin.get(f"/api/programs/{program_id}/pairs").json()
    assert len(listed) == 14 and MENGYANG not in {s for p in listed for s in p["supporting"]}
    kept = admin.get(f"/api/records/{record['id']}").json()
    assert (kept["pair_label"], kept["pair_removed"]) == ("06", True)
    assert record["id"] in _record_ids(admin, program_id)
    assert _record_ids(admin, program_id, pair="06") == set()  # not under the pair labelled 06 now
    assert lichun.get(f"/api/records/{record['id']}").status_code == 404
    assert lichun.get(f"/api/uploads/{upload}").status_code == 404
    assert _record_ids(lichun, program_id) == set() and _record_ids(xinjian, program_id) == set()
    assert mengyang.get(f"/api/records/{record['id']}").status_code == 200  # still the school's own
    assert _ledger(admin, program_id)["06"][1:5] == (LICHUN, "黑水县知木林寄宿制小学校", 0, 0)
    assert all(lichun.get(f"/api/documents/{d}/download").status_code == 404 for d in mengyang_docs)
    assert _document_ids(lichun, program_id) & mengyang_docs == set()
    assert _document_ids(admin, program_id, pair="06") & mengyang_docs == set()
    assert _documents(admin, program_id)[min(mengyang_docs)]["pair_removed"] is True
    regenerate = admin.post(f"/api/documents/{min(mengyang_docs)}/regenerate")
    assert regenerate.status_code == 409, regenerate.text  # never rendered with 丽春's data
    assert admin.get(f"/api/records/{record['id']}/document").status_code == 409


def test_a_form_printed_before_a_reimport_is_filed_under_the_schools_it_was_printed_for(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    mengyang = _school(admin, "mengyang", program_id, MENGYANG)
    job = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()
    assert wait_batch(admin, job["id"])["status"] == "done"  # forms printed "05" for 濛阳
    _import(admin, program_id, _roster(insert=True))  # 濛阳 is 06 now, 新建 05 (no form printed for it yet)
    xinjian = _school(admin, "xinjian", program_id, XINJIAN)  # on the roster from now on

    by_staff = wait_record(admin, _upload(admin, program_id, "a.docx", stats_docx("05", MENGYANG)))
    assert (by_staff["pair_label"], by_staff["mismatch"]) == ("06", None)
    by_school = wait_record(admin, _upload(mengyang, program_id, "b.docx", stats_docx("05", MENGYANG, ("x",))))
    assert (by_school["pair_label"], by_school["mismatch"]) == ("06", None)
    assert mengyang.get(f"/api/records/{by_school['id']}").status_code == 200
    # every "05" form in the world is 濛阳's: 新建 sending one is an identity mismatch, held for the admin
    held = wait_record(admin, _upload(xinjian, program_id, "c.docx", stats_docx("05", XINJIAN, ("y",))))
    assert (held["pair_label"], held["mismatch"]) == (None, "pengzhou-heishui-2019:05")
    assert xinjian.get(f"/api/records/{by_staff['id']}").status_code == 404

    job = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()
    assert wait_batch(admin, job["id"])["status"] == "done"  # now "05" forms exist for 新建 too
    mine = wait_record(admin, _upload(xinjian, program_id, "d.docx", stats_docx("05", XINJIAN, ("z",))))
    assert (mine["pair_label"], mine["mismatch"]) == ("05", None)
    old = wait_record(admin, _upload(mengyang, program_id, "e.docx", stats_docx("05", MENGYANG, ("w",))))
    assert (old["pair_label"], old["mismatch"]) == ("06", None)  # its old form still finds it
    # the bureau cannot tell which "05" a paper is: held, and the admin files it
    ambiguous = wait_record(admin, _upload(admin, program_id, "f.docx", stats_docx("05", MENGYANG, ("v",))))
    assert (ambiguous["pair_label"], ambiguous["mismatch"]) == (None, "pengzhou-heishui-2019:05")
    r = admin.post(f"/api/records/{ambiguous['id']}/pair", json={"pair": "06"})
    assert r.status_code == 200, r.text
    assert mengyang.get(f"/api/records/{ambiguous['id']}").status_code == 200
    assert xinjian.get(f"/api/records/{ambiguous['id']}").status_code == 404
    ledger = _ledger(admin, program_id)
    assert ledger["06"][1] == MENGYANG and ledger["06"][3] == 4 and ledger["05"][3] == 1


def test_the_roster_identity_migration_ties_existing_records_and_documents_to_their_pairs(database_url: str) -> None:
    from sqlalchemy import text

    from api.db import make_engine, migrate
    from api.settings import Settings
    from docgen.model import pair_key

    engine = make_engine(Settings(database_url=database_url).resolved_database_url())
    migrate(engine, "sec_accounts")
    now = "2026-01-01 00:00:00"
    with engine.begin() as conn:
        conn.execute(
            text(f"INSERT INTO programs (id, key, name, yaml_text, created_at) VALUES (1, 'p', 'P', '', '{now}')")
        )
        for pid, label, a, b in ((10, "01", "甲小学", "乙小学"), (11, "02", "丙小学", "丁小学")):
            conn.execute(
                text(
                    "INSERT INTO pairs (id, program_id, number, label, supporting, supported, schools, coordinator,"
                    f" source) VALUES ({pid}, 1, {int(label)}, '{label}', '[\"{a}\"]', '[\"{b}\"]', '[]', '', '')"
                )
            )
        conn.execute(
            text(
                "INSERT INTO uploads (id, program_id, original_name, sha256, size, detected_type, blob_key, status,"
                f" attempts, scope, created_at, updated_at) VALUES (1, 1, 'f.docx', 'h', 1, 'docx', 'k', 'done', 1,"
                f" 'staff', '{now}', '{now}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO records (id, upload_id, program_id, pair_label, status, extraction, created_at,"
                f" updated_at) VALUES (7, 1, 1, '02.1', 'complete', '{{}}', '{now}', '{now}')"
            )
        )
        for doc_id, label in ((1, "01"), (2, "09")):
            conn.execute(
                text(
                    "INSERT INTO documents (id, program_id, pair_label, kind, title, format, file_name, blob_key,"
                    f" sha256, size, fingerprint, updated_at) VALUES ({doc_id}, 1, '{label}', 'k', '', 'docx', 'f',"
                    f" 'b', 's', 1, 'fp', '{now}')"
                )
            )
    try:
        migrate(engine)
        with engine.connect() as conn:
            keys = conn.execute(text("SELECT id, key, removed_at FROM pairs ORDER BY id")).all()
            assert keys == [(10, pair_key(["甲小学"], ["乙小学"]), None), (11, pair_key(["丙小学"], ["丁小学"]), None)]
            assert conn.execute(text("SELECT pair_id, pair_label FROM records")).all() == [(11, "02.1")]
            documents = conn.execute(text("SELECT id, pair_id FROM documents ORDER BY id")).all()
            assert documents == [(1, 10), (2, None)]  # 09 is no pair's: kept, of none
            assert conn.execute(text("SELECT program_id, label, pair_id FROM pair_labels")).all() == [(1, "01", 10)]
            if engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
