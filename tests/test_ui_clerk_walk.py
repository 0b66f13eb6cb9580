"""Issue 11's "done when", walked in Chromium against a real ``docgen serve``, with no file editor and no curl:
a new clerk sets up the 彭州 program (typed from seed 000), imports its roster, creates two school accounts,
generates every document (PDF on), and the forms come back — a Word file a school uploads itself, a paper copy
the bureau scans, and a photo a liaison sends through the phone link printed on the blank form; the clerk then
sees who is missing and late and how far the program is from its targets, and exports the 台账 and the
monthly report. The schools' part is on a 390×844 phone, the clerk's on a 1366×768 desk (and the board and
targets once more on a phone). Steps: tests/walk/.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.live_server import free_port
from tests.test_ui_e2e import SAMPLE
from tests.ui_fixtures import ADMIN, BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, serve, shot
from tests.walk.steps_accounts11 import change_own_password, create_school_account, export_ledger, login
from tests.walk.steps_board11 import export_missing, open_board, page_overflow, school_portal_downloads
from tests.walk.steps_collect import (
    ActivityRow,
    blank_form,
    correct_cell,
    fill_stats_form,
    import_roster_in_browser,
    phone_photo_jpeg,
    record_of,
    scanned_jpeg,
    upload_in_browser,
)
from tests.walk.steps_phone11 import phone_upload, run_batch, see_phone_upload, upload_url_of_form
from tests.walk.steps_setup11 import create_program_in_browser
from tests.walk.steps_targets11 import monthly_report, targets_table

pytestmark = BROWSER_MARKS  # Chromium, LibreOffice, OCR, a real server

SCHOOL_A = "彭州市清平小学"  # pair 04, returns its 统计表 as a Word file
SCHOOL_B = "黑水县知木林寄宿制小学校"  # pair 06, whose 统计表 comes back as the bureau's scan


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {"DOCGEN_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}  # the address the phones reach it at
    with serve(tmp_path_factory, "clerk-walk", env, port) as base:
        yield base


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _records(page: Any, base: str, program_id: int) -> list[Any]:
    """What the service read (for a failure message): each record's source, status and table values."""
    records = page.request.get(f"{base}/api/records?program={program_id}").json()
    return [(r["extraction"]["source"], r["status"], [[v["value"] for v in row] for t in r["extraction"]["tables"]
             for row in t["values"]]) for r in records]  # fmt: skip


def _phone(browser: Any) -> Any:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True,
                                  locale="zh-CN")  # fmt: skip
    context.set_default_timeout(60_000)
    return context.new_page()


