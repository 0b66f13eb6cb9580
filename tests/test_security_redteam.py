"""Red-team regressions (issue 7 follow-up): attacks that worked against the service, and attacks that failed
but no other test performed. Each runs against the real app (TestClient over ``create_app``) and asserts
that the attack fails. See docs/security.md for the rules these attacks test.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit.docx_text import docx_text
from testkit.forms import stats_docx
from tests.api_fixtures import (
    ADMIN_PASSWORD,
    PENGZHOU,
    ROOT,
    TestClient,
    admin,
    browser_like,
    create_pengzhou,
    database_url,
    login_client,
    make_settings,
    running_client,
    settings,
    wait_batch,
    wait_record,
)

__all__ = ["admin", "database_url", "settings"]  # fixtures used by name

PASSWORD = "Quartz-Meadow-7731"
XIJIAO = "彭州市西郊小学"  # pair 03
LANTIAN = "彭州市通济镇蓝天小学"  # pair 07
PROGRAM_YAML = (PENGZHOU / "program.yaml").read_text("utf-8")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """An admin client on SQLite, for attacks that do not depend on the database."""
    with running_client(make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}")) as c:
        yield c


def _user(admin: TestClient, name: str, role: str, programs: list[int], school: str | None = None) -> TestClient:
    body = {"username": name, "password": PASSWORD, "role": role, "school_name": school, "programs": programs}
    r = admin.post("/api/users", json=body)
    assert r.status_code == 201, r.text
    return login_client(admin, name, PASSWORD)


def _upload(client: TestClient, program_id: int, name: str, data: bytes) -> dict[str, Any]:
    r = client.post(f"/api/programs/{program_id}/uploads", files=[("files", (name, data))])
    assert r.status_code == 202, r.text
    return dict(r.json()[0])


def _batch(client: TestClient, program_id: int) -> int:
    r = client.post(f"/api/programs/{program_id}/batches", json={"pdf": False})
    assert r.status_code == 202, r.text
    job_id = int(r.json()["id"])
    assert wait_batch(client, job_id)["status"] == "done"
    return job_id


# --- found + fixed: a 404 told that another program's object exists, and which program it belongs to -------


def test_another_programs_objects_get_the_same_404_as_ids_that_do_not_exist(admin: TestClient) -> None:
    """Before: ``GET /api/records/1`` by another bureau answered 404 ``项目 1 不存在`` and a missing id
    ``记录 999 不存在`` — the difference told that record 1 exists and belongs to program 1. Same for uploads,
    crops, documents, batches, corrections, regenerated documents and every write on them."""
    ours = create_pengzhou(admin)
    upload = _upload(admin, ours, "03.docx", stats_docx("03"))
    record = wait_record(admin, upload["id"])
    job = _batch(admin, ours)
    document = admin.get(f"/api/programs/{ours}/documents").json()[0]["id"]
    bureau_b = _user(admin, "bureau-b", "admin", [])
    theirs = create_pengzhou(bureau_b)
    their_school = _user(bureau_b, "lantian-b", "school", [theirs], LANTIAN)
    missing = 999_999

    routes = [
        ("GET", "/api/records/{}", record["id"]),
        ("GET", "/api/records/{}/corrections", record["id"]),
        ("GET", "/api/records/{}/document", record["id"]),
        ("PATCH", "/api/records/{}", record["id"]),
        ("GET", "/api/uploads/{}", upload["id"]),
        ("GET", "/api/uploads/{}/crop?x0=0&y0=0&x1=10&y1=10", upload["id"]),
        ("GET", "/api/documents/{}/download", document),
        ("GET", "/api/batches/{}", job),
        ("GET", "/api/batches/{}/download", job),
        ("POST", "/api/batches/{}/cancel", job),
    ]
    for attacker in (bureau_b, their_school):
        for method, path, real in routes:
            body = {"path": "fields/填报单位", "value": "x"} if method == "PATCH" else None
            hit = attacker.request(method, path.format(real), json=body)
            miss = attacker.request(method, path.format(missing), json=body)
            assert hit.status_code == miss.status_code == 404, (path, hit.text, miss.text)
            assert hit.json()["detail"] == miss.json()["detail"].replace(str(missing), str(real)), (path, hit.text)
            assert "项目" not in hit.json()["detail"]
    # admin-only writes answer 404 the same way to another bureau's admin
    admin_writes = [("POST", "/api/documents/{}/regenerate", document), ("POST", "/api/records/{}/pair", record["id"])]
    for method, path, real in admin_writes:
        body = {"pair": "03"} if path.endswith("pair") else None
        hit = bureau_b.request(method, path.format(real), json=body)
        miss = bureau_b.request(method, path.format(missing), json=body)
        assert hit.status_code == miss.status_code == 404
        assert hit.json()["detail"] == miss.json()["detail"].replace(str(missing), str(real))
    assert admin.get(f"/api/records/{record['id']}").status_code == 200  # the owner still reads it


# --- found + fixed: uploaded templates were shared by every bureau ---------------------------------------


def test_another_bureaus_uploaded_template_is_not_listed_downloaded_or_named_by_a_program(admin: TestClient) -> None:
    """Before: any admin listed every uploaded template (with its uploader and title), downloaded it and could
    name it in its own program.yaml."""
    template = (ROOT / "docgen" / "templates" / "party_building.docx").read_bytes()
    r = admin.post(
        "/api/templates", files={"file": ("t.docx", template)}, data={"name": "bureau_a_own", "title": "甲局内部协议"}
    )
    assert r.status_code == 201, r.text
    ours = create_pengzhou(admin)
    fellow = _user(admin, "bureau-a-2", "admin", [ours])  # a fellow admin of bureau A sees it
    bureau_b = _user(admin, "bureau-b", "admin", [])

    assert "bureau_a_own" in {t["name"] for t in fellow.get("/api/templates").json()}
    assert fellow.get("/api/templates/bureau_a_own/download").content == template
    listed = bureau_b.get("/api/templates").json()
    assert "bureau_a_own" not in {t["name"] for t in listed}
    assert {t["name"] for t in listed} >= {"party_building", "five_year", "three_year"}
    assert "甲局内部协议" not in str(listed)
    missing = bureau_b.get("/api/templates/no_such_template/download")
    theirs = bureau_b.get("/api/templates/bureau_a_own/download")
    assert theirs.status_code == missing.status_code == 404 and theirs.json() == missing.json()

    yaml = PROGRAM_YAML.replace("template: party_building.docx", "template: bureau_a_own")
    refused = bureau_b.post("/api/programs", json={"yaml": yaml})
    assert refused.status_code == 422, refused.text
    assert "bureau_a_own" in refused.json()["detail"]
    assert bureau_b.get("/api/programs").json() == []
    # its own bureau may (under a key of its own: the bureau already has the 彭州 program's key — issue 11)
    own_key = yaml.replace("key: pengzhou-heishui-2019", "key: bureau-a-second", 1)
    assert fellow.post("/api/programs", json={"yaml": own_key}).status_code == 201


# --- found + fixed: YAML aliases in program.yaml ---------------------------------------------------------

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['x'] * 9)}]\n"
    for prev, name in zip([None, "a", "b", "c", "d", "e", "f", "g"], "abcdefgh", strict=True)
)


def test_yaml_aliases_in_a_program_are_refused_at_once(client: TestClient) -> None:
    """Before: nine nested aliases (``name: *h``) took the service 21 s of CPU on the event loop (the error
    message's ``repr`` of 43 million strings) — every other request waited."""
    yaml = PROGRAM_YAML.replace("key: pengzhou-heishui-2019", LAUGHS + "key: pengzhou-heishui-2019").replace(
        "name: 彭州·黑水“校校结对”", "name: *h"
    )
    started = time.monotonic()
    r = client.post("/api/programs", json={"yaml": yaml})
    assert time.monotonic() - started < 3
    assert r.status_code == 422, r.text[:300]
    assert "YAML 别名" in r.json()["detail"] and len(r.text) < 2000
    assert client.get("/api/programs").json() == []


# --- held, not covered elsewhere ----------------------------------------------------------------------------

HOSTILE_ROSTER = (
    "支援学校,受援学校,支援学校联系人\n"
    "{{ 7*7 }}小学,黑水{{ 8*8 }}中学,{{ 9*9 }}\n"
    "=1+2学校,<img src=x onerror=alert(2)>学校,-3+3\n"
    '{% raw %}小学,@SUM(1)中学,"=HYPERLINK(""http://x"")"\n'
)


def test_template_syntax_in_program_and_roster_values_comes_out_literally(client: TestClient) -> None:
    """Values are data, never template source: ``{{ 7*7 }}`` in a school name prints as typed in every
    document, the ZIP's 清单.csv carries no formula, and a hostile title cannot split a download's headers."""
    yaml = (
        PROGRAM_YAML.replace("key: pengzhou-heishui-2019", "key: ssti-2019")
        .replace("document_number: 彭教育人事发〔2019〕8号", "document_number: '{% if 1 %}甲{% endif %}${7*7}'")
        .replace("title: 学校党建共建协议书", "title: '{{ 7*7 }}协议书\"; filename=evil.exe'")
    )
    r = client.post("/api/programs", json={"yaml": yaml})
    assert r.status_code == 201, r.text
    program = r.json()["id"]
    r = client.post(f"/api/programs/{program}/roster", files={"file": ("roster.csv", HOSTILE_ROSTER.encode())})
    assert r.status_code == 200, r.text
    job = _batch(client, program)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/batches/{job}/download").content))

    texts = {n: docx_text(archive.read(n)) for n in archive.namelist() if n.endswith(".docx")}
    assert len(texts) == 15
    agreement = next(t for n, t in texts.items() if n.startswith("01_") and "协议书" in n)
    for literal in ("{% if 1 %}甲{% endif %}${7*7}", "{{ 7*7 }}协议书"):
        assert literal in agreement, literal
    # the party-building agreement of schools whose party organisations nobody named is a draft with blanks
    # for them; the pair's forms print the schools as the roster wrote them
    pair = "\n".join(t for n, t in texts.items() if n.startswith("01_"))
    for literal in ("{{ 7*7 }}小学", "黑水{{ 8*8 }}中学"):
        assert literal in pair, literal
    assert "49小学" not in pair and "64中学" not in pair and "49协议书" not in agreement
    assert any("{% raw %}小学" in t for t in texts.values())

    rows = list(csv.reader(io.StringIO(archive.read("清单.csv").decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert "'=1+2学校" in cells and "'@SUM(1)中学" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]

    for doc in client.get(f"/api/programs/{program}/documents").json():
        disposition = client.get(f"/api/documents/{doc['id']}/download").headers["content-disposition"]
        assert disposition.startswith("attachment; filename*=UTF-8''") and '"' not in disposition
        assert ";" not in disposition.removeprefix("attachment;")


def test_zip_members_named_as_paths_or_symlinks_are_labels_or_refused(client: TestClient, tmp_path: Path) -> None:
    """``../../x``, absolute and Windows paths inside an uploaded ZIP are only labels; a symlink member is
    refused (its bytes are a path, not a form); nothing lands outside the data directory."""
    program = create_pengzhou(client)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for i, name in enumerate(("../../x.docx", "/tmp/abs.docx", "..\\..\\win.docx", "a/../../../b.docx")):
            z.writestr(name, stats_docx("03", activities=(f"活动{i}",)))
        link = zipfile.ZipInfo("link.docx")
        link.create_system = 3  # unix
        link.external_attr = 0o120777 << 16  # S_IFLNK
        z.writestr(link, "/etc/passwd")
    r = client.post(f"/api/programs/{program}/uploads", files=[("files", ("trav.zip", archive.getvalue()))])
    assert r.status_code == 202, r.text
    entries = {e["name"]: e for e in r.json()}
    assert set(entries) == {"x.docx", "abs.docx", "win.docx", "b.docx", "link.docx"}
    link = entries["link.docx"]
    assert link["status"] == "rejected" and link["id"] is None and "link.docx" in link["error"]  # bytes are a path
    assert all(e["status"] == "received" for n, e in entries.items() if n != "link.docx")
    assert not (tmp_path.parent / "x.docx").exists() and not Path("/tmp/abs.docx").exists()
    assert not list(tmp_path.rglob("x.docx")) and not list(tmp_path.rglob("win.docx"))


def test_a_locked_account_stays_locked_under_every_spelling_and_forwarded_address(
    tmp_path: Path, database_url: str
) -> None:
    """Upper case, full-width letters, outer spaces and a forged ``X-Forwarded-For`` are the same account's
    counter; none of them lets a sixth guess through."""
    with running_client(make_settings(tmp_path / "data", database_url), login=None) as anon:
        for i in range(5):
            r = anon.post("/api/auth/login", json={"username": "admin", "password": f"wrong-{i}"})
            assert r.status_code == 401
        for name, headers in [
            ("admin", {}),
            ("ADMIN", {}),
            ("ａｄｍｉｎ", {}),
            ("  admin  ", {}),
            ("Admin", {"X-Forwarded-For": "10.9.8.7"}),
            ("admin", {"X-Real-IP": "10.1.1.1", "Forwarded": "for=10.2.2.2"}),
        ]:
            r = anon.post("/api/auth/login", json={"username": name, "password": ADMIN_PASSWORD}, headers=headers)
            assert r.status_code == 429, (name, headers, r.text)
            assert "set-cookie" not in r.headers


def test_a_session_cookie_planted_before_login_is_replaced_and_never_valid(admin: TestClient) -> None:
    """Session fixation: a ``docgen_session`` set by a sibling site before the victim logs in is not adopted;
    the login answers a fresh session, and logout ends it on the server."""
    victim = browser_like(TestClient(admin.app))
    victim.cookies.set("docgen_session", "planted-by-attacker")
    r = victim.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert r.status_code == 200
    issued = [c for c in r.headers.get_list("set-cookie") if c.startswith("docgen_session=")]
    assert issued and "planted-by-attacker" not in issued[0]
    planted = TestClient(admin.app, cookies={"docgen_session": "planted-by-attacker"})
    assert planted.get("/api/me").status_code == 401
    session = issued[0].split(";")[0].split("=", 1)[1]
    own = TestClient(admin.app, cookies={"docgen_session": session, "docgen_csrf": r.cookies["docgen_csrf"]})
    assert own.get("/api/me").status_code == 200
    csrf = {"Origin": "http://testserver", "X-CSRF-Token": r.cookies["docgen_csrf"]}
    out = own.post("/api/auth/logout", headers=csrf)
    assert out.status_code == 204, out.text
    replay = TestClient(admin.app, cookies={"docgen_session": session})
    assert replay.get("/api/me").status_code == 401


def test_template_syntax_typed_into_a_record_comes_out_literally_in_its_regenerated_form(admin: TestClient) -> None:
    """A school's corrected values (and the cells of the form it returned) are rendered into the regenerated
    统计表 as text: ``{{ 7*7 }}`` prints as typed, a loop does not run, an XML fragment stays text."""
    program = create_pengzhou(admin)
    school = _user(admin, "xijiao", "school", [program], XIJIAO)
    record = wait_record(school, _upload(school, program, "03.docx", stats_docx("03", activities=("{% raw %}",)))["id"])
    payloads = ["{{ 7*7 }}", "{% for i in range(99999999) %}x{% endfor %}", "]]><w:t>注入</w:t>"]
    for column, value in enumerate(payloads, start=5):
        r = school.patch(f"/api/records/{record['id']}", json={"path": f"tables/0/rows/0/{column}", "value": value})
        assert r.status_code == 200, r.text
    r = school.patch(f"/api/records/{record['id']}", json={"path": "fields/填报单位", "value": "{{ 8*8 }}"})
    assert r.status_code == 200, r.text
    started = time.monotonic()
    answer = school.get(f"/api/records/{record['id']}/document")
    assert answer.status_code == 200, answer.text
    assert time.monotonic() - started < 10
    text = docx_text(answer.content)
    for literal in [*payloads, "{{ 8*8 }}", "{% raw %}"]:
        assert literal in text, literal
    assert "xxxxxxxx" not in text


@pytest.mark.slow
def test_hostile_names_in_the_web_ui_are_shown_as_text_and_nothing_runs(tmp_path: Path) -> None:
    """Program, school and file names carrying HTML and script are shown as text on every screen: no dialog
    opens, no element is injected, the browser reports no CSP violation (which an injected handler would cause)."""
    from tests.live_server import docgen_serve
    from tests.test_security import chromium
    from tests.ui_fixtures import ADMIN, TIMEOUT_MS, api_json, csp_violations, login, watch_console, write_headers

    hostile = "<img src=x onerror=alert(1)>"
    yaml = PROGRAM_YAML.replace("key: pengzhou-heishui-2019", "key: xss-2019").replace(
        "name: 彭州·黑水“校校结对”", f"name: '{hostile}结对<script>alert(2)</script>'"
    )
    env = {"DOCGEN_ADMIN_USERNAME": ADMIN[0], "DOCGEN_ADMIN_PASSWORD": ADMIN[1]}
    data = tmp_path / "data"
    data.mkdir()
    with docgen_serve(data, env) as base, chromium() as browser:
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        console = watch_console(page)
        login(page, base, ADMIN)
        program = api_json(page, "POST", f"{base}/api/programs", {"yaml": yaml})["id"]
        res = page.request.post(
            f"{base}/api/programs/{program}/roster",
            headers=write_headers(page, base),
            multipart={"file": {"name": "roster.csv", "mimeType": "text/csv", "buffer": HOSTILE_ROSTER.encode()}},
        )
        assert res.status == 200, res.text()
        form = stats_docx("01", unit=hostile, activities=(hostile, '"><svg onload=alert(3)>'), program="xss-2019")
        res = page.request.post(
            f"{base}/api/programs/{program}/uploads",
            headers=write_headers(page, base),
            multipart={"files": {"name": f"{hostile}.docx", "mimeType": "application/octet-stream", "buffer": form}},
        )
        assert res.status == 202, res.text()
        upload = res.json()[0]["id"]
        for _ in range(300):
            record = api_json(page, "GET", f"{base}/api/uploads/{upload}")["record_id"]
            if record:
                break
            page.wait_for_timeout(100)
        assert record

        screens = ["#/programs", *(f"#/programs/{program}/{tab}" for tab in ("roster", "batch", "uploads", "review")),
                   f"#/records/{record}", "#/programs/%3Cimg%20src%3Dx%20onerror%3Dalert(4)%3E/roster"]  # fmt: skip
        shown = 0
        for screen in screens:
            page.goto(f"{base}/{screen}")
            page.wait_for_timeout(800)
            injected = page.evaluate(
                "document.querySelectorAll('#view img, #view svg, #view script, [onerror], [onload]').length"
            )
            assert injected == 0, screen
            shown += "onerror=alert(1)" in page.inner_text("#view")
        assert shown >= 4  # the hostile text is there, as text, on most screens
        assert dialogs == [] and not csp_violations(console), (dialogs, console)
        context.close()
