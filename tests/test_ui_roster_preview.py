"""The clerk's 花名册 tab previews a roster before importing it (issue 9, item 6), at desktop and phone size.

A real ``docgen serve`` and Debian's Chromium (Playwright; never ``playwright install``). The clerk picks a file
and sees, before anything is imported: how many groups import, which rows do not (red) and why in words,
the difference to the program's current pairs, and a dropdown per column; 确认导入 applies it, 取消 drops it.
Changing a dropdown needs the rebuilt importer (it reports the tables): until it lands that walk is an
expected failure (``strict``). Screenshots: ui-roster-*.png.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest

from testkit.forms import PENGZHOU
from tests.test_api_roster_preview import FIRST, LICHUN, LUHUA, SECOND, WITH_BAD_ROW, XIJIAO, XINJIAN
from tests.ui_fixtures import (
    ADMIN,
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    TIMEOUT_MS,
    api_session,
    serve,
    shot,
)
from tests.ui_fixtures import write as _write

pytestmark = BROWSER_MARKS
SIZES = {"desktop": DESKTOP, "phone": PHONE}
_serial = itertools.count(1)
CODES = re.compile(r"same_school|supporting\.school|supported\.school|unchanged|\badded\b|\bwarning\b|\berror\b")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory, "docgen-roster-preview") as base:
        yield base


def _program(p: Any, base: str, roster: str | None) -> int:
    """A new 彭州 program (through the API), with ``roster`` imported when given."""
    bureau = api_session(p.request.new_context(), base)
    text = (PENGZHOU / "program.yaml").read_text("utf-8")
    key = f"roster-preview-{next(_serial)}"
    yaml = text.replace("key: pengzhou-heishui-2019", f"key: {key}", 1).encode()
    program_id = int(_write(bureau, base, "POST", "/api/programs", multipart={
        "file": {"name": "program.yaml", "mimeType": "text/yaml", "buffer": yaml}})["id"])  # fmt: skip
    if roster is not None:
        _write(bureau, base, "POST", f"/api/programs/{program_id}/roster", multipart={
            "file": {"name": "r.csv", "mimeType": "text/csv", "buffer": roster.encode()}})  # fmt: skip
    bureau.dispose()
    return program_id


def _page(browser: Any, size: str) -> tuple[Any, Any, list[str]]:
    phone = size == "phone"
    context = browser.new_context(viewport=SIZES[size], is_mobile=phone, has_touch=phone, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    return context, page, console


def _login(page: Any, base: str, program_id: int) -> None:
    page.goto(f"{base}/#/login")
    page.get_by_test_id("login-username").fill(ADMIN[0])
    page.get_by_test_id("login-password").fill(ADMIN[1])
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("program-list").wait_for()
    page.goto(f"{base}/#/programs/{program_id}/roster")
    page.get_by_test_id("roster-form").wait_for()


def _choose(page: Any, name: str, text: str) -> None:
    page.get_by_test_id("roster-file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}])  # fmt: skip
    page.get_by_test_id("preview-summary").wait_for()


def _fits(page: Any, size: str, name: str) -> None:
    shot(page, f"ui-roster-{name}-{size}")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], f"{name}: the page is {width} px wide at {SIZES[size]['width']} px"


def _no_codes(page: Any) -> None:
    shown = page.get_by_test_id("roster-preview").inner_text()
    assert not CODES.search(shown), CODES.findall(shown)


@pytest.mark.parametrize("size", list(SIZES))
def test_a_clerk_previews_a_reimport_sees_the_bad_row_and_the_difference_then_confirms(server: str, size: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        program_id = _program(p, base, FIRST)
        context, page, console = _page(browser, size)
        _login(page, base, program_id)
        expect(page.get_by_test_id("pairs-count")).to_have_text("共 3 组")

        # a file with a school paired with itself: that row is red, will not import, and says why in words
        _choose(page, "有错的花名册.csv", WITH_BAD_ROW)
        expect(page.get_by_test_id("preview-summary")).to_contain_text("1 行有错误不导入，0 条提醒")
        bad = page.get_by_test_id("preview-groups").locator("tr.sev-error")
        expect(bad).to_have_count(1)
        expect(bad).to_contain_text("第3行")
        expect(bad).to_contain_text("不导入")
        expect(bad).to_contain_text("同一学校在两方")
        problem = page.get_by_test_id("preview-problem")
        expect(problem).to_have_count(1)
        expect(problem.locator("td")).to_have_text(
            ["第3行", re.compile("受援学校"), LICHUN, re.compile(r"^错误（该行不导入） 同一学校在两方：.+")])
        _no_codes(page)
        _fits(page, size, "01-bad-row")
        page.get_by_test_id("roster-cancel").click()
        expect(page.get_by_test_id("message")).to_have_text("已取消，未导入。")
        expect(page.get_by_test_id("roster-preview")).to_be_empty()
        expect(page.get_by_test_id("pairs-count")).to_have_text("共 3 组")

        # the re-import: one added, one removed, one changed (another contact), two renumbered
        _choose(page, "新花名册.csv", SECOND)
        expect(page.get_by_test_id("preview-summary")).to_have_text("3 组可导入，0 行有错误不导入，0 条提醒")
        expect(page.get_by_test_id("preview-diff-summary")).to_have_text(
            "与当前 3 组结对相比：新增 1 组，移除 1 组，变更 1 组，序号变化 2 组")
        expect(page.get_by_test_id("preview-diff-list").locator("li")).to_have_text([
            f"新增 01 {XINJIAN} — 黑水县新建小学",
            f"移除 03 {LICHUN} — 黑水县知木林寄宿制小学校（其记录与文书保留）",
            "变更 03 彭州市清平小学 — 黑水县扎窝中心校：彭州市清平小学 联系人 “李明” → “刘芳”",
        ])  # fmt: skip
        rows = page.get_by_test_id("preview-groups").locator("tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(0).locator("td").nth(6)).to_have_text("新增")
        expect(rows.nth(1).locator("td").nth(6)).to_have_text("不变")
        expect(rows.nth(2).locator("td").nth(6)).to_have_text("变更")
        expect(rows.nth(2)).to_contain_text("刘芳")
        _no_codes(page)
        _fits(page, size, "02-diff")
        expect(page.get_by_test_id("pairs-count")).to_have_text("共 3 组")  # nothing applied before 确认

        page.get_by_test_id("roster-confirm").click()
        expect(page.get_by_test_id("message")).to_have_text("已导入 3 组结对。")
        expect(page.get_by_test_id("roster-preview")).to_be_empty()
        table = page.get_by_test_id("pairs-table").locator("tbody tr")
        expect(table).to_have_count(3)
        expect(table.nth(0)).to_contain_text(XINJIAN)
        expect(table.nth(1)).to_contain_text(XIJIAO)
        _fits(page, size, "03-confirmed")
        unexpected = [m for m in console if m.startswith(("error", "pageerror", "warning"))]
        assert not unexpected, unexpected
        context.close()
        browser.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_clerk_changes_a_column_and_the_preview_follows(server: str, size: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        program_id = _program(p, base, None)
        context, page, console = _page(browser, size)
        _login(page, base, program_id)

        # the columns are the other way round from what the file's headers say: the clerk swaps them
        _choose(page, "帮扶表.csv", f"帮扶方,受援方\n{XIJIAO},{LUHUA}\n")
        roles = page.get_by_test_id("column-role")
        expect(roles).to_have_count(2)
        assert [roles.nth(i).evaluate("(s) => s.selectedOptions[0].text") for i in range(2)] == ["支援学校", "受援学校"]
        first = page.get_by_test_id("preview-groups").locator("tbody tr").first
        expect(first.locator("td").nth(2)).to_have_text(XIJIAO)
        _fits(page, size, "04-mapping")

        with page.expect_response(lambda r: "/roster/preview/" in r.url and r.ok):  # read again …
            roles.nth(0).select_option(label="受援学校")
        page.get_by_test_id("preview-busy").wait_for(state="detached")
        # half-way: two 受援学校 columns give no pair — said in words, and the clerk goes on
        expect(page.get_by_test_id("preview-summary")).to_have_text("0 组可导入，0 行有错误不导入，0 条提醒")
        expect(page.get_by_test_id("preview-problem")).to_contain_text("没有同时指定支援学校列和受援学校列")
        expect(page.get_by_test_id("roster-confirm")).to_be_disabled()
        with page.expect_response(lambda r: "/roster/preview/" in r.url and r.ok):  # … and again
            page.get_by_test_id("column-role").nth(1).select_option(label="支援学校")
        page.get_by_test_id("preview-busy").wait_for(state="detached")
        first = page.get_by_test_id("preview-groups").locator("tbody tr").first
        expect(first.locator("td").nth(2)).to_have_text(LUHUA)  # the sides are swapped
        expect(first.locator("td").nth(3)).to_have_text(XIJIAO)
        expect(page.get_by_test_id("preview-summary")).to_have_text("1 组可导入，0 行有错误不导入，0 条提醒")
        _no_codes(page)
        _fits(page, size, "05-swapped")

        page.get_by_test_id("roster-confirm").click()
        expect(page.get_by_test_id("message")).to_have_text("已导入 1 组结对。")
        row = page.get_by_test_id("pairs-table").locator("tbody tr")
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(1)).to_have_text(LUHUA)
        expect(row.locator("td").nth(2)).to_have_text(XIJIAO)
        unexpected = [m for m in console if m.startswith(("error", "pageerror", "warning"))]
        assert not unexpected, unexpected
        context.close()
        browser.close()
