"""What a walk through the web UI as a clerk and as a school liaison found (2026-11-29), one check per finding.

The API checks run in-process; the browser check is a school liaison on a 390 px phone against a real
``docgen serve`` (Debian's Chromium through Playwright; never ``playwright install``). Screenshots go to
ui-walk-*.png (tests/ui_fixtures.py).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from api.models import beijing_today
from testkit.forms import PENGZHOU, stats_docx
from tests.api_fixtures import TestClient, admin, create_pengzhou, database_url, settings, wait_record
from tests.ui_fixtures import CHROMIUM, CHROMIUM_ARGS, PHONE, TIMEOUT_MS, api_session, serve, shot, take_over
from tests.ui_fixtures import write as _write

__all__ = ["admin", "database_url", "settings"]  # fixtures used by name

SCHOOL = ("xijiao-liaison", "river-lantern-9921")


# ------------------------------------------------------------------------------------------ the API


def test_the_records_export_names_the_form_and_its_status_in_words(admin: TestClient) -> None:
    """A clerk opens the export in Excel: 教育交流活动情况统计表 and 待审核, not activity_stats / needs_review."""
    program_id = create_pengzhou(admin)
    form = stats_docx("03", activities=("送教下乡", "教研交流"), dates=("2019年4月11日", "四月中"))
    [entry] = admin.post(f"/api/programs/{program_id}/uploads", files=[("files", ("统计表.docx", form))]).json()
    assert wait_record(admin, entry["id"])["status"] == "needs_review"  # the vague date waits for a person

    url = f"/api/programs/{program_id}/records/export"
    rows = list(csv.reader(io.StringIO(admin.get(url, params={"format": "csv"}).content.decode("utf-8-sig"))))
    header, first = rows[0], rows[1]
    assert (first[header.index("表单")], first[header.index("状态")]) == ("教育交流活动情况统计表", "待审核")
    sheet = load_workbook(io.BytesIO(admin.get(url, params={"format": "xlsx"}).content)).active
    assert sheet is not None
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert {"教育交流活动情况统计表", "待审核"} <= cells
    assert not {"activity_stats", "needs_review", "complete"} & (cells | {c for row in rows for c in row})


def test_the_records_export_writes_each_value_as_the_record_screen_shows_it(admin: TestClient) -> None:
    """One rule (docgen.values.shown) for the record screen's 规范化 and the export: a range in words, a count
    with its unit, goods as items — never the normalised JSON or the text a school typed in its own way."""
    program_id = create_pengzhou(admin)
    form = stats_docx("03", activities=("送教下乡",), dates=("2019年4月18日至20日",))
    [entry] = admin.post(f"/api/programs/{program_id}/uploads", files=[("files", ("统计表.docx", form))]).json()
    record = admin.get(f"/api/records/{wait_record(admin, entry['id'])['id']}").json()
    [table] = record["extraction"]["tables"]
    [row] = table["values"]
    on_screen = dict(zip(table["columns"], [v["shown"] for v in row], strict=True))
    assert on_screen["活动时间"] == "2019年4月18日至4月20日" and on_screen["受援人次"] == "120人次"
    assert on_screen["开展项目涉及到的资金、物品"] == "图书 500册"
    assert record["extraction"]["fields"]["filled_on"]["shown"] == "2019年5月6日"
    url = f"/api/programs/{program_id}/records/export"
    rows = list(csv.reader(io.StringIO(admin.get(url, params={"format": "csv"}).content.decode("utf-8-sig"))))
    header, first = rows[0], rows[1]
    for column, words in on_screen.items():
        if words:  # a blank 备注: its text as read, ''
            assert first[header.index(column)] == words, column
    assert first[header.index("填报时间")] == "2019年5月6日"
    sheet = load_workbook(io.BytesIO(admin.get(url, params={"format": "xlsx"}).content)).active
    assert sheet is not None
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "2019年4月18日至4月20日" in cells and not any("{" in c or "start" in c for c in cells)


def test_an_upload_says_whether_its_record_could_be_read(admin: TestClient) -> None:
    """已识别 means the reading ended; the upload also carries its record's verdict (a fake PDF: 无法读取)."""
    program_id = create_pengzhou(admin)
    sent = admin.post(f"/api/programs/{program_id}/uploads", files=[
        ("files", ("统计表.docx", stats_docx("03"))), ("files", ("假.pdf", b"%PDF-1.4\n garbage"))]).json()
    verdicts = {}
    for entry in sent:
        wait_record(admin, entry["id"])
        upload = admin.get(f"/api/uploads/{entry['id']}").json()
        verdicts[upload["original_name"]] = (upload["status"], upload["record_status"])
    assert verdicts == {"统计表.docx": ("done", "complete"), "假.pdf": ("done", "unreadable")}
    listed = admin.get("/api/uploads", params={"program": program_id}).json()
    assert sorted(u["record_status"] for u in listed) == ["complete", "unreadable"]


