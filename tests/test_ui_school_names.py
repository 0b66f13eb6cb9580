"""The 学校全称 tab in a real browser: a clerk sees the roster's short names with an input for the full name and
party organisation, saves, and the next batch's documents list marks the drafts 草稿 — on a desk and on a
390 px phone. Real ``docgen serve``, Debian's Chromium through Playwright; screenshots ui-names-*.png
(tests/ui_fixtures.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui_fixtures import ADMIN, BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS, PHONE, TIMEOUT_MS, serve, shot
from tests.ui_fixtures import write as _write

pytestmark = BROWSER_MARKS
LIUZHOU = Path(__file__).resolve().parent.parent / "samples" / "liuzhou_high_schools"
PENGZHOU = Path(__file__).resolve().parent.parent / "samples" / "pengzhou_heishui"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory, "docgen-names") as base:
        yield base


def _login(page: Any, base: str) -> None:
    page.goto(f"{base}/#/login")
    page.get_by_test_id("login-username").fill(ADMIN[0])
    page.get_by_test_id("login-password").fill(ADMIN[1])
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("program-link").first.wait_for()


def _program_with_roster(p: Any, base: str, sample: Path, roster: str, mime: str) -> tuple[Any, int]:
    """The bureau's API context, and a program made from ``sample``'s program file with its roster imported."""
    bureau = p.request.new_context()
    login = bureau.post(f"{base}/api/auth/login", data=json.dumps({"username": ADMIN[0], "password": ADMIN[1]}),
                        headers={"Content-Type": "application/json", "Origin": base})  # fmt: skip
    assert login.ok, login.text()
    program_id = _write(bureau, base, "POST", "/api/programs", multipart={"file": {
        "name": "program.yaml", "mimeType": "text/yaml", "buffer": (sample / "program.yaml").read_bytes()}})["id"]
    _write(bureau, base, "POST", f"/api/programs/{program_id}/roster", multipart={"file": {
        "name": roster, "mimeType": mime, "buffer": (sample / roster).read_bytes()}})  # fmt: skip
    return bureau, int(program_id)


def _desk(browser: Any, base: str) -> tuple[Any, list[str]]:
    """A signed-in desk-size page, and the list its page errors go to."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, base)
    return page, errors


