"""Issue 9, items 4 and 6: preview a roster before importing it; valid rows import, problems are data.

Against the real app (SQLite; PostgreSQL in the slow run): ``POST …/roster/preview`` keeps the file for its
user and program and answers the tables with their column mapping, the groups with their rows, every
problem and the difference to the current pairs; ``POST …/roster/preview/{id}`` reads it again under another
mapping; ``POST …/roster/confirm`` applies it unless the pairs or the mapping changed since (409).

The override plumbing itself is also tested with a small stand-in importer behind the same interface.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from api.models import AuditEvent, RosterPreview, utcnow
from api.services import roster_preview, rosters
from docgen.errors import RosterError
from docgen.model import PairGroup, Roster, School
from docgen.roster.result import ColumnMapping, ColumnOverrides, RosterImport, TableMapping
from testkit.forms import stats_docx
from tests.api_fixtures import (
    TestClient,
    admin,
    create_pengzhou,
    database_url,
    login_client,
    settings,
    wait_record,
)

__all__ = ["admin", "database_url", "settings"]  # fixtures used by name

PASSWORD = "orchid-lantern-73"
XIJIAO, LUHUA = "彭州市西郊小学", "黑水县芦花完全小学校"
QINGPING, ZHAWO = "彭州市清平小学", "黑水县扎窝中心校"
LICHUN, ZHIMULIN = "彭州市丽春镇小学", "黑水县知木林寄宿制小学校"
XINJIAN, HEISHUI_XINJIAN = "彭州市新建小学", "黑水县新建小学"
FIRST = (
    "支援学校,受援学校,学段,支援学校联系人\n"
    f"{XIJIAO},{LUHUA},小学,张伟\n"
    f"{QINGPING},{ZHAWO},小学,李明\n"
    f"{LICHUN},{ZHIMULIN},小学,王军\n"
)
# 新建 inserted first (added), 西郊 the same (01 → 02), 清平 with another contact (changed), 丽春 dropped
SECOND = (
    "支援学校,受援学校,学段,支援学校联系人\n"
    f"{XINJIAN},{HEISHUI_XINJIAN},小学,赵丽\n"
    f"{XIJIAO},{LUHUA},小学,张伟\n"
    f"{QINGPING},{ZHAWO},小学,刘芳\n"
)
WITH_BAD_ROW = f"支援学校,受援学校,学段\n{XIJIAO},{LUHUA},小学\n{LICHUN},{LICHUN},小学\n"


def _preview(client: TestClient, program_id: int, csv: str, name: str = "花名册.csv", **data: str) -> Any:
    return client.post(f"/api/programs/{program_id}/roster/preview", files={"file": (name, csv.encode())}, data=data)


def _ok(r: Any) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _confirm(client: TestClient, program_id: int, body: Mapping[str, Any], **extra: Any) -> Any:
    payload = {"preview_id": body["preview_id"], "diff_token": body["diff_token"], "confirm": True, **extra}
    return client.post(f"/api/programs/{program_id}/roster/confirm", json=payload)


def _pairs(client: TestClient, program_id: int) -> list[tuple[str, list[str], list[str]]]:
    r = client.get(f"/api/programs/{program_id}/pairs")
    assert r.status_code == 200, r.text
    return [(p["label"], p["supporting"], p["supported"]) for p in r.json()]


def _script_import(client: TestClient, program_id: int, csv: str, **params: str) -> Any:
    return client.post(f"/api/programs/{program_id}/roster", files={"file": ("r.csv", csv.encode())}, params=params)


def _previews(client: TestClient) -> int:
    with client.app.state.services.db.session() as s:  # type: ignore[attr-defined]
        return int(s.scalar(select(func.count()).select_from(RosterPreview)) or 0)


# ------------------------------------------------------------------------------------------ preview


def test_a_preview_shows_the_bad_row_with_its_kind_and_row_and_imports_nothing(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    before = _pairs(admin, program_id)
    body = _ok(_preview(admin, program_id, WITH_BAD_ROW))
    [problem] = body["problems"]
    assert {k: problem[k] for k in ("kind", "severity", "source", "row", "value")} == {
        "kind": "same_school", "severity": "error", "source": "花名册.csv", "row": 3, "value": LICHUN,
    }  # fmt: skip
    assert "学校" in problem["message"]
    assert body["counts"]["error_rows"] == 1 and body["counts"]["errors"] == 1 and body["counts"]["current"] == 14
    assert body["file_name"] == "花名册.csv" and len(body["sha256"]) == 64
    assert [(r["role"], r["label"]) for r in body["roles"]][:2] == [
        ("supporting.school", "支援学校"), ("supporting.contact", "支援学校联系人")]  # fmt: skip
    assert body["diff"]["removed"] and all(g["row"] != 3 for g in body["groups"])
    assert _pairs(admin, program_id) == before  # a preview imports nothing
    # the words for every code the preview can carry are in the vocabulary
    vocab = admin.get("/api/vocabulary").json()
    assert vocab["roster_problem"]["same_school"] == "同一学校在两方"
    assert vocab["roster_severity"]["error"] == "错误（该行不导入）"
    assert vocab["roster_change"]["changed"] == "变更"


def test_a_short_name_the_table_does_not_know_is_a_warning_until_the_table_has_it(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    csv = f"支援学校,受援学校,学段\n市一中,{LUHUA},初中\n{XIJIAO},{ZHAWO},小学\n"
    body = _ok(_preview(admin, program_id, csv))
    [problem] = body["problems"]
    assert {k: problem[k] for k in ("kind", "severity", "row", "column", "value")} == {
        "kind": "abbreviated", "severity": "warning", "row": 2, "column": "支援学校", "value": "市一中",
    }  # fmt: skip
    assert "全称" in problem["message"] and body["counts"]["groups"] == 2  # the row still imports
    entry = {"full_name": "彭州市第一中学", "short_names": ["市一中"], "party_org": ""}
    saved = admin.put(f"/api/programs/{program_id}/school-names", json={"entries": [entry]})
    assert saved.status_code == 200, saved.text
    assert _ok(_preview(admin, program_id, csv))["problems"] == []
    strict = admin.post(f"/api/programs/{program_id}/roster?strict=true",
                        files={"file": ("花名册.csv", csv.replace("市一中", "钢一中").encode())})  # fmt: skip
    assert strict.status_code == 422 and strict.json()["errors"][0]["kind"] == "abbreviated"


def test_confirm_imports_the_valid_rows_and_leaves_the_bad_one_out(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    body = _ok(_preview(admin, program_id, WITH_BAD_ROW))
    assert [(g["row"], g["supporting"][0]["name"], g["status"]) for g in body["groups"]] == [(2, XIJIAO, "added")]
    assert body["counts"]["groups"] == 1 and body["counts"]["error_rows"] == 1
    r = _confirm(admin, program_id, body)
    assert r.status_code == 200, r.text
    assert [(p["label"], p["supporting"], p["supported"]) for p in r.json()["pairs"]] == [("01", [XIJIAO], [LUHUA])]
    assert [(p["kind"], p["row"]) for p in r.json()["problems"]] == [("same_school", 3)]
    assert _pairs(admin, program_id) == [("01", [XIJIAO], [LUHUA])]


def test_a_reimport_preview_lists_added_removed_and_changed_and_records_stay_with_their_schools(
    admin: TestClient,
) -> None:
    program_id = create_pengzhou(admin)
    assert _script_import(admin, program_id, FIRST).status_code == 200
    assert _pairs(admin, program_id) == [("01", [XIJIAO], [LUHUA]), ("02", [QINGPING], [ZHAWO]),
                                         ("03", [LICHUN], [ZHIMULIN])]  # fmt: skip
    forms = [("files", ("清平.docx", stats_docx("02", QINGPING))), ("files", ("丽春.docx", stats_docx("03", LICHUN)))]
    r = admin.post(f"/api/programs/{program_id}/uploads", files=forms)
    assert r.status_code == 202, r.text
    qingping, lichun = (wait_record(admin, u["id"]) for u in r.json())
    assert (qingping["pair_label"], lichun["pair_label"]) == ("02", "03")

    body = _ok(_preview(admin, program_id, SECOND))
    counts = {k: body["counts"][k] for k in ("groups", "current", "added", "removed", "changed", "unchanged",
                                             "relabelled", "restored", "error_rows", "warnings")}  # fmt: skip
    assert counts == {"groups": 3, "current": 3, "added": 1, "removed": 1, "changed": 1, "unchanged": 1,
                      "relabelled": 2, "restored": 0, "error_rows": 0, "warnings": 0}  # fmt: skip
    diff = body["diff"]
    assert [(g["label"], g["supporting"], g["supported"]) for g in diff["added"]] == [("01", [XINJIAN],
                                                                                     [HEISHUI_XINJIAN])]  # fmt: skip
    assert [(g["label"], g["supporting"]) for g in diff["removed"]] == [("03", [LICHUN])]
    [changed] = diff["changed"]
    assert (changed["label"], changed["previous_label"], changed["supporting"]) == ("03", "02", [QINGPING])
    assert changed["changes"] == [
        {"field": "contact", "label": "联系人", "school": QINGPING, "before": "李明", "after": "刘芳"}
    ]
    assert [(g["previous_label"], g["label"]) for g in diff["relabelled"]] == [("01", "02"), ("02", "03")]
    assert [(g["row"], g["label"], g["status"]) for g in body["groups"]] == [
        (2, "01", "added"), (3, "02", "unchanged"), (4, "03", "changed")]  # fmt: skip
    assert _pairs(admin, program_id)[2] == ("03", [LICHUN], [ZHIMULIN])  # nothing applied yet

    r = _confirm(admin, program_id, body)
    assert r.status_code == 200, r.text
    assert _pairs(admin, program_id) == [("01", [XINJIAN], [HEISHUI_XINJIAN]), ("02", [XIJIAO], [LUHUA]),
                                         ("03", [QINGPING], [ZHAWO])]  # fmt: skip
    # each record is still its schools': 清平's under 03 now, 丽春's kept as a removed pair's, not 清平's
    moved = admin.get(f"/api/records/{qingping['id']}").json()
    assert (moved["pair_label"], moved["pair_removed"]) == ("03", False)
    kept = admin.get(f"/api/records/{lichun['id']}").json()
    assert (kept["pair_label"], kept["pair_removed"]) == ("03", True)
    with admin.app.state.services.db.session() as s:  # type: ignore[attr-defined]
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "roster.confirm")).one()
        assert (event.detail["file"], event.detail["added"], event.detail["changed"]) == ("花名册.csv", 1, 1)
        assert event.detail["removed"] == ["03"] and event.detail["pairs"] == 3
        assert admin.app.state.services.blobs.exists(event.detail["blob"])  # type: ignore[attr-defined]
    assert _previews(admin) == 0  # confirmed: the preview and its copy of the file are gone


def test_confirm_is_refused_when_the_roster_changed_after_the_preview(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    body = _ok(_preview(admin, program_id, SECOND))
    assert _script_import(admin, program_id, FIRST).status_code == 200  # someone else imports meanwhile
    r = _confirm(admin, program_id, body)
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == (
        "花名册预览之后，项目的结对或列映射已有变化（可能有人刚刚导入了花名册）。请查看最新的预览后再确认导入。"
    )
    assert [p[1] for p in _pairs(admin, program_id)] == [[XIJIAO], [QINGPING], [LICHUN]]
    # the preview is still there: asked again, it answers against the pairs of now, and then confirms
    again = _ok(admin.post(f"/api/programs/{program_id}/roster/preview/{body['preview_id']}", json={}))
    assert again["diff_token"] != body["diff_token"] and again["counts"]["current"] == 3
    assert _confirm(admin, program_id, again).status_code == 200
    assert [p[1] for p in _pairs(admin, program_id)] == [[XINJIAN], [XIJIAO], [QINGPING]]
    wrong = _confirm(admin, program_id, {**again, "diff_token": "0" * 32})
    assert wrong.status_code == 404  # confirmed once: the preview is gone


def test_confirm_needs_confirm_true(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    body = _ok(_preview(admin, program_id, SECOND))
    r = _confirm(admin, program_id, body, confirm=False)
    assert (r.status_code, r.json()["detail"]) == (422, "请以 confirm: true 确认导入")
    assert len(_pairs(admin, program_id)) == 14


def test_another_users_or_programs_preview_is_not_found(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    other_program = create_pengzhou(admin, key="pengzhou-heishui-2019-b")
    body = _ok(_preview(admin, program_id, SECOND))
    r = admin.post("/api/users", json={"username": "second-admin", "password": PASSWORD, "role": "admin",
                                       "programs": [program_id]})  # fmt: skip
    assert r.status_code == 201, r.text
    second = login_client(admin, "second-admin", PASSWORD)
    assert second.get(f"/api/programs/{program_id}").status_code == 200  # it sees the program …
    not_found = {"detail": "花名册预览不存在或已过期，请重新上传文件"}
    for client, pid in ((second, program_id), (admin, other_program)):  # … not another's preview
        r = _confirm(client, pid, body)
        assert (r.status_code, r.json()) == (404, not_found), r.text
        r = client.post(f"/api/programs/{pid}/roster/preview/{body['preview_id']}", json={"overrides": {}})
        assert (r.status_code, r.json()) == (404, not_found)
        assert client.delete(f"/api/programs/{pid}/roster/preview/{body['preview_id']}").status_code == 404
    assert len(_pairs(admin, program_id)) == 14 and _previews(admin) == 1
    assert admin.post(f"/api/programs/{program_id}/roster/preview/..%2F..%2Fetc", json={}).status_code in (404, 422)
    assert _confirm(admin, program_id, body).status_code == 200  # still its owner's


@pytest.mark.parametrize(
    ("overrides", "detail"),
    [
        ("[1, 2]", "列映射应为 JSON 对象：{表名: {列序号: 角色}}"),
        ("{not json", "列映射不是有效的 JSON"),
        ('{"花名册": {"0": "rm -rf"}}', "表“花名册”第 1 列的角色“rm -rf”不在可选列表中"),
        ('{"花名册": {"-1": "supported.school"}}', "表“花名册”的列序号“-1”无效（应为 0–999 的整数）"),
        ('{"花名册": {"1e3": "supported.school"}}', "表“花名册”的列序号“1e3”无效（应为 0–999 的整数）"),
        ('{"花名册": {"１": "supported.school"}}', "表“花名册”的列序号“１”无效（应为 0–999 的整数）"),
        ('{"花名册": ["supported.school"]}', "表“花名册”的列映射应为 JSON 对象：{列序号: 角色}"),
        ('{"花名册": {"0": {"$ne": 1}}}', "表“花名册”第 1 列的角色“dict”不在可选列表中"),
        (json.dumps({"x" * 201: {}}), "列映射中的表名无效（应为 1–200 个字符）"),
        (json.dumps({f"t{i}": {} for i in range(51)}), "列映射最多 50 张表，收到 51 张"),
        (json.dumps({"t": {"0": "ignore"}, "pad": "x" * 17_000}), "列映射过长（超过 16384 个字符）"),
        ('{"不存在的表": {"0": "supported.school"}}', "文件中没有表“不存在的表”，无法修改其列映射"),
    ],
)
def test_hostile_overrides_are_refused_in_words(admin: TestClient, overrides: str, detail: str) -> None:
    program_id = create_pengzhou(admin)
    r = _preview(admin, program_id, SECOND, overrides=overrides)
    assert (r.status_code, r.json()["detail"]) == (422, detail), r.text
    assert _previews(admin) == 0  # nothing kept
    body = _ok(_preview(admin, program_id, SECOND))
    try:
        raw = json.loads(overrides)
    except ValueError:
        return  # JSON bodies cannot carry broken JSON as a value
    if len(overrides) > roster_preview.MAX_OVERRIDE_TEXT:
        return  # only the form field has a text limit
    r = admin.post(f"/api/programs/{program_id}/roster/preview/{body['preview_id']}", json={"overrides": raw})
    assert (r.status_code, r.json()["detail"]) == (422, detail), r.text
    r = _confirm(admin, program_id, body, overrides=raw)
    assert (r.status_code, r.json()["detail"]) == (422, detail), r.text
    assert len(_pairs(admin, program_id)) == 14


def test_previews_expire_are_cancelled_and_a_user_keeps_at_most_five(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    first = _ok(_preview(admin, program_id, SECOND))
    cancelled = _ok(_preview(admin, program_id, FIRST))
    r = admin.delete(f"/api/programs/{program_id}/roster/preview/{cancelled['preview_id']}")
    assert r.status_code == 204 and _previews(admin) == 1
    assert _confirm(admin, program_id, cancelled).status_code == 404

    db = admin.app.state.services.db  # type: ignore[attr-defined]
    with db.session() as s:
        row = s.get(RosterPreview, first["preview_id"])
        assert row is not None and row.data == SECOND.encode() and row.user_id and row.program_id == program_id
        row.expires_at = utcnow() - timedelta(seconds=1)
        s.commit()
    r = _confirm(admin, program_id, first)
    assert (r.status_code, r.json()["detail"]) == (404, "花名册预览不存在或已过期，请重新上传文件")
    assert _previews(admin) == 0  # the expired one went when it was asked for

    ids = [_ok(_preview(admin, program_id, SECOND))["preview_id"] for _ in range(7)]
    with db.session() as s:
        assert set(s.scalars(select(RosterPreview.id))) == set(ids[-5:])
        for row in s.scalars(select(RosterPreview)):
            row.expires_at = utcnow() - timedelta(seconds=1)
        s.commit()
    _ok(_preview(admin, program_id, FIRST))  # a new preview sweeps every expired one
    assert _previews(admin) == 1


# ------------------------------------------------------------------------------------------ the script route


def test_the_script_route_refuses_any_problem_when_strict(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    bad = f"支援学校,受援学校,联系电话\n{XIJIAO},{LUHUA},13800000000\n{LICHUN},{LICHUN},13800000000\n"
    r = _script_import(admin, program_id, bad, strict="true")
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["detail"] == "花名册有 1 处错误，未导入" and body["error_count"] == 1
    assert [(e["kind"], e["severity"], e["row"], e["value"]) for e in body["errors"]] == [
        ("same_school", "error", 3, LICHUN)]  # fmt: skip
    assert len(_pairs(admin, program_id)) == 14


def test_the_script_route_imports_the_valid_rows_and_answers_the_problems(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    r = _script_import(admin, program_id, WITH_BAD_ROW)
    assert r.status_code == 200, r.text
    assert [(p["label"], p["supporting"]) for p in r.json()["pairs"]] == [("01", [XIJIAO])]
    assert [(p["kind"], p["severity"], p["row"]) for p in r.json()["problems"]] == [("same_school", "error", 3)]
    assert r.json()["problem_count"] == 1


def test_a_file_of_bad_rows_only_never_empties_the_program(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    r = _script_import(admin, program_id, f"支援学校,受援学校\n{LICHUN},{LICHUN}\n")
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == "花名册有 1 处错误，未导入"
    body = _ok(_preview(admin, program_id, f"支援学校,受援学校\n{LICHUN},{LICHUN}\n"))
    r = _confirm(admin, program_id, body)
    assert (r.status_code, r.json()["detail"]) == (422, "花名册有 1 处错误，未导入")
    assert len(_pairs(admin, program_id)) == 14


# ------------------------------------------------------------------------------------------ mapping overrides


def test_an_override_swaps_the_sides_with_the_real_importer(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    body = _ok(_preview(admin, program_id, f"帮扶方,受援方\n{XIJIAO},{LUHUA}\n"))
    [table] = body["tables"]
    assert [(c["index"], c["header"], c["role"], c["label"]) for c in table["columns"]] == [
        (0, "帮扶方", "supporting.school", "支援学校"), (1, "受援方", "supported.school", "受援学校")]  # fmt: skip
    swap = {table["table"]: {"0": "supported.school", "1": "supporting.school"}}
    again = _ok(admin.post(f"/api/programs/{program_id}/roster/preview/{body['preview_id']}", json={"overrides": swap}))
    [group] = again["groups"]
    assert ([s["name"] for s in group["supporting"]], [s["name"] for s in group["supported"]]) == ([LUHUA], [XIJIAO])
    assert [c["overridden"] for c in again["tables"][0]["columns"]] == [True, True]
    assert _confirm(admin, program_id, again).status_code == 200
    assert _pairs(admin, program_id) == [("01", [LUHUA], [XIJIAO])]


def _stand_in(data: bytes, name: str, *, overrides: ColumnOverrides | None = None, ocr: object = None) -> RosterImport:
    """A stand-in for the rebuilt importer, honouring the interface: a CSV whose header row names the
    columns (支援学校 / 受援学校 / anything else ``extra``), with ``overrides`` applied."""
    lines = [line.split(",") for line in data.decode("utf-8").splitlines() if line]
    detected = {"支援学校": "supporting.school", "受援学校": "supported.school"}
    mine = dict((overrides or {}).get("名单", {}))
    columns = tuple(ColumnMapping(i, h, mine.get(i, detected.get(h, "extra"))) for i, h in enumerate(lines[0]))
    role = {c.role: c.index for c in columns}
    if "supporting.school" not in role:
        raise RosterError("没有同时指定支援学校列和受援学校列", source=name)
    supporting, supported = role["supporting.school"], role["supported.school"]
    groups = tuple(
        PairGroup(n, (School(row[supporting]),), (School(row[supported]),), source=f"{name}:{n + 1}")
        for n, row in enumerate(lines[1:], start=1)
    )
    return RosterImport(Roster(groups, source=name), (), (TableMapping("名单", (1,), columns),))


def test_overrides_travel_from_the_request_through_the_parse_to_the_import(
    admin: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route checks the mapping against the file's tables, parses under it, shows it, and confirms it."""
    seen: list[ColumnOverrides | None] = []

    def parse_here(data: bytes, name: str, *, overrides: ColumnOverrides | None = None, **_: Any) -> rosters.Parsed:
        seen.append(overrides)
        return rosters.answered(rosters.parse_local(data, name, overrides))

    program_id = create_pengzhou(admin)
    monkeypatch.setattr(rosters, "parse", parse_here)
    monkeypatch.setattr(rosters, "read_roster_file", _stand_in)
    csv = f"受援学校,支援学校,备注\n{XIJIAO},{LUHUA},无\n"
    body = _ok(_preview(admin, program_id, csv))
    assert [(c["role"], c["label"], c["overridden"]) for c in body["tables"][0]["columns"]] == [
        ("supported.school", "受援学校", False), ("supporting.school", "支援学校", False),
        ("extra", "其他（保留）", False)]  # fmt: skip
    assert [g["supporting"][0]["name"] for g in body["groups"]] == [LUHUA]

    url = f"/api/programs/{program_id}/roster/preview/{body['preview_id']}"
    # half-way through swapping: both columns 受援学校 gives no roster — shown with its reason, not refused
    half = _ok(admin.post(url, json={"overrides": {"名单": {"1": "supported.school"}}}))
    assert (half["groups"], half["counts"]["groups"]) == ([], 0)
    assert [(p["kind"], p["severity"], p["message"]) for p in half["problems"]] == [
        ("unreadable", "error", "没有同时指定支援学校列和受援学校列")]  # fmt: skip
    assert [(c["role"], c["overridden"]) for c in half["tables"][0]["columns"]] == [
        ("supported.school", False), ("supported.school", True), ("extra", False)]  # fmt: skip
    swap = {"名单": {"0": "supporting.school", "1": "supported.school"}}
    again = _ok(admin.post(url, json={"overrides": swap}))
    assert seen[-1] == {"名单": {0: "supporting.school", 1: "supported.school"}}
    assert again["overrides"] == swap and again["diff_token"] != body["diff_token"]
    assert [c["overridden"] for c in again["tables"][0]["columns"]] == [True, True, False]
    assert [(g["supporting"][0]["name"], g["supported"][0]["name"]) for g in again["groups"]] == [(XIJIAO, LUHUA)]

    r = admin.post(url, json={"overrides": {"名单": {"3": "stage"}}})  # the file has three columns
    assert (r.status_code, r.json()["detail"]) == (422, "表“名单”没有第 4 列，无法修改其列映射")
    # confirming under the first mapping with the token of the second: what was shown is not what would happen
    r = _confirm(admin, program_id, again, overrides={})
    assert r.status_code == 409, r.text
    r = _confirm(admin, program_id, again)  # the preview's own mapping (the swap)
    assert r.status_code == 200, r.text
    assert _pairs(admin, program_id) == [("01", [XIJIAO], [LUHUA])]
    assert len(seen) == 4  # preview, two re-previews, the 409's re-parse under {}; the confirm used the kept parse


def test_the_sandbox_child_gets_the_overrides_with_integer_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    import api.sandbox as sandbox

    sent: list[list[str]] = []

    def fake_child(mode: str, data: bytes, name: str, args: list[str], **_: Any) -> bytes:
        sent.append([mode, *args])
        return json.dumps({"groups": [], "problems": [], "problem_count": 0, "tables": [], "source": name}).encode()

    monkeypatch.setattr(rosters, "run_child", fake_child)
    rosters.parse(b"x", "r.csv", overrides={"名单": {2: "stage"}})
    assert sent == [["roster", '{"名单": {"2": "stage"}}']]

    got: list[Any] = []
    monkeypatch.setattr(rosters, "parse_local", lambda data, name, overrides=None: got.append(overrides) or {})
    sandbox._roster(b"x", "r.csv", ['{"名单": {"2": "stage"}}'])
    sandbox._roster(b"x", "r.csv", [])
    assert got == [{"名单": {2: "stage"}}, None]
