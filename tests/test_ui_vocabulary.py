"""The web UI binds to the API's schemas: one vocabulary of codes and their words (issue 8, item 7; issue 11).

* every code a response model can hold (a status, a role, a form kind) has Chinese words in /api/vocabulary —
  read from the OpenAPI schema, where each such field names its vocabulary (``x-vocabulary``);
* app.js reads the fields the API declares (no ``a ?? b ?? c`` over field names) and holds no code of its own
  except the few listed below;
* in a real browser the records screen shows 完整/待审核/无法读取 and form titles, and no code at all.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.settings import Settings
from docgen.extraction import FormStatus, InputKind
from docgen.forms import load_schemas
from docgen.review import CORRECTED
from tests.api_fixtures import TestClient, make_settings, running_client
from tests.live_server import docgen_serve

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "api" / "static"


def ui_source() -> str:
    """The web UI's own JavaScript: app.js and its screen modules (api/static/ui/)."""
    files = [STATIC / "app.js", *sorted((STATIC / "ui").glob("*.js"))]
    return "\n".join(f.read_text("utf-8") for f in files)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app on SQLite, no one logged in (the vocabulary needs no session)."""
    settings: Settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}")
    with running_client(settings, login=None) as c:
        yield c


def vocabulary_of(client: TestClient) -> dict[str, dict[str, str]]:
    r = client.get("/api/vocabulary")
    assert r.status_code == 200, r.text
    body: dict[str, dict[str, str]] = r.json()
    return body


# ------------------------------------------------------------------------------ (a) codes and their words


def test_the_vocabulary_is_served_without_a_session_and_has_chinese_words_for_every_code(client: TestClient) -> None:
    vocab = vocabulary_of(client)
    assert vocab["record_status"] == {"complete": "完整", "needs_review": "待审核", "unreadable": "无法读取"}
    assert set(vocab["role"]) == {"admin", "school", "readonly"}
    assert set(vocab["batch_status"]) == {"queued", "running", "done", "failed", "cancelled"}
    assert set(vocab["upload_status"]) == {"received", "processing", "done", "failed", "rejected"}
    for name, words in vocab.items():
        assert words, name
        for code, label in words.items():
            assert CJK.search(label) or name == "input_kind", f"{name}.{code}: {label!r} is not Chinese"
            assert label != code, f"{name}.{code} has no words of its own"
        assert len(set(words.values())) == len(words), f"two codes of {name} read the same: {words}"


def _enum_codes(node: Any, components: dict[str, Any], vocabulary: str | None) -> Iterator[tuple[set[str], str | None]]:
    """Each set of codes (``enum``/``const``) under a schema node, with the ``x-vocabulary`` named on the way."""
    if not isinstance(node, dict):
        return
    vocabulary = node.get("x-vocabulary", vocabulary)
    if "$ref" in node:
        yield from _enum_codes(components[node["$ref"].rsplit("/", 1)[1]], components, vocabulary)
    if "enum" in node:
        yield {str(c) for c in node["enum"]}, vocabulary
    if "const" in node:
        yield {str(node["const"])}, vocabulary
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(key, []):
            yield from _enum_codes(sub, components, vocabulary)
    if "items" in node:
        yield from _enum_codes(node["items"], components, vocabulary)


# query parameters that filter by a code the UI offers in words; file formats (?format=docx) are not shown
FILTERS = {"status", "role", "form"}


def _named(node: Any) -> Iterator[str]:
    """Every ``x-vocabulary`` written in a schema node (not following ``$ref``)."""
    if isinstance(node, dict):
        if "x-vocabulary" in node:
            yield node["x-vocabulary"]
        for value in node.values():
            yield from _named(value)
    elif isinstance(node, list):
        for value in node:
            yield from _named(value)


def test_every_code_a_response_model_can_hold_has_words_in_the_vocabulary(client: TestClient) -> None:
    """Walk the OpenAPI schema: every field of a request or response model (and every filter parameter) whose type
    lists codes names the vocabulary that has them in words, and that vocabulary has words for each code."""
    vocab = vocabulary_of(client)
    openapi = client.get("/openapi.json").json()
    components: dict[str, Any] = openapi["components"]["schemas"]
    places: dict[str, Any] = {}
    for model, schema in components.items():
        if model == "VocabularyOut":
            continue  # its keys are the codes themselves
        for field, prop in schema.get("properties", {}).items():
            places[f"{model}.{field}"] = prop
    for path, operations in openapi["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                if param["name"] in FILTERS:
                    places[f"{method.upper()} {path} ?{param['name']}"] = param["schema"]
    checked: dict[str, str] = {}
    for where, schema in places.items():
        for codes, name in _enum_codes(schema, components, None):
            assert name is not None, f"{where} holds codes {sorted(codes)} but names no vocabulary (x-vocabulary)"
            assert name in vocab, f"{where} names the vocabulary {name!r}, which /api/vocabulary does not serve"
            missing = codes - set(vocab[name])
            assert not missing, f"{where}: no words in vocabulary {name!r} for {sorted(missing)}"
            checked[where] = name
        for name in _named(schema):  # also a code with no enum (form kinds are data: docgen/forms/*.yaml)
            assert name in vocab, f"{where} names the vocabulary {name!r}, which /api/vocabulary does not serve"
            checked.setdefault(where, name)
    # the walk reached the fields the web UI shows (so it cannot pass by finding nothing)
    assert checked["RecordOut.status"] == "record_status"
    assert checked["UploadOut.status"] == "upload_status"
    assert checked["UploadReceived.status"] == "upload_status"
    assert checked["BatchOut.status"] == "batch_status"
    assert checked["UserOut.role"] == "role"
    assert checked["TemplateOut.source"] == "template_source"
    assert checked["RecordOut.form"] == "form"
    assert checked["GET /api/records ?status"] == "record_status"
    assert checked["GET /api/uploads ?status"] == "upload_status"
    # the domain's own enums are the ones the API declares (not a copy of their codes)
    assert set(components["FormStatus"]["enum"]) == {s.value for s in FormStatus}


def test_the_vocabulary_takes_the_domain_words_where_the_domain_has_them(client: TestClient) -> None:
    vocab = vocabulary_of(client)
    assert vocab["form"] == {kind: schema.title for kind, schema in load_schemas().items()}
    assert vocab["form"]["activity_stats"] == "教育交流活动情况统计表"
    assert vocab["input_kind"] == {k.value: k.label for k in InputKind}
    assert vocab["record_status"] == {s.value: s.label for s in FormStatus}


def test_every_flag_the_domain_sets_on_a_value_has_words(client: TestClient) -> None:
    """A value's ``flags`` are shown to a reviewer (待核对): each flag any docgen module sets has words."""
    # literals appended or returned as flags, a flag passed as a guess's flag, a flag constant (AMBIGUOUS = "…")
    setting = re.compile(r"""(?:\(\*flags, |flags\.append\(|flags = \(|return s, \(|guess_flag(?:: str)? ?= ?"""
                         r"""(?:[^"\n]* else )?|^AMBIGUOUS = )"([a-z_]+)\"""", re.M)
    flags = {CORRECTED}
    for source in (ROOT / "docgen").rglob("*.py"):
        flags |= set(setting.findall(source.read_text("utf-8")))
    assert {"invalid_phone", "indeterminate_date", "low_confidence", "label_guessed", "column_missing",
            "label_ambiguous"} <= flags
    assert len(flags) >= 15, flags
    missing = flags - set(vocabulary_of(client)["value_flag"])
    assert not missing, f"flags without words in docgen.values.FLAG_TEXT: {sorted(missing)}"


