"""Steps of the collection board (回收情况), the record's original and filing, and the school's own page (本校).

    rows = open_board(page, base, program_id)                 # [{"unit": "01", "cells": {表格: 状态…}, "contacts": …}]
    data = export_missing(page, base, program_id)             # the xlsx bytes of the phone round's list
    open_original(page, base, record_id)                      # the record screen with its original page shown
    file_by_hand(page, base, record_id, "教育交流活动情况统计表", "02")
    exclude_upload(page, base, record_id, "发错了")            # and include_upload(page, base, record_id)
    docs = school_portal_downloads(page, base, program_id)    # {文书标题: [下载 DOCX, …]} of the school's own pairs
"""

from __future__ import annotations

from typing import Any

from tests.walk import open_screen

TIMEOUT_MS = 60_000


def open_board(page: Any, base: str, program_id: int, show: str | None = None) -> list[dict[str, Any]]:
    """Open the program's 回收情况 tab (optionally with the filter option labelled ``show``) and read its rows:
    each row's pair, its cells as ``{form title: text}`` and its 未交的联系人 text."""
    url = f"{base}/#/programs/{program_id}/board"
    open_screen(page, url)
    try:
        page.locator("[data-testid=board][data-shown='']").wait_for()
    except Exception as exc:
        page.screenshot(path="/tmp/board11-fail.png", full_page=True)
        message = page.get_by_test_id("message")
        raise AssertionError(f"the board did not show: {message.inner_text() if message.is_visible() else ''}") from exc
    if show is not None:
        select = page.get_by_test_id("board-filter")
        select.select_option(label=show)
        value = select.input_value()
        page.locator(f"[data-testid=board][data-shown='{value}']").wait_for()
    headers = page.locator("[data-testid=board-table] thead th").all_inner_texts()
    forms = headers[3:-1]
    rows = []
    for row in page.get_by_test_id("board-row").all():
        cells = row.locator("td").all_inner_texts()
        # a cell's copies (02.1 逾期未交, 02.2 逾期未交), one badge each, joined with a space
        slots = row.get_by_test_id("board-cell").evaluate_all(
            "tds => tds.map((td) => [...td.querySelectorAll('[data-testid=board-slot]')]"
            ".map((b) => b.innerText.trim()).join(' '))")
        rows.append({
            "unit": cells[0].strip(),
            "supporting": cells[1],
            "supported": cells[2],
            "cells": dict(zip(forms, slots, strict=True)),
            "contacts": cells[-1],
        })
    return rows


def export_missing(page: Any, base: str, program_id: int) -> bytes:
    """Click 导出未回收清单 on the board; the downloaded xlsx's bytes."""
    if f"/programs/{program_id}/board" not in page.url:
        open_board(page, base, program_id)
    with page.expect_download() as download:
        page.get_by_test_id("board-export").click()
    path = download.value.path()
    with open(path, "rb") as f:
        return f.read()


def open_original(page: Any, base: str, record_id: int) -> dict[str, Any]:
    """Open a record and wait for its original beside it; returns what the viewer shows (its place line and,
    for a page image, the image's natural width), or ``{"none": text}`` for a Word file."""
    page.goto(f"{base}/#/records/{record_id}")
    page.get_by_test_id("original").wait_for()
    if page.get_by_test_id("original-none").count():
        return {"none": page.get_by_test_id("original-none").inner_text()}
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=original-page]');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=TIMEOUT_MS)
    img = page.get_by_test_id("original-page")
    return {"where": page.get_by_test_id("original-where").inner_text(),
            "natural_width": img.evaluate("i => i.naturalWidth"), "shown_width": img.evaluate("i => i.clientWidth")}


def zoom_original(page: Any, steps: int) -> int:
    """Press 放大 (``steps`` > 0) or 缩小 (< 0) in the open record's viewer; the page image's shown width."""
    button = page.get_by_test_id("original-zoom-in" if steps > 0 else "original-zoom-out")
    for _ in range(abs(steps)):
        button.click()
    width: int = page.get_by_test_id("original-page").evaluate("i => i.clientWidth")
    return width


def file_by_hand(page: Any, base: str, record_id: int, form_title: str, pair: str) -> str:
    """On a record nothing recognised: pick its form (by title) and its copy (pair label, ``02`` or ``02.2``) and
    归档; returns the record's 计入… line afterwards."""
    page.goto(f"{base}/#/records/{record_id}")
    page.get_by_test_id("record-filing").wait_for()
    page.get_by_test_id("file-form").select_option(label=form_title)
    pair_select = page.get_by_test_id("file-pair")
    value = pair_select.locator("option").filter(has_text=pair).first.get_attribute("value")
    pair_select.select_option(value=value)
    page.get_by_test_id("file-save").click()
    page.get_by_test_id("record-collection").filter(has_text="计入结对").wait_for()
    return str(page.get_by_test_id("record-collection").inner_text())


def exclude_upload(page: Any, base: str, record_id: int, reason: str) -> str:
    """排除 the record's upload with ``reason``; returns the 已排除 line."""
    page.goto(f"{base}/#/records/{record_id}")
    page.get_by_test_id("exclude-reason").fill(reason)
    page.get_by_test_id("record-exclude").click()
    page.get_by_test_id("record-excluded").wait_for()
    return str(page.get_by_test_id("record-excluded").inner_text())


def uploads_shown(page: Any, base: str, program_id: int, show: str = "全部上传") -> dict[str, str]:
    """上传回收表 with 显示 set to ``show`` (全部上传 / 计入台账的 / 已排除的): each listed upload's file name → the
    text of its row."""
    open_screen(page, f"{base}/#/programs/{program_id}/uploads")
    page.get_by_test_id("uploads").locator("h2").first.wait_for()
    if show != "全部上传":
        page.get_by_test_id("uploads-filter").select_option(label=show)
        page.wait_for_load_state("networkidle")
    rows = page.get_by_test_id("upload-row")
    return {str(r.locator("td").first.inner_text()).strip(): str(r.inner_text()) for r in rows.all()}


def include_upload(page: Any, base: str, record_id: int) -> None:
    """撤销排除 on the record's upload."""
    page.goto(f"{base}/#/records/{record_id}")
    page.get_by_test_id("record-include").click()
    page.get_by_test_id("record-exclude").wait_for()


def school_portal(page: Any, base: str, program_id: int) -> dict[str, Any]:
    """A school user's landing page of a program (本校): its tasks, its board rows and its documents."""
    page.goto(f"{base}/#/programs/{program_id}")
    page.get_by_test_id("portal-documents").wait_for()
    return {
        "tasks": page.get_by_test_id("portal-task").all_inner_texts(),
        "rows": page.get_by_test_id("board-row").all_inner_texts(),
        "documents": page.get_by_test_id("portal-document").all_inner_texts(),
    }


def school_portal_downloads(page: Any, base: str, program_id: int, download: str | None = None) -> dict[str, Any]:
    """The school's documents on its page as ``{title: [link texts]}``; with ``download`` (a title), also the bytes
    of that document's first download."""
    school_portal(page, base, program_id)
    out: dict[str, Any] = {}
    for row in page.get_by_test_id("portal-document").all():
        title = row.get_by_test_id("portal-document-title").inner_text().strip()
        out.setdefault(title, []).extend(row.get_by_test_id("portal-download").all_inner_texts())
        if download == title and "_bytes" not in out:
            with page.expect_download() as dl:
                row.get_by_test_id("portal-download").first.click()
            with open(dl.value.path(), "rb") as f:
                out["_bytes"] = f.read()
    return out


def page_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the window (0: no horizontal scrolling)."""
    extra: int = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    return max(0, extra)
