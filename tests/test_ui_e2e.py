"""The web UI end to end: a real uvicorn server, a real browser (Debian's Chromium through Playwright).

The scenario is the one the web-service issue names as "done": sign in as admin → create the 彭州·黑水
program → preview and import its roster (14 pairs) → preview a bad csv (row errors) and cancel → DOCX batch
to 14/14 → download the ZIP → drop two filled 统计表 → see them read → open the record → correct a value → see
the correction kept → sign out → a school account does not see another school's record.

Screenshots of every screen go to ui-*.png (tests/ui_fixtures.py: a temporary directory unless
``DOCGEN_UI_SCREENSHOTS`` names one). Skipped only when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from testkit.forms import STATS_HEADER
from tests.ui_fixtures import (
    ADMIN,
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    TIMEOUT_MS,
    api_json,
    csp_violations,
    drop_files,
    login,
    serve,
    take_over,
    watch_console,
    write_headers,
)
from tests.ui_fixtures import shot as _shot

pytestmark = BROWSER_MARKS

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "pengzhou_heishui"
SCHOOL = ("heishui-zhawo", "school-pass-123")
# pair 04 (彭州市清平小学 — 黑水县扎窝中心校); the admin's forms are 彭州市西郊小学's (pair 03)
SCHOOL_NAME = "黑水县扎窝中心校"
IDENTITY = "DG1:pengzhou-heishui-2019"  # + :<pair>:<form>:<version>, as printed on the blank forms docgen sends
BAD_CSV = (
    "支援学校,受援学校,学段,支援学校联系电话\n"
    "彭州市清平小学,黑水县扎窝中心校,小学,1381234\n"
    "彭州市丽春镇小学,彭州市丽春镇小学,小学,13812345678\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``docgen serve`` on a free port, with a fresh data dir and SQLite; the admin is :data:`ADMIN`."""
    with serve(tmp_path_factory, "docgen-data") as base:
        yield base


# ------------------------------------------------------------------------------------------ test data


def stats_form_docx(unit: str, rows: list[list[str]], identity: str | None = None) -> bytes:
    """A filled 教育交流活动情况统计表 as a school would return it (typed in Word)."""
    from docx import Document

    doc = Document()
    doc.add_paragraph("教育交流活动情况统计表")
    if identity:
        doc.add_paragraph(f"表单识别码：{identity}")
    doc.add_paragraph(f"填报单位：{unit}　　填报时间：2019年6月30日")
    table = doc.add_table(rows=1 + len(rows), cols=len(STATS_HEADER))
    table.style = "Table Grid"
    for c, label in enumerate(STATS_HEADER):
        table.cell(0, c).text = label
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _rows(*lines: str) -> list[list[str]]:
    return [line.split("|") for line in lines]


ROWS_A = _rows(
    "1|管理层互访|王校长、李主任|2019年4月18日|黑水县芦花完全小学校|听课、座谈|45人次|图书200册|交流了管理经验|",
    "2|教研交流|张老师等3人|2019年5月20日|彭州市西郊小学|同课异构|60人次|无|提升了课堂教学|",
)
ROWS_B = _rows(
    "1|校本培训指导|刘老师|2019年6月5日|黑水县芦花完全小学校|专题讲座|30人次|资金5000元|建立了校本培训制度|",
    "2|送教下乡|陈老师等2人|2019年6月12日|黑水县芦花完全小学校|示范课|50人次|教具一批|学生反响好|",
)


# ------------------------------------------------------------------------------------------ helpers


def shot(page: Any, name: str) -> None:
    _shot(page, f"ui-{name}")


def message(page: Any) -> str:
    box = page.get_by_test_id("message")
    return str(box.inner_text()) if box.is_visible() else ""


# ------------------------------------------------------------------------------------------ the scenario


