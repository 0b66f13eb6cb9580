"""Program set-up in a real browser (issue 11, item 1), at 1366×768 and 390×844: a clerk types the 彭州 notice
into 新建项目 and gets the very program the sample file defines; copies, archives and deletes (seeing what it
removes first); uploads a template (checked, named, listed, then offered in the form). Screenshots go to
setup11-*.png (tests/ui_fixtures.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from docgen.files import load_program
from docgen.model import Program
from docgen.program import parse_program_yaml
from docgen.program_file import json_data
from tests.ui_fixtures import (
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    login,
    no_overflow,
    serve,
    write_headers,
)
from tests.ui_fixtures import shot as _shot
from tests.walk.steps_setup11 import (
    PENGZHOU,
    copy_program_in_browser,
    create_program_in_browser,
    delete_program_in_browser,
    program_row,
    upload_template_in_browser,
)

pytestmark = BROWSER_MARKS

ROOT = Path(__file__).resolve().parent.parent
ADMIN = ("bureau-clerk", "lantern-river-4821")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory, "setup11", {"DOCGEN_ADMIN_USERNAME": ADMIN[0]}) as url:
        yield url


def new_page(browser: Any, viewport: dict[str, int]) -> Any:
    page = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True).new_page()
    page.set_default_timeout(60_000)
    return page


def shot(page: Any, name: str, size: str) -> None:
    _shot(page, f"setup11-{name}-{size}")


def as_typed(program: Program) -> Program:
    """``program`` without what a clerk never types: task and target keys (codes) and the order of the forms
    ticked."""
    return replace(program, tasks=tuple(replace(t, key="") for t in program.tasks), forms=tuple(sorted(program.forms)),
                   targets=tuple(replace(g, key="") for g in program.targets))


def bad_template() -> bytes:
    """A Word template that prints a variable no program offers: the template check refuses it."""
    from docx import Document

    doc = Document()
    doc.add_paragraph("协议书")
    doc.add_paragraph("{{ party_a.name }} 与 {{ nonsense.value }}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_clerk_sets_up_pengzhou_in_the_form_and_manages_programs_at_desktop_size(base: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = new_page(browser, DESKTOP)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        login(page, base, ADMIN)

        # the form, typed from the notice; shown before saving
        page.goto(f"{base}/#/setup/new")
        expect(page.get_by_test_id("setup-title")).to_have_text("新建项目")
        # a new program starts from the first template's defaults: its forms are ticked
        ticked = page.get_by_test_id("setup-forms").locator("input:checked")
        expect(ticked).to_have_count(3)
        shot(page, "new", "desktop")
        pid = create_program_in_browser(page, base)
        expect(page.get_by_test_id("program-summary")).to_contain_text("学校党建共建协议书")
        expect(page.get_by_test_id("program-settings")).to_have_attribute("href", f"#/setup/{pid}/edit")

        # what the clerk typed is the program the sample file defines, field for field
        res = page.request.get(f"{base}/api/programs/{pid}/file")
        assert res.ok and "charset=utf-8" in res.headers["content-type"]
        typed = parse_program_yaml(res.text())
        sample = load_program(ROOT / "samples" / "pengzhou_heishui" / "program.yaml")
        assert [t.key for t in typed.tasks] == [f"task-{i}" for i in range(1, 7)]  # codes no clerk types
        assert as_typed(typed) == as_typed(sample)

        # the same key again is refused with words, not stored
        page.goto(f"{base}/#/setup/new")
        page.get_by_test_id("setup-name").fill("重复的项目")
        page.get_by_text("项目代号（自动生成").click()
        page.get_by_test_id("setup-key").fill(PENGZHOU.key)
        page.get_by_test_id("bureau-name").nth(0).fill("彭州市教育局")
        page.get_by_test_id("bureau-name").nth(1).fill("黑水县教育局")
        page.get_by_test_id("setup-save").click()
        expect(page.get_by_test_id("message")).to_contain_text(
            "项目代号 pengzhou-heishui-2019 已被项目“彭州·黑水“校校结对””使用"
        )
        # a mistake names the field in Chinese
        page.get_by_test_id("setup-key").fill("pz-other")
        page.get_by_test_id("agreement-start").first.fill("2019-04-01")
        page.get_by_test_id("agreement-end").first.fill("2019-03-01")
        page.get_by_test_id("setup-save").click()
        expect(page.get_by_test_id("message")).to_contain_text("协议种类第1项 · 期限")
        expect(page.get_by_test_id("message")).to_contain_text("早于开始日期")

        # copy, archive (hidden, read-only), delete (what it removes shown first)
        copy_id = copy_program_in_browser(page, base, PENGZHOU.name, "彭州·黑水（2020）")
        assert copy_id != pid
        page.goto(f"{base}/#/programs")
        expect(page.get_by_test_id("program-link")).to_have_count(2)
        program_row(page, "彭州·黑水（2020）").get_by_test_id("program-archive").click()
        expect(page.get_by_test_id("program-link")).to_have_count(1)
        page.get_by_test_id("show-archived").check()
        expect(page.get_by_test_id("program-archived")).to_have_count(1)
        shot(page, "list", "desktop")
        page.get_by_test_id("show-archived").uncheck()
        roster = (ROOT / "samples" / "pengzhou_heishui" / "roster.txt").read_bytes()
        refused = page.request.post(
            f"{base}/api/programs/{copy_id}/roster",
            headers=write_headers(page, base),
            multipart={"file": {"name": "roster.txt", "mimeType": "text/plain", "buffer": roster}},
        )
        assert refused.status == 409 and "已归档" in refused.json()["detail"]
        page.get_by_test_id("show-archived").check()
        shown = delete_program_in_browser(page, base, "彭州·黑水（2020）")
        assert "结对 0 组" in shown and "上传文件 0 个" in shown and "不能撤销" in shown
        page.get_by_test_id("show-archived").check()
        expect(page.get_by_test_id("program-link")).to_have_count(1)

        # templates: a bad one is refused with the check's findings; a good one is listed and offered in the form
        said = upload_template_in_browser(page, base, bad_template(), "bad_one", "坏模板")
        assert "未通过检查" in said, said
        expect(page.get_by_test_id("template-findings")).to_contain_text("nonsense.value")
        good = ROOT / "docgen" / "templates" / "three_year.docx"
        said = upload_template_in_browser(page, base, good, "bureau_1plus1", "本局“1+1”协议书")
        assert "已上传模板：本局“1+1”协议书" in said, said
        expect(page.get_by_test_id("template-row").filter(has_text="bureau_1plus1")).to_have_count(1)
        shot(page, "templates", "desktop")
        page.goto(f"{base}/#/setup/{pid}/edit")
        expect(page.get_by_test_id("setup-name")).to_have_value(PENGZHOU.name)  # the form is loaded
        # the 党建共建协议书 is signed by the schools' party organisations (a missing name makes a draft)
        expect(page.get_by_test_id("agreement-signatories").first).to_have_value("party_orgs")
        options = page.get_by_test_id("agreement-template").first.locator("option").all_inner_texts()
        assert any("本局“1+1”协议书" in o for o in options), options
        shot(page, "edit", "desktop")
        assert not errors, errors
        browser.close()


def test_the_setup_screens_fit_a_phone(base: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = new_page(browser, PHONE)
        login(page, base, ADMIN)
        if not page.request.get(f"{base}/api/programs").json():  # run alone: a program for the list
            data = dict(json_data(load_program(ROOT / "samples" / "pengzhou_heishui" / "program.yaml")), key="phone-1")
            headers = {**write_headers(page, base), "Content-Type": "application/json"}
            made = page.request.post(f"{base}/api/program-setup", headers=headers, data=json.dumps({"program": data}))
            assert made.ok, made.text()
            assert page.request.get(f"{base}/api/programs").json(), "the program made for the list is not listed"
        page.goto(f"{base}/#/programs")
        page.reload()  # the list was drawn at login, before a program made above
        page.get_by_test_id("program-new").wait_for()
        page.get_by_test_id("program-row").first.wait_for()
        no_overflow(page)
        # every action of a program is on screen (the list is one card per program on a phone)
        for action in ("program-edit", "program-copy", "program-export", "program-archive", "program-delete"):
            box = page.get_by_test_id(action).first.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (action, box)
        shot(page, "list", "phone")
        page.goto(f"{base}/#/setup/new")
        expect(page.get_by_test_id("setup-save")).to_be_visible()
        page.get_by_test_id("tasks-add").click()
        no_overflow(page)
        save = page.get_by_test_id("setup-save")
        save.scroll_into_view_if_needed()
        box = save.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        shot(page, "new", "phone")
        page.goto(f"{base}/#/setup/templates")
        page.get_by_test_id("template-form").wait_for()
        no_overflow(page)
        shot(page, "templates", "phone")
        browser.close()
