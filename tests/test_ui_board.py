"""The collection board, the record's original, and the school's own page in a real browser (Debian's Chromium),
at 1366×768 and 390×844, with the steps of ``tests/walk/steps_board11.py``.

One server and one program for the module (set up over HTTP: 彭州·黑水 with a three-pair roster with contacts,
a school account of 彭州市西郊小学 (pair 01), a DOCX batch). A school returns its 统计表 as a Word file and as a
scan of it (LibreOffice prints it, pypdfium2 rasterises it): the board counts it once and the scan's record shows
its original and the link. An unrecognised file is filed by hand; an upload is excluded and brought back. The school
lands on its own page: its tasks, its row, its documents. Screenshots: ``board11-*.png`` (tests/ui_fixtures.py).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.api_fixtures import browser_like, pdf_of
from tests.test_ui_e2e import ROWS_A, stats_form_docx
from tests.ui_fixtures import (
    ADMIN,
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    drop_files,
    login,
    serve,
    take_over,
)
from tests.ui_fixtures import shot as _shot
from tests.walk.steps_board11 import (
    exclude_upload,
    export_missing,
    file_by_hand,
    include_upload,
    open_board,
    open_original,
    page_overflow,
    school_portal,
    school_portal_downloads,
    uploads_shown,
    zoom_original,
)

pytestmark = BROWSER_MARKS  # Chromium, LibreOffice and OCR of a scan

ROOT = Path(__file__).resolve().parent.parent
SCHOOL = ("xijiao", "orchid-lantern-73")
ROSTER = """支援学校,支援学校联系人,支援学校联系电话,受援学校,受援学校联系人,受援学校联系电话,学段
彭州市西郊小学,王芳,13812345601,黑水县芦花完全小学校,扎西,13812345602,小学
彭州市清平小学,陈军,13812345603,黑水县扎窝中心校,卓玛,13812345604,小学
彭州市通济镇蓝天小学,刘洋,13812345605,黑水县红岩寄宿制小学校,拉姆,13812345606,小学
""".encode()
IDENTITY = "DG1:pengzhou-heishui-2019:01:activity_stats:1"
STATS = "教育交流活动情况统计表"


def scan_of(docx: bytes) -> bytes:
    """A 200 dpi JPEG of the first page LibreOffice prints of ``docx``: a scan of the Word file, with a pen
    squiggle in the empty 备注 cell of the first row (a mark on paper the reader cannot take for a value), so
    the scan has a value to review however well the rest reads."""
    import pdfplumber
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    printed = pdf_of(docx)
    with pdfplumber.open(io.BytesIO(printed)) as doc:
        column, row = doc.pages[0].search("备注"), doc.pages[0].search("45人")
    assert column and row, "the 统计表's 备注 header or the first row's 45人次 is not printed"
    scale = 200 / 72
    pdf = pdfium.PdfDocument(printed)
    try:
        image = pdf[0].render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()
    x0, x1 = column[0]["x0"] * scale, column[0]["x1"] * scale
    top, bottom = row[0]["top"] * scale, row[0]["bottom"] * scale
    steps = 6
    squiggle = [(x0 + (x1 - x0) * i / steps, top if i % 2 else bottom) for i in range(steps + 1)]
    ImageDraw.Draw(image).line(squiggle, fill=(20, 30, 90), width=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def unrecognised_docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph("活动情况说明")
    doc.add_paragraph("我校于4月派出教师三人到黑水县扎窝中心校送教。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with serve(tmp_path_factory, "docgen-board") as base, browser_like(httpx.Client(base_url=base, timeout=60)) as api:
        assert api.post("/api/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]}).status_code == 200
        sample = (ROOT / "samples" / "pengzhou_heishui" / "program.yaml").read_bytes()
        r = api.post("/api/programs", files={"file": ("program.yaml", sample)})
        assert r.status_code == 201, r.text
        pid = int(r.json()["id"])
        assert api.post(f"/api/programs/{pid}/roster", files={"file": ("花名册.csv", ROSTER)}).status_code == 200
        r = api.post("/api/users", json={"username": SCHOOL[0], "password": SCHOOL[1], "role": "school",
                                         "programs": [pid], "school_name": "彭州市西郊小学"})
        assert r.status_code == 201, r.text
        take_over(base, *SCHOOL)
        job = api.post(f"/api/programs/{pid}/batches", json={"pdf": False}).json()["id"]
        word = stats_form_docx("彭州市西郊小学", ROWS_A, IDENTITY)
        scan = scan_of(word)
        deadline = time.monotonic() + 180
        while api.get(f"/api/batches/{job}").json()["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline, "batch did not finish"
            time.sleep(0.3)
        yield {"base": base, "api": api, "program": pid, "word": word, "scan": scan}


def records_of(api: httpx.Client, pid: int, count: int) -> dict[str, dict[str, Any]]:
    """The program's uploads by name once ``count`` of them are read, each with its record."""
    deadline = time.monotonic() + 240
    while True:
        ups = api.get("/api/uploads", params={"program": pid}).json()
        if len(ups) >= count and all(u["finished"] and u["record_id"] for u in ups):
            return {u["original_name"]: api.get(f"/api/records/{u['record_id']}").json() for u in ups}
        assert time.monotonic() < deadline, f"uploads not read: {ups}"
        time.sleep(0.5)