# ------------------------------------------------------------------------------ (b) app.js binds, holds no codes

# `x ?? y.z` / `x || y.z`: a fallback to another field when the first is missing — guessing the API's shape.
# (`a || b.c < d` is a condition, not a fallback: a field read compared or called is left alone.)
FIELD_FALLBACK = re.compile(r"(\?\?|\|\|)\s*[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)++(?!\s*(?:[=!<>(]))")
QUOTED = re.compile(r"""(['"`])([^'"`\n]*)\1""")

# The only codes app.js may spell out, each with the line it stands in: what a role may do (the UI hides what
# the API would refuse) and the flag of a value a person typed (its mark is the CSS class the e2e test selects).
# No code is sent to the API from a literal: the 状态 filter's options come from the vocabulary.
ALLOWED_CODES = {
    ("school", "export const isStaff = () => state.me && state.me.role !== 'school';"),
    ("admin", "export const isAdmin = () => state.me && state.me.role === 'admin';"),
    ("readonly", "export const canWrite = () => state.me && state.me.role !== 'readonly';"),
    ("school", "export const needsSchool = (role) => role === 'school';"),
    ("corrected", "const isCorrected = (v) => v.flags.includes('corrected');"),
    ("corrected", "isCorrected(v) && !isFlaggedValue ? h('span', { class: 'corrected' }, '已改') : null);"),
}


