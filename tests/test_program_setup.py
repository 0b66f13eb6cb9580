"""Program set-up without YAML (issue 11, item 1): the one serializer, the program file in a clerk's words,
and the set-up API — create from the form, duplicate keys, edit, copy, export/import (UTF-8 and GBK),
archive, delete with what it removes, and another program's forms kept out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.settings import Settings
from docgen.errors import ProgramError
from docgen.files import load_program
from docgen.program import parse_program, parse_program_yaml
from docgen.program_file import dump_program_yaml, field_words, json_data, load_program_file, program_data
from docgen.program_setup import new_program, suggest_key, template_defaults
from testkit.forms import PENGZHOU, stats_docx
from tests.api_fixtures import (
    TestClient,
    admin,
    database_url,
    login_client,
    make_settings,
    running_client,
    settings,
    wait_batch,
    wait_record,
)

__all__ = ["admin", "database_url", "settings"]  # fixtures used by name

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*/program.yaml"))
ENGLISH_WORDS = re.compile(r"[A-Za-z]{4,}")  # parser English (“mapping”, “expected”…) would show as words
PASSWORD = "orchid-lantern-73"


# ------------------------------------------------------------------------------------------- the domain


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.parent.name)
def test_every_sample_survives_the_serializer_as_yaml_as_json_and_in_gbk(path: Path) -> None:
    program = load_program(path)
    assert parse_program(program_data(program)) == program
    assert parse_program(json_data(program)) == program  # what the form sends back
    text = dump_program_yaml(program)
    assert parse_program_yaml(text) == program
    assert load_program_file(text.encode("utf-8")) == program
    assert load_program_file(text.encode("gbk")) == program  # Notepad on a Chinese Windows
    assert program.name in text and "\\u" not in text  # Chinese as itself, readable in a text editor


def test_the_serializer_leaves_out_what_equals_the_default_and_keeps_what_does_not() -> None:
    data = program_data(load_program(ROOT / "samples" / "heze" / "program.yaml"))
    assert data["party_terms"]["supported"] == "被帮扶学校"
    assert data["bureaus"][0]["keeps_copy"] is False and "keeps_copy" not in data["bureaus"][1]
    assert "group_policy" not in data  # joint is the default
    assert data["agreements"][0]["term"] == {"years": 3}
    assert "signatories" not in data["agreements"][0]  # the schools sign: the default
    pengzhou = program_data(load_program(ROOT / "samples" / "pengzhou_heishui" / "program.yaml"))
    assert pengzhou["agreements"][0]["signatories"] == "party_orgs"


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("key: a\n\tname: b\n", "第2行", "Tab"),
        ("key: a: b\n", "第1行", "冒号"),
        ("key: a\nbureaus:\n  - x\n bad: 2\n", "第4行", "缩进"),
        ('key: "abc\nname: x\n', "第1行", "引号"),
        ("key: a\nforms: [filing, activity_stats\nname: b\n", "第", "方括号"),
    ],
)
def test_a_broken_program_file_is_explained_in_chinese_with_its_line(text: str, where: str, words: str) -> None:
    with pytest.raises(ProgramError) as caught:
        load_program_file(text.encode("utf-8"))
    message = str(caught.value)
    assert where in message and words in message, message
    assert not ENGLISH_WORDS.search(message.replace("program.yaml", "").replace("Tab", "")), message


def test_a_wrong_value_names_its_line_and_the_field_in_words() -> None:
    text = (PENGZHOU / "program.yaml").read_text("utf-8").replace("start: 2019-04-01", "start: 2019-13-01")
    with pytest.raises(ProgramError) as caught:
        load_program_file(text.encode("gbk"))
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "2019-13-01" in t)
    assert caught.value.key == f"第{line}行 · 协议种类第1项 · 期限 · 开始日期", caught.value.key
    assert "日期应写作 2019-04-01" in caught.value.message
    assert field_words("tasks[2].due") == "任务清单第3项 · 截止日期"
    assert field_words("key") == "项目代号"


def test_a_file_in_neither_utf8_nor_gbk_is_refused_in_words() -> None:
    with pytest.raises(ProgramError) as caught:
        load_program_file(b"key: \xff\xfe\xfa\xfb\n")
    assert "UTF-8" in caught.value.message and "GBK" in caught.value.message


def test_each_template_has_defaults_that_make_a_valid_program_once_names_are_typed() -> None:
    for template in ("party_building", "five_year", "three_year", "heze_three_year", "our_own"):
        data = new_program(template, key="xm-1")
        data["name"] = "测试项目"
        data["bureaus"] = [{"name": "甲市教育局", "side": "supporting"}, {"name": "乙县教育局", "side": "supported"}]
        program = parse_program(data)
        assert program.agreements[0].template == f"{template}.docx"
        # only the 党建共建协议书 is signed by the schools' party organisations (结对基层党组织（盖章）)
        signed_by = "party_orgs" if template == "party_building" else "schools"
        assert program.agreements[0].signatories == signed_by, template
    assert template_defaults("five_year")["agreement"]["params"]["assistance"][0]["name"] == "管理帮扶"
    assert template_defaults("party_building")["program"]["forms"] == ["filing", "activity_stats", "liaison_reply"]
    assert template_defaults("our_own", "本局协议")["agreement"]["title"] == "本局协议"
    assert suggest_key(2019, {"xm2019-1"}) == "xm2019-2"
    assert suggest_key(None, {"pz-2", "pz-3"}, base="pz") == "pz-4"


# ------------------------------------------------------------------------------------------- the API


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    s: Settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}")
    with running_client(s) as c:
        yield c


def pengzhou_data(key: str = "pengzhou-heishui-2019") -> dict[str, Any]:
    data = json_data(load_program(PENGZHOU / "program.yaml"))
    data["key"] = key
    return data


def test_a_program_made_in_the_form_is_the_program_the_file_makes_and_its_key_is_its_own(client: TestClient) -> None:
    r = client.post("/api/program-setup", json={"program": pengzhou_data()})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    exported = client.get(f"/api/programs/{pid}/file")
    assert exported.status_code == 200 and "charset=utf-8" in exported.headers["content-type"]
    assert parse_program_yaml(exported.content.decode("utf-8")) == load_program(PENGZHOU / "program.yaml")

    # the same key again — from the form or as a file — is refused with words, and nothing is stored
    again = client.post("/api/program-setup", json={"program": pengzhou_data()})
    assert (
        again.status_code == 409
        and "项目代号 pengzhou-heishui-2019 已被项目“彭州·黑水“校校结对”" in again.json()["detail"]
    )
    file_again = client.post("/api/programs", files={"file": ("program.yaml", exported.content)})
    assert file_again.status_code == 409, file_again.text
    assert len(client.get("/api/programs").json()) == 1

    # copy: the form's data with a free key
    setup = client.get(f"/api/programs/{pid}/setup").json()
    assert setup["copy_key"] == "pengzhou-heishui-2019-2" and setup["key_locked"] is False
    copy = dict(setup["program"], key=setup["copy_key"], name="彭州·黑水（副本）")
    r = client.post("/api/program-setup", json={"program": copy})
    assert r.status_code == 201, r.text
    assert [p["name"] for p in client.get("/api/programs").json()] == ["彭州·黑水“校校结对”", "彭州·黑水（副本）"]


def test_a_mistake_in_the_form_names_the_field_in_chinese(client: TestClient) -> None:
    data = pengzhou_data()
    data["agreements"][0]["term"]["start"] = "2019-04-31"
    r = client.post("/api/program-setup", json={"program": data})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("项目设置有误：协议种类第1项 · 期限 · 开始日期：日期应写作"), r.json()
    data = pengzhou_data()
    data["tasks"][1]["form"] = "arrangement"  # a form the program does not send out
    r = client.post("/api/program-setup", json={"program": data})
    assert r.status_code == 422 and "任务清单第2项 · 回收表单" in r.json()["detail"], r.json()
    data = pengzhou_data()
    data["agreements"][0]["template"] = "../../etc/passwd"
    r = client.post("/api/program-setup", json={"program": data})
    assert r.status_code == 422 and "一个路径" in r.json()["detail"] and "etc" not in r.json()["detail"]


def test_a_gbk_program_file_is_imported_and_a_broken_one_is_explained(client: TestClient) -> None:
    text = (PENGZHOU / "program.yaml").read_text("utf-8")
    r = client.post("/api/programs", files={"file": ("program.yaml", text.encode("gbk"))})
    assert r.status_code == 201, r.text
    broken = text.replace("key: pengzhou-heishui-2019", "key: other-1").replace(
        "  - key: party_building", "  - key: party_building\n\tx: 1"
    )
    r = client.post("/api/programs", files={"file": ("program.yaml", broken.encode("gbk"))})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "行" in detail and "Tab" in detail and "found" not in detail and "expected" not in detail, detail


def test_edit_rename_and_the_key_fixed_once_forms_went_out(client: TestClient) -> None:
    pid = client.post("/api/program-setup", json={"program": pengzhou_data()}).json()["id"]
    data = pengzhou_data("pz-2019")
    data["name"] = "彭州·黑水结对（2019）"
    r = client.put(f"/api/programs/{pid}/setup", json={"program": data})
    assert r.status_code == 200 and r.json()["key"] == "pz-2019", r.text
    r = client.post(f"/api/programs/{pid}/rename", json={"name": "彭州·黑水"})
    assert r.status_code == 200 and r.json()["name"] == "彭州·黑水"
    assert "name: 彭州·黑水\n" in client.get(f"/api/programs/{pid}/file").text
    # a returned form came in: the key is printed on what went out, so it stays
    client.post(f"/api/programs/{pid}/uploads", files=[("files", ("a.docx", stats_docx(program="pz-2019")))])
    assert client.get(f"/api/programs/{pid}/setup").json()["key_locked"] is True
    r = client.put(f"/api/programs/{pid}/setup", json={"program": dict(data, key="pz-2020")})
    assert r.status_code == 409 and "不能再改" in r.json()["detail"]


def test_an_archived_program_is_hidden_and_read_only_until_restored(client: TestClient) -> None:
    pid = client.post("/api/program-setup", json={"program": pengzhou_data()}).json()["id"]
    assert client.post(f"/api/programs/{pid}/archive", json={"archived": True}).json()["archived"] is True
    assert client.get("/api/programs").json() == []
    assert [p["id"] for p in client.get("/api/programs", params={"archived": True}).json()] == [pid]
    roster = (PENGZHOU / "roster.txt").read_bytes()
    r = client.post(f"/api/programs/{pid}/roster", files={"file": ("roster.txt", roster)})
    assert r.status_code == 409 and "已归档" in r.json()["detail"]
    r = client.post(f"/api/programs/{pid}/uploads", files=[("files", ("a.docx", stats_docx()))])
    assert r.status_code == 409 and "已归档" in r.json()["detail"]
    assert client.put(f"/api/programs/{pid}/setup", json={"program": pengzhou_data()}).status_code == 409
    assert client.get(f"/api/programs/{pid}").status_code == 200  # still readable
    client.post(f"/api/programs/{pid}/archive", json={"archived": False})
    assert client.post(f"/api/programs/{pid}/roster", files={"file": ("roster.txt", roster)}).status_code == 200


def test_delete_shows_what_it_removes_and_needs_the_confirmation(admin: TestClient) -> None:
    """On SQLite and PostgreSQL: the database removes the program's rows with it."""
    pid = admin.post("/api/program-setup", json={"program": pengzhou_data()}).json()["id"]
    roster = (PENGZHOU / "roster.txt").read_bytes()
    assert admin.post(f"/api/programs/{pid}/roster", files={"file": ("roster.txt", roster)}).status_code == 200
    up = admin.post(f"/api/programs/{pid}/uploads", files=[("files", ("a.docx", stats_docx()))]).json()
    wait_record(admin, up[0]["id"])
    shown = admin.get(f"/api/programs/{pid}/deletion").json()
    assert (shown["pairs"], shown["uploads"], shown["records"], shown["documents"]) == (14, 1, 1, 0), shown
    assert admin.delete(f"/api/programs/{pid}").status_code == 422  # no confirmation
    assert admin.get(f"/api/programs/{pid}").status_code == 200
    r = admin.delete(f"/api/programs/{pid}", params={"confirm": "pengzhou-heishui-2019"})
    assert r.status_code == 200 and r.json()["pairs"] == 14
    assert admin.get(f"/api/programs/{pid}").status_code == 404
    assert admin.get("/api/records").json() == []
    # the key is free again
    assert admin.post("/api/program-setup", json={"program": pengzhou_data()}).status_code == 201


