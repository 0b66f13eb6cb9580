"""Clerk steps of phone11's area (issue 11, items 4 and 7), as plain functions over a Playwright ``page``.

Each takes the page, the server's base URL and what it needs, and returns what the next step needs:

* :func:`run_batch` — 批量生成 with 同时生成 PDF as chosen, watched to the end → the ZIP's bytes;
* :func:`cancel_running_batch` — start a batch and cancel it once it is under way → seconds the cancel took;
* :func:`upload_url_of_form` / :func:`upload_url_in_zip` — the phone upload link in a blank form's QR code;
* :func:`phone_upload` — on a phone-sized page: open the link, pick files, submit → the receipt's text;
* :func:`see_phone_upload` — the bureau's 上传回收表 lists the phone upload, marked 手机扫码上传.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from extractors.image import qr_text
from tests.walk import open_screen

QR_PART = "word/media/qr.png"  # where every blank form holds its QR code (docgen.forms.generate.QR_PART)
TIMEOUT_MS = 240_000  # a PDF batch of the 彭州 program on 2 busy cores


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def open_batch_tab(page: Any, base: str, program_id: int) -> None:
    """The program's 批量生成 tab, its batch list loaded."""
    page.goto(f"{base}/#/programs/{program_id}/batch")
    page.get_by_test_id("batch-start").wait_for()


def run_batch(
    page: Any, base: str, program_id: int, *, pdf: bool = True, timings: dict[str, float] | None = None
) -> bytes:
    """Generate every document of the program (PDF ticked by default: leave it, or untick for DOCX only),
    watch the count reach N/N and return the ZIP 下载 ZIP gives. ``timings`` gets ``first_count`` (seconds
    from 开始生成 to the first ``n/N`` on screen) and ``done``."""
    expect = _expect()
    open_batch_tab(page, base, program_id)
    box = page.get_by_test_id("batch-pdf")
    expect(box).to_be_checked()  # PDF on by default
    if not pdf:
        box.uncheck()
    rows = page.get_by_test_id("batch-row")
    before = rows.count()
    clicked = time.monotonic()
    page.get_by_test_id("batch-start").click()
    expect(rows).to_have_count(before + 1)  # the new batch is listed; the bar is the new batch's
    count = page.get_by_test_id("batch-count")
    expect(count).to_have_text(re.compile(r"^\d+/\d+$"), timeout=30_000)  # the plan's size from the start
    first = time.monotonic() - clicked
    expect(page.get_by_test_id("batch-download")).to_be_visible(timeout=TIMEOUT_MS)
    if timings is not None:
        timings.update(first_count=first, done=time.monotonic() - clicked)
    done, total = count.inner_text().split("/")
    assert done == total, count.inner_text()
    with page.expect_download() as dl:
        page.get_by_test_id("batch-download").click()
    path = dl.value.path()
    assert path is not None
    return Path(path).read_bytes()


def cancel_running_batch(page: Any, base: str, program_id: int) -> float:
    """Start a PDF batch, cancel it once PDFs are being made; returns the seconds from the click on 取消 to
    the status 已取消 on screen."""
    expect = _expect()
    open_batch_tab(page, base, program_id)
    page.get_by_test_id("batch-start").click()
    # under way: PDFs are being made (LibreOffice has started; its first start alone takes seconds)
    expect(page.get_by_test_id("batch-steps")).to_have_text(re.compile(r"已转 PDF [1-9]"), timeout=TIMEOUT_MS)
    started = time.monotonic()
    page.get_by_test_id("batch-cancel").click()
    expect(page.get_by_test_id("batch-status")).to_have_text(re.compile("已取消"), timeout=30_000)
    return time.monotonic() - started


def upload_url_of_form(docx: bytes) -> str:
    """The text of a generated blank form's QR code: its phone upload link (or, without one, its code)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        png = z.read(QR_PART)
    return qr_text(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE))


def upload_url_in_zip(archive: bytes, folder_prefix: str, title: str) -> str:
    """The upload link of the blank form named ``title`` (e.g. ``统计表``) in the pair folder starting with
    ``folder_prefix`` (``04_``) of a batch ZIP."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        names = [n for n in z.namelist() if n.startswith(folder_prefix) and title in n and n.endswith(".docx")]
        assert len(names) == 1, names
        return upload_url_of_form(z.read(names[0]))


def phone_upload(page_phone: Any, url: str, files: list[tuple[str, bytes, str]]) -> str:
    """On a phone-sized page with no account: open the link, pick ``files`` (name, bytes, MIME type), submit;
    returns the receipt's text (已收到 N 个文件…)."""
    expect = _expect()
    page_phone.goto(url)
    expect(page_phone.get_by_test_id("phone-slot")).to_be_visible()
    page_phone.get_by_test_id("phone-choose").set_input_files(
        [{"name": n, "mimeType": m, "buffer": b} for n, b, m in files]
    )
    expect(page_phone.get_by_test_id("phone-send")).to_have_text(f"提交 {len(files)} 个文件")
    page_phone.get_by_test_id("phone-send").click()
    receipt = page_phone.get_by_test_id("phone-receipt-text")
    expect(receipt).to_be_visible()
    return str(receipt.inner_text())


def see_phone_upload(page: Any, base: str, program_id: int, name: str) -> Any:
    """The bureau's 上传回收表 lists the file sent from the phone, marked 手机扫码上传; returns its row."""
    expect = _expect()
    url = f"{base}/#/programs/{program_id}/uploads"
    open_screen(page, url)
    row = page.get_by_test_id("upload-row").filter(has_text=name)
    expect(row.get_by_test_id("upload-via-link")).to_have_text("手机扫码上传")
    return row