def test_a_new_clerk_runs_the_pengzhou_program_from_the_browser(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        desk_context = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="zh-CN")
        desk_context.set_default_timeout(60_000)
        desk = desk_context.new_page()
        errors: list[str] = []
        desk.on("pageerror", lambda e: errors.append(str(e)))

        # --- set up: the program from the notice, its roster, two school accounts
        login(desk, base, *ADMIN)
        program_id = create_program_in_browser(desk, base)
        assert import_roster_in_browser(desk, base, program_id, SAMPLE / "roster.txt") == 14
        user_a, password_a = create_school_account(desk, base, SCHOOL_A, username="qingping")
        user_b, password_b = create_school_account(desk, base, SCHOOL_B, username="zhimulin")
        assert len(password_a) >= 12 and password_a != password_b

        # --- generate and send: every document of every pair, PDF on by default
        archive = run_batch(desk, base, program_id)
        stats_04 = blank_form(archive, "04_", "统计表")
        stats_06 = blank_form(archive, "06_", "统计表")
        stats_07 = blank_form(archive, "07_", "统计表")
        link_07 = upload_url_of_form(stats_07)
        assert link_07.startswith(f"{base}/m/DG1:"), link_07  # the QR of the blank form is the phone link

        # --- collect 1: school A's liaison, on a phone, signs in, changes the one-time password, finds its own
        # agreement on 本校 and uploads the 统计表 it filled in Word
        school_a = _phone(browser)
        login(school_a, base, user_a, password_a)
        change_own_password(school_a, base, password_a, "maple-harbor-5820")
        school_a.goto(f"{base}/#/programs")
        school_a.get_by_test_id("program-link").first.click()
        docs = school_portal_downloads(school_a, base, program_id)
        assert any("协议书" in title for title in docs), docs
        assert page_overflow(school_a) == 0
        word = fill_stats_form(stats_04, [
            ActivityRow("管理层互访交流", "王校长、李主任", "2019年5月14日", "黑水县扎窝中心校", "听课评课、座谈",
                        "30人次", "图书200册", "交流管理经验"),
            ActivityRow("送教下乡", "张老师等3人", "2019.6.3", "扎窝中心校", "示范课", "45人次", "无", "效果良好"),
        ])  # fmt: skip
        upload_in_browser(school_a, base, program_id, [("清平小学统计表.docx", word)])
        assert page_overflow(school_a) == 0

        # --- collect 2: pair 06's paper copy arrives by post; the clerk scans it (200 dpi JPEG) and uploads it
        scan = scanned_jpeg(fill_stats_form(stats_06, [
            ActivityRow("教研交流活动", "赵老师", "2019年4月18日", "知木林寄宿制小学校", "同课异构", "60人次", "无",
                        "提升教研能力"),
        ]))  # fmt: skip
        upload_in_browser(desk, base, program_id, [("知木林统计表扫描.jpg", scan)])

        # --- collect 3: pair 07's liaison scans the QR of the blank form with a phone and sends a photo of it
        liaison = _phone(browser)
        photo = phone_photo_jpeg(fill_stats_form(stats_07, [
            ActivityRow("管理互访", "陈校长", "2019年5月20日", "红岩寄宿制小学校", "学校管理交流", "20人次", "无",
                        "良好"),
        ]))  # fmt: skip
        receipt = phone_upload(liaison, link_07, [("IMG_0307.jpg", photo, "image/jpeg")])
        assert "已收到 1 个文件" in receipt, receipt
        assert page_overflow(liaison) == 0
        see_phone_upload(desk, base, program_id, "IMG_0307.jpg")

        # --- who is missing, who is late: the board in words
        def board_rows() -> dict[str, dict[str, Any]]:
            return {r["unit"]: r for r in open_board(desk, base, program_id)}

        rows = board_rows()
        deadline = datetime.now(UTC) + timedelta(seconds=180)  # the photo is read by OCR: it may still be reading
        while "已回收" not in rows["07"]["cells"]["教育交流活动情况统计表"] and datetime.now(UTC) < deadline:
            desk.wait_for_timeout(2000)
            rows = board_rows()
        for unit in ("04", "06", "07"):
            assert "已回收" in rows[unit]["cells"]["教育交流活动情况统计表"], rows[unit]
        assert "未回收" in rows["14"]["cells"]["教育交流活动情况统计表"], rows["14"]
        # the 回执 was due 2019-03-20 (the notice): every school that has not sent it is late
        assert "逾期未交" in rows["14"]["cells"]["联络员和分管领导回执"], rows["14"]
        late = open_board(desk, base, program_id, show="有未回收或逾期的结对")
        assert {r["unit"] for r in late} >= {"01", "14"}
        missing = load_workbook(io.BytesIO(export_missing(desk, base, program_id)))
        sheet_text = {str(c.value) for ws in missing.worksheets for row in ws.iter_rows() for c in row if c.value}
        assert any("彭州市机关幼儿园" in t for t in sheet_text), "the missing list names the schools to phone"

        # --- 审核: the photo was read with doubts (it waits for a person); the clerk reads the original and types
        # the activity and its date where the reader was unsure
        photo_record = record_of(desk, base, program_id, "IMG_0307.jpg")
        assert photo_record["status"] == "needs_review" or "管理互访" in str(photo_record["extraction"])
        if photo_record["status"] == "needs_review":
            correct_cell(desk, base, photo_record["id"], 0, 0, 1, "管理互访")
            correct_cell(desk, base, photo_record["id"], 0, 0, 3, "2019年5月20日")

        # --- how far from the targets (每年不少于1次, counted from the returned 统计表 of 2019)
        shown = targets_table(desk, base, program_id, as_of="2019-12-31")
        [visits] = [t for t in shown if t["title"].startswith("学校管理层互访及管理工作交流")]
        done = {row[0]: row[3] for row in visits["pairs"]}
        assert done["04"].startswith("1") and done["07"].startswith("1"), (done, _records(desk, base, program_id))
        assert done["14"].startswith("0"), done
        assert visits["percent"] is not None and 0 < visits["percent"] < 100

        # --- the 台账 and the monthly report for the upper bureau
        ledger = export_ledger(desk, base, program_id, "2019-12-31", tmp_path)
        book = load_workbook(ledger["xlsx"])
        assert "目标完成情况" in book.sheetnames
        ledger_text = {str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value}
        assert any(SCHOOL_A in t for t in ledger_text)
        assert ledger["pdf"].read_bytes().startswith(b"%PDF")
        month = (datetime.now(UTC) + timedelta(hours=8)).strftime("%Y-%m")  # the forms arrived this month
        report = _docx_text(monthly_report(desk, base, program_id, month))
        assert "彭州" in report and "彭州市机关幼儿园" in report  # who has not reported is named
        assert page_overflow(desk) == 0

        # --- school B on its phone sees its own row: the bureau's scan of its 统计表 counts for it
        school_b = _phone(browser)
        login(school_b, base, user_b, password_b)
        # the one-time password opens nothing but 我的账号 until it is replaced
        expect(school_b.get_by_test_id("must-change")).to_be_visible()
        assert school_b.url.endswith("#/me")
        change_own_password(school_b, base, password_b, "cedar-valley-6043")
        own = {r["unit"]: r for r in open_board(school_b, base, program_id)}
        assert set(own) == {"06"}, own  # its own pair only
        assert "已回收" in own["06"]["cells"]["教育交流活动情况统计表"]
        assert page_overflow(school_b) == 0

        # --- and the clerk's board and targets on a phone, too
        clerk_phone = _phone(browser)
        login(clerk_phone, base, *ADMIN)
        open_board(clerk_phone, base, program_id)
        assert page_overflow(clerk_phone) == 0
        targets_table(clerk_phone, base, program_id, as_of="2019-12-31")
        assert page_overflow(clerk_phone) == 0
        for page, name in ((desk, "desk"), (school_b, "school"), (clerk_phone, "clerk-phone")):
            shot(page, f"ui-clerk-walk-{name}")
        expect(desk.get_by_test_id("message")).not_to_contain_text("失败")
        assert errors == [], errors
        browser.close()