def test_a_clerk_fills_a_full_name_and_sees_the_drafts(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        bureau, program_id = _program_with_roster(p, base, LIUZHOU, "roster.csv", "text/csv")

        # the desk: every short name of the roster, each with its inputs; fill one and save
        page, errors = _desk(browser, base)
        page.goto(f"{base}/#/programs/{program_id}/names")
        expect(page.get_by_test_id("names-missing-count")).to_have_text("共 17 个")
        names = page.get_by_test_id("names-missing-name").all_inner_texts()
        assert names[:3] == ["柳州高中", "融水中学", "柳铁一中"] and "市一中" in names
        row = names.index("市一中")
        expect(page.get_by_test_id(f"names-new-{row}-short")).to_have_value("市一中")
        page.get_by_test_id(f"names-new-{row}-full").fill("柳州市第一中学")
        page.get_by_test_id(f"names-new-{row}-party").fill("中共柳州市第一中学委员会")
        shot(page, "ui-names-desk")
        page.get_by_test_id("names-save").click()
        expect(page.get_by_test_id("message")).to_have_text("已保存 1 所学校的全称；尚无全称的校名还有 16 个。")
        expect(page.get_by_test_id("names-missing-count")).to_have_text("共 16 个")
        expect(page.get_by_test_id("names-entry-0-full")).to_have_value("柳州市第一中学")
        expect(page.get_by_test_id("names-entry-0-party")).to_have_value("中共柳州市第一中学委员会")
        stored = json.loads(page.request.get(f"{base}/api/programs/{program_id}/school-names").text())
        assert stored["entries"] == [
            {"full_name": "柳州市第一中学", "short_names": ["市一中"], "party_org": "中共柳州市第一中学委员会"}
        ]

        # a batch: the documents list marks the drafts, not the document that signs with the full name
        job = _write(bureau, base, "POST", f"/api/programs/{program_id}/batches", data=json.dumps({"pdf": False}),
                     headers={"Content-Type": "application/json"})  # fmt: skip
        deadline = time.monotonic() + 120
        while json.loads(bureau.get(f"{base}/api/batches/{job['id']}").text())["status"] != "done":
            assert time.monotonic() < deadline, "the batch did not finish"
            time.sleep(0.5)
        page.goto(f"{base}/#/programs/{program_id}/batch")
        rows = page.get_by_test_id("document-row")
        expect(rows.filter(has_text="2016—2020年结对帮扶协议").first).to_be_visible()
        agreements = rows.filter(has_text="2016—2020年结对帮扶协议")
        expect(agreements).to_have_count(11)
        expect(agreements.filter(has=page.get_by_test_id("document-draft"))).to_have_count(10)
        mine = agreements.filter(has_text="市一中")
        expect(mine.get_by_test_id("document-draft")).to_have_count(0)
        steel = agreements.filter(has_text="钢一中").get_by_test_id("document-draft")
        expect(steel).to_have_text("草稿")
        assert "“钢一中”像是简称" in (steel.get_attribute("title") or "")
        # the 校对 column says the same: a draft is a draft, not a list of findings; the full name has none
        expect(agreements.filter(has_text="钢一中").get_by_test_id("document-proof")).to_have_text("草稿")
        expect(mine.get_by_test_id("document-proof")).to_have_text("无")
        assert errors == []

        # the phone: the same tab, inputs stacked, nothing wider than the screen
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
        phone.set_default_timeout(TIMEOUT_MS)
        small = phone.new_page()
        _login(small, base)
        small.goto(f"{base}/#/programs/{program_id}/names")
        expect(small.get_by_test_id("names-missing-count")).to_have_text("共 16 个")
        full = small.get_by_test_id("names-new-0-full")
        expect(full).to_be_visible()
        box = full.bounding_box()
        assert box is not None and box["width"] >= 250 and box["x"] + box["width"] <= PHONE["width"]
        shot(small, "ui-names-phone")
        width = small.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the 学校全称 tab is {width} px wide on a 390 px phone"
        browser.close()




def test_a_clerk_names_a_party_organisation_a_party_building_agreement_needs(server: str) -> None:
    """彭州's 党建共建协议书 is signed by party organisations and its roster names none: the tab lists the schools
    under 尚无党组织名称的学校 with their full name filled in; a typed 党组织名称 is saved, untouched rows are not."""
    from playwright.sync_api import expect, sync_playwright

    base = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        _, program_id = _program_with_roster(p, base, PENGZHOU, "roster.txt", "text/plain")

        page, errors = _desk(browser, base)
        page.goto(f"{base}/#/programs/{program_id}/names")
        expect(page.get_by_test_id("names-party-count")).to_have_text("共 29 所")
        expect(page.get_by_test_id("names-missing-count")).to_have_text("共 0 个")
        names = page.get_by_test_id("names-party-name").all_inner_texts()
        assert names[:2] == ["成都石室白马中学", "黑水县中学"]
        expect(page.get_by_test_id("names-party").first).to_contain_text("没有党组织名称（如“中共成都石室白马中学支部委员会”）")
        expect(page.get_by_test_id("names-party-0-full")).to_have_value("成都石室白马中学")
        page.get_by_test_id("names-party-0-party").fill("中共成都石室白马中学支部委员会")
        page.get_by_test_id("names-save").click()
        expect(page.get_by_test_id("message")).to_have_text("已保存 1 所学校的全称；尚无全称的校名还有 0 个。")
        expect(page.get_by_test_id("names-party-count")).to_have_text("共 28 所")
        expect(page.get_by_test_id("names-entry-0-party")).to_have_value("中共成都石室白马中学支部委员会")
        stored = json.loads(page.request.get(f"{base}/api/programs/{program_id}/school-names").text())
        assert stored["entries"] == [
            {"full_name": "成都石室白马中学", "short_names": [], "party_org": "中共成都石室白马中学支部委员会"}
        ]
        assert errors == []
        browser.close()