def code_literals(source: str, codes: set[str]) -> list[tuple[str, str]]:
    """(code, line) for every quoted string in ``source`` that is exactly one of ``codes``."""
    found = []
    for line in source.splitlines():
        line = re.sub(r"\s+// .*$", "", line).strip()  # the code, not its comment
        for _, content in QUOTED.findall(line):
            if content in codes:
                found.append((content, line))
    return found


def test_the_static_checks_catch_what_the_old_web_ui_did() -> None:
    """The checks below can fail: they find the fallback chains and code tables app.js used to have."""
    old = """
      h('td', { class: 'num' }, p.number ?? p.seq ?? p.index ?? i + 1),
      box.querySelector('x').textContent = me.display_name ?? me.name ?? me.username;
      h('td', {}, d.title || d.kind || ''),
      const RECORD_STATUS = { complete: '完整', needs_review: '待审核' };
      const BUSY_UPLOAD = new Set(['received', 'queued', 'processing']);
    """
    assert len(FIELD_FALLBACK.findall(old)) == 5  # p.seq, p.index, me.name, me.username, d.kind
    assert [c for c, _ in code_literals(old, {"received", "processing", "needs_review"})] == ["received", "processing"]


def test_app_js_reads_the_fields_the_api_declares_without_fallback_chains() -> None:
    source = ui_source()
    chains = [line.strip() for line in source.splitlines() if FIELD_FALLBACK.search(line)]
    assert not chains, "fallbacks over field names in app.js:\n" + "\n".join(chains)


def test_app_js_holds_no_code_or_label_of_its_own(client: TestClient) -> None:
    """Every code and its words come from /api/vocabulary: app.js spells no status, role, form kind or flag
    (except ALLOWED_CODES) and no vocabulary label."""
    vocab = vocabulary_of(client)
    source = ui_source()
    codes = {code for name, words in vocab.items() if name != "input_kind" for code in words}
    found = set(code_literals(source, codes))
    assert found - ALLOWED_CODES == set(), f"codes spelled out in app.js: {sorted(found - ALLOWED_CODES)}"
    assert ALLOWED_CODES - found == set(), f"allowed uses no longer in app.js (drop them): {ALLOWED_CODES - found}"
    labels = {label for words in vocab.values() for label in words.values()}
    own = sorted({content for _, content in QUOTED.findall(source) if content in labels})
    assert not own, f"vocabulary words spelled out in app.js (take them from /api/vocabulary): {own}"


# ------------------------------------------------------------------------------ (c) a real browser

CHROMIUM = Path("/usr/bin/chromium")
ADMIN = ("bureau-clerk", "lantern-river-4821")
IDENTITY = "DG1:pengzhou-heishui-2019:03"
SAMPLE = ROOT / "samples" / "pengzhou_heishui"