def _stored(settings: Settings) -> set[str]:
    """The keys in the local blob store (``ab/cd/<sha256>``)."""
    root = settings.data_dir / "blobs"
    return {str(f.relative_to(root)) for f in root.rglob("*") if f.is_file() and not f.name.startswith(".")}


def test_deleting_a_program_removes_the_files_only_it_references(admin: TestClient, settings: Settings) -> None:
    """Its uploads, generated documents and ZIP go with it; a file another program holds too (the store keeps
    equal bytes once) stays, and the preview counts what goes."""
    shared, own = stats_docx(), stats_docx(pair="05")
    other = admin.post("/api/program-setup", json={"program": pengzhou_data("other-2019")}).json()["id"]
    up = admin.post(f"/api/programs/{other}/uploads", files=[("files", ("shared.docx", shared))]).json()
    wait_record(admin, up[0]["id"])
    before = _stored(settings)
    pid = admin.post("/api/program-setup", json={"program": pengzhou_data()}).json()["id"]
    roster = (PENGZHOU / "roster.txt").read_bytes()
    assert admin.post(f"/api/programs/{pid}/roster", files={"file": ("roster.txt", roster)}).status_code == 200
    for name, data in (("shared.docx", shared), ("own.docx", own)):
        up = admin.post(f"/api/programs/{pid}/uploads", files=[("files", (name, data))]).json()
        wait_record(admin, up[0]["id"])
    job = admin.post(f"/api/programs/{pid}/batches", json={"pdf": False}).json()
    assert wait_batch(admin, job["id"])["status"] == "done"
    documents = admin.get(f"/api/programs/{pid}/documents").json()
    added = _stored(settings) - before
    # one upload of its own, its generated documents (some may share bytes) and the batch ZIP
    assert len(added) >= 3, added
    shown = admin.get(f"/api/programs/{pid}/deletion").json()
    assert shown["files"] == len(added), (shown, len(documents))
    r = admin.delete(f"/api/programs/{pid}", params={"confirm": "pengzhou-heishui-2019"})
    assert r.status_code == 200 and r.json()["files"] == len(added)
    assert _stored(settings) == before  # the other program's upload (the same bytes as one of these) stays
    [kept] = admin.get("/api/uploads", params={"program": other}).json()
    assert admin.get(f"/api/uploads/{kept['id']}/original").status_code == 200


