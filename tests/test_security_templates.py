"""Issue 7: the remote-code-execution chain through templates, attacked against the real app.

A program names a template, never a path; an uploaded returned form can never become a template; uploaded
templates render in a Jinja sandbox; user-given names never become paths outside the output folder.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from cli.main import app as cli_app
from docgen.batch import generate_batch, load_templates
from docgen.errors import TemplateError
from docgen.files import default_program, template_reader
from docgen.model import PairGroup, Roster, School
from docgen.output import DirectorySink
from docgen.render.docx import UNSAFE_MESSAGE, CompiledTemplate
from testkit.docx_text import docx_text
from tests.api_fixtures import (
    PENGZHOU,
    ROOT,
    TestClient,
    admin,
    create_pengzhou,
    database_url,
    login_client,
    make_settings,
    running_client,
    settings,
    wait_batch,
)

__all__ = ["admin", "database_url", "settings"]  # fixtures used by name

BUILTIN = ROOT / "docgen" / "templates"
PROGRAM_YAML = (PENGZHOU / "program.yaml").read_text("utf-8")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """An admin client on SQLite (the attacks do not depend on the database; the upload test runs on both)."""
    with running_client(make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}")) as c:
        yield c


def program_yaml(template: str | None = None, key: str | None = None) -> str:
    """The 彭州 program with its (single) agreement's template or its key replaced (as JSON strings: any text)."""
    text = PROGRAM_YAML
    if template is not None:
        text = text.replace("template: party_building.docx", f"template: {json.dumps(template)}")
    if key is not None:
        text = text.replace("key: pengzhou-heishui-2019", f"key: {json.dumps(key)}", 1)
    assert text != PROGRAM_YAML
    return text