def test_a_broken_photo_is_refused_in_words_without_a_python_exception_name(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    r = admin.post(f"/api/programs/{program_id}/uploads",
                   files=[("files", ("照片.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100))])
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert "照片.jpg" in detail and "图片已损坏或无法识别" in detail and "重新拍照" in detail
    assert not re.search(r"[A-Z][a-z]+(Error|Exception)", detail), detail


def test_beijing_today_is_already_tomorrow_on_a_utc_evening() -> None:
    assert beijing_today(datetime(2026, 11, 29, 15, 59, tzinfo=UTC)) == date(2026, 11, 29)
    assert beijing_today(datetime(2026, 11, 29, 16, 0, tzinfo=UTC)) == date(2026, 11, 30)
    assert beijing_today(datetime(2026, 12, 31, 20, 0, tzinfo=UTC)) == date(2027, 1, 1)


def test_the_ledger_is_dated_by_the_beijing_calendar(admin: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``as_of`` the 台账 is "截至" Beijing's today (the server's own ``date.today()`` lags 8 hours on UTC)."""
    import api.routes.programs as routes

    program_id = create_pengzhou(admin)
    monkeypatch.setattr(routes, "beijing_today", lambda: date(2031, 1, 2))
    book = load_workbook(io.BytesIO(admin.get(f"/api/programs/{program_id}/ledger").content))
    assert book.active is not None
    assert "截至 2031年1月2日" in str(book.active["A1"].value)


# ------------------------------------------------------------------------------------------ the browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory, "docgen-walk") as base:
        yield base


def _no_sideways_scroll(page: Any, name: str) -> None:
    shot(page, f"ui-walk-{name}")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: the page is {width} px wide on a {PHONE['width']} px phone"


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed")
def test_a_school_liaison_uploads_from_a_phone(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)

        # the bureau's setup, through the API: the program, its roster, the liaison's account
        bureau = api_session(p.request.new_context(), base)
        program_id = _write(bureau, base, "POST", "/api/programs", multipart={"file": {
            "name": "program.yaml", "mimeType": "text/yaml", "buffer": (PENGZHOU / "program.yaml").read_bytes()}})["id"]
        _write(bureau, base, "POST", f"/api/programs/{program_id}/roster", multipart={"file": {
            "name": "roster.txt", "mimeType": "text/plain", "buffer": (PENGZHOU / "roster.txt").read_bytes()}})
        _write(bureau, base, "POST", "/api/users", data=json.dumps({
            "username": SCHOOL[0], "password": SCHOOL[1], "role": "school", "school_name": "彭州市西郊小学",
            "programs": [program_id]}), headers={"Content-Type": "application/json"})
        take_over(base, *SCHOOL)

        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text} @ {m.location.get('url')}"))
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))

        page.goto(f"{base}/#/login")
        page.get_by_test_id("login-username").fill(SCHOOL[0])
        page.get_by_test_id("login-password").fill(SCHOOL[1])
        page.get_by_test_id("login-submit").click()
        page.get_by_test_id("program-link").click()
        page.get_by_test_id("portal-documents").wait_for()  # a school lands on its own page (本校)
        page.get_by_test_id("tab-roster").click()
        page.get_by_test_id("pairs-table").wait_for()
        # the user's name and 退出 each on one line: the header wraps as a whole instead of breaking 退/出
        for testid in ("user-name", "logout"):
            lines = page.get_by_test_id(testid).evaluate(
                "(el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)")
            assert lines < 1.5, f"{testid} is broken over {lines:.1f} lines at 390 px"
        _no_sideways_scroll(page, "01-roster")

        # a screen the liaison has no tab for, typed in: the first tab it has, not buttons that answer 403/404
        page.goto(f"{base}/#/programs/{program_id}/export")
        expect(page.get_by_test_id("portal-tasks")).to_be_visible()
        expect(page.get_by_test_id("ledger-xlsx")).to_have_count(0)

        # upload a filled 统计表 and a file that is no form
        page.goto(f"{base}/#/programs/{program_id}/uploads")
        form = stats_docx("03", activities=("送教下乡", "教研交流"), dates=("2019年4月11日", "四月中"))
        page.get_by_test_id("upload-input").set_input_files(files=[
            {"name": "西郊小学统计表.docx", "mimeType": "application/octet-stream", "buffer": form},
            {"name": "坏文件.docx", "mimeType": "application/octet-stream", "buffer": b"not a docx at all"},
        ])
        message = page.get_by_test_id("message")
        # the refused file is named once, then its reason; the message follows the reading to its end
        expect(message).to_contain_text("坏文件.docx（文件内容")
        expect(message).to_contain_text("识别完成", timeout=120_000)
        expect(message).not_to_contain_text("正在识别")
        expect(page.get_by_test_id("upload-status")).to_have_text("已识别")
        expect(page.get_by_test_id("upload-record-status")).to_have_text("待审核")  # the vague 四月中 waits
        _no_sideways_scroll(page, "02-uploads")

        # the record: each problem once, in the words the API wrote it (it names its row and column itself)
        page.get_by_test_id("upload-record-link").click()
        page.get_by_test_id("record-title").wait_for()
        record_id = page.url.rsplit("/", 1)[1]
        record = json.loads(page.request.get(f"{base}/api/records/{record_id}").text())
        messages = [problem["message"] for problem in record["extraction"]["problems"]]
        assert messages and any("活动时间" in m for m in messages), messages
        expect(page.get_by_test_id("record-problem")).to_have_text(messages)
        expect(page.get_by_test_id("review-why")).to_contain_text("置信度")
        expect(page.get_by_test_id("review-why")).to_contain_text("原件位置")

        page.get_by_test_id("review-input").fill("2019年4月中旬")
        page.get_by_test_id("review-save").click()
        expect(message).to_contain_text("已保存修改")
        expect(page.get_by_test_id("record-status")).to_have_text("完整")
        expect(page.get_by_test_id("corrections-table").locator("td.time")).to_have_text(
            re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$"))
        _no_sideways_scroll(page, "03-record")

        # nothing went wrong in the console: the signed-out probe of /api/me (401) is the one expected failure
        unexpected = [m for m in console if m.startswith(("error", "pageerror", "warning"))
                      and not m.endswith("/api/me")]
        assert not unexpected, unexpected
        browser.close()