def test_three_jobs_through_the_web_ui(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        # Beijing time: the API's UTC times must be shown 8 hours later than they are sent
        context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True,
                                      locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        console_errors: list[str] = []
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        console = watch_console(page)

        # --- sign in as admin
        page.goto(base + "/")
        page.get_by_test_id("login-form").wait_for()
        shot(page, "01-login")
        login(page, base, ADMIN)
        expect(page.get_by_test_id("user-role")).to_have_text(re.compile("管理员"))
        page.get_by_test_id("program-form").wait_for()
        shot(page, "01b-programs")

        # --- create the 彭州·黑水 program from its program.yaml
        page.get_by_test_id("program-file").set_input_files(str(SAMPLE / "program.yaml"))
        page.get_by_test_id("program-create").click()
        expect(page.get_by_test_id("program-title")).to_contain_text("彭州")
        program_url = page.url.split("#")[1].rsplit("/", 1)[0]  # /programs/<id>

        # --- the list shows its creation time in the browser's time zone (the API sends UTC with "Z")
        [created] = [p["created_at"] for p in api_json(page, "GET", f"{base}/api/programs")]
        assert created.endswith("Z"), created
        beijing = datetime.fromisoformat(created).astimezone(timezone(timedelta(hours=8)))
        page.goto(f"{base}/#/programs")
        expect(page.get_by_test_id("program-list")).to_contain_text(beijing.strftime("%Y-%m-%d %H:%M"))
        page.goto(f"{base}/#{program_url}/roster")

        # --- import the roster: choosing the file previews it (14 groups), 确认导入 imports them
        page.get_by_test_id("roster-file").set_input_files(str(SAMPLE / "roster.txt"))
        # the file is parsed in a sandboxed child process: seconds on a busy machine, more than expect's 5 s
        expect(page.get_by_test_id("preview-summary")).to_have_text("14 组可导入，0 行有错误不导入，0 条提醒",
                                                                     timeout=TIMEOUT_MS)
        expect(page.get_by_test_id("preview-groups").locator("tbody tr")).to_have_count(14)
        page.get_by_test_id("roster-confirm").click()
        expect(page.get_by_test_id("message")).to_have_text("已导入 14 组结对。")
        expect(page.get_by_test_id("pairs-count")).to_have_text("共 14 组")
        expect(page.get_by_test_id("pairs-table").locator("tbody tr")).to_have_count(14)
        expect(page.get_by_test_id("pairs-table")).to_contain_text("彭州市九尺镇小学")
        shot(page, "02-roster")

        # --- a bad csv: its problems listed row by row in the preview; 取消 imports nothing
        bad = tmp_path / "坏花名册.csv"
        bad.write_text(BAD_CSV, encoding="utf-8")
        page.get_by_test_id("roster-file").set_input_files(str(bad))
        expect(page.get_by_test_id("preview-summary")).to_contain_text("1 行有错误不导入")
        errors = page.get_by_test_id("preview-problems")
        expect(errors.locator("tbody tr")).to_have_count(2)
        expect(errors).to_contain_text("1381234")
        expect(errors.locator("tbody tr").nth(0)).to_contain_text("第2行")
        expect(errors.locator("tbody tr").nth(1)).to_contain_text("第3行")
        page.get_by_test_id("roster-cancel").click()
        expect(page.get_by_test_id("message")).to_contain_text("未导入")
        expect(page.get_by_test_id("pairs-count")).to_have_text("共 14 组")
        shot(page, "03-roster-errors")

        # --- a DOCX-only batch: progress to 14/14, then the ZIP
        page.get_by_test_id("tab-batch").click()
        expect(page.get_by_test_id("batch-pdf")).to_be_checked()  # PDF by default (issue 11 item 7)
        page.get_by_test_id("batch-pdf").uncheck()  # this walk checks the DOCX path; PDF: test_ui_phone11
        page.get_by_test_id("batch-start").click()
        expect(page.get_by_test_id("batch-progress")).to_be_visible()
        # 14 agreements + 备案表 and 统计表 per pair (per supporting school: 2 more for the 2:1 group 03)
        # + a 回执 per school (29)
        expect(page.get_by_test_id("batch-count")).to_have_text(re.compile(r"^\d+/73$"))
        expect(page.get_by_test_id("batch-count")).to_have_text("73/73", timeout=180_000)
        download_link = page.get_by_test_id("batch-download")
        expect(download_link).to_be_visible()
        expect(page.get_by_test_id("documents-table")).to_be_visible()
        shot(page, "04-batch")
        with page.expect_download() as dl:
            download_link.click()
        zpath = tmp_path / "batch.zip"
        dl.value.save_as(zpath)
        assert zipfile.is_zipfile(zpath)
        with zipfile.ZipFile(zpath) as z:
            names = z.namelist()
        agreements = [n for n in names if n.endswith(".docx") and "协议" in n]
        assert len(agreements) == 14, names
        assert not [n for n in names if n.endswith(".pdf")], "a DOCX-only batch has no PDF"

        # --- drop two returned 统计表 on the upload zone
        page.get_by_test_id("tab-uploads").click()
        page.get_by_test_id("upload-dropzone").wait_for()
        form_a = stats_form_docx("彭州市西郊小学", ROWS_A, identity=f"{IDENTITY}:03:activity_stats:1")
        form_b = stats_form_docx("彭州市西郊小学", ROWS_B, identity=f"{IDENTITY}:03:activity_stats:1")
        drop_files(page, "upload-dropzone", [("西郊小学统计表-1.docx", form_a), ("西郊小学统计表-2.docx", form_b)])
        uploads = page.get_by_test_id("uploads-table")
        expect(uploads.locator("tbody tr")).to_have_count(2)
        expect(uploads.get_by_test_id("upload-status").filter(has_text="已识别")).to_have_count(2, timeout=120_000)
        shot(page, "05-uploads")

        # the same file again is marked 重复 and not read twice
        drop_files(page, "upload-dropzone", [("再传一次.docx", form_a)])
        expect(page.get_by_test_id("message")).to_contain_text("重复")

        # --- the records: open one and see its rows
        page.get_by_test_id("tab-review").click()
        records = page.get_by_test_id("records-table")
        expect(records.get_by_test_id("record-row")).to_have_count(2)
        shot(page, "06-records")
        records.get_by_test_id("record-link").filter(has_text="西郊小学统计表-1").click()
        expect(page.get_by_test_id("record-title")).to_contain_text("西郊小学统计表-1")
        rows = page.get_by_test_id("record-table-0").get_by_test_id("record-row-values")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("管理层互访")
        expect(rows.nth(1)).to_contain_text("教研交流")
        record_url = page.url

        # --- correct one value: row 2's 受援人次 60人次 → 65人次
        col = STATS_HEADER.index("受援人次")
        page.get_by_test_id(f"cell-0-1-{col}").click()
        page.get_by_test_id("edit-input").fill("65人次")
        shot(page, "07-record-edit")
        page.get_by_test_id("edit-save").click()
        expect(page.get_by_test_id("message")).to_contain_text("已保存")
        expect(page.get_by_test_id(f"cell-0-1-{col}")).to_have_text("65人次")
        history = page.get_by_test_id("corrections-table")
        expect(history.get_by_test_id("correction-row")).to_have_count(1)
        expect(history).to_contain_text("60人次")
        expect(history).to_contain_text("65人次")
        expect(history).to_contain_text(ADMIN[0])
        # kept: a fresh load from the server shows it
        page.reload()
        expect(page.get_by_test_id(f"cell-0-1-{col}")).to_have_text("65人次")
        expect(page.get_by_test_id("corrections-table").get_by_test_id("correction-row")).to_have_count(1)
        shot(page, "08-record")
        # the regenerated 规范统计表 carries the corrected value
        with page.expect_download() as dl:
            page.get_by_test_id("record-docx").click()
        regenerated = tmp_path / "统计表.docx"
        dl.value.save_as(regenerated)
        with zipfile.ZipFile(regenerated) as z:
            body = z.read("word/document.xml").decode()
        assert "65人次" in body and "管理层互访" in body

        # --- a value that is still invalid after the correction: kept, flagged, the reason shown, not "saved"
        when = STATS_HEADER.index("活动时间")
        page.get_by_test_id(f"cell-0-0-{when}").click()
        page.get_by_test_id("edit-input").fill("2019.2.30")
        page.get_by_test_id("edit-save").click()
        expect(page.get_by_test_id("message")).to_contain_text("仍需核对")
        expect(page.get_by_test_id("message")).to_contain_text("日期无效")
        expect(page.get_by_test_id("message")).not_to_contain_text("已保存修改")
        expect(page.get_by_test_id(f"cell-0-0-{when}-reason")).to_contain_text("日期无效")
        expect(page.get_by_test_id(f"cell-0-0-{when}")).to_have_text("2019.2.30")
        expect(page.locator(f"td:has([data-testid='cell-0-0-{when}']) .corrected")).to_have_count(0)
        expect(page.get_by_test_id("record-status")).to_have_text("待审核")
        # typing the date right clears it: saved, the badge 已改, the record complete again
        page.get_by_test_id(f"cell-0-0-{when}").click()
        page.get_by_test_id("edit-input").fill("2019年4月18日")
        page.get_by_test_id("edit-save").click()
        expect(page.get_by_test_id("message")).to_contain_text("已保存修改")
        expect(page.locator(f"td:has([data-testid='cell-0-0-{when}']) .corrected")).to_have_count(1)
        expect(page.get_by_test_id(f"cell-0-0-{when}-reason")).to_have_count(0)
        expect(page.get_by_test_id("record-status")).to_have_text("完整")

        # --- the export screen: the records export carries the correction
        page.goto(f"{base}/#{program_url}/export")
        expect(page.get_by_test_id("ledger-xlsx")).to_be_visible()
        shot(page, "09-export")
        with page.expect_download() as dl:
            page.get_by_test_id("export-csv").click()
        exported = tmp_path / "records.csv"
        dl.value.save_as(exported)
        csv_text = exported.read_bytes().decode("utf-8-sig")
        assert "管理层互访" in csv_text and "65人次" in csv_text

        # --- a school account for another school (created by the admin through the API)
        program_id = int(program_url.rsplit("/", 1)[1])
        api_json(page, "POST", f"{base}/api/users", {
            "username": SCHOOL[0], "password": SCHOOL[1], "role": "school", "school_name": SCHOOL_NAME,
            "programs": [program_id],
        })
        take_over(base, *SCHOOL)  # the school's first step: its own password instead of the admin's

        # --- sign out
        page.get_by_test_id("logout").click()
        page.get_by_test_id("login-form").wait_for()
        expect(page.get_by_test_id("user-box")).to_be_hidden()

        # --- the school user sees the program but not 西郊小学's records
        login(page, base, SCHOOL)
        expect(page.get_by_test_id("user-role")).to_contain_text("学校联络员")
        expect(page.get_by_test_id("program-link")).to_have_count(1)
        page.get_by_test_id("program-link").click()
        page.get_by_test_id("tab-review").click()
        expect(page.get_by_test_id("records-empty")).to_be_visible()
        expect(page.get_by_test_id("screen-review")).not_to_contain_text("西郊小学统计表")
        shot(page, "10-school-records")
        # …and the record's own address answers with an error, not the record
        page.goto(record_url)
        expect(page.get_by_test_id("message")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("管理层互访")

        # the school's own form is listed for it (so the empty list above is not an accident)
        page.goto(f"{base}/#{program_url}/uploads")
        page.get_by_test_id("upload-input").set_input_files(files=[{
            "name": "扎窝中心校统计表.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": stats_form_docx(SCHOOL_NAME, ROWS_B[:1], identity=f"{IDENTITY}:04:activity_stats:1"),
        }])
        uploads = page.get_by_test_id("uploads-table")
        expect(uploads.locator("tbody tr")).to_have_count(1)
        expect(uploads.get_by_test_id("upload-status")).to_have_text("已识别", timeout=120_000)
        page.get_by_test_id("tab-review").click()
        expect(page.get_by_test_id("records-table").get_by_test_id("record-row")).to_have_count(1)
        expect(page.get_by_test_id("records-table")).to_contain_text("扎窝中心校统计表")
        shot(page, "11-school-own-record")

        assert not console_errors, console_errors
        # the UI works under the Content-Security-Policy: nothing it does was blocked (that such a message is
        # seen when something is blocked: tests/test_security.py)
        assert not csp_violations(console), csp_violations(console)
        browser.close()


def test_a_scanned_form_shows_the_crop_each_value_was_read_from(server: str) -> None:
    """A scanned 统计表 (rotated, noisy, stamped): its values come with the piece of the scan they were read from."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is needed to render the scan fixture")
    import dataclasses

    from playwright.sync_api import expect, sync_playwright

    from testkit import scan_fixtures as sf

    # row 2's date does not exist (a slip of the pen): a value that waits for review whatever the OCR reads
    rows_written = (sf.ROWS[0], tuple("2019年2月30日" if c == 3 else v for c, v in enumerate(sf.ROWS[1])), *sf.ROWS[2:])
    form = sf.build_form_docx(
        dataclasses.replace(sf.EXPECTED, identity=f"{IDENTITY}:03:activity_stats:1", rows=rows_written))
    page_image = sf.rasterise_pdf(sf.docx_to_pdf(form))[0]
    scanned = sf.VARIANTS["scan_rot-2.5_stamp_sign"](page_image)
    scan = sf.encode(scanned, "PNG")

    base = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        console = watch_console(page)
        login(page, base, ADMIN)
        # the program (created here unless the scenario above already did)
        existing = [p for p in api_json(page, "GET", f"{base}/api/programs") if p["key"] == "pengzhou-heishui-2019"]
        if existing:
            program_id = existing[0]["id"]
        else:
            res = page.request.post(f"{base}/api/programs", headers=write_headers(page, base), multipart={"file": {
                "name": "program.yaml", "mimeType": "text/yaml", "buffer": (SAMPLE / "program.yaml").read_bytes()}})
            assert res.ok, res.text()
            program_id = res.json()["id"]
        if not api_json(page, "GET", f"{base}/api/programs/{program_id}/pairs"):
            res = page.request.post(f"{base}/api/programs/{program_id}/roster", headers=write_headers(page, base),
                                    multipart={"file": {
                "name": "roster.txt", "mimeType": "text/plain", "buffer": (SAMPLE / "roster.txt").read_bytes()}})
            assert res.ok, res.text()

        page.goto(f"{base}/#/programs/{program_id}/uploads")
        page.get_by_test_id("upload-input").set_input_files(
            files=[{"name": "西郊小学扫描件.png", "mimeType": "image/png", "buffer": scan}])
        row = page.get_by_test_id("upload-row").filter(has_text="西郊小学扫描件.png")
        expect(row.get_by_test_id("upload-status")).to_have_text("已识别", timeout=300_000)
        row.get_by_test_id("upload-record-link").click()
        expect(page.get_by_test_id("record-title")).to_contain_text("西郊小学扫描件.png")
        rows = page.get_by_test_id("record-table-0").get_by_test_id("record-row-values")
        expect(rows.first).to_contain_text("送教下乡")
        record_url = page.url

        # every value flagged for review has its crop beside it, and every crop is a real image
        for item in page.get_by_test_id("review-item").all():
            expect(item.get_by_test_id("crop")).to_have_count(1)
        # …and so has any value opened for correction
        page.get_by_test_id("cell-0-1-7").click()
        crop = page.get_by_test_id("editor").get_by_test_id("crop")
        expect(crop).to_be_visible()
        page.wait_for_function(
            "() => [...document.querySelectorAll('img.crop')].every((i) => i.complete && i.naturalWidth > 0)")
        shot(page, "12-scan-record")
        assert not csp_violations(console), csp_violations(console)  # crops are images of our own origin
        expect(page.get_by_test_id("review-item")).not_to_have_count(0)
        _values_stand_still(page, record_url)
        phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
        phone.set_default_timeout(TIMEOUT_MS)
        login(phone, base, ADMIN)
        _values_stand_still(phone, record_url)
        _list_keeps_up_on_a_slow_line(browser, base, program_id, sf.encode(scanned, "JPEG"))
        browser.close()


def _list_keeps_up_on_a_slow_line(browser: Any, base: str, program_id: int, scan: bytes) -> None:
    """Every answer of the server takes longer than the uploads list's clock ticks (1 s): the list still shows
    the scan read. Each tick once made the ask on its way stale before it came, so the list was never drawn
    again; the clock now waits for the ask on its way."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    login(page, base, ADMIN)
    page.goto(f"{base}/#/programs/{program_id}/uploads")
    page.get_by_test_id("upload-input").wait_for()
    slow = context.new_cdp_session(page)
    slow.send("Network.enable")
    slow.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 1600, "downloadThroughput": -1, "uploadThroughput": -1})
    page.get_by_test_id("upload-input").set_input_files(
        files=[{"name": "西郊小学扫描件（慢线路）.jpg", "mimeType": "image/jpeg", "buffer": scan}])
    row = page.get_by_test_id("upload-row").filter(has_text="西郊小学扫描件（慢线路）.jpg")
    expect(row).to_be_visible(timeout=60_000)
    expect(row.get_by_test_id("upload-status")).to_have_text("已识别", timeout=300_000)
    context.close()