def docx_with(*paragraphs: str, title: str = "") -> bytes:
    """A Word document whose paragraphs are ``paragraphs`` (tags typed as plain text, as in Word)."""
    doc = Document()
    doc.core_properties.title = title
    for p in paragraphs:
        doc.add_paragraph(p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def upload_template(client: TestClient, name: str, data: bytes, title: str = "") -> object:
    return client.post(
        "/api/templates",
        files={"file": ("t.docx", data)},
        data={"name": name, "title": title},
    )


def assert_no_server_path(text: str, *paths: Path) -> None:
    for p in (ROOT, BUILTIN, *paths):
        assert str(p) not in text, f"server path {p} leaked: {text}"
    assert "site-packages" not in text and "/tmp/" not in text


# --- 1. templates are named, never paths -----------------------------------------------------------------

PATH_NAMES = [
    "../x.docx",
    "../batch.py",  # exists beside docgen/templates/
    "../nothing-here.py",
    "../../pyproject.toml",
    "/etc/passwd",
    str(BUILTIN / "party_building.docx"),
    "..\\..\\windows\\win.ini",
    "party_building\\..\\x.docx",
    "a\x00.docx",
    "party_building.docx\x00.txt",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e/%2e%2e/etc/passwd",
    "forms/filing.docx",  # a built-in form template is not an agreement template
    "forms/../party_building.docx",
    "Party_Building.docx",
    "party_building.docx/",
    "file:///etc/passwd",
    "ｐａｒｔｙ_building",  # fullwidth letters
]


@pytest.mark.parametrize("name", PATH_NAMES)
def test_a_program_naming_a_template_by_path_is_refused_with_the_same_message_whatever_exists(
    client: TestClient, name: str, tmp_path: Path
) -> None:
    r = client.post("/api/programs", json={"yaml": program_yaml(template=name)})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert "模板名称只能由小写字母、数字、- 和 _ 组成" in detail
    assert "不存在" not in detail and "找不到" not in detail  # never tells whether a file exists
    assert_no_server_path(r.text, tmp_path)
    # an existing target and a missing one get the same answer (only the echoed value differs)
    other = client.post("/api/programs", json={"yaml": program_yaml(template="../nothing-here.py")})
    def shape(text: str, sent: str) -> str:  # the echoed value (or the word for a path) aside
        return text.replace(repr(sent), "V").replace("一个路径", "V")

    assert shape(detail, name) == shape(other.json()["detail"], "../nothing-here.py")


def test_an_uploaded_returned_form_can_never_become_a_template(client: TestClient, tmp_path: Path) -> None:
    r = client.post("/api/programs", json={"yaml": PROGRAM_YAML})
    assert r.status_code == 201, r.text
    program_id = r.json()["id"]
    form = docx_with("甲方：{{ party_a.names }}")
    r = client.post(f"/api/programs/{program_id}/uploads", files={"files": ("form.docx", form)})
    assert r.status_code == 202, r.text
    digest = r.json()[0]["sha256"]
    blob = tmp_path / "data" / "blobs" / digest[:2] / digest[2:4] / digest
    assert blob.is_file()  # the attacker knows where it lies
    for reference in (digest, f"{digest}.docx", f"../blobs/{digest[:2]}/{digest[2:4]}/{digest}", str(blob)):
        r = client.post("/api/programs", json={"yaml": program_yaml(template=reference, key="attack")})
        assert r.status_code == 422, r.text
        assert_no_server_path(r.text.replace(reference, "<the value sent>"), tmp_path)  # only the echo
    assert client.get("/api/programs").json()[0]["id"] == program_id and len(client.get("/api/programs").json()) == 1


def test_a_valid_name_that_exists_nowhere_is_not_found_without_saying_where_we_looked(
    client: TestClient, tmp_path: Path
) -> None:
    r = client.post("/api/programs", json={"yaml": program_yaml(template="no_such_template")})
    assert r.status_code == 422
    assert "找不到这个模板" in r.json()["detail"]
    assert_no_server_path(r.text, tmp_path)


def test_a_symlink_in_the_templates_folder_is_treated_as_absent(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(BUILTIN, folder)
    secret = tmp_path / "secret.docx"
    secret.write_bytes(docx_with("甲方：{{ party_a.names }}"))
    (folder / "evil.docx").symlink_to(secret)
    (folder / "linked").symlink_to(tmp_path)  # a linked folder: forms/ style lookups must not follow it
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'db.sqlite'}", templates_dir=folder)
    with running_client(settings) as c:
        r = c.post("/api/programs", json={"yaml": program_yaml(template="evil")})
        assert r.status_code == 422 and "找不到这个模板" in r.json()["detail"], r.text
        assert_no_server_path(r.text, tmp_path)
        names = [t["name"] for t in c.get("/api/templates").json()]
        assert "evil" not in names and "party_building" in names
    with pytest.raises(TemplateError, match="找不到这个模板"):
        template_reader(builtin=folder)("evil")


# --- template upload, list, download, audit ------------------------------------------------------------


def test_admins_upload_list_download_and_use_a_template_and_every_upload_is_audited(admin: TestClient) -> None:
    party_building = (BUILTIN / "party_building.docx").read_bytes()
    r = upload_template(admin, "dongguan_1plus1", party_building, title="东莞“1+1”协议书")
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "dongguan_1plus1" and r.json()["uploaded_by"] == "admin"
    listed = {t["name"]: t for t in admin.get("/api/templates").json()}
    assert {"party_building", "five_year", "three_year", "dongguan_1plus1"} <= set(listed)
    assert listed["party_building"]["source"] == "builtin" and listed["party_building"]["title"]
    assert listed["dongguan_1plus1"]["source"] == "uploaded" and listed["dongguan_1plus1"]["title"] == "东莞“1+1”协议书"
    assert listed["dongguan_1plus1"]["created_at"]
    assert admin.get("/api/templates/dongguan_1plus1/download").content == party_building
    assert admin.get("/api/templates/party_building.docx/download").content == party_building
    assert admin.get("/api/templates/..%2F..%2Fpyproject.toml/download").status_code == 404

    r = upload_template(admin, "dongguan_1plus1", party_building)
    assert r.status_code == 409 and "已存在" in r.json()["detail"]
    r = upload_template(admin, "party_building", party_building)
    assert r.status_code == 409 and "内置模板" in r.json()["detail"]
    r = upload_template(admin, "../evil", party_building)
    assert r.status_code == 422 and "模板名称只能" in r.json()["detail"]
    r = upload_template(admin, "report", b"%PDF-1.4 not a template")
    assert r.status_code == 415
    r = upload_template(admin, "broken", docx_with("甲方：{{ party_a.names }}", "{{ no_such.value }}"))
    assert r.status_code == 422, r.text
    assert [e["variable"] for e in r.json()["errors"]] == ["no_such.value"]
    assert "数据中没有这个变量" in r.json()["errors"][0]["message"]

    r = admin.post("/api/programs", json={"yaml": program_yaml(template="dongguan_1plus1")})
    assert r.status_code == 201, r.text

    events = admin.get("/api/audit", params={"action": "template.upload"}).json()
    assert [e["target"] for e in events] == ["template:dongguan_1plus1"]
    refused = admin.get("/api/audit", params={"action": "template.upload_refused"}).json()
    assert len(refused) == 5 and {e["target"] for e in refused} >= {"template:../evil", "template:broken"}


def test_only_admins_see_or_upload_templates(admin: TestClient) -> None:
    r = admin.post("/api/users", json={"username": "viewer", "password": "glass-orchid-58", "role": "readonly"})
    assert r.status_code == 201, r.text
    create_pengzhou(admin)  # a school account is made for a school of one of the admin's rosters
    r = admin.post(
        "/api/users",
        json={"username": "school", "password": "orchid-lantern-73", "role": "school", "school_name": "彭州市西郊小学"},
    )
    assert r.status_code == 201, r.text
    for who, password in (("viewer", "glass-orchid-58"), ("school", "orchid-lantern-73")):
        other = login_client(admin, who, password)
        assert other.get("/api/templates").status_code == 403
        assert other.get("/api/templates/party_building/download").status_code == 403
        assert upload_template(other, "mine", docx_with("{{ title }}")).status_code == 403
    assert admin.get("/api/audit", params={"action": "template.upload"}).json() == []


# --- 2. sandboxed Jinja ------------------------------------------------------------------------------------


def _touch(marker: Path) -> str:
    return f"touch {marker}"


def static_payloads(marker: Path) -> list[str]:
    """Classic SSTI payloads; each reads a ``_`` attribute the template check sees before anything renders."""
    cmd = _touch(marker)
    return [
        f"{{{{ cycler.__init__.__globals__.os.popen('{cmd}').read() }}}}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        f"{{{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('{cmd}').read() }}}}",
        f"{{{{ lipsum.__globals__['os'].popen('{cmd}').read() }}}}",
        f"{{{{ request.application.__globals__.__builtins__.__import__('os').popen('{cmd}').read() }}}}",
        f"{{{{ config.__class__.__init__.__globals__['os'].popen('{cmd}').read() }}}}",
        f"{{{{ joiner.__init__.__globals__.os.system('{cmd}') }}}}",
    ]