def shot(page: Any, name: str) -> None:
    _shot(page, f"board11-{name}")


def loaded_box(image: Any) -> dict[str, float]:
    """The on-screen box of an image once it has loaded (a crop is rendered on request, and lazily)."""
    image.scroll_into_view_if_needed()
    image.evaluate("i => i.complete && i.naturalWidth > 0 ? null : new Promise((ok, no) => {"
                   " i.addEventListener('load', ok); i.addEventListener('error', no); })")
    box: dict[str, float] = image.bounding_box()
    assert box["height"] > 20, box  # the picture itself, not a collapsed frame
    return box


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_the_board_the_original_and_the_school_page_at_desk_and_phone_size(world: dict[str, Any]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, api, pid = world["base"], world["api"], world["program"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        desk = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="zh-CN")
        desk.set_default_timeout(60_000)
        page = desk.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        login(page, base, ADMIN)

        # nothing back yet: every 回执 is late (due 2019-03-20), the 统计表 missing but never late (no due date)
        rows = open_board(page, base, pid)
        assert [r["unit"] for r in rows] == ["01", "02", "03"]
        assert rows[1]["cells"]["联络员和分管领导回执"] == "02.1 逾期未交 02.2 逾期未交"
        assert rows[1]["cells"][STATS] == "未回收"
        assert "卓玛 13812345604" in rows[1]["contacts"]

        # the Word file, a scan of it, and a file nothing recognises, dropped on 上传回收表
        page.goto(f"{base}/#/programs/{pid}/uploads")
        drop_files(page, "upload-dropzone", [("01统计表.docx", world["word"]), ("01统计表扫描.jpg", world["scan"]),
                                             ("说明.docx", unrecognised_docx())])
        recs = records_of(api, pid, 3)
        word, scan, other = recs["01统计表.docx"], recs["01统计表扫描.jpg"], recs["说明.docx"]
        assert scan["pair_label"] == "01" and scan["form"] == "activity_stats"
        assert api.get(f"/api/records/{scan['id']}/collection").json()["duplicate_of"] == word["id"]

        # the 审核 list marks the scan as the Word file's copy
        page.goto(f"{base}/#/programs/{pid}/review")
        copy_row = page.get_by_test_id("record-row").filter(has_text="01统计表扫描.jpg")
        expect(copy_row.get_by_test_id("record-copy")).to_have_text("副本")
        # counted once; the filters; the phone round's list
        rows = open_board(page, base, pid)
        assert rows[0]["cells"][STATS].startswith("已回收") and "×2" not in rows[0]["cells"][STATS]
        assert [r["unit"] for r in open_board(page, base, pid, show="有“逾期未交”的结对")] == ["01", "02", "03"]
        complete = [r["unit"] for r in open_board(page, base, pid, show="有“已回收（完整）”的结对")]
        assert complete == ["01"]  # the Word file is read with certainty
        returned = open_board(page, base, pid, show="有未回收或逾期的结对")
        assert len(returned) == 3
        sheet = list(load_workbook(io.BytesIO(export_missing(page, base, pid))).active.iter_rows(values_only=True))
        assert ["02", STATS, "02", "未回收", "", "彭州市清平小学", "陈军", "13812345603"] in [
            [r[0], r[3], r[4], r[5], r[6] or "", r[7], r[8], r[9]] for r in sheet[2:]]
        open_board(page, base, pid)
        assert page_overflow(page) == 0
        shot(page, "board-desktop")

        # the scan's record: its original beside it, zoomable; the link to the Word file's record
        seen = open_original(page, base, scan["id"])
        assert seen["natural_width"] > 1000 and seen["where"].startswith("第 1 / 1 页")
        wider = zoom_original(page, 2)
        assert wider > seen["shown_width"]
        expect(page.get_by_test_id("record-copy-of")).to_contain_text(f"记录 {word['id']}")
        shot(page, "record-desktop")
        assert open_original(page, base, word["id"])["none"].startswith("01统计表.docx")

        # the unrecognised file: filed by hand as pair 02's 统计表
        assert file_by_hand(page, base, other["id"], STATS, "02").count("计入结对 02")
        rows = open_board(page, base, pid)
        assert rows[1]["cells"][STATS] == "已回收（待审核）"

        # excluding the Word file: its scan counts instead; brought back
        assert "排除了这份上传（学校重复发送）" in exclude_upload(page, base, word["id"], "学校重复发送")
        assert open_board(page, base, pid)[0]["cells"][STATS].startswith("已回收")
        listed = uploads_shown(page, base, pid)
        [excluded_row] = [text for text in listed.values() if "已排除" in text]
        assert "admin" in excluded_row and "学校重复发送" in excluded_row and "不计入台账" in excluded_row
        only = uploads_shown(page, base, pid, "已排除的")
        assert len(only) == 1 and "已排除" in next(iter(only.values())), only
        counted = uploads_shown(page, base, pid, "计入台账的")
        assert len(counted) == len(listed) - 1 and not [t for t in counted.values() if "已排除" in t]
        include_upload(page, base, word["id"])

        # --- the phone: the board, and a record's crops never over its correction box or 保存
        phone = browser.new_context(viewport=PHONE, accept_downloads=True, locale="zh-CN", is_mobile=True,
                                    has_touch=True)
        phone.set_default_timeout(60_000)
        mobile = phone.new_page()
        mobile.on("pageerror", lambda e: errors.append(str(e)))
        login(mobile, base, ADMIN)
        open_board(mobile, base, pid)
        assert page_overflow(mobile) == 0
        shot(mobile, "board-phone")
        open_original(mobile, base, scan["id"])
        assert page_overflow(mobile) == 0
        # the scan has values waiting for review: each crop sits above its input and 保存, never over them
        items = mobile.get_by_test_id("review-item")
        assert items.count() > 0
        for i in range(items.count()):
            item = items.nth(i)
            if not item.locator("img.crop").count():
                continue
            crop = loaded_box(item.locator("img.crop"))
            for control in (item.get_by_test_id("review-input"), item.get_by_test_id("review-save")):
                box = control.bounding_box()
                assert crop is not None and box is not None and not overlaps(crop, box), (i, crop, box)
                assert box["x"] + box["width"] <= PHONE["width"]
        # and so does the editor a table cell opens, with the crop of the scan
        mobile.get_by_test_id("cell-0-0-1").click()
        editor = mobile.get_by_test_id("editor")
        crop = loaded_box(editor.locator("img.crop"))
        for control in (editor.get_by_test_id("edit-input"), editor.get_by_test_id("edit-save")):
            box = control.bounding_box()
            assert crop is not None and box is not None and not overlaps(crop, box), (crop, box)
            assert box["x"] + box["width"] <= PHONE["width"]
        assert page_overflow(mobile) == 0
        shot(mobile, "record-phone")
        phone.close()

        # --- the school: lands on 本校 — its tasks, its own row, its documents; at phone size
        for size, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
            ctx = browser.new_context(viewport=size, accept_downloads=True, locale="zh-CN")
            ctx.set_default_timeout(60_000)
            school = ctx.new_page()
            school.on("pageerror", lambda e: errors.append(str(e)))
            login(school, base, SCHOOL)
            seen_page = school_portal(school, base, pid)
            [row] = seen_page["rows"]  # its own pair only
            assert row.startswith("结对 01") and "彭州市西郊小学" in row and "清平" not in row
            reply_task = next(t for t in seen_page["tasks"] if t.startswith("确定联络员和分管领导并报人事科"))
            assert "截止 2019年3月20日" in reply_task and "逾期未交" in reply_task
            docs = school_portal_downloads(school, base, pid, download="学校党建共建协议书")
            assert docs["_bytes"][:2] == b"PK"
            own = {"学校党建共建协议书", "教育交流活动情况统计表", "联络员和分管领导回执（彭州市西郊小学）"}
            assert own <= set(docs)
            assert not [t for t in docs if "清平" in t or "蓝天" in t]
            assert page_overflow(school) == 0
            # the tabs stay one line each (never one character a line)
            heights = school.locator("nav.tabs a").evaluate_all("as => as.map((a) => a.getBoundingClientRect().height)")
            assert max(heights) < 48, heights
            shot(school, f"portal-{name}")
            school.goto(f"{base}/#/programs/{pid}/uploads")
            school.get_by_test_id("upload-dropzone").wait_for()
            assert page_overflow(school) == 0
            if name == "phone":
                shot(school, "uploads-phone")
            ctx.close()
        browser.close()
        assert not errors, errors
