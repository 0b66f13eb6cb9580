"""The collection board over HTTP: states per pair and form, the missing list, one form returned twice counted
once, excluding an upload, filing an unrecognised file by hand, the original's pages, and a school's scope."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from docx import Document
from openpyxl import load_workbook
from PIL import Image

from api.models import beijing_today
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

ROSTER = """支援学校,支援学校联系人,支援学校联系电话,受援学校,受援学校联系人,受援学校联系电话,学段
彭州市西郊小学,王芳,13812345601,黑水县芦花完全小学校,扎西,13812345602,小学
彭州市清平小学,陈军,13812345603,黑水县扎窝中心校,卓玛,13812345604,小学
彭州市通济镇蓝天小学,刘洋,13812345605,黑水县红岩寄宿制小学校,拉姆,13812345606,小学
""".encode()
SCHOOL_PASSWORD = "orchid-lantern-73"


def program(admin: TestClient) -> int:
    r = admin.post("/api/programs", files={"file": ("program.yaml", (PENGZHOU / "program.yaml").read_bytes())})
    assert r.status_code == 201, r.text
    pid = int(r.json()["id"])
    r = admin.post(f"/api/programs/{pid}/roster", files={"file": ("花名册.csv", ROSTER)})
    assert r.status_code == 200, r.text
    return pid


def upload(client: TestClient, pid: int, name: str, data: bytes) -> dict[str, Any]:
    r = client.post(f"/api/programs/{pid}/uploads", files=[("files", (name, data))])
    assert r.status_code == 202, r.text
    return wait_record(client, int(r.json()[0]["id"]))


def resaved(data: bytes) -> bytes:
    """The same filled form saved again (other bytes, same content): what a school sends as a second copy."""
    doc = Document(io.BytesIO(data))
    doc.add_paragraph("")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def cell(board: dict[str, Any], unit: str, form: str) -> dict[str, Any]:
    row = next(r for r in board["rows"] if r["unit"] == unit)
    found: dict[str, Any] = next(c for c in row["cells"] if c["form"] == form)
    return found


def board_of(client: TestClient, pid: int, **params: Any) -> dict[str, Any]:
    r = client.get(f"/api/programs/{pid}/board", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def ledger_forms(client: TestClient, pid: int) -> dict[str, int]:
    """结对序号 → 回传表单 of the 台账 (xlsx)."""
    r = client.get(f"/api/programs/{pid}/ledger", params={"format": "xlsx"})
    assert r.status_code == 200, r.text
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    header = list(rows[1])
    return {str(row[0]): int(row[header.index("回传表单")]) for row in rows[2:]}


def test_the_board_shows_each_pair_and_form_with_late_replies_and_whom_to_phone(admin: TestClient) -> None:
    pid = program(admin)
    board = board_of(admin, pid)
    assert board["today"] == beijing_today().isoformat()
    assert [r["unit"] for r in board["rows"]] == ["01", "02", "03"]
    # the 回执 was due 2019-03-20 (one per school); the 备案表 and 统计表 have no due date: missing, never late
    reply = cell(board, "02", "liaison_reply")
    assert reply["state"] == "late" and (reply["done"], reply["expected"]) == (0, 2)
    assert [s["label"] for s in reply["slots"]] == ["02.1", "02.2"]
    assert reply["slots"][1]["schools"] == [{"name": "黑水县扎窝中心校", "contact": "卓玛", "phone": "13812345604"}]
    assert cell(board, "02", "activity_stats")["state"] == "missing"
    forms = {f["form"]: f for f in board["forms"]}
    assert forms["liaison_reply"]["due"] == "2019-03-20" and forms["liaison_reply"]["task"].startswith("确定联络员")
    assert forms["liaison_reply"]["counts"]["late"] == 6 and forms["activity_stats"]["due"] is None

    upload(admin, pid, "01统计表.docx", stats_docx("01", "彭州市西郊小学"))
    board = board_of(admin, pid)
    stats = cell(board, "01", "activity_stats")
    assert stats["state"] == "complete" and stats["slots"][0]["returned"] == 1
    assert {f["form"]: f["counts"] for f in board["forms"]}["activity_stats"] == {
        "complete": 1, "needs_review": 0, "missing": 2, "late": 0}
    # the filters: every pair has a late 回执; only 01 has anything complete
    assert [r["unit"] for r in board_of(admin, pid, state="complete")["rows"]] == ["01"]
    assert len(board_of(admin, pid, open=True)["rows"]) == 3

    # the missing list for the phone round: one line per school to call per copy not returned
    r = admin.get(f"/api/programs/{pid}/board/missing")
    assert r.status_code == 200 and "%E6%9C%AA%E5%9B%9E%E6%94%B6" in r.headers["content-disposition"]  # 未回收
    sheet = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert sheet[0][0].startswith("彭州·黑水") and "截至" in sheet[0][0]
    assert list(sheet[1]) == ["结对序号", "支援学校", "受援学校", "表格", "份", "状态", "截止日期", "学校", "联系人",
                              "电话"]
    lines = [list(row) for row in sheet[2:]]
    assert ["02", "彭州市清平小学", "黑水县扎窝中心校", "联络员和分管领导回执", "02.2", "逾期未交", "2019-03-20",
            "黑水县扎窝中心校", "卓玛", "13812345604"] in lines
    # 01's 统计表 came back: not on the list; 02's is (the helping school fills it: 陈军)
    assert not [x for x in lines if x[0] == "01" and x[3] == "教育交流活动情况统计表"]
    assert [x[7:] for x in lines if x[0] == "02" and x[3] == "教育交流活动情况统计表"] == [
        ["彭州市清平小学", "陈军", "13812345603"]]


def test_the_same_form_sent_twice_counts_once_and_an_excluded_upload_counts_nowhere(admin: TestClient) -> None:
    pid = program(admin)
    word = stats_docx("01", "彭州市西郊小学", activities=("送教下乡", "联合教研"))
    first = upload(admin, pid, "统计表.docx", word)
    second = upload(admin, pid, "统计表（再次发送）.docx", resaved(word))
    assert second["id"] != first["id"]
    info = admin.get(f"/api/records/{second['id']}/collection").json()
    assert info["duplicate_of"] == first["id"] and info["duplicate_of_name"] == "统计表.docx"
    assert admin.get(f"/api/records/{second['id']}").json()["duplicate_of"] == first["id"]
    copies = admin.get(f"/api/records/{first['id']}/collection").json()["copies"]
    assert [c["record_id"] for c in copies] == [second["id"]]
    assert cell(board_of(admin, pid), "01", "activity_stats")["slots"][0]["returned"] == 1
    assert ledger_forms(admin, pid)["01"] == 1
    # an excluded upload is kept and audited; the first file excluded, its copy counts instead
    r = admin.post(f"/api/uploads/{first['upload_id']}/exclude", json={"reason": "学校说发错了"})
    assert r.status_code == 200, r.text
    assert ledger_forms(admin, pid)["01"] == 1
    info = admin.get(f"/api/records/{first['id']}/collection").json()
    assert info["excluded"] and info["excluded_by"] == "admin" and info["exclude_reason"] == "学校说发错了"
    assert admin.get(f"/api/records/{first['id']}").status_code == 200  # kept
    assert admin.post(f"/api/uploads/{first['upload_id']}/exclude", json={}).status_code == 409
    assert "upload.exclude" in [e["action"] for e in admin.get("/api/audit").json()]
    # the uploads list marks it (who, when, why) and filters on it
    listed = {u["id"]: u for u in admin.get("/api/uploads", params={"program": pid}).json()}
    gone = listed[first["upload_id"]]
    assert gone["excluded"] and gone["excluded_by"] == "admin" and gone["exclude_reason"] == "学校说发错了"
    assert gone["excluded_at"] is not None and not listed[second["upload_id"]]["excluded"]
    only = admin.get("/api/uploads", params={"program": pid, "excluded": "true"}).json()
    assert [u["id"] for u in only] == [first["upload_id"]]
    counted = admin.get("/api/uploads", params={"program": pid, "excluded": "false"}).json()
    assert first["upload_id"] not in [u["id"] for u in counted] and second["upload_id"] in [u["id"] for u in counted]
    # both excluded: the form counts nowhere, on the board or in the 台账; brought back, once again
    assert admin.post(f"/api/uploads/{second['upload_id']}/exclude", json={}).status_code == 200
    assert ledger_forms(admin, pid)["01"] == 0
    assert cell(board_of(admin, pid), "01", "activity_stats")["state"] == "missing"
    for u in (first, second):
        assert admin.post(f"/api/uploads/{u['upload_id']}/include").status_code == 200
    assert ledger_forms(admin, pid)["01"] == 1
    assert cell(board_of(admin, pid), "01", "activity_stats")["state"] == "complete"
    # another activity of the same pair is another form: counted
    upload(admin, pid, "统计表2.docx", stats_docx("01", "彭州市西郊小学", activities=("校长互访",)))
    assert ledger_forms(admin, pid)["01"] == 2
    # the clerk says it is not a copy after all: it counts on its own
    r = admin.post(f"/api/records/{second['id']}/unlink")
    assert r.status_code == 200, r.text
    assert ledger_forms(admin, pid)["01"] == 3
    assert admin.post(f"/api/records/{second['id']}/unlink").status_code == 409


def test_an_unrecognised_file_is_filed_by_hand_to_a_form_and_pair(admin: TestClient) -> None:
    pid = program(admin)
    doc = Document()
    for line in ("活动情况", "我校于4月派出教师三人到黑水县扎窝中心校送教。"):
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    record = upload(admin, pid, "说明.docx", out.getvalue())
    assert record["form"] is None and record["pair_label"] is None
    assert cell(board_of(admin, pid), "02", "activity_stats")["state"] == "missing"
    r = admin.post(f"/api/records/{record['id']}/file", json={"form": "arrangement", "pair": "02"})
    assert r.status_code == 422 and "不下发所选的表格" in r.json()["detail"] and "arrangement" not in r.json()["detail"]
    r = admin.post(f"/api/records/{record['id']}/file", json={"form": "activity_stats", "pair": "09"})
    assert r.status_code == 422 and "没有结对 09" in r.json()["detail"]
    r = admin.post(f"/api/records/{record['id']}/file", json={"form": "activity_stats", "pair": "02"})
    assert r.status_code == 200, r.text
    assert (r.json()["form"], r.json()["pair_label"]) == ("activity_stats", "02")
    # returned, and waiting for a person: nothing was read from it
    assert cell(board_of(admin, pid), "02", "activity_stats")["state"] == "needs_review"


def test_a_page_of_the_original_is_an_image_and_a_word_file_has_none(admin: TestClient) -> None:
    pid = program(admin)
    services = admin.app.state.services  # type: ignore[attr-defined]
    services.worker.stop()  # the pages come from the stored file: nothing needs reading (no OCR of the photo)
    services.worker = None
    image = Image.new("RGB", (2400, 3200), "white")
    buf = io.BytesIO()
    image.save(buf, "JPEG")
    data = stats_docx("01", "彭州市西郊小学")
    r = admin.post(f"/api/programs/{pid}/uploads", files=[("files", ("照片.jpg", buf.getvalue())),
                                                          ("files", ("01统计表.docx", data))])
    assert r.status_code == 202, r.text
    photo, word = (u["id"] for u in r.json())
    r = admin.get(f"/api/uploads/{photo}/page", params={"page": 1})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(r.content)) as page:  # 7.7 megapixels shrunk to the crop limit, same shape
        assert 3_500_000 < page.width * page.height <= 4_000_000 and abs(page.width / page.height - 0.75) < 0.01
    assert admin.get(f"/api/uploads/{photo}/page", params={"page": 2}).status_code == 422
    r = admin.get(f"/api/uploads/{word}/page")
    assert r.status_code == 422 and "没有页面图像" in r.json()["detail"]
    r = admin.get(f"/api/uploads/{word}/original")
    assert r.status_code == 200 and r.content == data
    assert "attachment" in r.headers["content-disposition"]


def test_a_school_sees_its_own_row_documents_and_records_only(admin: TestClient) -> None:
    pid = program(admin)
    r = admin.post("/api/users", json={"username": "xijiao", "password": SCHOOL_PASSWORD, "role": "school",
                                       "programs": [pid], "school_name": "彭州市西郊小学"})
    assert r.status_code == 201, r.text
    school = login_client(admin, "xijiao", SCHOOL_PASSWORD)
    r = admin.post(f"/api/programs/{pid}/batches", json={"pdf": False})
    assert wait_batch(admin, int(r.json()["id"]))["status"] == "done"
    theirs = upload(admin, pid, "02统计表.docx", stats_docx("02", "彭州市清平小学"))
    mine = upload(school, pid, "01统计表.docx", stats_docx("01", "彭州市西郊小学"))

    board = board_of(school, pid)
    assert [r["unit"] for r in board["rows"]] == ["01"]
    assert {f["form"]: f["counts"] for f in board["forms"]}["activity_stats"]["complete"] == 1
    sheet = list(load_workbook(io.BytesIO(school.get(f"/api/programs/{pid}/board/missing").content))
                 .active.iter_rows(values_only=True))
    assert {row[0] for row in sheet[2:]} == {"01"} and "卓玛" not in str(sheet)
    docs = school.get(f"/api/programs/{pid}/documents").json()
    assert docs and {d["pair_label"].split(".")[0] for d in docs} == {"01"}
    assert {d["title"] for d in docs} >= {"学校党建共建协议书", "教育交流活动情况统计表"}
    other_doc = next(d for d in admin.get(f"/api/programs/{pid}/documents").json() if d["pair_label"] == "02")
    assert school.get(f"/api/documents/{other_doc['id']}/download").status_code == 404
    assert school.get(f"/api/records/{theirs['id']}/collection").status_code == 404
    assert school.get(f"/api/uploads/{theirs['upload_id']}/original").status_code == 404
    assert school.get(f"/api/records/{mine['id']}/collection").status_code == 200
    # a school cannot exclude or file by hand (the bureau decides what counts)
    assert school.post(f"/api/uploads/{mine['upload_id']}/exclude", json={}).status_code == 403
    assert school.post(f"/api/records/{mine['id']}/file", json={"pair": "01"}).status_code == 403
    assert date.fromisoformat(board["today"]) == beijing_today()


def test_a_school_gets_404_for_every_id_of_a_program_it_is_not_in(admin: TestClient) -> None:
    """The bureau's second program has the same school on a pair (彭州·黑水's roster again): a school account of
    the first program still sees nothing of it, whatever id or route of issue 11 it tries — 404, as a missing
    id, never 403 (that would say the program exists)."""
    pid = program(admin)
    other = create_pengzhou(admin, key="second-2019")
    r = admin.post("/api/users", json={"username": "xijiao2", "password": SCHOOL_PASSWORD, "role": "school",
                                       "programs": [pid], "school_name": "彭州市西郊小学"})  # fmt: skip
    assert r.status_code == 201, r.text
    school = login_client(admin, "xijiao2", SCHOOL_PASSWORD)
    job = admin.post(f"/api/programs/{other}/batches", json={"pdf": False}).json()["id"]
    assert wait_batch(admin, job)["status"] == "done"
    # the same school's own form in the other program (pair 03 there)
    theirs = upload(admin, other, "03统计表.docx", stats_docx("03", "彭州市西郊小学", program="second-2019"))
    doc = admin.get(f"/api/programs/{other}/documents").json()[0]["id"]
    reads = [
        f"/api/programs/{other}", f"/api/programs/{other}/board", f"/api/programs/{other}/board/missing",
        f"/api/programs/{other}/targets", f"/api/programs/{other}/upload-links", f"/api/programs/{other}/documents",
        f"/api/programs/{other}/batches", f"/api/programs/{other}/pairs", f"/api/programs/{other}/ledger",
        f"/api/programs/{other}/records/export", f"/api/uploads?program={other}", f"/api/records/{theirs['id']}",
        f"/api/records/{theirs['id']}/collection", f"/api/uploads/{theirs['upload_id']}/original",
        f"/api/uploads/{theirs['upload_id']}/page", f"/api/uploads/{theirs['upload_id']}",
        f"/api/documents/{doc}/download", f"/api/batches/{job}", f"/api/batches/{job}/download",
        f"/api/programs/{other}/school-names",
    ]  # fmt: skip
    for path in reads:
        r = school.get(path)
        assert r.status_code == 404, (path, r.status_code, r.text[:200])
    writes = [
        (f"/api/programs/{other}/uploads", {"files": ("x.docx", stats_docx("03", program="second-2019"))}),
        (f"/api/uploads/{theirs['upload_id']}/exclude", None), (f"/api/records/{theirs['id']}/unlink", None),
        (f"/api/records/{theirs['id']}/file", None),
    ]  # fmt: skip
    for path, files in writes:
        r = school.post(path, files=files) if files else school.post(path, json={"pair": "03"})
        assert r.status_code in (403, 404), (path, r.status_code, r.text[:200])
        assert r.status_code == 404 or "权限" in r.json()["detail"], (path, r.text)  # 403 only for a staff route
    # and in its own program, the staff's set-up and reports stay closed
    for path in (f"/api/programs/{pid}/setup", f"/api/programs/{pid}/deletion", f"/api/programs/{pid}/file"):
        assert school.get(path).status_code == 403, path
