"""The 目标与报告 tab in a real browser: the 建始·滨江 sample's targets against two returned 统计表 (bars, numbers,
per-pair tables), the monthly report downloaded as Word — at 1366×768 as the bureau, at 390×844 as a school that
sees only its own pair, with nothing wider than the screen. Real ``docgen serve``, Debian's Chromium.
Screenshots: targets11-targets-{desktop,phone}.png (tests/ui_fixtures.py)."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from testkit.forms import stats_docx
from tests.ui_fixtures import (
    ADMIN,
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    TIMEOUT_MS,
    api_session,
    serve,
    shot,
    take_over,
)
from tests.ui_fixtures import DESKTOP as DESK
from tests.ui_fixtures import login as _login
from tests.ui_fixtures import no_overflow as _no_overflow
from tests.ui_fixtures import write as _write
from tests.walk.steps_targets11 import monthly_report, open_targets, set_as_of, targets_table

pytestmark = BROWSER_MARKS
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "jianshi_binjiang"
SCHOOL = ("jianshi-01", "orchid-lantern-73")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory, "docgen-targets") as base:
        yield base


def _set_up(p: Any, base: str) -> int:
    """The sample program and roster, a school account for pair 01, and two returned 统计表 read by the worker."""
    bureau = api_session(p.request.new_context(), base)
    program_id = int(_write(bureau, base, "POST", "/api/programs", multipart={"file": {
        "name": "program.yaml", "mimeType": "text/yaml", "buffer": (SAMPLE / "program.yaml").read_bytes()}})["id"])
    _write(bureau, base, "POST", f"/api/programs/{program_id}/roster", multipart={"file": {
        "name": "roster.csv", "mimeType": "text/csv", "buffer": (SAMPLE / "roster.csv").read_bytes()}})
    _write(bureau, base, "POST", "/api/users", data=json.dumps({
        "username": SCHOOL[0], "password": SCHOOL[1], "role": "school", "programs": [program_id],
        "school_name": "建始县第01号结对学校"}), headers={"Content-Type": "application/json"})
    take_over(base, *SCHOOL)
    uploads = []
    for pair, activities, dates in (
        ("01", ("专题讲座", "跟岗培训"), ("2019年5月11日", "2019年5月20日")),
        ("02", ("优质课展示",), ("2019年4月9日",)),
    ):
        data = stats_docx(pair, f"建始县第{pair}号结对学校", activities, program="jianshi-binjiang-2019", dates=dates)
        [entry] = _write(bureau, base, "POST", f"/api/programs/{program_id}/uploads", multipart={"files": {
            "name": f"{pair}.docx", "mimeType": "application/octet-stream", "buffer": data}})
        uploads.append(entry["id"])
    deadline = time.monotonic() + 120
    for upload in uploads:
        while not json.loads(bureau.get(f"{base}/api/uploads/{upload}").text()).get("record_id"):
            assert time.monotonic() < deadline, "the uploads were not read"
            time.sleep(0.3)
    return program_id


def test_targets_and_the_monthly_report_at_desk_and_phone_size(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = server
    with sync_playwright() as p:
        program_id = _set_up(p, base)
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)

        # the desk, as the bureau: every target with its bar, the pairs in a table
        context = browser.new_context(viewport=DESK, locale="zh-CN", accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        _login(page, base, ADMIN)
        open_targets(page, base, program_id)
        set_as_of(page, "2019-06-30")
        shot(page, "targets11-targets-desktop")
        _no_overflow(page)
        rows = {t["key"]: t for t in targets_table(page, base, program_id, as_of="2019-06-30")}
        expect(page.get_by_test_id("tab-targets")).to_have_text("目标与报告")
        assert list(rows) == [
            "teacher_exchange", "teaching_visits", "shadow_training", "cadres", "students_aided", "pair_teaching"]
        visits = rows["teaching_visits"]
        assert visits["title"] == "滨江教师支教建始"
        assert visits["goal"] == "目标 100 人次，已完成 2 人次（2%）" and visits["percent"] == 2
        assert visits["pairs"][:3] == [
            ["01", "滨江区第01号结对学校", "建始县第01号结对学校", "1 人次"],
            ["02", "滨江区第02号结对学校", "建始县第02号结对学校", "1 人次"],
            ["03", "滨江区第03号结对学校", "建始县第03号结对学校", "0 人次"],
        ]
        assert rows["teacher_exchange"]["goal"] == "目标 250 人，已完成 3 人（1%）"
        semester = rows["pair_teaching"]
        assert semester["title"] == "结对学校赴建始开展支教活动（每学期一次）"
        assert semester["goal"] == "每个结对2019年春季学期 1 次：28 个结对中 2 个已完成，合计 2 / 28 次"
        assert semester["percent"] == 7  # 2 of 28 pairs
        assert semester["pairs"][0][-1] == "已达标" and semester["pairs"][2][-1] == "差 1 次"
        expect(page.get_by_test_id("report-monthly")).to_contain_text("每月19日前报送")
        _no_overflow(page)
        _newest_day_wins(page)

        # the monthly report for May 2019, downloaded from the tab
        docx = monthly_report(page, base, program_id, "2019-05")
        text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
        assert text.startswith("东西部教育扶贫协作工作进展情况\n（2019年5月）")
        assert "5月11日，结对01开展“专题讲座”，派出人员：张三，受援人次：120人次。" in text
        assert "未报送：01（滨江区第01号结对学校—建始县第01号结对学校）；02（" in text  # they reported today
        href = page.get_by_test_id("report-monthly-pdf").get_attribute("href")
        assert href == f"/api/programs/{program_id}/reports/monthly?year=2019&part=5&format=pdf"
        pdf = page.request.get(base + href)
        assert pdf.ok and pdf.body().startswith(b"%PDF")
        assert errors == []

        # the phone, as pair 01's school: its own pair only, no reports, nothing wider than the screen
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
        phone.set_default_timeout(TIMEOUT_MS)
        small = phone.new_page()
        small.on("pageerror", lambda e: errors.append(str(e)))
        _login(small, base, SCHOOL)
        open_targets(small, base, program_id)
        set_as_of(small, "2019-06-30")
        shot(small, "targets11-targets-phone")
        _no_overflow(small)
        mine = {t["key"]: t for t in targets_table(small, base, program_id, as_of="2019-06-30")}
        assert mine["teaching_visits"]["pairs"] == [["01", "滨江区第01号结对学校", "建始县第01号结对学校", "1 人次"]]
        assert mine["pair_teaching"]["goal"] == "每个结对2019年春季学期 1 次：1 个结对中 1 个已完成，合计 1 / 1 次"
        expect(small.get_by_test_id("reports")).to_have_count(0)
        _no_overflow(small)  # with the pairs tables open too
        tabs = small.get_by_test_id("tab-targets").bounding_box()
        assert tabs is not None and tabs["height"] < 60  # the tab's words on one line, not one character a line
        assert errors == []
        browser.close()


def _newest_day_wins(page: Any) -> None:
    """Two 截至 days picked in a row: the panel shows the second however the answers arrive, and draws once.

    The clerk walk read a pairs table while a second answer for the same day replaced the panel (CI, an empty
    table, KeyError); an older day's answer arriving last would show the wrong figures under the newer date.
    The first day's answer is held back here until the second has drawn, then let through.
    """
    from playwright.sync_api import expect

    held: list[Any] = []

    def hold(route: Any) -> None:
        if "as_of=2019-03-31" in route.request.url:
            held.append(route)
        else:
            route.continue_()

    answers = re.compile(r"/api/programs/\d+/targets\?as_of=")
    page.route(answers, hold)
    box = page.get_by_test_id("targets-as-of")
    box.fill("2019-03-31")
    box.dispatch_event("change")
    for _ in range(50):  # the route handler runs while Playwright waits
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "picking a day asks for its figures"
    page.evaluate("() => { window.__draws = 0; new MutationObserver((m) => { window.__draws += m.filter((r) => "
                  "[...r.addedNodes].some((n) => n.dataset?.testid === 'targets')).length; })"
                  ".observe(document.querySelector('[data-testid=targets]').parentNode, { childList: true }); }")
    page.get_by_test_id("targets-as-of").fill("2019-06-30")
    page.locator('[data-testid=targets][data-as-of="2019-06-30"]').wait_for()
    with page.expect_response(lambda r: "as_of=2019-03-31" in r.url) as late:
        for route in held:
            route.continue_()
    assert late.value.ok
    page.wait_for_timeout(300)  # a stale answer would draw right after it arrives
    page.unroute(answers)
    expect(page.get_by_test_id("targets")).to_have_attribute("data-as-of", "2019-06-30")
    teaching = page.locator("[data-testid=target][data-key=teaching_visits] [data-testid=target-goal]")
    expect(teaching).to_have_text("目标 100 人次，已完成 2 人次（2%）")
    assert page.evaluate("() => window.__draws") == 1, "the panel drew more than once for one day"