def test_only_admins_set_up_programs(client: TestClient) -> None:
    pid = client.post("/api/program-setup", json={"program": pengzhou_data()}).json()["id"]
    r = client.post(
        "/api/users", json={"username": "reader", "password": PASSWORD, "role": "readonly", "programs": [pid]}
    )
    assert r.status_code == 201, r.text
    reader = login_client(client, "reader", PASSWORD)
    assert reader.get("/api/program-setup").status_code == 403
    assert reader.get(f"/api/programs/{pid}/setup").status_code == 403
    assert reader.get(f"/api/programs/{pid}/file").status_code == 403
    assert reader.post(f"/api/programs/{pid}/archive", json={"archived": True}).status_code == 403
    assert reader.delete(f"/api/programs/{pid}", params={"confirm": "pengzhou-heishui-2019"}).status_code == 403
    assert reader.post("/api/program-setup", json={"program": pengzhou_data("x-1")}).status_code == 403
    defaults = client.get("/api/program-setup").json()
    names = [t["name"] for t in defaults["templates"]]
    assert {"party_building", "five_year", "three_year", "heze_three_year"} <= set(names)
    assert defaults["program"]["key"] == "xm-1"
    # a new program starts on 学校党建共建协议书 (seed 000) with its usual forms
    assert defaults["program"]["agreements"][0]["template"] == "party_building.docx"
    assert defaults["program"]["forms"] == ["filing", "activity_stats", "liaison_reply"]