def _values_stand_still(page: Any, record_url: str) -> None:
    """The record screen's values stay where they first showed while its pictures (the crops, the original) arrive.

    A clerk clicks a value as soon as it shows; a picture arriving late (a slow line, a busy server) that moved
    the table would take the click to a neighbour or to nothing — the clerk walk lost an editor that way on a
    loaded CI machine. The pictures are held back here until the table is measured, then let through.
    """
    from playwright.sync_api import expect

    held: list[Any] = []
    released = [False]

    def hold(route: Any) -> None:
        if released[0]:
            route.continue_()
        else:
            held.append(route)

    pictures = re.compile(r"/api/(uploads/\d+/(crop|page)|records/\d+/collection)")
    page.route(pictures, hold)
    if page.url == record_url:
        page.reload()
    else:
        page.goto(record_url)
    value = page.get_by_test_id("cell-0-1-7")
    expect(value).to_be_visible()
    where = "(e) => { const r = e.getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, r.width]; }"
    before = value.evaluate(where)
    assert held, "the record screen asks for its pictures at once"
    released[0] = True
    for route in held:
        route.continue_()
    expect(page.get_by_test_id("original-page")).to_be_visible()
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")  # every lazy crop comes into view
    page.wait_for_function("() => [...document.querySelectorAll('img.crop, img.original-page')]"
                           ".every((i) => i.complete && i.naturalWidth > 0)")
    assert value.evaluate(where) == before, "the table moved when the pictures arrived"
    page.unroute(pictures)
