"""Steps between setting a program up and watching its board: the roster in the browser, and returned forms
made the ways schools make them — a Word file filled in, a paper copy scanned, a photo taken with a phone —
from the blank forms the batch sent out.

    import_roster_in_browser(page, base, program_id, path)   # 花名册 → choose the file → 预览 → 确认导入 → N
    docx = blank_form(archive, "04_", "统计表")                # the blank form the pair got in the batch ZIP
    filled = fill_stats_form(docx, [ActivityRow(...)])          # what a school types into it in Word
    scan = scanned_jpeg(filled)                                 # printed, scanned at 200 dpi, saved as JPEG
    photo = phone_photo_jpeg(filled)                            # printed, photographed on a desk
    upload_in_browser(page, base, program_id, [(name, data)])   # 上传回收表 → choose the files
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document

from tests.walk import open_screen

TIMEOUT_MS = 120_000


def import_roster_in_browser(page: Any, base: str, program_id: int, roster: Path) -> int:
    """花名册 → choose ``roster`` (its preview shows) → 确认导入; returns the number of pairs listed after."""
    from playwright.sync_api import expect

    page.goto(f"{base}/#/programs/{program_id}/roster")
    page.get_by_test_id("roster-file").set_input_files(str(roster))
    expect(page.get_by_test_id("preview-summary")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_test_id("roster-confirm").click()
    count = page.get_by_test_id("pairs-count")
    expect(count).to_have_text(re.compile(r"共 \d+ 组"), timeout=TIMEOUT_MS)
    return int(re.search(r"\d+", count.inner_text()).group(0))  # type: ignore[union-attr]


def blank_form(archive: bytes, folder_prefix: str, title: str) -> bytes:
    """The one .docx in the batch ZIP's pair folder starting with ``folder_prefix`` (``04_``) whose name holds
    ``title`` (``统计表``)."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        names = [n for n in z.namelist() if n.startswith(folder_prefix) and title in n and n.endswith(".docx")]
        assert len(names) == 1, names
        return z.read(names[0])


@dataclass(frozen=True)
class ActivityRow:
    """One activity as a school writes it into the 统计表 (the columns in the form's order)."""

    name: str
    staff: str
    when: str
    where: str
    plan: str = ""
    people: str = ""
    funds: str = "无"
    effect: str = ""


def fill_stats_form(docx: bytes, rows: list[ActivityRow], filled_on: str = "2019年6月20日") -> bytes:
    """The blank 统计表 ``docx`` filled in Word: its first empty rows, and the 填报时间 after the printed label."""
    doc = Document(io.BytesIO(docx))
    [table] = [t for t in doc.tables if "活动名称" in [c.text.strip() for c in t.rows[0].cells]]
    empty = [r for r in table.rows[1:] if not any(c.text.strip() for c in r.cells)]
    assert len(empty) >= len(rows), "the blank form has fewer empty rows than activities"
    for n, (row, activity) in enumerate(zip(empty, rows, strict=False), start=1):
        values = [str(n), activity.name, activity.staff, activity.when, activity.where, activity.plan,
                  activity.people, activity.funds, activity.effect, ""]  # fmt: skip
        for cell, value in zip(row.cells, values, strict=True):
            cell.paragraphs[0].text = value
    for paragraph in doc.paragraphs:
        if "填报时间：" in paragraph.text:
            for run in paragraph.runs:  # the printed blank (    年  月  日) gives way to the date written
                run.text = re.sub(r"\s*年\s*月\s*日", filled_on, run.text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _pages(docx: bytes, dpi: int) -> Any:
    from testkit import scan_fixtures as sf

    return sf.rasterise_pdf(sf.docx_to_pdf(docx), dpi=dpi)


def scanned_jpeg(docx: bytes) -> bytes:
    """``docx`` printed and scanned the way an office scanner saves it: 200 dpi, a slight skew, JPEG."""
    from testkit import scan_fixtures as sf

    page = _pages(docx, 200)[0]
    return sf.encode(sf.rotate(page, 0.6), "JPEG", quality=75)


def phone_photo_jpeg(docx: bytes) -> bytes:
    """``docx`` printed and photographed with a phone on a desk (perspective, uneven light), as a JPEG."""
    from testkit import scan_fixtures as sf

    page = _pages(docx, 150)[0]
    return sf.encode(sf.phone_photo(sf.uneven_light(page), seed=3, out_long=2000), "JPEG", quality=85)


def upload_in_browser(page: Any, base: str, program_id: int, files: list[tuple[str, bytes]]) -> None:
    """上传回收表 → choose ``files``; waits until each is listed and read (its record linked)."""
    from playwright.sync_api import expect

    page.goto(f"{base}/#/programs/{program_id}/uploads")
    mime = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".jpg": "image/jpeg", ".pdf": "application/pdf", ".png": "image/png"}  # fmt: skip
    page.get_by_test_id("upload-input").set_input_files(
        [{"name": n, "mimeType": mime[Path(n).suffix], "buffer": b} for n, b in files]
    )
    for name, _ in files:
        row = page.get_by_test_id("upload-row").filter(has_text=name)
        expect(row.get_by_test_id("upload-record-link")).to_be_visible(timeout=TIMEOUT_MS)


def record_of(page: Any, base: str, program_id: int, source: str) -> dict[str, Any]:
    """The record read from the upload named ``source`` (its RecordOut), as the 审核 list links it."""
    records = page.request.get(f"{base}/api/records?program={program_id}").json()
    [record] = [r for r in records if r["extraction"]["source"] == source]
    return dict(record)


def correct_cell(page: Any, base: str, record_id: int, table: int, row: int, column: int, value: str) -> None:
    """审核 a record: click the value in ``table``'s ``row`` and ``column`` (0-based), type ``value``, 保存."""
    from playwright.sync_api import expect

    url = f"{base}/#/records/{record_id}"
    open_screen(page, url)
    page.get_by_test_id(f"cell-{table}-{row}-{column}").click()
    page.get_by_test_id("edit-input").fill(value)
    page.get_by_test_id("edit-save").click()
    expect(page.get_by_test_id("message")).to_contain_text("已保存")