def test_a_form_of_another_program_is_not_filed_as_complete_in_this_one(client: TestClient) -> None:
    client.post("/api/program-setup", json={"program": pengzhou_data()})
    other = client.post("/api/program-setup", json={"program": dict(pengzhou_data("other-2019"), name="另一个项目")})
    oid = other.json()["id"]
    roster = (PENGZHOU / "roster.txt").read_bytes()
    client.post(f"/api/programs/{oid}/roster", files={"file": ("roster.txt", roster)})
    # the bureau uploads 彭州's 统计表 (its code names pengzhou-heishui-2019) into the other program
    r = client.post(f"/api/programs/{oid}/uploads", files=[("files", ("统计表.docx", stats_docx()))])
    assert r.status_code == 202, r.text
    upload = r.json()[0]["id"]
    record = wait_record(client, upload)
    assert record["status"] == "needs_review" and record["pair_label"] is None
    assert record["notice"] == "属于另一个项目，未计入本项目"
    assert any("另一个项目（代号 pengzhou-heishui-2019）" in p["message"] for p in record["extraction"]["problems"])


def test_set_up_writes_with_the_session_cookie_need_the_csrf_token(client: TestClient) -> None:
    """The form's writes are cookie writes: without this site's Origin and token they are refused (403)."""
    from api.security import CSRF_COOKIE, CSRF_HEADER

    pid = client.post("/api/program-setup", json={"program": pengzhou_data()}).json()["id"]
    token = client.cookies[CSRF_COOKIE]
    bare = {"Origin": "http://testserver"}  # the cookie goes along; the token header does not
    for method, path, body in [
        ("POST", "/api/program-setup", {"program": pengzhou_data("csrf-1")}),
        ("PUT", f"/api/programs/{pid}/setup", {"program": pengzhou_data()}),
        ("POST", f"/api/programs/{pid}/archive", {"archived": True}),
        ("DELETE", f"/api/programs/{pid}?confirm=pengzhou-heishui-2019", None),
    ]:
        r = client.request(method, path, json=body, headers={**bare, CSRF_HEADER: ""})
        assert r.status_code == 403 and "CSRF" in r.json()["detail"], (path, r.text)
    assert client.get(f"/api/programs/{pid}").json()["archived"] is False
    r = client.post(f"/api/programs/{pid}/archive", json={"archived": True}, headers={CSRF_HEADER: token})
    assert r.status_code == 200