def dynamic_payloads(marker: Path) -> list[str]:
    """Payloads that hide the ``_`` names from a static check: only the sandbox stops them."""
    cmd = _touch(marker)
    return [
        "{% set i = '__in' ~ 'it__' %}{% set g = '__glo' ~ 'bals__' %}"
        f"{{{{ cycler[i][g].os.popen('{cmd}').read() }}}}",
        "{% set c = '__cla' ~ 'ss__' %}{% set m = '__m' ~ 'ro__' %}{% set s = '__subcla' ~ 'sses__' %}"
        "{{ ''[c][m][1][s]() }}",
        "{{ '{0.__init__.__globals__}'.format(cycler) }}",
    ]


def test_classic_ssti_payloads_are_refused_at_upload_and_never_run(client: TestClient, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for i, payload in enumerate(static_payloads(marker)):
        r = upload_template(client, f"ssti{i}", docx_with("甲方：{{ party_a.names }}", payload))
        assert r.status_code == 422, (payload, r.text)
        messages = " ".join(e["message"] for e in r.json()["errors"])
        assert "不允许访问内部属性" in messages or "数据中没有这个变量" in messages, r.text
        assert not marker.exists()
    builtin = len(list(BUILTIN.glob("*.docx")))  # party_building, five_year, three_year, heze_three_year
    assert builtin == 4
    assert [t["source"] for t in client.get("/api/templates").json()] == ["builtin"] * builtin


def test_hidden_ssti_payloads_pass_the_check_but_the_sandbox_refuses_them_in_a_batch(
    client: TestClient, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    payloads = dynamic_payloads(marker)
    r = upload_template(client, "hidden", docx_with("甲方：{{ party_a.names }}", *payloads))
    assert r.status_code == 201, r.text  # nothing a static check can see
    r = client.post("/api/programs", json={"yaml": program_yaml(template="hidden")})
    assert r.status_code == 201, r.text
    program_id = r.json()["id"]
    roster = (PENGZHOU / "roster.txt").read_bytes()
    assert client.post(f"/api/programs/{program_id}/roster", files={"file": ("roster.txt", roster)}).status_code == 200
    job = client.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()
    result = wait_batch(client, job["id"])
    assert result["status"] == "done" and result["failed"] >= 14, result
    assert UNSAFE_MESSAGE in result["error"]
    assert not marker.exists()
    assert_no_server_path(result["error"], tmp_path)


def test_each_hidden_payload_alone_is_stopped_by_the_sandbox(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    program = default_program()
    kind = program.agreements[0]
    from docgen.context import agreement_context
    from docgen.template_check import SAMPLE_GROUP

    context = agreement_context(program, SAMPLE_GROUP, kind)
    for payload in dynamic_payloads(marker):
        compiled = CompiledTemplate.compile(docx_with(payload), "hidden.docx")
        with pytest.raises(TemplateError) as caught:
            compiled.render(context)
        assert caught.value.message == UNSAFE_MESSAGE, payload
        assert not marker.exists()


# --- 4. names become files only after validation -----------------------------------------------------------

BAD_KEYS = [
    "../../etc",
    "/abs",
    "a/../../b",
    "..",
    "Pengzhou",
    "ｐｅｎｇｚｈｏｕ",
    "a\u2215b",
    "a\\b",
    "a\x00b",
    "-lead",
    "a" * 65,
    "a.b",
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_program_keys_that_could_become_paths_are_refused(client: TestClient, key: str, tmp_path: Path) -> None:
    r = client.post("/api/programs", json={"yaml": program_yaml(key=key)})
    assert r.status_code == 422, r.text
    assert "项目 key 只能由小写字母、数字和 - 组成" in r.json()["detail"]
    assert r.json()["errors"][0]["field"] == "key"
    assert_no_server_path(r.text, tmp_path)


def test_program_keys_are_refused_by_the_cli_too(tmp_path: Path) -> None:
    (tmp_path / "program.yaml").write_text(program_yaml(key="../../escape"), "utf-8")
    shutil.copy(PENGZHOU / "roster.txt", tmp_path / "roster.txt")
    result = CliRunner().invoke(
        cli_app, ["generate", str(tmp_path / "roster.txt"), "--out", str(tmp_path / "out"), "--no-pdf"]
    )
    assert result.exit_code == 2
    assert not (tmp_path.parent / "escape.zip").exists() and not list(tmp_path.parent.glob("*.zip"))


HOSTILE = [
    "../../../../evil",
    "/etc/cron.d/evil",
    "..\\..\\..\\evil",
    "a\x00b学校",
    "..",
    ".",
    "CON",
    "很长的学校名称" * 60,
    "x/../../../y",
]


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def test_hostile_school_names_give_safe_file_names_inside_the_output_folder(tmp_path: Path) -> None:
    around = tmp_path / "around"
    out = around / "data" / "out"
    out.mkdir(parents=True)
    (around / "keep.txt").write_text("x")
    before = _files(tmp_path)
    program = default_program()
    groups = tuple(PairGroup(i, (School(name),), (School(HOSTILE[-i]),)) for i, name in enumerate(HOSTILE, start=1))
    templates = load_templates(program, template_reader())
    report = generate_batch(program, Roster(groups), templates, DirectorySink(out, program.key))
    assert report.failures == [], report.failures
    new = _files(tmp_path) - before
    assert new and all(out in p.parents for p in new), sorted(map(str, new - {p for p in new if out in p.parents}))
    docs = out / "documents"
    for p in new:
        rel = p.relative_to(out)
        assert ".." not in rel.parts and all(len(part) <= 124 for part in rel.parts)
        assert "\\" not in str(rel) and "\x00" not in str(rel)
    # the documents themselves are valid Word files with the NUL dropped
    # (the 结对帮扶协议, signed by the schools: the 党建 one prints a blank for a party organisation nobody named)
    some = next(p for p in docs.rglob("*a_b学校*.docx") if "结对帮扶协议" in p.name)
    assert "ab学校" in "\n".join(p.text for p in Document(str(some)).paragraphs)
    with zipfile.ZipFile(out / f"{program.key}.zip") as z:
        for member in z.namelist():
            assert not member.startswith("/") and ".." not in member.split("/") and "\\" not in member


def test_hostile_school_names_through_the_api_give_safe_zip_members(client: TestClient, tmp_path: Path) -> None:
    r = client.post("/api/programs", json={"yaml": PROGRAM_YAML})
    program_id = r.json()["id"]
    rows = [
        "帮扶学校,受援学校",
        "..\\..\\evil小学,a\x00b学校",
        "..,.",  # ("..." would be a placeholder: the importer drops its row, docs/roster.md)
        f"{'很长的学校名称' * 60},正常小学",
        "CON,aux.",
    ]
    r = client.post(
        f"/api/programs/{program_id}/roster", files={"file": ("roster.csv", ("\n".join(rows) + "\n").encode())}
    )
    assert r.status_code == 200, r.text
    before = _files(tmp_path)
    job = client.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()
    finished = wait_batch(client, job["id"])
    assert finished["status"] == "done", finished["error"]
    new = _files(tmp_path) - before
    assert all((tmp_path / "data") in p.parents for p in new)
    archive = client.get(f"/api/batches/{job['id']}/download").content
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        members = z.namelist()
    assert len(members) > 3
    for member in members:
        assert not member.startswith("/") and ".." not in member.split("/") and "\\" not in member
        assert "\x00" not in member and all(len(part) <= 124 for part in member.split("/"))


def test_reasons_shown_to_users_carry_no_server_path() -> None:
    from api.services.errors import SERVER_PATH, public_text

    leaked = "[Errno 2] No such file or directory: '/srv/docgen/var/blobs/ab/cd/abcd'"
    assert public_text(leaked) == f"[Errno 2] No such file or directory: '{SERVER_PATH}'"
    assert public_text("C:\\docgen\\var\\x.docx 无法打开") == f"{SERVER_PATH} 无法打开"
    kept = "word/document.xml 段落“甲方”；见 http://example.com/a/b；日期 2019/04/01"
    assert public_text(kept) == kept


def test_the_cli_takes_the_templates_folder_as_an_option(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    shutil.copytree(BUILTIN, folder)
    (folder / "party_building.docx").unlink()
    roster = tmp_path / "r" / "roster.txt"
    roster.parent.mkdir()
    shutil.copy(PENGZHOU / "roster.txt", roster)
    args = ["generate", str(roster), "--out", str(tmp_path / "out"), "--no-pdf", "--no-forms"]
    missing = CliRunner().invoke(cli_app, [*args, "--templates", str(folder)])
    assert missing.exit_code == 2 and "找不到这个模板" in missing.output
    assert str(folder) not in missing.output
    ok = CliRunner().invoke(cli_app, args)
    assert ok.exit_code == 0, ok.output


def test_two_bureaus_may_each_have_a_template_of_the_same_name_and_learn_nothing_of_the_other(
    admin: TestClient,
) -> None:
    """Template names are per bureau: a second bureau's upload of a name the first used is no 409 (that answer
    told it what another bureau had); each lists, downloads and generates with its own. Usernames stay one
    namespace (a login names no bureau), and a taken one is refused without its spelling (docs/security.md)."""
    r = admin.post("/api/users", json={"username": "Bureau-B", "password": "quiet-harbor-5170", "role": "admin"})
    assert r.status_code == 201, r.text
    other = login_client(admin, "Bureau-B", "quiet-harbor-5170")
    ours, theirs = docx_with("甲局协议书 {{ party_a.names }}"), docx_with("乙局协议书 {{ party_a.names }}")
    assert upload_template(admin, "county_plan", ours, title="甲局").status_code == 201
    r = upload_template(other, "county_plan", theirs, title="乙局")
    assert r.status_code == 201, r.text
    assert upload_template(admin, "county_plan", ours).status_code == 409  # its own bureau's: taken
    for client, data, title in ((admin, ours, "甲局"), (other, theirs, "乙局")):
        listed = [t for t in client.get("/api/templates").json() if t["name"] == "county_plan"]
        assert [t["title"] for t in listed] == [title]
        assert client.get("/api/templates/county_plan/download").content == data
    # the other bureau's program generates with its own template of that name
    r = other.post("/api/programs", json={"yaml": program_yaml(template="county_plan", key="bureau-b-2019")})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    roster = (PENGZHOU / "roster.txt").read_bytes()
    assert other.post(f"/api/programs/{pid}/roster", files={"file": ("roster.txt", roster)}).status_code == 200
    job = other.post(f"/api/programs/{pid}/batches", json={"pdf": False}).json()
    assert wait_batch(other, job["id"])["status"] == "done"
    agreement = next(d for d in other.get(f"/api/programs/{pid}/documents").json() if d["format"] == "docx"
                     and d["kind"] != "" and "协议" in d["title"])  # fmt: skip
    text = docx_text(other.get(f"/api/documents/{agreement['id']}/download").content)
    assert "乙局协议书" in text and "甲局协议书" not in text
    # a username another bureau holds: refused, without its spelling, role or bureau
    r = other.post("/api/users", json={"username": "aDmIn", "password": "quiet-harbor-5171", "role": "readonly"})
    assert r.status_code == 409 and "已被使用" in r.json()["detail"], r.text
    assert "admin" not in r.json()["detail"] and "管理员" not in r.json()["detail"]  # its own spelling only