def _docx(lines: list[str]) -> bytes:
    from docx import Document

    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _broken_docx() -> bytes:
    """A Word file whose document.xml is not XML: it is received and read, and its record is unreadable."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "not xml at all")
    return out.getvalue()


LIAISON = _docx([
    "联络员回执", f"表单识别码：{IDENTITY}:liaison_reply:1", "学校：彭州市西郊小学", "联络员姓名：张三",
    "联络员职务：教务主任", "联络员电话：1381234", "分管领导姓名：李四", "分管领导职务：副校长",
    "分管领导电话：138 1234 5678", "填报日期：2019年3月18日",
])


def _raw_codes(text: str, codes: set[str]) -> list[str]:
    """Codes standing as words in ``text`` (not inside a file name such as ``回执.docx``)."""
    return sorted(c for c in codes if re.search(rf"(?<![\w.-]){re.escape(c)}(?![\w-])", text))


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed")
def test_the_records_screen_shows_statuses_and_form_titles_in_words_and_no_code(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from testkit.forms import stats_docx
    from tests.ui_fixtures import CHROMIUM_ARGS, api_json, login, shot, write_headers

    env = {"DOCGEN_ADMIN_USERNAME": ADMIN[0], "DOCGEN_ADMIN_PASSWORD": ADMIN[1]}
    with docgen_serve(tmp_path, env) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "warning" else None)
        refused: list[str] = []  # every call the UI made that the API refused
        page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        login(page, base, ADMIN)
        expect(page.get_by_test_id("user-role")).to_have_text("管理员")
        vocab = api_json(page, "GET", f"{base}/api/vocabulary")
        codes = {code for name, words in vocab.items() if name != "input_kind" for code in words}

        res = page.request.post(f"{base}/api/programs", headers=write_headers(page, base), multipart={"file": {
            "name": "program.yaml", "mimeType": "text/yaml", "buffer": (SAMPLE / "program.yaml").read_bytes()}})
        assert res.ok, res.text()
        program = res.json()["id"]
        res = page.request.post(f"{base}/api/programs/{program}/roster", headers=write_headers(page, base),
                                multipart={"file": {"name": "roster.txt", "mimeType": "text/plain",
                                                    "buffer": (SAMPLE / "roster.txt").read_bytes()}})
        assert res.ok, res.text()

        # three returned forms through the upload screen: complete, needs review (a bad phone), unreadable
        page.goto(f"{base}/#/programs/{program}/uploads")
        docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        page.get_by_test_id("upload-input").set_input_files(files=[
            {"name": "西郊小学统计表.docx", "mimeType": docx, "buffer": stats_docx()},
            {"name": "西郊小学联络员回执.docx", "mimeType": docx, "buffer": LIAISON},
            {"name": "损坏的文件.docx", "mimeType": docx, "buffer": _broken_docx()},
        ])
        statuses = page.get_by_test_id("uploads-table").get_by_test_id("upload-status")
        expect(statuses.filter(has_text="已识别")).to_have_count(3, timeout=120_000)  # read: the broken one too
        uploads_text = page.locator("body").inner_text()
        assert not _raw_codes(uploads_text, codes), _raw_codes(uploads_text, codes)

        # the records screen: each record's status and form in words
        page.get_by_test_id("tab-review").click()
        rows = page.get_by_test_id("records-table").get_by_test_id("record-row")
        expect(rows).to_have_count(3)
        by_file = {
            "西郊小学统计表.docx": ("完整", "教育交流活动情况统计表"),
            "西郊小学联络员回执.docx": ("待审核", "联络员和分管领导回执"),
            "损坏的文件.docx": ("无法读取", "未识别"),
        }
        for name, (status, form) in by_file.items():
            row = rows.filter(has_text=name)
            expect(row.get_by_test_id("record-row-status")).to_have_text(status)
            expect(row.get_by_test_id("record-form")).to_have_text(form)
        options = page.get_by_test_id("records-status").locator("option").all_inner_texts()
        assert options == ["全部", "完整", "待审核", "无法读取"], options
        records_text = page.locator("body").inner_text()
        assert not _raw_codes(records_text, codes), _raw_codes(records_text, codes)
        for raw in ("needs_review", "activity_stats", "invalid_phone", "complete", "liaison_reply"):
            assert raw not in records_text
        shot(page, "ui-vocab-records-1366")
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, "ui-vocab-records-390")
        page.set_viewport_size({"width": 1366, "height": 768})

        # the filter sends the code the vocabulary names
        page.get_by_test_id("records-status").select_option(label="待审核")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text("西郊小学联络员回执")

        # one record: values as a person reads them, the flag in words
        rows.get_by_test_id("record-link").click()
        expect(page.get_by_test_id("record-status")).to_have_text("待审核")
        expect(page.get_by_test_id("record-form")).to_have_text("表格：联络员和分管领导回执")
        normalized = page.get_by_test_id("record-fields").get_by_test_id("normalized").all_inner_texts()
        assert "2019年3月18日" in normalized and "13812345678" in normalized, normalized
        expect(page.get_by_test_id("review-list")).to_contain_text("电话号码无效")
        record_text = page.locator("body").inner_text()
        assert "来源：Word 文件" in record_text
        assert not _raw_codes(record_text, codes | set(vocab["value_flag"])), _raw_codes(record_text, codes)
        assert "{" not in page.get_by_test_id("record-fields").inner_text()  # never raw JSON
        shot(page, "ui-vocab-record-1366")

        # the 统计表: the table's date and count read as a person reads them in the record's fields
        page.goto(f"{base}/#/programs/{program}/review")
        rows.filter(has_text="西郊小学统计表").get_by_test_id("record-link").click()
        expect(page.get_by_test_id("record-status")).to_have_text("完整")
        normalized = page.get_by_test_id("record-fields").get_by_test_id("normalized").all_inner_texts()
        assert "2019年5月6日" in normalized, normalized
        assert not _raw_codes(page.locator("body").inner_text(), codes)

        assert not errors, errors  # no page error, no "vocabulary has no words for …" warning
        assert not [r for r in refused if not r.endswith("/favicon.ico")], refused
        browser.close()
